"""Browser tests: Playwright driving Debian's chromium (no browser download here)."""

import shutil

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 375, "height": 740}


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail(
            "chromium is not installed: run `make test` as root or "
            "`sudo apt-get install -y chromium`"
        )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    # reduced motion: Bootstrap then draws no colour transitions, so axe never measures a
    # button half-way between its hover and its resting colours
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", base_url=live_server.url, reduced_motion="reduce"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def browser_login(page):
    from tests.factories import PASSWORD

    def _login(username: str) -> None:
        page.goto("/login/")
        page.get_by_label("登录名或手机号").fill(username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(lambda url: "/login/" not in url)

    return _login
