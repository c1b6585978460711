"""Scoped activity querysets and the quota progress every page shows."""

import calendar
import datetime
import decimal
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from wenyi.activities.enums import QuotaStatus
from wenyi.activities.models import Activity, Tally
from wenyi.campaigns.models import ActivityType, Campaign
from wenyi.campaigns.queries import participating_units
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
    def status_label(self) -> str:
        return QuotaStatus(self.status).label

    @property
    def percent(self) -> int:
        """Progress towards the minimum; for a parent, the share of its units met."""
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
        """The worst status of the row's cells (a parent's: the worst of its units')."""
        statuses = {c.status for c in self.cells}
        for status in (QuotaStatus.BEHIND, QuotaStatus.ON_TRACK):
            if status in statuses:
                return status
        return QuotaStatus.MET


def metric_columns(types: list[ActivityType]) -> list[tuple[ActivityType, object]]:
    """(type, metric) of every numeric metric: the columns of the totals table."""
    from wenyi.activities.metrics import is_numeric

    return [(t, m) for t in types for m in t.metrics.all() if is_numeric(m)]


def judged_paths(campaign: Campaign, units: list[OrgUnit]) -> list[str]:
    """Paths of the units that carry the minimum at or below the listed units.

    The minimum applies to each participating unit below the owner (the owner carries
    none); one that has participating units below it is judged by them in turn, so
    the units judged against the minimum are the participating units below the owner
    with none below them (for 2014, the counties). One query, and none when no listed
    unit can have participating units below it (a county's own page).
    """
    owner = campaign.owner_unit()
    if owner is None:
        return []
    bottom = owner.depth + campaign.participant_depth
    reach = [
        u
        for u in units
        if u.depth < bottom and (u.path.startswith(owner.path) or owner.path.startswith(u.path))
    ]
    if not reach:
        return []
    paths = sorted(
        participating_units(campaign)
        .filter(under_paths(outermost_paths(u.path for u in reach)), depth__gt=owner.depth)
        .values_list("path", flat=True)
    )
    # in sorted order a path is directly followed by the paths below it, if any
    return [p for p, q in zip(paths, [*paths[1:], ""], strict=False) if not q.startswith(p)]


def quota_matrix(campaign: Campaign, units: list[OrgUnit], today: datetime.date) -> list[Row]:
    """Verified activities per unit and type, each unit counting its whole subtree.

    A unit with participating units below it (a parent: the owner above its counties)
    is judged by them: each of its cells counts those units met / on track / behind
    (`Cell.units`) and takes the worst of their statuses; its count is information.
    Any other unit is judged by its count against the type's minimum.

    Reads the maintained tallies (one query), the units judged below the listed ones
    (`judged_paths`) and the types with their metrics; the roll-up up the tree is a
    prefix sum in Python over at most units × types rows.
    """
    types = list(campaign.activity_types.prefetch_related("metrics"))
    completed, remaining = months_elapsed(implementation_window(campaign), today)
    if not units:
        return []
    judged = set(judged_paths(campaign, units))
    # one prefix condition per outermost unit: the office's city covers its counties
    q = under_paths(outermost_paths(unit.path for unit in units), "unit__")
    tallies = list(
        Tally.objects.filter(q, campaign=campaign).values_list(
            "unit__path", "type_id", "verified", "totals"
        )
    )
    step = OrgUnit.steplen
    listed = {unit.path for unit in units}
    by_path = {path: {t.pk: Cell(type=t) for t in types} for path in listed.union(judged)}
    for path, type_id, verified, totals in tallies:
        # credit the tally to every listed or judged unit at or above it
        for end in range(step, len(path) + 1, step):
            cells = by_path.get(path[:end])
            if cells is None or type_id not in cells:
                continue
            cell = cells[type_id]
            cell.count += verified
            for key, value in totals.items():
                cell.totals[key] = cell.totals.get(key, 0) + decimal.Decimal(value)
    for path in judged:
        for cell in by_path[path].values():
            cell.status = quota_status(cell.count, cell.type.min_per_year, completed, remaining)
        # count the unit's status in every listed unit above it
        for end in range(step, len(path), step):
            if path[:end] in listed:
                for type_id, cell in by_path[path[:end]].items():
                    if cell.units is None:
                        cell.units = Breakdown()
                    cell.units.add(by_path[path][type_id].status)
    rows = []
    for unit in units:
        cells = list(by_path[unit.path].values())
        parent = any(cell.units is not None for cell in cells)
        for cell in cells:
            if cell.units is not None:
                cell.status = cell.units.status
            elif unit.path not in judged:
                cell.status = quota_status(cell.count, cell.type.min_per_year, completed, remaining)
        rows.append(Row(unit=unit, cells=cells, rolls_up=parent))
    return rows


def quota_rows_for(user, campaign):
    """The matrix rows a login may see: the office all participating units, a
    coordinator the participating units in their subtree (or their own unit)."""
    reach = list(units_managed_by(user).only("code", "name", "path", "depth").order_by("path"))
    taking_part = set(participating_units(campaign).values_list("pk", flat=True))
    units = [u for u in reach if u.pk in taking_part]
    if not units and reach:
        top = min(u.depth for u in reach)
        units = [u for u in reach if u.depth == top]
    return quota_matrix(campaign, units, clock.today())
