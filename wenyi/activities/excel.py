"""Activities as .xlsx: the import template, the export, the 统计表 (the import reads
in excel_import.py). The spreadsheet parts every import shares are in wenyi.core.sheets.

Like the people import, sheet names and column headers are fixed Chinese text whatever
the UI language: the spreadsheet is a file format. Messages and help text are gettext'd.

The import file has one sheet per activity type, named after the type; its columns
are the activity's fields and then one per metric of the type, so a campaign file
with other types or metrics gives another template without any code change.

Import rules (also written on the template's 说明 sheet):

- columns are found by header text, in any order; columns we do not know (such as the
  export's 单位名称 and 状态) are ignored;
- every row of every sheet is checked and every problem reported with its sheet, Excel
  row number, column and reason; if there is any problem nothing is imported;
- the same activity twice (same unit, type, start date and place: `duplicate_key`),
  in the file or already recorded, is a problem, so importing a file a second time,
  or a retried upload, never creates an activity twice.

How the import meets its time and memory budget (10,000 rows in ≤ 15 s, ≤ 300 MB):
the workbook is streamed (openpyxl read-only); units, types and metrics are read once
into dicts before the rows; people and already-recorded duplicates are looked up
after the rows, in chunks of 500; the rows are written with `bulk_create` in batches
(`services.create_activities`).
"""

import datetime
import decimal
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wenyi.activities.enums import ActivityStatus, QuotaStatus
from wenyi.activities.metrics import is_numeric
from wenyi.activities.models import Activity
from wenyi.activities.queries import Row as QuotaRow
from wenyi.campaigns.enums import MetricType
from wenyi.campaigns.models import ActivityType, Campaign, Metric
from wenyi.core import clock, xlsx
from wenyi.core.enums import ImportKind
from wenyi.core.models import ImportJob
from wenyi.core.sheets import (
    HELP_SHEET,
    XLSX_CONTENT_TYPE,
    Column,
    HelpSheet,
    add_validation,
    header_fill,
    header_font,
    list_formula,
    with_help,
    write_header,
)
from wenyi.orgs.models import OrgUnit
from wenyi.orgs.queries import (
    active_units,
    by_name,
    scope_for,
    under_paths,
    units_managed_by,
)

__all__ = [
    "XLSX_CONTENT_TYPE",
    "build_template",
    "export_activities",
    "importable_units",
    "imports_visible_to",
    "statistics_workbook",
]

ROW_LIMIT = 20000
MAX_TEXT = 5000
DATE_FORMAT = "yyyy-mm-dd"

# -- columns (a metric's column key is "m:<metric key>", its `source` the metric) --------


_BASE_HELP = {
    "unit_code": gettext_lazy(
        "The code of the organising unit; the codes you may use are listed below."
    ),
    "title": gettext_lazy("The activity's name."),
    "start_date": gettext_lazy("The day the activity took place, or its first day."),
    "end_date": gettext_lazy("Only for activities over several days."),
    "place": gettext_lazy("Enterprise or workplace."),
    "address": gettext_lazy("Street address of the place."),
    "participants": gettext_lazy(
        "Mobile numbers of the participating art workers, separated with 、."
    ),
    "description": gettext_lazy("What was done, and its effect."),
}
BASE_COLUMNS: tuple[Column, ...] = with_help(
    (
        Column("unit_code", "单位编码", required=True, width=14, aliases=("单位代码",), text=True),
        Column(
            "title",
            "活动名称",
            required=True,
            width=28,
            max_length=200,
            aliases=("活动标题", "名称"),
        ),
        Column("start_date", "开始日期", required=True, width=13, aliases=("日期", "活动日期")),
        Column("end_date", "结束日期", width=13),
        Column("place", "地点", required=True, width=24, max_length=200, aliases=("活动地点",)),
        Column("address", "地址", width=28, max_length=300, aliases=("详细地址",)),
        Column(
            "participants",
            "参与文艺工作者（手机号，多个用、分隔）",
            width=30,
            aliases=("参与文艺工作者手机号", "文艺工作者手机号"),
            text=True,
        ),
        Column("description", "活动简介", width=40, max_length=MAX_TEXT, aliases=("简介",)),
    ),
    _BASE_HELP,
)
# export only; the import ignores them
UNIT_NAME_COLUMN = Column("unit_name", "单位名称", width=20)
STATUS_COLUMN = Column("status", "状态", width=10)


def metric_header(metric: Metric) -> str:
    return f"{metric.name}（{metric.unit}）" if metric.unit else metric.name


def metric_columns(type_: ActivityType) -> list[Column]:
    return [
        Column(
            f"m:{m.key}",
            metric_header(m),
            required=m.required,
            width=16 if is_numeric(m) else 24,
            help=_metric_help(m),
            source=m,
        )
        for m in type_.metrics.all()
    ]


def type_columns(type_: ActivityType) -> list[Column]:
    return [*BASE_COLUMNS, *metric_columns(type_)]


def sheet_titles(types: Iterable[ActivityType]) -> dict[str, ActivityType]:
    """{sheet title: type}: the type's name, made a valid and unique Excel sheet title."""
    titles: dict[str, ActivityType] = {}
    for type_ in types:
        base = re.sub(r"[\\/*?:\[\]]", "_", type_.name).strip("'")[:31] or type_.key[:31]
        title, n = base, 2
        while title in titles or title == HELP_SHEET:
            suffix = f"_{n}"
            title, n = base[: 31 - len(suffix)] + suffix, n + 1
        titles[title] = type_
    return titles


def _campaign_types(campaign: Campaign) -> list[ActivityType]:
    return list(campaign.activity_types.prefetch_related("metrics"))


def importable_units(user, campaign: Campaign) -> QuerySet[OrgUnit]:
    """Units the user may record activities for in this campaign: the units they
    manage, within the campaign's owner unit when that unit exists; none retired."""
    units = active_units(units_managed_by(user))
    owner = campaign.owner_unit()
    if owner is not None:
        units = units.filter(path__startswith=owner.path)
    return units


def imports_visible_to(user) -> QuerySet[ImportJob]:
    """Its creator sees an activity import, and so does the office of the campaign's
    owner unit."""
    jobs = ImportJob.objects.filter(kind=ImportKind.ACTIVITIES)
    scope = scope_for(user)
    if scope.superuser:
        return jobs
    if not user.is_authenticated:
        return jobs.none()
    q = Q(created_by=user)
    if scope.office_paths:
        codes = OrgUnit.objects.filter(under_paths(scope.office_paths)).values("code")
        owned = Campaign.objects.filter(owner_unit_code__in=codes).values_list("pk", flat=True)
        q |= Q(options__campaign__in=list(owned))
    return jobs.filter(q)


# -- the template ----------------------------------------------------------------


def _general_notes(campaign: Campaign) -> list[str]:
    return [
        _(
            "Each activity type has its own sheet, named after the type: fill in one activity "
            "per row on the sheet of its type, starting below the header row."
        ),
        _(
            "Columns marked with * are required. Do not rename the headers; columns may be "
            "reordered, and columns not marked with * may be deleted."
        ),
        _(
            "Dates: an Excel date, or text such as 2014-07-15. The start date must fall "
            "within the campaign, %(start)s to %(end)s."
        )
        % {"start": campaign.start, "end": campaign.end},
        _(
            "Participating art workers are given by mobile number; separate several with 、. "
            "They must already be recorded as people of your units."
        ),
        _("Blank rows are skipped. At most %(limit)s activities per file.") % {"limit": ROW_LIMIT},
        _(
            "If any row has a problem, nothing is imported: every problem is listed with its "
            "sheet, row and column; fix them and upload the file again."
        ),
        _(
            "The same activity (same unit, type, start date and place) cannot be recorded "
            "twice: importing the same file again imports nothing and lists every row as "
            "already recorded."
        ),
    ]


def _metric_help(metric: Metric) -> str:
    parts = [str(metric.get_value_type_display())]
    if metric.unit:
        parts.append(_("unit: %(unit)s") % {"unit": metric.unit})
    if metric.value_type == MetricType.CHOICE:
        parts.append(_("one of: %(choices)s") % {"choices": "、".join(metric.choices)})
    if metric.help_text:
        parts.append(metric.help_text)
    return "；".join(parts)


def build_template(campaign: Campaign, units: Iterable[OrgUnit]) -> bytes:
    """An empty import file: a sheet per activity type and a 说明 sheet that explains
    the columns and lists the unit codes in `units` and every choice metric's options."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    types = _campaign_types(campaign)
    titles = sheet_titles(types)
    wb = Workbook()
    wb.remove(wb.active)
    sheets = {t.pk: wb.create_sheet(title) for title, t in titles.items()}

    # the 说明 sheet first: the type sheets' drop-down lists point into it
    help_sheet = HelpSheet(wb, _general_notes(campaign), widths=(30, 12, 70))
    help_sheet.columns(BASE_COLUMNS)
    for title, type_ in titles.items():
        help_sheet.columns(
            metric_columns(type_), title=_("Sheet %(sheet)s: metrics") % {"sheet": title}
        )
    choice_ranges: dict[int, str | None] = {}
    choice_metrics = [
        m for t in types for m in t.metrics.all() if m.value_type == MetricType.CHOICE and m.choices
    ]
    if choice_metrics:
        help_sheet.section(_("Options of the choice metrics"))
        for metric in choice_metrics:
            rows = [
                help_sheet.row([metric_header(metric) if index == 0 else "", choice])
                for index, choice in enumerate(metric.choices)
            ]
            choice_ranges[metric.pk] = help_sheet.reference("B", rows[0], rows[-1])
    unit_range = help_sheet.unit_codes((unit.code, unit.name) for unit in units)

    last = ROW_LIMIT + 1
    for type_ in types:
        ws = sheets[type_.pk]
        columns = type_columns(type_)
        write_header(ws, columns)
        for position, column in enumerate(columns):
            validation = None
            if column.key in ("start_date", "end_date"):
                ws.column_dimensions[get_column_letter(position + 1)].number_format = DATE_FORMAT
                validation = DataValidation(
                    type="date",
                    operator="between",
                    formula1=f"DATE({campaign.start.year},{campaign.start.month},"
                    f"{campaign.start.day})",
                    formula2=f"DATE({campaign.end.year},{campaign.end.month},{campaign.end.day})",
                    error=_("The date must fall within the campaign, %(start)s to %(end)s.")
                    % {"start": campaign.start, "end": campaign.end},
                )
            elif column.key == "unit_code" and unit_range:
                validation = DataValidation(
                    type="list", formula1=unit_range, error=_("Choose a unit code from the list.")
                )
            elif column.source is not None:
                validation = _metric_validation(column.source, choice_ranges)
            if validation is not None:
                # a warning, not a stop: the import checks every value anyway
                add_validation(
                    ws, position, validation, last_row=last, title=column.header, warning=True
                )
    return xlsx.save(wb)


def _metric_validation(metric: Metric, choice_ranges: dict[int, str | None]):
    from openpyxl.worksheet.datavalidation import DataValidation

    if metric.value_type == MetricType.CHOICE and metric.choices:
        formula = list_formula(metric.choices) or choice_ranges.get(metric.pk)
        return DataValidation(
            type="list", formula1=formula, error=_("Choose a value from the list.")
        )
    if metric.value_type not in (MetricType.INTEGER, MetricType.DECIMAL):
        return None
    whole = metric.value_type == MetricType.INTEGER
    return DataValidation(
        type="whole" if whole else "decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        error=_("Enter a whole number.") if whole else _("Enter a number."),
    )


def _participant_text(person) -> str:
    return f"{person.name}（{person.mobile}）" if person.mobile else person.name


def _plain_number(value: decimal.Decimal | int) -> int | decimal.Decimal:
    value = decimal.Decimal(value)
    return int(value) if value == value.to_integral_value() else value


def export_activities(queryset: QuerySet[Activity], campaign: Campaign | None = None) -> bytes:
    """The activities in `queryset` in the import format, one sheet per type, with the
    unit's name and the status added (the import ignores those two columns).

    Written in openpyxl's write-only mode and read in chunks, so memory stays flat
    however many rows; values and participants are prefetched per chunk. A
    participant is written as 姓名（手机号）: readable, and the import finds the number.
    Without `campaign` the sheets are the types the activities have.
    """
    from openpyxl import Workbook

    from wenyi.orgs.models import Person

    if campaign is not None:
        types = _campaign_types(campaign)
    else:
        type_ids = set(queryset.order_by().values_list("type_id", flat=True).distinct())
        types = list(
            ActivityType.objects.filter(pk__in=type_ids)
            .prefetch_related("metrics")
            .order_by("campaign_id", "position", "id")
        )
    wb = Workbook(write_only=True)
    sheets: dict[int, Any] = {}
    metric_slots: dict[int, dict[int, int]] = {}  # type id → {metric id: 0-based slot}
    for title, type_ in sheet_titles(types).items():
        ws = wb.create_sheet(title)
        columns = type_columns(type_)
        write_header(ws, [columns[0], UNIT_NAME_COLUMN, *columns[1:], STATUS_COLUMN])
        sheets[type_.pk] = ws
        metric_slots[type_.pk] = {m.pk: i for i, m in enumerate(type_.metrics.all())}
    if not sheets:
        wb.create_sheet(HELP_SHEET)

    cell = xlsx.cell

    statuses = dict(ActivityStatus.choices)
    rows = (
        queryset.select_related("unit")
        .prefetch_related("values", Prefetch("participants", by_name(Person.objects.all())))
        .order_by("type_id", "start_date", "id")
    )
    for activity in rows.iterator(chunk_size=1000):
        ws = sheets.get(activity.type_id)
        if ws is None:  # a type of another campaign than the one asked for
            continue
        slots = metric_slots[activity.type_id]
        metrics: list[Any] = [None] * len(slots)
        for value in activity.values.all():
            slot = slots.get(value.metric_id)
            if slot is None:
                continue
            metrics[slot] = (
                _plain_number(value.number) if value.number is not None else cell(ws, value.text)
            )
        ws.append(
            [
                cell(ws, activity.unit.code, "@"),
                cell(ws, activity.unit.name),
                cell(ws, activity.title),
                cell(ws, activity.start_date, DATE_FORMAT),
                cell(ws, activity.end_date, DATE_FORMAT),
                cell(ws, activity.place),
                cell(ws, activity.address),
                cell(ws, "、".join(_participant_text(p) for p in activity.participants.all())),
                cell(ws, activity.description),
                *metrics,
                str(statuses.get(activity.status, activity.status)),
            ]
        )
    return xlsx.save(wb)


# -- the statistics table (统计表) -----------------------------------------------------


def statistics_workbook(
    campaign: Campaign, rows: list[QuotaRow], today: datetime.date | None = None
) -> bytes:
    """统计表: a row per unit (from `quota_matrix`), per type the verified count, the
    minimum, the status and the sums of the numeric metrics, then a total row. A unit
    with participating units below it says in its status column how many of them are
    met / on track / behind ("3/15 达标 · 5 进度正常 · 7 进度落后").

    Each unit's figures include the units below it (as in the quota matrix), so the
    total adds up only the listed units that are not below another listed unit.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    today = today or clock.today()
    types = (
        [c.type for c in rows[0].cells]
        if rows
        else list(campaign.activity_types.prefetch_related("metrics"))
    )
    numeric = {t.pk: [m for m in t.metrics.all() if is_numeric(m)] for t in types}
    statuses = dict(QuotaStatus.choices)
    width = max(2 + sum(3 + len(numeric[t.pk]) for t in types), 2)

    wb = Workbook()
    ws = wb.active
    ws.title = "统计表"
    ws.append([f"{campaign.title}统计表"])
    ws.append(
        [
            _(
                "As of %(date)s. Verified activities only; each unit's figures include "
                "the units below it. The minimum applies to each participating unit: a "
                "unit above others shows how many of them are met, on track or behind."
            )
            % {"date": today.isoformat()}
        ]
    )
    for line in (1, 2):
        ws.merge_cells(start_row=line, start_column=1, end_row=line, end_column=width)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")

    top, sub = ["单位编码", "单位"], ["", ""]
    for type_ in types:
        top.extend([type_.name] + [""] * (2 + len(numeric[type_.pk])))
        sub.extend(["次数", "最低要求", "进度", *(metric_header(m) for m in numeric[type_.pk])])
    ws.append(top)
    ws.append(sub)
    ws.merge_cells(start_row=3, start_column=1, end_row=4, end_column=1)
    ws.merge_cells(start_row=3, start_column=2, end_row=4, end_column=2)
    column = 3
    for type_ in types:
        span = 3 + len(numeric[type_.pk])
        ws.merge_cells(start_row=3, start_column=column, end_row=3, end_column=column + span - 1)
        column += span

    counts: dict[int, int] = defaultdict(int)
    sums: dict[tuple[int, str], decimal.Decimal] = defaultdict(decimal.Decimal)
    paths = [r.unit.path for r in rows]
    for quota_row in rows:
        path = quota_row.unit.path
        outermost = not any(path != p and path.startswith(p) for p in paths)
        line: list[Any] = [quota_row.unit.code, quota_row.unit.name]
        for quota_cell in quota_row.cells:
            type_ = quota_cell.type
            line.extend(
                [
                    quota_cell.count,
                    type_.min_per_year,
                    # a parent: its participating units by status, never its sum judged
                    quota_cell.units.label
                    if quota_cell.units is not None
                    else str(statuses.get(quota_cell.status, quota_cell.status)),
                ]
            )
            for metric in numeric[type_.pk]:
                value = decimal.Decimal(quota_cell.totals.get(metric.key, 0))
                line.append(_plain_number(value))
                if outermost:
                    sums[(type_.pk, metric.key)] += value
            if outermost:
                counts[type_.pk] += quota_cell.count
        ws.append(line)
        ws.cell(row=ws.max_row, column=1).number_format = "@"
    total: list[Any] = ["", "合计"]
    for type_ in types:
        total.extend([counts[type_.pk], "", ""])
        total.extend(_plain_number(sums[(type_.pk, m.key)]) for m in numeric[type_.pk])
    ws.append(total)

    bold, fill = header_font(), header_fill()
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for line_cells in ws.iter_rows(min_row=3, max_row=ws.max_row, max_col=width):
        for c in line_cells:
            c.border = border
            if c.row <= 4:
                c.font, c.fill, c.alignment = bold, fill, center
    for c in ws[ws.max_row]:
        c.font = bold
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 22
    for index in range(3, width + 1):
        ws.column_dimensions[get_column_letter(index)].width = 11
    ws.freeze_panes = "C5"
    return xlsx.save(wb)
