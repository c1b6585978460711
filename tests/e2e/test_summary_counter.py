"""The summary's live character count and the drafted statistics paragraph, in a browser."""

import datetime

import pytest
from playwright.sync_api import expect

from wenyi.activities import services as activity_services
from wenyi.reporting import services
from wenyi.reporting.enums import ReportKind

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def summary(settings, linyi, county_a, coordinator_a, office):
    settings.WENYI_TODAY = datetime.date(2014, 10, 1)
    activity = activity_services.create_activity(
        coordinator_a,
        campaign=linyi,
        unit=county_a,
        type=linyi.activity_types.get(key="peixun"),
        title="职工文艺骨干培训",
        start_date=datetime.date(2014, 8, 8),
        place="兰山区工人文化宫",
        values={"trainees": 1200},
    )
    activity_services.submit_activity(coordinator_a, activity)
    activity_services.verify_activity(office, activity)
    period = linyi.summary_due.replace(day=1)
    return services.open_report(coordinator_a, linyi, county_a, ReportKind.SUMMARY, period)


def test_count_follows_typing_and_statistics_insert(page, browser_login, summary):
    browser_login("coordinator_a")
    page.goto(f"/reports/{summary.pk}/")
    count = page.get_by_test_id("summary-count")
    expect(count).to_have_text("0")
    expect(page.get_by_test_id("summary-short")).to_be_visible()

    # letters and digits count; the comma, the space and the emoji do not
    page.locator("#id_text").fill("总结材料， 2014 ab👍")
    expect(count).to_have_text("10")

    page.locator("#id_text").fill("字" * 2400)
    expect(count).to_have_text("2400")
    expect(page.get_by_test_id("summary-short")).to_be_hidden()
    expect(page.get_by_test_id("summary-long")).to_be_hidden()
    page.locator("#id_text").fill("字" * 3601)
    expect(page.get_by_test_id("summary-long")).to_be_visible()

    page.locator("#id_text").fill("今年以来。")
    page.get_by_test_id("summary-draft-statistics").click()
    drafted = page.get_by_test_id("summary-statistics")
    expect(drafted).to_contain_text("1200")
    drafted.locator("[data-wy-insert-statistics]").click()
    text = page.locator("#id_text").input_value()
    assert text.startswith("今年以来。\n") and "1200" in text
    assert int(count.text_content()) > 4
