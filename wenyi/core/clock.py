"""One clock for the whole app: the real one, or a pretended date (`WENYI_TODAY`).

`WENYI_TODAY` pretends a date: demos and training walk into a 2014 campaign in progress.
Then every moment the app takes — a report's submission, a verification, an audit
entry, a notice, a record's `created_at` — falls on that date, at the real time of day,
so nothing shown or stored lies after the pretended today. `install()` (run when the app
starts) makes Django's `timezone.now()` follow it, which is what `auto_now` fields,
sessions and the task queue read; production leaves the variable empty and nothing moves.
"""

import datetime

from django.conf import settings
from django.utils import timezone

_real_now = timezone.now


def today() -> datetime.date:
    return settings.WENYI_TODAY or timezone.localdate(_real_now())


def now() -> datetime.datetime:
    """The current moment (aware, local time); under WENYI_TODAY, today's time of day on
    the pretended date."""
    moment = timezone.localtime(_real_now())
    pretend = settings.WENYI_TODAY
    if pretend:
        moment = moment.replace(year=pretend.year, month=pretend.month, day=pretend.day)
    return moment


def _now_for_django() -> datetime.datetime:
    if not settings.WENYI_TODAY:
        return _real_now()
    return now().astimezone(datetime.UTC) if settings.USE_TZ else now().replace(tzinfo=None)


def install() -> None:
    """Make `django.utils.timezone.now()` follow this clock (idempotent)."""
    timezone.now = _now_for_django
