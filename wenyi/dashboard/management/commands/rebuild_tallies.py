"""`wenyi rebuild-tallies [SLUG…]`: recount every roll-up from the raw rows.

All roll-ups the dashboards read are rebuilt from scratch (`dashboard.rollups.rebuild`):
the quota tallies and the monthly ones of the verified activities
(`activities.Tally`, `activities.MonthTally`), the submitted works per unit and art
form and per unit and author (`works.WorkTally`, `works.AuthorTally`) and each review
round's entries, scored entries and results (`review.RoundTally`). The services keep
them up to date; this is for after a restore from backup, a manual database repair,
data written in bulk (the benchmarks, scale demo data) or a metric whose type the
campaign file changed.
"""

from django.core.management.base import BaseCommand, CommandError

from wenyi.campaigns.models import Campaign
from wenyi.dashboard.rollups import rebuild


class Command(BaseCommand):
    help = (
        "Rebuild from scratch the roll-ups of the given campaigns (default: all): the "
        "verified activities per unit and type and per month, the submitted works per "
        "art form and author, and each review round's progress."
    )

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
            rows = rebuild(campaign)
            self.stdout.write(
                f"{campaign.slug}: {rows.tallies} 条统计、{rows.month_tallies} 条月度统计、"
                f"{rows.work_tallies} 条作品统计、{rows.rounds} 个评审轮次已重建 "
                "(tallies, month tallies, work tallies, rounds rebuilt)"
            )
