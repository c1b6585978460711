"""API tokens: made and revoked on the login's own page, shown once, stored hashed,
refused once revoked or expired (issue 16)."""

import datetime
import uuid

from django.urls import reverse

from tests.api.conftest import ApiClient, problem
from tests.factories import UserFactory
from wenyi.api import services
from wenyi.api.models import ApiToken
from wenyi.core.models import AuditEntry, Notification


def _make(client, name="县总工会公众号", valid_days="90", token=None):
    return client.post(
        reverse("api:tokens"),
        {"name": name, "valid_days": valid_days, "token": str(token or uuid.uuid4())},
    )


def test_a_token_is_shown_once_stored_hashed_and_works(coordinator_a, login):
    client = login(coordinator_a)
    page = _make(client)
    assert page.status_code == 200
    raw = page.context["raw"]
    assert raw.startswith("wy_") and len(raw) > 40
    assert raw in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    stored = ApiToken.objects.get()
    # only the hash is kept: the token is nowhere in the database
    assert stored.digest == services.digest(raw) and stored.digest != raw
    assert raw not in str(list(ApiToken.objects.values()))
    assert not AuditEntry.objects.filter(changes__icontains=raw).exists()
    assert stored.expires_on == datetime.date.today() + datetime.timedelta(days=90)
    # the list never shows it again
    listed = client.get(reverse("api:tokens")).content.decode()
    assert raw not in listed and stored.prefix in listed and "县总工会公众号" in listed
    # it works, as its login
    me = ApiClient(raw).get("/me")
    assert me.status_code == 200 and me.json()["username"] == "coordinator_a"
    assert ApiToken.objects.get().last_used_at is not None
    # audited and told to its login
    assert AuditEntry.objects.filter(object_id=str(stored.pk), action="create").exists()
    assert Notification.objects.filter(user=coordinator_a, kind="account").count() == 1


def test_a_second_click_makes_no_second_token(coordinator_a, login):
    client = login(coordinator_a)
    form_token = uuid.uuid4()
    assert _make(client, token=form_token).status_code == 200
    again = _make(client, token=form_token)
    assert again.status_code == 302
    assert ApiToken.objects.count() == 1


def test_a_name_is_needed(coordinator_a, login):
    page = _make(login(coordinator_a), name="  ")
    assert page.status_code == 200
    assert "name" in page.context["form"].errors
    assert not ApiToken.objects.exists()


def test_a_revoked_token_is_refused_at_once(coordinator_a, login):
    client = login(coordinator_a)
    raw = _make(client).context["raw"]
    token = ApiToken.objects.get()
    assert ApiClient(raw).get("/me").status_code == 200
    done = client.post(reverse("api:token_revoke", args=[token.pk]))
    assert done.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == coordinator_a
    body = problem(ApiClient(raw).get("/me"), 401)
    assert "令牌" in body["detail"]
    # a second revoke changes nothing and says so
    again = client.post(reverse("api:token_revoke", args=[token.pk]), follow=True)
    assert again.status_code == 403
    assert Notification.objects.filter(user=coordinator_a, kind="account").count() == 2


def test_nobody_revokes_or_sees_another_logins_token(coordinator_a, coordinator_b, login):
    _made, _raw = services.create_token(coordinator_a, name="a", valid_days=None)
    other = login(coordinator_b)
    assert other.post(reverse("api:token_revoke", args=[_made.pk])).status_code == 404
    assert "a" not in [t.name for t in other.get(reverse("api:tokens")).context["tokens"]]
    _made.refresh_from_db()
    assert _made.revoked_at is None


def test_expired_unknown_and_inactive_tokens_are_refused(coordinator_a, settings):
    token, raw = services.create_token(coordinator_a, name="a", valid_days=1)
    assert ApiClient(raw).get("/me").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_on=datetime.date(2000, 1, 1))
    problem(ApiClient(raw).get("/me"), 401)
    problem(ApiClient("wy_" + "x" * 43).get("/me"), 401)
    problem(ApiClient("not-a-token").get("/me"), 401)
    _token, fresh = services.create_token(coordinator_a, name="b", valid_days=None)
    coordinator_a.is_active = False
    coordinator_a.save()
    problem(ApiClient(fresh).get("/me"), 401)


def test_without_a_token_the_api_says_how_to_get_one(db):
    response = ApiClient(None).get("/activities")
    body = problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in body["detail"]


def test_the_tokens_page_is_for_logins_only(anonymous):
    response = anonymous.get(reverse("api:tokens"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_refused_token_is_not_let_through_on_the_session(coordinator_a, login):
    token, raw = services.create_token(coordinator_a, name="a", valid_days=None)
    services.revoke_token(coordinator_a, token)
    browser = login(coordinator_a)  # logged in on the site as well
    assert browser.get("/api/v1/me").status_code == 200
    problem(browser.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}), 401)


def test_a_superuser_revokes_anyones_token_in_the_admin(coordinator_a, client):
    token, raw = services.create_token(coordinator_a, name="公众号", valid_days=None)
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    listed = client.get(reverse("admin:api_apitoken_changelist")).content.decode()
    assert "公众号" in listed and token.digest not in listed and raw not in listed
    done = client.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert "已撤销" in done.content.decode()
    token.refresh_from_db()
    assert token.revoked_by == root
    problem(ApiClient(raw).get("/me"), 401)
    assert Notification.objects.filter(user=coordinator_a, kind="account").count() == 2
