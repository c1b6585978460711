"""The API's read side: who am I, campaigns, units, people, reports, works and final
results; problem details for every error; the OpenAPI document and its docs page served
from the package, without a CDN (issue 16)."""

import datetime

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import problem
from wenyi.awards import services as awards
from wenyi.awards.models import Results


def test_me_names_the_login_and_its_roles(api, coordinator_a):
    body = api(coordinator_a).get("/me").json()
    assert body["username"] == "coordinator_a" and body["name"] == "王兰山"
    assert body["roles"] == [
        {"role": "coordinator", "role_name": "联络员", "unit": "371302", "unit_name": "兰山区"}
    ]


def test_the_campaign_carries_its_rules(api, artist, linyi):
    body = api(artist).get("/campaigns/linyi-2014").json()
    assert body["doc_number"] == "临会办〔2014〕46号" and body["owner_unit"] == "371300"
    types = {t["key"]: t for t in body["activity_types"]}
    assert set(types) == {"caifeng", "peixun", "weiwen", "zhanshi"}
    assert types["peixun"]["min_per_year"] == 4
    assert {"trainees", "sessions"} <= {m["key"] for m in types["peixun"]["metrics"]}
    problem(api(artist).get("/campaigns/nonsense"), 404)


def test_units_and_people_are_scoped_and_filtered(
    api, office, coordinator_a, enterprise_a, county_b, artist
):
    units = api(coordinator_a).get("/units").json()["items"]
    assert [u["code"] for u in units] == ["371302", "371302001"]
    assert units[1]["parent"] == "371302"
    office_api = api(office)
    assert office_api.get("/units", under="371311").json()["count"] == 1
    assert office_api.get("/units", q="机械").json()["items"][0]["code"] == "371302001"
    names = {p["name"] for p in api(coordinator_a).get("/people").json()["items"]}
    assert names == {"王兰山", "赵文艺"}
    assert [p["name"] for p in api(artist).get("/people").json()["items"]] == ["赵文艺"]
    assert office_api.get("/people", unit="371311").json()["count"] == 0
    assert office_api.get("/people", q="兰山").json()["items"][0]["unit"] == "371302"


def test_reports_and_works_lists_cost_the_same_for_more_records(
    api,
    office,
    coordinator_a,
    coordinator_b,
    county_a,
    county_b,
    monthly_plan,
):
    client = api(office)
    monthly_plan(coordinator_a, county_a)
    client.get("/reports")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/reports").json()["count"] == 1
    monthly_plan(coordinator_b, county_b)
    monthly_plan(coordinator_b, county_b, datetime.date(2014, 9, 1))
    with CaptureQueriesContext(connection) as many:
        body = client.get("/reports").json()
    assert body["count"] == 3 and len(many) == len(few)
    assert client.get("/reports", unit="371302").json()["count"] == 1
    assert client.get("/reports", period="2014-09-01").json()["count"] == 1
    assert client.get("/reports", kind="monthly_plan", status="draft").json()["count"] == 3


@pytest.fixture
def results_clock(settings):
    """The awards tests' day: the results drawn and their notice published on 1 Dec 2014."""
    settings.WENYI_TODAY = datetime.date(2014, 12, 1)


def test_final_results_are_public_to_every_login_once_final(
    results_clock,
    api,
    settings,
    office,
    office2,
    coordinator_a,
    notice,
):
    problem(api(coordinator_a).get("/campaigns/linyi-2014/results"), 404)
    settings.WENYI_TODAY = datetime.date(2014, 12, 9)
    results = Results.objects.get()
    awards.declare_final(office, results, version=results.version)
    body = api(coordinator_a).get("/campaigns/linyi-2014/results").json()
    assert body["campaign"] == "linyi-2014" and body["final_at"]
    assert {a["award_kind"] for a in body["awards"]} == {"work", "unit", "individual"}
    best = next(a for a in body["awards"] if a["title"] == "车间的早晨")
    assert (best["award_kind"], best["tier"], best["tier_name"]) == ("work", "yideng", "一等奖")


def test_every_error_is_problem_details_in_chinese(api, office):
    client = api(office)
    body = problem(client.get("/nothing/here"), 404)
    assert body["title"] == "页面不存在"
    wrong = client.delete("/me")
    body = problem(wrong, 405)
    assert "GET" in wrong["Allow"] and "GET" in body["detail"]
    body = problem(client.get("/activities/abc"), 404)
    body = problem(client.get("/activities", page=0), 422)
    assert body["errors"] == [{"field": "page", "message": body["errors"][0]["message"]}]
    assert "大于或等于" in body["errors"][0]["message"]


def test_a_session_change_needs_the_csrf_token(office, linyi):
    client = Client(enforce_csrf_checks=True)
    client.force_login(office)
    assert client.get("/api/v1/me").status_code == 200
    refused = client.post("/api/v1/activities", data="{}", content_type="application/json")
    problem(refused, 403)


def test_the_openapi_document_and_its_docs_page_need_no_internet(db, client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in (
        "/api/v1/me",
        "/api/v1/campaigns",
        "/api/v1/units",
        "/api/v1/people",
        "/api/v1/activities",
        "/api/v1/reports",
        "/api/v1/works",
        "/api/v1/review/entries",
        "/api/v1/review/entries/{pk}/score",
        "/api/v1/campaigns/{slug}/results",
    ):
        assert path in paths, path
    errors = paths["/api/v1/activities"]["post"]["responses"]["422"]["content"]
    assert list(errors) == ["application/problem+json"]
    assert "bearer" in str(schema["components"]["securitySchemes"]).lower()
    page = client.get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle" in page and "/static/ninja/" in page
    assert "cdn" not in page.lower() and "https://" not in page
    # the page's script and style come from the package, collected with the site's own
    assert finders.find("ninja/swagger-ui-bundle.js") and finders.find("ninja/swagger-ui.css")
