"""Who may do what to units and people (wenyi/orgs/rules.py), for the fixed cast; and
who gets 404 (outsiders) or 403 (read-only insiders) on the orgs pages.

Besides the fixed cast, `office_a` is an office at a county: the rules that tell the
office at the top of the tree from one further down (adding units, unlocking an address)
need one.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import OrgUnitFactory, PersonFactory, UserFactory, membership
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
from wenyi.core import imports
from wenyi.core.enums import ImportKind
from wenyi.orgs import services
from wenyi.orgs.enums import Role
from wenyi.orgs.models import Membership, OrgUnit, Person
from wenyi.orgs.people_import import build_template
from wenyi.orgs.units_import import build_template as build_unit_template

UNITS = ("city", "county_a", "county_b", "enterprise_a")


@pytest.fixture
def office_a(county_a):
    """An office at a county, not at the top of the tree."""
    user = UserFactory(username="office_a")
    PersonFactory(user=user, unit=county_a, name="兰山办")
    membership(user, county_a, Role.OFFICE)
    return user


# --- the objects, by name -------------------------------------------------------------


def _unit(name):
    return lambda cast, objects: getattr(cast, name)


def _person_of(login):
    return lambda cast, objects: getattr(cast, login).person


def _role(role, unit):
    """A role at a unit, not saved: what `orgs.grant_role` is asked about."""
    return lambda cast, objects: Membership(unit=getattr(cast, unit), role=role)


def _retired(cast, objects):
    """A retired unit below county_b (retired units are kept, not deleted)."""
    import datetime

    return OrgUnitFactory(
        parent=cast.county_b,
        code="371311009",
        name="罗庄区旧厂",
        kind="enterprise",
        retired_on=datetime.date(2014, 9, 1),
    )


def _units_import(cast, objects):
    upload = SimpleUploadedFile("单位.xlsx", build_unit_template(OrgUnit.objects.none()))
    job, _created = imports.start(cast.office, kind=ImportKind.UNITS, upload=upload)
    return job


def _people_import(cast, objects):
    units = OrgUnit.objects.filter(pk=cast.county_a.pk)
    upload = SimpleUploadedFile("名单.xlsx", build_template(units))
    job, _created = imports.start(cast.coordinator_a, kind=ImportKind.PEOPLE, upload=upload)
    return job


OBJECTS = {
    **{name: _unit(name) for name in UNITS},
    **{
        f"p_{login}": _person_of(login)
        for login in ("office", "coordinator_a", "coordinator_b", "artist", "expert")
    },
    "p_expert_conflicted": _person_of("expert_conflicted"),
    # a worker of the enterprise without a login
    "p_worker_e": lambda cast, objects: PersonFactory(unit=cast.enterprise_a, name="周职工"),
    "p_superuser": lambda cast, objects: PersonFactory(
        user=cast.superuser, unit=cast.county_a, name="管理员"
    ),
    # people added through the service: their audit entries are filed under their unit
    "p_new_a": lambda cast, objects: services.create_person(
        cast.coordinator_a, name="新职工甲", unit=cast.county_a
    ),
    "p_new_b": lambda cast, objects: services.create_person(
        cast.coordinator_b, name="新职工乙", unit=cast.county_b
    ),
    "artist@county_a": _role(Role.ARTIST, "county_a"),
    "artist@enterprise_a": _role(Role.ARTIST, "enterprise_a"),
    "artist@county_b": _role(Role.ARTIST, "county_b"),
    "coordinator@county_a": _role(Role.COORDINATOR, "county_a"),
    "coordinator@enterprise_a": _role(Role.COORDINATOR, "enterprise_a"),
    "expert@county_a": _role(Role.EXPERT, "county_a"),
    "office@city": _role(Role.OFFICE, "city"),
    "office@county_a": _role(Role.OFFICE, "county_a"),
    "people_import": _people_import,
    "retired": _retired,
    "units_import": _units_import,
}

T, F = True, False

# --- the rules table --------------------------------------------------------------------

RULES = [
    # orgs.view_unit: the units one manages, and the unit one is a member of
    *rows("office", "orgs.view_unit", {"city": T, "county_a": T, "county_b": T, "enterprise_a": T}),
    *rows(
        "office_a", "orgs.view_unit", {"city": F, "county_a": T, "county_b": F, "enterprise_a": T}
    ),
    *rows(
        "coordinator_a",
        "orgs.view_unit",
        {"city": F, "county_a": T, "county_b": F, "enterprise_a": T},
    ),
    *rows(
        "coordinator_b",
        "orgs.view_unit",
        {"city": F, "county_a": F, "county_b": T, "enterprise_a": F},
    ),
    *rows("artist", "orgs.view_unit", {"city": F, "county_a": T, "county_b": F, "enterprise_a": F}),
    *rows("expert", "orgs.view_unit", {"city": T, "county_a": F, "county_b": F, "enterprise_a": F}),
    *rows("expert_conflicted", "orgs.view_unit", {"city": F, "county_a": T}),
    *rows("superuser", "orgs.view_unit", {"city": T, "county_b": T}),
    *rows("nobody", "orgs.view_unit", {"city": F, "county_a": F}),
    # orgs.change_unit: the units one manages
    *rows(
        "office", "orgs.change_unit", {"city": T, "county_a": T, "county_b": T, "enterprise_a": T}
    ),
    *rows("office_a", "orgs.change_unit", {"city": F, "county_a": T, "county_b": F}),
    *rows(
        "coordinator_a",
        "orgs.change_unit",
        {"city": F, "county_a": T, "county_b": F, "enterprise_a": T},
    ),
    *rows("coordinator_b", "orgs.change_unit", {"county_a": F, "county_b": T, "enterprise_a": F}),
    *rows("artist", "orgs.change_unit", {"county_a": F}),
    *rows("expert", "orgs.change_unit", {"city": F}),
    *rows("expert_conflicted", "orgs.change_unit", {"county_a": F}),
    *rows("superuser", "orgs.change_unit", {"county_b": T}),
    *rows("nobody", "orgs.change_unit", {"county_a": F}),
    # orgs.add_unit (a child under the unit): the office over it
    *rows("office", "orgs.add_unit", {"city": T, "county_a": T, "county_b": T, "enterprise_a": T}),
    *rows(
        "office_a", "orgs.add_unit", {"city": F, "county_a": T, "county_b": F, "enterprise_a": T}
    ),
    *rows("coordinator_a", "orgs.add_unit", {"county_a": F, "enterprise_a": F}),
    *rows("coordinator_b", "orgs.add_unit", {"county_b": F}),
    *rows("artist", "orgs.add_unit", {"county_a": F}),
    *rows("expert", "orgs.add_unit", {"city": F}),
    *rows("superuser", "orgs.add_unit", {"county_b": T}),
    *rows("office", "orgs.add_unit", {"retired": F}),
    *rows("superuser", "orgs.add_unit", {"retired": F}),
    # orgs.add_top_unit (a new tree): a superuser only
    *actors(
        "orgs.add_top_unit",
        None,
        {
            "superuser": T,
            "office": F,
            "office_a": F,
            "coordinator_a": F,
            "artist": F,
            "expert": F,
            "nobody": F,
        },
    ),
    # orgs.move_unit, orgs.retire_unit: an office above the unit (never one's own), in use
    *[
        row
        for perm in ("orgs.move_unit", "orgs.retire_unit")
        for row in (
            *rows(
                "office",
                perm,
                {"city": F, "county_a": T, "county_b": T, "enterprise_a": T, "retired": F},
            ),
            *rows("office_a", perm, {"city": F, "county_a": F, "county_b": F, "enterprise_a": T}),
            *rows("coordinator_a", perm, {"county_a": F, "enterprise_a": F}),
            *rows("coordinator_b", perm, {"county_b": F, "retired": F}),
            *rows("artist", perm, {"county_a": F}),
            *rows("expert", perm, {"county_a": F}),
            *rows("superuser", perm, {"city": T, "enterprise_a": T, "retired": F}),
            *rows("nobody", perm, {"county_a": F}),
        )
    ],
    # orgs.restore_unit: an office above a retired unit
    *rows("office", "orgs.restore_unit", {"retired": T, "county_b": F}),
    *rows("office_a", "orgs.restore_unit", {"retired": F}),
    *rows("coordinator_b", "orgs.restore_unit", {"retired": F}),
    *rows("expert", "orgs.restore_unit", {"retired": F}),
    *rows("superuser", "orgs.restore_unit", {"retired": T, "city": F}),
    # orgs.manage_units (the units page's actions, the tree's import and export): an office
    *actors(
        "orgs.manage_units",
        None,
        {
            "office": T,
            "office_a": T,
            "coordinator_a": F,
            "coordinator_b": F,
            "artist": F,
            "expert": F,
            "superuser": T,
            "nobody": F,
        },
    ),
    # orgs.manage_roles: the office over the unit
    *rows(
        "office", "orgs.manage_roles", {"city": T, "county_a": T, "county_b": T, "enterprise_a": T}
    ),
    *rows("office_a", "orgs.manage_roles", {"city": F, "county_a": T, "county_b": F}),
    *rows("coordinator_a", "orgs.manage_roles", {"county_a": F, "enterprise_a": F}),
    *rows("coordinator_b", "orgs.manage_roles", {"county_b": F}),
    *rows("artist", "orgs.manage_roles", {"county_a": F}),
    *rows("expert", "orgs.manage_roles", {"city": F}),
    *rows("superuser", "orgs.manage_roles", {"county_a": T}),
    # orgs.view_person: the people of one's units, and oneself
    *rows(
        "office",
        "orgs.view_person",
        {"p_office": T, "p_coordinator_b": T, "p_artist": T, "p_worker_e": T, "p_expert": T},
    ),
    *rows("office_a", "orgs.view_person", {"p_artist": T, "p_coordinator_b": F, "p_office": F}),
    *rows(
        "coordinator_a",
        "orgs.view_person",
        {
            "p_coordinator_a": T,
            "p_artist": T,
            "p_expert_conflicted": T,
            "p_worker_e": T,
            "p_coordinator_b": F,
            "p_office": F,
            "p_expert": F,
        },
    ),
    *rows("coordinator_b", "orgs.view_person", {"p_coordinator_b": T, "p_artist": F}),
    *rows("artist", "orgs.view_person", {"p_artist": T, "p_coordinator_a": F, "p_worker_e": F}),
    *rows("expert", "orgs.view_person", {"p_expert": T, "p_office": F, "p_artist": F}),
    *rows("expert_conflicted", "orgs.view_person", {"p_expert_conflicted": T, "p_artist": F}),
    *rows("nobody", "orgs.view_person", {"p_worker_e": F}),
    # orgs.change_person: the people of one's units (not oneself as such)
    *rows("office", "orgs.change_person", {"p_office": T, "p_coordinator_b": T, "p_artist": T}),
    *rows("office_a", "orgs.change_person", {"p_artist": T, "p_office": F}),
    *rows(
        "coordinator_a",
        "orgs.change_person",
        {
            "p_coordinator_a": T,
            "p_artist": T,
            "p_worker_e": T,
            "p_coordinator_b": F,
            "p_office": F,
        },
    ),
    *rows("coordinator_b", "orgs.change_person", {"p_artist": F, "p_worker_e": F}),
    *rows("artist", "orgs.change_person", {"p_artist": F}),
    *rows("expert", "orgs.change_person", {"p_expert": F}),
    # orgs.edit_profile: the people of one's units, and one's own profile
    *rows("office", "orgs.edit_profile", {"p_artist": T, "p_coordinator_b": T}),
    *rows("coordinator_a", "orgs.edit_profile", {"p_artist": T, "p_coordinator_b": F}),
    *rows("coordinator_b", "orgs.edit_profile", {"p_artist": F}),
    *rows("artist", "orgs.edit_profile", {"p_artist": T, "p_coordinator_a": F, "p_worker_e": F}),
    *rows("expert", "orgs.edit_profile", {"p_expert": T, "p_artist": F}),
    # orgs.change_identity: oneself, or someone who may manage every role the login holds
    *rows(
        "office",
        "orgs.change_identity",
        {
            "p_artist": T,
            "p_coordinator_a": T,
            "p_expert": T,
            "p_worker_e": T,
            "p_superuser": F,
        },
    ),
    *rows(
        "office_a",
        "orgs.change_identity",
        {"p_coordinator_a": T, "p_expert_conflicted": T, "p_office": F},
    ),
    *rows(
        "coordinator_a",
        "orgs.change_identity",
        {
            "p_coordinator_a": T,
            "p_artist": T,
            "p_worker_e": T,
            "p_expert_conflicted": F,
            "p_coordinator_b": F,
            "p_superuser": F,
        },
    ),
    *rows("coordinator_b", "orgs.change_identity", {"p_artist": F}),
    *rows("artist", "orgs.change_identity", {"p_artist": T, "p_coordinator_a": F}),
    *rows("expert", "orgs.change_identity", {"p_expert": T, "p_artist": F}),
    *rows("superuser", "orgs.change_identity", {"p_superuser": T, "p_artist": T}),
    # orgs.grant_role: the office any role in its subtree; a coordinator art workers only
    *rows(
        "office",
        "orgs.grant_role",
        {"office@city": T, "coordinator@county_a": T, "artist@county_b": T, "expert@county_a": T},
    ),
    *rows(
        "office_a",
        "orgs.grant_role",
        {
            "office@county_a": T,
            "coordinator@enterprise_a": T,
            "office@city": F,
            "artist@county_b": F,
        },
    ),
    *rows(
        "coordinator_a",
        "orgs.grant_role",
        {
            "artist@county_a": T,
            "artist@enterprise_a": T,
            "artist@county_b": F,
            "coordinator@county_a": F,
            "coordinator@enterprise_a": F,
            "expert@county_a": F,
            "office@city": F,
        },
    ),
    *rows("coordinator_b", "orgs.grant_role", {"artist@county_b": T, "artist@county_a": F}),
    *rows("artist", "orgs.grant_role", {"artist@county_a": F}),
    *rows("expert", "orgs.grant_role", {"expert@county_a": F}),
    *rows("superuser", "orgs.grant_role", {"office@city": T}),
    *rows("nobody", "orgs.grant_role", {"artist@county_a": F}),
    # orgs.list_people: office staff and coordinators
    *actors(
        "orgs.list_people",
        None,
        {
            "office": T,
            "office_a": T,
            "coordinator_a": T,
            "coordinator_b": T,
            "artist": F,
            "expert": F,
            "expert_conflicted": F,
            "superuser": T,
            "nobody": F,
        },
    ),
    # core.view_audit, orgs.view_sign_in_security: an office (its pages scope the rows)
    *[
        row
        for perm in ("core.view_audit", "orgs.view_sign_in_security")
        for row in actors(
            perm,
            None,
            {
                "office": T,
                "office_a": T,
                "coordinator_a": F,
                "coordinator_b": F,
                "artist": F,
                "expert": F,
                "superuser": T,
                "nobody": F,
            },
        )
    ],
    # orgs.serve_as_expert: an expert anywhere
    *actors(
        "orgs.serve_as_expert",
        None,
        {
            "expert": T,
            "expert_conflicted": T,
            "office": F,
            "coordinator_a": F,
            "artist": F,
            "superuser": F,
            "nobody": F,
        },
    ),
    # orgs.unlock_login: the office over the person's unit
    *rows("office", "orgs.unlock_login", {"p_artist": T, "p_coordinator_b": T, "p_office": T}),
    *rows("office_a", "orgs.unlock_login", {"p_artist": T, "p_coordinator_b": F, "p_office": F}),
    *rows("coordinator_a", "orgs.unlock_login", {"p_artist": F}),
    *rows("coordinator_b", "orgs.unlock_login", {"p_coordinator_b": F}),
    *rows("artist", "orgs.unlock_login", {"p_artist": F}),
    *rows("expert", "orgs.unlock_login", {"p_artist": F}),
    *rows("superuser", "orgs.unlock_login", {"p_coordinator_b": T}),
    # orgs.unlock_address: the office at the top of a tree
    *actors(
        "orgs.unlock_address",
        None,
        {
            "office": T,
            "office_a": F,
            "coordinator_a": F,
            "artist": F,
            "expert": F,
            "superuser": T,
        },
    ),
    # orgs.view_every_login: a superuser only
    *actors(
        "orgs.view_every_login",
        None,
        {
            "superuser": T,
            "office": F,
            "office_a": F,
            "coordinator_a": F,
            "artist": F,
            "nobody": F,
        },
    ),
]


@pytest.mark.parametrize("row", RULES, ids=ids(RULES))
def test_orgs_rule(request, db, row):
    check_rule(request, row, OBJECTS)


def test_orgs_rules_table_names_every_declared_permission():
    # orgs/rules.py declares the audit log's permission too (core has no rules.py)
    assert {row.perm for row in RULES} == declared("orgs.", "core.")


def test_orgs_rules_table_shows_each_permission_given_and_refused():
    assert one_sided(RULES) == set()


# --- the pages: outsiders 404, read-only insiders 403 --------------------------------------


def _role_remove_url(person):
    only = person.user.memberships.get()
    return reverse("orgs:person_role_remove", args=[person.pk, only.pk])


def _roles(person):
    return sorted(person.user.memberships.values_list("unit__code", "role"))


VIEWS = {
    "unit": View("get", lambda unit: reverse("orgs:unit", args=[unit.code])),
    "unit_edit": View("get", lambda unit: reverse("orgs:unit_edit", args=[unit.code])),
    "unit_add": View("get", lambda unit: reverse("orgs:unit_add", args=[unit.code])),
    "unit_move": View("get", lambda unit: reverse("orgs:unit_move", args=[unit.code])),
    "unit_move_post": View(
        "post",
        lambda unit: reverse("orgs:unit_move", args=[unit.code]),
        data=lambda unit, objects: {"version": unit.version, "parent": objects["county_b"].pk},
        state=lambda unit: OrgUnit.objects.get(pk=unit.pk).path,
    ),
    "unit_retire": View(
        "post",
        lambda unit: reverse("orgs:unit_retire", args=[unit.code]),
        data=lambda unit, objects: {"version": unit.version},
        state=lambda unit: OrgUnit.objects.get(pk=unit.pk).retired_on,
    ),
    "unit_restore": View(
        "post",
        lambda unit: reverse("orgs:unit_restore", args=[unit.code]),
        data=lambda unit, objects: {"version": unit.version},
        state=lambda unit: OrgUnit.objects.get(pk=unit.pk).retired_on,
    ),
    "units_import": View("get", lambda job: reverse("orgs:units_import_detail", args=[job.pk])),
    "person": View("get", lambda person: reverse("orgs:person", args=[person.pk])),
    "person_edit": View("get", lambda person: reverse("orgs:person_edit", args=[person.pk])),
    "person_login": View(
        "post",
        lambda person: reverse("orgs:person_login", args=[person.pk]),
        data=lambda person, objects: {"username": "new_login", "role": Role.ARTIST},
        state=lambda person: Person.objects.get(pk=person.pk).user_id,
    ),
    "person_role_add": View(
        "post",
        lambda person: reverse("orgs:person_role_add", args=[person.pk]),
        data=lambda person, objects: {"unit": objects["enterprise_a"].pk, "role": Role.ARTIST},
        state=_roles,
    ),
    "person_role_remove": View("post", _role_remove_url, state=_roles),
    "people_import": View("get", lambda job: reverse("orgs:people_import_detail", args=[job.pk])),
    "audit_object": View(
        "get",
        lambda person: reverse(
            "orgs:audit_object", args=[ContentType.objects.get_for_model(Person).pk, person.pk]
        ),
    ),
    # unlocking a login is asked about a person, by their login name
    "unlock_login": View(
        "post",
        lambda person: reverse("orgs:unlock_login"),
        data=lambda person, objects: {"username": person.user.username},
    ),
}

PAGES = [
    # a county's page: a member sees it (the artist), only its managers change it
    Page("coordinator_b", "unit", "county_a", 404),
    Page("expert", "unit", "county_a", 404),
    Page("artist", "unit", "county_a", 200),
    Page("expert_conflicted", "unit", "county_a", 200),
    Page("coordinator_b", "unit_edit", "county_a", 404),
    Page("expert", "unit_edit", "county_a", 404),
    Page("artist", "unit_edit", "county_a", 403),
    Page("expert_conflicted", "unit_edit", "county_a", 403),
    Page("coordinator_a", "unit_edit", "county_a", 200),
    Page("coordinator_b", "unit_add", "county_a", 404),
    Page("expert", "unit_add", "county_a", 404),
    Page("artist", "unit_add", "county_a", 403),
    Page("coordinator_a", "unit_add", "county_a", 403),
    Page("office", "unit_add", "county_a", 200),
    # the city: the expert is a member there; the county's people are outsiders
    Page("coordinator_a", "unit", "city", 404),
    Page("artist", "unit", "city", 404),
    Page("expert", "unit", "city", 200),
    Page("coordinator_a", "unit_edit", "city", 404),
    Page("expert", "unit_edit", "city", 403),
    Page("coordinator_a", "unit_add", "city", 404),
    Page("expert", "unit_add", "city", 403),
    # the enterprise below county_a: the county's artist is not a member of it
    Page("artist", "unit", "enterprise_a", 404),
    Page("coordinator_b", "unit", "enterprise_a", 404),
    Page("expert", "unit", "enterprise_a", 404),
    Page("coordinator_a", "unit", "enterprise_a", 200),
    Page("artist", "unit_edit", "enterprise_a", 404),
    Page("coordinator_b", "unit_edit", "enterprise_a", 404),
    # moving and retiring a unit: an office above it; another county's coordinator or
    # another tree's office does not see it (404), the county's own coordinator may not (403)
    Page("coordinator_b", "unit_move", "enterprise_a", 404),
    Page("coordinator_a", "unit_move", "enterprise_a", 403),
    Page("coordinator_a", "unit_move", "county_a", 403),
    Page("office_a", "unit_move", "county_a", 403),
    Page("office_a", "unit_move", "enterprise_a", 200),
    Page("office", "unit_move", "county_a", 200),
    Page("coordinator_b", "unit_move_post", "enterprise_a", 404),
    Page("coordinator_a", "unit_move_post", "enterprise_a", 403),
    Page("office_a", "unit_move_post", "enterprise_a", 200),  # county_b is outside its area
    Page("office", "unit_move_post", "enterprise_a", 302),
    Page("coordinator_b", "unit_retire", "enterprise_a", 404),
    Page("expert", "unit_retire", "enterprise_a", 404),
    Page("artist", "unit_retire", "county_a", 403),
    Page("coordinator_a", "unit_retire", "enterprise_a", 403),
    Page("office_a", "unit_retire", "county_a", 403),
    Page("office_a", "unit_retire", "enterprise_a", 302),
    Page("office", "unit_retire", "enterprise_a", 302),
    Page("coordinator_a", "unit_restore", "retired", 404),
    Page("office_a", "unit_restore", "retired", 404),
    Page("coordinator_b", "unit_restore", "retired", 403),
    Page("office", "unit_restore", "retired", 302),
    # a unit import: its creator's only; without an office, 403 first
    Page("office", "units_import", "units_import", 200),
    Page("office_a", "units_import", "units_import", 404),
    Page("coordinator_a", "units_import", "units_import", 403),
    Page("artist", "units_import", "units_import", 403),
    # the artist's own record: they see and edit their profile, nothing more
    Page("coordinator_b", "person", "p_artist", 404),
    Page("expert", "person", "p_artist", 404),
    Page("expert_conflicted", "person", "p_artist", 404),
    Page("artist", "person", "p_artist", 200),
    Page("coordinator_b", "person_edit", "p_artist", 404),
    Page("expert", "person_edit", "p_artist", 404),
    Page("artist", "person_edit", "p_artist", 200),
    Page("coordinator_b", "person_login", "p_artist", 404),
    Page("expert", "person_login", "p_artist", 404),
    Page("artist", "person_login", "p_artist", 403),
    Page("coordinator_b", "person_role_add", "p_artist", 404),
    Page("expert", "person_role_add", "p_artist", 404),
    Page("artist", "person_role_add", "p_artist", 403),
    Page("coordinator_a", "person_role_add", "p_artist", 302),
    Page("coordinator_b", "person_role_remove", "p_artist", 404),
    Page("expert", "person_role_remove", "p_artist", 404),
    Page("artist", "person_role_remove", "p_artist", 403),
    Page("coordinator_a", "person_role_remove", "p_artist", 302),
    # a coordinator's record: an art worker of the same county is an outsider to it
    Page("artist", "person", "p_coordinator_a", 404),
    Page("coordinator_b", "person", "p_coordinator_a", 404),
    Page("artist", "person_edit", "p_coordinator_a", 404),
    Page("artist", "person_role_add", "p_coordinator_a", 404),
    Page("artist", "person_role_remove", "p_coordinator_a", 404),
    # a worker without a login at the enterprise
    Page("artist", "person", "p_worker_e", 404),
    Page("coordinator_b", "person", "p_worker_e", 404),
    Page("expert", "person", "p_worker_e", 404),
    Page("coordinator_a", "person", "p_worker_e", 200),
    Page("artist", "person_login", "p_worker_e", 404),
    Page("coordinator_b", "person_login", "p_worker_e", 404),
    Page("expert", "person_login", "p_worker_e", 404),
    Page("coordinator_a", "person_login", "p_worker_e", 302),
    # a people import: its creator's only; without the people list's role, 403 first
    Page("coordinator_a", "people_import", "people_import", 200),
    Page("coordinator_b", "people_import", "people_import", 404),
    Page("office", "people_import", "people_import", 404),
    Page("office_a", "people_import", "people_import", 404),
    Page("artist", "people_import", "people_import", 403),
    Page("expert", "people_import", "people_import", 403),
    # a record's history: an office whose reach holds its entries
    Page("office", "audit_object", "p_new_a", 200),
    Page("office_a", "audit_object", "p_new_a", 200),
    Page("office_a", "audit_object", "p_new_b", 404),
    Page("coordinator_a", "audit_object", "p_new_a", 403),
    Page("artist", "audit_object", "p_new_a", 403),
    Page("expert", "audit_object", "p_new_a", 403),
    # unlocking a login: the office over the person
    Page("office", "unlock_login", "p_coordinator_b", 302),
    Page("office_a", "unlock_login", "p_coordinator_b", 403),
    Page("coordinator_a", "unlock_login", "p_artist", 403),
    Page("artist", "unlock_login", "p_artist", 403),
    Page("expert", "unlock_login", "p_artist", 403),
]


@pytest.mark.parametrize("row", PAGES, ids=ids(PAGES))
def test_orgs_page(request, db, login, row):
    check_page(request, login, row, VIEWS, OBJECTS)
