from django import template

from wenyi.activities.queries import quota_matrix
from wenyi.campaigns.models import Campaign
from wenyi.core import clock

register = template.Library()


@register.inclusion_tag("activities/_unit_quota.html")
def unit_quota(unit):
    """The unit's quota progress (its subtree counted) in every campaign, for its page."""
    today = clock.today()
    blocks = []
    for campaign in Campaign.objects.prefetch_related("stages").order_by("-year", "-start"):
        rows = quota_matrix(campaign, [unit], today)
        if rows:
            blocks.append({"campaign": campaign, "row": rows[0]})
    return {"blocks": blocks, "unit": unit}


@register.filter
def activity_status(value) -> str:
    """The label of a stored status key (audit entries keep keys)."""
    from wenyi.activities.enums import ActivityStatus

    if value in ActivityStatus.values:
        return ActivityStatus(value).label
    return "—" if value is None else value
