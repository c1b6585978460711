"""Today's date as the campaign sees it.

`WENYI_TODAY` pretends a date (demos and training walk into a 2014 campaign in
progress); production leaves it empty and gets the real local date.
"""

import datetime

from django.conf import settings
from django.utils import timezone


def today() -> datetime.date:
    return settings.WENYI_TODAY or timezone.localdate()
