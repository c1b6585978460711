"""Every change to the unit tree: one function per state change, each validating, saving,
writing its audit entry and telling the offices concerned.

- `create_unit`, `update_unit` (details and renaming), `move_unit`, `retire_unit`,
  `restore_unit`: what the unit pages do (and `wenyi setup`, the demo, the benchmarks);
- the same changes for a whole tree, in one transaction: `wenyi.orgs.units_bulk`
  (`wenyi.orgs.units_import` reads the file).

Who may do what is declared in `orgs.rules`; the services check it again (a view is not
the only caller). `actor=None` is the system (`wenyi setup`, `wenyi import-units`
without a login, the demo): it reaches every unit and may start a tree.

Moving uses treebeard's materialised path: `OrgUnit.objects.move(unit, parent,
"sorted-child")` rewrites the paths of the whole subtree (and of the siblings it is
sorted between), so every path-based query — "this unit and everything below it" —
holds after a move. Nothing else stores a path (audit entries and tallies keep ids), but
units read before a move hold stale paths: each step here reads its units afresh.
"""

import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from wenyi.core import audit, clock, notify, versioning
from wenyi.core.enums import AuditAction, NoticeKind
from wenyi.core.permissions import allowed
from wenyi.orgs.enums import UnitKind
from wenyi.orgs.models import OrgUnit
from wenyi.orgs.queries import in_use, offices_for

UNIT_FIELDS = ("code", "name", "short_name", "kind", "bodies", "address", "phone")
# the lengths of the model's fields, for messages before the database would refuse
MAX_LENGTHS = {"code": 40, "name": 100, "short_name": 40, "address": 200, "phone": 40}
# a code is part of the unit's address (/orgs/units/<code>/): no spaces, no slashes
CODE_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_-]*$")
# pages under /orgs/units/ that a unit's code would hide
RESERVED_CODES = frozenset({"new", "import", "export"})


# -- shared checks and words ------------------------------------------------------------


def code_problem(code: str) -> str | None:
    """Why `code` cannot be a unit's code (its form, not whether it is taken), or None."""
    if not code:
        return _("Fill in the code.")
    if len(code) > MAX_LENGTHS["code"]:
        return _("At most %(limit)s characters, not %(length)s.") % {
            "limit": MAX_LENGTHS["code"],
            "length": len(code),
        }
    if not CODE_RE.match(code):
        return _(
            "“%(code)s” cannot be a code: use letters, digits, - and _ only, starting with "
            "a letter or digit (no spaces)."
        ) % {"code": code}
    if code.lower() in RESERVED_CODES:
        return _("“%(code)s” is the name of a page; choose another code.") % {"code": code}
    return None


def check_code(code: str, unit: OrgUnit | None = None) -> None:
    """Raise ValidationError on the field `code` unless `code` may be this unit's code."""
    problem = code_problem(code)
    if problem is None:
        others = OrgUnit.objects.filter(code=code)
        if unit is not None and unit.pk:
            others = others.exclude(pk=unit.pk)
        if others.exists():
            problem = _("Code: another unit already has the code %(code)s.") % {"code": code}
    if problem:
        raise ValidationError({"code": problem})


def _check_values(values: dict[str, Any]) -> None:
    """The name and kind of a unit being created or changed."""
    if "name" in values and not (values["name"] or "").strip():
        raise ValidationError({"name": _("Unit name: fill in the name.")})
    if "kind" in values and values["kind"] not in UnitKind.values:
        raise ValidationError({"kind": _("Kind: choose one from the list.")})


def actor_name(actor) -> str:
    """Who did it, as others read it in a notice."""
    if actor is None:
        return _("the system")
    person = getattr(actor, "person", None)
    return getattr(person, "name", "") or actor.get_username()


def unit_label(unit: OrgUnit) -> str:
    return f"{unit.name}（{unit.code}）"


def _unit_url(unit: OrgUnit) -> str:
    return reverse("orgs:unit", args=[unit.code])


def _tell_offices(actor, units: Iterable[OrgUnit], text: str, url: str) -> None:
    """The notice to the offices of each unit (at it, or the nearest above it) — not to
    the one who acted."""
    users = [user for unit in units for user in offices_for(unit)]
    notify.notify(users, text, kind=NoticeKind.UNITS, url=url, exclude=actor)


def _require(actor, perm: str, obj=None) -> None:
    if actor is not None and not allowed(actor, perm, obj):
        raise PermissionDenied


def _fresh(unit: OrgUnit) -> OrgUnit:
    """The unit as stored now, locked until the transaction ends (paths move under
    other changes; a version check needs the stored version)."""
    return OrgUnit.objects.select_for_update().get(pk=unit.pk)


def parent_of(unit: OrgUnit) -> OrgUnit | None:
    if unit.depth <= 1:
        return None
    return OrgUnit.objects.get(path=unit.path[: -OrgUnit.steplen])


# -- one unit at a time ------------------------------------------------------------------


@transaction.atomic
def create_unit(actor, parent: OrgUnit | None, **values: Any) -> OrgUnit:
    """A new unit below `parent`, or (parent None) the top of a new tree."""
    _require(actor, "orgs.add_top_unit" if parent is None else "orgs.add_unit", parent)
    fields = {k: v for k, v in values.items() if k in UNIT_FIELDS}
    check_code(fields.get("code", ""))
    _check_values({"name": fields.get("name", ""), "kind": fields.get("kind", "")})
    if parent is None:
        unit = OrgUnit.objects.add_root(fields)
    else:
        # treebeard numbers the new child from the parent's counters: read them fresh
        fresh = _fresh(parent)
        if fresh.is_retired:
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: _(
                        "Parent unit: %(name)s is retired; no unit can be added below it."
                    )
                    % {"name": fresh.name}
                }
            )
        unit = OrgUnit.objects.add_child(fresh, fields)
    audit.record(actor, AuditAction.CREATE, unit)
    with notify.site_language():
        if parent is None:
            text = _("%(who)s added the unit %(unit)s.")
            where = ""
        else:
            text = _("%(who)s added the unit %(unit)s below %(parent)s.")
            where = parent.name
        text %= {"who": actor_name(actor), "unit": unit_label(unit), "parent": where}
    _tell_offices(actor, [unit], text, _unit_url(unit))
    return unit


@transaction.atomic
def update_unit(actor, unit: OrgUnit, *, version: int | None, **values: Any) -> OrgUnit:
    """Change a unit's details (renaming it too); `version` is the one the editor's
    form was opened at."""
    _require(actor, "orgs.change_unit", unit)
    before = audit.snapshot(unit)
    changed = audit.apply_values(unit, UNIT_FIELDS, values)
    if not changed:
        return unit
    if "code" in changed:
        check_code(unit.code, unit)
    _check_values({k: getattr(unit, k) for k in ("name", "kind") if k in changed})
    versioning.claim(unit, version)
    unit.save(update_fields=[*changed, "updated_at"])
    audit.record(actor, AuditAction.UPDATE, unit, before=before)
    labels = audit.field_labels(OrgUnit)
    with notify.site_language():
        text = _("%(who)s changed the unit %(unit)s: %(fields)s.") % {
            "who": actor_name(actor),
            "unit": unit_label(unit),
            "fields": "、".join(str(labels.get(f, f)) for f in changed),
        }
    _tell_offices(actor, [unit], text, _unit_url(unit))
    return unit


def _check_move(actor, unit: OrgUnit, parent: OrgUnit) -> None:
    """Raise ValidationError on the field `parent` unless `unit` may go below `parent`:
    a unit in the actor's reach, not retired, neither the unit nor one below it."""
    if parent.pk == unit.pk or parent.path.startswith(unit.path):
        raise ValidationError(
            {
                "parent": _(
                    "Parent unit: %(parent)s is %(unit)s itself or lies below it; a unit "
                    "cannot move below itself."
                )
                % {"parent": parent.name, "unit": unit.name}
            }
        )
    if parent.is_retired:
        raise ValidationError(
            {
                "parent": _("Parent unit: %(name)s is retired; choose an active unit.")
                % {"name": parent.name}
            }
        )
    if actor is not None and not allowed(actor, "orgs.add_unit", parent):
        raise ValidationError(
            {"parent": _("Parent unit: choose a unit in your area.")},
        )


def move_subtree(
    actor, unit: OrgUnit, old: OrgUnit | None, parent: OrgUnit, *, note: str = ""
) -> None:
    """Move a unit (its version already claimed) with its subtree, and audit it."""
    OrgUnit.objects.move(unit, parent, "sorted-child")
    unit.refresh_from_db()
    with notify.site_language():
        moved = _("moved from below %(old)s to below %(new)s") % {
            "old": old.name if old is not None else "—",
            "new": parent.name,
        }
    audit.record(
        actor,
        AuditAction.UPDATE,
        unit,
        # the version move is what an edit page opened before the move is refused by
        changes={"version": [unit.version - 1, unit.version]},
        note="；".join(n for n in (moved, note) if n),
    )


@transaction.atomic
def move_unit(actor, unit: OrgUnit, parent: OrgUnit, *, version: int | None) -> OrgUnit:
    """Put a unit, with everything below it, below another parent inside the actor's
    subtree: never the actor's own unit (the office above it moves it), never below
    itself. Its code, records and history stay; its path and those below it change."""
    _require(actor, "orgs.move_unit", unit)
    unit = _fresh(unit)
    parent = _fresh(parent)
    _check_move(actor, unit, parent)
    old = parent_of(unit)
    if old is not None and old.pk == parent.pk:
        return unit
    versioning.claim(unit, version)
    move_subtree(actor, unit, old, parent)
    with notify.site_language():
        text = _("%(who)s moved the unit %(unit)s from below %(old)s to below %(new)s.") % {
            "who": actor_name(actor),
            "unit": unit_label(unit),
            "old": old.name if old is not None else "—",
            "new": parent.name,
        }
    concerned = [unit] if old is None else [unit, old]
    _tell_offices(actor, concerned, text, _unit_url(unit))
    return unit


def active_below(unit: OrgUnit) -> list[OrgUnit]:
    """The units below `unit` that are not retired."""
    below = OrgUnit.objects.filter(path__startswith=unit.path, depth__gt=unit.depth)
    return list(below.filter(in_use()).order_by("path"))


@transaction.atomic
def retire_unit(actor, unit: OrgUnit, *, version: int | None) -> OrgUnit:
    """Retire a unit from today: it keeps its records and history, is offered in no
    choice and takes part in nothing new. Refused while units below it are active."""
    _require(actor, "orgs.retire_unit", unit)
    unit = _fresh(unit)
    below = active_below(unit)
    if below:
        names = "、".join(u.name for u in below[:5]) + ("……" if len(below) > 5 else "")
        raise ValidationError(
            _(
                "%(name)s cannot be retired: %(count)s active units are below it (%(names)s). "
                "Retire them or move them to another unit first."
            )
            % {"name": unit.name, "count": len(below), "names": names},
            code="active_below",
        )
    before = audit.snapshot(unit)
    versioning.claim(unit, version)
    unit.retired_on = clock.today()
    unit.save(update_fields=["retired_on", "updated_at"])
    audit.record(actor, AuditAction.UPDATE, unit, before=before)
    with notify.site_language():
        text = _("%(who)s retired the unit %(unit)s.") % {
            "who": actor_name(actor),
            "unit": unit_label(unit),
        }
    _tell_offices(actor, [unit], text, _unit_url(unit))
    return unit


@transaction.atomic
def restore_unit(actor, unit: OrgUnit, *, version: int | None) -> OrgUnit:
    """Take a retired unit back into use; its parent must be in use."""
    _require(actor, "orgs.restore_unit", unit)
    unit = _fresh(unit)
    parent = parent_of(unit)
    if parent is not None and parent.is_retired:
        raise ValidationError(
            _("%(name)s is retired too: restore it first, or move this unit elsewhere.")
            % {"name": parent.name},
            code="parent_retired",
        )
    before = audit.snapshot(unit)
    versioning.claim(unit, version)
    unit.retired_on = None
    unit.save(update_fields=["retired_on", "updated_at"])
    audit.record(actor, AuditAction.UPDATE, unit, before=before)
    with notify.site_language():
        text = _("%(who)s restored the unit %(unit)s.") % {
            "who": actor_name(actor),
            "unit": unit_label(unit),
        }
    _tell_offices(actor, [unit], text, _unit_url(unit))
    return unit
