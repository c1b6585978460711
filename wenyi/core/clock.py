"""Today's date as the campaign sees it.

`WENYI_TODAY` pretends a date (demos and training walk into a 2014 campaign in
progress); production leaves it empty and gets the real local date.
"""

import datetime

from django.conf import settings
from django.utils import timezone


def today() -> datetime.date:
    return settings.WENYI_TODAY or timezone.localdate()


def now() -> datetime.datetime:
    """The current moment; under WENYI_TODAY, today's time of day on the pretended date,
    so a report sent in a demo or a training session is judged against that day."""
    moment = timezone.localtime()
    if settings.WENYI_TODAY:
        moment = moment.replace(
            year=settings.WENYI_TODAY.year,
            month=settings.WENYI_TODAY.month,
            day=settings.WENYI_TODAY.day,
        )
    return moment
