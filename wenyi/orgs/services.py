"""Every change to units, people, roles and leading groups: one function each, audited."""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from wenyi.core import audit
from wenyi.core.enums import AuditAction
from wenyi.orgs.enums import Role
from wenyi.orgs.models import LeadingGroup, LeadingGroupMember, Membership, OrgUnit, Person
from wenyi.orgs.queries import scope_for

UNIT_FIELDS = ("code", "name", "short_name", "kind", "bodies", "address", "phone")
PERSON_FIELDS = (
    "name",
    "gender",
    "unit",
    "mobile",
    "email",
    "job_title",
    "art_forms",
    "associations",
    "titles",
    "notes",
)


def _apply(instance, fields: Iterable[str], values: dict[str, Any]) -> list[str]:
    changed = []
    for name in fields:
        if name in values and getattr(instance, name) != values[name]:
            setattr(instance, name, values[name])
            changed.append(name)
    return changed


@transaction.atomic
def create_unit(actor, parent: OrgUnit | None, **values: Any) -> OrgUnit:
    fields = {k: v for k, v in values.items() if k in UNIT_FIELDS}
    if parent is None:
        unit = OrgUnit.objects.add_root(fields)
    else:
        # treebeard numbers the new child from the parent's counters: read them fresh
        fresh = OrgUnit.objects.select_for_update().get(pk=parent.pk)
        unit = OrgUnit.objects.add_child(fresh, fields)
    audit.record(actor, AuditAction.CREATE, unit)
    return unit


@transaction.atomic
def update_unit(actor, unit: OrgUnit, **values: Any) -> OrgUnit:
    before = audit.snapshot(unit)
    changed = _apply(unit, UNIT_FIELDS, values)
    if changed:
        unit.save(update_fields=[*changed, "updated_at"])
        audit.record(actor, AuditAction.UPDATE, unit, before=before)
    return unit


@transaction.atomic
def create_person(
    actor, *, username: str = "", role: str = "", password: str = "", **values: Any
) -> Person:
    person = Person(**{k: v for k, v in values.items() if k in PERSON_FIELDS})
    person.full_clean()
    person.save()
    audit.record(actor, AuditAction.CREATE, person)
    if username:
        create_login(actor, person, username=username, role=role, password=password)
    return person


@transaction.atomic
def update_person(actor, person: Person, **values: Any) -> Person:
    before = audit.snapshot(person)
    changed = _apply(person, PERSON_FIELDS, values)
    if changed:
        person.full_clean()
        person.save(update_fields=[*changed, "updated_at"])
        audit.record(actor, AuditAction.UPDATE, person, before=before)
        if person.user_id and "email" in changed:
            person.user.email = person.email
            person.user.save(update_fields=["email"])
    return person


@transaction.atomic
def create_login(actor, person: Person, *, username: str, role: str, password: str = ""):
    """Give a person a login (and a role at their unit). No password: they reset it by e-mail."""
    User = get_user_model()
    if person.user_id:
        raise ValidationError(_("%(name)s already has a login.") % {"name": person.name})
    if User.objects.filter(username=username).exists():
        raise ValidationError(_("The login name %(username)s is taken.") % {"username": username})
    user = User(username=username, email=person.email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    person.user = user
    person.save(update_fields=["user", "updated_at"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        person,
        changes={"user": [None, username]},
        note=_("login created"),
    )
    if role:
        grant_role(actor, user, person.unit, role)
    return user


def can_grant(actor, unit: OrgUnit, role: str) -> bool:
    """The office grants any role below it; a coordinator makes art workers in their units."""
    scope = scope_for(actor)
    if scope.is_office_for(unit):
        return True
    return role == Role.ARTIST and scope.manages(unit)


@transaction.atomic
def grant_role(actor, user, unit: OrgUnit, role: str) -> Membership:
    if not can_grant(actor, unit, role):
        raise PermissionDenied
    membership, created = Membership.objects.get_or_create(user=user, unit=unit, role=role)
    if created:
        audit.record(actor, AuditAction.CREATE, membership)
    return membership


@transaction.atomic
def revoke_role(actor, membership: Membership) -> None:
    if not can_grant(actor, membership.unit, membership.role):
        raise PermissionDenied
    audit.record(actor, AuditAction.DELETE, membership)
    membership.delete()


@transaction.atomic
def save_leading_group(
    actor,
    campaign,
    unit: OrgUnit,
    *,
    name: str,
    office_location: str,
    office_phone: str = "",
    office_email: str = "",
    members: list[dict[str, Any]],
) -> LeadingGroup:
    """Register or change a unit's leading group (R2) and replace its member list."""
    group = LeadingGroup.objects.select_for_update().filter(campaign=campaign, unit=unit).first()
    values = {
        "name": name,
        "office_location": office_location,
        "office_phone": office_phone,
        "office_email": office_email,
    }
    if group is None:
        group = LeadingGroup.objects.create(campaign=campaign, unit=unit, **values)
        audit.record(actor, AuditAction.CREATE, group)
        before_members: list[dict[str, Any]] = []
    else:
        before = audit.snapshot(group)
        changed = _apply(group, values.keys(), values)
        if changed:
            group.save(update_fields=[*changed, "updated_at"])
            audit.record(actor, AuditAction.UPDATE, group, before=before)
        before_members = _member_rows(group)
    wanted = [
        {
            "name": m["name"].strip(),
            "position": m.get("position", "").strip(),
            "role": m["role"],
            "phone": m.get("phone", "").strip(),
        }
        for m in members
        if m.get("name", "").strip()
    ]
    if wanted != before_members:
        group.members.all().delete()
        LeadingGroupMember.objects.bulk_create(
            LeadingGroupMember(group=group, order=i, **row) for i, row in enumerate(wanted)
        )
        audit.record(
            actor, AuditAction.UPDATE, group, changes={"members": [before_members, wanted]}
        )
    return group


def _member_rows(group: LeadingGroup) -> list[dict[str, Any]]:
    return [
        {"name": m.name, "position": m.position, "role": m.role, "phone": m.phone}
        for m in group.members.all()
    ]
