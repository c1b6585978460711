"""Who may do what with a work and a possible copy (wenyi/works/rules.py), for the fixed
cast, in the states that change the answer; and who gets 404 (outsiders) or 403
(read-only insiders) on the works pages.

Names of the works: the unit (a = county_a, b = county_b, e = enterprise_a, city), then
what matters: who entered it, whose it is, its state; "by_x" says who submitted it when
four eyes matter. `worker_a` and `worker_e` are authors without a login.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import PersonFactory
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
from wenyi.works import services
from wenyi.works.enums import MatchKind, MatchStatus
from wenyi.works.files import store_work_file
from wenyi.works.models import Match, Work

POEM = (
    "车间里的灯火彻夜通明，机床的歌声唱响黎明。\n"
    "工友们的汗水浇灌钢铁，每一颗螺丝都闪着光芒。\n"
    "我们用双手托起城市的脊梁，用青春书写劳动的诗行。"
)


def jpeg_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, "JPEG")
    return out.getvalue()


# --- the objects, by name -------------------------------------------------------------


def _author(cast, objects, name):
    """A login's person, or an author without a login (worker_a, worker_e)."""
    if name == "worker_a":
        return PersonFactory(unit=cast.county_a, name="钱师傅")
    if name == "worker_e":
        return PersonFactory(unit=cast.enterprise_a, name="周职工")
    return getattr(cast, name).person


def _work(enterer, unit, author, *, submit_by=None, withdraw=False, photo=False):
    """A work of `unit` entered by `enterer` (None: entered by no login, as the demo and
    imports do) with one author; submitted by `submit_by`, then withdrawn if so."""

    def build(cast, objects):
        campaign = cast.linyi
        entered_by = getattr(cast, enterer) if enterer else None
        work = services.create_work(
            entered_by,
            campaign=campaign,
            category=campaign.work_categories.get(key="sheying" if photo else "shici"),
            unit=getattr(cast, unit),
            title="钢花" if photo else "车间之歌",
            authors=[_author(cast, objects, author)],
            text="" if photo else POEM,
        )
        if photo:
            upload = SimpleUploadedFile("钢花.jpg", jpeg_bytes(), content_type="image/jpeg")
            store_work_file(entered_by, work, upload)
        if submit_by:
            work = services.submit_work(getattr(cast, submit_by), work)
        if withdraw:
            work = services.withdraw_work(cast.coordinator_a, work)
        return work

    return build


def _match(work, other):
    def build(cast, objects):
        return Match.objects.create(
            work=objects[work],
            other=objects[other],
            kind=MatchKind.TEXT,
            jaccard=0.82,
            containment=0.9,
            containment_other=0.88,
            passages=[[0, 10, 0, 10]],
        )

    return build


OBJECTS = {
    "a_by_artist": _work("artist", "county_a", "artist"),
    "a_for_artist": _work("coordinator_a", "county_a", "artist"),
    "a_entered_by_artist": _work("artist", "county_a", "worker_a"),
    "a_entered_by_artist_submitted": _work(
        "artist", "county_a", "worker_a", submit_by="coordinator_a"
    ),
    "a_other": _work("coordinator_a", "county_a", "coordinator_a"),
    "a_unsigned": _work(None, "county_a", "worker_a"),
    "a_submitted": _work("coordinator_a", "county_a", "artist", submit_by="coordinator_a"),
    "a_withdrawn": _work(
        "coordinator_a", "county_a", "artist", submit_by="coordinator_a", withdraw=True
    ),
    "a_by_office": _work("office", "county_a", "artist", submit_by="office"),
    "a_by_superuser": _work("superuser", "county_a", "artist", submit_by="superuser"),
    "e_draft": _work("coordinator_a", "enterprise_a", "worker_e"),
    "b_draft": _work("coordinator_b", "county_b", "coordinator_b"),
    "b_submitted": _work("coordinator_b", "county_b", "coordinator_b", submit_by="coordinator_b"),
    "city_draft": _work("office", "city", "office"),
    # possible copies, named after who submitted the checked work
    "m_by_coordinator_a": _match("a_submitted", "b_submitted"),
    "m_by_office": _match("a_by_office", "b_submitted"),
    "m_by_superuser": _match("a_by_superuser", "b_submitted"),
    "m_b": _match("b_submitted", "a_submitted"),
    # pages with files: the artist has nothing to do with the first
    "a_photo": _work("coordinator_a", "county_a", "coordinator_a", photo=True),
    "a_photo_of_artist": _work("coordinator_a", "county_a", "artist", photo=True),
    "a_photo_of_artist_submitted": _work(
        "coordinator_a", "county_a", "artist", submit_by="coordinator_a", photo=True
    ),
}

T, F = True, False

# --- the rules table --------------------------------------------------------------------

RULES = [
    # works.enter: managers, and art workers for their own works
    *actors(
        "works.enter",
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
    # works.review_originality: an office
    *actors(
        "works.review_originality",
        None,
        {
            "office": T,
            "coordinator_a": F,
            "coordinator_b": F,
            "artist": F,
            "expert": F,
            "superuser": T,
            "nobody": F,
        },
    ),
    # works.view: the unit's managers, the authors, who entered it
    *rows(
        "office",
        "works.view",
        {"a_other": T, "b_draft": T, "e_draft": T, "city_draft": T},
    ),
    *rows(
        "coordinator_a",
        "works.view",
        {"a_other": T, "a_by_artist": T, "e_draft": T, "b_draft": F, "city_draft": F},
    ),
    *rows("coordinator_b", "works.view", {"a_other": F, "b_draft": T, "e_draft": F}),
    *rows(
        "artist",
        "works.view",
        {
            "a_by_artist": T,
            "a_for_artist": T,
            "a_entered_by_artist": T,
            "a_entered_by_artist_submitted": T,
            "a_submitted": T,
            "a_other": F,
            "a_unsigned": F,
            "e_draft": F,
            "b_draft": F,
        },
    ),
    *rows("expert", "works.view", {"a_other": F, "city_draft": F}),
    *rows("expert_conflicted", "works.view", {"a_other": F}),
    *rows("superuser", "works.view", {"b_draft": T}),
    *rows("nobody", "works.view", {"a_other": F, "a_unsigned": F}),
    # works.change: anyone who may view it, while it is a draft
    *rows(
        "office",
        "works.change",
        {"a_other": T, "city_draft": T, "a_submitted": F, "a_withdrawn": F},
    ),
    *rows(
        "coordinator_a",
        "works.change",
        {
            "a_other": T,
            "a_by_artist": T,
            "e_draft": T,
            "a_submitted": F,
            "a_withdrawn": F,
            "b_draft": F,
        },
    ),
    *rows("coordinator_b", "works.change", {"a_other": F, "b_draft": T}),
    *rows(
        "artist",
        "works.change",
        {
            "a_by_artist": T,
            "a_for_artist": T,
            "a_entered_by_artist": T,
            "a_submitted": F,
            "a_withdrawn": F,
            "a_other": F,
        },
    ),
    *rows("expert", "works.change", {"a_other": F}),
    *rows("nobody", "works.change", {"a_unsigned": F}),
    *rows("superuser", "works.change", {"a_other": T, "a_submitted": F}),
    # works.submit: the unit's managers, drafts only (artists hand works to their unit)
    *rows("office", "works.submit", {"a_other": T, "a_submitted": F}),
    *rows(
        "coordinator_a",
        "works.submit",
        {"a_by_artist": T, "e_draft": T, "a_submitted": F, "a_withdrawn": F, "b_draft": F},
    ),
    *rows("coordinator_b", "works.submit", {"a_other": F, "b_draft": T}),
    *rows("artist", "works.submit", {"a_by_artist": F, "a_for_artist": F}),
    *rows("expert", "works.submit", {"a_other": F}),
    *rows("superuser", "works.submit", {"a_other": T, "a_submitted": F}),
    # works.withdraw: the unit's managers and the authors, submitted works only
    *rows(
        "office",
        "works.withdraw",
        {"a_submitted": T, "a_withdrawn": F, "a_other": F},
    ),
    *rows(
        "coordinator_a",
        "works.withdraw",
        {"a_submitted": T, "a_by_office": T, "a_other": F, "a_withdrawn": F},
    ),
    *rows("coordinator_b", "works.withdraw", {"a_submitted": F, "b_submitted": T}),
    *rows(
        "artist",
        "works.withdraw",
        {
            "a_submitted": T,
            "a_entered_by_artist_submitted": F,
            "a_withdrawn": F,
            "a_by_artist": F,
        },
    ),
    *rows("expert", "works.withdraw", {"a_submitted": F}),
    *rows("superuser", "works.withdraw", {"a_submitted": T, "a_withdrawn": F}),
    # works.consent: whoever may change the draft; once submitted its managers and authors
    *rows("office", "works.consent", {"a_submitted": T, "a_withdrawn": F}),
    *rows(
        "coordinator_a",
        "works.consent",
        {"a_other": T, "a_submitted": T, "a_withdrawn": F, "b_draft": F},
    ),
    *rows("coordinator_b", "works.consent", {"a_other": F, "b_submitted": T}),
    *rows(
        "artist",
        "works.consent",
        {
            "a_by_artist": T,
            "a_entered_by_artist": T,
            "a_submitted": T,
            "a_entered_by_artist_submitted": F,
            "a_withdrawn": F,
            "a_other": F,
        },
    ),
    *rows("expert", "works.consent", {"a_other": F}),
    *rows("superuser", "works.consent", {"a_submitted": T, "a_withdrawn": F}),
    # works.view_original_files: the office over the unit
    *rows("office", "works.view_original_files", {"a_other": T, "b_draft": T}),
    *rows("coordinator_a", "works.view_original_files", {"a_other": F}),
    *rows("coordinator_b", "works.view_original_files", {"b_draft": F}),
    *rows("artist", "works.view_original_files", {"a_by_artist": F}),
    *rows("expert", "works.view_original_files", {"city_draft": F}),
    *rows("superuser", "works.view_original_files", {"a_other": T}),
    # works.view_history: the unit's managers
    *rows("office", "works.view_history", {"a_other": T}),
    *rows("coordinator_a", "works.view_history", {"a_other": T, "e_draft": T, "b_draft": F}),
    *rows("coordinator_b", "works.view_history", {"a_other": F}),
    *rows("artist", "works.view_history", {"a_by_artist": F}),
    *rows("expert", "works.view_history", {"a_other": F}),
    *rows("superuser", "works.view_history", {"a_other": T}),
    # the roles alone, whatever the state
    *rows("office", "works.as_manager", {"a_withdrawn": T}),
    *rows("coordinator_a", "works.as_manager", {"a_submitted": T, "a_withdrawn": T}),
    *rows("coordinator_b", "works.as_manager", {"a_submitted": F}),
    *rows("artist", "works.as_manager", {"a_by_artist": F, "a_submitted": F}),
    *rows("expert", "works.as_manager", {"a_submitted": F}),
    *rows("superuser", "works.as_manager", {"a_submitted": T}),
    *rows("office", "works.as_owner", {"a_withdrawn": T}),
    *rows("coordinator_a", "works.as_owner", {"a_submitted": T}),
    *rows("coordinator_b", "works.as_owner", {"a_submitted": F}),
    *rows(
        "artist",
        "works.as_owner",
        {"a_submitted": T, "a_entered_by_artist_submitted": F, "a_other": F},
    ),
    *rows("expert", "works.as_owner", {"a_submitted": F}),
    *rows("superuser", "works.as_owner", {"a_submitted": T}),
    # works.decide_match: the office over the checked work, unless it submitted that work
    *rows(
        "office",
        "works.decide_match",
        {"m_by_coordinator_a": T, "m_b": T, "m_by_office": F},
    ),
    *rows("coordinator_a", "works.decide_match", {"m_by_coordinator_a": F, "m_b": F}),
    *rows("coordinator_b", "works.decide_match", {"m_b": F}),
    *rows("artist", "works.decide_match", {"m_by_coordinator_a": F}),
    *rows("expert", "works.decide_match", {"m_by_coordinator_a": F}),
    *rows("superuser", "works.decide_match", {"m_by_office": T, "m_by_superuser": F}),
]


@pytest.mark.parametrize("row", RULES, ids=ids(RULES))
def test_works_rule(request, db, row):
    check_rule(request, row, OBJECTS)


def test_works_rules_table_names_every_declared_permission():
    assert {row.perm for row in RULES} == declared("works.")


def test_works_rules_table_shows_each_permission_given_and_refused():
    assert one_sided(RULES) == set()


def test_works_fixtures_are_in_the_states_named(request, db):
    cast = Cast(request)
    objects = Objects(cast, OBJECTS)
    found = {
        name: (
            objects[name].status,
            getattr(objects[name].created_by, "username", None),
            getattr(objects[name].submitted_by, "username", None),
        )
        for name in ("a_by_artist", "a_unsigned", "a_submitted", "a_withdrawn", "a_by_office")
    }
    assert found == {
        "a_by_artist": ("draft", "artist", None),
        "a_unsigned": ("draft", None, None),
        "a_submitted": ("submitted", "coordinator_a", "coordinator_a"),
        "a_withdrawn": ("withdrawn", "coordinator_a", "coordinator_a"),
        "a_by_office": ("submitted", "office", "office"),
    }


# --- the pages: outsiders 404, read-only insiders 403 --------------------------------------


def _state(work):
    return Work.objects.values_list("status", "consent_portal", "version").get(pk=work.pk)


def _action(action, /, **data):
    return View(
        "post",
        lambda work: reverse("works:action", args=[work.pk, action]),
        data=lambda work, objects: data,
        state=_state,
    )


def _file(variant):
    return View(
        "get",
        lambda work: reverse("works:file", args=[work.pk, work.files.get().pk, variant]),
    )


def _match_state(match):
    return Match.objects.values_list("status", "reason").get(pk=match.pk)


VIEWS = {
    "detail": View("get", lambda work: reverse("works:detail", args=[work.pk])),
    "edit": View("get", lambda work: reverse("works:edit", args=[work.pk])),
    "submit": _action("submit"),
    "withdraw": _action("withdraw"),
    "consent": _action("consent", portal="on", name="赵文艺"),
    "file_public": _file("public"),
    "file_original": _file("original"),
    "match": View("get", lambda match: reverse("works:match", args=[match.pk])),
    "decide": View(
        "post",
        lambda match: reverse("works:match", args=[match.pk]),
        data=lambda match, objects: {"status": MatchStatus.CLEARED, "reason": "同一作者的修改稿"},
        state=_match_state,
    ),
}

OUTSIDERS = ("coordinator_b", "artist", "expert", "expert_conflicted")
WORK_PAGES = ("detail", "edit", "submit", "withdraw", "consent", "file_public", "file_original")

PAGES = [
    # county_a's photo by its coordinator: 404 to everyone outside its managers
    *[Page(actor, page, "a_photo", 404) for page in WORK_PAGES for actor in OUTSIDERS],
    Page("coordinator_a", "detail", "a_photo", 200),
    Page("coordinator_a", "edit", "a_photo", 200),
    Page("coordinator_a", "file_public", "a_photo", 200),
    Page("coordinator_a", "file_original", "a_photo", 403),
    Page("office", "file_original", "a_photo", 200),
    # the artist's draft: they change it and give consent; the unit submits it
    Page("artist", "detail", "a_photo_of_artist", 200),
    Page("artist", "edit", "a_photo_of_artist", 200),
    Page("artist", "consent", "a_photo_of_artist", 302),
    Page("artist", "submit", "a_photo_of_artist", 403),
    Page("artist", "file_public", "a_photo_of_artist", 200),
    Page("artist", "file_original", "a_photo_of_artist", 403),
    Page("coordinator_b", "submit", "a_photo_of_artist", 404),
    # submitted: read-only, even to its unit; the author may still withdraw it
    Page("artist", "edit", "a_photo_of_artist_submitted", 403),
    Page("coordinator_a", "edit", "a_photo_of_artist_submitted", 403),
    Page("artist", "submit", "a_photo_of_artist_submitted", 403),
    Page("artist", "withdraw", "a_photo_of_artist_submitted", 302),
    Page("coordinator_b", "withdraw", "a_photo_of_artist_submitted", 404),
    Page("expert", "withdraw", "a_photo_of_artist_submitted", 404),
    # an artist who entered a work written by someone else lets it go once submitted
    Page("artist", "detail", "a_entered_by_artist_submitted", 200),
    Page("artist", "withdraw", "a_entered_by_artist_submitted", 403),
    Page("artist", "consent", "a_entered_by_artist_submitted", 403),
    # a superuser: every unit's reach, but no pass around states or four eyes
    Page("superuser", "edit", "a_submitted", 403),
    Page("superuser", "consent", "a_withdrawn", 403),
    Page("superuser", "decide", "m_by_superuser", 403),
    Page("superuser", "decide", "m_by_office", 302),
    # possible copies: the office's pages (403 to everyone else, before any lookup);
    # the office does not decide on a work it submitted itself
    Page("office", "match", "m_by_coordinator_a", 200),
    Page("office", "decide", "m_by_coordinator_a", 302),
    Page("office", "match", "m_by_office", 200),
    Page("office", "decide", "m_by_office", 403),
    *[
        Page(actor, page, "m_by_coordinator_a", 403)
        for page in ("match", "decide")
        for actor in ("coordinator_a", *OUTSIDERS)
    ],
]


@pytest.mark.parametrize("row", PAGES, ids=ids(PAGES))
def test_works_page(request, db, login, row):
    check_page(request, login, row, VIEWS, OBJECTS)
