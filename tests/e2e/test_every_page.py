"""Every page each member of the demo cast can reach from the menu (issue 10).

The demo is built as of its day (WENYI_TODAY), then each login walks every link from its
start page: no page fails, every page speaks Chinese, shows no moment after today, links
to no page its reader may not open, and in the browser none scrolls sideways on a phone
(375 px wide) and axe-core finds nothing critical or serious at phone and desktop width
(WCAG 2.1 AA) — once per route for the whole cast (a route is one template) and on each
login's start page (its menu is its own). A route is visited a few times, not once per
record: the pages of 600 activities are one page.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve

from tests.e2e.axe import serious_problems
from tests.e2e.conftest import PHONE

CAST = ["office", "lanshan", "luozhuang", "artist", "expert", "admin"]
PER_ROUTE = 3  # instances of one route (and set of query keys) checked
# Django's admin and the API's interactive docs (Swagger UI, /api/v1/docs) are third-party
# tools in English for superusers and developers; the API's answers are tested in tests/api
SKIP = ("/static/", "/admin/", "/logout/", "/media/", "/api/")
HAN = re.compile(r"[\u4e00-\u9fff]")
HREF = re.compile(r'href="(/[^"#]*)"')
MOMENT = re.compile(r"\b(20\d\d-\d\d-\d\d)[ T]\d\d:\d\d")
TODAY = "2014-09-16"


@dataclass
class Walk:
    """What one login found: problems, and one address per route for the browser."""

    problems: list[str] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)  # route key -> first html address
    seen: set[str] = field(default_factory=set)


def _route_key(url: str) -> str | None:
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    keys = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return f"{match.route}?{'&'.join(k for k in keys if k != 'page')}"


def _main_text(html: str) -> str:
    found = re.search(r"<main[^>]*>(.*?)</main>", html, re.S)
    text = re.sub(r"<[^>]+>", " ", found.group(1) if found else html)
    return re.sub(r"\s+", " ", text)


def walk(client: Client, name: str) -> Walk:
    result = Walk()
    per_route: dict[str, int] = defaultdict(int)
    queue: list[tuple[str, str]] = [("/", "menu")]
    while queue:
        url, referrer = queue.pop(0)
        url = url.replace("&amp;", "&")
        if url in result.seen or url.startswith(SKIP):
            continue
        key = _route_key(url)
        if key is None:
            result.problems.append(f"{name}: {referrer} links {url}, which is no page")
            continue
        if per_route[key] >= PER_ROUTE:
            continue
        per_route[key] += 1
        result.seen.add(url)
        response = client.get(url)
        if response.status_code in (301, 302):
            queue.append((response["Location"], url))
            continue
        if response.status_code != 200:
            result.problems.append(
                f"{name}: {referrer} links {url}, which answers {response.status_code}"
            )
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue  # a download: it answered
        html = response.content.decode()
        text = _main_text(html)
        if 'lang="zh-hans"' not in html or not HAN.search(text):
            result.problems.append(f"{name}: {url} is not in Chinese")
        late = sorted({day for day in MOMENT.findall(text) if day > TODAY})
        if late:
            result.problems.append(f"{name}: {url} shows moments after today: {late}")
        result.pages.setdefault(key, url)
        queue.extend((href, url) for href in HREF.findall(html))
    return result


@pytest.fixture
def demo(transactional_db, settings):
    import datetime

    settings.WENYI_TODAY = datetime.date.fromisoformat(TODAY)
    settings.ALLOWED_HOSTS = ["*"]
    call_command("setup", demo=True, stdout=StringIO())


def test_every_page_of_every_role(demo, browser, live_server):
    problems: list[str] = []
    walks = {}
    users = get_user_model().objects
    for name in CAST:
        client = Client()
        client.force_login(users.get(username=name))
        walks[name] = walk(client, name)
        problems += walks[name].problems
        assert len(walks[name].pages) >= 5, f"{name} reached only {sorted(walks[name].pages)}"
    checked: set[str] = set()
    for name in CAST:
        client = Client()
        client.force_login(users.get(username=name))
        session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
        context = browser.new_context(
            viewport=PHONE, locale="zh-CN", base_url=live_server.url, reduced_motion="reduce"
        )
        context.add_cookies(
            [
                {
                    "name": django_settings.SESSION_COOKIE_NAME,
                    "value": session,
                    "url": live_server.url,
                }
            ]
        )
        page = context.new_page()
        try:
            start = next(iter(walks[name].pages.values()))
            for key, url in walks[name].pages.items():
                page.set_viewport_size(PHONE)
                page.goto(url)
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > PHONE["width"]:
                    problems.append(f"{name}: {url} is {width} px wide on a 375 px phone")
                # axe once per route (one template) for the whole cast, and on each
                # login's start page, whose menu is its own
                if key not in checked or url == start:
                    checked.add(key)
                    problems += serious_problems(page, f"{name} {url}")
        finally:
            context.close()
    assert problems == [], "\n".join(problems)
