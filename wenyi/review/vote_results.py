"""The public vote feeding a works round's results (wenyi.review.votes has the vote).

A round a vote feeds cannot close while the vote's window is open or while held ballots
wait (`refuse_close`). When it closes, `blend_results` (called by
scoring.compute_results) turns each eligible work entry's result into

    final = (w_experts × expert + w_online × online + w_onsite × onsite) / 100

where `expert` is the experts' final score as the round's rule computed it (rounded to
the round's decimals), and a vote's score is the work's share of the most-voted work's
votes scaled to the round's score scale:

    online = votes of the work / most votes of any eligible entry of the round × scale

counting only *counted* ballots (held and rejected ones never count); on-site the same
with the on-site counts. The scale is the entry's full marks — Σ weight × maximum of
the criteria that apply to it — in a scoring round, and 100 in a ranking round (the
points scale of scoring.score_numbers). With no votes at all a vote's score is 0. The
sum is computed exactly (fractions) and rounded half up to the round's decimals; the
parts are kept on the result (`expert`, `online_votes`, `online`, `onsite_votes`,
`onsite`, the scores to 6 decimals) so the results pages show them apart. The entries
are then ranked by the new final score, ties broken by the experts' rank, and entries
equal on both share a rank (1, 2, 2, 4). An entry without an experts' score has no
final score and no rank, as before.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wenyi.campaigns.models import WorkCategory
from wenyi.review.enums import BallotStatus, Eligibility, RoundKind, RoundSubject
from wenyi.review.models import Ballot, Placement, Round, RoundResult
from wenyi.review.votes import online_counts, onsite_counts, vote_for_round
from wenyi.works.models import Work


def refuse_close(round_: Round, now: datetime.datetime | None = None) -> None:
    """Refuse to close a round while the vote feeding it is open or has held ballots."""
    vote = vote_for_round(round_)
    if vote is None:
        return
    now = now or timezone.now()
    if now <= vote.ends:
        local = timezone.localtime(vote.ends)
        raise ValidationError(
            _(
                "The public vote feeding this round runs until %(when)s: close the round "
                "once it has ended."
            )
            % {"when": f"{local:%Y-%m-%d %H:%M}"}
        )
    held = Ballot.objects.filter(vote=vote, status=BallotStatus.HELD).count()
    if held:
        raise ValidationError(
            ngettext(
                "%(n)s held vote waits for the office: count or reject it before closing "
                "the round.",
                "%(n)s held votes wait for the office: count or reject them before closing "
                "the round.",
                held,
            )
            % {"n": held}
        )


def _decimal(x: Fraction, places: int) -> Decimal:
    """A non-negative fraction rounded half up to `places` decimals, exactly."""
    units = (x * 10**places + Fraction(1, 2)).__floor__()
    return Decimal(units).scaleb(-places)


def _scales(round_: Round, results: list[RoundResult]) -> dict[int, Fraction]:
    """{entry id: the score scale} (module docstring): 100 in a ranking round, else the
    full marks of the criteria that apply to the entry (one query for the categories
    when a criterion is of one art form)."""
    if round_.kind == RoundKind.RANKING:
        return {r.entry_id: Fraction(100) for r in results}
    criteria = list(round_.criteria.all())

    def full(applying) -> Fraction:
        return sum((Fraction(c.weight) * Fraction(c.maximum) for c in applying), Fraction(0))

    if not any(c.art_form for c in criteria):
        whole = full(criteria)
        return {r.entry_id: whole for r in results}
    categories = {
        pk: (key, parent)
        for pk, key, parent in WorkCategory.objects.filter(campaign=round_.campaign_id).values_list(
            "pk", "key", "parent_id"
        )
    }
    category_of = dict(
        Work.objects.filter(
            pk__in=[r.entry.work_id for r in results if r.entry.work_id]
        ).values_list("pk", "category_id")
    )
    scales = {}
    for result in results:
        forms: set[str] = set()
        current = category_of.get(result.entry.work_id)
        while current is not None:
            key, parent = categories.get(current, ("", None))
            if key in forms:
                break  # a loop in the tree: the file's check refuses one, never follow it
            forms.add(key)
            current = parent
        scales[result.entry_id] = full(c for c in criteria if not c.art_form or c.art_form in forms)
    return scales


def blend_results(round_: Round, results: list[RoundResult]) -> list[RoundResult]:
    """Blend the vote feeding `round_` into its results (not yet saved; their `entry`
    loaded), and rank them anew (module docstring). Without a vote: unchanged."""
    vote = vote_for_round(round_)
    if vote is None or round_.kind == RoundKind.APPROVAL or round_.subject != RoundSubject.WORKS:
        return results
    online = online_counts(vote)
    onsite = onsite_counts(vote)
    eligible = [
        r for r in results if r.entry.work_id and r.entry.eligibility == Eligibility.ELIGIBLE
    ]
    eligible_ids = {r.entry_id for r in eligible}
    most_online = max((online.get(r.entry.work_id, 0) for r in eligible), default=0)
    most_onsite = max((onsite.get(r.entry.work_id, 0) for r in eligible), default=0)
    scales = _scales(round_, eligible)
    weights = [
        Fraction(vote.weight_experts),
        Fraction(vote.weight_online),
        Fraction(vote.weight_onsite),
    ]
    expert_rank = {r.entry_id: r.rank for r in results}
    for result in results:
        work_id = result.entry.work_id
        result.expert = result.final
        result.online_votes = online.get(work_id, 0) if work_id else None
        result.onsite_votes = onsite.get(work_id, 0) if work_id else None
        if result.entry_id not in eligible_ids:
            result.final = None
            continue
        scale = scales[result.entry_id]
        parts = [
            Fraction(result.expert) if result.expert is not None else None,
            Fraction(result.online_votes, most_online) * scale if most_online else Fraction(0),
            Fraction(result.onsite_votes, most_onsite) * scale if most_onsite else Fraction(0),
        ]
        result.online = _decimal(parts[1], 6)
        result.onsite = _decimal(parts[2], 6)
        if parts[0] is None:
            result.final = None  # no experts' score: no final score, as without a vote
            continue
        total = sum((w * p for w, p in zip(weights, parts, strict=True)), Fraction(0)) / 100
        result.final = _decimal(total, round_.decimals)
    ranked = sorted(
        (r for r in results if r.final is not None),
        key=lambda r: (-r.final, expert_rank[r.entry_id] or 0, r.entry_id),
    )
    previous, place = None, 0
    for position, result in enumerate(ranked, 1):
        key = (result.final, expert_rank[result.entry_id])
        if key != previous:
            place, previous = position, key
        result.rank = place
    for result in results:
        if result.final is None:
            result.rank = None
    return results


def results_for_placements(placement_ids: Iterable[int]) -> dict[int, RoundResult]:
    """{placement id: the round result of its entry} (one query), for award lines."""
    placements = Placement.objects.filter(pk__in=list(placement_ids)).select_related(
        "entry__result"
    )
    return {p.pk: getattr(p.entry, "result", None) for p in placements}
