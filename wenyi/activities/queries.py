"""Scoped activity querysets and the quota progress every page shows."""

import calendar
import datetime
import decimal
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from wenyi.activities.enums import QuotaStatus
from wenyi.activities.models import Activity, Tally
from wenyi.campaigns.models import ActivityType, Campaign
from wenyi.campaigns.participation import (
    minimum_levels,
    minimum_units,
    participating_units,
)
from wenyi.core import clock
from wenyi.orgs.models import OrgUnit
from wenyi.orgs.queries import managed, outermost_paths, under_paths, units_managed_by


def activities_visible_to(user) -> QuerySet[Activity]:
    """Managers see their subtree's activities; art workers the ones they took part in."""
    if not user.is_authenticated:
        return Activity.objects.none()
    # the participants' join in a subquery: rows stay distinct
    took_part = Activity.objects.filter(participants__user=user).values("pk")
    return Activity.objects.filter(Q(pk__in=took_part) | managed(user, "unit__"))


# --- quota progress -----------------------------------------------------------------


def _months(start: datetime.date, end: datetime.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def implementation_window(campaign: Campaign) -> tuple[datetime.date, datetime.date]:
    """The stage in which the activities are carried out (the whole campaign if unnamed)."""
    for stage in campaign.stages.all():
        if stage.key == campaign.implementation_stage_key:
            return stage.start, stage.end
    return campaign.start, campaign.end


def months_elapsed(
    window: tuple[datetime.date, datetime.date], today: datetime.date
) -> tuple[int, int]:
    """(completed months, remaining months including the current one) of the window."""
    start, end = window
    total = _months(start, end)
    if today < start:
        return 0, total
    if today > end:
        return total, 0
    completed = _months(start, today) - 1
    last_day = calendar.monthrange(today.year, today.month)[1]
    if today.day == last_day:
        completed += 1
    return completed, total - completed


# a cell of a unit that carries no minimum and has none below it: counts, no status
NO_STATUS = ""


def quota_status(count: int, minimum: int, completed: int, remaining: int) -> str:
    """met: reached the minimum. behind: at the pace of the completed months the rest of
    the stage cannot reach it. on track: otherwise (and always before a month is complete)."""
    if count >= minimum:
        return QuotaStatus.MET
    if completed == 0:
        return QuotaStatus.ON_TRACK if remaining > 0 else QuotaStatus.BEHIND
    projected = count + decimal.Decimal(count) / completed * remaining
    return QuotaStatus.ON_TRACK if projected >= minimum else QuotaStatus.BEHIND


@dataclass
class Breakdown:
    """A parent's participating units by their status for one type: the minimum
    applies to each of them, so a parent is judged by them, never by its sum."""

    met: int = 0
    on_track: int = 0
    behind: int = 0

    def add(self, status: str) -> None:
        setattr(self, status, getattr(self, status) + 1)

    @property
    def units(self) -> int:
        return self.met + self.on_track + self.behind

    @property
    def status(self) -> str:
        """Behind if any unit is behind, else on track if any is, else met."""
        if self.behind:
            return QuotaStatus.BEHIND
        if self.on_track:
            return QuotaStatus.ON_TRACK
        return QuotaStatus.MET

    @property
    def label(self) -> str:
        """ "3/15 met · 5 on track · 7 behind", as the statistics table says it."""
        return _("%(met)s/%(units)s met · %(on_track)s on track · %(behind)s behind") % {
            "met": self.met,
            "units": self.units,
            "on_track": self.on_track,
            "behind": self.behind,
        }


@dataclass
class Cell:
    type: ActivityType
    # verified activities of the unit and the units below it; for a parent, information
    count: int = 0
    status: str = QuotaStatus.ON_TRACK
    totals: dict[str, decimal.Decimal] = field(default_factory=dict)
    # a parent's participating units by status (None: the unit carries the minimum)
    units: Breakdown | None = None

    @property
    def badge(self) -> str:
        """The Bootstrap badge classes that show the status."""
        return {QuotaStatus.MET: "text-bg-success", QuotaStatus.BEHIND: "text-bg-danger"}.get(
            self.status, "text-bg-light border"
        )

    @property
    def judged(self) -> bool:
        """The cell has a status: its unit carries the minimum, or units below it do."""
        return self.status != NO_STATUS

    @property
    def status_label(self) -> str:
        return QuotaStatus(self.status).label if self.judged else ""

    @property
    def percent(self) -> int:
        """Progress towards the minimum; for a parent, the share of its units met."""
        if not self.judged:
            return 0
        if self.units is not None:
            return round(100 * self.units.met / self.units.units) if self.units.units else 100
        if not self.type.min_per_year:
            return 100
        return min(100, round(100 * self.count / self.type.min_per_year))


@dataclass
class Row:
    unit: OrgUnit
    cells: list[Cell]
    # the unit has participating units below it (the city above its counties): the
    # minimum applies to each of them, so its cells count them by status instead
    rolls_up: bool = False

    @property
    def status(self) -> str:
        """The worst status of the row's cells (a parent's: the worst of its units');
        none when no cell is judged (the unit carries no minimum, nor any below it)."""
        statuses = {c.status for c in self.cells}
        for status in (QuotaStatus.BEHIND, QuotaStatus.ON_TRACK):
            if status in statuses:
                return status
        return QuotaStatus.MET if QuotaStatus.MET in statuses else NO_STATUS


def metric_columns(types: list[ActivityType]) -> list[tuple[ActivityType, object]]:
    """(type, metric) of every numeric metric: the columns of the totals table."""
    from wenyi.activities.metrics import is_numeric

    return [(t, m) for t in types for m in t.metrics.all() if is_numeric(m)]


def judged_paths(campaign: Campaign, units: list[OrgUnit], today: datetime.date) -> list[str]:
    """Paths of the units that carry the minimum at or below the listed units.

    The file's `minimum_levels` name them (campaigns.participation.minimum_units: the
    counties, for 2014); a unit above them is judged by them in turn. A listed unit's
    own level is read from its depth; one query finds those further down, and none is
    made when no listed unit lies above a level carrying a minimum (a county's page).
    """
    owner = campaign.owner_unit()
    if owner is None:
        return []
    depths = {owner.depth + level for level in minimum_levels(campaign)}
    found = {
        u.path
        for u in units
        if u.depth in depths and u.path.startswith(owner.path) and not u.retired_by(today)
    }
    reach = [
        u
        for u in units
        if u.depth < max(depths)
        and (u.path.startswith(owner.path) or owner.path.startswith(u.path))
    ]
    if reach:
        found.update(
            minimum_units(campaign, today=today, owner=owner)
            .filter(under_paths(outermost_paths(u.path for u in reach)))
            .values_list("path", flat=True)
        )
    return sorted(found)


def quota_matrix(
    campaign: Campaign, units: list[OrgUnit], today: datetime.date, *, totals: bool = True
) -> list[Row]:
    """Verified activities per unit and type, each unit counting its whole subtree.

    A unit that carries the minimum (`judged_paths`) is judged by its count against
    each type's minimum. A unit above such units (a parent: the owner above its
    counties) is judged by them: each of its cells counts those units met / on track
    / behind (`Cell.units`) and takes the worst of their statuses; its count is
    information. Any other unit (a level that carries no minimum, with none below it)
    shows its counts without a status.

    Reads the maintained tallies (one query), the units judged below the listed ones
    (`judged_paths`) and the types with their metrics; the roll-up up the tree is a
    prefix sum in Python over at most units × types rows. `totals=False` leaves the
    cells' metric totals empty (the dashboard reads its totals elsewhere): the tallies'
    JSON is then not read at all.
    """
    types = campaign.activity_types.all()
    types = list(types.prefetch_related("metrics") if totals else types)
    completed, remaining = months_elapsed(implementation_window(campaign), today)
    if not units:
        return []
    judged = set(judged_paths(campaign, units, today))
    # one prefix condition per outermost unit: the office's city covers its counties
    q = under_paths(outermost_paths(unit.path for unit in units), "unit__")
    rows = Tally.objects.filter(q, campaign=campaign)
    tallies = (
        list(rows.values_list("unit__path", "type_id", "verified", "totals"))
        if totals
        else [
            (path, t, n, {}) for path, t, n in rows.values_list("unit__path", "type_id", "verified")
        ]
    )
    step = OrgUnit.steplen
    listed = {unit.path for unit in units}
    wanted = listed | judged
    # verified activities per (listed or judged path, type id): plain counters, since a
    # nation's matrix lists a few hundred units but judges thousands below them
    counts: dict[tuple[str, int], int] = defaultdict(int)
    sums: dict[tuple[str, int], dict[str, decimal.Decimal]] = defaultdict(dict)
    heads: dict[str, list[str]] = {}  # a path's listed or judged units at or above it
    for path, type_id, verified, values in tallies:
        # credit the tally to every listed or judged unit at or above it
        found = heads.get(path)
        if found is None:
            found = heads[path] = [
                path[:end] for end in range(step, len(path) + 1, step) if path[:end] in wanted
            ]
        for head in found:
            counts[head, type_id] += verified
            if values and head in listed:
                cell_sums = sums[head, type_id]
                for key, value in values.items():
                    cell_sums[key] = cell_sums.get(key, 0) + decimal.Decimal(value)
    by_path = {
        path: {
            t.pk: Cell(type=t, count=counts.get((path, t.pk), 0), totals=sums.get((path, t.pk), {}))
            for t in types
        }
        for path in listed
    }
    # each judged unit's status per type (memoised: counts repeat), set on its own row
    # if listed and counted into the breakdown of every listed unit above it that
    # carries no minimum itself
    minimums = [(t.pk, t.min_per_year) for t in types]
    memo: dict[tuple[int, int], str] = {}
    # (the listed units above, the statuses per type) -> how many judged units have
    # them: units of one city mostly share both, so the breakdowns add few keys
    below: Counter[tuple[tuple[str, ...], tuple[tuple[int, str], ...]]] = Counter()
    for path in judged:
        statuses = []
        for type_id, minimum in minimums:
            count = counts.get((path, type_id), 0)
            status = memo.get((count, minimum))
            if status is None:
                status = memo[count, minimum] = quota_status(count, minimum, completed, remaining)
            statuses.append((type_id, status))
        cells = by_path.get(path)
        if cells is not None:
            for type_id, status in statuses:
                cells[type_id].status = status
        above = tuple(
            path[:end]
            for end in range(step, len(path), step)
            if path[:end] in listed and path[:end] not in judged
        )
        if above:
            below[above, tuple(statuses)] += 1
    for (above, statuses), n in below.items():
        for head in above:
            for type_id, status in statuses:
                cell = by_path[head][type_id]
                if cell.units is None:
                    cell.units = Breakdown()
                setattr(cell.units, status, getattr(cell.units, status) + n)
    rows = []
    for unit in units:
        cells = list(by_path[unit.path].values())
        parent = any(cell.units is not None for cell in cells)
        for cell in cells:
            if cell.units is not None:
                cell.status = cell.units.status
            elif unit.path not in judged:
                cell.status = NO_STATUS
        rows.append(Row(unit=unit, cells=cells, rolls_up=parent))
    return rows


def quota_rows_for(user, campaign):
    """The matrix rows a login may see: the participating units it manages (the office
    all of them, a coordinator those in their subtree); none that does not take part
    (campaigns.participation), so a login whose units take no part sees no row."""
    today = clock.today()
    units = list(
        participating_units(campaign, today=today)
        .filter(pk__in=units_managed_by(user).values("pk"))
        .only("code", "name", "path", "depth", "retired_on")
        .order_by("path")
    )
    return quota_matrix(campaign, units, today)
