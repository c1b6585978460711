"""Who may do what with the results (wenyi/awards/rules.py), for the fixed cast plus a
second office login and the review's supervisor: the office of the campaign's owner
manages them in each state, the supervisor reads (403 on every change, and never an
objector's identity or files), everyone else gets 404; the public pages need no login.

Each object is the campaign's results in one state, built through the services:

    campaign   nothing drawn              notice     on notice from 2014-12-02
    draft      drawn by office            final      declared final after the window
    approved   approved by office2        open / decided   an objection received / decided
"""

import datetime

import pytest
from django.urls import reverse

from tests.awards.conftest import png, publish, unit_form
from tests.rules_table import (
    Page,
    View,
    actors,
    check_page,
    check_rule,
    declared,
    ids,
    one_sided,
    rows,
)
from wenyi.awards import services
from wenyi.awards.models import Objection, Results


def _results(state):
    def build(cast, objects):
        settings = cast._request.getfixturevalue("settings")
        campaign = cast.tiered.campaign
        results = services.draw(cast.office, campaign).results
        if state == "draft":
            return results
        results = services.approve(cast.office2, results, version=results.version)
        if state == "approved":
            return results
        notice = publish(cast.office, results)
        settings.WENYI_TODAY = datetime.date(2014, 12, 3)
        if state == "notice":
            return Results.objects.get(pk=results.pk)
        objection = services.receive_objection(notice, unit_form(notice), {"seal": png()}, None)
        if state == "open":
            return objection
        objection = services.decide(cast.office2, objection, upheld=False, decision="不成立。")
        if state == "decided":
            return objection
        settings.WENYI_TODAY = datetime.date(2014, 12, 9)
        results.refresh_from_db()
        return services.declare_final(cast.office, results, version=results.version)

    return build


OBJECTS = {
    "campaign": lambda cast, objects: cast.linyi,
    **{s: _results(s) for s in ("draft", "approved", "notice", "open", "decided", "final")},
}

T, F = True, False
OUTSIDERS = {"coordinator_a": F, "coordinator_b": F, "artist": F, "expert": F, "nobody": F}

RULES = [
    *actors(
        "awards.view_results",
        "campaign",
        {"office": T, "office2": T, "supervisor": T, "superuser": T, **OUTSIDERS},
    ),
    *actors(
        "awards.manage", "campaign", {"office": T, "supervisor": F, "superuser": T, **OUTSIDERS}
    ),
    *rows("office", "awards.draw", {"campaign": T, "draft": T, "approved": F, "notice": F}),
    *rows("supervisor", "awards.draw", {"campaign": F, "draft": F}),
    *rows("coordinator_a", "awards.draw", {"campaign": F}),
    *rows("office2", "awards.approve", {"draft": T, "approved": F, "notice": F}),
    *rows("supervisor", "awards.approve", {"draft": F}),
    *rows("office", "awards.reopen", {"approved": T, "draft": F, "notice": F}),
    *rows("supervisor", "awards.reopen", {"approved": F}),
    *rows("office", "awards.publish", {"approved": T, "notice": T, "draft": F, "final": F}),
    *rows("supervisor", "awards.publish", {"approved": F}),
    *rows("office", "awards.declare_final", {"notice": T, "approved": F, "final": F}),
    *rows("supervisor", "awards.declare_final", {"notice": F}),
    *rows("office", "awards.handle_objection", {"open": T, "decided": F}),
    *rows("supervisor", "awards.handle_objection", {"open": F}),
    *rows("coordinator_b", "awards.handle_objection", {"open": F}),
    *actors(
        "awards.see_objector",
        "open",
        {"office": T, "office2": T, "supervisor": F, **OUTSIDERS},
    ),
]


@pytest.mark.parametrize("row", RULES, ids=ids(RULES))
def test_awards_rule(request, db, row):
    check_rule(request, row, OBJECTS)


def test_awards_rules_table_names_every_declared_permission():
    assert {row.perm for row in RULES} == declared("awards.")


def test_awards_rules_table_shows_each_permission_given_and_refused():
    assert one_sided(RULES) == set()


# -- pages: outsiders 404, the supervisor 403 on a change ----------------------------------------


def _slug(obj) -> str:
    return "linyi-2014"


def _ref(obj) -> str:
    return obj.reference


def _file_url(objection) -> str:
    f = objection.files.get()
    return reverse(
        "awards:objection_file", args=[_slug(objection), objection.reference, f.pk, "original"]
    )


def _status(obj):
    return Results.objects.values_list("status", "version").first()


def _objection_state(obj):
    return Objection.objects.filter(pk=obj.pk).values_list("status", "decision").first()


VIEWS = {
    "results": View("get", lambda o: reverse("awards:results", args=[_slug(o)])),
    "export": View("get", lambda o: reverse("awards:export", args=[_slug(o)])),
    "draw": View(
        "post", lambda o: reverse("awards:action", args=[_slug(o), "draw"]), state=_status
    ),
    "approve": View(
        "post",
        lambda o: reverse("awards:action", args=[_slug(o), "approve"]),
        data=lambda o, objects: {"version": o.version},
        state=_status,
    ),
    "publish": View("get", lambda o: reverse("awards:publish", args=[_slug(o)])),
    "objection": View("get", lambda o: reverse("awards:objection", args=[_slug(o), _ref(o)])),
    "file": View("get", _file_url),
    "decide": View(
        "post",
        lambda o: reverse("awards:objection_action", args=[_slug(o), _ref(o), "decide"]),
        data=lambda o, objects: {"outcome": "upheld", "decision": "成立"},
        state=_objection_state,
    ),
}

PAGES = [
    Page("office", "results", "draft", 200),
    Page("supervisor", "results", "draft", 200),
    Page("coordinator_a", "results", "draft", 404),
    Page("expert", "results", "draft", 404),
    Page("artist", "results", "notice", 404),
    Page("supervisor", "export", "notice", 200),
    Page("coordinator_b", "export", "notice", 404),
    Page("office", "draw", "draft", 302),
    Page("supervisor", "draw", "draft", 403),
    Page("coordinator_a", "draw", "draft", 404),
    Page("supervisor", "approve", "draft", 403),
    Page("coordinator_b", "approve", "draft", 404),
    Page("office", "publish", "approved", 200),
    Page("supervisor", "publish", "approved", 403),
    Page("office", "objection", "open", 200),
    Page("supervisor", "objection", "open", 200),
    Page("coordinator_a", "objection", "open", 404),
    Page("office", "file", "open", 200),
    Page("supervisor", "file", "open", 403),
    Page("coordinator_b", "file", "open", 404),
    Page("supervisor", "decide", "open", 403),
    Page("coordinator_a", "decide", "open", 404),
    Page("office2", "decide", "open", 302),
]


@pytest.mark.parametrize("row", PAGES, ids=ids(PAGES))
def test_awards_page(request, db, login, row):
    check_page(request, login, row, VIEWS, OBJECTS)


@pytest.mark.parametrize(
    ("name", "state"),
    [("public_notice", "notice"), ("object", "notice"), ("public_results", "final")],
)
def test_public_pages_need_no_login(request, db, anonymous, name, state):
    from tests.rules_table import Cast, Objects

    Objects(Cast(request), OBJECTS)[state]

    response = anonymous.get(reverse(f"awards:{name}", args=["linyi-2014"]))

    assert response.status_code == 200


def test_office_pages_send_the_public_to_the_login(request, db, anonymous):
    from tests.rules_table import Cast, Objects

    Objects(Cast(request), OBJECTS)["notice"]

    response = anonymous.get(reverse("awards:results", args=["linyi-2014"]))

    assert response.status_code == 302 and "/login/" in response["Location"]


def test_public_pages_are_404_before_a_notice(request, db, anonymous):
    from tests.rules_table import Cast, Objects

    Objects(Cast(request), OBJECTS)["approved"]

    for name in ("public_notice", "object", "public_results"):
        assert anonymous.get(reverse(f"awards:{name}", args=["linyi-2014"])).status_code == 404
