"""Reading an activity workbook made from the campaign template (see excel.py).

Every row of every sheet is checked, with progress, writing nothing: units among the
importer's, dates within the campaign, participants among the importer's people,
metric values as the campaign file defines them, and no activity twice in the file or
already recorded. Only when every row is good does `services.create_activities` write
them all, in one transaction. Runs as a background job (`wenyi.core.imports`, kind
"activities"; registered in ActivitiesConfig.ready), from the upload page or
`wenyi import-activities`.
"""

import datetime
import decimal
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wenyi.activities.excel import (
    BASE_COLUMNS,
    ROW_LIMIT,
    _campaign_types,
    importable_units,
    sheet_titles,
    type_columns,
)
from wenyi.activities.metrics import check_required, parse_metric
from wenyi.activities.services import (
    ActivityRow,
    already_recorded,
    create_activities,
    duplicate_key,
    existing_duplicates,
    future_row_refusal,
)
from wenyi.campaigns.models import ActivityType, Campaign
from wenyi.core.imports import Checked, RowRef, Written
from wenyi.core.models import ImportJob
from wenyi.core.sheets import (
    HEADER_SEARCH_ROWS,
    HELP_SHEET,
    ErrorList,
    HeaderNotFound,
    Progress,
    Rejected,
    SheetLayout,
    SheetRow,
    WorkbookReader,
    chunks,
    code,
    row_list,
    text,
)
from wenyi.orgs.queries import people_managed_by

_PARTICIPANT_SEPARATORS = re.compile(r"[、，,;；/\n]+")
_MOBILE_IN = re.compile(r"(?<!\d)1\d{10}(?!\d)")
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
# a sheet's header row is the first that names these two; the other required columns
# are then reported missing by name
_ANCHORS = ("unit_code", "title")


@dataclass(slots=True)
class _Row:
    ref: RowRef
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

    def activity(self) -> ActivityRow:
        """For the bulk service; only once every check has passed (no field is missing)."""
        assert self.unit_id is not None and self.start is not None
        return ActivityRow(
            type_id=self.type_id,
            unit_id=self.unit_id,
            title=self.title,
            start_date=self.start,
            place=self.place,
            end_date=self.end,
            address=self.address,
            description=self.description,
            participants=self.people,
            values=self.values,
            ref=self.ref,
        )


def _parse_date(raw: Any) -> datetime.date:
    """An Excel date, a date serial number, or text such as 2014-07-15 / 2014年7月15日."""
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if 19000101 <= raw <= 29991231 and float(raw).is_integer():  # 20140715
            digits = str(int(raw))
            return datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        if 1 <= raw < 2958466:
            from openpyxl.utils.datetime import from_excel

            return from_excel(raw).date()
        raise ValueError
    match = _DATE_TEXT.match(unicodedata.normalize("NFKC", text(raw)))
    if not match:
        raise ValueError
    return datetime.date(*(int(g) for g in match.groups()))


class _Reader:
    """Checks the rows of one file; the database is only read, in bulk."""

    def __init__(self, campaign: Campaign, actor, progress: Progress | None) -> None:
        self.campaign = campaign
        self.actor = actor
        self.progress = progress
        self.errors = ErrorList()
        self.rows: list[_Row] = []
        types = _campaign_types(campaign)
        self.titles = sheet_titles(types)
        self.by_key = {t.key: t for t in types}
        self.units = dict(importable_units(actor, campaign).values_list("code", "pk"))

    def error(self, ref: RowRef, key: str | None, message: str) -> None:
        self.errors.add(message, layout=ref.layout, row=ref.number, key=key)

    def read(self, file: IO[bytes]) -> None:
        too_many = _(
            "The file has more than %(limit)s activities; split it into several files."
        ) % {"limit": ROW_LIMIT}
        with WorkbookReader(
            file, limit=ROW_LIMIT, too_many=too_many, progress=self.progress
        ) as book:
            sheets: list[tuple[SheetLayout, ActivityType, Any]] = []
            for index, ws in enumerate(book.worksheets):
                title = ws.title.strip()
                if title == HELP_SHEET:
                    continue
                type_ = self.titles.get(title) or self.by_key.get(title)
                if type_ is None:
                    self._unknown_sheet(SheetLayout((), ws.title, index), ws)
                    continue
                sheets.append((SheetLayout(type_columns(type_), ws.title, index), type_, ws))
            book.expect(ws for _layout, _type, ws in sheets)
            for layout, type_, ws in sheets:
                try:
                    for row in book.rows(ws, layout, anchors=_ANCHORS):
                        self.rows.append(self._check_row(layout, type_, row))
                except HeaderNotFound as exc:
                    self.errors.reject(exc, layout)
            book.finish()
        if not self.rows and not self.errors:
            raise Rejected(
                _(
                    "The file has no activities in it: fill in rows below the "
                    "header row of the sheet of each activity type."
                )
            )

    def _unknown_sheet(self, layout: SheetLayout, ws) -> None:
        """A sheet named after no type: a problem unless it is empty."""
        for values in ws.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True):
            if any(v not in (None, "") for v in values):
                self.errors.add(
                    _(
                        "This sheet is not one of the campaign's activity types "
                        "(%(types)s); rename it after its type, or delete it."
                    )
                    % {"types": "、".join(self.titles)},
                    layout=layout,
                )
                return

    def _check_row(self, layout: SheetLayout, type_: ActivityType, sheet_row: SheetRow) -> _Row:
        ref = RowRef(layout, sheet_row.number)
        raw = sheet_row.values
        row = _Row(ref=ref, type_id=type_.pk)
        texts: dict[str, str] = {}
        for key in ("title", "place", "address", "description"):
            texts[key] = text(raw.get(key))
            limit = layout.column(key).max_length
            if limit and len(texts[key]) > limit:
                self.error(
                    ref,
                    key,
                    _("At most %(limit)s characters, not %(length)s.")
                    % {"limit": limit, "length": len(texts[key])},
                )
        row.title, row.place = texts["title"], texts["place"]
        row.address, row.description = texts["address"], texts["description"]
        if not row.title:
            self.error(ref, "title", _("Fill in the title."))
        if not row.place:
            self.error(ref, "place", _("Fill in the place."))

        unit_code = code(text(raw.get("unit_code")))
        if not unit_code:
            self.error(ref, "unit_code", _("Fill in the unit code."))
        else:
            row.unit_id = self.units.get(unit_code)
            if row.unit_id is None:
                # the same words whether the code exists elsewhere or not at all
                self.error(
                    ref,
                    "unit_code",
                    _("The unit code %(code)s does not exist or is outside your area.")
                    % {"code": unit_code},
                )

        for key in ("start_date", "end_date"):
            value = raw.get(key)
            if value is None or (isinstance(value, str) and not value.strip()):
                if key == "start_date":
                    self.error(ref, key, _("Fill in the start date."))
                continue
            try:
                parsed = _parse_date(value)
            except (ValueError, OverflowError):
                self.error(
                    ref,
                    key,
                    _("“%(value)s” is not a date: write it as 2014-07-15.")
                    % {"value": text(value)[:40]},
                )
                continue
            if key == "start_date":
                row.start = parsed
            else:
                row.end = parsed
        campaign = self.campaign
        if row.start and not (campaign.start <= row.start <= campaign.end):
            self.error(
                ref,
                "start_date",
                _("The date must fall within the campaign, %(start)s to %(end)s.")
                % {"start": campaign.start, "end": campaign.end},
            )
        if row.start and row.end and row.end < row.start:
            self.error(ref, "end_date", _("The end date cannot be before the start date."))

        mobiles: list[str] = []
        for item in _PARTICIPANT_SEPARATORS.split(
            unicodedata.normalize("NFKC", text(raw.get("participants")))
        ):
            item = item.strip()
            if not item:
                continue
            found = _MOBILE_IN.findall(re.sub(r"(?<=\d)[\s-]+(?=\d)", "", item))
            if len(found) != 1:
                self.error(
                    ref,
                    "participants",
                    _("“%(value)s” is not a mobile number: 11 digits starting with 1.")
                    % {"value": item[:40]},
                )
                continue
            mobiles.append(found[0])
        row.mobiles = tuple(dict.fromkeys(mobiles))

        for column in layout.columns[len(BASE_COLUMNS) :]:
            metric = column.source
            try:
                number_value, metric_text = parse_metric(metric, text(raw.get(column.key)))
                check_required(metric, number_value, metric_text)
            except ValidationError as exc:
                for message in exc.messages:
                    self.error(ref, column.key, message)
                continue
            if number_value is not None or metric_text:
                row.values.append((metric.pk, number_value, metric_text))

        if row.unit_id and row.start and row.place:
            row.key = duplicate_key(row.unit_id, row.type_id, row.start, row.place)
        return row

    def check_people(self) -> None:
        """Participants by mobile, among the people of the importer's units."""
        mobiles = sorted({m for r in self.rows for m in r.mobiles})
        people: dict[str, int] = {}
        managed = people_managed_by(self.actor)
        for chunk in chunks(mobiles):
            people.update(managed.filter(mobile__in=chunk).values_list("mobile", "pk"))
        for row in self.rows:
            for mobile in row.mobiles:
                pk = people.get(mobile)
                if pk is None:
                    # the same words whether the number belongs to someone elsewhere or not
                    self.error(
                        row.ref,
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
        """The same activity twice in the file, or already recorded (looked for again,
        under locks, when the rows are written)."""
        seen: dict[str, list[_Row]] = defaultdict(list)
        for row in self.rows:
            if row.key:
                seen[row.key].append(row)
        for same in seen.values():
            for row in same if len(same) > 1 else ():
                self.error(
                    row.ref,
                    None,
                    _(
                        "The same activity (unit, type, start date and place) is also in row "
                        "%(rows)s."
                    )
                    % {"rows": row_list(r.ref.number for r in same if r is not row)},
                )
        for key, title in existing_duplicates(seen):
            for row in seen[key]:
                self.error(row.ref, None, already_recorded(title))

    def check_submittable(self) -> None:
        """An import to submit: no row dated after today (checked again when written)."""
        for row in self.rows:
            if row.start and (refusal := future_row_refusal(row.start)):
                self.error(row.ref, "start_date", refusal)


def _campaign(job: ImportJob) -> Campaign:
    return Campaign.objects.get(pk=job.options["campaign"])


def check_job(job: ImportJob, file: IO[bytes], progress: Progress) -> Checked:
    """Every row of the job's workbook checked, nothing written: the rows for
    `create_activities`, or every problem (each {sheet, row, column, message})."""
    reader = _Reader(_campaign(job), job.created_by, progress)
    try:
        reader.read(file)
    except Rejected as exc:
        errors = ErrorList()
        errors.reject(exc)
        return Checked([], errors)
    reader.check_people()
    reader.check_duplicates()
    if job.options.get("submit"):
        reader.check_submittable()
    rows = [] if reader.errors else [row.activity() for row in reader.rows]
    return Checked(rows, reader.errors)


def write_job(job: ImportJob, rows: list[ActivityRow]) -> Written:
    submit = bool(job.options.get("submit"))
    created = create_activities(job.created_by, _campaign(job), rows, job=job, submit=submit)
    message = ngettext(
        "Imported %(count)s activity.", "Imported %(count)s activities.", created
    ) % {"count": created}
    return Written(created=created, message=message)
