"""Every change to units, people, roles and leading groups: one function each, audited."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from wenyi.core import audit, notify, versioning
from wenyi.core.enums import AuditAction
from wenyi.orgs.models import Membership, OrgUnit, Person

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
# what identifies a login: only someone who may manage every role of the person changes
# them (rule orgs.change_identity), and the old address hears of the change
IDENTITY_FIELDS = ("mobile", "email")


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
def update_unit(actor, unit: OrgUnit, *, version: int | None, **values: Any) -> OrgUnit:
    """Change a unit; `version` is the one the editor's form was opened at."""
    before = audit.snapshot(unit)
    changed = audit.apply_values(unit, UNIT_FIELDS, values)
    if changed:
        versioning.claim(unit, version)
        unit.save(update_fields=[*changed, "updated_at"])
        audit.record(actor, AuditAction.UPDATE, unit, before=before)
    return unit


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
    if identity and not actor.has_perm("orgs.change_identity", person):
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
    notify.notify([person.user], subject, email=False)
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
    return actor.has_perm("orgs.grant_role", Membership(unit=unit, role=role))


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
