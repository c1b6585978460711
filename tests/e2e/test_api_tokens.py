"""A coordinator makes an API token in the browser, copies it once, uses it, opens the
interactive API documentation (served without a CDN, within the site's CSP) and revokes
the token (issue 16)."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_make_use_read_the_docs_and_revoke_a_token(
    page, browser_login, live_server, coordinator_a, linyi
):
    browser_login("coordinator_a")
    page.locator(".navbar-toggler").click()  # a phone: the menu is folded
    page.get_by_test_id("user-menu").click()
    page.get_by_role("link", name="API 令牌").click()
    page.get_by_label("令牌用途").fill("县总工会微信公众号")
    page.get_by_role("button", name="生成令牌").click()
    shown = page.get_by_test_id("new-token")
    expect(shown).to_contain_text("只显示这一次")
    raw = page.get_by_label("令牌", exact=True).input_value()
    assert re.fullmatch(r"wy_[\w-]{40,}", raw)

    answer = page.request.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert answer.status == 200 and answer.json()["username"] == "coordinator_a"

    # the list shows the token's start, never the token again
    page.goto("/account/tokens/")
    expect(page.get_by_test_id("token-list")).to_contain_text("县总工会微信公众号")
    assert raw not in page.content()

    # the docs page draws every operation from the package's files, nothing from elsewhere
    outside, refused = [], []
    site = live_server.url
    page.on(
        "request", lambda r: None if r.url.startswith((site, "data:")) else outside.append(r.url)
    )
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto("/api/v1/docs")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    expect(page.get_by_text("/api/v1/review/entries/{pk}/score")).to_be_visible()
    assert outside == [] and refused == []

    page.goto("/account/tokens/")
    page.get_by_role("button", name=re.compile("撤销令牌")).click()
    expect(page.get_by_role("alert")).to_contain_text("已撤销")
    again = page.request.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert again.status == 401
    assert again.headers["content-type"].startswith("application/problem+json")
