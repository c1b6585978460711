"""Spreadsheets (.xlsx) in one place: what every import and export of wenyi shares.

- **Columns** (`Column`): key, header, whether required (its title then ends with `*`),
  width, aliases the import also accepts, maximum length, whether Excel must keep it as
  text (codes and mobile numbers: no leading zeros lost, no 1.39E+10), and its help.
- **Templates**: `write_header` gives a data sheet its header row in the shared style
  (bold, filled, required columns in another colour, widths, text columns, the header
  frozen); `add_validation` a drop-down or range check; `HelpSheet` the 说明 sheet —
  notes, one row per column (required or not, explanation) and lookup tables such as
  the unit codes one may use.
- **Reading**: `open_workbook` checks by content that an upload really is an .xlsx (a
  ZIP holding the workbook part, not too large unpacked) and opens it read-only, so a
  file of 20,000 rows is streamed, never held whole. `WorkbookReader.rows` finds the
  header row among the first rows by title or alias, in any order, refuses a sheet
  without its required columns, yields each non-blank row with its Excel row number,
  stops at the row limit and reports progress.
- **Problems**: `ErrorList` collects every problem as (sheet, row, column, message) and
  `SheetError` says it in the UI language: 第 5 行“手机号”列：…

Sheet names and headers are fixed Chinese text whatever the UI language — the
spreadsheet is a file format, so a file filled in by anyone imports anywhere. Messages
and help text are gettext'd. Everything written goes through `wenyi.core.xlsx.save()`
(or `xlsx.cell()` on write-only sheets), which keeps typed text from becoming formulas.
"""

import datetime
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HELP_SHEET = "说明"
TEXT_FORMAT = "@"  # Excel's "text" number format
HEADER_SEARCH_ROWS = 10  # the header row may sit below a title row or two
# A 20 MB upload can inflate to gigabytes of XML (a "zip bomb"); real files of the
# largest row limit (20,000 activities) are a few tens of MB unpacked.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_LISTED_ERRORS = 1000  # a file of garbage must not fill memory or the job row
PROGRESS_EVERY = 500  # rows between two progress reports
CHUNK = 500  # ids per `__in` query, well below every database's parameter limit

HEADER_FILL = "DDEBF7"
REQUIRED_FILL = "FCE4D6"

Progress = Callable[[int, int], None]  # (rows done, rows in all; 0: not known)


# -- columns ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    width: int = 14  # Chinese characters are about two Latin widths wide
    max_length: int | None = None
    aliases: tuple[str, ...] = ()
    text: bool = False  # Excel keeps the column as text (codes, mobile numbers)
    help: str = ""  # the explanation on the 说明 sheet
    source: Any = None  # what the column stands for, for the app's own checks (a metric)

    @property
    def title(self) -> str:
        """The header as written in the file: required columns end with `*`."""
        return f"{self.header}*" if self.required else self.header


def with_help(columns: Iterable[Column], helps: Mapping[str, str]) -> tuple[Column, ...]:
    """The columns with their explanations for the 说明 sheet (column key → text)."""
    return tuple(replace(c, help=helps.get(c.key, c.help)) for c in columns)


@dataclass
class SheetLayout:
    """The columns one kind of sheet has, and where its problems are listed."""

    columns: Sequence[Column]
    title: str = ""  # the sheet's name in problems; "" for a file of one sheet
    index: int = 0  # the sheet's place in the workbook: problems are listed in this order

    def __post_init__(self) -> None:
        self._positions = {c.key: i for i, c in enumerate(self.columns)}

    def column(self, key: str) -> Column:
        return self.columns[self._positions[key]]

    def position(self, key: str) -> int:
        return self._positions[key]

    @property
    def required_titles(self) -> str:
        return "、".join(c.title for c in self.columns if c.required)


# -- problems ------------------------------------------------------------------------------


class Rejected(Exception):
    """The upload (or one sheet of it) cannot be read as a whole; the message says why."""


class HeaderNotFound(Rejected):
    """A sheet has no header row with its required columns."""


@dataclass(frozen=True)
class SheetError:
    """One problem: the sheet ("" for a file of one sheet), the Excel row number (None:
    the sheet or file as a whole), the column's header ("": the whole row) and why."""

    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        parts = self.as_dict()
        if self.row is None:
            return _("Sheet %(sheet)s: %(message)s") % parts if self.sheet else self.message
        if self.sheet:
            if not self.column:
                return _("Sheet %(sheet)s, row %(row)s: %(message)s") % parts
            return _("Sheet %(sheet)s, row %(row)s, column %(column)s: %(message)s") % parts
        if not self.column:
            return _("Row %(row)s: %(message)s") % parts
        return _("Row %(row)s, column %(column)s: %(message)s") % parts

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SheetError":
        return cls(
            data.get("sheet") or "", data.get("row"), data.get("column") or "", data["message"]
        )


class ErrorList:
    """Every problem of a file, listed by sheet, row and column.

    Only the first `limit` are kept; the rest are counted, and `listed()` ends with a
    line saying how many more there are.
    """

    def __init__(self, limit: int = MAX_LISTED_ERRORS) -> None:
        self.limit = limit
        self.count = 0
        self._items: list[tuple[tuple[int, int, int], SheetError]] = []

    def add(
        self,
        message: str,
        *,
        layout: SheetLayout | None = None,
        row: int | None = None,
        key: str | None = None,
    ) -> None:
        """A problem of a cell (`key` a column of `layout`), a row (no key), a sheet (no
        row) or the whole file (no layout)."""
        self.count += 1
        if len(self._items) >= self.limit:
            return
        column = layout.column(key).header if layout is not None and key else ""
        order = (
            layout.index if layout is not None else -1,
            row or 0,
            layout.position(key) if layout is not None and key else -1,
        )
        self._items.append(
            (order, SheetError(layout.title if layout else "", row, column, message))
        )

    def reject(self, exc: Rejected, layout: SheetLayout | None = None) -> None:
        """The file (or with `layout`, that sheet) cannot be read."""
        self.add(str(exc), layout=layout)

    def __bool__(self) -> bool:
        return self.count > 0

    def __len__(self) -> int:
        return self.count

    def listed(self) -> list[SheetError]:
        """The kept problems in sheet, row and column order (the order found within a
        cell), then how many more there are."""
        listed = [error for _order, error in sorted(self._items, key=lambda item: item[0])]
        if self.count > len(listed):
            more = self.count - len(listed)
            message = ngettext(
                "%(count)s more problem is not listed.",
                "%(count)s more problems are not listed.",
                more,
            ) % {"count": more}
            listed.append(SheetError("", None, "", message))
        return listed

    def as_dicts(self) -> list[dict[str, Any]]:
        return [error.as_dict() for error in self.listed()]


# -- cell text ----------------------------------------------------------------------------


def text(value: Any) -> str:
    """A cell's value as the text it shows: numbers typed for codes lose their `.0`,
    dates become ISO dates, invisible characters and outer spaces go."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a mobile or code typed as a number: 13912345678.0
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).replace("\u200b", "").replace("\ufeff", "").strip()


def code(value: str) -> str:
    """Codes and numbers: full-width digits to ASCII, no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not text(value))


def row_list(numbers: Iterable[int]) -> str:
    """Row numbers for a message: 3、7、12."""
    return "、".join(str(n) for n in numbers)


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# -- opening an upload ------------------------------------------------------------------


def not_xlsx() -> Rejected:
    return Rejected(
        _(
            "The file is not an Excel .xlsx workbook. If it is an .xls or .et file or "
            "password-protected, open it in Excel or WPS and save it as an unprotected .xlsx "
            "file; or download the template and fill it in."
        )
    )


def open_workbook(file: IO[bytes]):
    """The upload as a read-only openpyxl workbook, or `Rejected`. Decided by content,
    not by name: a renamed .xls, .docx or text file is refused, and so is a workbook
    that would unpack to more than MAX_UNPACKED_BYTES."""
    from openpyxl import load_workbook

    try:
        file.seek(0)
        if not zipfile.is_zipfile(file):
            raise not_xlsx()
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (OSError, zipfile.BadZipFile, EOFError):
        raise not_xlsx() from None
    if "xl/workbook.xml" not in names:  # a .docx, .zip, … renamed to .xlsx
        raise not_xlsx()
    if unpacked > MAX_UNPACKED_BYTES:
        raise Rejected(_("The workbook is too large once unpacked; split it into several files."))
    file.seek(0)
    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged workbook
        raise not_xlsx() from None
    if not wb.worksheets:
        wb.close()
        raise not_xlsx()
    return wb


def check_xlsx(file: IO[bytes]) -> None:
    """Raise ValidationError unless `file` is an .xlsx workbook we can read (for upload
    forms: the same check by content the import makes)."""
    try:
        wb = open_workbook(file)
    except Rejected as exc:
        raise ValidationError(str(exc)) from None
    wb.close()
    file.seek(0)


# -- the header row -----------------------------------------------------------------------


def _exact_key(value: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text(value))).strip("*").lower()


def _stem_key(value: Any) -> str:
    stem = re.split(r"[(\[]", unicodedata.normalize("NFKC", text(value)), maxsplit=1)[0]
    return re.sub(r"\s+", "", stem).strip("*").lower()


def match_headers(
    columns: Sequence[Column], values: Sequence[Any]
) -> tuple[dict[str, int], list[str]]:
    """{column key: 0-based index} for one candidate header row, and the headers found
    twice.

    A cell names a column by its title, header or an alias, ignoring spaces, width, case
    and a `*`; failing that, by the text before a bracket — 姓名（必填） is 姓名 — when
    only one column has that stem: 参与文艺工作者（人） (a metric) and
    参与文艺工作者（手机号，…） (the people) share one.
    """
    exact: dict[str, str] = {}
    stems: dict[str, set[str]] = {}
    for column in columns:
        for name in (column.title, column.header, *column.aliases):
            exact.setdefault(_exact_key(name), column.key)
            stems.setdefault(_stem_key(name), set()).add(column.key)
    headers = {c.key: c.header for c in columns}
    positions: dict[str, int] = {}
    twice: list[str] = []
    for index, value in enumerate(values):
        if value is None:
            continue
        key = exact.get(_exact_key(value))
        if key is None:
            found = stems.get(_stem_key(value), set())
            key = next(iter(found)) if len(found) == 1 else None
        if key is None:
            continue
        if key in positions:
            twice.append(headers[key])
        positions[key] = index
    return positions, twice


@dataclass(frozen=True)
class Header:
    row: int  # the header's Excel row number
    positions: dict[str, int]  # column key → 0-based index, for the columns the sheet has


def find_header(ws, layout: SheetLayout, *, anchors: Iterable[str] | None = None) -> Header:
    """The header row among the sheet's first HEADER_SEARCH_ROWS rows: the first that
    names every column in `anchors` (default: the required ones). Raises HeaderNotFound
    when there is none, a column is named twice, or a required column is missing."""
    wanted = set(anchors if anchors is not None else (c.key for c in layout.columns if c.required))
    for number, values in enumerate(
        ws.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS, values_only=True), start=1
    ):
        positions, twice = match_headers(layout.columns, values)
        if not wanted <= positions.keys():
            continue
        if twice:
            raise HeaderNotFound(
                _("The header row has the column %(columns)s more than once.")
                % {"columns": "、".join(twice)}
            )
        missing = [c.title for c in layout.columns if c.required and c.key not in positions]
        if missing:
            raise HeaderNotFound(
                _(
                    "The required column %(columns)s is missing; download the template and "
                    "fill it in."
                )
                % {"columns": "、".join(missing)}
            )
        return Header(number, positions)
    raise HeaderNotFound(
        _(
            "No header row with the columns %(columns)s was found; download the template and "
            "fill it in."
        )
        % {"columns": layout.required_titles}
    )


# -- reading the rows ----------------------------------------------------------------------

_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="(\d+)"')
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")


def estimate_rows(ws) -> int:
    """The sheet's number of rows, for a progress bar: its stored size if the writer
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


@dataclass(frozen=True, slots=True)
class SheetRow:
    number: int  # the Excel row number
    values: dict[str, Any]  # column key → the cell's value, for the columns the sheet has

    def text(self, key: str) -> str:
        return text(self.values.get(key))


class WorkbookReader:
    """Reads an uploaded workbook once, top to bottom, counting rows for the progress.

        with WorkbookReader(file, limit=5000, too_many=…, progress=report) as book:
            book.expect(book.worksheets[:1])
            for row in book.rows(book.worksheets[0], layout):
                …
            book.finish()

    `limit` counts the non-blank rows of every sheet read; one more raises `Rejected`
    with the message `too_many`. `progress(done, total)` is called at the start, every
    PROGRESS_EVERY rows and at `finish()`; total 0 means the file did not say.
    """

    def __init__(
        self,
        file: IO[bytes],
        *,
        limit: int,
        too_many: str,
        progress: Progress | None = None,
    ) -> None:
        self.file = file
        self.limit = limit
        self.too_many = too_many
        self.progress = progress
        self.scanned = 0  # rows read, blank ones included
        self.kept = 0  # non-blank rows yielded
        self.total = 0
        self.book = None

    def __enter__(self) -> "WorkbookReader":
        self.book = open_workbook(self.file)
        return self

    def __exit__(self, *exc_info) -> None:
        self.book.close()

    @property
    def worksheets(self) -> list:
        return list(self.book.worksheets)

    def _report(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(done, total)

    def expect(self, worksheets: Iterable) -> None:
        """Add the rows these sheets hold (less a header row each) to the total, before
        reading any of them, and report none done yet."""
        self.total += sum(max(estimate_rows(ws) - 1, 0) for ws in worksheets)
        self._report(0, self.total)

    def rows(
        self, ws, layout: SheetLayout, *, anchors: Iterable[str] | None = None
    ) -> Iterator[SheetRow]:
        """The sheet's non-blank rows below its header (see `find_header`, which raises
        HeaderNotFound before the first row)."""
        # some writers store a wrong sheet size, which would cut rows and columns short
        ws.reset_dimensions()
        header = find_header(ws, layout, anchors=anchors)
        items = list(header.positions.items())
        width = max(header.positions.values()) + 1
        first = header.row + 1
        for number, cells in enumerate(
            ws.iter_rows(min_row=first, max_col=width, values_only=True), start=first
        ):
            self.scanned += 1
            if self.scanned % PROGRESS_EVERY == 0:
                self._report(self.scanned, self.total if self.total >= self.scanned else 0)
            size = len(cells)
            values = {key: cells[index] for key, index in items if index < size}
            if all(is_blank(v) for v in values.values()):
                continue
            if self.kept >= self.limit:
                raise Rejected(self.too_many)
            self.kept += 1
            yield SheetRow(number, values)

    def finish(self) -> None:
        """Every row is read: the total is now known."""
        self.total = self.scanned
        self._report(self.scanned, self.total)


def read_first_sheet(
    file: IO[bytes],
    layout: SheetLayout,
    *,
    limit: int,
    too_many: str,
    empty: str,
    progress: Progress | None = None,
) -> list[SheetRow]:
    """The non-blank rows of a workbook's first sheet (people, units): `too_many` when
    there are more than `limit`, `empty` when there are none, both as `Rejected`."""
    with WorkbookReader(file, limit=limit, too_many=too_many, progress=progress) as book:
        ws = book.worksheets[0]
        book.expect([ws])
        rows = list(book.rows(ws, layout))
        book.finish()
    if not rows:
        raise Rejected(empty)
    return rows


# -- writing: the look ----------------------------------------------------------------------


def header_font():
    from openpyxl.styles import Font

    return Font(bold=True)


def header_fill(required: bool = False):
    from openpyxl.styles import PatternFill

    return PatternFill("solid", fgColor=REQUIRED_FILL if required else HEADER_FILL)


def _style_header(cell, column: Column) -> None:
    from openpyxl.styles import Alignment

    cell.font = header_font()
    cell.fill = header_fill(column.required)
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def write_header(ws, columns: Sequence[Column]) -> None:
    """Row 1 of a data sheet: the column titles in the shared style, the widths, Excel's
    text format for text columns, and the header frozen. On a write-only sheet call it
    before writing any other row."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(columns, start=1):
        dimension = ws.column_dimensions[get_column_letter(index)]
        dimension.width = column.width
        if column.text:
            dimension.number_format = TEXT_FORMAT
    ws.freeze_panes = "A2"
    if ws.parent.write_only:
        cells = []
        for column in columns:
            cell = WriteOnlyCell(ws, value=column.title)
            _style_header(cell, column)
            cells.append(cell)
        ws.append(cells)
        return
    ws.append([c.title for c in columns])
    for index, column in enumerate(columns, start=1):
        _style_header(ws.cell(row=1, column=index), column)


def list_formula(choices: Sequence[str]) -> str | None:
    """An inline list for a drop-down, or None when Excel cannot hold it inline (a comma
    or quote in a choice, or longer than 255 characters)."""
    if any("," in c or '"' in c for c in choices):
        return None
    formula = '"{}"'.format(",".join(choices))
    return formula if len(formula) <= 255 else None


def add_validation(
    ws, position: int, validation, *, last_row: int, title: str, warning: bool = False
) -> None:
    """Check the data cells (row 2 to `last_row`) of the column at `position` (0-based)
    with an openpyxl DataValidation; blanks allowed. `warning`: Excel warns and lets the
    value stand (the import checks every value anyway) instead of refusing it."""
    from openpyxl.utils import get_column_letter

    letter = get_column_letter(position + 1)
    validation.allow_blank = True
    validation.showErrorMessage = True
    validation.errorTitle = title
    if warning:
        validation.errorStyle = "warning"
    ws.add_data_validation(validation)
    validation.add(f"{letter}2:{letter}{last_row}")


class HelpSheet:
    """The 说明 sheet of a template: how to fill in the file, each column, and lookup
    tables (the unit codes one may use, the options of a list).

        help_sheet = HelpSheet(wb, notes)
        help_sheet.columns(COLUMNS)
        help_sheet.unit_codes((u.code, u.name) for u in units)
    """

    def __init__(
        self, wb, notes: Iterable[str], *, widths: tuple[int, int, int] = (18, 40, 70)
    ) -> None:
        from openpyxl.styles import Alignment, Font

        self.ws = ws = wb.create_sheet(HELP_SHEET)
        self._wrap = Alignment(wrap_text=True, vertical="top")
        for letter, width in zip("ABC", widths, strict=True):
            ws.column_dimensions[letter].width = width
        ws.append([_("How to fill in this file")])
        ws["A1"].font = Font(bold=True, size=13)
        for note in notes:
            ws.append(["", note])
            ws.cell(row=ws.max_row, column=2).alignment = self._wrap
            ws.merge_cells(start_row=ws.max_row, start_column=2, end_row=ws.max_row, end_column=3)

    def heading(self, *values: str) -> None:
        """A row in bold."""
        self.ws.append(list(values))
        for cell in self.ws[self.ws.max_row]:
            cell.font = header_font()

    def section(self, title: str) -> None:
        """A blank row, then the section's title in bold."""
        self.ws.append([])
        self.heading(title)

    def row(self, values: Sequence[Any], *, text_column: int | None = None) -> int:
        """One plain row (`text_column`, 0-based, kept as text); its row number."""
        self.ws.append(list(values))
        if text_column is not None:
            self.ws.cell(row=self.ws.max_row, column=text_column + 1).number_format = TEXT_FORMAT
        return self.ws.max_row

    def columns(self, columns: Iterable[Column], *, title: str | None = None) -> None:
        """One row per column — its title, whether required, its help — under `title`,
        or, without one, under the heading Column / Required / Explanation."""
        self.ws.append([])
        if title is None:
            self.heading(_("Column"), _("Required"), _("Explanation"))
        else:
            self.heading(title)
        for column in columns:
            required = _("yes") if column.required else _("no")
            self.ws.append([column.title, required, str(column.help)])
            self.ws.cell(row=self.ws.max_row, column=3).alignment = self._wrap

    def reference(self, column: str, first: int, last: int) -> str | None:
        """The cells first…last of a column of this sheet, for a drop-down on another
        sheet (None when the range is empty)."""
        from openpyxl.utils import quote_sheetname

        if last < first:
            return None
        return f"{quote_sheetname(HELP_SHEET)}!${column}${first}:${column}${last}"

    def unit_codes(self, units: Iterable[tuple[str, str]]) -> str | None:
        """The table of (unit code, unit name) one may use; the reference of its codes."""
        self.section(_("Unit codes you may use"))
        self.heading(_("Unit code"), _("Unit name"))
        first = self.ws.max_row + 1
        for unit_code, name in units:
            self.row([unit_code, name], text_column=0)
        return self.reference("A", first, self.ws.max_row)
