"""Who may do what with an activity (wenyi/activities/rules.py), for the fixed cast, in
the states that change the answer; and who gets 404 (outsiders) or 403 (read-only
insiders) on the activity pages.

Names of the activities: the unit (a = county_a, b = county_b, e = enterprise_a, city),
then the state; "by_x" says who submitted it when four eyes matter.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.rules_table import (
    Cast,
    Objects,
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
from wenyi.activities import evidence as evidence_files
from wenyi.activities import services
from wenyi.activities.excel import build_template
from wenyi.activities.models import Activity
from wenyi.core import imports
from wenyi.core.enums import ImportKind


def jpeg_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, "JPEG")
    return out.getvalue()


# --- the objects, by name -------------------------------------------------------------


def _recorded(recorder, unit, status="draft"):
    """An activity of `unit` recorded (and, if so, submitted) by `recorder`."""

    def build(cast, objects):
        return cast.record(getattr(cast, recorder), getattr(cast, unit), status=status)

    return build


def _returned(cast, objects):
    activity = cast.record(cast.coordinator_a, cast.county_a, status="submitted")
    return services.return_activity(cast.office, activity, "请补充现场照片")


def _verified(cast, objects):
    _office = cast.office  # record(status="verified") verifies as the office
    return cast.record(cast.coordinator_a, cast.county_a, status="verified")


def _with_photo(took_part: bool):
    """A draft of county_a with a photo; the artist took part in it or not."""

    def build(cast, objects):
        people = [cast.artist.person] if took_part else []
        activity = cast.record(cast.coordinator_a, cast.county_a, participants=people)
        upload = SimpleUploadedFile("现场.jpg", jpeg_bytes(), content_type="image/jpeg")
        evidence_files.store_evidence(cast.coordinator_a, activity, upload, "车间演出")
        return activity

    return build


def _import_job(cast, objects):
    upload = SimpleUploadedFile("活动.xlsx", build_template(cast.linyi, [cast.county_a]))
    job, _created = imports.start(
        cast.coordinator_a,
        kind=ImportKind.ACTIVITIES,
        upload=upload,
        options={"campaign": cast.linyi.pk, "submit": False},
    )
    return job


OBJECTS = {
    "a_draft": _recorded("coordinator_a", "county_a"),
    "a_submitted": _recorded("coordinator_a", "county_a", "submitted"),
    "a_returned": _returned,
    "a_verified": _verified,
    # county_a's activity, recorded and submitted by the office (or a superuser)
    "a_by_office": _recorded("office", "county_a", "submitted"),
    "a_by_superuser": _recorded("superuser", "county_a", "submitted"),
    # a draft the artist took part in
    "a_with_artist": lambda cast, objects: cast.record(
        cast.coordinator_a, cast.county_a, participants=[cast.artist.person]
    ),
    "e_draft": _recorded("coordinator_a", "enterprise_a"),
    "e_by_coordinator_a": _recorded("coordinator_a", "enterprise_a", "submitted"),
    "e_by_office": _recorded("office", "enterprise_a", "submitted"),
    "b_draft": _recorded("coordinator_b", "county_b"),
    "b_submitted": _recorded("coordinator_b", "county_b", "submitted"),
    "city_draft": _recorded("office", "city"),
    "city_by_office": _recorded("office", "city", "submitted"),
    "a_photo": _with_photo(took_part=True),
    "a_photo_without_artist": _with_photo(took_part=False),
    "import": _import_job,
}

T, F = True, False

# --- the rules table --------------------------------------------------------------------

# change, submit and add evidence: the unit's managers, while it is a draft or returned
EDITABLE = {
    "office": {"a_draft": T, "a_returned": T, "a_submitted": F, "a_verified": F, "city_draft": T},
    "coordinator_a": {
        "a_draft": T,
        "a_returned": T,
        "a_submitted": F,
        "a_verified": F,
        "e_draft": T,
        "b_draft": F,
        "city_draft": F,
    },
    "coordinator_b": {"a_draft": F, "b_draft": T, "b_submitted": F},
    "artist": {"a_with_artist": F},
    "expert": {"a_draft": F, "city_draft": F},
    "expert_conflicted": {"a_draft": F},
    "superuser": {"a_draft": T, "a_verified": F},
}

# verify and return: the level above, a submitted activity, not submitted by oneself
DECIDE = {
    "office": {
        "a_submitted": T,
        "b_submitted": T,
        "e_by_coordinator_a": T,
        "a_by_office": F,
        "e_by_office": F,
        "city_by_office": F,
        "a_draft": F,
        "a_returned": F,
        "a_verified": F,
    },
    "coordinator_a": {
        "e_by_office": T,
        "e_by_coordinator_a": F,
        "a_submitted": F,
        "b_submitted": F,
        "e_draft": F,
    },
    "coordinator_b": {"b_submitted": F, "a_submitted": F, "e_by_office": F},
    "artist": {"a_submitted": F},
    "expert": {"a_submitted": F, "city_by_office": F},
    "expert_conflicted": {"a_submitted": F},
    "superuser": {"a_submitted": T, "city_by_office": T, "a_by_superuser": F, "a_draft": F},
}

RULES = [
    # activities.list: record activities and work with the lists
    *actors(
        "activities.list",
        None,
        {
            "office": T,
            "coordinator_a": T,
            "coordinator_b": T,
            "artist": F,
            "expert": F,
            "expert_conflicted": F,
            "superuser": T,
            "nobody": F,
        },
    ),
    # activities.view_list: the lists, art workers too (they see what they took part in)
    *actors(
        "activities.view_list",
        None,
        {
            "office": T,
            "coordinator_a": T,
            "coordinator_b": T,
            "artist": T,
            "expert": F,
            "expert_conflicted": F,
            "superuser": T,
            "nobody": F,
        },
    ),
    # activities.view: the unit's managers, and who took part
    *rows(
        "office",
        "activities.view",
        {"a_draft": T, "b_submitted": T, "e_draft": T, "city_draft": T},
    ),
    *rows(
        "coordinator_a",
        "activities.view",
        {"a_draft": T, "a_verified": T, "e_draft": T, "b_draft": F, "city_draft": F},
    ),
    *rows("coordinator_b", "activities.view", {"a_draft": F, "b_draft": T, "e_draft": F}),
    *rows("artist", "activities.view", {"a_with_artist": T, "a_draft": F, "b_draft": F}),
    *rows("expert", "activities.view", {"a_draft": F, "city_draft": F}),
    *rows("expert_conflicted", "activities.view", {"a_draft": F}),
    *rows("superuser", "activities.view", {"b_draft": T}),
    *rows("nobody", "activities.view", {"a_draft": F}),
    # activities.view_original_files: the office over the unit
    *rows(
        "office",
        "activities.view_original_files",
        {"a_draft": T, "b_draft": T, "city_draft": T},
    ),
    *rows("coordinator_a", "activities.view_original_files", {"a_draft": F, "e_draft": F}),
    *rows("coordinator_b", "activities.view_original_files", {"b_draft": F}),
    *rows("artist", "activities.view_original_files", {"a_with_artist": F}),
    *rows("expert", "activities.view_original_files", {"city_draft": F}),
    *rows("superuser", "activities.view_original_files", {"a_draft": T}),
    *[
        row
        for perm in ("activities.change", "activities.submit", "activities.add_evidence")
        for actor, answers in EDITABLE.items()
        for row in rows(actor, perm, answers)
    ],
    # activities.delete: the unit's managers, drafts only
    *rows(
        "office",
        "activities.delete",
        {"a_draft": T, "a_returned": F, "a_verified": F, "city_draft": T},
    ),
    *rows(
        "coordinator_a",
        "activities.delete",
        {
            "a_draft": T,
            "a_returned": F,
            "a_submitted": F,
            "a_verified": F,
            "e_draft": T,
            "b_draft": F,
        },
    ),
    *rows("coordinator_b", "activities.delete", {"a_draft": F, "b_draft": T}),
    *rows("artist", "activities.delete", {"a_with_artist": F}),
    *rows("expert", "activities.delete", {"a_draft": F}),
    *rows("superuser", "activities.delete", {"a_draft": T, "a_verified": F}),
    *[
        row
        for perm in ("activities.verify", "activities.return")
        for actor, answers in DECIDE.items()
        for row in rows(actor, perm, answers)
    ],
    # activities.unlock: the office over the unit, verified activities only
    *rows("office", "activities.unlock", {"a_verified": T, "a_submitted": F, "a_returned": F}),
    *rows("coordinator_a", "activities.unlock", {"a_verified": F}),
    *rows("coordinator_b", "activities.unlock", {"a_verified": F}),
    *rows("artist", "activities.unlock", {"a_verified": F}),
    *rows("expert", "activities.unlock", {"a_verified": F}),
    *rows("superuser", "activities.unlock", {"a_verified": T, "a_submitted": F}),
    # the roles alone, whatever the state
    *rows("office", "activities.as_recorder", {"a_verified": T, "city_draft": T}),
    *rows(
        "coordinator_a",
        "activities.as_recorder",
        {"a_verified": T, "e_by_office": T, "b_draft": F},
    ),
    *rows("coordinator_b", "activities.as_recorder", {"a_draft": F, "b_submitted": T}),
    *rows("artist", "activities.as_recorder", {"a_with_artist": F}),
    *rows("expert", "activities.as_recorder", {"a_draft": F}),
    *rows("superuser", "activities.as_recorder", {"a_verified": T}),
    *rows("office", "activities.as_checker", {"a_verified": T, "city_draft": T}),
    *rows(
        "coordinator_a",
        "activities.as_checker",
        {"a_verified": F, "e_draft": T, "e_by_coordinator_a": T, "b_draft": F},
    ),
    *rows("coordinator_b", "activities.as_checker", {"a_draft": F, "b_draft": F}),
    *rows("artist", "activities.as_checker", {"a_with_artist": F}),
    *rows("expert", "activities.as_checker", {"city_draft": F}),
    *rows("superuser", "activities.as_checker", {"city_draft": T}),
    *rows("office", "activities.as_office", {"a_verified": T, "b_draft": T, "city_draft": T}),
    *rows("coordinator_a", "activities.as_office", {"a_verified": F, "e_draft": F}),
    *rows("coordinator_b", "activities.as_office", {"b_draft": F}),
    *rows("artist", "activities.as_office", {"a_with_artist": F}),
    *rows("expert", "activities.as_office", {"city_draft": F}),
    *rows("superuser", "activities.as_office", {"a_verified": T}),
    # activities.view_history: the unit's managers and the level above
    *rows("office", "activities.view_history", {"a_draft": T, "city_draft": T}),
    *rows("coordinator_a", "activities.view_history", {"a_draft": T, "e_draft": T, "b_draft": F}),
    *rows("coordinator_b", "activities.view_history", {"a_draft": F, "b_draft": T}),
    *rows("artist", "activities.view_history", {"a_with_artist": F}),
    *rows("expert", "activities.view_history", {"a_draft": F}),
    *rows("superuser", "activities.view_history", {"b_draft": T}),
]


@pytest.mark.parametrize("row", RULES, ids=ids(RULES))
def test_activities_rule(request, db, row):
    check_rule(request, row, OBJECTS)


def test_activities_rules_table_names_every_declared_permission():
    assert {row.perm for row in RULES} == declared("activities.")


def test_activities_rules_table_shows_each_permission_given_and_refused():
    assert one_sided(RULES) == set()


def test_activities_fixtures_are_in_the_states_named(request, db):
    cast = Cast(request)
    objects = Objects(cast, OBJECTS)
    found = {
        name: (objects[name].status, getattr(objects[name].submitted_by, "username", None))
        for name in ("a_submitted", "a_returned", "a_verified", "a_by_office", "e_by_office")
    }
    assert found == {
        "a_submitted": ("submitted", "coordinator_a"),
        "a_returned": ("returned", "coordinator_a"),
        "a_verified": ("verified", "coordinator_a"),
        "a_by_office": ("submitted", "office"),
        "e_by_office": ("submitted", "office"),
    }


# --- the pages: outsiders 404, read-only insiders 403 --------------------------------------


def _status(activity):
    return Activity.objects.filter(pk=activity.pk).values_list("status", flat=True).first()


def _evidence_count(activity):
    return activity.evidence.count()


def _action(name, reason=False):
    return View(
        "post",
        lambda activity: reverse("activities:action", args=[activity.pk, name]),
        data=(lambda activity, objects: {"reason": "理由"}) if reason else None,
        state=_status,
    )


def _file(variant):
    return View(
        "get",
        lambda activity: reverse(
            "activities:evidence_file", args=[activity.pk, activity.evidence.get().pk, variant]
        ),
    )


VIEWS = {
    "detail": View("get", lambda activity: reverse("activities:detail", args=[activity.pk])),
    "edit": View("get", lambda activity: reverse("activities:edit", args=[activity.pk])),
    "submit": _action("submit"),
    "verify": _action("verify"),
    "return": _action("return", reason=True),
    "unlock": _action("unlock", reason=True),
    "delete": _action("delete"),
    "evidence_add": View(
        "post",
        lambda activity: reverse("activities:evidence_add", args=[activity.pk]),
        data=lambda activity, objects: {"links": "https://v.qq.com/x/page/w0014a.html"},
        state=_evidence_count,
    ),
    "evidence_delete": View(
        "post",
        lambda activity: reverse(
            "activities:evidence_delete", args=[activity.pk, activity.evidence.get().pk]
        ),
        state=_evidence_count,
    ),
    "file_public": _file("public"),
    "file_original": _file("original"),
    "import": View("get", lambda job: reverse("activities:import_detail", args=[job.pk])),
}

OUTSIDERS = ("coordinator_b", "expert", "expert_conflicted")
EVERY_PAGE = tuple(name for name in VIEWS if name != "import")

PAGES = [
    # a county_a draft the artist took part in, with a photo: another county, the experts
    # get 404 on every page
    *[Page(actor, page, "a_photo", 404) for page in EVERY_PAGE for actor in OUTSIDERS],
    # the artist who took part reads it, sees the photo without its location, nothing more
    Page("artist", "detail", "a_photo", 200),
    Page("artist", "file_public", "a_photo", 200),
    Page("artist", "file_original", "a_photo", 403),
    *[
        Page("artist", page, "a_photo", 403)
        for page in (
            "edit",
            "submit",
            "verify",
            "return",
            "unlock",
            "delete",
            "evidence_add",
            "evidence_delete",
        )
    ],
    # the county's coordinator records it but does not check it; the original is the
    # office's
    Page("coordinator_a", "detail", "a_photo", 200),
    Page("coordinator_a", "edit", "a_photo", 200),
    Page("coordinator_a", "evidence_add", "a_photo", 302),
    Page("coordinator_a", "file_public", "a_photo", 200),
    Page("coordinator_a", "file_original", "a_photo", 403),
    Page("coordinator_a", "verify", "a_photo", 403),
    Page("coordinator_a", "return", "a_photo", 403),
    Page("coordinator_a", "unlock", "a_photo", 403),
    Page("office", "file_original", "a_photo", 200),
    # an artist who did not take part: 404 on every page
    *[Page("artist", page, "a_photo_without_artist", 404) for page in EVERY_PAGE],
    # a superuser: every unit's reach, but no pass around states or four eyes
    Page("superuser", "detail", "a_verified", 200),
    Page("superuser", "edit", "a_verified", 403),
    # an import: its creator and the campaign's office
    Page("coordinator_a", "import", "import", 200),
    Page("office", "import", "import", 200),
    *[Page(actor, "import", "import", 404) for actor in (*OUTSIDERS, "artist")],
]


@pytest.mark.parametrize("row", PAGES, ids=ids(PAGES))
def test_activities_page(request, db, login, row):
    check_page(request, login, row, VIEWS, OBJECTS)
