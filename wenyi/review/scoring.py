"""Scores and votes, and the results a round freezes when it closes.

An expert saves a score as a draft as often as they like and submits it once: a vote
(approval rounds), a value for each criterion that applies to the entry (scoring
rounds: 0 to the criterion's maximum, total Σ weight × value) or a place among their
entries (ranking rounds), and a comment. Only the expert the entry is assigned to,
only while the round is open (or reopened), only on an eligible entry and never with a
conflict of interest (checked at every save, a relation declared a minute ago
included). A submitted score is final unless the office returns it.

One score per assignment, whatever the timing:

- the assignment row is locked (`select_for_update`) for the whole save, so on
  PostgreSQL a second save of the same assignment waits for the first and then sees
  its score; two experts scoring different entries lock different rows and never
  wait for each other;
- on SQLite, where writers take turns anyway, a second insert that lost the race
  fails the unique constraint (`Score.assignment` is one-to-one) and is answered as
  what it is, an edit made over someone else's;
- every form carries the score's version (0 before the first save): a save from a
  form opened before the last save is refused (EditConflict, core.versioning), so a
  double submit stores one score and an old tab never overwrites a newer draft.

Closing a round (services.close_round) calls `compute_results`: the submitted scores
of panel 1 on eligible, unconflicted entries go through wenyi.review.aggregate (votes
counted against `pass_with`, or scores aggregated by the round's rule and ranked by its
tie-break order) into one RoundResult per entry, frozen until the round is reopened
and closed again.
"""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wenyi.core import audit, versioning
from wenyi.core.enums import AuditAction, NoticeKind
from wenyi.core.transitions import move_status
from wenyi.review import aggregate, tallies
from wenyi.review.enums import ACTIVE, Eligibility, RoundKind, ScoreStatus, Vote
from wenyi.review.models import Assignment, Criterion, Entry, Round, RoundResult, Score
from wenyi.review.queries import blocking_conflict
from wenyi.review.services import blocking, tell
from wenyi.review.vote_results import blend_results

# values are written to this many decimals at most (8.5, 27.25)
VALUE_DECIMALS = 3
SIX = Decimal("0.000001")


def criteria_for(entry: Entry, criteria: list[Criterion] | None = None) -> list[Criterion]:
    """The criteria that apply to an entry: those for every item, and those of its
    work's art form or a form above it."""
    criteria = list(entry.round.criteria.all()) if criteria is None else criteria
    forms: set[str] = set()
    if entry.work_id:
        category = entry.work.category
        while category is not None:
            forms.add(category.key)
            category = category.parent
    return [c for c in criteria if not c.art_form or c.art_form in forms]


def _locked(actor, assignment: Assignment) -> Assignment:
    """The assignment, locked, once the actor may score it."""
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("entry__round__campaign", "entry__work__category", "expert")
        .get(pk=assignment.pk)
    )
    entry, round_ = assignment.entry, assignment.entry.round
    if assignment.expert.user_id is None or assignment.expert.user_id != getattr(actor, "pk", None):
        raise ValidationError(_("Only the expert this entry is assigned to scores it."))
    if round_.status not in ACTIVE:
        raise ValidationError(
            _("%(round)s is %(status)s: scores are saved only while it is open.")
            % {"round": round_.name, "status": round_.get_status_display()}
        )
    if entry.eligibility != Eligibility.ELIGIBLE:
        raise ValidationError(
            _("Entry %(code)s is %(state)s and is not scored.")
            % {"code": entry.code, "state": entry.get_eligibility_display()}
        )
    reasons = blocking(entry, assignment.expert)
    if reasons:
        raise ValidationError(
            _("You have a conflict of interest with entry %(code)s: %(reasons)s")
            % {"code": entry.code, "reasons": "；".join(reasons)}
        )
    return assignment


def _number(criterion: Criterion, raw: Any) -> Decimal:
    try:
        value = Decimal(str(raw).strip()) if not isinstance(raw, Decimal) else raw
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite() or isinstance(raw, bool):
        raise ValidationError(
            {"values": _("%(criterion)s: give a number.") % {"criterion": criterion.name}}
        )
    if not 0 <= value <= criterion.maximum:
        raise ValidationError(
            {
                "values": _("%(criterion)s: %(value)s is not within 0 to %(maximum)s.")
                % {
                    "criterion": criterion.name,
                    "value": raw,
                    "maximum": criterion.maximum.normalize(),
                }
            }
        )
    if value != value.quantize(Decimal(1).scaleb(-VALUE_DECIMALS)):
        raise ValidationError(
            {
                "values": _("%(criterion)s: at most %(n)s decimals.")
                % {"criterion": criterion.name, "n": VALUE_DECIMALS}
            }
        )
    return value


def _values(
    entry: Entry, raw: dict[str, Any] | None, *, complete: bool
) -> tuple[dict[str, str], Decimal | None]:
    """The checked values by criterion key (as decimal strings) and, when every
    criterion has one, the total; a draft may leave criteria empty."""
    criteria = {c.key: c for c in criteria_for(entry)}
    values: dict[str, Decimal] = {}
    for key, given in (raw or {}).items():
        if key not in criteria:
            raise ValidationError({"values": _("%(key)s is not a criterion here.") % {"key": key}})
        if given is None or given == "":
            continue
        values[key] = _number(criteria[key], given)
    missing = [c.name for key, c in criteria.items() if key not in values]
    if complete and missing:
        raise ValidationError(
            {
                "values": _("Give a value for every criterion: %(names)s.")
                % {"names": "、".join(missing)}
            }
        )
    total = None
    if not missing:
        total = aggregate.weighted_total(
            values, {k: (c.weight, c.maximum) for k, c in criteria.items()}
        )
    # stored as written, without trailing zeros or exponents: "28.5", "30"
    return {k: format(v.normalize(), "f") for k, v in values.items()}, total


def _place(assignment: Assignment, rank: Any, *, complete: bool) -> int | None:
    """A ranking round's place: 1 to the number of entries the expert ranks, each place
    given once."""
    if rank is None or rank == "":
        if complete:
            raise ValidationError({"rank": _("Place: give this entry its place among yours.")})
        return None
    try:
        place = int(rank)
    except (TypeError, ValueError):
        place = 0
    mine = Assignment.objects.filter(
        entry__round_id=assignment.entry.round_id,
        expert_id=assignment.expert_id,
        panel=assignment.panel,
        entry__eligibility=Eligibility.ELIGIBLE,
    ).exclude(blocking_conflict())
    count = mine.count()
    if isinstance(rank, bool) or not 1 <= place <= count:
        raise ValidationError({"rank": _("Place: from 1 to %(n)s.") % {"n": count}})
    taken = Score.objects.filter(
        assignment__in=mine.exclude(pk=assignment.pk), rank=place
    ).select_related("assignment__entry")
    if taken.exists():
        raise ValidationError(
            {
                "rank": _("Place %(place)s is given to entry %(code)s already.")
                % {"place": place, "code": taken.first().assignment.entry.code}
            }
        )
    return place


def _save(
    actor,
    assignment: Assignment,
    *,
    version: int | None,
    vote: str,
    values: dict[str, Any] | None,
    rank: Any,
    comment: str,
    submit: bool,
) -> Score:
    with transaction.atomic():
        assignment = _locked(actor, assignment)
        entry, round_ = assignment.entry, assignment.entry.round
        fields: dict[str, Any] = {"comment": (comment or "").strip(), "vote": "", "rank": None}
        fields["values"], fields["total"] = {}, None
        if round_.kind == RoundKind.APPROVAL:
            if vote not in ("", None, *Vote.values):
                raise ValidationError({"vote": _("Vote: yes or no.")})
            if submit and not vote:
                raise ValidationError({"vote": _("Vote: yes or no.")})
            fields["vote"] = vote or ""
        elif round_.kind == RoundKind.SCORING:
            fields["values"], total = _values(entry, values, complete=submit)
            # shown with the score; the result is computed from the exact values again
            fields["total"] = (
                total.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
                if total is not None
                else None
            )
        else:
            fields["rank"] = _place(assignment, rank, complete=submit)
        if submit:
            fields["status"] = ScoreStatus.SUBMITTED
            fields["submitted_at"] = timezone.now()
            fields["returned_reason"] = ""
        score = (
            Score.objects.select_for_update(of=("self",))
            .filter(assignment=assignment)
            .order_by("pk")  # one per assignment; no joins for the ordering
            .first()
        )
        if score is not None and score.status == ScoreStatus.SUBMITTED:
            raise ValidationError(_("This score is submitted already."))
        if score is not None:
            score.assignment = assignment  # read already, with what the audit entry names
        if submit:
            tallies.score_moved(round_.pk, entry.pk, assignment.pk, +1)
        if score is None:
            return _first_save(actor, assignment, version, fields)
        before = audit.snapshot(score)
        for name, value in fields.items():
            setattr(score, name, value)
        # last, so a refusal leaves the stored score as it was
        versioning.claim(score, version)
        score.save()
        changes = audit.diff(before, audit.snapshot(score))
        audit.record(
            actor,
            AuditAction.TRANSITION if submit else AuditAction.UPDATE,
            score,
            changes=changes,
        )
        return score


def _first_save(actor, assignment: Assignment, version: int | None, fields: dict) -> Score:
    if version != 0:
        # the form knew a score that is no longer there (returned and re-saved): reload
        raise ValidationError(_("The form is missing its version; reload the page."))
    try:
        with transaction.atomic():
            score = Score.objects.create(assignment=assignment, **fields)
    except IntegrityError:
        # another save of this assignment won the race (SQLite): an edit over it
        raise versioning.EditConflict(Score.objects.get(assignment=assignment), 0) from None
    audit.record(actor, AuditAction.CREATE, score)
    return score


def save_draft(
    actor,
    assignment: Assignment,
    *,
    version: int | None,
    vote: str = "",
    values: dict[str, Any] | None = None,
    rank: Any = None,
    comment: str = "",
) -> Score:
    """Save the expert's score as a draft (criteria may still be empty). `version`: the
    score's version the form was opened at, 0 before there was one."""
    return _save(
        actor,
        assignment,
        version=version,
        vote=vote,
        values=values,
        rank=rank,
        comment=comment,
        submit=False,
    )


def submit_score(
    actor,
    assignment: Assignment,
    *,
    version: int | None,
    vote: str = "",
    values: dict[str, Any] | None = None,
    rank: Any = None,
    comment: str = "",
) -> Score:
    """Submit the expert's score: the vote, every criterion's value, or the place,
    complete and within bounds. A second submit (a double click, an old tab) is refused."""
    return _save(
        actor,
        assignment,
        version=version,
        vote=vote,
        values=values,
        rank=rank,
        comment=comment,
        submit=True,
    )


@transaction.atomic
def return_score(actor, score: Score, *, reason: str) -> Score:
    """The office returns a submitted score to its expert, with a reason, while the round
    is open: it is a draft again for them to change and submit."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("%(field)s: say why.") % {"field": _("Reason")})
    score = Score.objects.select_related("assignment__entry__round", "assignment__expert").get(
        pk=score.pk
    )
    round_ = score.assignment.entry.round
    if round_.status not in ACTIVE:
        raise ValidationError(
            _("%(round)s is %(status)s: scores are returned only while it is open.")
            % {"round": round_.name, "status": round_.get_status_display()}
        )
    score = move_status(
        actor,
        score,
        [ScoreStatus.SUBMITTED],
        ScoreStatus.DRAFT,
        refused=_("This score is %(status)s; it was not returned."),
        note=reason,
        submitted_at=None,
        returned_reason=reason,
    )
    tallies.score_moved(round_.pk, score.assignment.entry_id, score.assignment_id, -1)
    tell(
        [score.assignment.expert.user],
        actor,
        gettext_noop("Your score of entry %(code)s in %(round)s was returned to you: %(reason)s"),
        kind=NoticeKind.RETURNED,
        code=score.assignment.entry.code,
        round=round_.name,
        reason=reason,
    )
    return score


# -- results -----------------------------------------------------------------------------


def _decimal(x: float | None) -> Decimal | None:
    if x is None or x != x:
        return None
    return Decimal(repr(float(x))).quantize(SIX)


def rule_of(round_: Round) -> aggregate.Rule:
    """The round's aggregation rule, for wenyi.review.aggregate."""
    return aggregate.Rule(
        method=round_.method,
        trim_min=round_.trim_min,
        fallback=round_.fallback,
        zscore_min=round_.zscore_min,
        decimals=round_.decimals,
        flag_sd=float(round_.flag_sd) if round_.flag_sd is not None else None,
        flag_range=float(round_.flag_range) if round_.flag_range is not None else None,
    )


def counted_scores(round_: Round):
    """The scores that make a round's result: submitted, on eligible entries, by an
    expert without a conflict with the entry."""
    return (
        Score.objects.filter(
            assignment__entry__round=round_,
            status=ScoreStatus.SUBMITTED,
            assignment__entry__eligibility=Eligibility.ELIGIBLE,
        )
        .exclude(blocking_conflict("assignment__entry", "assignment__expert"))
        .select_related("assignment__entry__work__category")
        .order_by("assignment__entry_id", "assignment__expert_id")
    )


def _votes(round_: Round, scores: list[Score], panel: int) -> dict[int, tuple[int, int, bool]]:
    chosen = [s for s in scores if s.assignment.panel == panel and s.vote]
    if not chosen:
        return {}
    counted = aggregate.approval(
        [s.assignment.entry_id for s in chosen],
        [s.assignment.expert_id for s in chosen],
        [s.vote == Vote.YES for s in chosen],
        k=round_.pass_with,
    )
    return counted.counts()


def score_numbers(round_: Round, scores: list[Score]) -> list[float]:
    """Each score's number for the aggregation: its exact weighted total (scoring), or
    for a place among an expert's m entries (ranking) the points (m − place + 1) / m ×
    100, so that 100 is an expert's first place whatever their number of entries."""
    if round_.kind == RoundKind.SCORING:
        criteria = list(round_.criteria.all())
        totals = []
        for score in scores:
            applying = criteria_for(score.assignment.entry, criteria)
            weights = {c.key: (c.weight, c.maximum) for c in applying}
            values = {k: Decimal(v) for k, v in score.values.items()}
            totals.append(float(aggregate.weighted_total(values, weights)))
        return totals
    per_expert = Counter(s.assignment.expert_id for s in scores)
    return [
        (per_expert[s.assignment.expert_id] - s.rank + 1) / per_expert[s.assignment.expert_id] * 100
        for s in scores
    ]


def compute_results(round_: Round) -> list[RoundResult]:
    """Compute and store (replacing any before) the round's result for each entry; a
    public vote feeding the round is blended in (wenyi.review.vote_results)."""
    now = timezone.now()
    scores = list(counted_scores(round_))
    entries = list(round_.entries.order_by("pk"))
    RoundResult.objects.filter(round=round_).delete()
    rows: list[RoundResult] = []
    if round_.kind == RoundKind.APPROVAL:
        first = _votes(round_, scores, 1)
        second = _votes(round_, scores, 2) if round_.second_look else {}
        for entry in entries:
            yes1, no1, ok1 = first.get(entry.pk, (0, 0, False))
            yes2, no2, ok2 = second.get(entry.pk, (0, 0, False))
            eligible = entry.eligibility == Eligibility.ELIGIBLE
            rows.append(
                RoundResult(
                    round=round_,
                    entry=entry,
                    n=yes1 + no1 + yes2 + no2,
                    yes_votes=yes1 + yes2,
                    no_votes=no1 + no2,
                    passed=eligible and (ok1 or ok2),
                    computed_at=now,
                )
            )
        tallies.set_results(round_.pk, len(rows))
        return RoundResult.objects.bulk_create(rows)
    counted = [s for s in scores if s.assignment.panel == 1 and (s.total is not None or s.rank)]
    found: dict[int, tuple[aggregate.ItemResult, int]] = {}
    if counted:
        result = aggregate.aggregate(
            aggregate.Scores(
                [s.assignment.entry_id for s in counted],
                [s.assignment.expert_id for s in counted],
                score_numbers(round_, counted),
            ),
            rule_of(round_),
        )
        ranking = aggregate.rank(result, round_.tie_break or aggregate.DEFAULT_TIE_BREAK)
        for place, item in ranking:
            found[item.item] = (item, place)
    for entry in entries:
        item, place = found.get(entry.pk, (None, None))
        if item is None:
            rows.append(RoundResult(round=round_, entry=entry, computed_at=now))
            continue
        rows.append(
            RoundResult(
                round=round_,
                entry=entry,
                final=item.final,
                raw=_decimal(item.raw_mean),
                normalised=_decimal(item.normalised),
                n=item.n,
                sd=_decimal(item.sd),
                minimum=_decimal(item.minimum),
                maximum=_decimal(item.maximum),
                flagged=item.flagged,
                rank=place,
                computed_at=now,
            )
        )
    made = RoundResult.objects.bulk_create(blend_results(round_, rows))
    tallies.set_results(round_.pk, len(made))
    return made
