"""Activities through the API: scoped as the pages, recorded and changed through the same
checks and services, stale changes refused, four eyes kept (issue 16)."""

import uuid
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import problem
from wenyi.activities.models import Activity
from wenyi.core.models import AuditEntry


def _new(**overrides):
    body = {
        "campaign": "linyi-2014",
        "type": "peixun",
        "unit": "371302",
        "title": "职工书法培训班",
        "start_date": "2014-08-10",
        "place": "兰山区工人文化宫",
        "values": {"trainees": 40, "sessions": 3},
    }
    body.update(overrides)
    return body


def test_each_login_lists_what_its_pages_list(api, office, coordinator_a, activity_a, activity_b):
    ids = {a["id"] for a in api(office).get("/activities").json()["items"]}
    assert ids == {activity_a.pk, activity_b.pk}
    mine = api(coordinator_a).get("/activities").json()
    assert [a["id"] for a in mine["items"]] == [activity_a.pk] and mine["count"] == 1
    item = mine["items"][0]
    assert item["unit"] == "371302" and item["type"] == "peixun" and item["values"]["trainees"]


def test_another_countys_activity_is_a_404(api, coordinator_a, activity_b):
    body = problem(api(coordinator_a).get(f"/activities/{activity_b.pk}"), 404)
    assert "罗庄" not in str(body)
    problem(api(coordinator_a).patch(f"/activities/{activity_b.pk}", {"version": 1}), 404)
    problem(api(coordinator_a).post(f"/activities/{activity_b.pk}/submit"), 404)
    problem(api(coordinator_a).delete(f"/activities/{activity_b.pk}"), 404)


def test_filters_and_pages(api, office, record, coordinator_a, county_a, county_b, coordinator_b):
    for _ in range(3):
        record(coordinator_a, county_a, "peixun")
    record(coordinator_b, county_b, "weiwen")
    client = api(office)
    assert client.get("/activities", unit="371302").json()["count"] == 3
    assert client.get("/activities", type="weiwen").json()["count"] == 1
    page = client.get("/activities", page_size=2, page=2).json()
    assert (page["count"], page["pages"], len(page["items"])) == (4, 2, 2)
    assert client.get("/activities", page=9).json()["items"] == []
    body = problem(client.get("/activities", status="nonsense"), 422)
    assert body["errors"][0]["field"] == "status"
    body = problem(client.get("/activities", page_size=1000), 422)
    assert body["errors"][0]["field"] == "page_size"


def test_the_list_takes_the_same_queries_for_many_activities(
    api, office, record, coordinator_a, county_a
):
    client = api(office)
    record(coordinator_a, county_a, "peixun")
    client.get("/activities")  # warm: the session's first reads
    with CaptureQueriesContext(connection) as few:
        client.get("/activities")
    for _ in range(5):
        record(coordinator_a, county_a, "weiwen")
    with CaptureQueriesContext(connection) as many:
        assert client.get("/activities").json()["count"] == 6
    assert len(many) == len(few)


def test_recording_goes_through_the_form_and_the_service(api, coordinator_a, linyi):
    client = api(coordinator_a)
    token = str(uuid.uuid4())
    made = client.post("/activities", _new(token=token))
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["status"] == "draft" and body["version"] == 1 and body["unit_name"] == "兰山区"
    activity = Activity.objects.get(pk=body["id"])
    assert activity.created_by == coordinator_a
    assert AuditEntry.objects.filter(object_id=str(activity.pk), action="create").exists()
    # the same request again (a retry) returns the first record
    again = client.post("/activities", _new(token=token))
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert Activity.objects.count() == 1
    # the same activity without the token is a duplicate, said so
    duplicate = problem(client.post("/activities", _new()), 422)
    assert duplicate["detail"]
    assert client.post("/activities", _new(confirm_duplicate=True)).status_code == 201


def test_bad_input_names_each_field_in_chinese(api, coordinator_a, linyi):
    client = api(coordinator_a)
    body = problem(
        client.post("/activities", _new(unit="371311", title="", values={"sessions": 1})), 422
    )
    fields = {e["field"] for e in body["errors"]}
    assert {"unit", "title", "values.trainees"} <= fields
    assert "必填" in body["detail"]
    body = problem(client.post("/activities", _new(values={"trainees": 1, "nope": 2})), 422)
    assert [e["field"] for e in body["errors"]] == ["values.nope"]
    body = problem(client.post("/activities", _new(start_date="2014-13-40")), 422)
    assert body["errors"][0]["field"] == "start_date"
    body = problem(client.post("/activities", _new(type="nonsense")), 404)
    not_json = client.client.post(
        "/api/v1/activities", data="{", content_type="application/json", headers=client.headers
    )
    problem(not_json, 400)
    assert not Activity.objects.exists()


def test_a_stale_change_is_refused_with_the_current_version(api, coordinator_a, activity_a):
    client = api(coordinator_a)
    first = client.patch(f"/activities/{activity_a.pk}", {"version": 1, "title": "新标题"})
    assert first.status_code == 200 and first.json()["version"] == 2
    assert first.json()["title"] == "新标题"
    assert Decimal(first.json()["values"]["trainees"]) == 10  # the values kept as they were
    stale = problem(
        client.patch(f"/activities/{activity_a.pk}", {"version": 1, "place": "别处"}), 409
    )
    assert stale["current_version"] == 2
    activity_a.refresh_from_db()
    assert activity_a.place != "别处" and activity_a.title == "新标题"
    assert AuditEntry.objects.filter(object_id=str(activity_a.pk), action="update").count() == 1


def test_four_eyes_hold_through_the_api(api, office, coordinator_a, activity_a):
    coordinator = api(coordinator_a)
    submitted = coordinator.post(f"/activities/{activity_a.pk}/submit")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    # a change after submitting is refused by the rule
    problem(coordinator.patch(f"/activities/{activity_a.pk}", {"version": 2, "title": "x"}), 403)
    office_api = api(office)
    body = problem(office_api.post(f"/activities/{activity_a.pk}/return", {}), 422)
    assert body["errors"][0]["field"] == "reason"
    verified = office_api.post(f"/activities/{activity_a.pk}/verify")
    assert verified.status_code == 200 and verified.json()["status"] == "verified"
    # a second verify is refused with the service's reason, nothing changes
    problem(office_api.post(f"/activities/{activity_a.pk}/verify"), 422)


def test_nobody_verifies_what_they_submitted(api, office, linyi, city):
    client = api(office)
    made = client.post("/activities", _new(unit="371300", submit=True)).json()
    assert made["status"] == "submitted"
    problem(client.post(f"/activities/{made['id']}/verify"), 422)
    assert Activity.objects.get(pk=made["id"]).status == "submitted"


def test_a_draft_is_deleted(api, coordinator_a, activity_a):
    assert api(coordinator_a).delete(f"/activities/{activity_a.pk}").status_code == 204
    assert not Activity.objects.filter(pk=activity_a.pk).exists()
