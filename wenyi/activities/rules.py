"""Who may do what with an activity, declared once."""

import rules

from wenyi.activities.enums import ActivityStatus
from wenyi.core.permissions import submitted_it
from wenyi.orgs.queries import scope_for
from wenyi.orgs.rules import is_artist, is_manager


@rules.predicate
def manages_activity_unit(user, activity) -> bool:
    return activity is not None and scope_for(user).manages(activity.unit)


@rules.predicate
def took_part(user, activity) -> bool:
    return (
        activity is not None
        and user.is_authenticated
        and activity.participants.filter(user=user).exists()
    )


@rules.predicate
def checks_activity_unit(user, activity) -> bool:
    """The level above the organising unit (the office at the top)."""
    return activity is not None and scope_for(user).manages_above(activity.unit)


@rules.predicate
def is_office_for_activity(user, activity) -> bool:
    return activity is not None and scope_for(user).is_office_for(activity.unit)


@rules.predicate
def is_editable(user, activity) -> bool:
    return activity is not None and activity.is_editable


@rules.predicate
def is_submitted(user, activity) -> bool:
    return activity is not None and activity.status == ActivityStatus.SUBMITTED


@rules.predicate
def is_verified(user, activity) -> bool:
    return activity is not None and activity.status == ActivityStatus.VERIFIED


@rules.predicate
def is_draft(user, activity) -> bool:
    return activity is not None and activity.status == ActivityStatus.DRAFT


# activities.list: record activities and work with the lists (office, coordinators)
rules.add_perm("activities.list", is_manager)
rules.add_perm("activities.view_list", is_manager | is_artist)
rules.add_perm("activities.view", manages_activity_unit | took_part)
rules.add_perm("activities.view_original_files", is_office_for_activity)
rules.add_perm("activities.change", manages_activity_unit & is_editable)
rules.add_perm("activities.submit", manages_activity_unit & is_editable)
rules.add_perm("activities.delete", manages_activity_unit & is_draft)
# nobody decides on what they submitted themselves
rules.add_perm("activities.verify", checks_activity_unit & is_submitted & ~submitted_it)
rules.add_perm("activities.return", checks_activity_unit & is_submitted & ~submitted_it)
rules.add_perm("activities.unlock", is_office_for_activity & is_verified)
rules.add_perm("activities.add_evidence", manages_activity_unit & is_editable)
# the roles alone, whatever the activity's state: someone who holds the role behind an
# action but is refused by the state (or by four eyes) is told why by the service
rules.add_perm("activities.as_recorder", manages_activity_unit)
rules.add_perm("activities.as_checker", checks_activity_unit)
rules.add_perm("activities.as_office", is_office_for_activity)
rules.add_perm("activities.view_history", manages_activity_unit | checks_activity_unit)
