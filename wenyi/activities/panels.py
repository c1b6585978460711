"""What activities add to other apps' pages (see core.panels)."""

from django.http import HttpRequest
from django.template.loader import render_to_string

from wenyi.activities.queries import quota_matrix
from wenyi.campaigns.models import Campaign
from wenyi.core import clock, panels
from wenyi.core.permissions import allowed


@panels.register("orgs.unit", order=10)
def unit_quota(request: HttpRequest, unit) -> str:
    """The unit's quota progress (its subtree counted) in every campaign, for its managers."""
    if not allowed(request.user, "orgs.change_unit", unit):
        return ""
    today = clock.today()
    blocks = []
    for campaign in Campaign.objects.prefetch_related("stages").order_by("-year", "-start"):
        rows = quota_matrix(campaign, [unit], today)
        if rows:
            blocks.append({"campaign": campaign, "row": rows[0]})
    return render_to_string(
        "activities/_unit_quota.html", {"blocks": blocks, "unit": unit}, request=request
    )
