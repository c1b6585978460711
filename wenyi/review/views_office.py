"""The office's review pages: the campaign's review (committee, declared relations,
rounds), a round (its definition and state), its entries (the eligibility check, 审读)
and its conflicts of interest (回避).

The office of the campaign's owner unit runs them; a supervisor reads the same pages
without a form or a button and gets 403 on every change; everyone else 404 (another
unit's data). A round's named checkers see its entries and check them. Every change is
one service of wenyi.review (audited, with notices), which refuses a second click or a
state that moved on with a message that says why.
"""

import re

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST, require_safe

from wenyi.campaigns.models import Campaign, WorkCategory
from wenyi.campaigns.queries import campaign_or_404
from wenyi.core import actions
from wenyi.core.actions import Action, ReasonForm, form_errors
from wenyi.core.permissions import allowed, require, visible_or_404
from wenyi.core.versioning import show_refusal
from wenyi.orgs.enums import Role
from wenyi.orgs.models import Membership, OrgUnit, Person
from wenyi.orgs.queries import by_name, person_of, units_flat
from wenyi.review import queries, rounds, services, starting, votes
from wenyi.review.dossiers import available_indicators
from wenyi.review.enums import Eligibility, RoundStatus, RoundSubject
from wenyi.review.forms_office import (
    CHOICES_SHOWN,
    CheckersForm,
    CheckForm,
    CommitteeForm,
    ConflictForm,
    EntryAddForm,
    ExpertForm,
    FormulaForm,
    RelationForm,
    RoundForm,
    WithdrawForm,
    criteria_formset,
)
from wenyi.review.models import Conflict, Entry, Relation, Round
from wenyi.review.rules import is_checker
from wenyi.works.models import WorkAuthor

PAGE_SIZE = 50


# --- fetching: outsiders 404, read-only 403 ------------------------------------------


def _campaign(request: HttpRequest, slug: str) -> Campaign:
    """The campaign whose review the office runs or the supervisor reads; 404 for the
    rest (coordinators and experts see nothing of it here)."""
    campaign = campaign_or_404(request.user, slug)
    if not allowed(request.user, "review.supervise", campaign):
        raise Http404
    return campaign


def round_or_404(request: HttpRequest, pk: int, *, checkers: bool = False) -> Round:
    """A round for its office and supervisors (and, with `checkers`, its named
    checkers); 404 for everyone else, experts of the round too."""
    round_ = visible_or_404(Round.objects.select_related("campaign", "source"), pk=pk)
    user = request.user
    if allowed(user, "review.supervise", round_):
        return round_
    if checkers and is_checker(user, round_):
        return round_
    raise Http404


def _tree(campaign: Campaign) -> str | None:
    owner = campaign.owner_unit()
    return owner.path if owner is not None else None


def _people(campaign: Campaign) -> QuerySet[Person]:
    """The people of the campaign's units."""
    path = _tree(campaign)
    if path is None:
        return Person.objects.none()
    return by_name(Person.objects.filter(unit__path__startswith=path).select_related("unit"))


def _candidates(campaign: Campaign) -> QuerySet[Person]:
    """People holding the expert role in the campaign's units, not on the committee."""
    path = _tree(campaign)
    if path is None:
        return Person.objects.none()
    holders = Membership.objects.filter(role=Role.EXPERT, unit__path__startswith=path)
    return by_name(
        Person.objects.filter(user__in=holders.values("user"))
        .exclude(committees__campaign=campaign)
        .select_related("unit")
    )


def _relations(campaign: Campaign) -> QuerySet[Relation]:
    """The declared relations of the campaign's people and its experts."""
    path = _tree(campaign)
    experts = Person.objects.filter(committees__campaign=campaign).values("pk")
    where = Q(person__in=experts)
    if path is not None:
        where |= Q(person__unit__path__startswith=path)
    return (
        Relation.objects.filter(where)
        .select_related("person__unit", "other_person__unit", "other_unit", "declared_by__person")
        .order_by("person__name_sort", "person_id", "id")
    )


# --- shared -------------------------------------------------------------------------


def _refused(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


def _back(request: HttpRequest, default: str) -> HttpResponse:
    """Back to the page the form was on (its filter and page kept), if it is ours."""
    target = request.POST.get("back", "")
    if target.startswith(default) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return redirect(target)
    return redirect(default)


def _home_url(campaign: Campaign) -> str:
    return reverse("review:home", args=[campaign.slug])


# --- the campaign's review ----------------------------------------------------------


@login_required
@require_safe
def review_home(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    user = request.user
    can_manage = allowed(user, "review.manage", campaign)
    committee = queries.committee_of(campaign)
    categories = list(WorkCategory.objects.filter(campaign=campaign).order_by("position", "id"))
    order = {c.key: n for n, c in enumerate(categories)}
    names = {c.key: c.name for c in categories}
    experts = list(queries.experts_of(campaign))
    for person in experts:
        keys = sorted(services.expert_forms(person, categories), key=order.__getitem__)
        person.forms = [names[k] for k in keys]
    review_rounds = list(campaign.review_rounds.select_related("source").order_by("position", "id"))
    for round_ in review_rounds:
        round_.progress = queries.progress(round_)
    context = {
        "campaign": campaign,
        "committee": committee,
        "experts": experts,
        "relations": list(_relations(campaign)),
        "rounds": review_rounds,
        "public_vote": votes.vote_of(campaign),
        "can_manage": can_manage,
        "q": request.GET.get("q", "").strip(),
    }
    if can_manage:
        q = context["q"]
        candidates, people = _candidates(campaign), _people(campaign)
        if q:
            candidates = candidates.filter(name__icontains=q)
            people = people.filter(name__icontains=q)
        context["committee_form"] = CommitteeForm(
            initial={
                "name": committee.name
                if committee
                else _("%(campaign)s expert committee") % {"campaign": campaign.title}
            }
        )
        context["expert_form"] = ExpertForm(
            people=_candidates(campaign), limit=candidates[:CHOICES_SHOWN]
        )
        context["relation_form"] = RelationForm(
            people=_people(campaign),
            units=units_flat(_units(campaign)),
            limit=people[:CHOICES_SHOWN],
        )
    return render(request, "review/office/home.html", context)


def _units(campaign: Campaign) -> QuerySet[OrgUnit]:
    path = _tree(campaign)
    return OrgUnit.objects.filter(path__startswith=path) if path else OrgUnit.objects.none()


def _office_post(request: HttpRequest, slug: str) -> Campaign:
    """The campaign of a change to its review: 404 outside, 403 for a supervisor."""
    campaign = _campaign(request, slug)
    require(request.user, "review.manage", campaign)
    return campaign


@login_required
@require_POST
def committee_save(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _office_post(request, slug)
    form = CommitteeForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
    else:
        try:
            services.set_up_committee(request.user, campaign, name=form.cleaned_data["name"])
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("Committee saved."))
    return redirect(_home_url(campaign))


@login_required
@require_POST
def expert_add(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _office_post(request, slug)
    # a person already on the committee is accepted here: the service says so
    people = by_name(
        Person.objects.filter(
            Q(pk__in=_candidates(campaign).values("pk"))
            | Q(pk__in=queries.experts_of(campaign).values("pk"))
        ).select_related("unit")
    )
    form = ExpertForm(request.POST, people=people)
    if not form.is_valid():
        messages.error(request, form_errors(form))
    else:
        person = form.cleaned_data["person"]
        try:
            services.add_expert(request.user, campaign, person)
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("%(name)s joined the committee.") % {"name": person.name})
    return redirect(_home_url(campaign))


@login_required
@require_POST
def expert_remove(request: HttpRequest, slug: str, person: int) -> HttpResponse:
    campaign = _office_post(request, slug)
    expert = visible_or_404(
        Person.objects.filter(
            Q(committees__campaign=campaign) | Q(pk__in=_people(campaign).values("pk"))
        ).distinct(),
        pk=person,
    )
    try:
        services.remove_expert(request.user, campaign, expert)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("%(name)s left the committee.") % {"name": expert.name})
    return redirect(_home_url(campaign))


@login_required
@require_POST
def relation_add(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _office_post(request, slug)
    form = RelationForm(request.POST, people=_people(campaign), units=_units(campaign))
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(_home_url(campaign))
    data = form.cleaned_data
    try:
        services.declare_relation(
            request.user,
            person=data["person"],
            kind=data["kind"],
            other_person=data["other_person"],
            other_unit=data["other_unit"],
            reason=data["reason"],
        )
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Relation declared; conflicts of interest found again."))
    return redirect(_home_url(campaign))


@login_required
@require_POST
def relation_withdraw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = _office_post(request, slug)
    relation = _relations(campaign).filter(pk=pk).first()
    if relation is None:  # a second click: withdrawn by the first
        messages.error(request, _("This relation is withdrawn already."))
        return redirect(_home_url(campaign))
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
    else:
        try:
            services.withdraw_relation(request.user, relation, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("Relation withdrawn."))
    return redirect(_home_url(campaign))


# --- a round ------------------------------------------------------------------------


def _checker_choices(campaign: Campaign):
    """Logins who may be named checkers: the office and coordinators of the campaign's
    units (a supervisor changes nothing; an expert scores)."""
    path = _tree(campaign)
    if path is None:
        return get_user_model().objects.none()
    holders = Membership.objects.filter(
        role__in=[Role.OFFICE, Role.COORDINATOR], unit__path__startswith=path
    )
    return (
        get_user_model()
        .objects.filter(pk__in=holders.values("user"), is_active=True)
        .select_related("person__unit")
        .order_by("person__name_sort", "username")
    )


@login_required
@require_safe
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = round_or_404(request, pk)
    user = request.user
    can = {
        name: allowed(user, f"review.{name}", round_)
        for name in ("manage", "change_round", "open_round", "close_round", "reopen_round")
    }
    checkers = list(round_.checker_links.select_related("user__person__unit").order_by("id"))
    campaign = round_.campaign
    categories = dict(campaign.work_categories.values_list("key", "name"))
    context = {
        "round": round_,
        "campaign": campaign,
        "criteria": list(round_.criteria.all()),
        "art_forms": [categories.get(k, k) for k in round_.art_forms],
        "checkers": checkers,
        "progress": queries.progress(round_),
        "categories": categories,
        "can": can,
        "can_checkers": can["manage"] and round_.status != RoundStatus.CLOSED,
        "formula": _formula_shown(round_),
    }
    if can["reopen_round"]:
        context["reopen_form"] = ReasonForm()
    if context["can_checkers"]:
        context["checkers_form"] = CheckersForm(
            users=_checker_choices(campaign), initial={"users": [c.user_id for c in checkers]}
        )
    return render(request, "review/office/round.html", context)


def _formula_shown(round_: Round) -> list[tuple[str, str, object]]:
    """(key, label, weight) of a units round's formula, in the indicators' order."""
    if not round_.formula:
        return []
    labels = available_indicators(round_.campaign)
    formula = starting.ordered_formula(round_, labels)
    return [(key, labels.get(key, key), weight) for key, weight in formula.items()]


ROUND_ACTIONS = {
    "open": Action(
        "review.open_round",
        rounds.open_round,
        gettext_lazy("The round is open: the experts may start."),
        could="review.manage",
    ),
    "close": Action(
        "review.close_round",
        rounds.close_round,
        gettext_lazy("The round is closed; its results are computed and frozen."),
        could="review.manage",
    ),
    "reopen": Action(
        "review.reopen_round",
        rounds.reopen_round,
        gettext_lazy("The round is open again."),
        form=ReasonForm,
        could="review.manage",
    ),
}


@login_required
@require_POST
def round_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    round_ = round_or_404(request, pk)
    back = redirect("review:round", pk=round_.pk)
    return actions.dispatch(request, round_, action, ROUND_ACTIONS, back=back)


@login_required
@require_POST
def round_checkers(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = round_or_404(request, pk)
    require(request.user, "review.manage", round_)
    form = CheckersForm(request.POST, users=_checker_choices(round_.campaign))
    if not form.is_valid():
        messages.error(request, form_errors(form))
    else:
        try:
            rounds.set_checkers(request.user, round_, form.cleaned_data["users"])
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("Eligibility checkers saved."))
    return redirect("review:round", pk=round_.pk)


@login_required
@require_POST
def entries_create(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = round_or_404(request, pk)
    require(request.user, "review.manage", round_)
    try:
        made = rounds.create_entries(request.user, round_)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        if made:
            messages.success(
                request,
                ngettext("%(n)s entry added.", "%(n)s entries added.", len(made))
                % {"n": len(made)},
            )
        else:
            messages.info(request, _("No new entries: every item is in the round already."))
    return redirect("review:entries", pk=round_.pk)


@login_required
@require_POST
def round_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = _office_post(request, slug)
    round_ = campaign.review_rounds.filter(pk=pk).first()
    if round_ is None:  # a second click: deleted by the first
        messages.error(request, _("This round is deleted already."))
        return redirect(_home_url(campaign))
    try:
        rounds.delete_round(request.user, round_)
    except ValidationError as exc:
        _refused(request, exc)
        return redirect("review:round", pk=round_.pk)
    messages.success(request, _("Round %(name)s deleted.") % {"name": round_.name})
    return redirect(_home_url(campaign))


# --- a round's definition -----------------------------------------------------------

# where campaign_file puts a problem: "opens", "art_forms[2]", "criteria[1].maximum"
PROBLEM = re.compile(r"^(?P<field>\w+)(?:\[(?P<n>\d+)\])?(?:\.(?P<sub>\w+))?: (?P<text>.*)$", re.S)


def _criteria(formset) -> tuple[list[dict], list]:
    """The criteria the rows give (blank and deleted rows left out), and their forms in
    the same order (to show a problem on its row)."""
    items, rows = [], []
    for row in formset.forms:
        if formset.can_delete and formset._should_delete_form(row):
            continue
        if row.is_blank:
            continue
        data = {k: v for k, v in row.cleaned_data.items() if k != "DELETE"}
        items.append({k: v for k, v in data.items() if v not in (None, "")})
        rows.append(row)
    return items, rows


def _show_problems(form, rows: list, exc: ValidationError) -> None:
    """A refused definition: each problem on the field (or criterion row) it names."""
    if not hasattr(exc, "error_dict"):
        show_refusal(form, exc)  # an edit conflict too: the input kept, the version new
        return
    for field, problems in exc.message_dict.items():
        for problem in problems:
            found = PROBLEM.match(problem)
            text = found["text"] if found and found["field"] == field else problem
            if found and field == "criteria" and found["n"] and found["sub"]:
                n = int(found["n"])
                if n <= len(rows) and found["sub"] in rows[n - 1].fields:
                    rows[n - 1].add_error(found["sub"], text)
                    continue
            if found and found["n"] and found["field"] == field:
                text = _("item %(n)s: %(problem)s") % {"n": found["n"], "problem": text}
            if field == "formula" and hasattr(form, "formula_form"):
                _formula_problem(form.formula_form, problem)
            elif field in form.fields and field != "criteria":
                form.add_error(field, text)
            else:
                label = _("Scoring criteria") if field == "criteria" else None
                form.add_error(None, f"{label}：{text}" if label else text)


# a formula's problem: "formula: …", "formula.works: …", 'formula."peixun.trainees": …'
FORMULA_PROBLEM = re.compile(
    r'^formula(?:\.(?:"(?P<quoted>[^"]+)"|(?P<key>[-\w.]+)))?: (?P<text>.*)$', re.S
)


def _formula_problem(formula_form, problem: str) -> None:
    found = FORMULA_PROBLEM.match(problem)
    if found is None:
        formula_form.add_error(None, problem)
        return
    key = found["quoted"] or found["key"]
    if key in formula_form.fields:
        formula_form.add_error(key, found["text"])
    else:
        formula_form.add_error(None, found["text"])


def _round_form(request, campaign, round_=None, initial=None):
    data = request.POST if request.method == "POST" else None
    form = RoundForm(data, campaign=campaign, round_=round_, initial=initial)
    criteria = None
    if initial is not None:
        criteria = initial.get("criteria")
    formset = criteria_formset(campaign, data, initial=None if data else criteria)
    form.formula_form = FormulaForm(
        data,
        indicators=available_indicators(campaign),
        initial=(initial or {}).get("formula") or {},
    )
    return form, formset


def _valid(form, formset) -> bool:
    valid = form.is_valid()
    valid = formset.is_valid() and valid
    return form.formula_form.is_valid() and valid


def _values(form) -> dict:
    """The definition the form gives, its formula (units rounds) included."""
    return form.values() | {"formula": form.formula_form.weights()}


@login_required
def round_add(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    require(request.user, "review.manage", campaign)
    stage = campaign.review_stage()
    initial = {
        "subject": RoundSubject.WORKS,
        "reviewers_per_item": 3,
        "opens": stage.start if stage else campaign.start,
        "closes": stage.end if stage else campaign.end,
    }
    form, formset = _round_form(request, campaign, initial=initial)
    if request.method == "POST" and _valid(form, formset):
        items, rows = _criteria(formset)
        try:
            round_ = rounds.create_round(request.user, campaign, criteria=items, **_values(form))
        except ValidationError as exc:
            _show_problems(form, rows, exc)
        else:
            messages.success(request, _("Round %(name)s created.") % {"name": round_.name})
            return redirect("review:round", pk=round_.pk)
    return render(
        request,
        "review/office/round_form.html",
        {
            "campaign": campaign,
            "form": form,
            "formset": formset,
            "formula_form": form.formula_form,
            "round": None,
        },
    )


@login_required
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = round_or_404(request, pk)
    user = request.user
    if not allowed(user, "review.change_round", round_):
        require(user, "review.manage", round_)  # a supervisor: 403
        messages.error(
            request,
            _("This round is %(status)s: its definition is frozen once it opens.")
            % {"status": round_.get_status_display()},
        )
        return redirect("review:round", pk=round_.pk)
    campaign = round_.campaign
    initial = rounds.definition(round_) | {"version": round_.version}
    form, formset = _round_form(request, campaign, round_, initial=initial)
    if request.method == "POST" and _valid(form, formset):
        items, rows = _criteria(formset)
        try:
            rounds.update_round(
                user,
                round_,
                version=form.cleaned_data["version"],
                criteria=items,
                **_values(form),
            )
        except ValidationError as exc:
            _show_problems(form, rows, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("review:round", pk=round_.pk)
    return render(
        request,
        "review/office/round_form.html",
        {
            "campaign": campaign,
            "form": form,
            "formset": formset,
            "formula_form": form.formula_form,
            "round": round_,
        },
    )


# --- entries: the eligibility check (审读) --------------------------------------------


def _own(user, entries: list[Entry]) -> set[int]:
    """The entries on the page that are the user's own (four eyes: someone else checks
    them), in two queries."""
    works = [e.work_id for e in entries if e.work_id]
    written = set(
        WorkAuthor.objects.filter(work_id__in=works, person__user=user).values_list(
            "work_id", flat=True
        )
    )
    units = set(Membership.objects.filter(user=user).values_list("unit_id", flat=True))
    own = set()
    for e in entries:
        if e.work_id:
            mine = e.work.submitted_by_id == user.pk or e.work_id in written
        elif e.person_id:
            mine = e.person.user_id == user.pk
        else:
            mine = e.unit_id in units
        if mine:
            own.add(e.pk)
    return own


def _subjects(round_: Round) -> tuple[QuerySet, str, str]:
    """What the round reviews (its items, entered or not), the entry's field for one,
    and what to call it."""
    if round_.subject == RoundSubject.WORKS:
        items = rounds.subject_works(round_).select_related("unit").order_by("title", "id")
        return items, "work", _("Work")
    if round_.subject == RoundSubject.UNITS:
        return units_flat(rounds.subject_units(round_)), "unit", _("Unit")
    people = rounds.subject_people(round_).values("pk")
    items = by_name(Person.objects.filter(pk__in=people).select_related("unit"))
    return items, "person", _("Person")


@login_required
@require_safe
def entries(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = round_or_404(request, pk, checkers=True)
    user = request.user
    listed = round_.entries.all()
    eligibility = request.GET.get("eligibility", "")
    if eligibility in Eligibility.values:
        listed = listed.filter(eligibility=eligibility)
    listed = queries.entries_with_subjects(listed).order_by("code", "id")
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    is_office = allowed(user, "review.manage", round_)
    may_check = (is_office or is_checker(user, round_)) and round_.status != RoundStatus.CLOSED
    own = _own(user, list(page)) if may_check else set()
    can_change = allowed(user, "review.change_round", round_)
    context = {
        "round": round_,
        "campaign": round_.campaign,
        "page": page,
        "eligibility": eligibility,
        "eligibilities": Eligibility.choices,
        "reasons": Entry._meta.get_field("ineligible_reason").choices,
        "progress": queries.progress(round_),
        "may_check": may_check,
        "own": own,
        "is_office": is_office,
        "sees_round": allowed(user, "review.supervise", round_),
        "can_change": can_change,
        "back": request.get_full_path(),
        "starting": starting.starting(round_),
    }
    if can_change:
        items, field, label = _subjects(round_)
        items = items.exclude(review_entries__round=round_)
        context["add_form"] = EntryAddForm(items=items, label=label)
    return render(request, "review/office/entries.html", context)


def _entries_url(round_: Round) -> str:
    return reverse("review:entries", args=[round_.pk])


@login_required
@require_POST
def entry_check(request: HttpRequest, pk: int, entry: int) -> HttpResponse:
    round_ = round_or_404(request, pk, checkers=True)
    user = request.user
    back = _back(request, _entries_url(round_))
    if not (allowed(user, "review.manage", round_) or is_checker(user, round_)):
        raise PermissionDenied  # a supervisor reads
    item = visible_or_404(round_.entries.all(), pk=entry)
    form = CheckForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return back
    data = form.cleaned_data
    eligible, reason, note = data["eligible"], data["reason"], data["note"].strip()
    wanted = Eligibility.ELIGIBLE if eligible else Eligibility.INELIGIBLE
    if (item.eligibility, item.ineligible_reason, item.eligibility_note) == (
        wanted,
        "" if eligible else reason,
        note,
    ):  # a second click: nothing to change
        messages.info(request, _("Entry %(code)s: already so.") % {"code": item.code})
        return back
    try:
        rounds.check_entry(user, item, eligible=eligible, reason=reason, note=note)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        text = (
            _("Entry %(code)s is eligible.") if eligible else _("Entry %(code)s is not eligible.")
        )
        messages.success(request, text % {"code": item.code})
    return back


@login_required
@require_POST
def entry_add(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = round_or_404(request, pk, checkers=True)
    require(request.user, "review.manage", round_)
    back = redirect("review:entries", pk=round_.pk)
    if round_.status != RoundStatus.DRAFT:
        messages.error(
            request,
            _("This round is %(status)s: its definition is frozen once it opens.")
            % {"status": round_.get_status_display()},
        )
        return back
    # an item entered already is accepted by the form: the service says so
    items, field, label = _subjects(round_)
    form = EntryAddForm(request.POST, items=items, label=label)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return back
    item = form.cleaned_data["item"]
    try:
        entry = rounds.add_entry(request.user, round_, **{field: item})
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Entry %(code)s added.") % {"code": entry.code})
    return back


@login_required
@require_POST
def entry_remove(request: HttpRequest, pk: int, entry: int) -> HttpResponse:
    round_ = round_or_404(request, pk, checkers=True)
    require(request.user, "review.manage", round_)
    back = _back(request, _entries_url(round_))
    item = round_.entries.filter(pk=entry).first()
    if item is None:  # a second click: removed by the first
        messages.error(request, _("This entry is removed already."))
        return back
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return back
    try:
        rounds.remove_entry(request.user, item, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Entry %(code)s removed.") % {"code": item.code})
    return back


# --- conflicts of interest (回避) ----------------------------------------------------


@login_required
@require_safe
def conflicts(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = round_or_404(request, pk)
    user = request.user
    listed = queries.conflicts_of(round_).select_related(
        "entry__work__unit",
        "entry__unit",
        "entry__person__unit",
        "relation__person",
        "relation__other_person",
        "relation__other_unit",
        "declared_by__person",
        "dismissed_by__person",
    )
    state = request.GET.get("state", "")
    if state == "blocking":
        listed = listed.filter(dismissed_at__isnull=True)
    elif state == "dismissed":
        listed = listed.filter(dismissed_at__isnull=False)
    listed = listed.order_by("entry__code", "expert__name_sort", "id")
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    can_manage = allowed(user, "review.manage_conflicts", round_)
    me = person_of(user)
    for conflict in page:
        conflict.can_dismiss = (
            can_manage and conflict.blocks and (me is None or conflict.expert_id != me.pk)
        )
    context = {
        "round": round_,
        "campaign": round_.campaign,
        "page": page,
        "state": state,
        "can_manage": can_manage,
        "back": request.get_full_path(),
    }
    if can_manage:
        context["declare_form"] = ConflictForm(
            entries=round_.entries.all(), experts=queries.experts_of(round_.campaign)
        )
    return render(request, "review/office/conflicts.html", context)


def _conflicts_url(round_: Round) -> str:
    return reverse("review:conflicts", args=[round_.pk])


@login_required
@require_POST
def conflicts_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = round_or_404(request, pk)
    require(request.user, "review.manage", round_)
    if round_.status == RoundStatus.CLOSED:
        messages.error(request, _("This round is closed."))
    else:
        made = services.refresh_conflicts(request.user, round_)
        messages.success(request, _("Conflicts found again: %(n)s new.") % {"n": len(made)})
    return redirect(_conflicts_url(round_))


@login_required
@require_POST
def conflict_declare(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = round_or_404(request, pk)
    require(request.user, "review.manage", round_)
    form = ConflictForm(
        request.POST, entries=round_.entries.all(), experts=queries.experts_of(round_.campaign)
    )
    if not form.is_valid():
        messages.error(request, form_errors(form))
    else:
        data = form.cleaned_data
        try:
            services.declare_conflict(
                request.user, form.entry, reason=data["reason"], expert=data["expert"]
            )
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(
                request,
                _("Conflict recorded: %(expert)s stays away from entry %(code)s.")
                % {"expert": data["expert"].name, "code": form.entry.code},
            )
    return redirect(_conflicts_url(round_))


def _dismiss(actor, conflict: Conflict, reason: str) -> Conflict:
    return services.dismiss_conflict(actor, conflict, reason=reason)


CONFLICT_ACTIONS = {
    "dismiss": Action(
        "review.dismiss_conflict",
        _dismiss,
        gettext_lazy("Conflict dismissed: it no longer keeps the expert away."),
        form=ReasonForm,
        could="review.manage",
    )
}


@login_required
@require_POST
def conflict_dismiss(request: HttpRequest, pk: int, conflict: int) -> HttpResponse:
    round_ = round_or_404(request, pk)
    item = visible_or_404(Conflict.objects.filter(entry__round=round_), pk=conflict)
    back = _back(request, _conflicts_url(round_))
    return actions.dispatch(request, item, "dismiss", CONFLICT_ACTIONS, back=back)


urlpatterns = [
    path("campaigns/<slug:slug>/review/", review_home, name="home"),
    path("campaigns/<slug:slug>/review/committee/", committee_save, name="office_committee"),
    path("campaigns/<slug:slug>/review/experts/add/", expert_add, name="office_expert_add"),
    path(
        "campaigns/<slug:slug>/review/experts/<int:person>/remove/",
        expert_remove,
        name="office_expert_remove",
    ),
    path("campaigns/<slug:slug>/review/relations/add/", relation_add, name="office_relation_add"),
    path(
        "campaigns/<slug:slug>/review/relations/<int:pk>/withdraw/",
        relation_withdraw,
        name="office_relation_withdraw",
    ),
    path("campaigns/<slug:slug>/review/rounds/new/", round_add, name="round_add"),
    path(
        "campaigns/<slug:slug>/review/rounds/<int:pk>/delete/",
        round_delete,
        name="office_round_delete",
    ),
    path("review/rounds/<int:pk>/", round_detail, name="round"),
    path("review/rounds/<int:pk>/edit/", round_edit, name="round_edit"),
    path("review/rounds/<int:pk>/state/<slug:action>/", round_action, name="office_round_action"),
    path("review/rounds/<int:pk>/checkers/", round_checkers, name="office_round_checkers"),
    path("review/rounds/<int:pk>/entries/", entries, name="entries"),
    path("review/rounds/<int:pk>/entries/create/", entries_create, name="office_entries_create"),
    path("review/rounds/<int:pk>/entries/add/", entry_add, name="office_entry_add"),
    path(
        "review/rounds/<int:pk>/entries/<int:entry>/check/", entry_check, name="office_entry_check"
    ),
    path(
        "review/rounds/<int:pk>/entries/<int:entry>/remove/",
        entry_remove,
        name="office_entry_remove",
    ),
    path("review/rounds/<int:pk>/conflicts/", conflicts, name="conflicts"),
    path(
        "review/rounds/<int:pk>/conflicts/refresh/",
        conflicts_refresh,
        name="office_conflicts_refresh",
    ),
    path(
        "review/rounds/<int:pk>/conflicts/declare/",
        conflict_declare,
        name="office_conflict_declare",
    ),
    path(
        "review/rounds/<int:pk>/conflicts/<int:conflict>/dismiss/",
        conflict_dismiss,
        name="office_conflict_dismiss",
    ),
]
