"""What the experts' review puts on people's to-do lists (see core.todo).

- An expert: per open round, the entries still waiting for their score (what
  `queries.assignments_for_expert` lists, less those submitted), and the scores the
  office returned to them. Before anything is assigned, site.views.review_note says when
  review opens; it stays beside these items (it says they are listed here).
- The office, and a round's named checkers: entries waiting for the eligibility check
  (never counting one the login may not check itself: four eyes).
- The office: conflicts of interest experts declared that still block an assignment
  (nobody has dismissed them or taken the entry away from the expert), rounds past
  their closing date but still open, and the public vote's held votes (the round the
  vote feeds does not close while they wait).
- A supervisor: the closed rounds, whose results they may read.

Each count is one query, grouped by round where there is one item per round.
"""

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from wenyi.core import clock, todo
from wenyi.core.permissions import allowed
from wenyi.orgs.queries import person_of
from wenyi.review import rules
from wenyi.review.enums import (
    ACTIVE,
    BallotStatus,
    ConflictSource,
    Eligibility,
    RoundStatus,
    ScoreStatus,
)
from wenyi.review.models import Assignment, Ballot, Conflict, Entry, Round
from wenyi.review.queries import blocking_conflict


def _returned():
    """True where the score (`assignment__score`) is a draft the office returned
    (scoring.return_score keeps its reason until the next submit)."""
    return Q(score__status=ScoreStatus.DRAFT) & ~Q(score__returned_reason="")


def _expert_items(user, campaign) -> list[todo.Todo]:
    person = person_of(user)
    if person is None:
        return []
    queue = reverse("review:queue", args=[campaign.slug])
    # queries.assignments_for_expert, for every open round of the campaign at once
    mine = (
        Assignment.objects.filter(
            expert=person,
            entry__round__campaign=campaign,
            entry__round__status__in=ACTIVE,
            entry__eligibility=Eligibility.ELIGIBLE,
        )
        .exclude(blocking_conflict())
        .exclude(score__status=ScoreStatus.SUBMITTED)
    )
    waiting = (
        mine.exclude(_returned())
        .values("entry__round_id", "entry__round__name", "entry__round__position")
        .annotate(n=Count("id"))
        .order_by("entry__round__position", "entry__round_id")
    )
    items = [
        todo.Todo(
            _("%(round)s: entries waiting for your score") % {"round": row["entry__round__name"]},
            queue,
            row["n"],
            order=2,
        )
        for row in waiting
    ]
    items.append(
        todo.Todo(
            _("Scores the office returned to you"), queue, mine.filter(_returned()).count(), order=3
        )
    )
    return items


def _checks(user, campaign, runs: bool) -> list[todo.Todo]:
    """Entries waiting for the eligibility check, per round the login checks."""
    entries = Entry.objects.filter(
        round__campaign=campaign, eligibility=Eligibility.PENDING
    ).exclude(round__status=RoundStatus.CLOSED)
    if not runs:
        entries = entries.filter(round__checker_links__user=user)
    # four eyes (rounds.is_own_item): never a work they submitted or wrote, themselves,
    # or a unit where they hold a role
    entries = (
        entries.exclude(work__submitted_by=user)
        .exclude(work__authors__user=user)
        .exclude(person__user=user)
        .exclude(unit__memberships__user=user)
    )
    rows = (
        entries.values("round_id", "round__name", "round__position")
        .annotate(n=Count("id", distinct=True))
        .order_by("round__position", "round_id")
    )
    return [
        todo.Todo(
            _("%(round)s: entries waiting for the eligibility check")
            % {"round": row["round__name"]},
            reverse("review:entries", args=[row["round_id"]]),
            row["n"],
            order=44,
        )
        for row in rows
    ]


def _office_items(campaign) -> list[todo.Todo]:
    still_assigned = Exists(
        Assignment.objects.filter(entry=OuterRef("entry"), expert=OuterRef("expert"))
    )
    declared = (
        Conflict.objects.filter(
            entry__round__campaign=campaign,
            entry__round__status__in=ACTIVE,
            source=ConflictSource.DECLARED,
            dismissed_at__isnull=True,
        )
        .filter(still_assigned)
        .values("entry__round_id", "entry__round__name", "entry__round__position")
        .annotate(n=Count("id"))
        .order_by("entry__round__position", "entry__round_id")
    )
    items = [
        todo.Todo(
            _("%(round)s: conflicts of interest declared by experts, to look at")
            % {"round": row["entry__round__name"]},
            reverse("review:conflicts", args=[row["entry__round_id"]]),
            row["n"],
            order=45,
        )
        for row in declared
    ]
    overdue = Round.objects.filter(
        campaign=campaign, status__in=ACTIVE, closes__lt=clock.today()
    ).order_by("position", "id")
    items += [
        todo.Todo(
            _("%(round)s: its closing date %(date)s has passed; close it")
            % {"round": round_.name, "date": f"{round_.closes:%Y-%m-%d}"},
            reverse("review:round", args=[round_.pk]),
            1,
            order=46,
        )
        for round_ in overdue
    ]
    # the public vote's held ballots: the round it feeds does not close while they wait
    held = Ballot.objects.filter(vote__campaign=campaign, status=BallotStatus.HELD).count()
    items.append(
        todo.Todo(
            _("Public vote: held votes waiting for your decision"),
            reverse("review:votes", args=[campaign.slug]),
            held,
            order=47,
        )
    )
    return items


def _supervisor_items(campaign) -> list[todo.Todo]:
    closed = Round.objects.filter(campaign=campaign, status=RoundStatus.CLOSED).order_by(
        "position", "id"
    )
    return [
        todo.Todo(
            round_.name,
            reverse("review:round", args=[round_.pk]),
            note=_("Closed: its scores and results may be read."),
            order=48,
        )
        for round_ in closed
    ]


@todo.register
def review_todos(user, campaign, counting: bool = False) -> list[todo.Todo]:
    items: list[todo.Todo] = []
    if allowed(user, "orgs.serve_as_expert"):
        items += _expert_items(user, campaign)
    runs = rules.runs_review(user, campaign)
    items += _checks(user, campaign, runs)  # the office, or a round's named checker
    if runs:
        items += _office_items(campaign)
    elif not counting and rules.supervises(user, campaign):
        items += _supervisor_items(campaign)  # notes only
    return items
