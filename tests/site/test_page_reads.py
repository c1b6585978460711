"""What a page reads afresh while people keep saving (docs/architecture.md, "Answers
kept while the data is unchanged"): the menu's to-do number is kept for a minute and
renewed by the start page, counted without the notes; a select reads its choices in
one plain query (no server-side cursor on PostgreSQL); a history names its actors in
the query that reads it; the person a login is, once per request."""

import re

from django import forms
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.works.test_views import make_work
from wenyi.activities import services as activity_services
from wenyi.core import audit, todo
from wenyi.core.forms import ModelChoiceField, ModelMultipleChoiceField
from wenyi.orgs.models import OrgUnit, Person
from wenyi.orgs.queries import person_of


def _menu_number(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200
    found = re.search(
        r'data-testid="nav-todo">[^<]*(?:<span[^>]*>(\d+)</span>)?', response.content.decode()
    )
    assert found, "the menu has its to-do link"
    return int(found.group(1) or 0)


def test_the_menu_number_is_kept_and_the_start_page_renews_it(
    login, office, coordinator_a, county_a, record
):
    client = login(coordinator_a)
    page = reverse("core:notification_settings")
    before = _menu_number(client, page)  # reports due, for one
    activity = record(coordinator_a, county_a, status="submitted")
    activity_services.return_activity(office, activity, "补照片")
    assert _menu_number(client, page) == before  # counted a moment ago: kept
    assert _menu_number(client, reverse("home")) == before + 1  # the start page counts afresh
    assert _menu_number(client, page) == before + 1  # and the menu shows what it counted


def test_the_menu_number_leaves_the_notes_out(artist, linyi, county_a):
    make_work(linyi, county_a, artist.person, title="车间之歌")
    cache.clear()
    with CaptureQueriesContext(connection) as counting:
        number = todo.count(artist, linyi)
    with CaptureQueriesContext(connection) as listing:
        listed = todo.items(artist, linyi)
    assert any(item.note for item in listed)  # 我的作品: a note, nothing to count
    assert number == sum(item.count for item in listed) == 1  # 缺少授权的作品
    assert len(counting) < len(listing)


class _Pick(forms.Form):
    unit = ModelChoiceField(queryset=OrgUnit.objects.order_by("path"))
    people = ModelMultipleChoiceField(queryset=Person.objects.all())


def test_a_select_reads_its_choices_in_one_plain_query(coordinator_a, artist, county_a):
    form = _Pick()
    with CaptureQueriesContext(connection) as read:
        html = str(form["unit"]) + str(form["people"])
    assert len(read) == 2
    assert not any("DECLARE" in query["sql"] for query in read)  # no server-side cursor
    assert county_a.name in html and artist.person.name in html
    bound = _Pick({"unit": county_a.pk, "people": [artist.person.pk]})
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["unit"] == county_a


def test_a_history_names_its_actors_in_its_own_query(office, coordinator_a, county_a, record):
    activity = record(coordinator_a, county_a, status="submitted")
    activity_services.return_activity(office, activity, "补照片")
    entries = list(audit.entries_for(activity))
    with CaptureQueriesContext(connection) as read:
        names = {entry.actor.person.name for entry in entries if entry.actor}
    assert not read.captured_queries
    assert names == {office.person.name, coordinator_a.person.name}


def test_the_person_of_a_login_is_read_once_per_request(artist, office, django_user_model):
    artist = django_user_model.objects.get(pk=artist.pk)  # as a request loads it
    with CaptureQueriesContext(connection) as read:
        first, second = person_of(artist), person_of(artist)
    assert first == second == artist.person and len(read) == 1
    nobody = django_user_model.objects.create_user("nobody")
    with CaptureQueriesContext(connection) as read:
        assert person_of(nobody) is None and person_of(nobody) is None
    assert len(read) == 1
