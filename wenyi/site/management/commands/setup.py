"""`wenyi setup [--demo]`: migrate, collect the static files, load every campaign file,
optionally the demo."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Create or upgrade the database, load every file in campaigns/, "
        "and with --demo the demo data."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo", action="store_true", help="also create the demo units, people and logins"
        )

    def handle(self, *args, demo: bool, **options):
        from wenyi.campaigns.loader import CampaignFileError, load_all
        from wenyi.core.audit import backfill_units
        from wenyi.site import demo as demo_data

        call_command("migrate", interactive=False, verbosity=0)
        # audit entries from before entries were filed under their unit (once)
        backfill_units()
        self.stdout.write("数据库已就绪 (database ready)")
        # hashed, gzipped copies of the static files into STATIC_ROOT (pages name them)
        call_command("collectstatic", interactive=False, verbosity=0)
        # the daily reminder run lives in the task queue; queue it if it is not there
        call_command("schedule_reminders", stdout=self.stdout)
        if demo:
            demo_data.build_units(self.stdout)
        try:
            results = load_all(settings.CAMPAIGNS_DIR)
        except CampaignFileError as exc:
            for line in exc.problems:
                self.stderr.write(line)
            raise CommandError(
                "活动定义文件有误，未加载 (a campaign file is invalid; nothing loaded)"
            ) from None
        for result in results:
            self.stdout.write(str(result))
        if demo:
            logins = demo_data.build(self.stdout)
            self.stdout.write("")
            self.stdout.write(self.style.SUCCESS("演示登录 (demo logins):"))
            for row in logins:
                self.stdout.write(f"  {row.username:<14} {row.password:<14} {row.description}")
