"""Scoped querysets of the review: what each login may see, in one query each.

An expert's lists come from `entries_for_expert` alone: the entries assigned to them in
an open round, eligible, and without a conflict that blocks them (a view that fetches
an entry through it answers 404 for everything else). The office and the supervisors
see a round whole; checkers its entries.
"""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from wenyi.campaigns.models import Campaign
from wenyi.orgs.models import Person
from wenyi.orgs.queries import person_of
from wenyi.review import rules
from wenyi.review.enums import ACTIVE, Eligibility, RoundStatus, ScoreStatus
from wenyi.review.models import (
    Assignment,
    Committee,
    Conflict,
    Entry,
    Round,
    RoundChecker,
    RoundResult,
    Score,
)


def committee_of(campaign: Campaign) -> Committee | None:
    return Committee.objects.filter(campaign=campaign).first()


def experts_of(campaign: Campaign) -> QuerySet[Person]:
    """The committee's experts, by name, with their units."""
    return (
        Person.objects.filter(committees__campaign=campaign)
        .select_related("unit", "user")
        .order_by("name_sort", "name", "id")
    )


def blocking_conflict(entry: str = "entry", expert: str = "expert") -> Exists:
    """True where the expert (`expert`: the field naming the person) has a conflict with
    the entry (`entry`) that the office has not dismissed."""
    return Exists(
        Conflict.objects.filter(
            entry=OuterRef(entry), expert=OuterRef(expert), dismissed_at__isnull=True
        )
    )


def assignments_for_expert(user, round_: Round) -> QuerySet[Assignment]:
    """The login's assignments it may work on: the round open, the entry eligible, no
    conflict blocking the pair."""
    person = person_of(user)
    if person is None:
        return Assignment.objects.none()
    # the round's state as stored (not as a caller's copy of it says)
    return (
        Assignment.objects.filter(
            entry__round=round_,
            entry__round__status__in=ACTIVE,
            expert=person,
            entry__eligibility=Eligibility.ELIGIBLE,
        )
        .exclude(blocking_conflict())
        .select_related("entry")
    )


def entries_for_expert(user, round_: Round) -> QuerySet[Entry]:
    """The entries an expert reviews in an open round: assigned to them, eligible, and
    never one they have a conflict with. Anything else fetched through this is a 404."""
    return Entry.objects.filter(
        pk__in=assignments_for_expert(user, round_).values("entry_id")
    ).order_by("code", "id")


def rounds_visible_to(user, campaign: Campaign) -> QuerySet[Round]:
    """The campaign's rounds the login may open: all of them for its office and its
    supervisors; for a checker the rounds naming them; for an expert the open rounds
    with something assigned to them."""
    rounds = Round.objects.filter(campaign=campaign)
    if not user.is_authenticated:
        return rounds.none()
    if rules.runs_review(user, campaign) or rules.supervises(user, campaign):
        return rounds
    q = Q(pk__in=RoundChecker.objects.filter(user=user).values("round_id"))
    person = person_of(user)
    if person is not None:
        clear = (
            Assignment.objects.filter(expert=person, entry__eligibility=Eligibility.ELIGIBLE)
            .exclude(blocking_conflict())
            .values("entry__round_id")
        )
        q |= Q(pk__in=clear, status__in=ACTIVE)
    return rounds.filter(q)


def entries_visible_to(user, round_: Round) -> QuerySet[Entry]:
    """A round's entries as the login may see them: all for the office, supervisors and
    the round's checkers; an expert's own (`entries_for_expert`)."""
    if (
        rules.runs_review(user, round_)
        or rules.supervises(user, round_)
        or (user.is_authenticated and round_.checker_links.filter(user=user).exists())
    ):
        return round_.entries.all()
    return entries_for_expert(user, round_)


def entries_with_subjects(entries: QuerySet[Entry]) -> QuerySet[Entry]:
    """Entries with what a list shows of them, in a fixed number of queries."""
    return entries.select_related(
        "work__unit", "work__category", "unit", "person__unit", "checked_by__person"
    )


def conflicts_of(round_: Round) -> QuerySet[Conflict]:
    return Conflict.objects.filter(entry__round=round_).select_related(
        "entry", "expert__unit", "relation", "declared_by", "dismissed_by"
    )


def scores_of(round_: Round) -> QuerySet[Score]:
    return Score.objects.filter(assignment__entry__round=round_).select_related(
        "assignment__entry", "assignment__expert"
    )


def scores_visible_to(user, round_: Round) -> QuerySet[Score]:
    """The office sees the scores as they come in, a supervisor once the round is closed,
    an expert their own."""
    if rules.runs_review(user, round_):
        return scores_of(round_)
    if rules.supervises(user, round_) and round_.status == RoundStatus.CLOSED:
        return scores_of(round_)
    person = person_of(user)
    if person is None:
        return Score.objects.none()
    return scores_of(round_).filter(assignment__expert=person)


def results_of(round_: Round) -> QuerySet[RoundResult]:
    """The frozen results, best first (entries without a rank last)."""
    from django.db.models import F

    return (
        RoundResult.objects.filter(round=round_)
        .select_related("entry")
        .order_by(F("rank").asc(nulls_last=True), "entry__code", "entry_id")
    )


def progress(round_: Round) -> dict[str, int]:
    """How far a round is: its entries by eligibility, its assignments and how many of
    them have a submitted score, and the conflicts that block."""
    entries = round_.entries.aggregate(
        total=Count("id"),
        pending=Count("id", filter=Q(eligibility=Eligibility.PENDING)),
        eligible=Count("id", filter=Q(eligibility=Eligibility.ELIGIBLE)),
        ineligible=Count("id", filter=Q(eligibility=Eligibility.INELIGIBLE)),
    )
    assignments = Assignment.objects.filter(entry__round=round_).aggregate(
        assigned=Count("id"),
        submitted=Count("id", filter=Q(score__status=ScoreStatus.SUBMITTED)),
    )
    blocking = Conflict.objects.filter(entry__round=round_, dismissed_at__isnull=True).count()
    return {**entries, **assignments, "conflicts": blocking}
