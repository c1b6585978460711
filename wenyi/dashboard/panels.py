"""The panels of a campaign's dashboard: where the campaign stands, at a glance.

One `build` reads everything the page and its .xlsx export show, for the units a login
manages (the office: every participating unit; a coordinator: their own subtree),
narrowed by the filters (a unit's subtree, an activity type, a stage or a range of
months). The panels:

- **stages**: the campaign's stages with today among them;
- **deadlines**: the reports due from two weeks ago to a month ahead, each with how
  many of the shown units' reporting units have sent it in
  (`reporting.queries.deadlines_near`) — a coordinator's own deadlines;
- **quota**: the quota matrix (`activities.queries.quota_matrix`, read from the
  maintained tallies) and, per type, how many units are met / on track / behind;
- **per month**: verified activities per type and month of their start
  (`activities.rollups.per_month`, read from the monthly roll-ups);
- **reports**: completeness and timeliness of the monthly reports per month
  (`reporting.completeness`, DHIS2's reporting rates);
- **totals**: the metric totals per type (`activities.rollups.totals_by_type`: the
  audience of shows and of exhibitions apart), submitted works per art form and the
  art workers who wrote them (`works.tallies`, the works' roll-ups);
- **at risk**: units behind on a type or with reports missing, worst first, with why;
- **review**: the office's rounds with their entries, entries scored and results
  (`review.tallies`, one row per round);
- **tiles**: every unit that carries the minimums, coloured by its status.

The month filter narrows the activities and reports per month and the metric totals;
the matrix, the works, the risks and the tiles are the campaign so far, as the quota
page shows them.

Cost: a fixed number of queries whatever the number of units (each source above reads
once for all of them and the roll-up up the tree happens in Python), so the dashboard
of 3,000 units makes the same queries as that of 3. `tests/dashboard` holds it to that.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.db.models import Min
from django.http import Http404
from django.utils.translation import gettext as _

from wenyi.activities import rollups
from wenyi.activities.enums import QuotaStatus
from wenyi.activities.queries import NO_STATUS, Row, metric_columns, quota_matrix
from wenyi.campaigns.models import ActivityType, Campaign, Stage
from wenyi.campaigns.participation import participating_units
from wenyi.core import clock
from wenyi.core.permissions import allowed
from wenyi.orgs.models import OrgUnit
from wenyi.orgs.queries import outermost_paths, units_managed_by
from wenyi.reporting.completeness import Cell, completeness
from wenyi.reporting.queries import Deadline, deadlines_near
from wenyi.review import tallies as review_tallies
from wenyi.review.models import Round
from wenyi.works import tallies as work_tallies

# the statuses' colours in the charts (Bootstrap's success / secondary / danger)
STATUS_COLOURS = {
    QuotaStatus.MET: "#198754",
    QuotaStatus.ON_TRACK: "#6c757d",
    QuotaStatus.BEHIND: "#dc3545",
}


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first days of the months from `first`'s to `last`'s, both included."""
    months, month = [], month_of(first)
    while month <= last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _parse_month(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(f"{value}-01")
    except ValueError:
        return None


# --- filters -----------------------------------------------------------------------


@dataclass
class Filters:
    """What the filter form chose, checked: `unit` among the login's units (else 404),
    `type` among the campaign's types, the months inside the campaign."""

    unit: OrgUnit | None = None
    type: ActivityType | None = None
    stage: Stage | None = None
    first: datetime.date | None = None  # first month shown (its first day)
    last: datetime.date | None = None
    errors: list[str] = field(default_factory=list)

    def params(self) -> dict[str, str]:
        """The query string that repeats this choice (for the export link)."""
        values = {
            "unit": self.unit.code if self.unit else "",
            "type": self.type.key if self.type else "",
            "stage": self.stage.key if self.stage else "",
            "from": f"{self.first:%Y-%m}" if self.first and not self.stage else "",
            "to": f"{self.last:%Y-%m}" if self.last and not self.stage else "",
        }
        return {key: value for key, value in values.items() if value}


def read_filters(
    params: Mapping[str, str],
    find_unit: Callable[[str], OrgUnit | None],
    types: list[ActivityType],
    stages: list[Stage],
) -> Filters:
    """`find_unit(code)`: the login's participating unit of that code, else None."""
    filters = Filters()
    code = params.get("unit", "")
    if code:
        filters.unit = find_unit(code)
        if filters.unit is None:
            raise Http404  # another county's unit tells nothing, not even that it exists
    key = params.get("type", "")
    if key:
        filters.type = next((t for t in types if t.key == key), None)
        if filters.type is None:
            filters.errors.append(_("Activity type: no such type in this campaign."))
    key = params.get("stage", "")
    if key:
        filters.stage = next((s for s in stages if s.key == key), None)
        if filters.stage is None:
            filters.errors.append(_("Stage: no such stage in this campaign."))
        else:
            filters.first, filters.last = month_of(filters.stage.start), month_of(filters.stage.end)
            return filters
    for name, attr, label in (("from", "first", _("From month")), ("to", "last", _("To month"))):
        value = params.get(name, "")
        if not value:
            continue
        month = _parse_month(value)
        if month is None:
            filters.errors.append(
                _("%(field)s: expected a month as YYYY-MM, got “%(value)s”.")
                % {"field": label, "value": value}
            )
        else:
            setattr(filters, attr, month)
    if filters.first and filters.last and filters.first > filters.last:
        filters.errors.append(_("From month: it lies after the last month; both are ignored."))
        filters.first = filters.last = None
    return filters


# --- the panels --------------------------------------------------------------------


@dataclass
class StageLine:
    stage: Stage
    state: str  # "done", "current", "upcoming"

    @property
    def state_label(self) -> str:
        return {
            "done": _("done"),
            "current": _("under way"),
            "upcoming": _("to come"),
        }[self.state]


@dataclass
class MonthLine:
    month: datetime.date
    counts: list[int]  # per shown type

    @property
    def total(self) -> int:
        return sum(self.counts)


class ReportLine(Cell):
    """One month's monthly reports (expected, submitted, on time, the rates): the
    completeness table's counts (reporting.completeness.Cell) over the shown units."""

    __slots__ = ("month",)

    def __init__(self, month: datetime.date):
        super().__init__()
        self.month = month


@dataclass
class Risk:
    row: Row
    behind: list[ActivityType]  # the types it (or a unit below it) is behind on
    missing: int
    late: int
    # a row standing for the units below it: per type, how many of them are behind
    units_behind: list[tuple[ActivityType, int]] | None = None

    @property
    def behind_total(self) -> int:
        return sum(n for _t, n in self.units_behind or ())

    @property
    def why(self) -> str:
        parts = []
        if self.units_behind:
            parts.append(
                _("units behind: %(counts)s")
                % {"counts": "、".join(f"{t.name} {n}" for t, n in self.units_behind if n)}
            )
        elif self.behind:
            parts.append(
                _("behind on %(types)s") % {"types": "、".join(t.name for t in self.behind)}
            )
        if self.missing:
            parts.append(_("%(n)s reports missing") % {"n": self.missing})
        if self.late:
            parts.append(_("%(n)s reports late") % {"n": self.late})
        return "; ".join(parts)


@dataclass
class Tile:
    row: Row
    percent: int  # the share of the way to the minimums, averaged over the types

    @property
    def css(self) -> str:
        return {
            QuotaStatus.MET: "text-bg-success",
            QuotaStatus.BEHIND: "text-bg-danger",
        }.get(self.row.status, "text-bg-light border")


@dataclass
class RoundLine:
    round: Round
    entries: int
    scored: int
    results: int


@dataclass
class Dashboard:
    campaign: Campaign
    today: datetime.date
    filters: Filters
    units: list[OrgUnit]  # the units shown, tree order
    all_units: list[OrgUnit]  # every unit the login may pick
    types: list[ActivityType]  # the types shown (one with the type filter)
    all_types: list[ActivityType]
    stages: list[StageLine]
    campaign_progress: int  # percent of the campaign's days gone
    deadlines: list[Deadline]
    quota_rows: list[Row]
    status_counts: list[tuple[ActivityType, dict[str, int]]]
    months: list[MonthLine]
    reports: list[ReportLine]
    metric_totals: list[tuple[ActivityType, object, decimal.Decimal]]
    works_by_form: list[tuple[str, int]]
    works_total: int
    artists: int
    risks: list[Risk]
    tiles: list[Tile]
    rounds: list[RoundLine] | None  # None: not shown to this login

    @property
    def risks_shown(self) -> list[Risk]:
        return self.risks[:RISKS_SHOWN]

    @property
    def risks_more(self) -> int:
        return max(len(self.risks) - RISKS_SHOWN, 0)

    # -- what the charts draw (json_script), the same numbers as the tables ----------

    def timeline_chart(self) -> dict:
        return {
            "kind": "timeline",
            "today": self.today.isoformat(),
            "today_label": _("Today"),
            "stages": [
                {
                    "name": s.stage.name,
                    "start": s.stage.start.isoformat(),
                    "end": s.stage.end.isoformat(),
                }
                for s in self.stages
            ],
        }

    def status_chart(self) -> dict:
        return {
            "kind": "bar",
            "stack": True,
            "categories": [t.name for t, _counts in self.status_counts],
            "series": [
                {
                    "name": str(QuotaStatus(status).label),
                    "colour": STATUS_COLOURS[status],
                    "data": [counts[status] for _t, counts in self.status_counts],
                }
                for status in (QuotaStatus.MET, QuotaStatus.ON_TRACK, QuotaStatus.BEHIND)
            ],
        }

    def month_chart(self) -> dict:
        return {
            "kind": "bar",
            "stack": True,
            "categories": [f"{line.month:%Y-%m}" for line in self.months],
            "series": [
                {"name": t.name, "data": [line.counts[n] for line in self.months]}
                for n, t in enumerate(self.types)
            ],
        }

    def report_chart(self) -> dict:
        def percent(rate):
            return None if rate is None else round(rate * 100, 1)

        return {
            "kind": "line",
            "percent": True,
            "categories": [f"{line.month:%Y-%m}" for line in self.reports],
            "series": [
                {"name": _("Completeness"), "data": [percent(r.rate) for r in self.reports]},
                {"name": _("Timeliness"), "data": [percent(r.on_time_rate) for r in self.reports]},
            ],
        }

    def works_chart(self) -> dict:
        return {
            "kind": "bar",
            "horizontal": True,
            "categories": [name for name, _n in self.works_by_form],
            "series": [{"name": _("Works"), "data": [n for _name, n in self.works_by_form]}],
        }


# how many levels below the top of the shown subtree the matrix, the tiles and the unit
# filter go: a city's office sees its counties, a province's its cities and their
# counties, the nation's its provinces and their cities (each row counting everything
# below it); a unit's name opens the same view of its own subtree
LEVELS_SHOWN = 2
# the units at risk listed on the page, worst first; the .xlsx lists them all
RISKS_SHOWN = 20


def _mine(user, campaign: Campaign, owner, today):
    """The participating units the login manages (as quota_rows_for), a queryset."""
    return (
        participating_units(campaign, today=today, owner=owner)
        .filter(pk__in=units_managed_by(user).values("pk"))
        .only("code", "name", "path", "depth", "retired_on")
        .order_by("path")
    )


def _top_levels(units, top: OrgUnit | None = None) -> list[OrgUnit]:
    """`units` (a queryset of the login's units) down to LEVELS_SHOWN levels below `top`
    (its subtree), or below the login's highest units. One or two queries."""
    if top is not None:
        units = units.filter(path__startswith=top.path, depth__lte=top.depth + LEVELS_SHOWN)
    else:
        highest = units.aggregate(depth=Min("depth"))["depth"]
        if highest is None:
            return []
        units = units.filter(depth__lte=highest + LEVELS_SHOWN)
    return list(units)


def _stages(campaign: Campaign, today: datetime.date) -> tuple[list[StageLine], int]:
    lines = []
    for stage in campaign.stages.all():
        state = "done" if stage.end < today else "upcoming" if stage.start > today else "current"
        lines.append(StageLine(stage, state))
    days = (campaign.end - campaign.start).days or 1
    gone = min(max((today - campaign.start).days, 0), days)
    return lines, round(100 * gone / days)


def _report_lines(table, outer: set[str], months: list[datetime.date]) -> list[ReportLine]:
    """Per month of `months`: the monthly reports expected, submitted and on time over
    the outermost rows (each counts its subtree, so no report is counted twice)."""
    wanted = set(months)
    lines = {}
    for n, column in enumerate(table.columns):
        if column.kind is not None or column.period not in wanted:
            continue  # the unit plan and the summary are not monthly
        line = lines.setdefault(column.period, ReportLine(column.period))
        for row in table.rows:
            if row.unit.path in outer:
                line.add(row.cells[n])
    return [lines[m] for m in sorted(lines)]


def _rounds(campaign: Campaign) -> list[RoundLine]:
    """Each round with its entries, entries with a submitted score and results, from the
    maintained per-round roll-up (review.tallies): two queries, whatever the scores."""
    counts = review_tallies.progress(campaign)
    rounds = Round.objects.filter(campaign=campaign).order_by("position", "pk")
    lines = []
    for r in rounds:
        c = counts.get(r.pk, review_tallies.Progress())
        lines.append(RoundLine(r, c.entries, c.scored, c.results))
    return lines


def build(user, campaign: Campaign, params: Mapping[str, str]) -> Dashboard:
    """Everything the dashboard shows for `user`, as `params` (the filters) narrow it."""
    today = clock.today()
    owner = campaign.owner_unit()
    mine = _mine(user, campaign, owner, today)
    all_types = list(campaign.activity_types.prefetch_related("metrics"))
    stage_list = list(campaign.stages.all())
    filters = read_filters(
        params, lambda code: mine.filter(code=code).first(), all_types, stage_list
    )
    all_units = _top_levels(mine)  # the filter's choices
    units = all_units
    if filters.unit is not None:
        units = _top_levels(mine, filters.unit)
        if filters.unit not in all_units:  # a unit further down, reached by drilling
            all_units = sorted([*all_units, filters.unit], key=lambda u: u.path)
    types = [filters.type] if filters.type else all_types
    shown = {t.pk for t in types}
    outer_paths = outermost_paths(u.path for u in units)
    outer = [u for u in units if u.path in set(outer_paths)]

    stages, progress = _stages(campaign, today)
    near = deadlines_near(campaign, outer, today)
    # the months shown: the campaign's, narrowed by the filter
    first = max(filters.first or month_of(campaign.start), month_of(campaign.start))
    last = min(filters.last or month_of(campaign.end), month_of(campaign.end))
    months = months_between(first, last)

    # the quota matrix, with only the shown types' cells
    quota_rows = quota_matrix(campaign, units, today, totals=False)
    for row in quota_rows:
        row.cells = [c for c in row.cells if c.type.pk in shown]
    # every unit carrying the minimums in the shown subtrees, counted by status: a top
    # row above them holds their breakdown, a top row carrying them its own status
    outer_set = set(outer_paths)
    status_counts = []
    for n, type_ in enumerate(types):
        counts = {s: 0 for s in QuotaStatus.values}
        for row in quota_rows:
            if row.unit.path not in outer_set:
                continue
            cell = row.cells[n]
            if cell.units is not None:
                counts[QuotaStatus.MET] += cell.units.met
                counts[QuotaStatus.ON_TRACK] += cell.units.on_track
                counts[QuotaStatus.BEHIND] += cell.units.behind
            elif cell.status in counts:
                counts[cell.status] += 1
        status_counts.append((type_, counts))
    # the tiles and the risks: the deepest rows shown (the counties of a city's office,
    # the cities of the nation's), each standing for its subtree
    step = OrgUnit.steplen
    parents = {u.path[:-step] for u in units}
    judged = [r for r in quota_rows if r.unit.path not in parents and r.status != NO_STATUS]

    per_month = rollups.per_month(campaign, outer) if outer else {}
    month_lines = [MonthLine(m, [per_month.get((t.pk, m), 0) for t in types]) for m in months]

    table = completeness(campaign, units, today, owner=owner)
    reports = _report_lines(table, set(outer_paths), months)
    report_rows = {row.unit.path: row for row in table.rows}

    # per type and metric: `audience` is a metric of the shows and of the exhibitions
    totals = rollups.totals_by_type(
        campaign,
        outer,
        type_ids=[t.pk for t in types] if filters.type else None,
        months=(first, last) if filters.first or filters.last else None,
        keys={m.key for _t, m in metric_columns(types)},
    )
    metric_totals = [
        (t, m, totals.get((t.pk, m.key), decimal.Decimal(0))) for t, m in metric_columns(types)
    ]
    counted = work_tallies.per_category(campaign, outer)
    works_by_form = [
        (c.name, counted[c.pk]) for c in campaign.work_categories.all() if counted.get(c.pk)
    ]
    artists = work_tallies.authors(campaign, outer)

    risks = []
    for row in judged:
        behind = [c.type for c in row.cells if c.status == QuotaStatus.BEHIND]
        units_behind = (
            [(c.type, c.units.behind) for c in row.cells if c.units is not None and c.units.behind]
            if row.rolls_up
            else None
        )
        reported = report_rows.get(row.unit.path)
        missing = reported.total.missing if reported else 0
        late = reported.total.late if reported else 0
        if behind or missing:
            risks.append(Risk(row, behind, missing, late, units_behind))
    risks.sort(
        key=lambda r: (-r.behind_total, -len(r.behind), -r.missing, -r.late, r.row.unit.path)
    )

    tiles = []
    for row in judged:
        cells = [c for c in row.cells if c.judged]
        tiles.append(Tile(row, round(sum(c.percent for c in cells) / len(cells)) if cells else 0))

    rounds = _rounds(campaign) if allowed(user, "review.supervise", campaign) else None
    return Dashboard(
        campaign=campaign,
        today=today,
        filters=filters,
        units=units,
        all_units=all_units,
        types=types,
        all_types=all_types,
        stages=stages,
        campaign_progress=progress,
        deadlines=near,
        quota_rows=quota_rows,
        status_counts=status_counts,
        months=month_lines,
        reports=reports,
        metric_totals=metric_totals,
        works_by_form=works_by_form,
        works_total=sum(n for _name, n in works_by_form),
        artists=artists,
        risks=risks,
        tiles=tiles,
        rounds=rounds,
    )
