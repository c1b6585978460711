"""A login's in-app notices (reminders, returned reports): list, open, mark read.

Every query goes through `request.user.notifications`: someone else's notice is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wenyi.core.enums import NoticeKind
from wenyi.core.models import NoticeSetting
from wenyi.core.notify import address_of

PER_PAGE = 30


def _safe(request: HttpRequest, url: str) -> str | None:
    """The URL if it stays on this site, else None."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    page = Paginator(request.user.notifications.all(), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect(_safe(request, request.POST.get("next", "")) or "core:notifications")


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    # a GET with a side effect, like a link in an e-mail: marking read is idempotent
    notice = get_object_or_404(request.user.notifications, pk=pk)
    if notice.read_at is None:
        request.user.notifications.filter(pk=notice.pk).update(read_at=timezone.now())
    return redirect(_safe(request, notice.url) or "core:notifications")


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    """Which kinds of notice also come by e-mail (the notice in the app always comes)."""
    off = set(request.user.notice_settings.filter(email=False).values_list("kind", flat=True))
    if request.method == "POST":
        wanted = set(request.POST.getlist("email"))
        with transaction.atomic():
            for kind in NoticeKind.values:
                NoticeSetting.objects.update_or_create(
                    user=request.user, kind=kind, defaults={"email": kind in wanted}
                )
        messages.success(request, _("Saved."))
        return redirect("core:notification_settings")
    rows = [
        {"kind": kind, "label": label, "email": kind not in off}
        for kind, label in NoticeKind.choices
    ]
    return render(
        request,
        "core/notification_settings.html",
        {"rows": rows, "address": address_of(request.user)},
    )


urlpatterns = [
    path("notifications/settings/", notification_settings, name="notification_settings"),
    path("notifications/", notifications, name="notifications"),
    path("notifications/read/", notifications_read, name="notifications_read"),
    path("notifications/<int:pk>/", notification_open, name="notification_open"),
]
