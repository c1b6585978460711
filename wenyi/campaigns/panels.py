"""What campaigns add to other apps' pages (see core.panels)."""

from django.http import HttpRequest
from django.template.loader import render_to_string

from wenyi.campaigns.models import LeadingGroup
from wenyi.campaigns.participation import campaigns_of
from wenyi.campaigns.queries import campaigns_visible_to
from wenyi.core import clock, panels
from wenyi.core.permissions import allowed


@panels.register("orgs.unit", order=20)
def unit_leading_groups(request: HttpRequest, unit) -> str:
    """Whether the unit has registered its leading group (R2) in each campaign it takes
    part in (campaigns.participation)."""
    groups = {g.campaign_id: g for g in LeadingGroup.objects.filter(unit=unit)}
    campaigns = campaigns_visible_to(request.user) & campaigns_of(unit, today=clock.today())
    rows = [{"campaign": c, "group": groups.get(c.pk)} for c in campaigns]
    if not rows:
        return ""
    return render_to_string(
        "campaigns/_unit_leading_groups.html",
        {
            "rows": rows,
            "unit": unit,
            "can_manage": allowed(request.user, "campaigns.manage_leading_group", unit),
        },
        request=request,
    )
