"""Accessible on a phone and a desktop (issue 10, WCAG 2.1 AA): the login page has no
critical or serious axe-core finding (every other page is checked by the walk in
test_every_page.py); the keyboard can skip the menu, reach the scrolling totals table,
and lands on the errors after a failed submit."""

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import serious_problems
from tests.factories import OrgUnitFactory
from wenyi.orgs.enums import UnitKind

pytestmark = pytest.mark.django_db(transaction=True)


def test_login_page_and_its_errors_have_no_serious_accessibility_problem(page, artist):
    page.goto("/login/")
    found = serious_problems(page, "/login/")
    page.get_by_label("登录名或手机号").fill("artist")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")
    found += serious_problems(page, "/login/ after a wrong password")

    assert found == [], "axe-core found:\n" + "\n".join(found)


def test_skip_link_is_the_first_stop_and_moves_to_the_content(
    page, browser_login, linyi, office, county_a
):
    browser_login("office")
    page.goto(f"/campaigns/{linyi.slug}/")

    skip = page.locator("a.wy-skip")
    assert skip.bounding_box()["width"] <= 1  # out of sight until the keyboard reaches it

    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_have_attribute("href", "#main")
    assert skip.bounding_box()["width"] > 40  # shown while focused
    page.keyboard.press("Enter")

    expect(page.locator(":focus")).to_have_id("main")
    assert page.url.endswith("#main")


def test_failed_login_focuses_the_error_summary(page, artist):
    page.goto("/login/")
    page.get_by_label("登录名或手机号").fill("artist")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()

    summary = page.locator("[data-wy-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_contain_text("登录名")


def test_failed_form_focuses_the_first_field_in_error(page, browser_login, linyi, coordinator_a):
    browser_login("coordinator_a")
    page.goto(f"/campaigns/{linyi.slug}/activities/new/?type=weiwen")
    form = page.locator("main form[method=post]")
    # sent empty: the browser's own checks are switched off to reach the server's
    form.evaluate("form => { form.noValidate = true; }")
    form.get_by_role("button", name="保存草稿").click()
    page.wait_for_load_state("networkidle")

    focused = page.locator(":focus")
    expect(focused).to_have_attribute("aria-invalid", "true")
    described = focused.get_attribute("aria-describedby") or ""
    assert described, "an invalid field points at its error"
    for id_ in described.split():
        assert page.locator(f"[id='{id_}']").count() == 1, id_
    error = page.locator(f"[id='{focused.get_attribute('id')}_error']")
    expect(error).to_have_class("invalid-feedback d-block")


def test_form_help_and_errors_carry_the_ids_aria_describedby_names(
    page, browser_login, linyi, office, county_a
):
    browser_login("office")
    for url in ["/people/new/", f"/campaigns/{linyi.slug}/activities/new/?type=weiwen"]:
        page.goto(url)
        missing = page.evaluate(
            """() => [...document.querySelectorAll('[aria-describedby]')].flatMap(el =>
                el.getAttribute('aria-describedby').split(/\\s+/)
                  .filter(id => !document.getElementById(id)))"""
        )
        assert missing == [], url


def test_quota_totals_scroll_with_the_keyboard(page, browser_login, linyi, office, city):
    # a long name (never wrapped) makes the totals wider than a phone
    OrgUnitFactory(
        parent=city, code="371371", name="临沂高新技术产业开发区工会联合会", kind=UnitKind.DISTRICT
    )
    browser_login("office")
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"/campaigns/{linyi.slug}/quota/")
    region = page.get_by_role("region", name="合计")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth"), "too narrow to scroll"

    # Tab from the last link of the matrix above reaches the totals
    page.locator("[data-testid=quota-matrix] a").last.focus()
    page.keyboard.press("Tab")
    expect(region).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")

    page.wait_for_function("el => el.scrollLeft > 0", arg=region.element_handle(), timeout=5_000)
