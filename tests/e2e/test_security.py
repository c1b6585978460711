"""In a real browser: the Content-Security-Policy blocks nothing of our own pages, and
wrong passwords pause a login with a Chinese message (issue 8)."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_no_page_breaks_its_own_content_security_policy(
    page, browser_login, linyi, office, county_a
):
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    browser_login("office")
    for url in [
        f"/campaigns/{linyi.slug}/",
        f"/campaigns/{linyi.slug}/activities/new/?type=weiwen",
        f"/campaigns/{linyi.slug}/quota/",
        f"/campaigns/{linyi.slug}/works/",
        "/people/",
        "/people/import/",
        f"/units/{county_a.code}/",
        "/security/logins/",
        "/no-such-page/",
    ]:
        page.goto(url)
        page.wait_for_load_state("networkidle")
    # the menu (Bootstrap's script) still opens on a phone
    page.goto(f"/campaigns/{linyi.slug}/")
    page.get_by_role("button", name="菜单").click()
    expect(page.get_by_role("link", name="登录安全")).to_be_visible()
    assert violations == []


def test_wrong_passwords_pause_the_login_in_chinese(page, settings, artist):
    settings.AXES_ENABLED = True
    for _ in range(5):
        page.goto("/login/")
        page.get_by_label("登录名或手机号").fill("artist")
        page.get_by_label("密码").fill("wrong-password")
        page.get_by_role("button", name="登录").click()
    page.get_by_label("登录名或手机号").fill("artist")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("lockout")).to_contain_text("密码错误次数过多")
    assert "/login/" in page.url
