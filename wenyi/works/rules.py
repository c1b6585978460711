"""Who may do what with a work, declared once."""

import rules

from wenyi.orgs.queries import scope_for
from wenyi.orgs.rules import is_office
from wenyi.works.enums import WorkStatus


@rules.predicate
def manages_work_unit(user, work) -> bool:
    return work is not None and scope_for(user).manages(work.unit)


@rules.predicate
def is_author(user, work) -> bool:
    return work is not None and work.authors.filter(user=user).exists()


@rules.predicate
def made_it(user, work) -> bool:
    return work is not None and work.created_by_id == user.pk


@rules.predicate
def is_draft(user, work) -> bool:
    return work is not None and work.status == WorkStatus.DRAFT


@rules.predicate
def is_submitted(user, work) -> bool:
    return work is not None and work.status == WorkStatus.SUBMITTED


rules.add_perm("works.view", manages_work_unit | is_author | made_it)
rules.add_perm("works.change", (manages_work_unit | is_author | made_it) & is_draft)
# artists hand their works to their unit; the coordinator (or the office) submits them
rules.add_perm("works.submit", manages_work_unit & is_draft)
rules.add_perm("works.withdraw", (manages_work_unit | is_author) & is_submitted)
rules.add_perm("works.review_originality", is_office)
