"""The same activity entered by two people at the same moment is saved once (issue 8,
finding 5), and a form's one-time token means nothing in another session.

Two real requests against a live server, released together by a barrier.
"""

import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

from tests.activities.recording import required_values
from wenyi.activities.models import Activity

pytestmark = pytest.mark.django_db(transaction=True)


class Browser:
    """A signed-in HTTP client with its own cookies (no test-client shortcuts)."""

    def __init__(self, base: str, user):
        self.base = base
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "wenyi.orgs.auth.UsernameOrMobileBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        self.cookies = {settings.SESSION_COOKIE_NAME: session.session_key}
        self.opener = urllib.request.build_opener(_NoRedirect())

    def _send(self, request) -> tuple[int, str, str]:
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as exc:
            response = exc
        with response:
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
            return response.status, response.headers.get("Location", ""), response.read().decode()

    def get(self, path: str) -> str:
        status, _location, body = self._send(urllib.request.Request(self.base + path))
        assert status == 200, (path, status)
        return body

    def post(self, path: str, data: dict) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        request = urllib.request.Request(self.base + path, data=body)
        request.add_header("Referer", self.base + path)
        return self._send(request)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def _activity_form(browser: Browser, campaign, unit, type_):
    path = reverse("activities:add", args=[campaign.slug]) + f"?type={type_.key}"
    html = browser.get(path)
    data = {
        "csrfmiddlewaretoken": _hidden(html, "csrfmiddlewaretoken"),
        "token": _hidden(html, "token"),
        "unit": unit.pk,
        "title": "送文化进车间",
        "start_date": "2014-08-08",
        "place": "临沂某机械厂",
    }
    for key, value in required_values(type_).items():
        data[f"m_{key}"] = value
    return path, data


def test_two_people_entering_one_activity_at_once_save_it_once(
    live_server, linyi, office, coordinator_a, county_a
):
    type_ = linyi.activity_types.get(key="weiwen")
    people = [Browser(live_server.url, office), Browser(live_server.url, coordinator_a)]
    forms = [_activity_form(b, linyi, county_a, type_) for b in people]
    barrier = threading.Barrier(2)
    results = [None, None]

    def send(i):
        path, data = forms[i]
        barrier.wait()
        results[i] = people[i].post(path, data)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert Activity.objects.filter(unit=county_a, place="临沂某机械厂").count() == 1
    statuses = sorted(r[0] for r in results)
    assert statuses == [200, 302]
    refused = next(r for r in results if r[0] == 200)
    assert "已有记录" in refused[2] or "已经登记" in refused[2] or "已录入" in refused[2]


def test_a_token_replayed_in_another_session_finds_nothing(
    live_server, linyi, coordinator_a, coordinator_b, county_a, county_b
):
    type_ = linyi.activity_types.get(key="weiwen")
    a, b = Browser(live_server.url, coordinator_a), Browser(live_server.url, coordinator_b)
    path, data_a = _activity_form(a, linyi, county_a, type_)
    status, location, _ = a.post(path, data_a)
    assert status == 302
    created = Activity.objects.get(unit=county_a)
    assert location.endswith(reverse("activities:detail", args=[created.pk]))
    # the other county sends its own form with the first county's token
    _path, data_b = _activity_form(b, linyi, county_b, type_)
    data_b["token"] = data_a["token"]
    status, location, _ = b.post(path, data_b)
    assert status == 302
    assert not location.endswith(reverse("activities:detail", args=[created.pk]))
    assert Activity.objects.filter(unit=county_b).count() == 1
