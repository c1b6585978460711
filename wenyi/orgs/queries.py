"""Who reaches which units and people: the scoped querysets every view uses."""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from wenyi.core.enums import ImportKind
from wenyi.core.models import ImportJob
from wenyi.orgs.enums import Role
from wenyi.orgs.models import Membership, OrgUnit, Person


@dataclass(frozen=True)
class Scope:
    """A login's reach, read once per request from its memberships."""

    superuser: bool = False
    office_paths: tuple[str, ...] = ()
    coordinator_paths: tuple[str, ...] = ()
    member_unit_ids: frozenset[int] = field(default_factory=frozenset)
    # the paths of every unit where the login holds any role
    member_paths: tuple[str, ...] = ()
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def managed_paths(self) -> tuple[str, ...]:
        return self.office_paths + self.coordinator_paths

    def is_office_for(self, unit: OrgUnit) -> bool:
        return self.superuser or unit.path.startswith(self.office_paths or ("\0",))

    def manages(self, unit: OrgUnit) -> bool:
        return self.superuser or unit.path.startswith(self.managed_paths or ("\0",))

    def manages_above(self, unit: OrgUnit) -> bool:
        """Manages a unit above this one: the level that checks this unit's work.

        A unit at the top of the tree is checked by its own office.
        """
        if self.superuser:
            return True
        if any(unit.path.startswith(p) and len(p) < len(unit.path) for p in self.managed_paths):
            return True
        return unit.depth == 1 and self.is_office_for(unit)

    def sees(self, unit: OrgUnit) -> bool:
        return self.manages(unit) or unit.pk in self.member_unit_ids

    def is_office_above(self, unit: OrgUnit) -> bool:
        """An office at a unit strictly above this one (or a superuser): who moves and
        retires it. Nobody moves or retires the unit their own office sits at."""
        return self.superuser or any(
            unit.path.startswith(p) and len(p) < len(unit.path) for p in self.office_paths
        )


_EMPTY = Scope()


def scope_for(user) -> Scope:
    if user is None or not user.is_authenticated:
        return _EMPTY
    cached = getattr(user, "_wenyi_scope", None)
    if cached is not None:
        return cached
    office, coordinator, members, roles, paths = [], [], set(), set(), set()
    for role, unit_id, path in Membership.objects.filter(user=user).values_list(
        "role", "unit_id", "unit__path"
    ):
        roles.add(role)
        members.add(unit_id)
        paths.add(path)
        if role == Role.OFFICE:
            office.append(path)
        elif role == Role.COORDINATOR:
            coordinator.append(path)
    scope = Scope(
        superuser=user.is_superuser,
        office_paths=tuple(office),
        coordinator_paths=tuple(coordinator),
        member_unit_ids=frozenset(members),
        member_paths=tuple(sorted(paths)),
        roles=frozenset(roles),
    )
    user._wenyi_scope = scope
    return scope


_NO_PERSON = Person()  # what person_of keeps for a login that is nobody's


def person_of(user) -> Person | None:
    """The person a login is (with their unit), or None; read once per request, like
    `scope_for` (several parts of a page ask)."""
    if user is None or not user.is_authenticated:
        return None
    cached = getattr(user, "_wenyi_person", None)
    if cached is None:
        cached = Person.objects.filter(user=user).select_related("unit").first() or _NO_PERSON
        user._wenyi_person = cached
    return None if cached is _NO_PERSON else cached


def under_paths(paths, prefix: str = "") -> Q:
    """Rows whose unit (`prefix` + path) lies at or below any of the paths."""
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{prefix}path__startswith": path})
    return q


def under_units(units, prefix: str = "", *, whole=None) -> Q:
    """Rows whose unit lies at or below any of `units`: one prefix condition per
    outermost unit. `whole`: a unit the rows are known to lie under already (a
    campaign's owner, for rows of that campaign); when one of `units` covers it, no
    condition at all, so the database neither joins the units nor compares paths —
    the office's dashboards read every row of their campaign."""
    outer = outermost_paths(unit.path for unit in units)
    if whole is not None and any(whole.path.startswith(path) for path in outer):
        return Q()
    return under_paths(outer, prefix)


def outermost_paths(paths) -> list[str]:
    """The paths not below another one of the list (the fewest prefixes covering all)."""
    result: list[str] = []
    for path in sorted(paths):
        if not result or not path.startswith(result[-1]):
            result.append(path)
    return result


def managed(user, prefix: str = "") -> Q:
    """Rows whose unit (`prefix` + path: "unit__" for a record's unit) lies in a subtree
    the login manages: every row for a superuser, none for a login that manages nothing.
    The one scoping filter of every list and query."""
    scope = scope_for(user)
    if scope.superuser:
        return Q(pk__isnull=False)  # every row (an empty Q() would vanish in an OR)
    return under_paths(outermost_paths(scope.managed_paths), prefix)


def units_managed_by(user) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(managed(user))


def units_of_office(user) -> QuerySet[OrgUnit]:
    """The units in the subtrees where the login holds an office role (every unit for a
    superuser): where it adds, moves, imports and exports units."""
    scope = scope_for(user)
    if scope.superuser:
        return OrgUnit.objects.all()
    return OrgUnit.objects.filter(under_paths(outermost_paths(scope.office_paths)))


def in_use(prefix: str = "", today=None) -> Q:
    """Units (`prefix` + fields) not retired as of today: no retirement date, or one still
    to come (OrgUnit.is_retired)."""
    from wenyi.core import clock

    return Q(**{f"{prefix}retired_on__isnull": True}) | Q(
        **{f"{prefix}retired_on__gt": today or clock.today()}
    )


def active_units(units: QuerySet[OrgUnit] | None = None) -> QuerySet[OrgUnit]:
    """The units of `units` (default: all) that are not retired: the only ones offered in
    a choice (a person's unit, a role's unit, a parent, an import's unit codes). A retired
    unit keeps its records and stays visible where it is listed as such."""
    units = OrgUnit.objects.all() if units is None else units
    return units.filter(in_use())


def unit_choices(units: QuerySet[OrgUnit], keep: OrgUnit | None = None) -> QuerySet[OrgUnit]:
    """The active units of `units` in tree order for a select, and `keep` (the value the
    record holds now, retired or not) so that editing it does not fail on its own unit."""
    q = in_use()
    if keep is not None:
        q |= Q(pk=keep.pk)
    return units.filter(q).order_by("path")


def units_visible_to(user) -> QuerySet[OrgUnit]:
    scope = scope_for(user)
    if scope.superuser:
        return OrgUnit.objects.all()
    return OrgUnit.objects.filter(
        under_paths(scope.managed_paths) | Q(pk__in=scope.member_unit_ids)
    )


def people_managed_by(user) -> QuerySet[Person]:
    return Person.objects.filter(managed(user, "unit__"))


def people_visible_to(user) -> QuerySet[Person]:
    if not user.is_authenticated:
        return Person.objects.none()
    return Person.objects.filter(Q(user=user) | managed(user, "unit__"))


def unit_imports_visible_to(user) -> QuerySet[ImportJob]:
    """A unit import is seen by its creator (and a superuser), as a people import is."""

    jobs = ImportJob.objects.filter(kind=ImportKind.UNITS)
    if scope_for(user).superuser:
        return jobs
    if not user.is_authenticated:
        return jobs.none()
    return jobs.filter(created_by=user)


def people_imports_visible_to(user) -> QuerySet[ImportJob]:
    """A people import is seen by its creator (and a superuser): it lists the rows of
    people in the creator's own units."""
    jobs = ImportJob.objects.filter(kind=ImportKind.PEOPLE)
    if scope_for(user).superuser:
        return jobs
    if not user.is_authenticated:
        return jobs.none()
    return jobs.filter(created_by=user)


# -- orders people expect: names by their pinyin (wenyi.core.sorting) ------------------

# homophones (张三, 章三) by the characters, then by id: a fixed order on both databases
PEOPLE_BY_NAME = ("name_sort", "name", "id")


def by_name(people: QuerySet[Person]) -> QuerySet[Person]:
    """People in the order of their names' pinyin: 阿明, 李四, 王五, 张三, 赵六."""
    return people.order_by(*PEOPLE_BY_NAME)


def units_flat(units: QuerySet[OrgUnit]) -> QuerySet[OrgUnit]:
    """Units for a list that does not draw the tree (a filter's drop-down, a unit's
    children): level by level, each level in the pinyin order of the names, so the
    highest unit (usually the login's own) comes first. Lists drawn as the tree (indented
    choices, the quota and completeness tables) keep `order_by("path")`."""
    return units.order_by("depth", "name_sort", "name", "path")


def filter_people(user, params) -> QuerySet[Person]:
    """The people a login manages, filtered as the people list is (q, unit, role): the
    list and its Excel export use this one function so they always hold the same rows."""
    people = people_managed_by(user)
    q = params.get("q", "").strip()
    if q:
        people = people.filter(
            Q(name__icontains=q)
            | Q(mobile__icontains=q)
            | Q(email__icontains=q)
            | Q(user__username__icontains=q)
        )
    unit_code = params.get("unit", "").strip()
    if unit_code:
        unit = units_managed_by(user).filter(code=unit_code).first()
        people = people.filter(unit__path__startswith=unit.path) if unit else people.none()
    role = params.get("role", "").strip()
    if role:
        people = people.filter(user__memberships__role=role).distinct()
    return people


def audit_entries_visible_to(user) -> QuerySet:
    """Audit entries filed under the units where the login holds an office role, and for
    a supervisor the review's entries filed under the units they supervise (its scores
    left out: a supervisor reads scores on the results page once a round is closed); a
    superuser sees every entry, those filed under no unit included."""
    from wenyi.core.models import AuditEntry

    scope = scope_for(user)
    if scope.superuser:
        return AuditEntry.objects.all()
    visible = Q(pk__in=[])
    if scope.office_paths:
        units = OrgUnit.objects.filter(under_paths(outermost_paths(scope.office_paths)))
        visible |= Q(unit_pk__in=units.values("pk"))
    if Role.SUPERVISOR in scope.roles:
        supervised = Membership.objects.filter(user=user, role=Role.SUPERVISOR).values_list(
            "unit__path", flat=True
        )
        units = OrgUnit.objects.filter(under_paths(outermost_paths(supervised)))
        # app label and model by name: orgs sits below review (see DESIGN.md)
        visible |= Q(unit_pk__in=units.values("pk"), content_type__app_label="review") & ~Q(
            content_type__model="score"
        )
    return AuditEntry.objects.filter(visible)


def _nearest_holders(paths: list[str], roles: tuple[str, ...]):
    """Active logins holding one of `roles` at the deepest of `paths` that has any."""
    from django.contrib.auth import get_user_model

    found = (
        Membership.objects.filter(role__in=roles, unit__path__in=paths, user__is_active=True)
        .select_related("unit")
        .order_by("-unit__depth")
    )
    deepest = None
    users = []
    for membership in found:
        if deepest is None:
            deepest = membership.unit.depth
        if membership.unit.depth != deepest:
            break
        users.append(membership.user_id)
    return list(get_user_model().objects.filter(pk__in=users).select_related("person"))


def offices_for(unit: OrgUnit) -> list:
    """The offices a change to a unit concerns: those at the unit, or at the nearest unit
    above it that has any."""
    return _nearest_holders(unit.ancestor_paths(), (Role.OFFICE,))


def coordinators_for(unit: OrgUnit) -> list:
    """Who looks after a unit's records: its coordinators, or those of the nearest unit
    above it that has any (an enterprise's records are its county's business)."""
    return _nearest_holders(unit.ancestor_paths(), (Role.COORDINATOR,))


def checkers_for(unit: OrgUnit) -> list:
    """Who decides on what a unit submits: the managers of the nearest unit above it
    (its own office at the top of the tree)."""
    paths = unit.ancestor_paths()[:-1] or unit.ancestor_paths()
    return _nearest_holders(paths, (Role.COORDINATOR, Role.OFFICE))


def checked_by(user, prefix: str = "unit__") -> Q:
    """Rows whose unit this login checks: the units below the ones it manages (the level
    above verifies and approves), and the unit at the top of a tree for its own office —
    the query form of Scope.manages_above."""
    scope = scope_for(user)
    if scope.superuser:
        return Q(pk__isnull=False)
    q = Q(pk__in=[])
    for path in outermost_paths(scope.managed_paths):
        q |= Q(**{f"{prefix}path__startswith": path}) & ~Q(**{f"{prefix}path": path})
    for path in scope.office_paths:
        if len(path) == OrgUnit.steplen:
            q |= Q(**{f"{prefix}path": path})
    return q
