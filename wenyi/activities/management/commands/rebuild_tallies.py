"""`wenyi rebuild-tallies [SLUG…]`: recount every roll-up from the verified activities.

Both roll-ups are rebuilt from scratch: the quota tallies (`activities.Tally`, per unit
and type, which the quota matrix reads) and the monthly ones (`activities.MonthTally`,
per unit, type and month, which the dashboards read). The services that verify and
unlock keep them up to date; this is for after a restore from backup, a manual
database repair, data written in bulk (the benchmarks, scale demo data) or a metric
whose type the campaign file changed.
"""

from django.core.management.base import BaseCommand, CommandError

from wenyi.activities.services import rebuild_tallies
from wenyi.campaigns.models import Campaign


class Command(BaseCommand):
    help = (
        "Rebuild from scratch the roll-ups of the given campaigns (default: all): the "
        "verified activities and metric totals per unit and type, and per unit, type "
        "and month."
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
            rows = rebuild_tallies(campaign)
            self.stdout.write(
                f"{campaign.slug}: {rows.tallies} 条统计、{rows.month_tallies} 条月度统计已重建 "
                "(tallies, month tallies rebuilt)"
            )
