"""The unit import's bulk service: add, change and move the units of a whole file, all or
nothing, in one transaction (`wenyi.orgs.units_import` reads and checks the file; the
changes are those of `wenyi.orgs.units`, made for many units at once).

`plan_units` reads only: what each row would do, and every problem. `import_units`
plans again under a lock and applies the plan parents first, so rows may come in any
order: a unit's parent is found by its code, in the file or stored.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from wenyi.core import audit, notify, versioning
from wenyi.core.enums import AuditAction, NoticeKind
from wenyi.core.imports import Problem, RowRef, RowsRefused
from wenyi.core.permissions import allowed
from wenyi.core.sheets import chunks, row_list
from wenyi.orgs.enums import Role, UnitKind
from wenyi.orgs.models import Membership, OrgUnit
from wenyi.orgs.queries import scope_for
from wenyi.orgs.units import (
    MAX_LENGTHS,
    actor_name,
    code_problem,
    move_subtree,
    parent_of,
    unit_label,
)

# The kinds by their Chinese names, as the file writes them: the zh-hans labels of
# UnitKind (tests/orgs/test_units_import.py keeps the two the same). The file is a
# format, not UI: the same words whatever the UI language.
KIND_LABELS: dict[str, str] = {
    "全国": UnitKind.NATION,
    "省": UnitKind.PROVINCE,
    "市": UnitKind.CITY,
    "县": UnitKind.COUNTY,
    "区": UnitKind.DISTRICT,
    "开发区": UnitKind.DEVZONE,
    "企业": UnitKind.ENTERPRISE,
    "其他": UnitKind.OTHER,
}
KIND_NAMES: dict[str, str] = {value: label for label, value in KIND_LABELS.items()}
_OPTIONAL = ("short_name", "address", "phone")


@dataclass
class UnitRow:
    """One unit of an import. `kind` is a UnitKind value (anything else is refused,
    naming the kinds). A blank `parent_code` leaves an existing unit where it is and
    makes a new one the top of a tree; a blank optional value keeps what is stored."""

    code: str
    name: str
    kind: str
    parent_code: str = ""
    short_name: str = ""
    address: str = ""
    phone: str = ""
    ref: RowRef | None = None


@dataclass
class UnitsImported:
    created: int = 0
    changed: int = 0  # details changed or moved (a unit counted once)
    moved: int = 0
    unchanged: int = 0


@dataclass
class _Step:
    row: UnitRow
    unit: OrgUnit | None = None  # the stored unit; None: a new one
    parent_code: str | None = None  # where the unit ends up (None: at the top)
    changes: dict[str, Any] = field(default_factory=dict)
    move: bool = False
    depth: int = 0  # in the tree the import makes: parents are saved before children


@dataclass
class UnitPlan:
    steps: list[_Step]
    problems: list[Problem]

    def counts(self) -> UnitsImported:
        result = UnitsImported()
        for step in self.steps:
            if step.unit is None:
                result.created += 1
            elif step.changes or step.move:
                result.changed += 1
                result.moved += step.move
            else:
                result.unchanged += 1
        return result


def plan_units(actor, rows: Sequence[UnitRow]) -> UnitPlan:
    """What `import_units` would do with the rows, and every problem, reading only."""
    step = OrgUnit.steplen
    scope = None if actor is None else scope_for(actor)
    problems: list[Problem] = []

    def refuse(row: UnitRow, key: str | None, message: str) -> None:
        problems.append(Problem(row.ref, key, message))

    def reaches(unit: OrgUnit) -> bool:
        return scope is None or scope.is_office_for(unit)

    if actor is not None and not allowed(actor, "orgs.manage_units"):
        return UnitPlan([], [Problem(None, None, _("Only a campaign office may import units."))])

    # the values of each row, one by one
    good: list[UnitRow] = []
    for row in rows:
        ok = True
        problem = code_problem(row.code)
        if problem:
            refuse(row, "code", problem)
            ok = False
        if not row.name:
            refuse(row, "name", _("Fill in the unit's name."))
            ok = False
        if not row.kind:
            refuse(row, "kind", _("Fill in the kind."))
            ok = False
        elif row.kind not in UnitKind.values:
            refuse(
                row,
                "kind",
                _("“%(value)s” is not a kind; write one of %(kinds)s.")
                % {"value": row.kind, "kinds": "、".join(KIND_LABELS)},
            )
            ok = False
        for key in ("name", *_OPTIONAL):
            value, limit = getattr(row, key), MAX_LENGTHS[key]
            if len(value) > limit:
                refuse(
                    row,
                    key,
                    _("At most %(limit)s characters, not %(length)s.")
                    % {"limit": limit, "length": len(value)},
                )
                ok = False
        if row.parent_code and row.parent_code != row.code and code_problem(row.parent_code):
            refuse(
                row,
                "parent_code",
                _("No unit has the code %(code)s, in this file or in your area.")
                % {"code": row.parent_code},
            )
            ok = False
        if ok:
            good.append(row)

    # the same code twice in the file
    by_code: dict[str, list[UnitRow]] = defaultdict(list)
    for row in rows:
        if row.code:
            by_code[row.code].append(row)
    twice = {code for code, same in by_code.items() if len(same) > 1}
    for code in sorted(twice):
        same = by_code[code]
        for row in same:
            others = row_list(r.ref.number for r in same if r is not row and r.ref)
            refuse(
                row,
                "code",
                _("The code %(code)s is also in row %(rows)s; each unit once.")
                % {"code": code, "rows": others},
            )
    good = [row for row in good if row.code not in twice]
    # a parent written in the file is checked on its own row (refused there if wrong)
    in_file = {row.code for row in rows if row.code and row.code not in twice}

    # the stored units the rows name, and every unit above them (for the tree's shape)
    wanted = sorted(
        {r.code for r in rows if r.code} | {r.parent_code for r in rows if r.parent_code}
    )
    stored: dict[str, OrgUnit] = {}
    for chunk in chunks(wanted):
        stored.update({u.code: u for u in OrgUnit.objects.filter(code__in=chunk)})
    paths = sorted({p for u in stored.values() for p in u.ancestor_paths()})
    code_at: dict[str, str] = {}
    for chunk in chunks(paths):
        code_at.update(OrgUnit.objects.filter(path__in=chunk).values_list("path", "code"))

    def stored_parent(unit: OrgUnit) -> str | None:
        return code_at[unit.path[:-step]] if unit.depth > 1 else None

    steps: dict[str, _Step] = {}
    for row in good:
        unit = stored.get(row.code)
        if unit is not None and not reaches(unit):
            refuse(
                row,
                "code",
                _("The code %(code)s is the code of a unit outside your area; use another code.")
                % {"code": row.code},
            )
            continue
        if unit is not None and unit.is_retired:
            refuse(
                row,
                "code",
                _(
                    "%(name)s (%(code)s) was retired on %(date)s; restore it on the units "
                    "page before importing it."
                )
                % {"name": unit.name, "code": unit.code, "date": unit.retired_on.isoformat()},
            )
            continue
        current = stored_parent(unit) if unit is not None else None
        wanted_parent = row.parent_code
        if not wanted_parent:
            if unit is None and not (scope is None or scope.superuser):
                refuse(
                    row,
                    "parent_code",
                    _(
                        "Fill in the parent code: only a superuser, or the command line, "
                        "starts a new tree."
                    ),
                )
                continue
            target = current  # a stored unit stays where it is; a new one starts a tree
        elif unit is not None and wanted_parent == current:
            target = current  # not moved: its parent may lie above the importer's area
        elif wanted_parent == row.code:
            refuse(row, "parent_code", _("A unit cannot be its own parent."))
            continue
        elif wanted_parent in in_file:
            target = wanted_parent  # its own row is checked on its own
        elif wanted_parent in twice:
            continue  # the rows of that code are refused
        else:
            parent = stored.get(wanted_parent)
            if parent is None or not reaches(parent):
                # the same words whether the code exists elsewhere or not at all
                refuse(
                    row,
                    "parent_code",
                    _("No unit has the code %(code)s, in this file or in your area.")
                    % {"code": wanted_parent},
                )
                continue
            if parent.is_retired:
                refuse(
                    row,
                    "parent_code",
                    _("%(name)s (%(code)s) is retired; no unit can be put below it.")
                    % {"name": parent.name, "code": parent.code},
                )
                continue
            target = wanted_parent
        moves = unit is not None and target != current
        if moves and not (scope is None or scope.is_office_above(unit)):
            refuse(
                row,
                "parent_code",
                _(
                    "%(name)s is the unit of your own office: only an office above it may "
                    "move it. Write its present parent code %(code)s, or leave it blank."
                )
                % {"name": unit.name, "code": current or "—"},
            )
            continue
        changes: dict[str, Any] = {}
        if unit is not None:
            for key in ("name", "kind", *_OPTIONAL):
                value = getattr(row, key)
                # a blank optional cell keeps what is stored
                if (value or key in ("name", "kind")) and value != getattr(unit, key):
                    changes[key] = value
        steps[row.code] = _Step(row, unit, target, changes, moves)

    # the tree the import makes: no unit may end up above itself
    path_of = {code: path for path, code in code_at.items()}

    def parent_in_result(code: str) -> str | None:
        if code in steps:
            return steps[code].parent_code
        path = path_of.get(code, "")  # a stored unit not in the file
        return code_at.get(path[:-step]) if len(path) > step else None

    looped: set[str] = set()
    for code, plan_step in steps.items():
        seen = [code]
        above = plan_step.parent_code
        while above is not None and above not in seen:
            seen.append(above)
            above = parent_in_result(above)
        if above is None:
            plan_step.depth = len(seen)
            continue
        if above != code:
            continue  # it leads into a circle of other rows, which are refused
        looped.add(code)
        outside = [c for c in seen if c not in steps]
        if outside:
            below = stored.get(outside[0])
            refuse(
                plan_step.row,
                "parent_code",
                _(
                    "%(unit)s lies below this unit, so this unit cannot move below it; a "
                    "unit cannot end up below itself."
                )
                % {"unit": unit_label(below) if below else outside[0]},
            )
        else:
            numbers = sorted(steps[c].row.ref.number for c in seen if steps[c].row.ref)
            refuse(
                plan_step.row,
                "parent_code",
                _(
                    "Rows %(rows)s name each other as parents in a circle; a unit cannot "
                    "end up below itself."
                )
                % {"rows": row_list(numbers)},
            )
    for code in looped:
        del steps[code]
    ordered = sorted(steps.values(), key=lambda s: (s.depth, s.row.code))
    return UnitPlan(ordered, problems)


def import_units(actor, rows: Sequence[UnitRow]) -> UnitsImported:
    """Add, change and move every unit of an import, all or nothing, in one transaction.

    A unit is found by its code. A new one goes below its parent — a unit in the file
    (rows may come in any order) or a stored one in the actor's area — or, with no
    parent, starts a tree (the system or a superuser only). A stored one takes the
    file's name and kind and the optional values written; a different parent moves it
    with everything below it (only an office above it may). Each unit added, changed
    or moved gets its audit entry, noted as imported, and its version moves, so an
    edit page opened before cannot save over the import; the offices concerned get
    one notice each. Importing the same file again changes and records nothing.

    Raises RowsRefused with every problem (nothing saved).
    """
    try:
        with transaction.atomic():
            _lock_trees(actor)
            plan = plan_units(actor, rows)
            if plan.problems:
                raise RowsRefused(plan.problems)
            return _apply(actor, plan)
    except IntegrityError:
        raise RowsRefused(
            [
                Problem(
                    None,
                    None,
                    _(
                        "Someone else changed these units while the file was being imported; "
                        "nothing was imported. Please upload the file again."
                    ),
                )
            ]
        ) from None


def _lock_trees(actor) -> None:
    """Serialise unit imports into the same tree (PostgreSQL; SQLite's BEGIN IMMEDIATE
    already serialises every writer) by locking the top unit of each tree the actor
    reaches, so two uploads of one file cannot both create."""
    scope = None if actor is None else scope_for(actor)
    tops = OrgUnit.objects.filter(depth=1)
    if scope is not None and not scope.superuser:
        tops = tops.filter(path__in=sorted({p[: OrgUnit.steplen] for p in scope.office_paths}))
    list(tops.select_for_update().values_list("pk"))


def _apply(actor, plan: UnitPlan) -> UnitsImported:
    note = _("imported from a spreadsheet")
    touched: dict[int, bool] = {}  # unit id → whether it is new, for the notices
    for s in plan.steps:
        row = s.row
        if s.unit is None:
            parent = OrgUnit.objects.get(code=s.parent_code) if s.parent_code else None
            values = {
                "code": row.code,
                "name": row.name,
                "kind": row.kind,
                **{k: getattr(row, k) for k in _OPTIONAL},
            }
            if parent is None:
                unit = OrgUnit.objects.add_root(values)
            else:
                unit = OrgUnit.objects.add_child(parent, values)
            audit.record(actor, AuditAction.CREATE, unit, note=note)
            touched[unit.pk] = True
            continue
        unit = OrgUnit.objects.get(pk=s.unit.pk)
        if s.changes:
            before = audit.snapshot(unit)
            for key, value in s.changes.items():
                setattr(unit, key, value)
            unit.version += 1  # an edit page opened before the import must not save over it
            unit.save(update_fields=[*s.changes, "version", "updated_at"])
            audit.record(actor, AuditAction.UPDATE, unit, before=before, note=note)
        if s.move:
            old = parent_of(unit)
            versioning.bump(OrgUnit, unit.pk)
            unit.refresh_from_db()
            move_subtree(actor, unit, old, OrgUnit.objects.get(code=s.parent_code), note=note)
        if s.changes or s.move:
            touched[unit.pk] = False
    result = plan.counts()
    if touched:
        _tell_import(actor, touched)
    return result


def _tell_import(actor, touched: dict[int, bool]) -> None:
    """One notice to each office concerned, with the counts of its own area: the offices
    at each changed unit or the nearest unit above it."""
    units = []
    for chunk in chunks(sorted(touched)):
        units.extend(OrgUnit.objects.filter(pk__in=chunk).only("pk", "path", "depth"))
    paths = sorted({p for u in units for p in u.ancestor_paths()})
    holders: dict[str, list[Any]] = defaultdict(list)
    for chunk in chunks(paths):
        found = Membership.objects.filter(
            role=Role.OFFICE, unit__path__in=chunk, user__is_active=True
        ).select_related("user", "unit")
        for membership in found:
            holders[membership.unit.path].append(membership.user)
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    users: dict[int, Any] = {}
    for unit in units:
        for path in reversed(unit.ancestor_paths()):
            if holders.get(path):
                for user in holders[path]:
                    users[user.pk] = user
                    counts[user.pk][0 if touched[unit.pk] else 1] += 1
                break
    who = actor_name(actor)
    for user_pk, (created, changed) in counts.items():
        with notify.site_language():
            text = _(
                "%(who)s imported units from a spreadsheet: %(created)s added and "
                "%(changed)s changed in your area."
            ) % {"who": who, "created": created, "changed": changed}
        notify.notify(
            [users[user_pk]], text, kind=NoticeKind.UNITS, url=reverse("orgs:units"), exclude=actor
        )
