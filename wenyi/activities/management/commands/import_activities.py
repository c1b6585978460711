"""`wenyi import-activities FILE --campaign SLUG --user USERNAME [--submit]`.

Imports an activity workbook (the format of the template the import page offers) in
this process, printing its progress. The rows are checked as that login would
upload them: only its units and its people. On any problem every problem goes to
stderr, nothing is imported and the exit status is 1.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from wenyi.activities.enums import ImportStatus
from wenyi.activities.excel_import import format_error
from wenyi.activities.import_tasks import process_import
from wenyi.activities.models import ActivityImport
from wenyi.campaigns.models import Campaign


class Command(BaseCommand):
    help = _("Import activities from an .xlsx file made from the campaign's template.")

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help=_("the .xlsx file"))
        parser.add_argument(
            "--campaign",
            required=True,
            metavar="SLUG",
            help=_("the campaign's short name, e.g. linyi-2014"),
        )
        parser.add_argument(
            "--user",
            required=True,
            metavar="USERNAME",
            help=_("the login the activities are recorded by"),
        )
        parser.add_argument(
            "--submit", action="store_true", help=_("submit the imported activities for checking")
        )

    def handle(self, *args, file: str, campaign: str, user: str, submit: bool, **options) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        found = Campaign.objects.filter(slug=campaign).first()
        if found is None:
            raise CommandError(_("No campaign %(slug)s.") % {"slug": campaign})
        login = get_user_model().objects.filter(username=user, is_active=True).first()
        if login is None:
            raise CommandError(_("No active login %(username)s.") % {"username": user})

        job = ActivityImport.objects.create(
            campaign=found, created_by=login, original_name=path.name[:255], submit=submit
        )
        with path.open("rb") as handle:
            job = process_import(job.pk, file=handle, progress=self._progress)
        if job.status != ImportStatus.DONE:
            for error in job.errors:
                self.stderr.write(format_error(error))
            raise CommandError(job.message, returncode=1)
        self.stdout.write(self.style.SUCCESS(job.message))

    def _progress(self, done: int, total: int) -> None:
        if total >= done:
            self.stdout.write(
                _("Checked %(done)s of %(total)s rows") % {"done": done, "total": total}
            )
        else:  # the file did not say how many rows it has
            self.stdout.write(_("Checked %(done)s rows") % {"done": done})
