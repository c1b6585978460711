"""`wenyi remind [--date YYYY-MM-DD]`: send the report reminders due on a day.

The worker runs this every morning (`wenyi.reporting.tasks.send_daily_reminders`); by
hand it catches up after the mail server was down. Running it twice sends nothing
twice.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from wenyi.core import clock
from wenyi.reporting.enums import ReminderType
from wenyi.reporting.reminders import send_reminders


class Command(BaseCommand):
    help = "Send the reminders for reports due soon or overdue (default: today)."

    def add_arguments(self, parser):
        parser.add_argument("--date", metavar="YYYY-MM-DD", help="the day to remind for")

    def handle(self, *args, date: str | None, **options):
        with translation.override(settings.LANGUAGE_CODE):
            day = self._day(date)
            result = send_reminders(day, stdout=self.stdout)
            counts = {t: result.sent[t] for t in ReminderType}
            self.stdout.write(
                _(
                    "Reminders for %(day)s: before the due date %(before)s, overdue %(overdue)s; "
                    "e-mails %(emails)s, notices %(notices)s."
                )
                % {
                    "day": day.isoformat(),
                    "before": counts[ReminderType.BEFORE],
                    "overdue": counts[ReminderType.OVERDUE],
                    "emails": result.emails,
                    "notices": result.notices,
                }
            )
            if result.unattended:
                self.stdout.write(
                    _("Reports with no coordinator to remind: %(n)s (listed above).")
                    % {"n": len(result.unattended)}
                )
            if result.failed:
                self.stderr.write(
                    _("Reminders that could not be sent: %(n)s; the next run tries again.")
                    % {"n": result.failed}
                )

    def _day(self, value: str | None) -> datetime.date:
        if not value:
            return clock.today()
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise CommandError(
                _("--date: expected a date as YYYY-MM-DD, not %(value)r.") % {"value": value}
            ) from None
