import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from wenyi.activities import services as activity_services
from wenyi.reporting import services
from wenyi.reporting.enums import ReportKind
from wenyi.reporting.models import Report

AUGUST = datetime.date(2014, 8, 1)


def _plan(actor, linyi, unit, month=AUGUST):
    report = services.open_report(actor, linyi, unit, ReportKind.MONTHLY_PLAN, month)
    weiwen = linyi.activity_types.get(key="weiwen")
    return services.save_report(
        actor,
        report,
        version=report.version,
        items=[
            {
                "type": weiwen,
                "title": "送戏进车间",
                "planned_date": datetime.date(2014, 8, 8),
                "place": "某机械厂",
            }
        ],
    )


def test_open_report_creates_draft_with_due_date(coordinator_a, county_a, linyi):
    report = services.open_report(coordinator_a, linyi, county_a, ReportKind.MONTHLY_PLAN, AUGUST)
    assert (report.status, report.due) == ("draft", datetime.date(2014, 8, 5))
    again = services.open_report(coordinator_a, linyi, county_a, ReportKind.MONTHLY_PLAN, AUGUST)
    assert again.pk == report.pk


def test_open_report_refuses_month_outside_stage(coordinator_a, county_a, linyi):
    with pytest.raises(ValidationError):
        services.open_report(
            coordinator_a, linyi, county_a, ReportKind.MONTHLY_PLAN, datetime.date(2014, 12, 1)
        )


def test_stale_version_is_refused_naming_who_changed_it(coordinator_a, office, county_a, linyi):
    report = _plan(coordinator_a, linyi, county_a)
    stale = report.version
    services.save_report(office, report, version=stale, text="办公室改了")
    with pytest.raises(services.ReportConflict) as exc:
        services.save_report(coordinator_a, report, version=stale, text="联络员也改了")
    assert "刘洁" in str(exc.value)
    report.refresh_from_db()
    assert report.text == "办公室改了"


def test_first_submission_decides_timeliness(coordinator_a, office, county_a, linyi):
    report = _plan(coordinator_a, linyi, county_a)
    report = services.submit_report(coordinator_a, report)
    assert report.on_time is False  # submitted today, long after 2014-08-05
    first = report.first_submitted_at
    services.return_report(office, report, "请补充地点")
    report.refresh_from_db()
    services.submit_report(coordinator_a, report)
    report.refresh_from_db()
    assert report.first_submitted_at == first


def test_return_resubmit_approve_lock_unlock(coordinator_a, office, county_a, linyi):
    report = services.submit_report(coordinator_a, _plan(coordinator_a, linyi, county_a))
    with pytest.raises(ValidationError):
        services.return_report(office, report, " ")
    report = services.return_report(office, report, "请补充地点")
    assert report.return_comment == "请补充地点"
    report = services.save_report(coordinator_a, report, version=report.version, text="已补充")
    report = services.submit_report(coordinator_a, report)
    report = services.approve_report(office, report)
    assert report.status == "approved"
    with pytest.raises(ValidationError):
        services.save_report(coordinator_a, report, version=report.version, text="偷偷改")
    with pytest.raises(ValidationError):
        services.submit_report(coordinator_a, report)
    report = services.unlock_report(office, report, "数据需更正")
    assert report.status == "returned"


def test_plan_without_items_cannot_be_submitted(coordinator_a, county_a, linyi):
    report = services.open_report(coordinator_a, linyi, county_a, ReportKind.MONTHLY_PLAN, AUGUST)
    with pytest.raises(ValidationError):
        services.submit_report(coordinator_a, report)


def test_progress_needs_a_line_per_planned_item(coordinator_a, county_a, linyi):
    plan = _plan(coordinator_a, linyi, county_a)
    progress = services.open_report(
        coordinator_a, linyi, county_a, ReportKind.MONTHLY_PROGRESS, AUGUST
    )
    with pytest.raises(ValidationError):
        services.submit_report(coordinator_a, progress)
    activity = activity_services.create_activity(
        coordinator_a,
        campaign=linyi,
        unit=county_a,
        type=plan.items.get().type,
        title="送戏进车间",
        start_date=datetime.date(2014, 8, 8),
        place="某机械厂",
        values={"shows": 1, "audience": 300},
    )
    progress = services.save_report(
        coordinator_a,
        progress,
        version=progress.version,
        lines=[{"item": plan.items.get(), "outcome": "done", "activities": [activity]}],
    )
    progress = services.submit_report(coordinator_a, progress)
    assert progress.status == "submitted"
    assert list(progress.lines.get().activities.all()) == [activity]


def test_moved_item_needs_a_reason(coordinator_a, county_a, linyi):
    plan = _plan(coordinator_a, linyi, county_a)
    progress = services.open_report(
        coordinator_a, linyi, county_a, ReportKind.MONTHLY_PROGRESS, AUGUST
    )
    with pytest.raises(ValidationError):
        services.save_report(
            coordinator_a,
            progress,
            version=progress.version,
            lines=[{"item": plan.items.get(), "outcome": "moved"}],
        )


def test_progress_cannot_link_another_countys_activity(
    coordinator_a, coordinator_b, county_a, county_b, linyi
):
    plan = _plan(coordinator_a, linyi, county_a)
    other = activity_services.create_activity(
        coordinator_b,
        campaign=linyi,
        unit=county_b,
        type=plan.items.get().type,
        title="别人的活动",
        start_date=datetime.date(2014, 8, 8),
        place="某厂",
        values={"shows": 1, "audience": 300},
    )
    progress = services.open_report(
        coordinator_a, linyi, county_a, ReportKind.MONTHLY_PROGRESS, AUGUST
    )
    with pytest.raises(ValidationError):
        services.save_report(
            coordinator_a,
            progress,
            version=progress.version,
            lines=[{"item": plan.items.get(), "outcome": "done", "activities": [other]}],
        )


def test_second_approve_click_changes_nothing(coordinator_a, office, county_a, linyi):
    report = services.submit_report(coordinator_a, _plan(coordinator_a, linyi, county_a))
    services.approve_report(office, report)
    with pytest.raises(ValidationError):
        services.approve_report(office, report)
    assert Report.objects.get(pk=report.pk).status == "approved"


def test_on_time_uses_shanghai_date():
    from wenyi.reporting.deadlines import is_on_time

    due = datetime.date(2014, 8, 5)
    utc = datetime.UTC
    assert is_on_time(due, datetime.datetime(2014, 8, 5, 15, 59, tzinfo=utc))  # 23:59 local
    assert not is_on_time(due, datetime.datetime(2014, 8, 5, 16, 30, tzinfo=utc))
    assert timezone.get_current_timezone_name() == "Asia/Shanghai"


def test_submission_under_pretend_clock_is_judged_on_that_day(
    coordinator_a, county_a, linyi, settings
):
    settings.WENYI_TODAY = datetime.date(2014, 8, 4)
    report = services.submit_report(coordinator_a, _plan(coordinator_a, linyi, county_a))
    assert report.on_time is True
    assert timezone.localtime(report.first_submitted_at).date() == datetime.date(2014, 8, 4)
