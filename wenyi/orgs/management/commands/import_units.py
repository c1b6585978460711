"""`wenyi import-units FILE [--user USERNAME] [--dry-run]`.

Imports a unit workbook (the format of the template the units page offers: 代码, 名称,
类别, 上级代码, …) in this process, printing its progress. With --user the rows are
checked as that login would upload them (only its area; the same job as an upload).
Without, the import runs as the system: every unit, and new trees — how a fresh install
gets its top unit and tree without the admin. --dry-run checks the file and says what
the import would do, saving nothing. On any problem every problem goes to stderr,
nothing is imported and the exit status is 1.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from wenyi.core.enums import ImportKind
from wenyi.core.import_command import ImportCommand
from wenyi.orgs.units_import import done_message, import_file


class Command(ImportCommand):
    help = gettext_lazy(
        "Import the unit tree from an .xlsx file made from the unit template (or exported "
        "from the units page)."
    )
    kind = ImportKind.UNITS
    user_help = gettext_lazy(
        "the login the units are imported by (without it: the system, which may start a tree)"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", metavar="FILE", help=_("the .xlsx file"))
        parser.add_argument("--user", metavar="USERNAME", help=self.user_help)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=gettext_lazy("check the file and say what would change; save nothing"),
        )

    def handle(self, *args, file: str, user: str | None, dry_run: bool, **options: Any) -> None:
        if user and not dry_run:
            # the same job and runner as an upload, as that login
            return super().handle(*args, file=file, user=user, **options)
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        actor = None
        if user:
            from django.contrib.auth import get_user_model

            actor = get_user_model().objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(_("No active login %(username)s.") % {"username": user})
        result = import_file(path, actor=actor, progress=self._progress, dry_run=dry_run)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            count = len(result.errors)
            message = ngettext(
                "Nothing was imported: the file has %(count)s problem. Fix it and upload the "
                "file again.",
                "Nothing was imported: the file has %(count)s problems. Fix them and upload "
                "the file again.",
                count,
            )
            raise CommandError(message % {"count": count}, returncode=1)
        self.stdout.write(self.style.SUCCESS(done_message(result, dry_run=dry_run)))
