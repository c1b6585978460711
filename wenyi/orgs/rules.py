"""Permissions on units and people, declared once; views, templates and the API use them."""

import rules

from wenyi.orgs.enums import Role
from wenyi.orgs.queries import scope_for


@rules.predicate
def is_office(user) -> bool:
    scope = scope_for(user)
    return scope.superuser or Role.OFFICE in scope.roles


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
def sees_unit(user, unit) -> bool:
    return unit is not None and scope_for(user).sees(unit)


@rules.predicate
def manages_person(user, person) -> bool:
    return person is not None and scope_for(user).manages(person.unit)


@rules.predicate
def is_self(user, person) -> bool:
    return person is not None and person.user_id is not None and person.user_id == user.pk


rules.add_perm("orgs.view_unit", sees_unit)
rules.add_perm("orgs.change_unit", manages_unit)
rules.add_perm("orgs.add_unit", is_office_for_unit)  # a child under this unit
rules.add_perm("orgs.view_person", manages_person | is_self)
rules.add_perm("orgs.change_person", manages_person)
rules.add_perm("orgs.list_people", is_manager)
rules.add_perm("orgs.manage_roles", is_office_for_unit)
rules.add_perm("orgs.manage_leading_group", manages_unit)
rules.add_perm("orgs.view_leading_groups_overview", is_office)
rules.add_perm("core.view_audit", is_office)
