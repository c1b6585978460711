"""The review's roll-up: per round, its entries, the entries with at least one
submitted score, and its results (`RoundTally`), kept in the transactions that change
them and rebuilt from scratch by `rebuild` (`wenyi rebuild-tallies`). The dashboards
read it in one query, where counting entries with a submitted score over half a
million scores took most of a second.

The writers: `rounds` adds and removes entries; `scoring` submits scores (an entry
becomes scored with its first submitted score), returns them (it stops being scored
when its last one goes back to draft) and computes results (replacing the round's).
"""

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef

from wenyi.campaigns.models import Campaign
from wenyi.review.enums import ScoreStatus
from wenyi.review.models import Entry, Round, RoundResult, RoundTally, Score


def _row(round_id: int) -> RoundTally:
    row, _created = RoundTally.objects.select_for_update().get_or_create(round_id=round_id)
    return row


@transaction.atomic
def add(round_id: int, *, entries: int = 0, scored: int = 0, results: int = 0) -> None:
    """Move the round's counts by the given steps (negative to take away)."""
    _row(round_id)  # there, and locked
    RoundTally.objects.filter(round_id=round_id).update(
        entries=F("entries") + entries, scored=F("scored") + scored, results=F("results") + results
    )


@transaction.atomic
def set_results(round_id: int, results: int) -> None:
    _row(round_id)
    RoundTally.objects.filter(round_id=round_id).update(results=results)


@transaction.atomic
def score_moved(round_id: int, entry_id: int, assignment_id: int, sign: int) -> None:
    """A score of the entry was submitted (+1) or returned (-1): the entry becomes
    scored with its first submitted score and stops being scored when its last one goes
    back. The round's row is locked before the entry's other scores are looked at, so
    two experts submitting on the same entry at once (PostgreSQL) count it once: the
    second waits for the first to commit, then sees its score."""
    _row(round_id)
    others = (
        Score.objects.filter(assignment__entry_id=entry_id, status=ScoreStatus.SUBMITTED)
        .exclude(assignment_id=assignment_id)
        .exists()
    )
    if not others:
        add(round_id, scored=sign)


@transaction.atomic
def rebuild(campaign: Campaign) -> int:
    """Recount every round of a campaign from its entries, scores and results: the rows
    written. Three grouped counts; on PostgreSQL the table is locked first."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(RoundTally._meta.db_table)
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
    rounds = list(Round.objects.filter(campaign=campaign).values_list("pk", flat=True))
    RoundTally.objects.filter(round_id__in=rounds).delete()
    entries = Entry.objects.filter(round__campaign=campaign)
    submitted = Score.objects.filter(assignment__entry=OuterRef("pk"), status=ScoreStatus.SUBMITTED)

    def per_round(rows) -> dict[int, int]:
        return dict(rows.values_list("round").annotate(n=Count("pk")).order_by())

    n_entries = per_round(entries)
    n_scored = per_round(entries.filter(Exists(submitted)))
    n_results = per_round(RoundResult.objects.filter(round__campaign=campaign))
    RoundTally.objects.bulk_create(
        RoundTally(
            round_id=pk,
            entries=n_entries.get(pk, 0),
            scored=n_scored.get(pk, 0),
            results=n_results.get(pk, 0),
        )
        for pk in rounds
    )
    return len(rounds)


@dataclass(frozen=True)
class Progress:
    entries: int = 0
    scored: int = 0
    results: int = 0


def progress(campaign: Campaign) -> dict[int, Progress]:
    """Each round's counts by its id (a round without a row has none). One query."""
    return {
        round_id: Progress(entries, scored, results)
        for round_id, entries, scored, results in RoundTally.objects.filter(
            round__campaign=campaign
        ).values_list("round_id", "entries", "scored", "results")
    }
