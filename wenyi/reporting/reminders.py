"""Reminders for reports that are due soon or overdue (issue #4).

For every campaign whose reporting is under way, every report a unit owes
(`deadlines.slots`) and every reporting unit (`campaigns.participation.reporting_units`:
the units at the file's `report_levels`, none retired) that has not submitted it yet:

- a *before* reminder when the due date is today or at most `reminder_days_before`
  days away;
- an *overdue* reminder once the due date has passed (once, not every day).

Each reminder goes to the unit's coordinators as one e-mail and one in-app notice each.
Never twice: the `Reminder` row is the claim, created before anything is sent, and its
unique constraint lets exactly one of two workers running at the same moment create it
(STYLE.md habit 7). A reminder whose e-mail cannot be sent gives its claim back, so a
later run tries again. A unit with no coordinator keeps its claim with no recipients
and is listed in the result, for the office to follow up by hand.

Work is split in two so the race can be reasoned about (and tested): `pending()`
reads what is due and not yet claimed, as this worker sees it now; `deliver()` claims
and sends. `send_reminders()` does both.
"""

import datetime
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from wenyi.campaigns.models import Campaign
from wenyi.campaigns.participation import reporting_units
from wenyi.core.enums import NoticeKind
from wenyi.core.notify import address_of, notify
from wenyi.orgs.enums import Role
from wenyi.orgs.models import Membership, OrgUnit
from wenyi.reporting import deadlines
from wenyi.reporting.enums import MONTHLY, ReminderType, ReportKind
from wenyi.reporting.models import Reminder, Report

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Due:
    """One reminder this worker believes is due and unclaimed."""

    campaign: Campaign
    unit: OrgUnit
    slot: deadlines.Slot
    reminder: str  # ReminderType
    coordinators: tuple[Any, ...]  # users, active, with a coordinator membership at `unit`

    def describe(self) -> str:
        return f"{self.unit.name} {report_name(self.slot)} ({self.slot.due:%Y-%m-%d})"


@dataclass
class Result:
    """What one run did; `remind` prints it, the daily task returns `as_dict()`."""

    sent: Counter = field(default_factory=Counter)  # reminders delivered, per ReminderType
    emails: int = 0  # messages handed to the mail server
    notices: int = 0  # in-app notifications created
    failed: int = 0  # reminders whose e-mail failed; their claims were given back
    skipped: int = 0  # already claimed by another worker
    unattended: list[str] = field(default_factory=list)  # units with no coordinator

    def as_dict(self) -> dict:
        return {
            "sent": {str(k): v for k, v in self.sent.items()},
            "emails": self.emails,
            "notices": self.notices,
            "failed": self.failed,
            "skipped": self.skipped,
            "unattended": list(self.unattended),
        }


def send_reminders(today: datetime.date, *, stdout: TextIO | None = None) -> Result:
    """Send every reminder due on `today` that nobody has sent yet."""
    return deliver(pending(today), stdout=stdout)


# --- what is due ----------------------------------------------------------------------


def campaigns_under_way(today: datetime.date) -> list[Campaign]:
    """Campaigns whose reporting is under way: from the campaign's start (or its first
    reminder window, if earlier) to its end (or the day after its last due date, so the
    last overdue reminder still goes out)."""
    found = []
    for campaign in Campaign.objects.prefetch_related("stages"):
        slots = deadlines.slots(campaign)
        if not slots:
            continue
        first = slots[0].due - datetime.timedelta(days=campaign.reminder_days_before)
        last = slots[-1].due + datetime.timedelta(days=1)
        if min(campaign.start, first) <= today <= max(campaign.end, last):
            found.append(campaign)
    return found


def reminder_for(slot: deadlines.Slot, today: datetime.date, days_before: int) -> str | None:
    """Which reminder a report not yet submitted calls for today, if any."""
    days_left = (slot.due - today).days
    if 0 <= days_left <= days_before:
        return ReminderType.BEFORE
    if days_left < 0:
        return ReminderType.OVERDUE
    return None


def pending(today: datetime.date) -> list[Due]:
    """Reminders due on `today` and not yet claimed, as far as this worker can see."""
    found: list[Due] = []
    for campaign in campaigns_under_way(today):
        found.extend(_pending_in(campaign, today))
    return found


def _pending_in(campaign: Campaign, today: datetime.date) -> list[Due]:
    wanted = [
        (slot, reminder)
        for slot in deadlines.slots(campaign)
        if (reminder := reminder_for(slot, today, campaign.reminder_days_before))
    ]
    if not wanted:
        return []
    # retired units owe nothing from the day they retire (participation)
    units = list(reporting_units(campaign, today=today).order_by("path"))
    if not units:
        return []
    # a few queries per campaign, whatever the number of units and reports
    submitted = set(
        Report.objects.filter(campaign=campaign, first_submitted_at__isnull=False).values_list(
            "unit_id", "kind", "period"
        )
    )
    claimed = set(
        Reminder.objects.filter(campaign=campaign).values_list(
            "unit_id", "kind", "period", "reminder"
        )
    )
    coordinators: dict[int, list] = defaultdict(list)
    memberships = Membership.objects.filter(
        role=Role.COORDINATOR, unit__in=units, user__is_active=True
    ).select_related("user__person")
    for m in memberships.order_by("user__username"):
        coordinators[m.unit_id].append(m.user)
    found = []
    for slot, reminder in wanted:
        for unit in units:
            if (unit.pk, slot.kind, slot.period) in submitted:
                continue
            if (unit.pk, slot.kind, slot.period, reminder) in claimed:
                continue
            found.append(Due(campaign, unit, slot, reminder, tuple(coordinators[unit.pk])))
    return found


# --- claiming and sending ---------------------------------------------------------------


def claim(due: Due, recipients: list[dict]) -> Reminder | None:
    """Create the reminder's row; None when another worker created it first."""
    try:
        # the savepoint keeps an outer transaction usable after the IntegrityError
        with transaction.atomic():
            return Reminder.objects.create(
                campaign=due.campaign,
                unit=due.unit,
                kind=due.slot.kind,
                period=due.slot.period,
                reminder=due.reminder,
                recipients=recipients,
            )
    except IntegrityError:
        return None


def deliver(dues: list[Due], *, stdout: TextIO | None = None) -> Result:
    """Claim each reminder and send it; one mail connection for the whole run."""
    result = Result()
    if not dues:
        return result
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception:
        # no early exit: each message tries to connect again, and a message that
        # cannot be sent gives its claim back
        logger.warning("cannot connect to the mail server", exc_info=True)
    try:
        # a worker has no request: render in the site's language, not the process's
        with translation.override(settings.LANGUAGE_CODE):
            for due in dues:
                _deliver_one(due, connection, result, stdout)
    finally:
        _close_quietly(connection)
    return result


def _close_quietly(connection) -> None:
    """Close the mail connection; after a failure the next message opens a fresh one."""
    try:
        connection.close()
    except Exception:
        logger.warning("closing the mail connection failed", exc_info=True)


def _deliver_one(due: Due, connection, result: Result, stdout: TextIO | None) -> None:
    addresses = [a for a in dict.fromkeys(address_of(u) for u in due.coordinators) if a]
    recipients = [{"user": u.username, "email": address_of(u)} for u in due.coordinators]
    # rendered before claiming: a bug here must not leave a claim behind unsent
    subject, body, path = render(due)
    row = claim(due, recipients)
    if row is None:
        result.skipped += 1
        return
    if not due.coordinators:
        result.unattended.append(due.describe())
        _say(stdout, _("No coordinator to remind: %(what)s") % {"what": due.describe()})
        return
    try:
        # one message to all of the unit's coordinators, sent now: it is sent or not as
        # a whole, which is what the claim can record
        result.notices += notify(
            due.coordinators,
            subject,
            kind=NoticeKind.REMINDER,
            url=path,
            body=body,
            connection=connection,
        )
    except Exception:
        # give the claim back: the next run (tomorrow, or a manual `wenyi remind`)
        # tries again; until then nothing has been sent for it
        logger.exception("reminder e-mail failed: %s", due.describe())
        Reminder.objects.filter(pk=row.pk).delete()
        _close_quietly(connection)
        result.failed += 1
        _say(stdout, _("Could not send: %(what)s") % {"what": due.describe()})
        return
    if addresses:
        result.emails += 1
    result.sent[due.reminder] += 1
    _say(stdout, _("Sent: %(what)s") % {"what": due.describe()})


def _say(stdout: TextIO | None, line: str) -> None:
    if stdout is not None:
        # a command's OutputWrapper adds no second newline to a line that has one
        stdout.write(line + "\n")


# --- the message ---------------------------------------------------------------------------


def report_name(slot: deadlines.Slot) -> str:
    """The report's name as people say it: 2014年8月工作方案, or 活动方案 for a
    once-only report."""
    kind = ReportKind(slot.kind).label
    if slot.kind in MONTHLY:
        return _("%(month)s %(report)s") % {
            "month": date_format(slot.period, "YEAR_MONTH_FORMAT"),
            "report": kind,
        }
    return str(kind)


def report_path(due: Due) -> str:
    return reverse(
        "reporting:open",
        args=[due.campaign.slug, due.unit.code, due.slot.kind, due.slot.period.strftime("%Y-%m")],
    )


def render(due: Due) -> tuple[str, str, str]:
    """Subject, plain-text body and the report's path, in the active language."""
    path = report_path(due)
    values = {
        "unit": due.unit.name,
        "report": report_name(due.slot),
        "due": date_format(due.slot.due, "DATE_FORMAT"),
        "campaign": due.campaign.title,
        "url": settings.SITE_URL.rstrip("/") + path,
    }
    if due.reminder == ReminderType.OVERDUE:
        subject = _("Overdue: %(unit)s, %(report)s (due %(due)s)") % values
        text = _(
            "The %(report)s of %(unit)s for %(campaign)s was due on %(due)s and has not "
            "been submitted. Please submit it as soon as possible."
        )
    else:
        subject = _("Reminder: %(unit)s, %(report)s is due on %(due)s") % values
        text = _(
            "The %(report)s of %(unit)s for %(campaign)s is due on %(due)s and has not "
            "been submitted yet. Please submit it in time."
        )
    body = "\n\n".join(
        [
            _("To the coordinators of %(unit)s:") % values,
            text % values,
            _("Open the report: %(url)s") % values,
            "-- \n" + _("This reminder was sent automatically; please do not reply."),
        ]
    )
    return subject, body + "\n", path
