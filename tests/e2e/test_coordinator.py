import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_coordinator_sees_own_unit_and_404_for_another_county(
    page, browser_login, coordinator_a, county_a, county_b
):
    browser_login("coordinator_a")
    # the phone layout folds the navigation into the menu button
    page.get_by_role("button", name="菜单").click()
    page.get_by_role("link", name="单位").click()
    expect(page.get_by_test_id("unit-list")).to_contain_text("兰山区")
    expect(page.get_by_test_id("unit-list")).not_to_contain_text("罗庄区")
    page.get_by_role("link", name="兰山区", exact=True).click()
    expect(page.get_by_test_id("unit-name")).to_have_text("兰山区")

    response = page.goto(f"/units/{county_b.code}/")
    assert response.status == 404
