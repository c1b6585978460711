"""Due dates from the campaign file and when a report counts as on time (Asia/Shanghai)."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from tests.factories import CampaignFactory, StageFactory
from wenyi.reporting import deadlines, services
from wenyi.reporting.enums import ReportKind
from wenyi.reporting.models import Report

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
UTC = datetime.UTC
D = datetime.date


@pytest.fixture(autouse=True)
def _shanghai(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    settings.WENYI_TODAY = None  # the services stamp submissions with the real clock


def _campaign(start, end, *, plan_due_day=5, days_before_end=0, **fields):
    """A campaign whose implementation stage runs from `start` to `end`."""
    campaign = CampaignFactory(
        start=start,
        end=end,
        plan_due_day=plan_due_day,
        progress_due_days_before_month_end=days_before_end,
        implementation_stage_key="run",
        **fields,
    )
    StageFactory(campaign=campaign, key="run", start=start, end=end)
    return campaign


def _at(*args, tz=SHANGHAI) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=tz)


# -- due dates --------------------------------------------------------------------------


def test_due_dates_of_the_2014_campaign_come_from_its_file(linyi):
    assert deadlines.stage_months(linyi) == [
        D(2014, 7, 1),
        D(2014, 8, 1),
        D(2014, 9, 1),
        D(2014, 10, 1),
    ]
    due = {(s.kind, s.period): s.due for s in deadlines.slots(linyi)}
    assert due[(ReportKind.UNIT_PLAN, D(2014, 7, 1))] == D(2014, 7, 31)
    assert due[(ReportKind.MONTHLY_PLAN, D(2014, 8, 1))] == D(2014, 8, 5)
    assert due[(ReportKind.MONTHLY_PROGRESS, D(2014, 8, 1))] == D(2014, 8, 31)
    assert due[(ReportKind.MONTHLY_PROGRESS, D(2014, 9, 1))] == D(2014, 9, 30)
    assert due[(ReportKind.SUMMARY, D(2014, 10, 1))] == D(2014, 10, 15)
    assert len(due) == 1 + 4 * 2 + 1


@pytest.mark.parametrize(
    ("month", "days_before", "due"),
    [
        (D(2016, 2, 1), 0, D(2016, 2, 29)),  # leap year
        (D(2015, 2, 1), 0, D(2015, 2, 28)),
        (D(2016, 2, 1), 2, D(2016, 2, 27)),
        (D(2015, 8, 1), 0, D(2015, 8, 31)),  # 31-day month
        (D(2015, 9, 1), 0, D(2015, 9, 30)),  # 30-day month
        (D(2015, 9, 1), 3, D(2015, 9, 27)),
        (D(2015, 8, 1), 3, D(2015, 8, 28)),
    ],
)
def test_progress_due_at_month_end_less_the_days_the_file_names(db, month, days_before, due):
    campaign = _campaign(
        month, deadlines.month_end(month), days_before_end=days_before, year=month.year
    )
    assert deadlines.due_date(campaign, ReportKind.MONTHLY_PROGRESS, month) == due
    assert deadlines.slot_for(campaign, ReportKind.MONTHLY_PROGRESS, month).due == due


@pytest.mark.parametrize(
    ("month", "due"),
    [
        (D(2016, 2, 1), D(2016, 2, 29)),
        (D(2015, 2, 1), D(2015, 2, 28)),
        (D(2015, 4, 1), D(2015, 4, 30)),
        (D(2015, 5, 1), D(2015, 5, 31)),
    ],
)
def test_plan_due_day_past_the_month_end_falls_on_its_last_day(db, month, due):
    campaign = _campaign(D(2015, 1, 1), D(2016, 12, 31), plan_due_day=31, year=2015)
    assert deadlines.due_date(campaign, ReportKind.MONTHLY_PLAN, month) == due


def test_stage_months_cover_a_leap_february(db):
    campaign = _campaign(D(2016, 1, 15), D(2016, 3, 10), year=2016)
    assert deadlines.stage_months(campaign) == [D(2016, 1, 1), D(2016, 2, 1), D(2016, 3, 1)]
    february = [s for s in deadlines.slots(campaign) if s.period == D(2016, 2, 1)]
    assert [(s.kind, s.due) for s in february] == [
        (ReportKind.MONTHLY_PLAN, D(2016, 2, 5)),
        (ReportKind.MONTHLY_PROGRESS, D(2016, 2, 29)),
    ]


# -- expected by date ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "count"),
    [
        (D(2014, 6, 30), 0),
        (D(2014, 7, 4), 0),  # before the first due date
        (D(2014, 7, 5), 1),  # July's plan is due today: expected today
        (D(2014, 7, 30), 1),
        (D(2014, 7, 31), 3),  # July progress and the campaign plan
        (D(2014, 8, 4), 3),
        (D(2014, 8, 5), 4),  # the August plan
        (D(2014, 10, 14), 8),
        (D(2014, 10, 15), 9),  # the summary
        (D(2014, 10, 31), 10),
        (D(2015, 1, 1), 10),
    ],
)
def test_expected_counts_the_reports_due_by_the_day(linyi, today, count):
    assert len(deadlines.expected(linyi, today)) == count


# -- on time, in Asia/Shanghai -----------------------------------------------------------


def test_plan_sent_at_2359_beijing_time_on_the_due_day_is_on_time(linyi):
    due = deadlines.due_date(linyi, ReportKind.MONTHLY_PLAN, D(2014, 8, 1))
    assert due == D(2014, 8, 5)
    assert deadlines.is_on_time(due, _at(2014, 8, 5, 23, 59))
    # the same moment written in UTC is still 5 August in Beijing
    assert deadlines.is_on_time(due, _at(2014, 8, 5, 15, 59, tz=UTC))


def test_plan_sent_after_midnight_beijing_time_is_late_though_still_the_due_day_in_utc(linyi):
    due = deadlines.due_date(linyi, ReportKind.MONTHLY_PLAN, D(2014, 8, 1))
    assert not deadlines.is_on_time(due, _at(2014, 8, 6, 0, 30))
    assert not deadlines.is_on_time(due, _at(2014, 8, 5, 16, 30, tz=UTC))  # = 6 Aug 00:30
    assert not deadlines.is_on_time(due, _at(2014, 8, 6, 0, 0))


def test_plan_sent_early_is_on_time(linyi):
    assert deadlines.is_on_time(D(2014, 8, 5), _at(2014, 7, 20, 9, 0))


def test_progress_due_on_the_31st_is_on_time_until_midnight_beijing_time(linyi):
    due = deadlines.due_date(linyi, ReportKind.MONTHLY_PROGRESS, D(2014, 8, 1))
    assert due == D(2014, 8, 31)
    assert deadlines.is_on_time(due, _at(2014, 8, 31, 23, 59, 59))
    assert not deadlines.is_on_time(due, _at(2014, 9, 1, 0, 0, 1))
    # 31 Aug 20:00 UTC is already 1 September in Beijing
    assert not deadlines.is_on_time(due, _at(2014, 8, 31, 20, 0, tz=UTC))


def test_progress_for_a_leap_february_is_on_time_on_the_29th(db):
    campaign = _campaign(D(2016, 2, 1), D(2016, 2, 29), year=2016)
    due = deadlines.due_date(campaign, ReportKind.MONTHLY_PROGRESS, D(2016, 2, 1))
    assert deadlines.is_on_time(due, _at(2016, 2, 29, 22, 0))
    assert not deadlines.is_on_time(due, _at(2016, 3, 1, 0, 5))


def test_summary_is_due_on_the_date_the_file_names(linyi):
    slot = deadlines.slot_for(linyi, ReportKind.SUMMARY, D(2014, 10, 1))
    assert slot.due == D(2014, 10, 15)
    assert deadlines.is_on_time(slot.due, _at(2014, 10, 15, 23, 59))
    assert not deadlines.is_on_time(slot.due, _at(2014, 10, 15, 16, 0, tz=UTC))  # 16 Oct 0:00


# -- through the services -------------------------------------------------------------------


def test_open_report_takes_its_due_date_from_the_campaign(linyi, county_a, office):
    report = services.open_report(office, linyi, county_a, ReportKind.MONTHLY_PLAN, D(2014, 9, 1))
    assert report.due == D(2014, 9, 5)
    assert report.period == D(2014, 9, 1)


def test_first_submission_decides_timeliness(db, county_a, office, coordinator_a):
    today = timezone.localdate()
    start = today.replace(day=1)
    campaign = _campaign(
        start,
        deadlines.month_end(start),
        year=today.year,
        summary_due=today + datetime.timedelta(days=1),
        owner_unit_code="371300",
    )
    report = services.open_report(
        office, campaign, county_a, ReportKind.SUMMARY, deadlines.month_start(campaign.summary_due)
    )
    report = services.save_report(coordinator_a, report, version=report.version, text="总结")
    report = services.submit_report(coordinator_a, report)
    assert report.first_submitted_at is not None
    assert report.on_time is True

    first = report.first_submitted_at
    report = services.return_report(office, report, "请补充")
    # the due date passes before it comes back: still on time, judged on the first sending
    Report.objects.filter(pk=report.pk).update(due=today - datetime.timedelta(days=3))
    report = services.submit_report(coordinator_a, Report.objects.get(pk=report.pk))
    assert report.first_submitted_at == first
    assert report.on_time is True


def test_submission_after_the_due_date_is_late(linyi, county_a, office):
    report = services.open_report(office, linyi, county_a, ReportKind.SUMMARY, D(2014, 10, 1))
    report = services.save_report(office, report, version=report.version, text="总结")
    report = services.submit_report(office, report)  # today is long after 15 October 2014
    assert report.on_time is False
