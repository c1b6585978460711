"""`wenyi serve`: the production web server (gunicorn) and one task worker, together.

Static files are served by the app itself (WhiteNoise), so no other web server is
needed on the embedded default; they are collected first (hashed names, gzip copies),
so a server started without `wenyi setup` after an upgrade still names files that
exist. DEBUG is always off here.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from wenyi.env import env_int


class Command(BaseCommand):
    help = "Run the web server (gunicorn) and one background task worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="web worker processes (default WENYI_WEB_WORKERS or 2)",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start a task worker (run `wenyi worker` elsewhere)",
        )

    def handle(self, *args, host: str, port: int, workers: int | None, no_worker: bool, **options):
        workers = workers or env_int("WENYI_WEB_WORKERS", 2, minimum=1)
        env = {**os.environ, "WENYI_DEBUG": "0"}
        children: list[subprocess.Popen] = []
        # pages name the hashed files of the manifest that this writes
        call_command("collectstatic", interactive=False, verbosity=0)
        if not no_worker:
            call_command("schedule_reminders", stdout=self.stdout)
        if not no_worker:
            children.append(
                subprocess.Popen(
                    [sys.executable, "-m", "wenyi", "db_worker", "--no-startup-delay"], env=env
                )
            )
        children.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "wenyi.wsgi:application",
                    "--bind",
                    f"{host}:{port}",
                    "--workers",
                    str(workers),
                    "--access-logfile",
                    "-",
                    "--no-control-socket",
                    "--timeout",
                    "120",
                    "--graceful-timeout",
                    "20",
                ],
                env=env,
            )
        )
        with translation.override(settings.LANGUAGE_CODE):
            started = _("Wenyi is running at http://%(host)s:%(port)s/ (Ctrl+C stops it)") % {
                "host": host,
                "port": port,
            }
        self.stdout.write(self.style.SUCCESS(started))

        stopping = False
        failed: subprocess.Popen | None = None

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while not stopping and failed is None:
                failed = next((c for c in children if c.poll() is not None), None)
                time.sleep(0.5)
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=25)
                except subprocess.TimeoutExpired:
                    child.kill()
        if failed is not None and not stopping:
            raise CommandError(
                f"{' '.join(map(str, failed.args[1:4]))} "
                f"stopped unexpectedly with status {failed.returncode}"
            )
