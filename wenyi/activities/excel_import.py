"""Importing activities from an .xlsx made from the campaign template (see excel.py).

Every row of every sheet is checked first, outside any transaction, with progress
written in short separate updates; only then are all rows written in one transaction.
Nothing is imported when any row has a problem.
"""

import datetime
import decimal
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wenyi.activities.enums import ActivityStatus, ImportStatus
from wenyi.activities.excel import (
    _BASE,
    _DATE_TEXT,
    _MOBILE_IN,
    _PARTICIPANT_SEPARATORS,
    BASE_COLUMNS,
    MAX_STORED_ERRORS,
    PROGRESS_EVERY,
    ROW_LIMIT,
    WRITE_BATCH,
    Column,
    _campaign_types,
    importable_units,
    sheet_titles,
    type_columns,
)
from wenyi.activities.metrics import check_required, parse_metric
from wenyi.activities.models import Activity, ActivityImport, MetricValue
from wenyi.activities.services import duplicate_key
from wenyi.campaigns.models import ActivityType, Campaign
from wenyi.core import audit
from wenyi.core.enums import AuditAction
from wenyi.orgs.models import OrgUnit
from wenyi.orgs.people_import import (
    HEADER_SEARCH_ROWS,
    HELP_SHEET,
    _chunks,
    _code,
    _header_key,
    _open_workbook,
    _Rejected,
    _rows_text,
    _text,
)
from wenyi.orgs.queries import people_managed_by


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
        # and the rows' units, in id order, as recording one activity does: an activity
        # entered on the page meanwhile is seen below, or waits for this import
        unit_ids = sorted({r.unit_id for r in rows})
        list(
            OrgUnit.objects.select_for_update()
            .filter(pk__in=unit_ids)
            .order_by("pk")
            .values_list("pk")
        )
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
