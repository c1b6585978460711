"""Wrong passwords are throttled per login and per address (issue 8, finding 3).

Signed in through the login page, as a browser does (the throttle needs the request).
"""

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, PersonFactory, UserFactory, membership
from wenyi.core.models import AuditEntry
from wenyi.orgs.enums import Role


@pytest.fixture(autouse=True)
def _throttle_on(settings):
    settings.AXES_ENABLED = True


def _sign_in(username, password, address="10.0.0.1") -> int:
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response


def test_five_wrong_passwords_pause_the_login(artist):
    for _ in range(4):
        assert _sign_in("artist", "wrong").status_code == 200
    refused = _sign_in("artist", "wrong")
    assert refused.status_code == 429
    # even the right password waits now, with a Chinese message saying until when
    right = _sign_in("artist", PASSWORD)
    assert right.status_code == 429
    text = right.content.decode()
    assert "密码错误次数过多" in text and "分钟" in text
    assert "_auth_user_id" not in right.client.session


def test_the_pause_ends_after_the_cool_off(artist, settings):
    for _ in range(5):
        _sign_in("artist", "wrong")
    assert _sign_in("artist", PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC)
        - settings.AXES_COOLOFF_TIME
        - datetime.timedelta(seconds=1)
    )
    assert _sign_in("artist", PASSWORD).status_code == 302


def test_mobile_and_login_name_count_as_one_login(artist):
    artist.person.mobile = "13812345678"
    artist.person.save()
    for _ in range(3):
        _sign_in("artist", "wrong")
    for _ in range(2):
        _sign_in("13812345678", "wrong")
    assert _sign_in("13812345678", PASSWORD).status_code == 429
    assert _sign_in("artist", PASSWORD).status_code == 429


def test_other_logins_are_not_paused_by_one(artist, coordinator_a):
    for _ in range(5):
        _sign_in("artist", "wrong")
    assert _sign_in("coordinator_a", PASSWORD).status_code == 302


def test_one_address_guessing_many_logins_is_paused(settings, county_a):
    settings.WENYI_LOGIN_FAILURES_PER_ADDRESS = 12
    UserFactory(username="victim")
    for n in range(12):
        _sign_in(f"guess{n}", "wrong", address="10.9.9.9")
    assert _sign_in("victim", PASSWORD, address="10.9.9.9").status_code == 429
    # the same login from another address is fine
    assert _sign_in("victim", PASSWORD, address="10.1.1.1").status_code == 302


def test_failures_are_logged(artist):
    _sign_in("artist", "wrong", address="10.2.3.4")
    log = AccessFailureLog.objects.get()
    assert (log.username, log.ip_address) == ("artist", "10.2.3.4")


def test_office_unlocks_a_paused_login(artist, office, login):
    for _ in range(5):
        _sign_in("artist", "wrong")
    client = login(office)
    page = client.get(reverse("orgs:sign_in_security"))
    assert page.status_code == 200
    assert "artist" in page.content.decode() and "暂停至" in page.content.decode()
    response = client.post(reverse("orgs:unlock_login"), {"username": "artist"})
    assert response.status_code == 302
    assert _sign_in("artist", PASSWORD).status_code == 302
    entry = AuditEntry.objects.get(object_id=str(artist.person.pk), note__contains="解锁")
    assert entry.actor == office
    assert artist.notifications.filter(message__contains="解锁").exists()


def test_coordinator_may_not_see_or_unlock(artist, coordinator_a, login):
    client = login(coordinator_a)
    assert client.get(reverse("orgs:sign_in_security")).status_code == 403
    assert client.post(reverse("orgs:unlock_login"), {"username": "artist"}).status_code == 403


def test_office_of_another_county_may_not_unlock(artist, county_b, login):
    office_b = UserFactory(username="office_b")
    PersonFactory(user=office_b, unit=county_b)
    membership(office_b, county_b, Role.OFFICE)
    for _ in range(5):
        _sign_in("artist", "wrong")
    client = login(office_b)
    assert "artist" not in client.get(reverse("orgs:sign_in_security")).content.decode()
    assert client.post(reverse("orgs:unlock_login"), {"username": "artist"}).status_code == 403
    assert _sign_in("artist", PASSWORD).status_code == 429


def test_behind_a_proxy_the_client_address_counts(settings, county_a):
    settings.WENYI_TRUSTED_PROXIES = 1
    settings.WENYI_LOGIN_FAILURES_PER_ADDRESS = 3
    UserFactory(username="victim")
    proxy = "10.0.0.254"
    for n in range(3):
        Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7").post(
            reverse("login"), {"username": f"g{n}", "password": "x"}
        )
    other = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.1")
    response = other.post(reverse("login"), {"username": "victim", "password": PASSWORD})
    assert response.status_code == 302  # another client behind the same proxy
