"""Decisions on reports tell whom they concern (issue 10, item 2)."""

from wenyi.core.enums import NoticeKind
from wenyi.core.models import Notification
from wenyi.reporting import services as report_services


def _notices(user, kind):
    return list(Notification.objects.filter(user=user, kind=kind).values_list("message", flat=True))


def test_report_decisions_tell_the_submitter(office, coordinator_a, county_a, monthly_plan):
    report = monthly_plan(coordinator_a, county_a, submit=True)
    assert _notices(office, NoticeKind.WAITING)
    report_services.return_report(office, report, "请写明地点")
    assert any("请写明地点" in m for m in _notices(coordinator_a, NoticeKind.RETURNED))
    report.refresh_from_db()
    report_services.submit_report(coordinator_a, report)
    report_services.approve_report(office, report)
    assert _notices(coordinator_a, NoticeKind.APPROVED)
    report_services.unlock_report(office, report, "补充附件")
    assert any("补充附件" in m for m in _notices(coordinator_a, NoticeKind.RETURNED))
