"""The office's dashboard in a real browser, on a phone (375 px) and a desktop (1280 px):
the charts draw (ECharts from the npm package, no CDN) within the Content-Security-
Policy, nothing scrolls sideways on the phone, axe-core finds nothing serious, and a
chart downloads as a PNG. A screenshot of each width is kept under var/test-artefacts/
(beside the commendation decision's page picture) to look at."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.e2e.axe import serious_problems
from tests.e2e.conftest import PHONE

pytestmark = pytest.mark.django_db(transaction=True)

ARTEFACTS = Path(settings.PROJECT_DIR) / "var" / "test-artefacts"
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def campaign(settings, linyi, office, coordinator_a, coordinator_b, county_a, county_b, record):
    settings.WENYI_TODAY = datetime.date(2014, 9, 16)
    for day, type_key in ((10, "weiwen"), (20, "caifeng")):
        record(
            coordinator_a,
            county_a,
            type_key,
            status="verified",
            start_date=datetime.date(2014, 7, day),
        )
    record(
        coordinator_b, county_b, "peixun", status="verified", start_date=datetime.date(2014, 8, 5)
    )
    return linyi


def test_dashboard_on_a_phone_and_a_desktop(page, browser_login, campaign):
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    browser_login("office")
    url = f"/campaigns/{campaign.slug}/dashboard/"
    ARTEFACTS.mkdir(parents=True, exist_ok=True)

    page.set_viewport_size(PHONE)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    # every chart drew a canvas, and offers its picture once drawn
    charts = page.locator("[data-chart]")
    assert charts.count() >= 4
    for n in range(charts.count()):
        expect(charts.nth(n).locator("canvas").first).to_be_attached()
    expect(page.locator("[data-chart-download]:visible").first).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{width} px wide on a {PHONE['width']} px phone"
    page.screenshot(path=str(ARTEFACTS / "dashboard-phone.png"), full_page=True)

    page.set_viewport_size(DESKTOP)
    page.wait_for_timeout(300)  # the charts follow the window's size
    page.screenshot(path=str(ARTEFACTS / "dashboard-desktop.png"), full_page=True)

    with page.expect_download() as download:
        page.locator('[data-chart-download="chart-months"]').click()
    saved = download.value.path()
    assert Path(saved).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.mouse.move(0, 0)  # nothing left hovered when axe reads the colours

    assert serious_problems(page, url) == []
    assert refused == [] and errors == []
