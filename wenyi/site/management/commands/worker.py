"""`wenyi worker`: one more background task worker (imports, documents, reminders)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run one background task worker (stop with Ctrl+C or SIGTERM)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="run the queued tasks, then exit")

    def handle(self, *args, batch: bool, **options):
        extra = ["--batch"] if batch else []
        call_command("db_worker", "--no-startup-delay", *extra)
