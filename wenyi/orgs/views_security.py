"""Sign-in security for the office: logins and addresses held off for wrong passwords
(see `throttle`), the recent failures, and unlocking a login before its cool-off ends.

An office sees the logins of the people in its subtree; addresses and names that are
nobody's login only the office at the top of a tree (and a superuser) see.
"""

from axes.models import AccessAttempt, AccessFailureLog
from axes.utils import reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wenyi.core import audit, notify
from wenyi.core.enums import AuditAction, NoticeKind
from wenyi.core.permissions import allowed, require
from wenyi.orgs.models import Person
from wenyi.orgs.queries import people_managed_by

SHOWN = 100


def _recent(queryset):
    threshold = timezone.now() - settings.AXES_COOLOFF_TIME
    return queryset.filter(attempt_time__gte=threshold)


def _people_by_login(names) -> dict[str, Person]:
    found = Person.objects.filter(user__username__in=list(names)).select_related("user", "unit")
    return {p.user.get_username(): p for p in found}


@login_required
def logins(request: HttpRequest) -> HttpResponse:
    require(request.user, "orgs.view_sign_in_security")
    user = request.user
    sees_addresses = allowed(user, "orgs.unlock_address")
    managed = set(people_managed_by(user).values_list("pk", flat=True))

    by_login = (
        _recent(AccessAttempt.objects.exclude(username=None))
        .values("username")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .order_by("-last")[:500]
    )
    people = _people_by_login(row["username"] for row in by_login)
    login_rows = []
    for row in by_login:
        person = people.get(row["username"])
        if person is None and not sees_addresses:
            continue
        if (
            person is not None
            and person.pk not in managed
            and not allowed(user, "orgs.view_every_login")
        ):
            continue
        row["person"] = person
        row["locked"] = row["failures"] >= settings.AXES_FAILURE_LIMIT
        row["until"] = row["last"] + settings.AXES_COOLOFF_TIME
        row["can_unlock"] = person is None or allowed(user, "orgs.unlock_login", person)
        login_rows.append(row)

    address_rows = []
    if sees_addresses:
        for row in (
            _recent(AccessAttempt.objects.exclude(ip_address=None))
            .values("ip_address")
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .order_by("-failures")[:SHOWN]
        ):
            row["locked"] = row["failures"] >= settings.WENYI_LOGIN_FAILURES_PER_ADDRESS
            row["until"] = row["last"] + settings.AXES_COOLOFF_TIME
            address_rows.append(row)

    failures = AccessFailureLog.objects.order_by("-attempt_time")
    if not sees_addresses:
        names = people_managed_by(user).exclude(user=None).values("user__username")
        failures = failures.filter(username__in=names)
    return render(
        request,
        "orgs/sign_in_security.html",
        {
            "login_rows": login_rows,
            "address_rows": address_rows,
            "failures": failures[:SHOWN],
            "sees_addresses": sees_addresses,
            "login_limit": settings.AXES_FAILURE_LIMIT,
            "address_limit": settings.WENYI_LOGIN_FAILURES_PER_ADDRESS,
            "cool_off_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
    )


@login_required
@require_POST
def unlock(request: HttpRequest) -> HttpResponse:
    require(request.user, "orgs.view_sign_in_security")
    username = request.POST.get("username", "").strip()
    address = request.POST.get("address", "").strip()
    if username:
        person = _people_by_login([username]).get(username)
        if person is None:
            require(request.user, "orgs.unlock_address")
        else:
            require(request.user, "orgs.unlock_login", person)
        cleared = reset(username=username)
        if person is not None and cleared:
            audit.record(
                request.user,
                AuditAction.UPDATE,
                person,
                changes={"sign_in": [_("paused"), _("unlocked")]},
                note=_("login unlocked after wrong passwords"),
            )
            notify.notify(
                [person.user],
                _("Your login was unlocked by the campaign office; you can sign in again."),
                kind=NoticeKind.ACCOUNT,
            )
        messages.success(request, _("Login %(login)s unlocked.") % {"login": username})
    elif address:
        require(request.user, "orgs.unlock_address")
        reset(ip=address)
        messages.success(request, _("Address %(address)s unlocked.") % {"address": address})
    else:
        messages.error(request, _("Say which login or address to unlock."))
    return redirect("orgs:sign_in_security")
