"""The start page and what the navigation bar needs (site is the top layer: it may
read every app)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from wenyi.campaigns.models import Campaign


def newest_campaign() -> Campaign | None:
    return Campaign.objects.order_by("-year", "-start").first()


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Straight into the newest campaign; the list when there is none."""
    campaign = newest_campaign()
    if campaign is None:
        return redirect("campaigns:list")
    return redirect("campaigns:detail", slug=campaign.slug)


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "pretend_today": settings.WENYI_TODAY,
        # the rules decide what the menu offers (as they decide what the pages allow)
        "nav_is_office": signed_in and user.has_perm("core.view_audit"),
        "nav_is_manager": signed_in and user.has_perm("orgs.list_people"),
        "nav_campaign": newest_campaign() if signed_in else None,
        "nav_unread": (user.notifications.filter(read_at__isnull=True).count() if signed_in else 0),
    }
