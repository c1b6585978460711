"""On a phone: a coordinator writes August's work plan, then reports its progress with
the activity record that carried it out, and the office approves the report."""

import datetime

import pytest
from playwright.sync_api import expect

from wenyi.activities import services as activity_services
from wenyi.reporting.models import Report

pytestmark = pytest.mark.django_db(transaction=True)


def _record_performance(linyi, coordinator, unit):
    weiwen = linyi.activity_types.get(key="weiwen")
    values = {
        m.key: ("x" if m.value_type == "text" else 300) for m in weiwen.metrics.all() if m.required
    }
    return activity_services.create_activity(
        coordinator,
        campaign=linyi,
        unit=unit,
        type=weiwen,
        title="送戏进车间（首场）",
        start_date=datetime.date(2014, 8, 2),
        place="兰山区某机械厂",
        values=values,
    )


def test_plan_progress_and_approval(
    page, browser_login, linyi, office, coordinator_a, county_a, settings
):
    settings.WENYI_TODAY = datetime.date(2014, 8, 3)
    browser_login("coordinator_a")
    page.goto(f"/campaigns/{linyi.slug}/reports/")
    page.get_by_test_id("slot-monthly_plan-2014-08").click()
    page.locator("#id_items-0-type").select_option(label="慰问演出")
    page.locator("#id_items-0-title").fill("送戏进车间")
    page.locator("#id_items-0-planned_date").fill("2014-08-08")
    page.locator("#id_items-0-place").fill("兰山区某机械厂")
    page.get_by_test_id("save-submit").click()
    expect(page.get_by_test_id("report-status")).to_have_attribute("data-status", "submitted")
    expect(page.get_by_test_id("items")).to_contain_text("送戏进车间")

    activity = _record_performance(linyi, coordinator_a, county_a)
    page.goto(f"/campaigns/{linyi.slug}/reports/")
    expect(page.get_by_test_id("slot-monthly_plan-2014-08")).to_contain_text("2014-08")
    page.get_by_test_id("slot-monthly_progress-2014-08").click()
    item = Report.objects.get(kind="monthly_plan").items.get()
    line = page.get_by_test_id(f"line-{item.pk}")
    line.locator("input[type=radio][value=done]").check()
    line.get_by_label("送戏进车间（首场）（2014-08-02）").check()
    page.locator("#id_text").fill("本月另组织书法培训一次。")
    page.get_by_test_id("save-submit").click()
    expect(page.get_by_test_id("report-status")).to_have_attribute("data-status", "submitted")
    expect(page.get_by_test_id(f"line-{item.pk}")).to_contain_text("送戏进车间（首场）")

    progress = Report.objects.get(kind="monthly_progress")
    assert list(progress.lines.get().activities.all()) == [activity]

    page.context.clear_cookies()
    browser_login("office")
    page.goto(f"/campaigns/{linyi.slug}/reports/")
    page.get_by_test_id(f"waiting-{progress.pk}").click()
    expect(page.get_by_test_id(f"line-{item.pk}")).to_contain_text("送戏进车间（首场）")
    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("report-status")).to_have_attribute("data-status", "approved")
    progress.refresh_from_db()
    assert (progress.status, progress.approved_by) == ("approved", office)
