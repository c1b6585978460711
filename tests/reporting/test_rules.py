"""Who may do what with a report (wenyi/reporting/rules.py), for the fixed cast, in the
states that change the answer; and who gets 404 (outsiders) or 403 (read-only insiders)
on the report pages.

Names of the reports: the unit (a = county_a, b = county_b, e = enterprise_a, city),
then the state; "by_x" says who submitted it when four eyes matter. The 2014 campaign
asks reports of the counties only; the rules read the unit tree, so the enterprise's
and the city's reports show the levels below and at the top. Reports a test may build
together hold different slots (kind and month).
"""

import datetime

import pytest
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
from wenyi.reporting import services
from wenyi.reporting.enums import PLANS, ReportKind
from wenyi.reporting.models import Report

PLAN, UNIT_PLAN, SUMMARY = ReportKind.MONTHLY_PLAN, ReportKind.UNIT_PLAN, ReportKind.SUMMARY
JULY, AUGUST, SEPTEMBER, OCTOBER = (datetime.date(2014, m, 1) for m in (7, 8, 9, 10))
UNITS = ("city", "county_a", "county_b", "enterprise_a")

# --- the objects, by name -------------------------------------------------------------


def _report(actor, unit, kind=PLAN, month=JULY, *, submit=False, then=None):
    """A report of `unit` filled in (and, if so, submitted) by `actor`; `then` is the
    level above's action on it, (service, actor, *args)."""

    def build(cast, objects):
        who, campaign = getattr(cast, actor), cast.linyi
        report = services.open_report(who, campaign, getattr(cast, unit), kind, month)
        if kind in PLANS:
            weiwen = campaign.activity_types.get(key="weiwen")
            item = {"type": weiwen, "title": "送戏进车间", "planned_date": month, "place": "车间"}
            report = services.save_report(who, report, version=report.version, items=[item])
        else:
            report = services.save_report(who, report, version=report.version, text="总结。")
        if submit:
            report = services.submit_report(who, report)
        if then is not None:
            service, checker, *args = then
            report = service(getattr(cast, checker), report, *args)
        return report

    return build


def _unit(name):
    return lambda cast, objects: getattr(cast, name)


def _slot(unit, kind="monthly_plan", period="2014-08"):
    return lambda cast, objects: (cast.linyi, getattr(cast, unit), kind, period)


OBJECTS = {
    **{name: _unit(name) for name in UNITS},
    "a_draft": _report("coordinator_a", "county_a", PLAN, JULY),
    "a_submitted": _report("coordinator_a", "county_a", PLAN, AUGUST, submit=True),
    "a_returned": _report(
        "coordinator_a",
        "county_a",
        PLAN,
        SEPTEMBER,
        submit=True,
        then=(services.return_report, "office", "请写明地点"),
    ),
    "a_approved": _report(
        "coordinator_a",
        "county_a",
        PLAN,
        OCTOBER,
        submit=True,
        then=(services.approve_report, "office"),
    ),
    "a_by_office": _report("office", "county_a", UNIT_PLAN, JULY, submit=True),
    "a_by_superuser": _report("superuser", "county_a", SUMMARY, OCTOBER, submit=True),
    "e_draft": _report("coordinator_a", "enterprise_a", PLAN, JULY),
    "e_by_coordinator_a": _report("coordinator_a", "enterprise_a", PLAN, AUGUST, submit=True),
    "e_by_office": _report("office", "enterprise_a", PLAN, SEPTEMBER, submit=True),
    "b_draft": _report("coordinator_b", "county_b", PLAN, JULY),
    "b_submitted": _report("coordinator_b", "county_b", PLAN, AUGUST, submit=True),
    "city_draft": _report("office", "city", PLAN, JULY),
    # the summary's tools
    "a_summary": _report("coordinator_a", "county_a", SUMMARY, OCTOBER),
    "a_summary_submitted": _report("coordinator_a", "county_a", SUMMARY, OCTOBER, submit=True),
    # an August plan of county_a not started yet
    "slot_a": _slot("county_a"),
    "linyi": lambda cast, objects: cast.linyi,
}

T, F = True, False

# --- the rules table --------------------------------------------------------------------

# change and submit: the unit's managers, while it is a draft or returned
EDITABLE = {
    "office": {"a_draft": T, "a_returned": T, "a_submitted": F, "a_approved": F},
    "coordinator_a": {
        "a_draft": T,
        "a_returned": T,
        "a_submitted": F,
        "a_approved": F,
        "e_draft": T,
        "b_draft": F,
        "city_draft": F,
    },
    "coordinator_b": {"a_draft": F, "b_draft": T, "b_submitted": F},
    "artist": {"a_draft": F},
    "expert": {"a_draft": F, "city_draft": F},
    "expert_conflicted": {"a_draft": F},
    "superuser": {"a_draft": T, "a_approved": F},
}

# approve and return: the level above, a submitted report, not submitted by oneself
DECIDE = {
    "office": {
        "a_submitted": T,
        "b_submitted": T,
        "e_by_coordinator_a": T,
        "a_by_office": F,
        "e_by_office": F,
        "a_draft": F,
        "a_returned": F,
        "a_approved": F,
    },
    "coordinator_a": {
        "e_by_office": T,
        "e_by_coordinator_a": F,
        "a_submitted": F,
        "b_submitted": F,
    },
    "coordinator_b": {"b_submitted": F, "a_submitted": F, "e_by_office": F},
    "artist": {"a_submitted": F},
    "expert": {"a_submitted": F},
    "expert_conflicted": {"a_submitted": F},
    "superuser": {"a_submitted": T, "a_by_office": T, "a_by_superuser": F, "a_draft": F},
}

RULES = [
    # reporting.view: the unit's managers (the office above included)
    *rows(
        "office",
        "reporting.view",
        {"a_draft": T, "b_submitted": T, "e_draft": T, "city_draft": T},
    ),
    *rows(
        "coordinator_a",
        "reporting.view",
        {"a_draft": T, "a_approved": T, "e_draft": T, "b_draft": F, "city_draft": F},
    ),
    *rows("coordinator_b", "reporting.view", {"a_draft": F, "b_draft": T, "e_draft": F}),
    *rows("artist", "reporting.view", {"a_draft": F}),
    *rows("expert", "reporting.view", {"a_draft": F, "city_draft": F}),
    *rows("expert_conflicted", "reporting.view", {"a_draft": F}),
    *rows("superuser", "reporting.view", {"b_draft": T}),
    *rows("nobody", "reporting.view", {"a_draft": F}),
    *[
        row
        for perm in ("reporting.change", "reporting.submit")
        for actor, answers in EDITABLE.items()
        for row in rows(actor, perm, answers)
    ],
    *[
        row
        for perm in ("reporting.approve", "reporting.return")
        for actor, answers in DECIDE.items()
        for row in rows(actor, perm, answers)
    ],
    # reporting.unlock: the office over the unit, approved reports only
    *rows("office", "reporting.unlock", {"a_approved": T, "a_submitted": F, "a_returned": F}),
    *rows("coordinator_a", "reporting.unlock", {"a_approved": F}),
    *rows("coordinator_b", "reporting.unlock", {"a_approved": F}),
    *rows("artist", "reporting.unlock", {"a_approved": F}),
    *rows("expert", "reporting.unlock", {"a_approved": F}),
    *rows("superuser", "reporting.unlock", {"a_approved": T, "a_submitted": F}),
    # the roles alone, whatever the state
    *rows("office", "reporting.as_reporter", {"a_approved": T, "city_draft": T}),
    *rows(
        "coordinator_a",
        "reporting.as_reporter",
        {"a_approved": T, "e_by_office": T, "b_draft": F},
    ),
    *rows("coordinator_b", "reporting.as_reporter", {"a_draft": F, "b_submitted": T}),
    *rows("artist", "reporting.as_reporter", {"a_draft": F}),
    *rows("expert", "reporting.as_reporter", {"a_draft": F}),
    *rows("superuser", "reporting.as_reporter", {"a_approved": T}),
    *rows("office", "reporting.as_checker", {"a_approved": T, "city_draft": T}),
    *rows(
        "coordinator_a",
        "reporting.as_checker",
        {"a_approved": F, "e_draft": T, "e_by_coordinator_a": T, "b_draft": F},
    ),
    *rows("coordinator_b", "reporting.as_checker", {"a_draft": F, "b_draft": F}),
    *rows("artist", "reporting.as_checker", {"a_draft": F}),
    *rows("expert", "reporting.as_checker", {"city_draft": F}),
    *rows("superuser", "reporting.as_checker", {"city_draft": T}),
    *rows("office", "reporting.as_office", {"a_approved": T, "b_draft": T, "city_draft": T}),
    *rows("coordinator_a", "reporting.as_office", {"a_approved": F, "e_draft": F}),
    *rows("coordinator_b", "reporting.as_office", {"b_draft": F}),
    *rows("artist", "reporting.as_office", {"a_draft": F}),
    *rows("expert", "reporting.as_office", {"city_draft": F}),
    *rows("superuser", "reporting.as_office", {"a_approved": T}),
    # reporting.list: office staff and coordinators
    *actors(
        "reporting.list",
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
    # reporting.oversee (a unit): the office over it sees the whole table
    *rows(
        "office",
        "reporting.oversee",
        {"city": T, "county_a": T, "county_b": T, "enterprise_a": T},
    ),
    *rows("coordinator_a", "reporting.oversee", {"county_a": F, "enterprise_a": F}),
    *rows("coordinator_b", "reporting.oversee", {"county_b": F}),
    *rows("artist", "reporting.oversee", {"county_a": F}),
    *rows("expert", "reporting.oversee", {"city": F}),
    *rows("superuser", "reporting.oversee", {"city": T}),
    # reporting.start (a unit): its own managers, not the office above (which looks)
    *rows(
        "coordinator_a",
        "reporting.start",
        {"county_a": T, "enterprise_a": T, "county_b": F, "city": F},
    ),
    *rows("coordinator_b", "reporting.start", {"county_b": T, "county_a": F}),
    *rows("office", "reporting.start", {"city": F, "county_a": F, "county_b": F}),
    *rows("artist", "reporting.start", {"county_a": F}),
    *rows("expert", "reporting.start", {"city": F}),
    *rows("expert_conflicted", "reporting.start", {"county_a": F}),
    *rows("superuser", "reporting.start", {"county_a": F}),
]


@pytest.mark.parametrize("row", RULES, ids=ids(RULES))
def test_reporting_rule(request, db, row):
    check_rule(request, row, OBJECTS)


def test_reporting_rules_table_names_every_declared_permission():
    assert {row.perm for row in RULES} == declared("reporting.")


def test_reporting_rules_table_shows_each_permission_given_and_refused():
    assert one_sided(RULES) == set()


def test_reporting_fixtures_are_in_the_states_named(request, db):
    cast = Cast(request)
    objects = Objects(cast, OBJECTS)
    found = {
        name: (objects[name].status, getattr(objects[name].submitted_by, "username", None))
        for name in ("a_draft", "a_submitted", "a_returned", "a_approved", "a_by_office")
    }
    assert found == {
        "a_draft": ("draft", None),
        "a_submitted": ("submitted", "coordinator_a"),
        "a_returned": ("returned", "coordinator_a"),
        "a_approved": ("approved", "coordinator_a"),
        "a_by_office": ("submitted", "office"),
    }


# --- the pages: outsiders 404, read-only insiders 403 --------------------------------------


def _state(report):
    return Report.objects.values_list("status", "text", "version").get(pk=report.pk)


def _action(action, /, **data):
    return View(
        "post",
        lambda report: reverse("reporting:action", args=[report.pk, action]),
        data=lambda report, objects: data,
        state=_state,
    )


def _editor_post(report, objects):
    return {
        "version": report.version,
        "text": "改过的文字",
        "items-TOTAL_FORMS": 0,
        "items-INITIAL_FORMS": 0,
        "items-MIN_NUM_FORMS": 0,
        "items-MAX_NUM_FORMS": 1000,
    }


def _open_url(slot):
    campaign, unit, kind, period = slot
    return reverse("reporting:open", args=[campaign.slug, unit.code, kind, period])


def _reports_of(slot):
    campaign, unit, kind, period = slot
    return Report.objects.filter(campaign=campaign, unit=unit, kind=kind).count()


VIEWS = {
    "detail": View("get", lambda report: reverse("reporting:detail", args=[report.pk])),
    "save": View(
        "post",
        lambda report: reverse("reporting:detail", args=[report.pk]),
        data=_editor_post,
        state=_state,
    ),
    "submit": _action("submit"),
    "approve": _action("approve"),
    "return": _action("return", comment="请写明地点"),
    "unlock": _action("unlock", reason="重新填报"),
    "summary_docx": View("get", lambda report: reverse("reporting:summary_docx", args=[report.pk])),
    "summary_statistics": View(
        "post",
        lambda report: reverse("reporting:summary_statistics", args=[report.pk]),
        state=_state,
    ),
    "open": View("get", _open_url, state=_reports_of),
    "list": View("get", lambda campaign: reverse("reporting:list", args=[campaign.slug])),
}

OUTSIDERS = ("coordinator_b", "artist", "expert", "expert_conflicted")
REPORT_PAGES = ("detail", "save", "submit", "approve", "return", "unlock")

PAGES = [
    # county_a's August plan, submitted by its coordinator: 404 outside the county's
    # managers; the coordinator cannot decide on it (403), the office approves it
    *[Page(actor, page, "a_submitted", 404) for page in REPORT_PAGES for actor in OUTSIDERS],
    Page("coordinator_a", "detail", "a_submitted", 200),
    Page("office", "detail", "a_submitted", 200),
    Page("coordinator_a", "approve", "a_submitted", 403),
    Page("coordinator_a", "return", "a_submitted", 403),
    Page("coordinator_a", "unlock", "a_submitted", 403),
    Page("office", "approve", "a_submitted", 302),
    # a submitted report is read-only to its editor: the service refuses, nothing saved
    Page("coordinator_a", "save", "a_submitted", 200),
    # approved: only the office unlocks it
    Page("coordinator_a", "unlock", "a_approved", 403),
    *[Page(actor, "unlock", "a_approved", 404) for actor in OUTSIDERS],
    Page("office", "unlock", "a_approved", 302),
    # the summary's tools
    *[Page(actor, "summary_docx", "a_summary", 404) for actor in OUTSIDERS],
    *[Page(actor, "summary_statistics", "a_summary", 404) for actor in OUTSIDERS],
    Page("coordinator_a", "summary_docx", "a_summary", 200),
    Page("office", "summary_docx", "a_summary", 200),
    Page("coordinator_a", "summary_statistics", "a_summary", 302),
    Page("coordinator_a", "summary_statistics", "a_summary_submitted", 403),
    Page("coordinator_a", "summary_docx", "a_summary_submitted", 200),
    # a report not started: its managers see its page, and looking makes no report (the
    # coordinator's first save does); 404 outside them
    Page("coordinator_a", "open", "slot_a", 200),
    Page("office", "open", "slot_a", 200),
    Page("superuser", "open", "slot_a", 200),
    *[Page(actor, "open", "slot_a", 404) for actor in OUTSIDERS],
    Page("superuser", "summary_statistics", "a_summary_submitted", 403),
    # the reports list: office staff and coordinators
    Page("coordinator_a", "list", "linyi", 200),
    Page("artist", "list", "linyi", 403),
    Page("expert", "list", "linyi", 403),
]


@pytest.mark.parametrize("row", PAGES, ids=ids(PAGES))
def test_reporting_page(request, db, login, row):
    check_page(request, login, row, VIEWS, OBJECTS)
