"""Counting the days of a public-notice window (公示期).

A 公示 puts a decision (the shortlisted works, the awards) before the public for a
fixed number of days, during which anyone may object. Two rules are common: "不少于
5 个工作日" (working days: weekends and statutory holidays do not count, make-up
working weekends do) and "7 天" (calendar days: every day counts). A campaign file
chooses one (`[public_notice]`, docs/campaign-format.md); `window` turns its rule and
a first day into the window's first and last day.

Working days come from chinese-calendar (`chinese_calendar.is_workday`), which holds
the State Council's yearly holiday notices: 2014-10-01..07 (National Day) are off,
Sunday 2014-09-28 and Saturday 2014-10-11 (调休) are working days. An office may
close on further days of its own (a local holiday): a campaign lists them as
`closed` days, which do not count either.

The package knows only the years whose notice it was built with (1.11: 2004–2026).
For any other year it raises NotImplementedError, and so do we, as `UnknownYear`: a
guessed holiday would move a legal deadline, so we never guess. The message says
what to do instead (count calendar days, or upgrade the package once the State
Council has published that year's arrangement, usually in November of the year
before).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

import chinese_calendar
from django.utils.translation import gettext as _


class UnknownYear(ValueError):
    """The calendar has no holiday arrangement for `year`: working days cannot be told."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            _(
                "The calendar holds no statutory holiday arrangement for %(year)s, so working "
                "days cannot be counted: count calendar days instead, or upgrade "
                "chinese-calendar."
            )
            % {"year": year}
        )


def is_workday(day: datetime.date, closed: Iterable[datetime.date] = frozenset()) -> bool:
    """Whether `day` is a working day: not a weekend or statutory holiday unless it is
    a make-up working day (调休), and not one of the office's `closed` days.

    Raises UnknownYear for a year the calendar does not cover."""
    try:
        working = chinese_calendar.is_workday(day)
    except NotImplementedError:
        raise UnknownYear(day.year) from None
    return working and day not in closed


def window(
    start: datetime.date,
    length: int,
    *,
    working: bool,
    closed: Iterable[datetime.date] = (),
) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a window of `length` days beginning on or after
    `start`.

    Working days: the first working day on or after `start`, and the `length`-th
    working day counted from it (itself the first), so the window holds exactly
    `length` working days. Calendar days: `start` to `start + length - 1`; `closed`
    days make no difference there.

    Raises ValueError when `length` is below 1, UnknownYear when a day the count
    passes lies in a year the calendar does not cover."""
    if length < 1:
        raise ValueError(_("A public notice lasts at least 1 day (not %(n)s).") % {"n": length})
    if not working:
        return start, start + datetime.timedelta(days=length - 1)
    closed = frozenset(closed)
    day, first, counted = start, None, 0
    while True:
        if is_workday(day, closed):
            first = first or day
            counted += 1
            if counted == length:
                return first, day
        day += datetime.timedelta(days=1)


def days_left(
    today: datetime.date,
    last: datetime.date,
    *,
    working: bool,
    closed: Iterable[datetime.date] = (),
) -> int:
    """How many days of a window ending on `last` are still to come, `today` included
    (working days or calendar days, as the window counts them); 0 once `last` has
    passed. For "公示还剩 3 个工作日"."""
    if today > last:
        return 0
    if not working:
        return (last - today).days + 1
    closed = frozenset(closed)
    span = (last - today).days + 1
    days = (today + datetime.timedelta(days=n) for n in range(span))
    return sum(1 for day in days if is_workday(day, closed))
