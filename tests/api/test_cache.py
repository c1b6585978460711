"""A token's reads answered again while the database has not changed (wenyi.api.cache):
never older than the data, never another login's, never past a revocation (issue 16).

Transactional tests: inside a test's transaction nothing is kept (core.dbstate gives
no token), so these commit as the running app does, on SQLite and PostgreSQL.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import ApiClient, problem
from tests.elsewhere import on_another_connection, queries_of_a_kept_look
from wenyi.activities.models import Activity
from wenyi.api import services
from wenyi.core import dbstate

pytestmark = pytest.mark.django_db(transaction=True)


def _titles(response) -> set[str]:
    assert response.status_code == 200, response.content.decode()
    return {item["title"] for item in response.json()["items"]}


def test_a_read_is_given_again_until_anything_is_committed(api, office, activity_a, activity_b):
    client = api(office)
    client.get("/activities")  # the token's first use is written down: a commit
    first = client.get("/activities")
    assert _titles(first) == {"兰山区书法培训", "罗庄区慰问演出"}
    assert client.get("/activities").content == first.content
    queries = queries_of_a_kept_look(lambda: client.get("/activities"))
    assert len(queries) == 1  # the database's token, nothing else
    # a change made here, by this connection ...
    Activity.objects.filter(pk=activity_a.pk).update(title="兰山区书法培训（改）")
    assert "兰山区书法培训（改）" in _titles(client.get("/activities"))
    # ... and one committed by another connection, as another worker's
    on_another_connection(
        lambda: Activity.objects.filter(pk=activity_b.pk).update(title="罗庄区演出")
    )
    assert _titles(client.get("/activities")) == {"兰山区书法培训（改）", "罗庄区演出"}


def test_each_token_and_each_question_has_its_own_answer(
    api, office, coordinator_a, activity_a, activity_b
):
    everything = api(office)
    assert len(_titles(everything.get("/activities"))) == 2
    # the coordinator's token asks the same path: its own answer, not the office's
    assert _titles(api(coordinator_a).get("/activities")) == {"兰山区书法培训"}
    # another query string is another question
    assert _titles(everything.get("/activities", unit="371302")) == {"兰山区书法培训"}
    assert problem(api(coordinator_a).get(f"/activities/{activity_b.pk}"), 404)


def test_a_revoked_token_is_refused_at_once(office, activity_a):
    token, raw = services.create_token(office, name="公众号", valid_days=None)
    client = ApiClient(raw)
    assert client.get("/activities").status_code == 200
    assert client.get("/activities").status_code == 200  # given again
    services.revoke_token(office, token)
    problem(client.get("/activities"), 401)


def test_a_login_switched_off_elsewhere_is_refused(office, activity_a):
    _token, raw = services.create_token(office, name="公众号", valid_days=None)
    client = ApiClient(raw)
    assert client.get("/activities").status_code == 200
    on_another_connection(lambda: type(office).objects.filter(pk=office.pk).update(is_active=False))
    problem(client.get("/activities"), 401)


def test_an_expired_token_is_refused_the_next_day(settings, office, activity_a):
    settings.WENYI_TODAY = datetime.date(2014, 8, 1)
    _token, raw = services.create_token(office, name="公众号", valid_days=30)
    client = ApiClient(raw)
    assert client.get("/activities").status_code == 200
    settings.WENYI_TODAY = datetime.date(2014, 9, 1)  # nothing committed, another day
    problem(client.get("/activities"), 401)


def test_errors_and_writes_are_never_kept(api, office, coordinator_a, activity_b):
    client = api(coordinator_a)
    problem(client.get(f"/activities/{activity_b.pk}"), 404)
    Activity.objects.filter(pk=activity_b.pk).update(unit=activity_b.unit)  # a commit
    problem(client.get(f"/activities/{activity_b.pk}"), 404)  # computed again
    with CaptureQueriesContext(connection) as queries:
        problem(client.get("/activities/0"), 404)
    assert len(queries) > 1


def test_no_token_inside_a_transaction():
    from django.db import transaction

    assert dbstate.token() is not None
    with transaction.atomic():
        assert dbstate.token() is None


def test_the_token_changes_with_every_commit_and_only_then(office):
    before = dbstate.token()
    assert dbstate.token() == before
    on_another_connection(lambda: type(office).objects.filter(pk=office.pk).update(first_name="甲"))
    after = dbstate.token()
    assert after != before
    type(office).objects.filter(pk=office.pk).update(first_name="乙")
    assert dbstate.token() not in {before, after}
