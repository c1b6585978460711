"""Permissions on units and people, declared once; views, templates and the API use them."""

import rules

from wenyi.orgs.enums import Role
from wenyi.orgs.models import OrgUnit
from wenyi.orgs.queries import scope_for


@rules.predicate
def is_office(user) -> bool:
    scope = scope_for(user)
    return scope.superuser or Role.OFFICE in scope.roles


@rules.predicate
def is_supervisor(user) -> bool:
    """Holds the supervisor role somewhere: reads the review's audit (see
    queries.audit_entries_visible_to)."""
    return Role.SUPERVISOR in scope_for(user).roles


@rules.predicate
def is_artist(user) -> bool:
    return Role.ARTIST in scope_for(user).roles


@rules.predicate
def is_expert(user) -> bool:
    return Role.EXPERT in scope_for(user).roles


@rules.predicate
def is_manager(user) -> bool:
    """Office staff or a coordinator somewhere."""
    return bool(scope_for(user).managed_paths) or scope_for(user).superuser


@rules.predicate
def manages_unit(user, unit) -> bool:
    return unit is not None and scope_for(user).manages(unit)


@rules.predicate
def is_office_for_unit(user, unit) -> bool:
    return unit is not None and scope_for(user).is_office_for(unit)


@rules.predicate
def is_office_above_unit(user, unit) -> bool:
    """An office above the unit: moves and retires it (never one's own office's unit)."""
    return unit is not None and scope_for(user).is_office_above(unit)


@rules.predicate
def is_retired_unit(user, unit) -> bool:
    return unit is not None and unit.is_retired


@rules.predicate
def sees_unit(user, unit) -> bool:
    return unit is not None and scope_for(user).sees(unit)


@rules.predicate
def manages_person(user, person) -> bool:
    return person is not None and scope_for(user).manages(person.unit)


@rules.predicate
def is_self(user, person) -> bool:
    return person is not None and person.user_id is not None and person.user_id == user.pk


@rules.predicate
def may_grant(user, membership) -> bool:
    """A role at a unit (a Membership, saved or not): the office gives and takes any role
    in its subtree; a coordinator only art workers in the units they manage."""
    if membership is None:
        return False
    scope = scope_for(user)
    if scope.is_office_for(membership.unit):
        return True
    return membership.role == Role.ARTIST and scope.manages(membership.unit)


@rules.predicate
def manages_every_role_of(user, person) -> bool:
    """Manages the person and may manage every role their login holds: only then may
    they change the fields that identify the login (login name, mobile, e-mail,
    password) — else a coordinator could redirect an office login's password mail."""
    if person is None or not scope_for(user).manages(person.unit):
        return False
    login = person.user
    if login is None:
        return True
    if (login.is_superuser or login.is_staff) and not user.is_superuser:
        return False
    return all(may_grant(user, m) for m in login.memberships.select_related("unit"))


@rules.predicate
def is_office_for_person(user, person) -> bool:
    return person is not None and scope_for(user).is_office_for(person.unit)


@rules.predicate
def is_top_office(user) -> bool:
    """An office at the top of a tree (or a superuser): sees what belongs to no unit."""
    scope = scope_for(user)
    return scope.superuser or any(len(p) == OrgUnit.steplen for p in scope.office_paths)


rules.add_perm("orgs.view_unit", sees_unit)
rules.add_perm("orgs.change_unit", manages_unit)
rules.add_perm("orgs.add_unit", is_office_for_unit & ~is_retired_unit)  # a child under it
# a new tree's top unit: only a superuser (or `wenyi setup` / `wenyi import-units`)
rules.add_perm("orgs.add_top_unit", rules.is_superuser)
rules.add_perm("orgs.move_unit", is_office_above_unit & ~is_retired_unit)
rules.add_perm("orgs.retire_unit", is_office_above_unit & ~is_retired_unit)
rules.add_perm("orgs.restore_unit", is_office_above_unit & is_retired_unit)
# the unit tree's import and export, and the actions on the units page
rules.add_perm("orgs.manage_units", is_office)
rules.add_perm("orgs.view_person", manages_person | is_self)
rules.add_perm("orgs.change_person", manages_person)
rules.add_perm("orgs.edit_profile", manages_person | is_self)
rules.add_perm("orgs.change_identity", is_self | manages_every_role_of)
rules.add_perm("orgs.grant_role", may_grant)
rules.add_perm("orgs.list_people", is_manager)
rules.add_perm("orgs.serve_as_expert", is_expert)
rules.add_perm("orgs.manage_roles", is_office_for_unit)
rules.add_perm("core.view_audit", is_office | is_supervisor)
rules.add_perm("orgs.view_sign_in_security", is_office)
rules.add_perm("orgs.unlock_login", is_office_for_person)
rules.add_perm("orgs.unlock_address", is_top_office)
# someone else's lockout among all of them (views_security): a superuser's view
rules.add_perm("orgs.view_every_login", rules.is_superuser)
