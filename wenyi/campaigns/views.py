from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wenyi.campaigns.queries import campaign_with_rules, campaigns_visible_to
from wenyi.core import clock
from wenyi.core.permissions import visible_or_404


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = campaigns_visible_to(request.user).prefetch_related("stages")
    return render(request, "campaigns/list.html", {"campaigns": campaigns, "today": clock.today()})


@login_required
def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = visible_or_404(campaign_with_rules(campaigns_visible_to(request.user)), slug=slug)
    today = clock.today()
    stages = [
        {"stage": s, "current": s.start <= today <= s.end, "past": s.end < today}
        for s in campaign.stages.all()
    ]
    categories = list(campaign.work_categories.all())
    top_categories = [
        {"category": c, "children": [k for k in categories if k.parent_id == c.pk]}
        for c in categories
        if c.parent_id is None
    ]
    return render(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "stages": stages,
            "ended": today > campaign.end,
            "not_started": today < campaign.start,
            "top_categories": top_categories,
            "today": today,
        },
    )
