"""What `wenyi import-people` and `wenyi import-activities` share.

The file is imported in this process (the same job and runner as an upload, see
core.imports), as the login named by --user would upload it, printing the progress.
On any problem every problem goes to stderr, nothing is imported and the exit status
is 1.
"""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from wenyi.core import imports
from wenyi.core.enums import ImportStatus
from wenyi.core.models import ImportJob
from wenyi.core.sheets import SheetError


class ImportCommand(BaseCommand):
    kind: str  # the ImportKind
    user_help: str  # what --user is, for --help

    def create_parser(self, prog_name: str, subcommand: str, **kwargs):
        # argparse formats the description with re, which needs a str, not a lazy text
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", metavar="FILE", help=_("the .xlsx file"))
        parser.add_argument("--user", required=True, metavar="USERNAME", help=str(self.user_help))

    def job_options(self, **options: Any) -> dict[str, Any]:
        """The job's options from the command's own arguments (CommandError if wrong)."""
        return {}

    def handle(self, *args, file: str, user: str, **options: Any) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        job_options = self.job_options(**options)
        login = get_user_model().objects.filter(username=user, is_active=True).first()
        if login is None:
            raise CommandError(_("No active login %(username)s.") % {"username": user})

        job = ImportJob.objects.create(
            kind=self.kind, created_by=login, original_name=path.name[:255], options=job_options
        )
        with path.open("rb") as handle:
            job = imports.process(job.pk, file=handle, progress=self._progress)
        if job.status != ImportStatus.DONE:
            for error in job.errors:
                self.stderr.write(str(SheetError.from_dict(error)))
            raise CommandError(job.message, returncode=1)
        self.stdout.write(self.style.SUCCESS(job.message))

    def _progress(self, done: int, total: int) -> None:
        if total >= done:
            self.stdout.write(
                _("Checked %(done)s of %(total)s rows") % {"done": done, "total": total}
            )
        else:  # the file did not say how many rows it has
            self.stdout.write(_("Checked %(done)s rows") % {"done": done})
