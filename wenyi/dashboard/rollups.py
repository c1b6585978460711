"""Every roll-up the dashboards read, rebuilt together: the activities' (`Tally`,
`MonthTally`), the works' (`WorkTally`, `AuthorTally`) and the review's (`RoundTally`).
Each app keeps its own in the transactions that change what it counts; this is for
`wenyi rebuild-tallies` and for data written in bulk (`wenyi demo-data`)."""

from dataclasses import dataclass

from django.db import transaction

from wenyi.activities.services import rebuild_tallies
from wenyi.campaigns.models import Campaign
from wenyi.review import tallies as review_tallies
from wenyi.works import tallies as work_tallies


@dataclass(frozen=True)
class Rebuilt:
    tallies: int
    month_tallies: int
    work_tallies: int
    rounds: int


@transaction.atomic
def rebuild(campaign: Campaign) -> Rebuilt:
    """Recount every roll-up of `campaign` from its raw rows, in one transaction."""
    activities = rebuild_tallies(campaign)
    return Rebuilt(
        tallies=activities.tallies,
        month_tallies=activities.month_tallies,
        work_tallies=work_tallies.rebuild(campaign),
        rounds=review_tallies.rebuild(campaign),
    )
