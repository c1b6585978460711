"""Who may do what with a work, declared once."""

import rules

from wenyi.core.permissions import submitted_it
from wenyi.orgs.queries import scope_for
from wenyi.orgs.rules import is_artist, is_manager, is_office
from wenyi.works.enums import WorkStatus


@rules.predicate
def manages_work_unit(user, work) -> bool:
    return work is not None and scope_for(user).manages(work.unit)


@rules.predicate
def is_author(user, work) -> bool:
    return work is not None and user.is_authenticated and work.authors.filter(user=user).exists()


@rules.predicate
def made_it(user, work) -> bool:
    return work is not None and user.is_authenticated and work.created_by_id == user.pk


@rules.predicate
def is_draft(user, work) -> bool:
    return work is not None and work.status == WorkStatus.DRAFT


@rules.predicate
def is_submitted(user, work) -> bool:
    return work is not None and work.status == WorkStatus.SUBMITTED


@rules.predicate
def is_office_for_work(user, work) -> bool:
    return work is not None and scope_for(user).is_office_for(work.unit)


@rules.predicate
def decides_match(user, match) -> bool:
    """The office above the checked work, unless it submitted that work itself."""
    return (
        match is not None
        and scope_for(user).is_office_for(match.work.unit)
        and not submitted_it(user, match.work)
    )


# enter works and see the gallery: managers, and art workers for their own works
rules.add_perm("works.enter", is_manager | is_artist)
rules.add_perm("works.view", manages_work_unit | is_author | made_it)
rules.add_perm("works.change", (manages_work_unit | is_author | made_it) & is_draft)
# artists hand their works to their unit; the coordinator (or the office) submits them
rules.add_perm("works.submit", manages_work_unit & is_draft)
rules.add_perm("works.withdraw", (manages_work_unit | is_author) & is_submitted)
rules.add_perm("works.review_originality", is_office)
rules.add_perm("works.decide_match", decides_match)
# rights consent: whoever may still change the work, or once submitted its unit's
# managers and its authors
rules.add_perm(
    "works.consent",
    ((manages_work_unit | is_author | made_it) & is_draft)
    | ((manages_work_unit | is_author) & is_submitted),
)
rules.add_perm("works.view_original_files", is_office_for_work)
rules.add_perm("works.view_history", manages_work_unit)
# the roles alone, whatever the work's state (see activities.rules)
rules.add_perm("works.as_manager", manages_work_unit)
rules.add_perm("works.as_owner", manages_work_unit | is_author)
