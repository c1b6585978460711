"""`wenyi backup FILE`: the whole instance — database, uploaded files, campaign files —
into one tar file, consistent while the app runs (wenyi.site.backup)."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from wenyi.site.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database, the uploaded files and the campaign files into FILE "
        "(.tar, .tar.gz or .tgz), safely while the app runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")

    def handle(self, *args, file: str, **options):
        try:
            made = backup(file, progress=lambda line: print(line, file=sys.stderr, flush=True))
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(made.rows.values())
        self.stdout.write(
            _("%(path)s: %(rows)s rows, %(files)s uploaded files, %(mb)s MB in all.")
            % {
                "path": made.path,
                "rows": f"{rows:,}",
                "files": f"{made.files:,}",
                "mb": f"{made.size / 1e6:.1f}",
            }
        )
