"""Every change to people and roles: one function each, audited (the people import too:
`import_people`, one bulk service for a whole file).

The changes to units live in `wenyi.orgs.units` (one unit) and `wenyi.orgs.units_bulk`
(the unit import); the unit functions are named here too, where callers know them.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from wenyi.core import audit, notify, versioning
from wenyi.core.enums import AuditAction, NoticeKind
from wenyi.core.imports import Problem, RowRef, RowsRefused
from wenyi.core.permissions import allowed
from wenyi.core.sheets import chunks, row_list
from wenyi.orgs.enums import Role
from wenyi.orgs.models import Membership, OrgUnit, Person
from wenyi.orgs.units import (  # noqa: F401 - the unit changes, by their old address
    UNIT_FIELDS,
    create_unit,
    move_unit,
    restore_unit,
    retire_unit,
    update_unit,
)

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
# what identifies a login: only someone who may manage every role of the person changes
# them (rule orgs.change_identity), and the old address hears of the change
IDENTITY_FIELDS = ("mobile", "email")


def check_login_name(username: str, person: Person | None = None) -> None:
    """Login names and mobile numbers share one namespace (either signs in): a login
    name may be nobody's login name yet and nobody else's mobile number."""
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValidationError(
            _("Login name: %(username)s is taken.") % {"username": username}, code="taken"
        )
    others = Person.objects.filter(mobile=username)
    if person is not None and person.pk:
        others = others.exclude(pk=person.pk)
    if others.exists():
        raise ValidationError(
            _(
                "Login name: %(username)s is someone else's mobile number, which signs in "
                "as them; choose another."
            )
            % {"username": username},
            code="mobile",
        )


def check_mobile(mobile: str, person: Person | None = None) -> None:
    """A mobile number belongs to one person and is nobody else's login name."""
    if not mobile:
        return
    User = get_user_model()
    others = Person.objects.filter(mobile=mobile)
    logins = User.objects.filter(username=mobile)
    if person is not None and person.pk:
        others = others.exclude(pk=person.pk)
        if person.user_id:
            logins = logins.exclude(pk=person.user_id)
    if others.exists():
        raise ValidationError(
            _("Mobile: %(mobile)s already belongs to someone else.") % {"mobile": mobile},
            code="taken",
        )
    if logins.exists():
        raise ValidationError(
            _("Mobile: %(mobile)s is another person's login name.") % {"mobile": mobile},
            code="login",
        )


@transaction.atomic
def create_person(
    actor, *, username: str = "", role: str = "", password: str = "", **values: Any
) -> Person:
    person = Person(**{k: v for k, v in values.items() if k in PERSON_FIELDS})
    check_mobile(person.mobile)
    person.full_clean()
    person.save()
    audit.record(actor, AuditAction.CREATE, person)
    if username:
        create_login(actor, person, username=username, role=role, password=password)
    return person


@transaction.atomic
def update_person(actor, person: Person, *, version: int | None, **values: Any) -> Person:
    """Change a person's profile; `version` is the one the editor's form was opened at.

    Mobile and e-mail identify the login (sign-in, password-reset mail): they change only
    by the person themselves or by someone who may manage every role the person holds,
    and the address on file before the change is told of it.
    """
    before = audit.snapshot(person)
    old_email = person.email
    changed = audit.apply_values(person, PERSON_FIELDS, values)
    if not changed:
        return person
    identity = [f for f in IDENTITY_FIELDS if f in changed]
    if identity and not allowed(actor, "orgs.change_identity", person):
        raise PermissionDenied
    if "mobile" in changed:
        check_mobile(person.mobile, person)
    person.full_clean()
    versioning.claim(person, version)
    person.save(update_fields=[*changed, "updated_at"])
    audit.record(actor, AuditAction.UPDATE, person, before=before)
    if person.user_id and "email" in changed:
        person.user.email = person.email
        person.user.save(update_fields=["email"])
    if identity and person.user_id:
        tell_identity_changed(actor, person, identity, old_email, before)
    return person


def tell_identity_changed(actor, person: Person, fields, old_email: str, before) -> None:
    """The old address hears of a changed e-mail or mobile (so a takeover does not go
    unnoticed), and the person gets a notice in the app."""
    labels = {"mobile": _("mobile number"), "email": _("e-mail address")}
    who = getattr(getattr(actor, "person", None), "name", "") or actor.get_username()
    what = "、".join(str(labels[f]) for f in fields)
    subject = _("Your %(what)s on Wenyi was changed") % {"what": what}
    lines = [
        _("%(who)s changed the %(what)s of your login %(login)s.")
        % {"who": who, "what": what, "login": person.user.get_username()}
    ]
    if "email" in fields:
        lines.append(
            _("E-mail: %(old)s → %(new)s") % {"old": old_email or "—", "new": person.email or "—"}
        )
    if "mobile" in fields:
        lines.append(
            _("Mobile: %(old)s → %(new)s")
            % {"old": before.get("mobile") or "—", "new": person.mobile or "—"}
        )
    lines.append(
        _("If you did not expect this, tell your campaign office at once and change your password.")
    )
    body = "\n".join(lines)
    notify.notify([person.user], subject, kind=NoticeKind.ACCOUNT, email=False)
    notify.mail([old_email], subject, body)


@transaction.atomic
def create_login(actor, person: Person, *, username: str, role: str, password: str = ""):
    """Give a person a login (and a role at their unit). No password: they reset it by e-mail."""
    User = get_user_model()
    if person.user_id:
        raise ValidationError(_("%(name)s already has a login.") % {"name": person.name})
    check_login_name(username, person)
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
    """The rule orgs.grant_role for a role not held yet."""
    return allowed(actor, "orgs.grant_role", Membership(unit=unit, role=role))


@transaction.atomic
def grant_role(actor, user, unit: OrgUnit, role: str) -> Membership:
    if not can_grant(actor, unit, role):
        raise PermissionDenied
    membership, created = Membership.objects.get_or_create(user=user, unit=unit, role=role)
    if created:
        audit.record(actor, AuditAction.CREATE, membership)
        tell_role_given(actor, membership)
    return membership


def tell_role_given(actor, membership: Membership) -> None:
    """The notice (in the app, and by e-mail once the change is committed) that a role
    was given, by hand or by a people import."""
    with notify.site_language():
        text = _("You were given the role %(role)s at %(unit)s.") % {
            "role": membership.get_role_display(),
            "unit": membership.unit.name,
        }
    notify.notify([membership.user], text, kind=NoticeKind.ROLE, url=reverse("home"), exclude=actor)


@transaction.atomic
def revoke_role(actor, membership: Membership) -> None:
    if not can_grant(actor, membership.unit, membership.role):
        raise PermissionDenied
    audit.record(actor, AuditAction.DELETE, membership)
    with notify.site_language():
        text = _("Your role %(role)s at %(unit)s was taken away.") % {
            "role": membership.get_role_display(),
            "unit": membership.unit.name,
        }
    notify.notify([membership.user], text, kind=NoticeKind.ROLE, exclude=actor)
    membership.delete()


# -- the people import: one bulk service ------------------------------------------------


@dataclass
class PersonRow:
    """One person of an import, to add or to update in place.

    A blank value ("" or []) leaves what is stored as it is, so a partial file loses
    nothing. `ref` (where the row came from) is handed back in the problems naming it.
    """

    name: str
    unit_code: str
    gender: str = ""  # a Gender value
    mobile: str = ""
    email: str = ""
    job_title: str = ""
    art_forms: list[str] = field(default_factory=list)
    associations: str = ""
    titles: str = ""
    username: str = ""
    role: str = ""  # a Role value: with `username`, a login holding this role at the unit
    ref: RowRef | None = None


@dataclass
class PeopleImported:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    logins_created: int = 0
    memberships_created: int = 0


@dataclass
class _Target:
    """A row, resolved: its unit, the person it is (None: a new one), the login it names."""

    row: PersonRow
    unit: OrgUnit | None = None
    person: Person | None = None
    user: Any = None


_IMPORTED_FIELDS = ("name", "mobile", "email", "job_title", "associations", "titles")


def check_people(
    actor, rows: Sequence[PersonRow], *, allowed_units: QuerySet[OrgUnit]
) -> list[Problem]:
    """Every problem `import_people` would refuse the rows for, reading only."""
    return _resolve(actor, rows, allowed_units)[2]


def import_people(
    actor, rows: Sequence[PersonRow], *, allowed_units: QuerySet[OrgUnit]
) -> PeopleImported:
    """Add or update every person of an import, all or nothing, in one transaction.

    `allowed_units` are the units the actor may put people in (their managed units).
    A person is found by mobile number, or, without one, by name and unit, and updated
    in place, so importing the same rows twice adds nobody. 登录名 + 角色 open a login
    with an *unusable* password (the person sets one before the first login) and a
    membership at the person's unit, under the rule a person's page keeps
    (`can_grant`); mobile and e-mail of a login change only under the identity rule
    (orgs.change_identity), the version moves (an edit page opened before cannot save
    over the import) and the old address is told. Each person, login and role added
    or changed gets its audit entry, noted as imported from a spreadsheet.

    Raises RowsRefused with every problem (nothing saved): a unit outside
    `allowed_units`, a mobile number or login name of someone elsewhere, a role the
    actor may not give, … or someone saving the same people at the same moment.
    """
    try:
        with transaction.atomic():
            targets, existing, problems = _resolve(actor, rows, allowed_units, lock=True)
            if problems:
                raise RowsRefused(problems)
            return _save_people(actor, targets, existing)
    except IntegrityError:
        # someone saved the same mobile or login between our check and our write
        raise RowsRefused(
            [
                Problem(
                    None,
                    None,
                    _(
                        "Someone else changed these people while the file was being imported; "
                        "nothing was imported. Please upload the file again."
                    ),
                )
            ]
        ) from None


def _owner(user) -> Person | None:
    try:
        return user.person
    except ObjectDoesNotExist:
        return None


def _resolve(
    actor, rows: Sequence[PersonRow], allowed_units: QuerySet[OrgUnit], *, lock: bool = False
) -> tuple[list[_Target], set[tuple[int, int, str]], list[Problem]]:
    """Units, people and logins of the rows, read in chunks; the memberships that
    already exist; every problem. With `lock`, the rows' units are locked first (see
    `_lock_units`)."""
    User = get_user_model()
    targets = [_Target(row) for row in rows]
    problems: list[Problem] = []

    def refuse(target: _Target, key: str | None, message: str) -> None:
        problems.append(Problem(target.row.ref, key, message))

    codes = sorted({t.row.unit_code for t in targets if t.row.unit_code})
    units: dict[str, OrgUnit] = {}
    for chunk in chunks(codes):
        units.update({u.code: u for u in allowed_units.filter(code__in=chunk)})
    if lock:
        _lock_units([u.pk for u in units.values()])
    for t in targets:
        if t.row.unit_code:
            t.unit = units.get(t.row.unit_code)
            if t.unit is None:
                # the same words whether the code exists elsewhere or not at all
                refuse(
                    t,
                    "unit_code",
                    _("The unit code %(code)s does not exist or is outside your area.")
                    % {"code": t.row.unit_code},
                )

    mobiles = sorted({t.row.mobile for t in targets if t.row.mobile})
    by_mobile: dict[str, Person] = {}
    for chunk in chunks(mobiles):
        found = Person.objects.filter(mobile__in=chunk).select_related("user")
        by_mobile.update({p.mobile: p for p in found})
    names = sorted({t.row.name for t in targets if t.row.name and t.unit})
    unit_ids = sorted({t.unit.pk for t in targets if t.unit})
    by_name: dict[tuple[str, int], list[Person]] = defaultdict(list)
    for chunk in chunks(names):
        for p in Person.objects.filter(name__in=chunk, unit_id__in=unit_ids).select_related("user"):
            by_name[(p.name, p.unit_id)].append(p)
    usernames = sorted({t.row.username for t in targets if t.row.username})
    users: dict[str, Any] = {}
    for chunk in chunks(usernames):
        found = User.objects.filter(username__in=chunk).select_related("person__unit")
        users.update({u.username: u for u in found})

    candidate_units = {p.unit_id for p in by_mobile.values()}
    candidate_units |= {o.unit_id for u in users.values() if (o := _owner(u))}
    allowed_ids: set[int] = set()
    for chunk in chunks(sorted(candidate_units)):
        allowed_ids.update(allowed_units.filter(pk__in=chunk).values_list("pk", flat=True))

    used_by: dict[int, list[_Target]] = defaultdict(list)
    for t in targets:
        row = t.row
        if row.mobile and (p := by_mobile.get(row.mobile)):
            if p.unit_id not in allowed_ids:
                refuse(
                    t,
                    "mobile",
                    _(
                        "The mobile number %(value)s belongs to a person outside your area; "
                        "ask the campaign office."
                    )
                    % {"value": row.mobile},
                )
                continue
            t.person = p
        elif t.unit and row.name:
            same = by_name.get((row.name, t.unit.pk), [])
            if row.mobile:  # a new number: only someone stored without one can be them
                same = [p for p in same if not p.mobile]
            if len(same) > 1:
                refuse(
                    t,
                    "name",
                    _(
                        "The unit has %(count)s people named %(name)s; fill in the mobile "
                        "number to say which one."
                    )
                    % {"count": len(same), "name": row.name},
                )
            elif same:
                t.person = same[0]
        if t.person is not None:
            used_by[t.person.pk].append(t)
    for same_person in used_by.values():
        if len(same_person) > 1:
            numbers = row_list(t.row.ref.number for t in same_person if t.row.ref)
            for t in same_person:
                refuse(
                    t,
                    None,
                    _("Rows %(rows)s are the same person; keep one of them.") % {"rows": numbers},
                )

    # a retired unit takes no one new (its people stay, and re-importing them is fine)
    for t in targets:
        unit = t.unit
        if unit is not None and unit.is_retired:
            if t.person is None or t.person.unit_id != unit.pk:
                refuse(
                    t,
                    "unit_code",
                    _("The unit %(code)s (%(name)s) is retired; choose a unit in use.")
                    % {"code": unit.code, "name": unit.name},
                )

    # the fields that identify a login change only under the rule the edit page keeps
    for t in targets:
        person = t.person
        if person is None or person.user_id is None:
            continue
        for key in IDENTITY_FIELDS:
            value = getattr(t.row, key)
            if (
                value
                and value != getattr(person, key)
                and not allowed(actor, "orgs.change_identity", person)
            ):
                refuse(
                    t,
                    key,
                    _(
                        "%(name)s holds a role you may not manage, so an import by you "
                        "cannot change their mobile number or e-mail; ask the campaign office."
                    )
                    % {"name": person.name},
                )

    user_ids = {u.pk for u in users.values()}
    user_ids |= {t.person.user_id for t in targets if t.person and t.person.user_id}
    existing: set[tuple[int, int, str]] = set()
    for chunk in chunks(sorted(user_ids)):
        existing.update(
            Membership.objects.filter(user_id__in=chunk).values_list("user_id", "unit_id", "role")
        )

    for t in targets:
        row, person = t.row, t.person
        if not row.username:
            continue
        if person is not None and person.user_id and person.user.username != row.username:
            refuse(
                t,
                "username",
                _(
                    "This person already logs in as %(username)s; an import cannot change a "
                    "login name."
                )
                % {"username": person.user.username},
            )
            continue
        user = users.get(row.username)
        if user is not None:
            owner = _owner(user)
            if owner is None or owner.unit_id not in allowed_ids:
                refuse(
                    t,
                    "username",
                    _("The login name %(value)s is taken; choose another.")
                    % {"value": row.username},
                )
                continue
            if person is None or owner.pk != person.pk:
                refuse(
                    t,
                    "username",
                    _("The login name %(value)s belongs to %(name)s (%(unit)s).")
                    % {"value": row.username, "name": owner.name, "unit": owner.unit.name},
                )
                continue
            t.user = user
        if not row.role:
            if t.user is None:
                refuse(t, "role", _("Choose a role for the new login."))
            continue
        if t.unit is None:
            continue
        already = t.user is not None and (t.user.pk, t.unit.pk, row.role) in existing
        # the same rule as granting a role on a person's page
        if not already and not can_grant(actor, t.unit, row.role):
            refuse(
                t,
                "role",
                _(
                    "You may not give the role %(role)s at this unit: the campaign office "
                    "gives every role, a coordinator only 文艺工作者."
                )
                % {"role": Role(row.role).label},
            )
    return targets, existing, problems


def _lock_units(unit_ids: list[int]) -> None:
    """Serialise imports into the same units (PostgreSQL; SQLite's BEGIN IMMEDIATE
    already serialises every writer), so two uploads of one file cannot both create."""
    for chunk in chunks(sorted(unit_ids)):
        list(OrgUnit.objects.select_for_update().filter(pk__in=chunk).values_list("pk"))


def _save_people(
    actor, targets: list[_Target], existing: set[tuple[int, int, str]]
) -> PeopleImported:
    User = get_user_model()
    result = PeopleImported()
    note = _("imported from a spreadsheet")
    for t in targets:
        row, unit = t.row, t.unit
        assert unit is not None
        person = t.person
        is_new = person is None
        if person is None:
            person = Person(unit=unit)
        before = audit.snapshot(person)
        changed = False

        # a blank value keeps what is stored (a partial file must not erase data)
        for key in _IMPORTED_FIELDS:
            if getattr(row, key):
                setattr(person, key, getattr(row, key))
        if row.gender:
            person.gender = row.gender
        if row.art_forms:
            person.art_forms = row.art_forms
        person.unit = unit

        if row.username and t.user is None:
            user = User(username=row.username, email=person.email)
            # nobody learns a password from a spreadsheet: the person sets one
            user.set_unusable_password()
            user.save()
            audit.record(
                actor, AuditAction.CREATE, user, after=audit.snapshot(user), note=note, unit=unit
            )
            result.logins_created += 1
            t.user = user
            person.user = user

        if is_new:
            person.save()
            audit.record(actor, AuditAction.CREATE, person, after=audit.snapshot(person), note=note)
            result.created += 1
            changed = True
        else:
            after = audit.snapshot(person)
            if after != before:
                # an edit page opened before the import must not save over it
                person.version += 1
                after["version"] = person.version
                person.save()
                audit.record(
                    actor, AuditAction.UPDATE, person, before=before, after=after, note=note
                )
                changed = True
                identity = [k for k in IDENTITY_FIELDS if before.get(k) != after.get(k)]
                if person.user_id and person.user.email != person.email:
                    # the login's address is where password-reset mail goes
                    person.user.email = person.email
                    person.user.save(update_fields=["email"])
                if identity and person.user_id:
                    tell_identity_changed(actor, person, identity, before.get("email", ""), before)

        if row.role and (t.user.pk, unit.pk, row.role) not in existing:
            membership, created = Membership.objects.get_or_create(
                user=t.user, unit=unit, role=row.role
            )
            if created:
                audit.record(actor, AuditAction.CREATE, membership, note=note)
                tell_role_given(actor, membership)
                result.memberships_created += 1
                existing.add((t.user.pk, unit.pk, row.role))
                changed = True

        if not is_new:
            if changed:
                result.updated += 1
            else:
                result.unchanged += 1
    return result
