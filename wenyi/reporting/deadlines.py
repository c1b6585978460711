"""When each report is due, and which reports are expected by a given day.

All dates are local dates in the campaign's time zone (settings.TIME_ZONE,
Asia/Shanghai by default): a report is on time when its first submission happens on or
before its due date, local time, whatever the server's clock zone.

- campaign plan (活动方案): `reporting.unit_plan_due` of the campaign file;
- monthly work plan (工作方案) for month M: day `plan_due_day` of M;
- monthly progress report (推进落实情况) for M: day `progress_due_day` of M when the
  file sets it, or the last day of M when M has fewer days (day 30 in February is
  the 28th, or the 29th in a leap year); otherwise the last day of M, less
  `progress_due_days_before_month_end` days;
- summary (总结材料): `reporting.summary_due`.

Monthly reports are expected for every month of the implementation stage. A report is
*expected* on a day once its due date is on or before that day: reports not yet due
are not counted, so a unit that sends early never shows more than 100 %.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.utils import timezone

from wenyi.campaigns.models import Campaign
from wenyi.reporting.enums import ReportKind


@dataclass(frozen=True)
class Slot:
    """One report a unit owes: its kind, month and due date."""

    kind: str
    period: datetime.date
    due: datetime.date


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def stage_months(campaign: Campaign) -> list[datetime.date]:
    """First days of the months of the implementation stage (the whole campaign if the
    file names no stage)."""
    start, end = campaign.start, campaign.end
    for stage in campaign.stages.all():
        if stage.key == campaign.implementation_stage_key:
            start, end = stage.start, stage.end
    months, month = [], month_start(start)
    while month <= end:
        months.append(month)
        month = month_end(month) + datetime.timedelta(days=1)
    return months


def due_date(campaign: Campaign, kind: str, period: datetime.date) -> datetime.date:
    if kind == ReportKind.MONTHLY_PLAN:
        return period.replace(day=min(campaign.plan_due_day, month_end(period).day))
    if kind == ReportKind.MONTHLY_PROGRESS:
        if campaign.progress_due_day:
            return period.replace(day=min(campaign.progress_due_day, month_end(period).day))
        return month_end(period) - datetime.timedelta(
            days=campaign.progress_due_days_before_month_end
        )
    if kind == ReportKind.UNIT_PLAN:
        return campaign.unit_plan_due or campaign.start
    return campaign.summary_due or campaign.end


def slots(campaign: Campaign) -> list[Slot]:
    """Every report a participating unit owes in the campaign, in due-date order."""
    found = []
    if campaign.unit_plan_due:
        due = campaign.unit_plan_due
        found.append(Slot(ReportKind.UNIT_PLAN, month_start(due), due))
    if campaign.implementation_stage_key:
        for month in stage_months(campaign):
            for kind in (ReportKind.MONTHLY_PLAN, ReportKind.MONTHLY_PROGRESS):
                found.append(Slot(kind, month, due_date(campaign, kind, month)))
    if campaign.summary_due:
        due = campaign.summary_due
        found.append(Slot(ReportKind.SUMMARY, month_start(due), due))
    return sorted(found, key=lambda s: (s.due, s.kind))


def slot_for(campaign: Campaign, kind: str, period: datetime.date) -> Slot | None:
    return next((s for s in slots(campaign) if s.kind == kind and s.period == period), None)


def expected(campaign: Campaign, today: datetime.date) -> list[Slot]:
    return [s for s in slots(campaign) if s.due <= today]


def local_date(moment: datetime.datetime) -> datetime.date:
    """The calendar date of a moment in the configured time zone."""
    return timezone.localtime(moment).date()


def is_on_time(due: datetime.date, submitted: datetime.datetime) -> bool:
    return local_date(submitted) <= due
