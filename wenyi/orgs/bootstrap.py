"""A fresh install's top unit and first office login, made without the admin (`wenyi
setup --top-unit-code … --office-login …`). Both are idempotent: asked again for what
exists, they change nothing and say so. The system acts (audit entries without an
actor), as for the demo."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from wenyi.core import audit
from wenyi.core.enums import AuditAction
from wenyi.orgs.enums import Role
from wenyi.orgs.models import Membership, OrgUnit
from wenyi.orgs.services import create_login, create_person
from wenyi.orgs.units import create_unit


@transaction.atomic
def ensure_top_unit(code: str, name: str, kind: str) -> tuple[OrgUnit, bool]:
    """The unit with `code`, made the top of a new tree if there is none: (unit,
    created). A unit of that code with another name or kind is refused, not changed."""
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        return create_unit(None, None, code=code, name=name, kind=kind), True
    if unit.name != name or unit.kind != kind:
        raise ValidationError(
            _(
                "A unit with the code %(code)s exists already, as %(name)s (%(kind)s); "
                "change it on the units page, not here."
            )
            % {"code": code, "name": unit.name, "kind": unit.get_kind_display()}
        )
    return unit, False


@transaction.atomic
def ensure_office_login(
    unit: OrgUnit, username: str, password: str = "", *, name: str = ""
) -> tuple[object, bool, bool]:
    """A login `username` holding the office role at `unit`: (login, created, role
    given). A new login gets a person at the unit named `name` (default: the login
    name) and `password`, which must pass the password rules. An existing login keeps
    its password."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    created = False
    if user is None:
        if not password:
            raise ValidationError(_("A new login needs a password."))
        validate_password(password, User(username=username))
        person = create_person(None, name=name or username, unit=unit)
        user = create_login(None, person, username=username, role="", password=password)
        created = True
    membership, given = Membership.objects.get_or_create(user=user, unit=unit, role=Role.OFFICE)
    if given:
        audit.record(None, AuditAction.CREATE, membership)
    return user, created, given
