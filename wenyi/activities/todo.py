"""What activities put on people's to-do lists (see core.todo)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from wenyi.activities.enums import ActivityStatus, QuotaStatus
from wenyi.activities.models import Activity
from wenyi.activities.queries import quota_rows_for
from wenyi.core import todo
from wenyi.core.permissions import allowed
from wenyi.orgs.queries import checked_by, managed


@todo.register
def activity_todos(user, campaign, counting: bool = False) -> list[todo.Todo]:
    if not allowed(user, "activities.list"):
        return []
    listed = reverse("activities:list", args=[campaign.slug])
    mine = Activity.objects.filter(campaign=campaign)
    returned = mine.filter(managed(user, "unit__"), status=ActivityStatus.RETURNED).count()
    to_check = (
        mine.filter(checked_by(user), status=ActivityStatus.SUBMITTED)
        .exclude(submitted_by=user)
        .count()
    )
    items = [
        todo.Todo(
            _("Activities returned to your units"), f"{listed}?status=returned", returned, order=10
        ),
        todo.Todo(
            _("Activities waiting for you to verify"),
            f"{listed}?status=submitted",
            to_check,
            order=20,
        ),
    ]
    owner = campaign.owner_unit()
    if owner is not None and allowed(user, "orgs.manage_roles", owner):
        behind = sum(
            1
            for row in quota_rows_for(user, campaign)
            if not row.rolls_up and row.status == QuotaStatus.BEHIND
        )
        items.append(
            todo.Todo(
                _("Units behind their minimums"),
                reverse("activities:quota", args=[campaign.slug]),
                behind,
                order=60,
            )
        )
    return items
