"""Scoped activity querysets and the quota progress every page shows."""

import calendar
import datetime
import decimal
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

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
class Cell:
    type: ActivityType
    count: int = 0
    status: str = QuotaStatus.ON_TRACK
    totals: dict[str, decimal.Decimal] = field(default_factory=dict)

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
        if not self.type.min_per_year:
            return 100
        return min(100, round(100 * self.count / self.type.min_per_year))


@dataclass
class Row:
    unit: OrgUnit
    cells: list[Cell]
    # the row sums other rows of the table (the city above its counties): the
    # minimum applies to each of them, not to the sum, so it has no status
    rolls_up: bool = False

    @property
    def status(self) -> str:
        """The worst status of the row's cells."""
        statuses = {c.status for c in self.cells}
        for status in (QuotaStatus.BEHIND, QuotaStatus.ON_TRACK):
            if status in statuses:
                return status
        return QuotaStatus.MET


def metric_columns(types: list[ActivityType]) -> list[tuple[ActivityType, object]]:
    """(type, metric) of every numeric metric: the columns of the totals table."""
    from wenyi.activities.metrics import is_numeric

    return [(t, m) for t in types for m in t.metrics.all() if is_numeric(m)]


def quota_matrix(campaign: Campaign, units: list[OrgUnit], today: datetime.date) -> list[Row]:
    """Verified activities per unit and type, each unit counting its whole subtree.

    Reads the maintained tallies (one query) and the types with their metrics; the
    roll-up up the tree is a prefix sum in Python over at most units × types rows.
    """
    types = list(campaign.activity_types.prefetch_related("metrics"))
    completed, remaining = months_elapsed(implementation_window(campaign), today)
    if not units:
        return []
    # one prefix condition per outermost unit: the office's city covers its counties
    q = under_paths(outermost_paths(unit.path for unit in units), "unit__")
    tallies = list(
        Tally.objects.filter(q, campaign=campaign).values_list(
            "unit__path", "type_id", "verified", "totals"
        )
    )
    step = OrgUnit.steplen
    by_path = {unit.path: {t.pk: Cell(type=t) for t in types} for unit in units}
    for path, type_id, verified, totals in tallies:
        # credit the tally to every listed unit at or above it
        for end in range(step, len(path) + 1, step):
            cells = by_path.get(path[:end])
            if cells is None or type_id not in cells:
                continue
            cell = cells[type_id]
            cell.count += verified
            for key, value in totals.items():
                cell.totals[key] = cell.totals.get(key, 0) + decimal.Decimal(value)
    ordered = sorted(by_path)
    # in sorted order a path is directly followed by the paths below it, if any
    above_others = {p for p, q in zip(ordered, ordered[1:], strict=False) if q.startswith(p)}
    rows = []
    for unit in units:
        cells = list(by_path[unit.path].values())
        for cell in cells:
            cell.status = quota_status(cell.count, cell.type.min_per_year, completed, remaining)
        rows.append(Row(unit=unit, cells=cells, rolls_up=unit.path in above_others))
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
