"""The start page says what to do next, for every role, with the count in the menu
(issue 10, item 1); the menu offers only what the role may open (item 3)."""

import datetime

import pytest
from django.urls import reverse

from tests.works.test_views import make_work
from wenyi.activities import services as activity_services


def _todo(client) -> dict[str, int]:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return {item.label: item.count for item in response.context["waiting"]}


def test_coordinator_sees_what_was_returned(login, office, coordinator_a, county_a, record):
    activity = record(coordinator_a, county_a, status="submitted")
    activity_services.return_activity(office, activity, "补照片")
    assert _todo(login(coordinator_a))["退回待修改的活动"] == 1


def test_office_sees_what_waits_for_it(login, office, coordinator_a, county_a, record):
    record(coordinator_a, county_a, status="submitted")
    record(coordinator_a, county_a, status="submitted")
    client = login(office)
    assert _todo(client)["等待您核实的活动"] == 2
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="nav-todo"' in page and "待办" in page


def test_own_submission_is_not_waiting_for_oneself(login, office, county_a, record):
    record(office, county_a, status="draft")
    activity = record(office, county_a)
    activity_services.submit_activity(office, activity)
    assert "等待您核实的活动" not in _todo(login(office))


def test_artist_sees_own_works_and_missing_consent(login, artist, linyi, county_a):
    make_work(linyi, county_a, artist.person, title="车间之歌")
    response = login(artist).get(reverse("home"))
    assert _todo(login(artist))["缺少授权的作品"] == 1
    notes = [item.label for item in response.context["notes"]]
    assert "我的作品" in notes


def test_expert_is_told_when_review_opens(login, expert, linyi, settings):
    settings.WENYI_TODAY = datetime.date(2014, 9, 16)
    response = login(expert).get(reverse("home"))
    notes = {item.label: item.note for item in response.context["notes"]}
    assert "2014-10-01" in notes["推荐评审"]


@pytest.mark.parametrize(
    ("who", "shown", "hidden"),
    [
        ("expert", [], ["activities:list", "works:list", "activities:quota", "orgs:audit"]),
        ("artist", ["activities:list", "works:list"], ["activities:quota", "orgs:people"]),
        ("coordinator_a", ["activities:quota", "reporting:list", "orgs:people"], ["orgs:audit"]),
        ("office", ["orgs:audit", "orgs:sign_in_security"], []),
    ],
)
def test_menu_offers_only_what_the_role_may_open(request, login, linyi, who, shown, hidden):
    user = request.getfixturevalue(who)
    client = login(user)
    page = client.get(reverse("home")).content.decode()
    for name in shown + hidden:
        args = [] if name.startswith("orgs") else [linyi.slug]
        url = reverse(name, args=args)
        linked = f'href="{url}"' in page
        assert linked == (name in shown), (who, name)
        if linked:
            assert client.get(url).status_code == 200, (who, url)


def test_current_menu_item_is_marked(login, coordinator_a, linyi):
    page = login(coordinator_a).get(reverse("works:list", args=[linyi.slug])).content.decode()
    assert f'href="{reverse("works:list", args=[linyi.slug])}" aria-current="page"' in page


def test_start_page_opens_on_the_login_s_own_campaign(
    settings, login, linyi, office, coordinator_a, artist
):
    """With a newer campaign of another tree loaded (2015, 山东省), 临沂市's logins still
    start in 2014 and their menu links there; the province's office starts in 2015."""
    from tests.campaigns import shandong

    settings.WENYI_TODAY = shandong.TODAY
    tree = shandong.build()
    for user in (office, coordinator_a, artist):
        response = login(user).get(reverse("home"))
        assert response.context["campaign"].slug == "linyi-2014"
        assert response.context["nav_campaign"].slug == "linyi-2014"
        assert tree.campaign.title not in response.content.decode()
    response = login(tree.office).get(reverse("home"))
    assert response.context["campaign"] == tree.campaign
    city_coordinator = tree.coordinators[tree.jinan.code]
    assert login(city_coordinator).get(reverse("home")).context["campaign"] == tree.campaign
