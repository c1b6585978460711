"""An expert's review through the API: only the entries given to them, no names in a
blind round, scores saved and submitted through the scoring service (issue 16)."""

from decimal import Decimal

from tests.api.conftest import problem
from wenyi.review.models import Round, Score

FULL = {"sixiang": "28", "yishu": "35.5", "chuangxin": "18", "tese": "9"}


def test_the_expert_lists_their_entries_without_names_in_a_blind_round(api, expert, scored):
    page = api(expert).get("/review/entries").json()
    assert page["count"] == 3
    assert [e["code"] for e in page["items"]] == [e.code for e in scored]
    first = page["items"][0]
    assert first["round"]["blind"] is True and first["subject"] == "work"
    assert first["title"] == scored[0].work.title and first["text"]
    assert first["authors"] is None and first["unit_name"] is None and first["name"] is None
    text = str(page)
    assert "钱师傅" not in text and "罗庄区" not in text
    assert [c["key"] for c in first["criteria"]] == list(FULL)
    assert first["score"] is None


def test_names_show_where_the_round_shows_them(api, expert, scored):
    Round.objects.filter(pk=scored[0].round_id).update(blind=False)
    item = api(expert).get(f"/review/entries/{scored[0].pk}").json()
    assert item["authors"] == ["钱师傅"] and item["unit_name"] == "罗庄区"


def test_nobody_else_reaches_the_entries(
    api, office, coordinator_b, expert_conflicted, supervisor, scored
):
    entry = scored[0]
    for user in (office, coordinator_b, expert_conflicted, supervisor):
        client = api(user)
        assert client.get("/review/entries").json()["count"] == 0
        problem(client.get(f"/review/entries/{entry.pk}"), 404)
        problem(client.put(f"/review/entries/{entry.pk}/score", {"version": 0}), 404)


def test_draft_then_submit_then_nothing_more(api, expert, scored):
    client = api(expert)
    url = f"/review/entries/{scored[0].pk}/score"
    draft = client.put(url, {"version": 0, "values": {"sixiang": "20"}, "comment": "初看"})
    assert draft.status_code == 200, draft.content
    assert draft.json()["score"]["status"] == "draft"
    version = draft.json()["score"]["version"]
    # an answer from a stale read is refused, the draft kept
    stale = problem(client.put(url, {"version": 0, "values": {"sixiang": "27"}}), 409)
    assert stale["current_version"] == version
    assert Score.objects.get().values == {"sixiang": "20"}
    # an incomplete submit names what is missing; a value over the maximum is refused
    incomplete = problem(client.put(url, {"version": version, "submit": True}), 422)
    assert incomplete["errors"][0]["field"] == "values" and "职工特色" in incomplete["detail"]
    problem(
        client.put(url, {"version": version, "values": FULL | {"tese": "11"}, "submit": True}), 422
    )
    done = client.put(
        url, {"version": version, "values": FULL, "comment": "朴实感人", "submit": True}
    )
    assert done.status_code == 200, done.content
    score = Score.objects.get()
    assert (score.status, score.total, score.comment) == ("submitted", Decimal("90.5"), "朴实感人")
    assert Decimal(done.json()["score"]["total"]) == Decimal("90.5")
    again = problem(
        client.put(url, {"version": score.version, "values": FULL, "submit": True}), 422
    )
    assert again["detail"]
    submitted = client.get("/review/entries", state="submitted").json()
    assert [e["entry"] for e in submitted["items"]] == [scored[0].pk]
