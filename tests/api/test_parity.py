"""The API answers every login of the fixed cast as the pages do: the same records open
(200), the same refused to an insider (403), the same hidden from an outsider (404), and
each list holds exactly the records whose page opens (issue 16)."""

import pytest
from django.urls import reverse

from tests.factories import PersonFactory
from wenyi.activities.models import Activity
from wenyi.orgs.models import OrgUnit, Person
from wenyi.reporting.models import Report
from wenyi.review.models import Entry
from wenyi.works.models import Work

CAST = ("office", "coordinator_a", "coordinator_b", "artist", "expert", "supervisor")


@pytest.fixture
def world(
    linyi,
    request,
    record,
    monthly_plan,
    submitted_work,
    scored,
    coordinator_a,
    coordinator_b,
    county_a,
    county_b,
    enterprise_a,
    artist,
    worker,
):
    """Records of both counties and of the city, and an open blind round."""
    PersonFactory(unit=enterprise_a, name="孙技师")
    return {
        "activities": [
            record(coordinator_a, county_a, "peixun"),
            record(coordinator_a, enterprise_a, "weiwen", status="submitted"),
            record(coordinator_b, county_b, "zhanshi"),
        ],
        "reports": [monthly_plan(coordinator_a, county_a), monthly_plan(coordinator_b, county_b)],
        "works": [
            submitted_work(county_a, artist.person),
            submitted_work(county_b, worker, by=coordinator_b),
        ],
        "entries": list(scored),
    }


def _pairs(world):
    """(resource, key, page URL, API path) of every record."""
    assert len(world["entries"]) == Entry.objects.count() == 3
    yield (
        "campaigns",
        "linyi-2014",
        reverse("campaigns:detail", args=["linyi-2014"]),
        ("/campaigns/linyi-2014"),
    )
    for unit in OrgUnit.objects.all():
        yield "units", unit.code, reverse("orgs:unit", args=[unit.code]), f"/units/{unit.code}"
    for person in Person.objects.all():
        yield "people", person.pk, reverse("orgs:person", args=[person.pk]), f"/people/{person.pk}"
    for name, model, page in (
        ("activities", Activity, "activities:detail"),
        ("reports", Report, "reporting:detail"),
        ("works", Work, "works:detail"),
    ):
        for record in model.objects.all():
            yield name, record.pk, reverse(page, args=[record.pk]), f"/{name}/{record.pk}"
    for entry in Entry.objects.all():
        yield (
            "review/entries",
            entry.pk,
            reverse("review:score", args=[entry.pk]),
            (f"/review/entries/{entry.pk}"),
        )


LISTS = {
    "activities": "activities:list",
    "reports": "reporting:list",
    "works": "works:list",
}

KEY = {"campaigns": "slug", "units": "code", "review/entries": "entry"}


@pytest.mark.parametrize("who", CAST)
def test_every_record_answers_as_its_page(who, request, world, login, api):
    user = request.getfixturevalue(who)
    page, client = login(user), api(user)
    opens: dict[str, set] = {}
    for resource, key, url, path in _pairs(world):
        shown = page.get(url).status_code
        answered = client.get(path)
        assert answered.status_code == shown, (who, resource, key, shown, answered.content)
        if shown == 200:
            opens.setdefault(resource, set()).add(key)
    for resource, name in {**LISTS, "people": None, "units": None, "review/entries": None}.items():
        listed = client.get(f"/{resource}", page_size=200)
        if name is not None:
            assert listed.status_code == page.get(reverse(name, args=["linyi-2014"])).status_code
        if listed.status_code == 200:
            field = KEY.get(resource, "id")
            got = {item[field] for item in listed.json()["items"]}
            assert got == opens.get(resource, set()), (who, resource)
