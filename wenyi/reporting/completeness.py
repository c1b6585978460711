"""Completeness and timeliness of the units' reports: DHIS2's reporting rates, done so
that they never pass 100 % and do not hang on a button.

For a row (a unit) and a column (a month, or a once-only report), as of `today`:

- **reporting units**: the units that owe reports
  (`campaigns.participation.reporting_units`: the participating units at the file's
  `report_levels`, none retired — the counties, for 2014). A row counts every
  reporting unit in its unit's subtree, the unit itself included when it reports:
  the city's row sums its counties.
- **expected**: the column's reports due on or before `today` (`deadlines.expected`:
  the due dates come from the campaign file) times the row's reporting units. On its
  due day a report still out counts as missing; a report not yet due is not expected.
- **submitted**: the expected reports that have been sent in at least once
  (`first_submitted_at` set), whatever happened to them next (returned, approved).
  A report sent in before it is due is not counted until it is due: submitted only
  ever counts expected reports, one per unit and report, so it never exceeds
  expected.
- **on time**: submitted reports whose *first* submission came on or before the due
  date, Asia/Shanghai local time (`Report.on_time`, set once by
  `services.submit_report`). Timeliness follows from the submission itself, not from
  anyone pressing "complete" later.
- **missing** = expected − submitted; **late** = submitted − on time.
- **completeness rate** = submitted / expected and **timeliness rate** = on time /
  expected (DHIS2's REPORTING_RATE and REPORTING_RATE_ON_TIME); None when nothing is
  expected yet. Both lie between 0 and 1.

Columns: the campaign plan (when the file sets a due date for it), one per month with
monthly reports (the month's work plan and progress report together), and the
summary. With a month picked: one column per report whose month it is.

Units are counted as they stand in the tree on the table's day: a unit added
mid-campaign is expected for the months before it too (its rates are lower, never
over 100 %), and a unit retired on or before that day is not counted at all, its
earlier months included (it takes part no more).

Cost: one query over the units (the reporting units under the listed ones) and one
aggregate over Report, grouped by unit, that returns per unit which expected reports
are in and which came on time as two bit masks (see `_submitted_masks`); the roll-up
up the tree is done in Python by slicing each unit's path, as
`activities.queries.quota_matrix` does. No query per unit or per month.
"""

import datetime
import operator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db.models import BigIntegerField, Case, Q, QuerySet, Sum, Value, When
from django.utils.translation import gettext as _

from wenyi.campaigns.models import Campaign
from wenyi.campaigns.participation import reporting_units
from wenyi.core import xlsx
from wenyi.orgs.models import OrgUnit
from wenyi.orgs.queries import outermost_paths, under_paths
from wenyi.reporting import deadlines
from wenyi.reporting.deadlines import Slot
from wenyi.reporting.enums import MONTHLY, ONCE, ReportKind
from wenyi.reporting.models import Report

_KIND_ORDER = {kind: n for n, kind in enumerate(ReportKind.values)}


@dataclass(frozen=True)
class Column:
    """A column of the table: a month's monthly reports (`kind` None) or one report."""

    period: datetime.date
    kind: str | None
    slots: tuple[Slot, ...]
    due: int  # how many of the column's reports are due by the table's day

    @property
    def key(self) -> str:
        return f"{self.period:%Y-%m}" if self.kind is None else f"{self.period:%Y-%m}:{self.kind}"

    @property
    def kind_label(self) -> str:
        return str(ReportKind(self.kind).label) if self.kind else ""

    @property
    def due_date(self) -> datetime.date | None:
        """The due date of a one-report column."""
        return self.slots[0].due if len(self.slots) == 1 else None


class Cell:
    """Counts for one unit's subtree in one column (or in all the shown columns)."""

    __slots__ = ("expected", "submitted", "on_time")

    def __init__(self, expected: int = 0, submitted: int = 0, on_time: int = 0):
        self.expected = expected
        self.submitted = submitted
        self.on_time = on_time

    def __repr__(self) -> str:
        return f"Cell({self.expected}, {self.submitted}, {self.on_time})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Cell) and self.as_tuple() == other.as_tuple()

    def as_tuple(self) -> tuple[int, int, int]:
        return self.expected, self.submitted, self.on_time

    def add(self, other: "Cell") -> None:
        self.expected += other.expected
        self.submitted += other.submitted
        self.on_time += other.on_time

    @property
    def missing(self) -> int:
        return self.expected - self.submitted

    @property
    def late(self) -> int:
        return self.submitted - self.on_time

    @property
    def rate(self) -> float | None:
        """Completeness: submitted / expected."""
        return self.submitted / self.expected if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        """Timeliness: on time / expected."""
        return self.on_time / self.expected if self.expected else None


@dataclass
class Row:
    unit: "OrgUnit | UnitRef"
    units: int  # reporting units counted in the row
    cells: list[Cell]
    total: Cell
    rolls_up: bool = False  # sums other rows of the table (the owner above its counties)
    level: int = 0  # depth below the highest listed unit, for indenting


@dataclass
class Table:
    campaign: Campaign
    today: datetime.date
    columns: list[Column]
    rows: list[Row]
    # the sum of the rows not below another listed row
    total: Cell = field(default_factory=Cell)
    month: datetime.date | None = None
    months: list[datetime.date] = field(default_factory=list)  # the months one may pick
    side_by_side: int = 0  # rows not below another row: a total row helps when > 1


def report_months(campaign: Campaign) -> list[datetime.date]:
    """The months any report is due for, for the month filter."""
    return sorted({s.period for s in deadlines.slots(campaign)})


def columns_for(
    campaign: Campaign, today: datetime.date, month: datetime.date | None = None
) -> list[Column]:
    slots = deadlines.slots(campaign)
    if month is not None:
        chosen = sorted((s for s in slots if s.period == month), key=lambda s: _KIND_ORDER[s.kind])
        return [Column(month, s.kind, (s,), int(s.due <= today)) for s in chosen]

    def one(kind: str) -> list[Column]:
        return [
            Column(s.period, s.kind, (s,), int(s.due <= today)) for s in slots if s.kind == kind
        ]

    monthly: dict[datetime.date, list[Slot]] = {}
    for slot in slots:
        if slot.kind in MONTHLY:
            monthly.setdefault(slot.period, []).append(slot)
    by_month = [
        Column(period, None, tuple(found), sum(s.due <= today for s in found))
        for period, found in sorted(monthly.items())
    ]
    return one(ReportKind.UNIT_PLAN) + by_month + one(ReportKind.SUMMARY)


class UnitRef(NamedTuple):
    """What a row needs of its unit: read as plain values, because building 3,000
    model instances costs more than the rest of the table."""

    pk: int
    code: str
    name: str
    path: str
    depth: int


def unit_refs(units: QuerySet[OrgUnit]) -> list[UnitRef]:
    return [UnitRef(*u) for u in units.values_list("pk", "code", "name", "path", "depth")]


# a slot's bit in a per-unit mask; 62 bits per SQL integer keeps clear of the sign bit
_BITS = 62


def _submitted_masks(campaign: Campaign, positions: dict, unit_filter: Q):
    """{unit id: (submitted mask, on-time mask)}: bit i set when the unit's report for
    expected slot i has been sent in (on time). One query, grouped by unit.

    Grouping by unit, kind and month would return a row per report (a unit sends each
    report once: the unique constraint); the sum of distinct powers of two is their
    bitwise OR, so grouping by unit returns one row per unit with the same information,
    and reading 3,000 rows instead of 40,000 is what keeps the table within budget.
    """
    chunks = [list(positions.items())[n : n + _BITS] for n in range(0, len(positions), _BITS)]
    sums = {}
    for c, chunk in enumerate(chunks):
        by_month: dict[datetime.date, list[When]] = {}
        for (kind, period), at in chunk:
            by_month.setdefault(period, []).append(When(kind=kind, then=Value(1 << (at % _BITS))))
        # the month first, then the kind: fewer comparisons per row than one flat CASE
        bits = Case(
            *[
                When(period=period, then=Case(*whens, output_field=BigIntegerField()))
                for period, whens in by_month.items()
            ],
            output_field=BigIntegerField(),
        )
        sums[f"s{c}"] = Sum(bits)
        sums[f"o{c}"] = Sum(bits, filter=Q(on_time=True))
    rows = (
        Report.objects.filter(unit_filter, campaign=campaign, first_submitted_at__isnull=False)
        .values("unit_id")
        .annotate(**sums)
        .values_list("unit_id", *sums)
        .order_by()
    )
    masks = {}
    for unit_id, *values in rows:
        submitted = on_time = 0
        for c in range(len(chunks)):
            # PostgreSQL sums bigints as numeric: back to int; None when no bit was set
            submitted |= int(values[2 * c] or 0) << (c * _BITS)
            on_time |= int(values[2 * c + 1] or 0) << (c * _BITS)
        masks[unit_id] = (submitted, on_time)
    return masks


def completeness(
    campaign: Campaign,
    units,
    today: datetime.date,
    *,
    month: datetime.date | None = None,
    owner: OrgUnit | None = None,
) -> Table:
    """The table for `units` (each counting its subtree's reporting units) as of `today`,
    all columns or only `month`'s. `units`: OrgUnits or `UnitRef`s (pk, code, name,
    path, depth), in the order of the rows. `owner`: the campaign's owner unit, if the
    caller has read it already."""
    units = list(units)
    columns = columns_for(campaign, today, month)
    table = Table(campaign, today, columns, [], month=month, months=report_months(campaign))
    if not units:
        return table
    row_of = {unit.path: n for n, unit in enumerate(units)}
    outermost = outermost_paths(row_of)

    # the expected reports, numbered; each column's mask holds the bits of its reports
    positions: dict[tuple[str, datetime.date], int] = {}
    column_masks = []
    for column in columns:
        mask = 0
        for slot in column.slots:
            if slot.due <= today:
                positions[(slot.kind, slot.period)] = len(positions)
                mask |= 1 << positions[(slot.kind, slot.period)]
        column_masks.append(mask)
    all_expected = len(positions)

    # which rows each reporting unit counts in: the listed units at or above it
    owner = owner if owner is not None else campaign.owner_unit()
    step = OrgUnit.steplen
    credit: dict[int, tuple[int, ...]] = {}
    reporting_count = [0] * len(units)
    if owner is not None:
        found = (
            reporting_units(campaign, today=today, owner=owner)
            .filter(under_paths(outermost))
            .values_list("pk", "path")
        )
        for pk, path in found:
            rows = tuple(
                row_of[path[:end]]
                for end in range(step, len(path) + 1, step)
                if path[:end] in row_of
            )
            if rows:
                credit[pk] = rows
                for n in rows:
                    reporting_count[n] += 1

    width = len(columns)
    counts = [[0] * (2 * width + 2) for _unit in units]  # submitted…, on time…, totals
    if positions and credit:
        # the office's rows cover every reporting unit: no need to filter by path
        covers_all = any(owner.path.startswith(p) for p in outermost)
        unit_filter = Q() if covers_all else under_paths(outermost, "unit__")
        for unit_id, (submitted, on_time) in _submitted_masks(
            campaign, positions, unit_filter
        ).items():
            rows = credit.get(unit_id)
            if rows is None:
                continue  # not a reporting unit
            mine = [(submitted & m).bit_count() for m in column_masks]
            mine += [(on_time & m).bit_count() for m in column_masks]
            # only expected reports have a bit: early ones are not counted yet
            mine += [submitted.bit_count(), on_time.bit_count()]
            for row in rows:
                counts[row] = list(map(operator.add, counts[row], mine))

    ordered = sorted(row_of)
    above_others = {p for p, q in zip(ordered, ordered[1:], strict=False) if q.startswith(p)}
    top = min(unit.depth for unit in units)
    dues = [column.due for column in columns]
    for n, unit in enumerate(units):
        count, mine = reporting_count[n], counts[n]
        cells = [Cell(count * dues[c], mine[c], mine[width + c]) for c in range(width)]
        total = Cell(count * all_expected, mine[-2], mine[-1])
        table.rows.append(
            Row(unit, count, cells, total, unit.path in above_others, unit.depth - top)
        )
    outer = set(outermost)
    for row in table.rows:
        if row.unit.path in outer:
            table.total.add(row.total)
    table.side_by_side = len(outer)
    return table


# -- the .xlsx export -----------------------------------------------------------------

# sheet headers are fixed Chinese text, as in the activities' 统计表: the file is a form
_KIND_HEADERS = {
    ReportKind.UNIT_PLAN: "活动方案",
    ReportKind.MONTHLY_PLAN: "工作方案",
    ReportKind.MONTHLY_PROGRESS: "推进落实情况",
    ReportKind.SUMMARY: "总结材料",
}
_TOTAL_HEADERS = ["应报", "已报", "按时", "缺报", "迟报", "报送率", "及时率"]


def column_header(column: Column) -> str:
    month = f"{column.period.year}年{column.period.month}月"
    if column.kind is None:
        return month
    if column.kind in ONCE:
        return _KIND_HEADERS[column.kind]
    return f"{month}{_KIND_HEADERS[column.kind]}"


def workbook(table: Table) -> bytes:
    """The table as .xlsx: a title row, the as-of date and definitions, two header
    rows, a row per unit (per column: expected, submitted, on time; then the totals and
    the rates as percentages) and, when several rows stand side by side, a total row."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    columns = table.columns
    first_total = 4 + 3 * len(columns)
    width = first_total + len(_TOTAL_HEADERS) - 1
    wb = Workbook()
    ws = wb.active
    ws.title = "报送情况"
    ws.append([f"{table.campaign.title}报送情况统计表"])
    ws.append(
        [
            _(
                "As of %(date)s. Expected: reports due by that day, one per reporting unit; "
                "each unit's figures include the units below it. Submitted: sent in at "
                "least once; on time: first sent on or before the due date."
            )
            % {"date": table.today.isoformat()}
        ]
    )
    for line in (1, 2):
        ws.merge_cells(start_row=line, start_column=1, end_row=line, end_column=width)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")

    top: list[Any] = ["单位编码", "单位", "报送单位数"]
    sub: list[Any] = ["", "", ""]
    for column in columns:
        top.extend([column_header(column), "", ""])
        sub.extend(["应报", "已报", "按时"])
    top.extend(["合计", *[""] * (len(_TOTAL_HEADERS) - 1)])
    sub.extend(_TOTAL_HEADERS)
    ws.append(top)
    ws.append(sub)
    for index in (1, 2, 3):
        ws.merge_cells(start_row=3, start_column=index, end_row=4, end_column=index)
    for n in range(len(columns)):
        ws.merge_cells(start_row=3, start_column=4 + 3 * n, end_row=3, end_column=6 + 3 * n)
    ws.merge_cells(start_row=3, start_column=first_total, end_row=3, end_column=width)

    def totals(cell: Cell) -> list[Any]:
        return [
            cell.expected,
            cell.submitted,
            cell.on_time,
            cell.missing,
            cell.late,
            None if cell.rate is None else round(cell.rate, 4),
            None if cell.on_time_rate is None else round(cell.on_time_rate, 4),
        ]

    for row in table.rows:
        line: list[Any] = [row.unit.code, row.unit.name, row.units]
        for cell in row.cells:
            line.extend([cell.expected, cell.submitted, cell.on_time])
        ws.append(line + totals(row.total))
    if table.side_by_side > 1:
        ws.append(["", "合计", "", *[""] * (3 * len(columns)), *totals(table.total)])
    for rate_column in (width - 1, width):
        letter = get_column_letter(rate_column)
        for (c,) in ws.iter_rows(min_row=5, min_col=rate_column, max_col=rate_column):
            c.number_format = "0.0%"
        ws.column_dimensions[letter].width = 9

    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for header_cells in ws.iter_rows(min_row=3, max_row=4, max_col=width):
        for c in header_cells:
            c.font, c.fill, c.alignment = bold, fill, center
    for (c,) in ws.iter_rows(min_row=5, max_col=1):
        c.number_format = "@"
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 22
    for index in range(3, width - 1):
        ws.column_dimensions[get_column_letter(index)].width = 7
    ws.freeze_panes = "D5"
    return xlsx.save(wb)
