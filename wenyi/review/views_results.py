"""A round's assignment, its scores as they come in, its results, and the award tiers
drawn from them.

- **Assignment** (`review:assignment`): automatic assignment and the second look, with
  the engine's problems worded per entry; each expert's load and progress; each
  entry's experts; assigning and withdrawing by hand. The office changes, a
  supervisor reads; anyone else gets 404.
- **Scores** (`review:scores`): the office sees the scores as they come in (names too:
  blindness is for the experts) and returns a submitted one with a reason; a
  supervisor reads them once the round is closed.
- **Results** (`review:results`, `review:results_export`): once the round is closed, the
  ranking with what each final score is made of, the means per criterion, the votes,
  who scored what, and the consistency report when a second panel scored a sample.
- **Tiers** (`review:tiers`): an award kind's tiers from the ranking
  (wenyi.review.tiers), their rules, the placements with vacancies (空缺) and the
  office's adjustments.

Every page reads in a fixed number of queries whatever the number of entries and
experts. Outsiders get 404 (`review.supervise`), read-only insiders 403 on a change.
"""

from __future__ import annotations

import math
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from wenyi.campaigns.models import WorkCategory
from wenyi.core.actions import form_errors
from wenyi.core.permissions import allowed
from wenyi.core.versioning import EditConflict, show_refusal
from wenyi.review import aggregate, queries, scoring, services, tiers, votes
from wenyi.review.assign import ProblemCode
from wenyi.review.enums import RoundKind, RoundStatus, ScoreStatus, TieringStatus
from wenyi.review.forms_results import (
    AdjustForm,
    ManualAssignForm,
    ReturnScoreForm,
    TierRulesForm,
    UnassignForm,
    VersionForm,
)
from wenyi.review.models import Assignment, Entry, Placement, Round, Tiering
from wenyi.review.views_office import round_or_404

SUBJECTS = ("entry__work__unit", "entry__work__category", "entry__unit", "entry__person__unit")


def _error(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


# -- assignment --------------------------------------------------------------------------


def describe(problem, codes: dict, names: dict, forms: dict) -> str:
    """A problem of the assignment engine (wenyi.review.assign.Problem) in words,
    naming the entry by its number and the expert by name."""
    p = dict(problem.params)
    item = codes.get(problem.item, problem.item)
    expert = names.get(problem.expert, problem.expert)
    form = forms.get(p.get("art_form"), p.get("art_form"))
    code = problem.code
    if code == ProblemCode.CAPACITY_TOO_SMALL:
        return (
            _("The experts can take %(capacity)s reviews in all; this round needs %(needed)s.") % p
        )
    if code == ProblemCode.TOO_FEW_EXPERTS:
        return _(
            "Entry %(item)s: only %(available)s experts are free of a conflict of interest; "
            "it needs %(needed)s."
        ) % {"item": item, **p}
    if code == ProblemCode.NO_EXPERT_FOR_ART_FORM:
        if not p.get("in_pool"):
            return _("Entry %(item)s (%(form)s): the committee has no expert of this art form.") % {
                "item": item,
                "form": form,
            }
        return _(
            "Entry %(item)s (%(form)s): all %(n)s experts of this art form have a conflict of "
            "interest or are fully loaded."
        ) % {"item": item, "form": form, "n": p["in_pool"]}
    if code == ProblemCode.FEW_ART_FORM_EXPERTS:
        return _(
            "Entry %(item)s (%(form)s): only %(available)s experts of this art form can be "
            "assigned (%(needed)s needed); experts of other art forms review it too."
        ) % {"item": item, "form": form, **p}
    if code == ProblemCode.ART_FORM_EXPERTS_BUSY:
        return _(
            "Entry %(item)s (%(form)s): to keep the loads even it has %(experts)s experts of "
            "its art form (it could have %(possible)s)."
        ) % {"item": item, "form": form, **p}
    if code == ProblemCode.ITEM_SHORT:
        return _(
            "Entry %(item)s has only %(assigned)s experts (it could have %(possible)s): the "
            "experts are fully loaded."
        ) % {"item": item, **p}
    if code == ProblemCode.TOO_MANY_FIXED:
        return _(
            "Entry %(item)s has %(fixed)s experts assigned by hand, more than %(needed)s; "
            "all are kept."
        ) % {"item": item, **p}
    if code == ProblemCode.FIXED_PAIR_FORBIDDEN:
        return _(
            "%(expert)s, assigned to entry %(item)s by hand, has a conflict of interest with "
            "it; that assignment was not kept."
        ) % {"item": item, "expert": expert}
    if code == ProblemCode.LOAD_OUTSIDE_BALANCE:
        return _(
            "%(expert)s has %(load)s entries, outside the even range of %(low)s to %(high)s "
            "(because of conflicts of interest or limits)."
        ) % {"expert": expert, **p}
    return " ".join(str(x) for x in problem.as_tuple())


def _report(request: HttpRequest, round_: Round, done: services.AutoAssigned) -> None:
    made = len(done.made)
    if made:
        messages.success(
            request,
            ngettext("%(n)s assignment made.", "%(n)s assignments made.", made) % {"n": made},
        )
    else:
        messages.info(request, _("Nothing to add: the entries have their experts."))
    problems = [p for result in (done.result, done.second_panel) if result for p in result.problems]
    if not problems:
        return
    codes = dict(round_.entries.values_list("pk", "code"))
    names = dict(queries.experts_of(round_.campaign).values_list("pk", "name"))
    forms = dict(WorkCategory.objects.filter(campaign=round_.campaign).values_list("key", "name"))
    for problem in problems:
        messages.warning(request, describe(problem, codes, names, forms))


def _experts_with_load(round_: Round):
    mine = Q(review_assignments__entry__round=round_)
    return queries.experts_of(round_.campaign).annotate(
        panel1=Count("review_assignments", filter=mine & Q(review_assignments__panel=1)),
        panel2=Count("review_assignments", filter=mine & Q(review_assignments__panel=2)),
        submitted=Count(
            "review_assignments",
            filter=mine & Q(review_assignments__score__status=ScoreStatus.SUBMITTED),
        ),
        drafts=Count(
            "review_assignments",
            filter=mine & Q(review_assignments__score__status=ScoreStatus.DRAFT),
        ),
    )


@login_required
@require_safe
def assignment(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = round_or_404(request, pk)
    experts = list(_experts_with_load(round_))
    for person in experts:
        total = person.panel1 + person.panel2
        person.not_started = total - person.submitted - person.drafts
        person.percent = person.submitted * 100 // total if total else 0
    entries = (
        queries.entries_with_subjects(round_.entries.all())
        .annotate(conflicts_n=Count("conflicts", filter=Q(conflicts__dismissed_at__isnull=True)))
        .prefetch_related(
            Prefetch(
                "assignments",
                Assignment.objects.select_related("expert", "score").order_by("panel", "id"),
            )
        )
        .order_by("code", "id")
    )
    can_change = allowed(request.user, "review.assign", round_)
    form = None
    if can_change:
        form = ManualAssignForm(
            entries=queries.entries_with_subjects(
                round_.entries.filter(eligibility="eligible")
            ).order_by("code"),
            experts=queries.experts_of(round_.campaign),
        )
    return render(
        request,
        "review/results/assignment.html",
        {
            "round": round_,
            "experts": experts,
            "entries": entries,
            "progress": queries.progress(round_),
            "can_change": can_change,
            "second_look": round_.kind == RoundKind.APPROVAL
            and round_.second_look
            and round_.is_active,
            "form": form,
        },
    )


@login_required
@require_POST
def assignment_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    round_ = round_or_404(request, pk)
    back = redirect("review:assignment", pk=round_.pk)
    # the office of a closed round is told why by the service; a supervisor gets 403
    if not (
        allowed(request.user, "review.assign", round_)
        or allowed(request.user, "review.manage", round_)
    ):
        raise PermissionDenied
    user = request.user
    try:
        if action == "auto":
            _report(request, round_, services.auto_assign(user, round_))
        elif action == "second-look":
            _report(request, round_, services.assign_second_look(user, round_))
        elif action == "assign":
            form = ManualAssignForm(
                request.POST,
                entries=round_.entries.all(),
                experts=queries.experts_of(round_.campaign),
            )
            if not form.is_valid():
                messages.error(request, form_errors(form))
                return back
            data = form.cleaned_data
            services.assign(user, data["entry"], data["expert"], panel=data["panel"])
            messages.success(
                request,
                _("Entry %(code)s assigned to %(name)s.")
                % {"code": data["entry"].code, "name": data["expert"].name},
            )
        elif action == "unassign":
            form = UnassignForm(request.POST)
            if not form.is_valid():
                messages.error(request, form_errors(form))
                return back
            found = Assignment.objects.filter(
                entry__round=round_, pk=form.cleaned_data["assignment"]
            ).first()
            if found is None:  # a second click
                messages.info(request, _("This assignment was withdrawn already."))
                return back
            services.unassign(user, found, reason=form.cleaned_data["reason"])
            messages.success(request, _("Assignment withdrawn."))
        else:
            raise Http404
    except ValidationError as exc:
        _error(request, exc)
    return back


# -- scores while the round is open -------------------------------------------------------


@login_required
@require_safe
def scores(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = round_or_404(request, pk)
    if not allowed(request.user, "review.view_scores", round_):
        raise PermissionDenied
    found = (
        queries.scores_visible_to(request.user, round_)
        .select_related(*(f"assignment__{s}" for s in SUBJECTS))
        .order_by("assignment__entry__code", "assignment__panel", "assignment__expert__name")
    )
    may_return = allowed(request.user, "review.manage", round_) and round_.is_active
    return render(
        request,
        "review/results/scores.html",
        {
            "round": round_,
            "scores": found,
            "progress": queries.progress(round_),
            "may_return": may_return,
        },
    )


@login_required
@require_POST
def score_return(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = round_or_404(request, pk)
    if not allowed(request.user, "review.manage", round_):
        raise PermissionDenied
    back = redirect("review:scores", pk=round_.pk)
    form = ReturnScoreForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return back
    score = get_object_or_404(
        queries.scores_visible_to(request.user, round_), pk=form.cleaned_data["score"]
    )
    try:
        scoring.return_score(request.user, score, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(
            request,
            _("The score of entry %(code)s was returned to %(name)s.")
            % {"code": score.assignment.entry.code, "name": score.assignment.expert.name},
        )
    return back


# -- results -----------------------------------------------------------------------------

TWO = Decimal("0.01")


def _number(x: float | None) -> float | None:
    return None if x is None or math.isnan(x) else x


def _results(request: HttpRequest, round_: Round) -> dict[str, Any]:
    """Everything the results page and its export show, in a fixed number of queries."""
    results = list(queries.results_of(round_).select_related(*SUBJECTS))
    criteria = list(round_.criteria.all()) if round_.kind == RoundKind.SCORING else []
    counted = list(scoring.counted_scores(round_).select_related("assignment__expert"))
    first = [s for s in counted if s.assignment.panel == 1]
    sums: dict[tuple[int, str], list[Decimal]] = defaultdict(list)
    for score in first:
        for key, value in (score.values or {}).items():
            sums[(score.assignment.entry_id, key)].append(Decimal(value))
    who: dict[int, list] = defaultdict(list)
    sees_scores = allowed(request.user, "review.view_scores", round_)
    if sees_scores:
        for score in (
            queries.scores_visible_to(request.user, round_)
            .select_related("assignment__expert")
            .order_by("assignment__panel", "assignment__expert__name", "id")
        ):
            who[score.assignment.entry_id].append(score)
    for result in results:
        result.means = []
        for criterion in criteria:
            values = sums.get((result.entry_id, criterion.key))
            mean = sum(values) / len(values) if values else None
            result.means.append(mean.quantize(TWO, ROUND_HALF_UP) if mean is not None else None)
        result.range = (
            result.maximum - result.minimum
            if result.maximum is not None and result.minimum is not None
            else None
        )
        result.scores = who.get(result.entry_id, [])
    return {
        "results": results,
        "criteria": criteria,
        "approval": round_.kind == RoundKind.APPROVAL,
        "sees_scores": sees_scores,
        "consistency": _consistency(round_, results, counted),
        # the public vote feeding the round: its parts are shown apart (vote_results)
        "vote": votes.vote_for_round(round_) if round_.kind != RoundKind.APPROVAL else None,
    }


def _consistency(round_: Round, results, counted) -> dict[str, Any] | None:
    """The consistency check (docs/review-aggregation.md): the second panel's scores of
    its sample, aggregated by the round's rule, against the round's final scores."""
    if round_.kind == RoundKind.APPROVAL:
        return None  # a second group there is the second look, not a check
    second = [s for s in counted if s.assignment.panel == 2 and (s.total is not None or s.rank)]
    if not second:
        return None
    panel_b = aggregate.aggregate(
        aggregate.Scores(
            [s.assignment.entry_id for s in second],
            [s.assignment.expert_id for s in second],
            scoring.score_numbers(round_, second),
        ),
        scoring.rule_of(round_),
    )
    # the experts' own score: a public vote's part is no panel's judgement
    panel_a = {
        r.entry_id: float(r.expert if r.expert is not None else r.final)
        for r in results
        if r.final is not None or r.expert is not None
    }
    found = aggregate.agreement(panel_a, panel_b)
    d = found.decisions
    return {
        "n": found.n,
        "unmatched": found.unmatched,
        "spearman": _number(found.spearman),
        "kendall": _number(found.kendall_tau),
        "accept_count": found.accept_count,
        "both_accept": d.both_accept,
        "both_reject": d.both_reject,
        "only_a": d.only_a,
        "only_b": d.only_b,
        "agreement": _number(d.agreement),
        "overlap": _number(d.accepted_overlap),
    }


@login_required
@require_safe
def results(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = round_or_404(request, pk)
    context: dict[str, Any] = {"round": round_, "closed": round_.status == RoundStatus.CLOSED}
    if allowed(request.user, "review.view_results", round_):
        context |= _results(request, round_)
    else:
        # not closed yet: the office follows the scores as they come in
        context["progress"] = queries.progress(round_)
        context["sees_scores"] = allowed(request.user, "review.view_scores", round_)
    return render(request, "review/results/results.html", context)


def _name(entry: Entry) -> str:
    return str(entry.subject)


@login_required
@require_safe
def results_export(request: HttpRequest, pk: int) -> HttpResponse:
    from openpyxl import Workbook

    from wenyi.core import xlsx

    round_ = round_or_404(request, pk)
    if not allowed(request.user, "review.view_results", round_):
        raise PermissionDenied
    data = _results(request, round_)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Results")[:31]
    head = [_("Rank"), _("Entry number"), _("Name"), _("Unit")]
    if data["approval"]:
        head += [_("Yes votes"), _("No votes"), _("Passed")]
    else:
        head += [_("Final score")]
        if data["vote"]:
            head += [
                _("Experts' score"),
                _("Online votes"),
                _("Online vote score"),
                _("On-site votes"),
                _("On-site vote score"),
            ]
        head += [
            _("Mean of the scores"),
            _("Mean of the standardised scores"),
            _("Number of scores"),
            _("Standard deviation"),
            _("Lowest score"),
            _("Highest score"),
            _("Experts disagree"),
        ]
        head += [c.name for c in data["criteria"]]
    ws.append(head)
    for r in data["results"]:
        unit = r.entry.subject_unit
        row: list[Any] = [r.rank, r.entry.code, _name(r.entry), unit.name if unit else ""]
        if data["approval"]:
            row += [r.yes_votes, r.no_votes, _("yes") if r.passed else _("no")]
        else:
            row += [r.final]
            if data["vote"]:
                row += [r.expert, r.online_votes, r.online, r.onsite_votes, r.onsite]
            row += [
                r.raw,
                r.normalised,
                r.n,
                r.sd,
                r.minimum,
                r.maximum,
                _("yes") if r.flagged else "",
            ]
            row += list(r.means)
        ws.append(row)
    if data["sees_scores"]:
        sheet = wb.create_sheet(_("Scores")[:31])
        sheet.append([_("Entry number"), _("Panel"), _("Expert"), _("Score"), _("Comment")])
        for r in data["results"]:
            for s in r.scores:
                value = (
                    s.get_vote_display() if s.vote else (s.total if s.total is not None else s.rank)
                )
                sheet.append(
                    [r.entry.code, s.assignment.panel, s.assignment.expert.name, value, s.comment]
                )
    response = HttpResponse(
        xlsx.save(wb),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="round-{round_.pk}-results.xlsx"'
    return response


# -- tiers -------------------------------------------------------------------------------


def _tiers_context(request: HttpRequest, round_: Round, kind_key: str | None, form=None):
    kinds = tiers.kinds_for(round_)
    kind = next((k for k in kinds if k.key == kind_key), kinds[0] if kinds else None)
    context: dict[str, Any] = {"round": round_, "kinds": kinds, "kind": kind}
    if kind is None:
        return context
    award_tiers = list(kind.tiers.order_by("position", "id"))
    tiering = Tiering.objects.filter(round=round_, award_kind=kind).first()
    rules = {r.tier_id: r for r in tiering.rules.all()} if tiering else {}
    can_change = allowed(request.user, "review.manage", round_) and (
        tiering is None or tiering.status == TieringStatus.DRAFT
    )
    version = tiering.version if tiering else 0
    if can_change and form is None:
        form = TierRulesForm(initial={"version": version}, tiers=award_tiers, rules=rules)
    placements = []
    if tiering is not None:
        placements = list(
            tiering.placements.select_related(
                *SUBJECTS, "entry__result", "tier", "computed_tier", "adjusted_by__person"
            ).order_by("entry__result__rank", "entry__code")
        )
    total = len(tiers.candidates_of(round_))
    rows = []
    for tier in award_tiers:
        rule = rules.get(tier.pk)
        placed = [p for p in placements if p.tier_id == tier.pk]
        places = tiers.places_of(rule, tier, total) if rule else None
        rows.append(
            {
                "tier": tier,
                "rule": rule,
                "places": places,
                "placed": placed,
                "vacant": max(0, places - len(placed)) if places is not None else 0,
            }
        )
    for placement in placements:
        placement.form = (
            AdjustForm(
                initial={"placement": placement.pk, "version": version, "tier": placement.tier_id},
                tiers=award_tiers,
                auto_id=f"id_p{placement.pk}_%s",
            )
            if can_change and placements
            else None
        )
    context |= {
        "tiering": tiering,
        "rows": rows,
        "unplaced": [p for p in placements if p.tier_id is None],
        "total": total,
        "form": form,
        "can_change": can_change,
        "version": version,
        "stale": tiering is not None and tiering.computed_at is None and bool(placements),
        "computed": tiering is not None and tiering.computed_at is not None,
        # four eyes: whoever placed or adjusted the tiers does not approve them
        "own_tiers": tiering is not None
        and (
            tiering.computed_by_id == request.user.pk
            or any(p.adjusted and p.adjusted_by_id == request.user.pk for p in placements)
        ),
    }
    return context


@login_required
@require_safe
def tiers_page(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = round_or_404(request, pk)
    if not allowed(request.user, "review.view_results", round_):
        return render(request, "review/results/tiers.html", {"round": round_, "closed": False})
    context = _tiers_context(request, round_, request.GET.get("kind"))
    context["closed"] = True
    return render(request, "review/results/tiers.html", context)


@login_required
@require_POST
def tiers_action(request: HttpRequest, pk: int, kind: str, action: str) -> HttpResponse:
    round_ = round_or_404(request, pk)
    if not allowed(request.user, "review.manage", round_):
        raise PermissionDenied
    award_kind = next((k for k in tiers.kinds_for(round_) if k.key == kind), None)
    if award_kind is None:
        raise Http404
    back = redirect(reverse("review:tiers", kwargs={"pk": round_.pk}) + f"?kind={kind}")
    user = request.user
    tiering = Tiering.objects.filter(round=round_, award_kind=award_kind).first()
    if action == "rules":
        rules = {r.tier_id: r for r in tiering.rules.all()} if tiering else {}
        form = TierRulesForm(
            request.POST, tiers=award_kind.tiers.order_by("position", "id"), rules=rules
        )
        if form.is_valid():
            try:
                tiers.set_rules(
                    user, round_, award_kind, form.rules(), version=form.cleaned_data["version"]
                )
            except EditConflict as exc:
                show_refusal(form, exc)
            except ValidationError as exc:
                form.add_error(None, list(exc.messages))
            else:
                messages.success(request, _("Rules saved. Compute the placements next."))
                return back
        context = _tiers_context(request, round_, kind, form=form)
        context["closed"] = True
        return render(request, "review/results/tiers.html", context)
    if tiering is None:
        messages.error(request, _("Set the rules of the tiers first."))
        return back
    try:
        if action == "adjust":
            done = _adjust(request, tiering, award_kind)
        elif action in ("compute", "approve"):
            form = VersionForm(request.POST)
            version = form.cleaned_data["version"] if form.is_valid() else None
            if action == "compute":
                tiers.compute_tiers(user, tiering, version=version)
                done = _("Placements computed.")
            else:
                tiers.approve(user, tiering, version=version)
                done = _("Tiers approved.")
        else:
            raise Http404
    except ValidationError as exc:
        _error(request, exc)
    else:
        if done:
            messages.success(request, done)
    return back


def _adjust(request: HttpRequest, tiering: Tiering, award_kind) -> str:
    form = AdjustForm(request.POST, tiers=award_kind.tiers.all())
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return ""
    placement = get_object_or_404(
        Placement.objects.filter(tiering=tiering).select_related("entry"),
        pk=form.cleaned_data["placement"],
    )
    tiers.adjust(
        request.user,
        placement,
        form.cleaned_data["tier"],
        reason=form.cleaned_data["reason"],
        version=form.cleaned_data["version"],
    )
    return _("Placement of entry %(code)s changed.") % {"code": placement.entry.code}


urlpatterns = [
    path("review/rounds/<int:pk>/assignment/", assignment, name="assignment"),
    path(
        "review/rounds/<int:pk>/assignment/<slug:action>/",
        assignment_action,
        name="assignment_action",
    ),
    path("review/rounds/<int:pk>/scores/", scores, name="scores"),
    path("review/rounds/<int:pk>/scores/return/", score_return, name="score_return"),
    path("review/rounds/<int:pk>/results/", results, name="results"),
    path("review/rounds/<int:pk>/results/export/", results_export, name="results_export"),
    path("review/rounds/<int:pk>/tiers/", tiers_page, name="tiers"),
    path(
        "review/rounds/<int:pk>/tiers/<slug:kind>/<slug:action>/",
        tiers_action,
        name="tiers_action",
    ),
]
