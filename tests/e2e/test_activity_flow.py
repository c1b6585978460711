"""On a phone: a coordinator records an activity with a photo, the office verifies it,
and the quota matrix counts it."""

import pytest
from playwright.sync_api import expect

from wenyi.activities.models import Activity

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def photo(tmp_path):
    from PIL import Image

    path = tmp_path / "现场.jpg"
    Image.new("RGB", (1200, 900), (180, 40, 40)).save(path, "JPEG")
    return path


def test_record_verify_and_count(
    page, browser_login, linyi, office, coordinator_a, county_a, county_b, photo, settings
):
    settings.WENYI_TODAY = None
    browser_login("coordinator_a")
    page.goto(f"/campaigns/{linyi.slug}/activities/new/")
    page.get_by_role("link", name="慰问演出").click()
    page.get_by_label("活动名称").fill("送戏进车间")
    page.locator("#id_start_date").fill("2014-08-08")
    page.locator("#id_place").fill("兰山区某机械厂")
    page.get_by_label("演出场次（场）").fill("2")
    page.get_by_label("受众人数（人次）").fill("650")
    page.locator("#id_files").set_input_files(str(photo))
    page.get_by_role("button", name="保存并提交").click()
    expect(page.locator("h1")).to_contain_text("送戏进车间")
    expect(page.locator("h1")).to_contain_text("已提交")
    activity = Activity.objects.get()
    assert activity.evidence.count() == 1

    page.context.clear_cookies()
    browser_login("office")
    page.goto(f"/activities/{activity.pk}/")
    page.get_by_role("button", name="核实").click()
    expect(page.locator("h1")).to_contain_text("已核实")

    page.goto(f"/campaigns/{linyi.slug}/quota/")
    cell = page.locator('[data-unit="371302"][data-type="weiwen"]')
    expect(cell).to_contain_text("1")
