"""`wenyi schedule-reminders`: make sure the daily reminder run is queued.

Called by `wenyi setup` and `wenyi serve`; safe to run any number of times.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from wenyi.reporting.tasks import RUN_AT, ensure_daily_reminders


class Command(BaseCommand):
    help = "Queue the daily report reminders if they are not queued yet."

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            state = ensure_daily_reminders()
            if state == "unsupported":
                self.stdout.write(
                    _("The task backend cannot schedule; run `wenyi remind` daily from cron.")
                )
            else:
                # queued now or already waiting: the same for whoever reads it
                self.stdout.write(
                    _("Report reminders: sent every day at %(time)s.")
                    % {"time": RUN_AT.strftime("%H:%M")}
                )
