"""The dashboard's body kept while nothing has been committed (core.dbstate.kept): looked
at again it costs a few queries, and it is never older than the data nor another
login's or another filter's.

Transactional: inside a test's transaction nothing is kept, so these commit as the
running app does (SQLite and PostgreSQL)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.dashboard.test_views import _today, _url, case  # noqa: F401
from tests.elsewhere import queries_of_a_kept_look
from wenyi.orgs.enums import Role
from wenyi.orgs.models import Membership

pytestmark = pytest.mark.django_db(transaction=True)


def _body(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    # the body only: the page around it carries a fresh CSRF token each time
    return html[html.index('<main id="main"') : html.index("</main>")]


def test_looking_again_reads_almost_nothing_until_a_commit(
    login,
    office,
    case,  # noqa: F811 (the fixture)
    coordinator_b,
    county_b,
    record,
):
    client = login(office)
    first = client.get(_url(case))
    with CaptureQueriesContext(connection) as fresh:
        client.get(_url(case, type="weiwen"))  # another question: computed
    assert _body(client.get(_url(case))) == _body(first)
    again = queries_of_a_kept_look(lambda: client.get(_url(case)))
    assert len(again) < len(fresh) / 2
    months = first.context["board"].months
    before = sum(line.total for line in months)
    # a commit — another verified activity — and the next look shows it
    record(
        coordinator_b,
        county_b,
        "peixun",
        status="verified",
        start_date=datetime.date(2014, 9, 2),
    )
    third = client.get(_url(case))
    assert third.context is not None and "board" in third.context
    assert sum(line.total for line in third.context["board"].months) == before + 1


def test_each_login_and_each_filter_has_its_own_body(
    login,
    office,
    coordinator_a,
    case,  # noqa: F811 (the fixture)
    county_b,
):
    office_page = _body(login(office).get(_url(case)))
    assert "罗庄区" in office_page
    assert "罗庄区" not in _body(login(coordinator_a).get(_url(case)))
    narrowed = _body(login(office).get(_url(case, unit=county_b.code)))
    assert narrowed != office_page and "兰山区" not in narrowed.split("<h1", 1)[1][:200]


def test_a_role_taken_away_closes_the_kept_page_at_once(
    login,
    office,
    case,  # noqa: F811 (the fixture)
):
    client = login(office)
    assert client.get(_url(case)).status_code == 200
    assert client.get(_url(case)).status_code == 200  # kept
    Membership.objects.filter(user=office).delete()  # a commit
    assert client.get(_url(case)).status_code == 404


def test_while_people_save_the_board_may_lag_and_says_so(
    login,
    office,
    case,  # noqa: F811 (the fixture)
    coordinator_b,
    county_a,
    county_b,
    record,
    settings,
):
    settings.WENYI_DASHBOARD_LAG_SECONDS = 30
    client = login(office)
    first = client.get(_url(case))
    assert "秒" in _body(first) and 'data-testid="dashboard-count-again"' in _body(first)
    before = sum(line.total for line in first.context["board"].months)
    record(
        coordinator_b, county_b, "peixun", status="verified", start_date=datetime.date(2014, 9, 2)
    )
    # counted a moment ago: shown again, with the time it was counted
    assert _body(client.get(_url(case))) == _body(first)
    # "Count again now": the saved activity shows, and it is what the next look gives
    again = client.get(_url(case, fresh="1"))
    assert sum(line.total for line in again.context["board"].months) == before + 1
    assert _body(client.get(_url(case))) == _body(again)
    # the lag never shows a login more than its roles allow now: a narrower subtree is
    # counted afresh, a role taken away closes the page
    assert "罗庄区" in _body(client.get(_url(case)))
    Membership.objects.filter(user=office).update(role=Role.COORDINATOR, unit=county_a)
    assert "罗庄区" not in _body(client.get(_url(case)))
    Membership.objects.filter(user=office).delete()
    assert client.get(_url(case)).status_code == 404
