"""Accessible on a phone and a desktop (issue 10, WCAG 2.1 AA): axe-core finds no critical
or serious problem on any page a role reaches; the keyboard can skip the menu, reach the
scrolling totals table, and lands on the errors after a failed submit.

axe-core comes inside the axe-playwright-python package: nothing is downloaded."""

import re
from urllib.parse import parse_qs, urldefrag, urlsplit

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import expect

from tests.factories import OrgUnitFactory
from wenyi.orgs.enums import UnitKind
from wenyi.works import services as works

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = {"phone": 375, "desktop": 1280}
BLOCKING = ("critical", "serious")


@pytest.fixture
def campaign_data(linyi, office, coordinator_a, artist, county_a, record):
    """Something on every list: a submitted activity and a work in the artist's county."""
    activity = record(coordinator_a, county_a, status="submitted")
    work = works.create_work(
        coordinator_a,
        campaign=linyi,
        category=linyi.work_categories.get(key="shici"),
        unit=county_a,
        title="车间夜曲",
        authors=[artist.person],
        text="车间里的灯火彻夜通明，机床的歌声唱响黎明。工友们的汗水浇灌钢铁。",
    )
    return {"slug": linyi.slug, "activity": activity, "work": work, "unit": county_a}


def _seeds(role: str, data: dict) -> list[str]:
    """The main pages of each role; the crawler goes on from them."""
    slug, unit = data["slug"], data["unit"]
    campaign = f"/campaigns/{slug}"
    shared = [
        "/",
        f"{campaign}/",
        f"{campaign}/works/",
        f"{campaign}/works/new/?form=shici",
        f"/works/{data['work'].pk}/",
        "/notifications/",
        "/no-such-page/",  # the error page
    ]
    managers = [
        f"{campaign}/activities/",
        f"{campaign}/activities/new/?type=weiwen",
        f"/activities/{data['activity'].pk}/",
        f"{campaign}/quota/",
        f"{campaign}/reports/",
        "/people/",
        f"/units/{unit.code}/",
    ]
    return {
        "office": shared + managers,
        "coordinator_a": shared + managers,
        "artist": [*shared, f"{campaign}/quota/"],  # refused: the 403 page
    }[role]


# not pages: downloads, files, leaving, switching language, the admin's own layout
NOT_PAGES = re.compile(
    r"^/(logout|i18n|admin|media)/|\.(xlsx|docx|pdf|zip|csv)$|/files/|/evidence/"
    r"|/export|/template|/statistics\b|/summary\.docx"
)
MAX_PAGES = 40  # per role: ~0.5 s each (two axe runs)


def _shape(url: str) -> str:
    """One visit per kind of page: ids become N, only the query's names count."""
    parts = urlsplit(url)
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(sorted(parse_qs(parts.query)))


def _links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    found = []
    for href in hrefs:
        if not href.startswith(base):
            continue
        url = urldefrag(href[len(base) :])[0] or "/"
        if not NOT_PAGES.search(urlsplit(url).path):
            found.append(url)
    return found


def _blocking_violations(page) -> list[dict]:
    # the ~600 KB script once per page, not once per run (Axe.run injects it each time)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v["impact"] in BLOCKING]


def _describe(where: str, violation: dict) -> str:
    lines = [f"{where}: {violation['id']} ({violation['impact']}) {violation['help']}"]
    for node in violation["nodes"][:5]:
        lines.append(f"    {' '.join(map(str, node['target']))}")
        lines.append(f"      {node['failureSummary'].replace(chr(10), ' / ')}")
    if len(violation["nodes"]) > 5:
        lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def serious_problems(page, url: str) -> list[str]:
    """axe-core's critical and serious findings on the open page at each width, readably;
    on the phone with the menu open, so its links are checked too."""
    found = []
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        if name == "phone":
            # opened as Bootstrap leaves it, without waiting for its animation (clicking
            # the button is tested in test_security.py)
            page.evaluate("() => document.getElementById('wy-nav')?.classList.add('show')")
        found += [_describe(f"{name} {url}", v) for v in _blocking_violations(page)]
    return found


def _crawl(page, base: str, seeds: list[str]) -> tuple[list[str], list[str]]:
    """Visit the seeds, then the pages they link to, one of each kind; audit each."""
    queue, seen, visited, found = list(seeds), set(), [], []
    while queue and len(visited) < MAX_PAGES:
        url = queue.pop(0)
        if _shape(url) in seen:
            continue
        seen.add(_shape(url))
        page.set_viewport_size({"width": WIDTHS["phone"], "height": 900})
        response = page.goto(url)
        assert response is not None and response.status < 500, f"{url}: {response}"
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        # no page loads parts of itself later (no hx-trigger="load"): "load" is enough
        visited.append(url)
        queue += _links(page, base)
        found += serious_problems(page, url)
    return visited, found


@pytest.mark.parametrize("role", ["office", "coordinator_a", "artist"])
def test_pages_have_no_serious_accessibility_problem(
    page, live_server, browser_login, campaign_data, role
):
    browser_login(role)

    visited, found = _crawl(page, live_server.url, _seeds(role, campaign_data))

    print(f"{role}: axe-core on {len(visited)} pages:", *visited, sep="\n  ")
    assert len(visited) >= len(_seeds(role, campaign_data))
    assert found == [], "axe-core found:\n" + "\n".join(found)


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
