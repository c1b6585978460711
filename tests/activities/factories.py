"""Activities for tests, made through the service so derived fields are right."""

import datetime
import itertools

from tests.factories import ActivityTypeFactory, CampaignFactory
from wenyi.activities import services
from wenyi.activities.models import Activity

_numbers = itertools.count(1)


def make_activity(
    actor, unit, *, campaign=None, type_=None, participants=(), **overrides
) -> Activity:
    """A draft activity of `unit`, recorded by `actor`, in a fresh campaign by default."""
    campaign = campaign or (type_.campaign if type_ else CampaignFactory())
    type_ = type_ or ActivityTypeFactory(campaign=campaign)
    n = next(_numbers)
    fields = {
        "title": f"送文化进企业{n}",
        "start_date": datetime.date(2014, 7, 1) + datetime.timedelta(days=n % 150),
        "place": f"某机械厂车间{n}",
    }
    fields.update(overrides)
    return services.create_activity(
        actor, campaign=campaign, unit=unit, type=type_, participants=participants, **fields
    )
