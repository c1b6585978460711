"""Wrong passwords are throttled per login and per address (django-axes).

- Per login: after `WENYI_LOGIN_FAILURES` wrong passwords (default 5) within the cool-off
  time, that login cannot sign in from anywhere until the cool-off has passed since the
  last failure. A mobile number counts as the login it signs in (one login, one count).
- Per address: after `WENYI_LOGIN_FAILURES_PER_ADDRESS` (default 30) failures from one
  address, whatever the logins, that address is held off too. The limit is higher
  because a whole union office often shares one address.

Every failure and every sign-in is logged (axes' access logs). The office unlocks a
login early from the lockouts page (`views_security`).
"""

import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyi.core.forms import LoginForm


def canonical_login(request: HttpRequest, credentials: dict | None) -> str | None:
    """The login name the throttle counts under: a mobile number becomes the login name
    of the person it belongs to, so switching between the two does not double the tries."""
    from django.contrib.auth import get_user_model

    from wenyi.orgs.models import Person

    raw = (credentials or {}).get("username")
    if raw is None and request is not None and request.method == "POST":
        raw = request.POST.get("username")
    if raw is None:
        return None
    raw = str(raw).strip()[:150]
    if not raw or get_user_model().objects.filter(username=raw).exists():
        return raw
    owner = Person.objects.filter(mobile=raw, user__isnull=False).select_related("user").first()
    return owner.user.get_username() if owner else raw


def client_address(request: HttpRequest) -> str | None:
    """The client's address: behind `WENYI_TRUSTED_PROXIES` reverse proxies, the address
    the outermost trusted proxy saw (X-Forwarded-For read from the right, where a client
    cannot forge it); otherwise the peer address."""
    count = settings.WENYI_TRUSTED_PROXIES
    if count:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR")


class LoginThrottle(AxesDatabaseHandler):
    """axes' database handler with a limit per login and a higher one per address.

    axes compares one failure count against one limit (AXES_FAILURE_LIMIT, the per-login
    limit here); an address past its own limit reports the per-login limit as its count.
    """

    def get_failures(self, request, credentials=None) -> int:
        by_login, by_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if by_address >= settings.WENYI_LOGIN_FAILURES_PER_ADDRESS:
            return max(by_login, settings.AXES_FAILURE_LIMIT)
        return by_login


def unlocks_at(username: str | None, address: str | None) -> datetime.datetime | None:
    """When the lockout of this login or address ends (the cool-off after its last failure)."""
    cool_off = get_cool_off()
    if cool_off is None:
        return None
    last = None
    for field, value in (("username", username), ("ip_address", address)):
        if value:
            found = AccessAttempt.objects.filter(**{field: value}).aggregate(t=Max("attempt_time"))
            if found["t"] and (last is None or found["t"] > last):
                last = found["t"]
    return (last or timezone.now()) + cool_off


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """The login page again, status 429, saying in Chinese when to try again."""
    username = get_client_username(request, credentials)
    until = timezone.localtime(unlocks_at(username, client_address(request)) or timezone.now())
    minutes = max(1, int((until - timezone.now()).total_seconds() + 59) // 60)
    message = _(
        "Too many wrong passwords. Sign-in is paused until %(time)s (in about %(minutes)d "
        "minutes). Forgot your password? Reset it by e-mail below, or ask your campaign "
        "office to unlock your login."
    ) % {"time": f"{until:%H:%M}", "minutes": minutes}
    form = LoginForm(request, initial={"username": request.POST.get("username", "")[:150]})
    return render(
        request,
        "registration/login.html",
        {"form": form, "lockout_message": message},
        status=429,
    )
