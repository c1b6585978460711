"""`wenyi restore FILE`: a backup made by `wenyi backup` into this empty instance, on
SQLite or PostgreSQL whichever made it (wenyi.site.backup)."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from wenyi.site.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore FILE (made by `wenyi backup`) into this instance, which must be empty "
        "(a fresh WENYI_DATA_DIR or database); rows and files are checked afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")

    def handle(self, *args, file: str, **options):
        try:
            done = restore(file, progress=lambda line: print(line, file=sys.stderr, flush=True))
        except BackupError as error:
            raise CommandError(str(error)) from error
        for note in done.notes:
            self.stderr.write(note)
        self.stdout.write(
            _("Restored %(rows)s rows and %(files)s uploaded files.")
            % {"rows": f"{sum(done.rows.values()):,}", "files": f"{done.files:,}"}
        )
