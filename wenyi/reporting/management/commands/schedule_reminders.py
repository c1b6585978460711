"""`wenyi schedule-reminders`: make sure the daily reminder run is queued.

Called by `wenyi setup` and `wenyi serve`; safe to run any number of times.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from wenyi.reporting.tasks import ensure_daily_reminders


class Command(BaseCommand):
    help = "Queue the daily report reminders if they are not queued yet."

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            state = ensure_daily_reminders()
            if state == "queued":
                self.stdout.write(_("Daily reminders queued: the first run is now."))
            elif state == "present":
                self.stdout.write(_("Daily reminders are already queued."))
            else:
                self.stdout.write(
                    _("The task backend cannot schedule; run `wenyi remind` daily from cron.")
                )
