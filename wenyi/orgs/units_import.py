"""The unit tree as .xlsx: the import template, the export, and reading an upload (the
spreadsheet parts: wenyi.core.sheets).

The spreadsheet is a file format, not UI: its sheet name, its headers and the kinds'
names (省, 市, 县, 区, 开发区, 企业, …) are fixed Chinese text whatever the UI language,
so a file filled in by anyone imports anywhere. Messages and help text are gettext'd.

Rules (also written on the template's 说明 sheet):

- one unit per row: 代码, 名称, 类别 and 上级代码 (the parent's code); 简称, 地址 and
  电话 may be left out; columns in any order;
- rows in any order: a parent is found by its code, in the file or among the units
  already in the importer's area;
- a unit is recognised by its code: a new code adds a unit, a known one takes the
  row's name and kind (and the optional values written), and a different parent code
  moves it with everything below it; so exporting, editing and importing works, and
  importing the same file twice changes nothing;
- a blank 上级代码 leaves a known unit where it is; for a new one it starts a tree,
  which only a superuser or the command line may do;
- every row is checked and every problem reported (row, column, message); if there is
  any, nothing is imported.

This module reads and checks; `wenyi.orgs.units_bulk.import_units` saves, in one
transaction with the audit entries. An upload runs as a background job
(`wenyi.core.imports`, kind "units"); `import_file` does the same in this process
(`wenyi import-units`).
"""

import os
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import IO

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wenyi.core import xlsx
from wenyi.core.imports import Checked, RowRef, Written, add_problems, write_checked
from wenyi.core.models import ImportJob
from wenyi.core.sheets import (
    TEXT_FORMAT,
    Column,
    ErrorList,
    HelpSheet,
    Progress,
    Rejected,
    SheetError,
    SheetLayout,
    SheetRow,
    add_validation,
    chunks,
    code,
    list_formula,
    read_first_sheet,
    with_help,
    write_header,
)
from wenyi.orgs.models import OrgUnit
from wenyi.orgs.units_bulk import (
    KIND_LABELS,
    KIND_NAMES,
    UnitRow,
    UnitsImported,
    import_units,
    plan_units,
)

ROW_LIMIT = 5000
DATA_SHEET = "单位"

_HELP = {
    "code": gettext_lazy(
        "Required. The unit's code, unique in the whole system (for example the "
        "administrative division code 371300). Letters, digits, - and _ only. A known "
        "code changes that unit; a new one adds a unit."
    ),
    "name": gettext_lazy("Required. The unit's full name."),
    "kind": gettext_lazy("Required. One of 全国、省、市、县、区、开发区、企业、其他."),
    "parent_code": gettext_lazy(
        "The code of the unit directly above: a unit in this file (rows may come in any "
        "order) or one of the codes listed below. A different code moves a known unit "
        "with everything below it. Blank: a known unit stays where it is; a new one "
        "starts a new tree (a superuser or the command line only)."
    ),
    "short_name": gettext_lazy("Short name; may be left blank."),
    "address": gettext_lazy("Address; may be left blank."),
    "phone": gettext_lazy("Phone; may be left blank."),
}
COLUMNS: tuple[Column, ...] = with_help(
    (
        Column(
            "code", "代码", required=True, width=14, text=True, aliases=("单位代码", "单位编码")
        ),
        Column("name", "名称", required=True, width=28, aliases=("单位名称",)),
        Column("kind", "类别", required=True, width=10, aliases=("类型", "单位类别")),
        Column(
            "parent_code",
            "上级代码",
            width=14,
            text=True,
            aliases=("上级单位代码", "上级编码", "上级单位编码"),
        ),
        Column("short_name", "简称", width=14),
        Column("address", "地址", width=30),
        Column("phone", "电话", width=16, text=True, aliases=("联系电话",)),
    ),
    _HELP,
)
LAYOUT = SheetLayout(COLUMNS)


def _general_notes() -> list[str]:
    return [
        _("Fill in one unit per row on the sheet 单位, starting below the header row."),
        _(
            "Do not rename the headers. Columns may be reordered, and columns not marked "
            "with * may be deleted."
        ),
        _("Blank rows are skipped. At most %(limit)s units per file.") % {"limit": ROW_LIMIT},
        _(
            "Rows may come in any order: a unit's parent is found by its code, in this file "
            "or among the units already in your area."
        ),
        _(
            "If any row has a problem, nothing is imported: every problem is listed with its "
            "row and column, fix them and upload the file again."
        ),
        _(
            "Units already in the system are recognised by their code and updated; "
            "importing the same file again changes nothing. A blank 简称, 地址 or 电话 "
            "keeps what is stored."
        ),
        _(
            "Retired units are not listed and cannot be imported; restore them on the "
            "units page first."
        ),
    ]


@dataclass
class ImportResult(UnitsImported):
    """The counts of an import (or, with `dry_run`, of what it would do), or every
    problem (nothing imported)."""

    errors: list[SheetError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# -- the template and the export ----------------------------------------------


def _data_sheet(wb, rows: Iterable[list[str]], *, dropdown_rows: int) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    ws = wb.active
    ws.title = DATA_SHEET
    write_header(ws, COLUMNS)
    for values in rows:
        ws.append(values)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.number_format = TEXT_FORMAT
    last = max(ws.max_row, 1) + dropdown_rows
    validation = DataValidation(
        type="list",
        formula1=list_formula(list(KIND_LABELS)),
        error=_("Choose a value from the list."),
    )
    add_validation(
        ws, LAYOUT.position("kind"), validation, last_row=last, title=LAYOUT.column("kind").header
    )


def build_template(parents: Iterable[OrgUnit]) -> bytes:
    """An empty import file whose 说明 sheet lists the codes of `parents` (the units
    new ones may go below)."""
    from openpyxl import Workbook

    wb = Workbook()
    _data_sheet(wb, [], dropdown_rows=ROW_LIMIT)
    help_sheet = HelpSheet(wb, _general_notes(), widths=(18, 40, 70))
    help_sheet.columns(COLUMNS)
    help_sheet.unit_codes((unit.code, unit.name) for unit in parents)
    return xlsx.save(wb)


def units_to_xlsx(units: QuerySet[OrgUnit]) -> bytes:
    """The units in tree order in the import format, so export → edit → import works
    (and importing the export unchanged changes nothing). The first unit's 上级代码 is
    its parent's, which may lie outside the list."""
    from openpyxl import Workbook

    listed = list(
        units.order_by("path").only(
            "code", "name", "kind", "path", "depth", "short_name", "address", "phone"
        )
    )
    step = OrgUnit.steplen
    code_at = {u.path: u.code for u in listed}
    missing = sorted({u.path[:-step] for u in listed if u.depth > 1} - code_at.keys())
    for chunk in chunks(missing):
        code_at.update(OrgUnit.objects.filter(path__in=chunk).values_list("path", "code"))

    def rows() -> Iterator[list[str]]:
        for u in listed:
            yield [
                u.code,
                u.name,
                KIND_NAMES.get(u.kind, u.kind),
                code_at.get(u.path[:-step], "") if u.depth > 1 else "",
                u.short_name,
                u.address,
                u.phone,
            ]

    wb = Workbook()
    _data_sheet(wb, rows(), dropdown_rows=200)
    return xlsx.save(wb)


# -- reading and checking a file -------------------------------------------------------


def _read(file: IO[bytes], progress: Progress | None) -> list[SheetRow]:
    too_many = _("The file has more than %(limit)s units; split it into several files.") % {
        "limit": ROW_LIMIT
    }
    empty = _("The file has no units in it: fill in rows below the header row.")
    return read_first_sheet(
        file, LAYOUT, limit=ROW_LIMIT, too_many=too_many, empty=empty, progress=progress
    )


def kind_value(text: str) -> str:
    """A kind as written in the file — 省, or the value province — as its value; what is
    no kind comes back as written, for the check to name."""
    text = unicodedata.normalize("NFKC", text).strip()
    if text in KIND_LABELS:
        return KIND_LABELS[text]
    if text.lower() in KIND_NAMES:
        return text.lower()
    return text


def _unit_row(row: SheetRow) -> UnitRow:
    v = {key: row.text(key) for key in row.values}
    return UnitRow(
        code=code(v.get("code", "")),
        name=v.get("name", ""),
        kind=kind_value(v.get("kind", "")),
        parent_code=code(v.get("parent_code", "")),
        short_name=v.get("short_name", ""),
        address=v.get("address", ""),
        phone=v.get("phone", ""),
        ref=RowRef(LAYOUT, row.number),
    )


def check_file(file: IO[bytes], *, actor, progress: Progress | None = None) -> Checked:
    """Read and check every row of an uploaded .xlsx, saving nothing: the rows for
    `import_units`, or every problem (the file's, and each row's)."""
    errors = ErrorList()
    try:
        sheet_rows = _read(file, progress)
    except Rejected as exc:
        errors.reject(exc)
        return Checked([], errors)
    rows = [_unit_row(row) for row in sheet_rows]
    add_problems(errors, plan_units(actor, rows).problems)
    return Checked(rows, errors)


def import_file(
    file: IO[bytes] | str | os.PathLike[str],
    *,
    actor,
    progress: Progress | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Check every row of an .xlsx and, only if all are good (and not `dry_run`), import
    them all, in this process. `actor` None imports as the system (every unit, and new
    trees). Returns the counts, or every problem with nothing saved."""
    if isinstance(file, str | os.PathLike):
        with open(file, "rb") as handle:
            return import_file(handle, actor=actor, progress=progress, dry_run=dry_run)
    checked = check_file(file, actor=actor, progress=progress)
    if dry_run:
        if checked.errors:
            return ImportResult(errors=checked.errors.listed())
        return ImportResult(**asdict(plan_units(actor, checked.rows).counts()))
    saved = write_checked(checked, lambda rows: import_units(actor, rows))
    if saved is None:
        return ImportResult(errors=checked.errors.listed())
    return ImportResult(**asdict(saved))


# -- as a background job (registered in OrgsConfig.ready) ------------------------------------


def check_job(job: ImportJob, file: IO[bytes], progress: Progress) -> Checked:
    return check_file(file, actor=job.created_by, progress=progress)


def write_job(job: ImportJob, rows: list[UnitRow]) -> Written:
    saved = import_units(job.created_by, rows)
    return Written(created=saved.created, updated=saved.changed, message=done_message(saved))


def done_message(saved: UnitsImported, *, dry_run: bool = False) -> str:
    values = {
        "created": saved.created,
        "changed": saved.changed,
        "moved": saved.moved,
        "unchanged": saved.unchanged,
    }
    if dry_run:
        return (
            _(
                "The file is good; importing it would add %(created)s units and change "
                "%(changed)s (%(moved)s of them moved); %(unchanged)s would stay as they are."
            )
            % values
        )
    return (
        _(
            "Import finished: %(created)s units added, %(changed)s changed (%(moved)s of "
            "them moved), %(unchanged)s unchanged."
        )
        % values
    )
