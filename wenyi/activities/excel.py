"""Activities as .xlsx: the import template, the import itself, the export, the 统计表.

Like the people import (`wenyi.orgs.people_import`, whose file checks and cell helpers
this module reuses), sheet names and column headers are fixed Chinese text whatever
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
after the rows, in chunks of 500; the rows are written with `bulk_create` in batches.
"""

import datetime
import decimal
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wenyi.activities.enums import ActivityStatus, ImportStatus, QuotaStatus
from wenyi.activities.metrics import check_required, is_numeric, parse_metric
from wenyi.activities.models import Activity, ActivityImport, MetricValue
from wenyi.activities.queries import Row as QuotaRow
from wenyi.activities.services import duplicate_key
from wenyi.campaigns.enums import MetricType
from wenyi.campaigns.models import ActivityType, Campaign, Metric
from wenyi.core import audit, clock
from wenyi.core.enums import AuditAction
from wenyi.orgs.models import OrgUnit
from wenyi.orgs.people_import import (
    HEADER_SEARCH_ROWS,
    HELP_SHEET,
    XLSX_CONTENT_TYPE,
    _chunks,
    _code,
    _header_key,
    _open_workbook,
    _Rejected,
    _rows_text,
    _save,
    _text,
)
from wenyi.orgs.queries import owner_unit, people_managed_by, scope_for, units_managed_by

__all__ = [
    "XLSX_CONTENT_TYPE",
    "build_template",
    "check_xlsx",
    "export_activities",
    "import_activities",
    "importable_units",
    "imports_visible_to",
    "statistics_workbook",
]

ROW_LIMIT = 20000
PROGRESS_EVERY = 500  # rows between two progress writes
WRITE_BATCH = 1000  # activities per bulk_create round
MAX_STORED_ERRORS = 1000  # the rest are counted, not listed
MAX_TEXT = 5000
DATE_FORMAT = "yyyy-mm-dd"

# -- columns -------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str  # a field name, or "m:<metric key>"
    header: str
    required: bool = False
    width: int = 14
    max_length: int | None = None
    aliases: tuple[str, ...] = ()
    metric: Metric | None = None

    @property
    def title(self) -> str:
        """The header as written in the file: required columns end with `*`."""
        return f"{self.header}*" if self.required else self.header


BASE_COLUMNS: tuple[Column, ...] = (
    Column("unit_code", "单位编码", required=True, width=14, aliases=("单位代码",)),
    Column(
        "title", "活动名称", required=True, width=28, max_length=200, aliases=("活动标题", "名称")
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
    ),
    Column("description", "活动简介", width=40, max_length=MAX_TEXT, aliases=("简介",)),
)
UNIT_NAME_HEADER = "单位名称"  # export only; ignored by the import
STATUS_HEADER = "状态"  # export only; ignored by the import
_BASE = {c.key: c for c in BASE_COLUMNS}
_PARTICIPANT_SEPARATORS = re.compile(r"[、，,;；/\n]+")
_MOBILE_IN = re.compile(r"(?<!\d)1\d{10}(?!\d)")
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def metric_header(metric: Metric) -> str:
    return f"{metric.name}（{metric.unit}）" if metric.unit else metric.name


def metric_columns(type_: ActivityType) -> list[Column]:
    return [
        Column(
            f"m:{m.key}",
            metric_header(m),
            required=m.required,
            width=16 if is_numeric(m) else 24,
            metric=m,
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
    manage, within the campaign's owner unit when that unit exists."""
    units = units_managed_by(user)
    owner = owner_unit(campaign)
    if owner is not None:
        units = units.filter(path__startswith=owner.path)
    return units


def imports_visible_to(user) -> QuerySet[ActivityImport]:
    """Its creator sees an import, and so does the office of the campaign's owner unit."""
    scope = scope_for(user)
    if scope.superuser:
        return ActivityImport.objects.all()
    if not user.is_authenticated:
        return ActivityImport.objects.none()
    q = Q(created_by=user)
    if scope.office_paths:
        under = Q(pk__in=[])
        for path in scope.office_paths:
            under |= Q(path__startswith=path)
        q |= Q(campaign__owner_unit_code__in=OrgUnit.objects.filter(under).values("code"))
    return ActivityImport.objects.filter(q)


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


def _base_help() -> dict[str, str]:
    return {
        "unit_code": _("The code of the organising unit; the codes you may use are listed below."),
        "title": _("The activity's name."),
        "start_date": _("The day the activity took place, or its first day."),
        "end_date": _("Only for activities over several days."),
        "place": _("Enterprise or workplace."),
        "address": _("Street address of the place."),
        "participants": _("Mobile numbers of the participating art workers, separated with 、."),
        "description": _("What was done, and its effect."),
    }


def _metric_help(metric: Metric) -> str:
    parts = [str(metric.get_value_type_display())]
    if metric.unit:
        parts.append(_("unit: %(unit)s") % {"unit": metric.unit})
    if metric.value_type == MetricType.CHOICE:
        parts.append(_("one of: %(choices)s") % {"choices": "、".join(metric.choices)})
    if metric.help_text:
        parts.append(metric.help_text)
    return "；".join(parts)


def _excel_list(choices: Sequence[str]) -> str | None:
    """An inline list for a data validation, or None when Excel cannot hold it inline."""
    if any("," in c or '"' in c for c in choices):
        return None
    text = '"{}"'.format(",".join(choices))
    return text if len(text) <= 255 else None


def build_template(campaign: Campaign, units: Iterable[OrgUnit]) -> bytes:
    """An empty import file: a sheet per activity type and a 说明 sheet that explains
    the columns and lists the unit codes in `units` and every choice metric's options."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    types = _campaign_types(campaign)
    titles = sheet_titles(types)
    wb = Workbook()
    wb.remove(wb.active)
    sheets = {t.pk: wb.create_sheet(title) for title, t in titles.items()}
    help_ws = wb.create_sheet(HELP_SHEET)

    # the 说明 sheet first: the type sheets' drop-down lists point into it
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    help_ws.column_dimensions["A"].width = 30
    help_ws.column_dimensions["B"].width = 12
    help_ws.column_dimensions["C"].width = 70
    help_ws.append([_("How to fill in this file")])
    help_ws["A1"].font = Font(bold=True, size=13)
    for note in _general_notes(campaign):
        help_ws.append(["", note])
        help_ws.cell(row=help_ws.max_row, column=2).alignment = wrap
        help_ws.merge_cells(
            start_row=help_ws.max_row, start_column=2, end_row=help_ws.max_row, end_column=3
        )
    help_ws.append([])

    def heading(*values: str) -> None:
        help_ws.append(list(values))
        for cell in help_ws[help_ws.max_row]:
            cell.font = bold

    heading(_("Column"), _("Required"), _("Explanation"))
    helps = _base_help()
    for column in BASE_COLUMNS:
        help_ws.append([column.title, _("yes") if column.required else _("no"), helps[column.key]])
        help_ws.cell(row=help_ws.max_row, column=3).alignment = wrap
    for title, type_ in titles.items():
        help_ws.append([])
        heading(_("Sheet %(sheet)s: metrics") % {"sheet": title})
        for column in metric_columns(type_):
            help_ws.append(
                [
                    column.title,
                    _("yes") if column.required else _("no"),
                    _metric_help(column.metric),
                ]
            )
            help_ws.cell(row=help_ws.max_row, column=3).alignment = wrap

    choice_ranges: dict[int, str] = {}
    choice_metrics = [
        m for t in types for m in t.metrics.all() if m.value_type == MetricType.CHOICE and m.choices
    ]
    if choice_metrics:
        help_ws.append([])
        heading(_("Options of the choice metrics"))
        for metric in choice_metrics:
            first = help_ws.max_row + 1
            for index, choice in enumerate(metric.choices):
                help_ws.append([metric_header(metric) if index == 0 else "", choice])
            choice_ranges[metric.pk] = (
                f"{quote_sheetname(HELP_SHEET)}!$B${first}:$B${help_ws.max_row}"
            )

    help_ws.append([])
    heading(_("Unit codes you may use"))
    heading(_("Unit code"), _("Unit name"))
    first_unit = help_ws.max_row + 1
    for unit in units:
        help_ws.append([unit.code, unit.name])
        help_ws.cell(row=help_ws.max_row, column=1).number_format = "@"
    unit_range = (
        f"{quote_sheetname(HELP_SHEET)}!$A${first_unit}:$A${help_ws.max_row}"
        if help_ws.max_row >= first_unit
        else None
    )

    fill = PatternFill("solid", fgColor="DDEBF7")
    required_fill = PatternFill("solid", fgColor="FCE4D6")
    last = ROW_LIMIT + 1
    for type_ in types:
        ws = sheets[type_.pk]
        columns = type_columns(type_)
        ws.append([c.title for c in columns])
        ws.freeze_panes = "A2"
        for index, column in enumerate(columns, start=1):
            cell = ws.cell(row=1, column=index)
            cell.font = bold
            cell.fill = required_fill if column.required else fill
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            letter = get_column_letter(index)
            ws.column_dimensions[letter].width = column.width
            cells = f"{letter}2:{letter}{last}"
            validation = None
            if column.key in ("start_date", "end_date"):
                ws.column_dimensions[letter].number_format = DATE_FORMAT
                validation = DataValidation(
                    type="date",
                    operator="between",
                    formula1=f"DATE({campaign.start.year},{campaign.start.month},"
                    f"{campaign.start.day})",
                    formula2=f"DATE({campaign.end.year},{campaign.end.month},{campaign.end.day})",
                    error=_("The date must fall within the campaign, %(start)s to %(end)s.")
                    % {"start": campaign.start, "end": campaign.end},
                )
            elif column.key in ("unit_code", "participants"):
                # text, so Excel keeps leading zeros and does not write 1.39E+10
                ws.column_dimensions[letter].number_format = "@"
                if column.key == "unit_code" and unit_range:
                    validation = DataValidation(
                        type="list",
                        formula1=unit_range,
                        error=_("Choose a unit code from the list."),
                    )
            elif column.metric is not None:
                metric = column.metric
                if metric.value_type == MetricType.CHOICE and metric.choices:
                    formula = _excel_list(metric.choices) or choice_ranges.get(metric.pk)
                    validation = DataValidation(
                        type="list", formula1=formula, error=_("Choose a value from the list.")
                    )
                elif metric.value_type == MetricType.INTEGER:
                    validation = DataValidation(
                        type="whole",
                        operator="greaterThanOrEqual",
                        formula1="0",
                        error=_("Enter a whole number."),
                    )
                elif metric.value_type == MetricType.DECIMAL:
                    validation = DataValidation(
                        type="decimal",
                        operator="greaterThanOrEqual",
                        formula1="0",
                        error=_("Enter a number."),
                    )
            if validation is not None:
                # a warning, not a stop: the import checks every value anyway
                validation.errorStyle = "warning"
                validation.showErrorMessage = True
                validation.allow_blank = True
                validation.errorTitle = column.header
                ws.add_data_validation(validation)
                validation.add(cells)
    return _save(wb)


def check_xlsx(file: IO[bytes]) -> None:
    """Raise ValidationError unless `file` is an .xlsx workbook we can read (by content,
    not by name: the same check the people import makes)."""
    try:
        wb = _open_workbook(file)
    except _Rejected as exc:
        raise ValidationError(str(exc)) from None
    wb.close()
    file.seek(0)


# -- the import ------------------------------------------------------------------------


@dataclass(slots=True)
class _Row:
    sheet: int
    number: int
    type_id: int
    unit_id: int | None = None
    title: str = ""
    start: datetime.date | None = None
    end: datetime.date | None = None
    place: str = ""
    address: str = ""
    description: str = ""
    mobiles: tuple[str, ...] = ()
    people: list[int] = field(default_factory=list)
    values: list[tuple[int, decimal.Decimal | None, str]] = field(default_factory=list)
    key: str = ""


class _Errors:
    """Every problem, as (sheet index, row, column index, sheet, column, message).

    Only the first MAX_STORED_ERRORS are kept: a file of garbage must not fill the
    memory or the job row; the rest are counted.
    """

    def __init__(self) -> None:
        self.items: list[tuple[int, int, int, str, str, str]] = []
        self.count = 0

    def add(
        self,
        sheet: int,
        sheet_title: str,
        row: int | None,
        column: int,
        column_title: str,
        message: str,
    ) -> None:
        self.count += 1
        if len(self.items) < MAX_STORED_ERRORS:
            self.items.append((sheet, row or 0, column, sheet_title, column_title, message))

    def __bool__(self) -> bool:
        return self.count > 0

    def as_list(self) -> list[dict[str, Any]]:
        listed = [
            {"sheet": sheet_title, "row": row or None, "column": column_title, "message": message}
            for _s, row, _c, sheet_title, column_title, message in sorted(
                self.items, key=lambda e: e[:3]
            )
        ]
        if self.count > len(listed):
            listed.append(
                {
                    "sheet": "",
                    "row": None,
                    "column": "",
                    "message": ngettext(
                        "%(count)s more problem is not listed.",
                        "%(count)s more problems are not listed.",
                        self.count - len(listed),
                    )
                    % {"count": self.count - len(listed)},
                }
            )
        return listed


def format_error(error: dict[str, Any]) -> str:
    """One stored problem as a sentence: 工作表「…」第 5 行「…」列：…"""
    parts = {
        "sheet": error.get("sheet") or "",
        "row": error.get("row"),
        "column": error.get("column") or "",
        "message": error["message"],
    }
    if not parts["sheet"]:
        return parts["message"]
    if parts["row"] is None:
        return _("Sheet %(sheet)s: %(message)s") % parts
    if not parts["column"]:
        return _("Sheet %(sheet)s, row %(row)s: %(message)s") % parts
    return _("Sheet %(sheet)s, row %(row)s, column %(column)s: %(message)s") % parts


def _exact_key(value: Any) -> str:
    text = unicodedata.normalize("NFKC", _text(value))
    return re.sub(r"\s+", "", text).strip("*").lower()


@dataclass
class _Sheet:
    index: int
    title: str
    type: ActivityType
    columns: list[Column]
    header_row: int = 0
    positions: dict[str, int] = field(default_factory=dict)  # column key → 0-based index

    def __post_init__(self) -> None:
        self._index = {c.key: i for i, c in enumerate(self.columns)}

    def column_index(self, key: str) -> int:
        return self._index[key]

    def column_title(self, key: str) -> str:
        return self.columns[self._index[key]].header


def _match_headers(sheet: _Sheet, values: Sequence[Any]) -> tuple[dict[str, int], list[str]]:
    """{column key: index} for one candidate header row, and the columns found twice.

    A header matches its column by its whole text first, then by the text before a
    bracket when only one column has that stem: 参与文艺工作者（人） (a metric) and
    参与文艺工作者（手机号，…） (the people) share a stem.
    """
    exact: dict[str, str] = {}
    stems: dict[str, set[str]] = defaultdict(set)
    for column in sheet.columns:
        for name in (column.title, column.header, *column.aliases):
            exact.setdefault(_exact_key(name), column.key)
            stems[_header_key(name)].add(column.key)
    positions: dict[str, int] = {}
    twice: list[str] = []
    for index, value in enumerate(values):
        if value is None:
            continue
        key = exact.get(_exact_key(value))
        if key is None:
            found = stems.get(_header_key(value), set())
            key = next(iter(found)) if len(found) == 1 else None
        if key is None:
            continue
        if key in positions:
            twice.append(sheet.column_title(key))
        positions[key] = index
    return positions, twice


_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="(\d+)"')
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")


def _row_estimate(ws) -> int:
    """The sheet's number of rows, for the progress bar: its stored size if the writer
    recorded one (Excel, WPS), else the last row number found by skimming its XML
    (openpyxl's write-only mode records none). Decompressing is fast; parsing is not."""
    if ws.max_row:
        return ws.max_row
    last = count = 0
    buffer = b""
    try:
        with ws._get_source() as source:
            while True:
                chunk = source.read(1 << 20)
                buffer += chunk
                # a tag that starts near the end may be cut: leave it for the next round
                end = max(len(buffer) - 256, 0) if chunk else len(buffer)
                count += sum(1 for m in _ROW_TAG.finditer(buffer) if m.start() < end)
                for m in _ROW_NUMBER.finditer(buffer):
                    if m.start() < end:
                        last = max(last, int(m.group(1)))
                buffer = buffer[end:]
                if not chunk:
                    break
    except Exception:  # only an estimate: the reading proper reports a damaged sheet
        return 0
    return last or count


def _parse_date(raw: Any) -> datetime.date:
    """An Excel date, a date serial number, or text such as 2014-07-15 / 2014年7月15日."""
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if 19000101 <= raw <= 29991231 and float(raw).is_integer():  # 20140715
            text = str(int(raw))
            return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        if 1 <= raw < 2958466:
            from openpyxl.utils.datetime import from_excel

            return from_excel(raw).date()
        raise ValueError
    match = _DATE_TEXT.match(unicodedata.normalize("NFKC", _text(raw)))
    if not match:
        raise ValueError
    return datetime.date(*(int(g) for g in match.groups()))


class _Reader:
    """Checks the rows of one file; the database is only read, in bulk."""

    def __init__(self, job: ActivityImport, report: Callable[[int, int], None]) -> None:
        self.job = job
        self.campaign = job.campaign
        self.report = report
        self.errors = _Errors()
        self.rows: list[_Row] = []
        self.sheets: dict[int, _Sheet] = {}  # by the sheet's index in the workbook
        types = _campaign_types(self.campaign)
        self.titles = sheet_titles(types)
        self.by_key = {t.key: t for t in types}
        self.units = {
            code: pk
            for code, pk in importable_units(job.created_by, self.campaign).values_list(
                "code", "pk"
            )
        }
        self.scanned = 0
        self.total = 0

    # one problem of one cell (column=None: the whole row; row=None: the whole sheet)
    def error(self, sheet: _Sheet, row: int | None, key: str | None, message: str) -> None:
        if key is None:
            self.errors.add(sheet.index, sheet.title, row, -1, "", message)
        else:
            self.errors.add(
                sheet.index,
                sheet.title,
                row,
                sheet.column_index(key),
                sheet.column_title(key),
                message,
            )

    def read(self, file: IO[bytes]) -> None:
        wb = _open_workbook(file)
        try:
            worksheets = list(wb.worksheets)
            sheets: list[tuple[_Sheet, Any]] = []
            for index, ws in enumerate(worksheets):
                title = ws.title
                if title.strip() == HELP_SHEET:
                    continue
                type_ = self.titles.get(title.strip()) or self.by_key.get(title.strip())
                if type_ is None:
                    if any(
                        any(v not in (None, "") for v in values)
                        for values in ws.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True)
                    ):
                        self.errors.add(
                            index,
                            title,
                            None,
                            -1,
                            "",
                            _(
                                "This sheet is not one of the campaign's activity types "
                                "(%(types)s); rename it after its type, or delete it."
                            )
                            % {"types": "、".join(self.titles)},
                        )
                    continue
                sheet = _Sheet(index, title, type_, type_columns(type_))
                self.sheets[index] = sheet
                sheets.append((sheet, ws))
                self.total += max(_row_estimate(ws) - 1, 0)  # less the header row
            self.report(0, self.total)
            for sheet, ws in sheets:
                self._read_sheet(sheet, ws)
        finally:
            wb.close()
        self.total = self.scanned
        self.report(self.scanned, self.total)
        if not self.rows and not self.errors:
            raise _Rejected(
                _(
                    "The file has no activities in it: fill in rows below the "
                    "header row of the sheet of each activity type."
                )
            )

    def _read_sheet(self, sheet: _Sheet, ws) -> None:
        for number, values in enumerate(
            ws.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True), start=1
        ):
            positions, twice = _match_headers(sheet, values)
            if {"unit_code", "title"} <= positions.keys():
                if twice:
                    self.error(
                        sheet,
                        None,
                        None,
                        _("The header row has the column %(columns)s more than once.")
                        % {"columns": "、".join(twice)},
                    )
                    return
                sheet.header_row, sheet.positions = number, positions
                break
        else:
            self.error(
                sheet,
                None,
                None,
                _(
                    "No header row with the columns %(columns)s was found; download the "
                    "template and fill it in."
                )
                % {"columns": "、".join(c.title for c in sheet.columns if c.required)},
            )
            return
        missing = [c.title for c in sheet.columns if c.required and c.key not in positions]
        if missing:
            self.error(
                sheet,
                None,
                None,
                _(
                    "The required column %(columns)s is missing; download the template and "
                    "fill it in."
                )
                % {"columns": "、".join(missing)},
            )
            return
        # some writers store a wrong sheet size, which would cut the rows short
        ws.reset_dimensions()
        items = [(key, index) for key, index in positions.items()]
        for number, cells in enumerate(
            ws.iter_rows(min_row=sheet.header_row + 1, values_only=True),
            start=sheet.header_row + 1,
        ):
            self.scanned += 1
            if self.scanned % PROGRESS_EVERY == 0:
                # 0: the estimate was wrong, the total is not known
                self.report(self.scanned, self.total if self.total >= self.scanned else 0)
            size = len(cells)
            raw = {key: cells[index] for key, index in items if index < size}
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in raw.values()):
                continue
            if len(self.rows) >= ROW_LIMIT:
                raise _Rejected(
                    _("The file has more than %(limit)s activities; split it into several files.")
                    % {"limit": ROW_LIMIT}
                )
            self.rows.append(self._check_row(sheet, number, raw))

    def _check_row(self, sheet: _Sheet, number: int, raw: dict[str, Any]) -> _Row:
        row = _Row(sheet=sheet.index, number=number, type_id=sheet.type.pk)
        texts: dict[str, str] = {}
        for key in ("title", "place", "address", "description"):
            texts[key] = _text(raw.get(key))
            limit = _BASE[key].max_length
            if limit and len(texts[key]) > limit:
                self.error(
                    sheet,
                    number,
                    key,
                    _("At most %(limit)s characters, not %(length)s.")
                    % {"limit": limit, "length": len(texts[key])},
                )
        row.title, row.place = texts["title"], texts["place"]
        row.address, row.description = texts["address"], texts["description"]
        if not row.title:
            self.error(sheet, number, "title", _("Fill in the title."))
        if not row.place:
            self.error(sheet, number, "place", _("Fill in the place."))

        code = _code(_text(raw.get("unit_code")))
        if not code:
            self.error(sheet, number, "unit_code", _("Fill in the unit code."))
        else:
            row.unit_id = self.units.get(code)
            if row.unit_id is None:
                # the same words whether the code exists elsewhere or not at all
                self.error(
                    sheet,
                    number,
                    "unit_code",
                    _("The unit code %(code)s does not exist or is outside your area.")
                    % {"code": code},
                )

        for key in ("start_date", "end_date"):
            value = raw.get(key)
            if value is None or (isinstance(value, str) and not value.strip()):
                if key == "start_date":
                    self.error(sheet, number, key, _("Fill in the start date."))
                continue
            try:
                parsed = _parse_date(value)
            except (ValueError, OverflowError):
                self.error(
                    sheet,
                    number,
                    key,
                    _("“%(value)s” is not a date: write it as 2014-07-15.")
                    % {"value": _text(value)[:40]},
                )
                continue
            if key == "start_date":
                row.start = parsed
            else:
                row.end = parsed
        campaign = self.campaign
        if row.start and not (campaign.start <= row.start <= campaign.end):
            self.error(
                sheet,
                number,
                "start_date",
                _("The date must fall within the campaign, %(start)s to %(end)s.")
                % {"start": campaign.start, "end": campaign.end},
            )
        if row.start and row.end and row.end < row.start:
            self.error(
                sheet, number, "end_date", _("The end date cannot be before the start date.")
            )

        mobiles: list[str] = []
        for item in _PARTICIPANT_SEPARATORS.split(
            unicodedata.normalize("NFKC", _text(raw.get("participants")))
        ):
            item = item.strip()
            if not item:
                continue
            found = _MOBILE_IN.findall(re.sub(r"(?<=\d)[\s-]+(?=\d)", "", item))
            if len(found) != 1:
                self.error(
                    sheet,
                    number,
                    "participants",
                    _("“%(value)s” is not a mobile number: 11 digits starting with 1.")
                    % {"value": item[:40]},
                )
                continue
            mobiles.append(found[0])
        row.mobiles = tuple(dict.fromkeys(mobiles))

        for column in sheet.columns[len(BASE_COLUMNS) :]:
            metric = column.metric
            try:
                number_value, text = parse_metric(metric, _text(raw.get(column.key)))
                check_required(metric, number_value, text)
            except ValidationError as exc:
                for message in exc.messages:
                    self.error(sheet, number, column.key, message)
                continue
            if number_value is not None or text:
                row.values.append((metric.pk, number_value, text))

        if row.unit_id and row.start and row.place:
            row.key = duplicate_key(row.unit_id, row.type_id, row.start, row.place)
        return row

    def check_people(self) -> None:
        """Participants by mobile, among the people of the importer's units."""
        mobiles = sorted({m for r in self.rows for m in r.mobiles})
        people: dict[str, int] = {}
        managed = people_managed_by(self.job.created_by)
        for chunk in _chunks(mobiles):
            people.update(managed.filter(mobile__in=chunk).values_list("mobile", "pk"))
        for row in self.rows:
            for mobile in row.mobiles:
                pk = people.get(mobile)
                if pk is None:
                    # the same words whether the number belongs to someone elsewhere or not
                    self._row_error(
                        row,
                        "participants",
                        _(
                            "No person with the mobile number %(value)s among the people of "
                            "your units; record the person first."
                        )
                        % {"value": mobile},
                    )
                else:
                    row.people.append(pk)

    def check_duplicates(self) -> None:
        """The same activity twice in the file, or already recorded."""
        seen: dict[str, list[_Row]] = defaultdict(list)
        for row in self.rows:
            if row.key:
                seen[row.key].append(row)
        for same in seen.values():
            if len(same) < 2:
                continue
            for row in same:
                others = [r.number for r in same if r is not row]
                self._row_error(
                    row,
                    None,
                    _(
                        "The same activity (unit, type, start date and place) is also in row "
                        "%(rows)s."
                    )
                    % {"rows": _rows_text(others)},
                )
        for key, title in existing_duplicates(seen):
            for row in seen[key]:
                self._row_error(row, None, _already_recorded(title))

    def _row_error(self, row: _Row, key: str | None, message: str) -> None:
        self.error(self.sheets[row.sheet], row.number, key, message)


def _already_recorded(title: str) -> str:
    return _(
        "The same activity (unit, type, start date and place) is already recorded: “%(title)s”."
    ) % {"title": title}


def existing_duplicates(keys: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(duplicate key, title) of recorded activities that have one of `keys`."""
    for chunk in _chunks(sorted(keys)):
        yield from (
            Activity.objects.filter(duplicate_key__in=chunk)
            .values_list("duplicate_key", "title")
            .order_by("id")
        )


def _write(job: ActivityImport, rows: list[_Row]) -> int:
    """Insert every row; the caller holds the transaction."""
    now = timezone.now()
    status = ActivityStatus.SUBMITTED if job.submit else ActivityStatus.DRAFT
    through = Activity.participants.through
    created = 0
    for start in range(0, len(rows), WRITE_BATCH):
        batch = rows[start : start + WRITE_BATCH]
        activities = Activity.objects.bulk_create(
            [
                Activity(
                    campaign_id=job.campaign_id,
                    type_id=r.type_id,
                    unit_id=r.unit_id,
                    title=r.title,
                    start_date=r.start,
                    end_date=r.end,
                    place=r.place,
                    address=r.address,
                    description=r.description,
                    status=status,
                    created_by_id=job.created_by_id,
                    submitted_at=now if job.submit else None,
                    duplicate_key=r.key,
                )
                for r in batch
            ]
        )
        MetricValue.objects.bulk_create(
            [
                MetricValue(activity_id=a.pk, metric_id=metric_id, number=number, text=text)
                for a, r in zip(activities, batch, strict=True)
                for metric_id, number, text in r.values
            ],
            batch_size=2000,
        )
        through.objects.bulk_create(
            [
                through(activity_id=a.pk, person_id=person_id)
                for a, r in zip(activities, batch, strict=True)
                for person_id in dict.fromkeys(r.people)
            ],
            batch_size=2000,
        )
        created += len(activities)
    return created


def _fail(
    job: ActivityImport, errors: list[dict[str, Any]], count: int, scanned: int, total: int
) -> None:
    job.status = ImportStatus.FAILED
    job.errors = errors
    job.created_count = 0
    job.done_rows, job.total_rows = scanned, total
    job.message = ngettext(
        "Nothing was imported: the file has %(count)s problem. Fix it and upload the file again.",
        "Nothing was imported: the file has %(count)s problems. Fix them and upload the file "
        "again.",
        count,
    ) % {"count": count}
    job.save(
        update_fields=[
            "status",
            "errors",
            "created_count",
            "done_rows",
            "total_rows",
            "message",
            "updated_at",
        ]
    )


def import_activities(
    job: ActivityImport,
    *,
    file: IO[bytes] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Check every row of the job's workbook and, only if all are good, import them all.

    Leaves the job "done" with `created_count`, or "failed" with `errors` (each
    {sheet, row, column, message}; at most MAX_STORED_ERRORS listed, then a line with
    the number of the rest) and nothing written. `file` replaces the job's stored
    file (the command line reads the file where it lies). `progress(done, total)`
    is called every PROGRESS_EVERY rows.

    Two phases, because of SQLite: a write transaction holds the database's write
    lock until it commits, so progress written inside it could not be seen by the
    page, and would stop every other writer for the whole import. So the checking
    (the slow part: reading the workbook) runs outside any transaction and writes the
    progress with short separate UPDATEs; then the rows are written in one
    transaction, which also marks the job done, so a crash leaves either everything
    or nothing. That transaction first looks for the file's activities again: an
    upload of the same file that finished meanwhile makes this one fail with every
    row a duplicate instead of importing twice.

    The import writes ONE audit entry (AuditAction.IMPORT on the job, with the
    count), not one per activity: 10,000 entries would double the work for no
    information the job and the activities' `created_by` do not already give.
    """
    job_pk = job.pk

    def report(done: int, total: int) -> None:
        ActivityImport.objects.filter(pk=job_pk).update(
            done_rows=done, total_rows=total, updated_at=timezone.now()
        )
        if progress is not None:
            progress(done, total)

    reader = _Reader(job, report)
    try:
        if file is not None:
            reader.read(file)
        else:
            with job.file.storage.open(job.file.name, "rb") as stored:
                reader.read(stored)
    except _Rejected as exc:
        _fail(
            job,
            [{"sheet": "", "row": None, "column": "", "message": str(exc)}],
            1,
            reader.scanned,
            reader.total,
        )
        return
    reader.check_people()
    reader.check_duplicates()
    if reader.errors:
        _fail(job, reader.errors.as_list(), reader.errors.count, reader.scanned, reader.total)
        return

    rows = reader.rows
    with transaction.atomic():
        # one import per campaign at a time (PostgreSQL; SQLite's BEGIN IMMEDIATE
        # already serialises every writer), then look again for what a concurrent
        # import of the same file may have committed since the check
        list(Campaign.objects.select_for_update().filter(pk=job.campaign_id).values_list("pk"))
        clashes = dict(existing_duplicates({r.key for r in rows}))
        if not clashes:
            created = _write(job, rows)
            audit.record(
                job.created_by,
                AuditAction.IMPORT,
                job,
                changes={
                    "activities": [None, created],
                    "status": [
                        None,
                        ActivityStatus.SUBMITTED if job.submit else ActivityStatus.DRAFT,
                    ],
                },
                note=job.original_name,
            )
            job.status = ImportStatus.DONE
            job.created_count = created
            job.errors = []
            job.done_rows = job.total_rows = reader.scanned
            job.message = ngettext(
                "Imported %(count)s activity.", "Imported %(count)s activities.", created
            ) % {"count": created}
            job.save(
                update_fields=[
                    "status",
                    "created_count",
                    "errors",
                    "done_rows",
                    "total_rows",
                    "message",
                    "updated_at",
                ]
            )
            return
    for row in rows:
        if row.key in clashes:
            reader._row_error(row, None, _already_recorded(clashes[row.key]))
    _fail(job, reader.errors.as_list(), reader.errors.count, reader.scanned, reader.total)


# -- the export ---------------------------------------------------------------------


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
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

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
    bold = Font(bold=True)
    sheets: dict[int, Any] = {}
    metric_slots: dict[int, dict[int, int]] = {}  # type id → {metric id: 0-based slot}
    for title, type_ in sheet_titles(types).items():
        ws = wb.create_sheet(title)
        columns = type_columns(type_)
        headers = [(c.title, c.width) for c in columns]
        headers.insert(1, (UNIT_NAME_HEADER, 20))
        headers.append((STATUS_HEADER, 10))
        for index, (_title, width) in enumerate(headers, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.freeze_panes = "A2"
        header_cells = []
        for text, _width in headers:
            header_cell = WriteOnlyCell(ws, value=text)
            header_cell.font = bold
            header_cells.append(header_cell)
        ws.append(header_cells)
        sheets[type_.pk] = ws
        metric_slots[type_.pk] = {m.pk: i for i, m in enumerate(type_.metrics.all())}
    if not sheets:
        wb.create_sheet(HELP_SHEET)

    def cell(ws, value: Any, number_format: str | None = None):
        c = WriteOnlyCell(ws, value=value)
        if isinstance(value, str) and value.startswith("="):
            c.data_type = "s"  # data typed in, never a formula
        if number_format:
            c.number_format = number_format
        return c

    statuses = dict(ActivityStatus.choices)
    rows = (
        queryset.select_related("unit")
        .prefetch_related("values", Prefetch("participants", Person.objects.order_by("name", "id")))
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
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# -- the statistics table (统计表) -----------------------------------------------------


def statistics_workbook(
    campaign: Campaign, rows: list[QuotaRow], today: datetime.date | None = None
) -> bytes:
    """统计表: a row per unit (from `quota_matrix`), per type the verified count, the
    minimum, the status and the sums of the numeric metrics, then a total row.

    Each unit's figures include the units below it (as in the quota matrix), so the
    total adds up only the listed units that are not below another listed unit.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
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
                "the units below it."
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
                    str(statuses.get(quota_cell.status, quota_cell.status)),
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

    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
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
    return _save(wb)
