"""What activities add to other apps' pages (see core.panels)."""

from django.http import HttpRequest
from django.template.loader import render_to_string

from wenyi.activities.queries import quota_matrix
from wenyi.campaigns.participation import campaigns_of
from wenyi.core import clock, panels
from wenyi.core.permissions import allowed


@panels.register("orgs.unit", order=10)
def unit_quota(request: HttpRequest, unit) -> str:
    """The unit's quota progress (its subtree counted), for its managers, in every
    campaign the unit takes part in (campaigns.participation): none for a unit of
    another tree, below the campaign's levels, or retired."""
    if not allowed(request.user, "orgs.change_unit", unit):
        return ""
    today = clock.today()
    blocks = []
    campaigns = campaigns_of(unit, today=today).prefetch_related("stages")
    for campaign in campaigns.order_by("-year", "-start"):
        rows = quota_matrix(campaign, [unit], today)
        if rows:
            blocks.append({"campaign": campaign, "row": rows[0]})
    return render_to_string(
        "activities/_unit_quota.html", {"blocks": blocks, "unit": unit}, request=request
    )
