"""Background work for reporting: the daily reminder run.

`send_daily_reminders` sends what is due today and queues its own next run for 08:00
tomorrow (settings.TIME_ZONE), so the database queue always holds one future run.
`ensure_daily_reminders` starts that chain when it is missing (`wenyi
schedule-reminders`, called by setup and serve). Sending twice is harmless: every
reminder is claimed before it is sent (`wenyi.reporting.reminders`).
"""

import datetime
import logging
import zoneinfo

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus, task

from wenyi.core import clock
from wenyi.reporting import reminders

logger = logging.getLogger(__name__)

RUN_AT = datetime.time(8, 0)


@task()
def send_daily_reminders() -> dict:
    """Send today's reminders, then queue tomorrow's run."""
    try:
        return reminders.send_reminders(clock.today()).as_dict()
    finally:
        # even after a failure: one bad day must not end the daily chain
        schedule_next()


def next_run(now: datetime.datetime | None = None) -> datetime.datetime:
    """08:00 tomorrow, local time."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    local = (now or timezone.now()).astimezone(zone)
    return datetime.datetime.combine(local.date() + datetime.timedelta(days=1), RUN_AT, zone)


def _is_queued() -> bool:
    """Whether a run waits in the database queue (only the database backend can tell)."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=send_daily_reminders.module_path, status=TaskResultStatus.READY
    ).exists()


def _uses_database_queue() -> bool:
    from django_tasks_db import DatabaseBackend

    return isinstance(send_daily_reminders.get_backend(), DatabaseBackend)


def schedule_next() -> bool:
    """Queue the run for 08:00 tomorrow unless one is queued already.

    A backend that cannot defer (the ImmediateBackend of the tests) would run it
    on the spot, and that run would schedule the next, without end: skip it there.
    """
    if not send_daily_reminders.get_backend().supports_defer or not _uses_database_queue():
        return False
    if _is_queued():
        return False
    send_daily_reminders.using(run_after=next_run()).enqueue()
    return True


def ensure_daily_reminders() -> str:
    """Start the daily chain when no run is queued: one run now (it sends what is due
    today, which is harmless if it was sent already), and it queues the next.

    Returns "queued", "present" or "unsupported" (not the database queue: run
    `wenyi remind` from cron instead).
    """
    if not _uses_database_queue():
        return "unsupported"
    if _is_queued():
        return "present"
    send_daily_reminders.enqueue()
    return "queued"
