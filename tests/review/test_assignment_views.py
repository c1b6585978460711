"""The assignment page (review:assignment): automatic assignment with its problems named
per entry, each expert's load and progress, each entry's experts, assigning and
withdrawing by hand. The office changes; a supervisor reads (403 on a change); anyone
else gets 404."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import _user_with_role
from tests.review.conftest import eligible_entries, file_round
from wenyi.orgs.enums import Role
from wenyi.review import rounds, services
from wenyi.review.models import Assignment


@pytest.fixture
def chuping(linyi):
    """The 2014 approval round (3 experts per entry), a draft."""
    return file_round(linyi, "chuping")


@pytest.fixture
def two_entries(office, committee, county_a, county_b, artist, worker, submitted_work, chuping):
    """Two eligible entries: one of county_a (barred to expert_conflicted), one of
    county_b. The committee has 2 experts, the round wants 3 per entry."""
    submitted_work(county_a, artist.person)
    submitted_work(county_b, worker)
    return eligible_entries(office, chuping)


def _url(round_, action=None):
    if action:
        return reverse("review:assignment_action", args=[round_.pk, action])
    return reverse("review:assignment", args=[round_.pk])


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _levels(response) -> list[str]:
    return [m.level_tag for m in get_messages(response.wsgi_request)]


def test_assignment_page_shows_experts_and_entries_to_the_office(
    login, office, chuping, two_entries, expert
):
    services.assign(office, two_entries[1], expert.person)

    response = login(office).get(_url(chuping))

    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-testid="expert-row"') == 2
    assert page.count('data-testid="entry-row"') == 2
    assert 'data-testid="manual-assign"' in page
    assert 'data-testid="unassign"' in page
    experts = {p.name: (p.panel1, p.not_started) for p in response.context["experts"]}
    assert experts == {"钱评审": (1, 1), "孙回避": (0, 0)}


def test_supervisor_reads_the_page_without_forms_and_may_not_change(
    login, supervisor, chuping, two_entries
):
    client = login(supervisor)

    page = client.get(_url(chuping)).content.decode()
    refused = client.post(_url(chuping, "auto"))

    assert "<form" not in page.split('id="main"')[1].split("</main>")[0]
    assert refused.status_code == 403
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("who", ["coordinator_a", "expert", "artist"])
def test_others_get_404(request, login, who, chuping, two_entries):
    client = login(request.getfixturevalue(who))

    assert client.get(_url(chuping)).status_code == 404
    assert client.post(_url(chuping, "auto")).status_code == 404


def test_auto_assign_from_the_page_names_the_entries_it_could_not_serve(
    login, office, chuping, two_entries
):
    lanshan, luozhuang = two_entries

    response = login(office).post(_url(chuping, "auto"))

    assert response.status_code == 302
    pairs = set(Assignment.objects.values_list("entry__code", "expert__name"))
    assert pairs == {
        (lanshan.code, "钱评审"),
        (luozhuang.code, "钱评审"),
        (luozhuang.code, "孙回避"),
    }
    said = _messages(response)
    # 3 experts wanted, 1 (lanshan: the other is conflicted) and 2 free
    problems = [m for m in said if lanshan.code in m or luozhuang.code in m]
    assert any(lanshan.code in m and "1" in m and "3" in m for m in problems)
    assert any(luozhuang.code in m and "2" in m for m in problems)


def test_auto_assign_twice_adds_nothing_the_second_time(login, office, chuping, two_entries):
    client = login(office)
    client.post(_url(chuping, "auto"))

    again = client.post(_url(chuping, "auto"))

    assert Assignment.objects.count() == 3
    # one "made", one "nothing to add" (and the problems, said each time)
    levels = _levels(again)
    assert (levels.count("success"), levels.count("info")) == (1, 1)


def test_manual_assign_refuses_a_conflict_and_says_why(
    login, office, chuping, two_entries, expert_conflicted
):
    lanshan = two_entries[0]

    response = login(office).post(
        _url(chuping, "assign"),
        {"entry": lanshan.code, "expert": expert_conflicted.person.pk, "panel": 1},
    )

    assert response.status_code == 302
    assert not Assignment.objects.exists()
    (said,) = _messages(response)
    assert "孙回避" in said and lanshan.code in said


def test_manual_assign_then_withdraw_with_a_reason(login, office, chuping, two_entries, expert):
    client = login(office)
    entry = two_entries[1]
    client.post(_url(chuping, "assign"), {"entry": entry.code, "expert": expert.person.pk})
    assignment = Assignment.objects.get()

    no_reason = client.post(_url(chuping, "unassign"), {"assignment": assignment.pk})
    client.post(_url(chuping, "unassign"), {"assignment": assignment.pk, "reason": "换人评审"})
    second = client.post(_url(chuping, "unassign"), {"assignment": assignment.pk, "reason": "x"})

    assert no_reason.status_code == 302
    assert not Assignment.objects.exists()
    # refused without a reason; done; told it is gone already
    assert _levels(second) == ["success", "error", "success", "info"]


def test_a_closed_round_refuses_changes_with_the_reason(login, office, chuping, two_entries):
    type(chuping).objects.filter(pk=chuping.pk).update(status="closed")

    response = login(office).post(_url(chuping, "auto"))

    assert response.status_code == 302
    assert not Assignment.objects.exists()
    assert len(_messages(response)) == 1


def test_assignment_page_query_count_does_not_grow(
    login, office, linyi, chuping, committee, county_b, worker, submitted_work
):
    client = login(office)
    submitted_work(county_b, worker)
    eligible_entries(office, chuping)
    services.auto_assign(office, chuping)
    client.get(_url(chuping))  # warm caches (sessions, scope)
    with CaptureQueriesContext(connection) as one:
        client.get(_url(chuping))
    for i in range(2):
        submitted_work(county_b, worker)
        user = _user_with_role(f"judge{i}", linyi.owner_unit(), Role.EXPERT, f"评委{i}")
        services.add_expert(office, linyi, user.person)
    for entry in rounds.create_entries(office, chuping):
        rounds.check_entry(office, entry, eligible=True)
    services.auto_assign(office, chuping)
    with CaptureQueriesContext(connection) as three:
        client.get(_url(chuping))

    assert chuping.entries.count() == 3
    assert len(three) == len(one)
