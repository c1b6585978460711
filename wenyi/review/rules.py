"""Who may do what in the experts' review, declared once.

- The office of the campaign's owner unit runs the review: the committee, rounds,
  eligibility, conflicts, assignments, opening and closing.
- Named checkers (`Round.checkers`) check the eligibility of a round's entries.
- An expert sees only the entries assigned to them in an open round, never one they
  have a conflict with, and in a blind round never a name.
- A supervisor (role `supervisor` at the owner unit or above) reads the whole review —
  rounds, entries, assignments, conflicts, and the scores once the round is closed —
  and changes nothing.
- Coordinators and art workers: nothing of the review.
- Nobody checks or decides on what they submitted or wrote themselves (four eyes).
"""

import rules

from wenyi.orgs.enums import Role
from wenyi.orgs.models import Membership
from wenyi.orgs.queries import scope_for
from wenyi.orgs.rules import is_expert, is_office_for_person, is_self
from wenyi.review.enums import ACTIVE, Eligibility, RoundStatus
from wenyi.review.models import Conflict, RoundChecker


def _round(obj):
    """The round of a review object: a round itself, or the round of an entry, an
    assignment, a score, a conflict or a result."""
    if hasattr(obj, "assignment"):  # a score
        obj = obj.assignment
    if hasattr(obj, "entry"):  # an assignment, a conflict, a result
        obj = obj.entry
    return getattr(obj, "round", obj)


def _campaign(obj):
    """The campaign of a review object, or the campaign itself."""
    return obj if hasattr(obj, "owner_unit") else _round(obj).campaign


def runs_review(user, obj) -> bool:
    """The office of the campaign's owner unit (or a superuser)."""
    if obj is None or not user.is_authenticated:
        return False
    scope = scope_for(user)
    if scope.superuser:
        return True
    if not scope.office_paths:
        return False
    owner = _campaign(obj).owner_unit()
    return owner is not None and scope.is_office_for(owner)


def supervises(user, obj) -> bool:
    """A supervisor at the campaign's owner unit or above."""
    if obj is None or Role.SUPERVISOR not in scope_for(user).roles:
        return False
    owner = _campaign(obj).owner_unit()
    return (
        owner is not None
        and Membership.objects.filter(
            user=user, role=Role.SUPERVISOR, unit__path__in=owner.ancestor_paths()
        ).exists()
    )


def _person_id(user):
    person = getattr(user, "person", None) if user.is_authenticated else None
    return getattr(person, "pk", None)


def _owns_assignment(user, assignment) -> bool:
    person = _person_id(user)
    return assignment is not None and person is not None and assignment.expert_id == person


def _conflicted(assignment) -> bool:
    return Conflict.objects.filter(
        entry_id=assignment.entry_id, expert_id=assignment.expert_id, dismissed_at__isnull=True
    ).exists()


def _assigned_clear(user, entry) -> bool:
    """An expert of an open round with this eligible entry assigned and no conflict."""
    person = _person_id(user)
    if entry is None or person is None or not entry.round.is_active:
        return False
    if entry.eligibility != Eligibility.ELIGIBLE:
        return False
    assigned = entry.assignments.filter(expert_id=person).exists()
    blocked = entry.conflicts.filter(expert_id=person, dismissed_at__isnull=True).exists()
    return assigned and not blocked


@rules.predicate
def is_review_office(user, obj) -> bool:
    return runs_review(user, obj)


@rules.predicate
def is_supervisor(user, obj) -> bool:
    return supervises(user, obj)


@rules.predicate
def is_checker(user, obj) -> bool:
    round_ = _round(obj)
    return (
        round_ is not None
        and user.is_authenticated
        and RoundChecker.objects.filter(round=round_, user_id=user.pk).exists()
    )


@rules.predicate
def is_draft_round(user, obj) -> bool:
    return obj is not None and _round(obj).status == RoundStatus.DRAFT


@rules.predicate
def is_active_round(user, obj) -> bool:
    return obj is not None and _round(obj).status in ACTIVE


@rules.predicate
def is_closed_round(user, obj) -> bool:
    return obj is not None and _round(obj).status == RoundStatus.CLOSED


@rules.predicate
def is_blind_round(user, obj) -> bool:
    return obj is not None and _round(obj).blind


@rules.predicate
def reviews_in_round(user, round_) -> bool:
    """An expert with at least one entry to review in this open round."""
    from wenyi.review.queries import entries_for_expert

    return round_ is not None and entries_for_expert(user, round_).exists()


@rules.predicate
def reviews_entry(user, entry) -> bool:
    return _assigned_clear(user, entry)


@rules.predicate
def holds_assignment(user, assignment) -> bool:
    return _owns_assignment(user, assignment)


@rules.predicate
def may_score(user, assignment) -> bool:
    """The assigned expert, on an eligible entry of an open round, without a conflict."""
    return (
        _owns_assignment(user, assignment)
        and assignment.entry.round.is_active
        and assignment.entry.eligibility == Eligibility.ELIGIBLE
        and not _conflicted(assignment)
    )


@rules.predicate
def own_item(user, entry) -> bool:
    """The entry is the user's own: a work they submitted or wrote, themselves, or a unit
    where they hold a role."""
    if entry is None or not user.is_authenticated:
        return False
    if entry.work_id:
        work = entry.work
        return work.submitted_by_id == user.pk or work.authors.filter(user=user).exists()
    if entry.person_id:
        return entry.person.user_id == user.pk
    return entry.unit.memberships.filter(user=user).exists()


@rules.predicate
def own_conflict(user, conflict) -> bool:
    person = _person_id(user)
    return conflict is not None and person is not None and conflict.expert_id == person


@rules.predicate
def is_dismissed(user, conflict) -> bool:
    return conflict is not None and conflict.dismissed_at is not None


@rules.predicate
def is_submitted_score(user, score) -> bool:
    return score is not None and score.status == "submitted"


# the committee, declared relations of the campaign's people, new rounds
rules.add_perm("review.manage", is_review_office)
# read the whole review of a campaign: its rounds, entries, assignments, conflicts
rules.add_perm("review.supervise", is_review_office | is_supervisor)
rules.add_perm(
    "review.view_round", is_review_office | is_supervisor | is_checker | reviews_in_round
)
rules.add_perm("review.change_round", is_review_office & is_draft_round)
rules.add_perm("review.open_round", is_review_office & is_draft_round)
rules.add_perm("review.close_round", is_review_office & is_active_round)
rules.add_perm("review.reopen_round", is_review_office & is_closed_round)
rules.add_perm("review.assign", is_review_office & ~is_closed_round)
rules.add_perm("review.view_entry", is_review_office | is_supervisor | is_checker | reviews_entry)
# names of authors and units: hidden from the experts of a blind round
rules.add_perm(
    "review.see_names",
    is_review_office | is_supervisor | is_checker | (reviews_entry & ~is_blind_round),
)
rules.add_perm("review.check_entry", (is_review_office | is_checker) & ~is_closed_round & ~own_item)
rules.add_perm("review.manage_conflicts", is_review_office & ~is_closed_round)
rules.add_perm(
    "review.dismiss_conflict", is_review_office & ~own_conflict & ~is_dismissed & ~is_closed_round
)
rules.add_perm("review.declare_conflict", holds_assignment & is_active_round)
rules.add_perm("review.score", may_score)
rules.add_perm("review.return_score", is_review_office & is_active_round & is_submitted_score)
rules.add_perm("review.view_scores", is_review_office | (is_supervisor & is_closed_round))
rules.add_perm("review.view_results", (is_review_office | is_supervisor) & is_closed_round)
rules.add_perm("review.declare_relation", (is_self & is_expert) | is_office_for_person)
