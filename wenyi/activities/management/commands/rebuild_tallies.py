"""`wenyi rebuild-tallies [SLUG…]`: recount the quota tallies from the verified activities.

The tallies are kept up to date by the services that verify and unlock; this is for
after a restore from backup or a manual database repair.
"""

from django.core.management.base import BaseCommand, CommandError

from wenyi.activities.services import rebuild_tallies
from wenyi.campaigns.models import Campaign


class Command(BaseCommand):
    help = "Recount the verified-activity tallies of the given campaigns (default: all)."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", metavar="SLUG")

    def handle(self, *args, slugs: list[str], **options):
        campaigns = Campaign.objects.all()
        if slugs:
            campaigns = campaigns.filter(slug__in=slugs)
            missing = set(slugs) - set(campaigns.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"没有这些活动 (no such campaign): {', '.join(sorted(missing))}")
        for campaign in campaigns:
            rows = rebuild_tallies(campaign)
            self.stdout.write(f"{campaign.slug}: {rows} 条统计已重建 (tallies rebuilt)")
