"""The days of a public-notice window: working days by China's holiday calendar
(chinese-calendar), the office's own closed days, calendar days, and the refusal to
guess a year the calendar does not know."""

import datetime

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wenyi.core.workdays import UnknownYear, days_left, is_workday, window

D = datetime.date


# -- is_workday ---------------------------------------------------------------------


def test_is_workday_follows_the_statutory_calendar():
    assert is_workday(D(2014, 9, 30))  # Tuesday
    assert not is_workday(D(2014, 9, 27))  # Saturday
    assert not is_workday(D(2014, 10, 1))  # National Day
    assert not is_workday(D(2014, 10, 7))
    assert is_workday(D(2014, 9, 28))  # Sunday, a make-up working day (调休)
    assert is_workday(D(2014, 10, 11))  # Saturday, a make-up working day
    assert not is_workday(D(2014, 9, 8))  # Monday, Mid-Autumn Festival


def test_is_workday_leaves_out_the_offices_closed_days():
    assert not is_workday(D(2014, 9, 30), closed={D(2014, 9, 30)})
    assert is_workday(D(2014, 9, 30), closed={D(2014, 9, 29)})


# -- window: working days ------------------------------------------------------------


def test_window_across_a_weekend_skips_saturday_and_sunday():
    # Thursday 2014-11-06 + 5 working days: Thu, Fri, Mon, Tue, Wed
    assert window(D(2014, 11, 6), 5, working=True) == (D(2014, 11, 6), D(2014, 11, 12))


def test_window_starting_on_a_weekend_begins_on_monday():
    assert window(D(2014, 11, 8), 1, working=True) == (D(2014, 11, 10), D(2014, 11, 10))


def test_window_across_national_day_2014_skips_the_holiday_and_counts_the_make_up_saturday():
    # Tue 09-30, then 10-01..07 off, Wed 10-08, Thu 10-09, Fri 10-10, Sat 10-11 (调休)
    assert window(D(2014, 9, 30), 5, working=True) == (D(2014, 9, 30), D(2014, 10, 11))


def test_window_counts_the_make_up_sunday_before_national_day():
    # Sat 09-27 is off; Sun 09-28 is a working day, so the window starts there
    assert window(D(2014, 9, 27), 3, working=True) == (D(2014, 9, 28), D(2014, 9, 30))


def test_window_starting_in_the_holiday_begins_after_it():
    assert window(D(2014, 10, 1), 1, working=True) == (D(2014, 10, 8), D(2014, 10, 8))


def test_window_skips_the_offices_closed_days():
    closed = {D(2014, 11, 7), D(2014, 11, 10)}  # Friday and the Monday after

    # Thu 11-06, Tue 11-11, Wed 11-12, Thu 11-13, Fri 11-14
    assert window(D(2014, 11, 6), 5, working=True, closed=closed) == (
        D(2014, 11, 6),
        D(2014, 11, 14),
    )


def test_window_does_not_begin_on_a_closed_day():
    first, last = window(D(2014, 11, 6), 2, working=True, closed=[D(2014, 11, 6)])

    assert (first, last) == (D(2014, 11, 7), D(2014, 11, 10))


# -- window: calendar days -----------------------------------------------------------


def test_window_of_calendar_days_counts_every_day():
    assert window(D(2014, 9, 30), 7, working=False) == (D(2014, 9, 30), D(2014, 10, 6))


def test_window_of_calendar_days_ignores_closed_days():
    closed = {D(2014, 9, 30), D(2014, 10, 1)}

    assert window(D(2014, 9, 30), 7, working=False, closed=closed) == (
        D(2014, 9, 30),
        D(2014, 10, 6),
    )


@pytest.mark.parametrize("working", [True, False])
@pytest.mark.parametrize("length", [0, -3])
def test_window_refuses_a_length_below_one(length, working):
    with pytest.raises(ValueError, match="至少为 1 天"):
        window(D(2014, 11, 6), length, working=working)


# -- years the calendar does not know ------------------------------------------------


def _last_known_year() -> int:
    year = 2026
    while True:
        try:
            chinese_calendar.is_workday(D(year + 1, 1, 5))
        except NotImplementedError:
            return year
        year += 1


def test_unknown_year_is_refused_with_the_year_in_the_message():
    year = _last_known_year() + 5  # 2031 with chinese-calendar 1.11

    with pytest.raises(UnknownYear) as error:
        window(D(year, 3, 2), 5, working=True)

    assert error.value.year == year
    assert str(error.value) == (
        f"日历中没有 {year} 年的法定节假日安排，无法按工作日计算；"
        "请改按自然日计算或升级 chinese-calendar。"
    )
    assert isinstance(error.value, ValueError)


def test_window_running_into_an_unknown_year_is_refused_for_that_year():
    last = _last_known_year()

    with pytest.raises(UnknownYear) as error:
        window(D(last, 12, 28), 10, working=True)

    assert error.value.year == last + 1


def test_calendar_days_need_no_holiday_calendar():
    year = _last_known_year() + 5

    assert window(D(year, 3, 2), 7, working=False) == (D(year, 3, 2), D(year, 3, 8))


def test_is_workday_refuses_an_unknown_year():
    with pytest.raises(UnknownYear, match="2003 年"):
        is_workday(D(2003, 5, 6))


# -- days_left -----------------------------------------------------------------------


def test_days_left_counts_the_working_days_from_today_to_the_last():
    first, last = window(D(2014, 9, 30), 5, working=True)

    assert days_left(first, last, working=True) == 5
    assert days_left(D(2014, 10, 3), last, working=True) == 4  # in the holiday
    assert days_left(last, last, working=True) == 1
    assert days_left(last + datetime.timedelta(days=1), last, working=True) == 0


def test_days_left_of_calendar_days_counts_every_day():
    assert days_left(D(2014, 10, 1), D(2014, 10, 6), working=False) == 6
    assert days_left(D(2014, 10, 7), D(2014, 10, 6), working=False) == 0


# -- the property --------------------------------------------------------------------


@given(
    start=st.dates(min_value=D(2014, 1, 1), max_value=D(2025, 12, 31)),
    length=st.integers(min_value=1, max_value=10),
    closed=st.sets(st.dates(min_value=D(2014, 1, 1), max_value=D(2026, 3, 31)), max_size=5),
)
def test_window_holds_exactly_length_working_days_and_ends_on_working_days(start, length, closed):
    first, last = window(start, length, working=True, closed=closed)

    span = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
    assert start <= first
    assert is_workday(first, closed) and is_workday(last, closed)
    assert sum(is_workday(day, closed) for day in span) == length
    # nothing counts between start and the first day
    before = [start + datetime.timedelta(days=n) for n in range((first - start).days)]
    assert not any(is_workday(day, closed) for day in before)
    assert days_left(first, last, working=True, closed=closed) == length


@given(
    start=st.dates(min_value=D(2014, 1, 1), max_value=D(2025, 12, 31)),
    length=st.integers(min_value=1, max_value=10),
)
def test_calendar_window_holds_exactly_length_days(start, length):
    first, last = window(start, length, working=False)

    assert first == start
    assert (last - first).days + 1 == length
