"""Everything an expert sees of the review: their queue, the scoring page of an entry,
its files, the conflicts they declare during the review and the relations they declare
beforehand.

An expert reaches an entry only through `queries.assignments_for_expert`: assigned to
them, in an open round, eligible, with no conflict blocking them. Anything else — an
entry of another expert, one they declared a conflict with, an office login visiting —
is a 404, the office included: the office does not score. In a blind round nothing
names an author or a unit (`review.see_names`): the pages show the entry's number, and
its files come cleaned of the names they carry (wenyi.review.blind).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from wenyi.campaigns.queries import campaign_or_404
from wenyi.core import clock
from wenyi.core import uploads as core_uploads
from wenyi.core.permissions import allowed, require, visible_or_404
from wenyi.core.versioning import show_refusal
from wenyi.orgs.models import OrgUnit, Person
from wenyi.orgs.queries import person_of
from wenyi.review import blind, dossiers, queries, scoring, services, starting
from wenyi.review.enums import ACTIVE, RoundKind, RoundStatus, ScoreStatus
from wenyi.review.forms_expert import (
    DRAFT,
    NEXT,
    SUBMIT,
    ConflictForm,
    RelationForm,
    ScoreForm,
    WithdrawForm,
    criterion_field,
)
from wenyi.review.models import Assignment, Relation, Round
from wenyi.works.enums import FileRole
from wenyi.works.forms import format_duration
from wenyi.works.models import WorkAuthor

# what the queue and the scoring page read of an entry, in one query
ENTRY = (
    "entry__round__campaign",
    "entry__work__category__parent",
    "entry__work__unit",
    "entry__unit",
    "entry__person__unit",
    "score",
)
NOT_STARTED, DRAFTED, SUBMITTED = "new", ScoreStatus.DRAFT, ScoreStatus.SUBMITTED


def _expert_or_404(user) -> Person:
    """The login's person, if the login serves as an expert; 404 for everyone else."""
    person = person_of(user)
    if person is None or not allowed(user, "orgs.serve_as_expert"):
        raise Http404
    return person


def _mine(user, round_: Round) -> list[Assignment]:
    """The expert's assignments in a round they may work on, in the order of the entry
    numbers, each with `state` (new, draft, submitted)."""
    items = list(
        queries.assignments_for_expert(user, round_)
        .select_related(*ENTRY)
        .order_by("entry__code", "entry_id")
    )
    for item in items:
        score = getattr(item, "score", None)
        item.state = score.status if score is not None else NOT_STARTED
    return items


def _with_names(items: list[Assignment]) -> None:
    """The authors of the works, for a round whose experts see names."""
    prefetch_related_objects(
        items,
        Prefetch(
            "entry__work__author_links",
            WorkAuthor.objects.select_related("person").order_by("position", "id"),
        ),
    )


def _sees_names(user, items: list[Assignment]) -> bool:
    """Whether the expert sees names in this round: decided by the rule on one of the
    entries (every entry of the list is one they review, so it decides alike)."""
    return bool(items) and allowed(user, "review.see_names", items[0].entry)


def _art_form(entry) -> str:
    if entry.work_id:
        category = entry.work.category
        return f"{category.parent.name} · {category.name}" if category.parent_id else category.name
    return _("Unit") if entry.unit_id else _("Person")


def _first_unfinished(items: list[Assignment], after: int = -1):
    """The first entry not submitted after position `after`, else from the start."""
    order = items[after + 1 :] + items[: after + 1]
    return next((a for a in order if a.state != SUBMITTED), None)


# --- the queue ---------------------------------------------------------------------------------


@login_required
@require_safe
def queue(request: HttpRequest, slug: str) -> HttpResponse:
    """The expert's entries in each open round of the campaign, with how far they are,
    and the rounds still to open."""
    campaign = campaign_or_404(request.user, slug)
    person = _expert_or_404(request.user)
    rounds = (
        queries.rounds_visible_to(request.user, campaign)
        .filter(status__in=ACTIVE)
        .order_by("position", "id")
    )
    sections = []
    for round_ in rounds:
        items = _mine(request.user, round_)
        if not items:
            continue
        names = _sees_names(request.user, items)
        if names:
            _with_names(items)
        for item in items:
            item.art_form = _art_form(item.entry)
        submitted = sum(1 for a in items if a.state == SUBMITTED)
        sections.append(
            {
                "round": round_,
                "items": items,
                "names": names,
                "submitted": submitted,
                "assigned": len(items),
                "percent": round(100 * submitted / len(items)),
                "next": _first_unfinished(items),
                "started": any(a.state != NOT_STARTED for a in items),
            }
        )
    # rounds not open yet with something of theirs in them (assigned before opening)
    upcoming = (
        Round.objects.filter(
            campaign=campaign,
            status=RoundStatus.DRAFT,
            entries__assignments__expert=person,
        )
        .distinct()
        .order_by("opens", "position", "id")
    )
    return render(
        request,
        "review/expert/queue.html",
        {
            "campaign": campaign,
            "sections": sections,
            "upcoming": list(upcoming),
            "stage": campaign.review_stage(),
            "today": clock.today(),
        },
    )


# --- scoring -----------------------------------------------------------------------------------


def _assignment_or_404(user, pk: int) -> tuple[Assignment, list[Assignment]]:
    """The login's assignment of entry `pk` and their whole list in its round; 404
    unless the entry is one they may work on."""
    round_ = get_object_or_404(Round.objects.select_related("campaign"), entries__pk=pk)
    items = _mine(user, round_)
    found = next((a for a in items if a.entry_id == pk), None)
    if found is None:
        raise Http404
    return found, items


def _initial(assignment: Assignment, criteria) -> dict:
    score = getattr(assignment, "score", None)
    if score is None:
        return {"version": 0}
    initial = {
        "version": score.version,
        "comment": score.comment,
        "vote": score.vote,
        "rank": score.rank,
    }
    for criterion in criteria:
        initial[criterion_field(criterion)] = score.values.get(criterion.key)
    return initial


def _work_files(entry) -> dict[str, list]:
    """The work's files by what they are, each numbered (its place in the work) and
    told whether a blind round can give it out."""
    files = list(entry.work.files.order_by("id"))
    for n, f in enumerate(files, start=1):
        f.n = n
        f.servable = blind.servable(f)
    return {
        "images": [f for f in files if f.role == FileRole.IMAGE],
        "audio": [f for f in files if f.role == FileRole.AUDIO],
        "videos": [f for f in files if f.role == FileRole.VIDEO],
        "documents": [f for f in files if f.role in (FileRole.DOCUMENT, FileRole.SCORE)],
        "count": len(files),
    }


def _dossier(entry, campaign):
    if entry.unit_id and starting.has_formula(entry.round):
        # built with every unit of the round, whose maxima the formula needs
        return starting.round_dossiers(entry.round).get(entry.unit_id)
    if entry.unit_id:
        return dossiers.unit_dossiers(campaign, [entry.unit]).get(entry.unit_id)
    if entry.person_id:
        return dossiers.person_dossiers(campaign, [entry.person]).get(entry.person_id)
    return None


def _places(assignment: Assignment, items: list[Assignment]) -> list[tuple[int, str]]:
    """(place, entry number) given so far to the expert's other entries of the round."""
    taken = []
    for other in items:
        score = getattr(other, "score", None)
        if other.pk != assignment.pk and score is not None and score.rank:
            taken.append((score.rank, other.entry.code))
    return sorted(taken)


@login_required
def score(request: HttpRequest, pk: int) -> HttpResponse:
    """The scoring page of one entry: the item (a work with its files, or a unit's or a
    person's dossier), the rubric, the comment; read-only once submitted."""
    assignment, items = _assignment_or_404(request.user, pk)
    entry, round_ = assignment.entry, assignment.entry.round
    campaign = round_.campaign
    criteria = scoring.criteria_for(entry) if round_.kind == RoundKind.SCORING else []
    current = getattr(assignment, "score", None)
    submitted = current is not None and current.status == ScoreStatus.SUBMITTED
    can_score = not submitted and allowed(request.user, "review.score", assignment)
    form = ScoreForm(
        request.POST or None,
        kind=round_.kind,
        criteria=criteria,
        places=len(items),
        initial=_initial(assignment, criteria),
    )
    position = items.index(assignment)
    if request.method == "POST":
        action = request.POST.get("action")
        action = action if action in (DRAFT, SUBMIT, NEXT) else DRAFT
        if not can_score:
            messages.error(request, _("This score is submitted already."))
            return redirect("review:score", pk=entry.pk)
        if form.is_valid():
            save = scoring.save_draft if action == DRAFT else scoring.submit_score
            try:
                save(request.user, assignment, **form.engine_kwargs())
            except ValidationError as exc:
                show_refusal(form, exc)
            else:
                return _after_save(request, action, assignment, items, position)
    names = allowed(request.user, "review.see_names", entry)
    authors = []
    if names and entry.work_id:
        authors = [
            link.person
            for link in entry.work.author_links.select_related("person").order_by("position")
        ]
    context = {
        "campaign": campaign,
        "round": round_,
        "entry": entry,
        "assignment": assignment,
        "score": current,
        "submitted": submitted,
        "can_score": can_score,
        "can_declare": allowed(request.user, "review.declare_conflict", assignment),
        "form": form,
        "criteria_fields": form.criterion_fields(),
        "criteria": criteria,
        "names": names,
        "authors": authors,
        "art_form": _art_form(entry),
        "files": _work_files(entry) if entry.work_id else None,
        "duration": format_duration(entry.work.duration_seconds) if entry.work_id else "",
        "dossier": _dossier(entry, campaign),
        "starting": starting.starting(round_) if entry.unit_id else None,
        "places": _places(assignment, items) if round_.kind == RoundKind.RANKING else [],
        "position": position + 1,
        "total": len(items),
        "previous": items[position - 1] if position > 0 else None,
        "following": items[position + 1] if position + 1 < len(items) else None,
        "conflict_form": ConflictForm(),
        "values": _shown_values(current, criteria),
    }
    return render(request, "review/expert/score.html", context)


def _shown_values(score, criteria) -> list[tuple]:
    """(criterion, value) of a saved score, for the read-only view."""
    if score is None:
        return []
    return [(c, score.values.get(c.key, "")) for c in criteria]


def _after_save(request, action: str, assignment, items, position: int) -> HttpResponse:
    code = assignment.entry.code
    if action == DRAFT:
        messages.success(request, _("Entry %(code)s: draft saved.") % {"code": code})
        return redirect("review:score", pk=assignment.entry_id)
    messages.success(request, _("Entry %(code)s: score submitted.") % {"code": code})
    if action == NEXT:
        assignment.state = SUBMITTED
        following = _first_unfinished(items, position)
        if following is not None:
            return redirect("review:score", pk=following.entry_id)
        messages.info(request, _("Every entry of this round is submitted. Thank you."))
        return redirect("review:queue", slug=assignment.entry.round.campaign.slug)
    return redirect("review:score", pk=assignment.entry_id)


@login_required
@require_POST
def declare_conflict(request: HttpRequest, pk: int) -> HttpResponse:
    """The expert declares a conflict with an entry they were given: it leaves their
    list at once and the office is told to give it to someone else."""
    assignment, _items = _assignment_or_404(request.user, pk)
    require(request.user, "review.declare_conflict", assignment)
    form = ConflictForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("review:score", pk=pk)
    try:
        services.declare_conflict(
            request.user, assignment.entry, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("review:score", pk=pk)
    messages.success(
        request,
        _(
            "Conflict declared: entry %(code)s has left your list; the office will give it "
            "to another expert."
        )
        % {"code": assignment.entry.code},
    )
    return redirect("review:queue", slug=assignment.entry.round.campaign.slug)


# --- files -------------------------------------------------------------------------------------


@login_required
@require_safe
def entry_file(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    """A work's file for whoever may see the entry: as the works pages serve it to those
    who see names, cleaned of every name (wenyi.review.blind) to the rest."""
    round_ = get_object_or_404(Round, entries__pk=pk)
    entry = visible_or_404(
        queries.entries_visible_to(request.user, round_).select_related("round__campaign", "work"),
        pk=pk,
    )
    require(request.user, "review.view_entry", entry)
    if entry.work_id is None:
        raise Http404
    files = list(entry.work.files.order_by("id"))
    n, record = next(((n, f) for n, f in enumerate(files, start=1) if f.pk == file_pk), (0, None))
    if record is None:
        raise Http404
    if allowed(request.user, "review.see_names", entry):
        return core_uploads.serve(request, record, "public", originals=False)
    try:
        return blind.serve(request, record, code=entry.code, n=n)
    except blind.Refused as exc:
        return render(
            request,
            "review/expert/file_refused.html",
            {"entry": entry, "n": n, "message": " ".join(exc.messages)},
            status=403,
        )


# --- relations ---------------------------------------------------------------------------------


@login_required
def relations(request: HttpRequest, slug: str) -> HttpResponse:
    """The expert's declared relations to the campaign's people and units, and a form to
    declare another; each may be withdrawn."""
    campaign = campaign_or_404(request.user, slug)
    me = _expert_or_404(request.user)
    require(request.user, "review.declare_relation", me)
    owner = campaign.owner_unit()
    units = OrgUnit.objects.filter(path__startswith=owner.path) if owner else OrgUnit.objects.none()
    form = RelationForm(request.POST or None, units=units.order_by("path"), me=me)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.declare_relation(
                request.user,
                person=me,
                kind=data["kind"],
                other_person=data["other_person"],
                other_unit=data["other_unit"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            _refusal_on(form, exc)
        else:
            messages.success(request, _("Relation declared."))
            return redirect("review:relations", slug=campaign.slug)
    declared = (
        Relation.objects.filter(person=me)
        .select_related("other_person__unit", "other_unit")
        .order_by("id")
    )
    return render(
        request,
        "review/expert/relations.html",
        {
            "campaign": campaign,
            "form": form,
            "relations": declared,
            "withdraw_form": WithdrawForm(),
        },
    )


def _refusal_on(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(key if key in form.fields else None, message)
    else:
        form.add_error(None, exc)


@login_required
@require_POST
def withdraw_relation(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    campaign = campaign_or_404(request.user, slug)
    me = _expert_or_404(request.user)
    relation = visible_or_404(Relation.objects.filter(person=me), pk=pk)
    require(request.user, "review.declare_relation", me)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("review:relations", slug=campaign.slug)
    try:
        services.withdraw_relation(request.user, relation, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Relation withdrawn."))
    return redirect("review:relations", slug=campaign.slug)


urlpatterns = [
    path("campaigns/<slug:slug>/review/mine/", queue, name="queue"),
    path("campaigns/<slug:slug>/review/relations/", relations, name="relations"),
    path(
        # (the office's own withdraw page is review/relations/<pk>/withdraw/)
        "campaigns/<slug:slug>/review/mine/relations/<int:pk>/withdraw/",
        withdraw_relation,
        name="withdraw_relation",
    ),
    path("review/entries/<int:pk>/score/", score, name="score"),
    path("review/entries/<int:pk>/conflict/", declare_conflict, name="declare_conflict"),
    path("review/entries/<int:pk>/files/<int:file_pk>/", entry_file, name="entry_file"),
]
