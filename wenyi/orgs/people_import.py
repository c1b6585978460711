"""Bulk import and export of people as .xlsx.

The spreadsheet is a file format, not UI: its sheet names, column headers and the
labels for gender and role are fixed Chinese text whatever the UI language, so a
file filled in by anyone imports anywhere. Messages and the help text are gettext'd.

Rules (also written on the template's 说明 sheet):

- columns are found by header text, in any order; optional columns may be left out;
- every row is checked and every problem reported (Excel row number, column, message);
  if there is any problem nothing is imported;
- an existing person is matched by mobile number, or, without one, by name and unit,
  and updated in place, so importing the same file twice creates no duplicates;
- a blank cell never erases what is already stored (a partial file loses nothing);
- 登录名 + 角色 open a login with an *unusable* password and a membership at the
  person's unit; nobody learns a password from the import, the person (or an
  administrator) sets one before the first login.
"""

import datetime
import os
import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from wenyi.core import xlsx
from wenyi.core.audit import record, snapshot
from wenyi.core.enums import AuditAction
from wenyi.orgs.enums import Gender, Role
from wenyi.orgs.models import Membership, OrgUnit, Person
from wenyi.orgs.services import IDENTITY_FIELDS, can_grant, tell_identity_changed

ROW_LIMIT = 5000
# A 20 MB upload can inflate to gigabytes of XML (a "zip bomb"); real people lists
# of ROW_LIMIT rows are a few MB unpacked.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
# The header row may sit below a title row or two.
HEADER_SEARCH_ROWS = 10
_CHUNK = 500  # ids per `__in` query, well below every database's parameter limit

DATA_SHEET = "人员"
HELP_SHEET = "说明"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

GENDER_LABELS: dict[str, str] = {"男": Gender.MALE, "女": Gender.FEMALE}
ROLE_LABELS: dict[str, str] = {
    "文艺工作者": Role.ARTIST,
    "联络员": Role.COORDINATOR,
    "办公室": Role.OFFICE,
    "评审专家": Role.EXPERT,
}
# when a login holds several roles at the person's unit, export the strongest
_ROLE_ORDER = [Role.OFFICE, Role.COORDINATOR, Role.EXPERT, Role.ARTIST]
_ART_FORM_SEPARATORS = re.compile(r"[、，,;；/\n]+")
_MOBILE = re.compile(r"^1\d{10}$")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    width: int = 14
    max_length: int | None = None
    aliases: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        """The header as written in the file: required columns end with `*`."""
        return f"{self.header}*" if self.required else self.header


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", required=True, width=12, max_length=60),
    Column("gender", "性别", width=8),
    Column("unit_code", "单位编码", required=True, width=16, aliases=("单位代码",)),
    Column("mobile", "手机号", width=16, aliases=("手机", "手机号码", "联系电话")),
    Column("email", "电子邮箱", width=26, max_length=254, aliases=("邮箱", "电子邮件", "e-mail")),
    Column("job_title", "职务", width=18, max_length=100),
    Column("art_forms", "艺术门类", width=22),
    Column("associations", "所属协会", width=26, max_length=300),
    Column("titles", "职称与荣誉", width=28, max_length=300, aliases=("职称", "荣誉")),
    Column("username", "登录名", width=16, max_length=150, aliases=("用户名",)),
    Column("role", "角色", width=12),
)
_BY_KEY = {c.key: c for c in COLUMNS}
_ART_FORM_MAX_LENGTH = 40


def _help_texts() -> dict[str, str]:
    return {
        "name": _("Required. The person's full name."),
        "gender": _("男 or 女; may be left blank."),
        "unit_code": _(
            "Required. The code of the person's unit; the codes you may use are listed below."
        ),
        "mobile": _(
            "11 digits starting with 1. Recognises the same person when a file is imported "
            "again, and can be used to log in."
        ),
        "email": _("E-mail address."),
        "job_title": _("Position or job."),
        "art_forms": _("Art forms; separate several with 、 or ， or , (for example 书法、美术)."),
        "associations": _("Associations the person belongs to."),
        "titles": _("Professional titles and honours."),
        "username": _(
            "Fill in together with 角色 to open a login. Letters, digits and @ . + - _ only; "
            "the mobile number may be used."
        ),
        "role": _(
            "文艺工作者, 联络员, 办公室 or 评审专家 (a coordinator may give only 文艺工作者; "
            "the campaign office gives any role). Leave 登录名 and 角色 blank for a person "
            "without a login."
        ),
    }


def _general_notes() -> list[str]:
    return [
        _("Fill in one person per row on the sheet 人员, starting below the header row."),
        _(
            "Do not rename the headers. Columns may be reordered, and columns not marked "
            "with * may be deleted."
        ),
        _("Blank rows are skipped. At most %(limit)s people per file.") % {"limit": ROW_LIMIT},
        _(
            "If any row has a problem, nothing is imported: every problem is listed with its "
            "row and column, fix them and upload the file again."
        ),
        _(
            "People already in the system are recognised by mobile number (without one, by "
            "name and unit) and updated; importing the same file again creates no duplicates."
        ),
        _("A blank cell never erases information that is already stored."),
        _(
            "A new login has no password: before the first login the person sets one with "
            "“forgot password”, or an administrator sets it. The login name or the mobile "
            "number can be used to log in."
        ),
    ]


# -- results -----------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem: the Excel row number (None: the file as a whole) and column header."""

    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if not self.column:
            return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return _("Row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    logins_created: int = 0
    memberships_created: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def file_errors(self) -> list[RowError]:
        return [e for e in self.errors if e.row is None]

    @property
    def row_errors(self) -> list[RowError]:
        return [e for e in self.errors if e.row is not None]


class _Rejected(Exception):
    """The upload as a whole cannot be read; the message says why."""


# -- the template and the export ----------------------------------------------


def _data_sheet(wb, rows: Iterable[Sequence[str]], *, dropdown_rows: int) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    ws = wb.active
    ws.title = DATA_SHEET
    ws.append([c.title for c in COLUMNS])
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=index)
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        letter = get_column_letter(index)
        # Chinese characters are about two Latin widths wide
        ws.column_dimensions[letter].width = column.width
        if column.key in ("mobile", "unit_code", "username"):
            # text, so Excel keeps leading zeros and does not write 1.39E+10
            ws.column_dimensions[letter].number_format = "@"
    ws.freeze_panes = "A2"

    for values in rows:
        ws.append(list(values))
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.number_format = "@"

    last = max(ws.max_row, 1) + dropdown_rows
    for key, labels in (("gender", GENDER_LABELS), ("role", ROLE_LABELS)):
        letter = get_column_letter([c.key for c in COLUMNS].index(key) + 1)
        validation = DataValidation(
            type="list",
            formula1='"{}"'.format(",".join(labels)),
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_BY_KEY[key].header,
            error=_("Choose a value from the list."),
        )
        ws.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{last}")


def _save(wb) -> bytes:
    return xlsx.save(wb)


def build_template(units: Iterable[OrgUnit]) -> bytes:
    """An empty import file with a 说明 sheet listing the unit codes `units` holds."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    _data_sheet(wb, [], dropdown_rows=ROW_LIMIT)

    ws = wb.create_sheet(HELP_SHEET)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 70

    ws.append([_("How to fill in this file")])
    ws["A1"].font = Font(bold=True, size=13)
    for note in _general_notes():
        ws.append(["", note])
        ws.cell(row=ws.max_row, column=2).alignment = wrap
        ws.merge_cells(start_row=ws.max_row, start_column=2, end_row=ws.max_row, end_column=3)
    ws.append([])

    ws.append([_("Column"), _("Required"), _("Explanation")])
    for cell in ws[ws.max_row]:
        cell.font = bold
    helps = _help_texts()
    for column in COLUMNS:
        ws.append([column.title, _("yes") if column.required else _("no"), helps[column.key]])
        ws.cell(row=ws.max_row, column=3).alignment = wrap
    ws.append([])

    ws.append([_("Unit codes you may use")])
    ws.cell(row=ws.max_row, column=1).font = bold
    ws.append([_("Unit code"), _("Unit name")])
    for cell in ws[ws.max_row]:
        cell.font = bold
    for unit in units:
        ws.append([unit.code, unit.name])
        ws.cell(row=ws.max_row, column=1).number_format = "@"
    return _save(wb)


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _export_role(roles: set[str]) -> str:
    labels = {value: label for label, value in ROLE_LABELS.items()}
    for role in _ROLE_ORDER:
        if role in roles:
            return labels[role]
    return ""


def people_to_xlsx(queryset: QuerySet[Person]) -> bytes:
    """The people in `queryset` in the import format, so export → edit → import works.

    登录名 is the person's login; 角色 the strongest role that login holds at the
    person's own unit (importing never removes roles, so a re-import changes nothing).
    """
    from openpyxl import Workbook

    people = list(queryset.select_related("unit", "user"))
    user_ids = sorted({p.user_id for p in people if p.user_id})
    roles: dict[tuple[int, int], set[str]] = defaultdict(set)
    for chunk in _chunks(user_ids):
        for user_id, unit_id, role in Membership.objects.filter(user_id__in=chunk).values_list(
            "user_id", "unit_id", "role"
        ):
            roles[(user_id, unit_id)].add(role)
    gender_labels = {value: label for label, value in GENDER_LABELS.items()}

    def rows() -> Iterator[list[str]]:
        for p in people:
            yield [
                p.name,
                gender_labels.get(p.gender, ""),
                p.unit.code,
                p.mobile,
                p.email,
                p.job_title,
                "、".join(str(a) for a in (p.art_forms or [])),
                p.associations,
                p.titles,
                p.user.username if p.user_id else "",
                _export_role(roles.get((p.user_id, p.unit_id), set())) if p.user_id else "",
            ]

    wb = Workbook()
    _data_sheet(wb, rows(), dropdown_rows=200)
    return _save(wb)


# -- reading a file ------------------------------------------------------------


def _not_xlsx() -> _Rejected:
    return _Rejected(
        _(
            "The file is not an Excel .xlsx workbook. If it is an .xls or .et file or "
            "password-protected, open it in Excel or WPS and save it as an unprotected .xlsx "
            "file; or download the template and fill it in."
        )
    )


def _open_workbook(file: IO[bytes]):
    from openpyxl import load_workbook

    try:
        file.seek(0)
        if not zipfile.is_zipfile(file):
            raise _not_xlsx()
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (OSError, zipfile.BadZipFile, EOFError):
        raise _not_xlsx() from None
    if "xl/workbook.xml" not in names:  # a .docx, .zip, … renamed to .xlsx
        raise _not_xlsx()
    if unpacked > MAX_UNPACKED_BYTES:
        raise _Rejected(_("The workbook is too large once unpacked; split it into several files."))
    file.seek(0)
    try:
        return load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged workbook
        raise _not_xlsx() from None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a mobile or code typed as a number: 13912345678.0
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).replace("\u200b", "").replace("\ufeff", "").strip()


def _code(value: str) -> str:
    """Codes and numbers: full-width digits to ASCII, no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))


def _header_key(value: Any) -> str:
    text = unicodedata.normalize("NFKC", _text(value))
    text = re.split(r"[(\[]", text, maxsplit=1)[0]  # 艺术门类（多个用、分隔）
    return re.sub(r"\s+", "", text).strip("*").lower()


_HEADER_KEYS: dict[str, str] = {}
for _column in COLUMNS:
    for _name in (_column.header, *_column.aliases):
        _HEADER_KEYS[_header_key(_name)] = _column.key


@dataclass
class _Row:
    number: int
    values: dict[str, str]  # column key → cell text, only for columns the file has
    art_forms: list[str] = field(default_factory=list)
    gender: str = ""
    role: str = ""
    unit: OrgUnit | None = None
    person: Person | None = None
    user: Any = None  # the existing login named in 登录名, if any

    @property
    def name(self) -> str:
        return self.values.get("name", "")

    @property
    def unit_code(self) -> str:
        return self.values.get("unit_code", "")

    @property
    def mobile(self) -> str:
        return self.values.get("mobile", "")

    @property
    def username(self) -> str:
        return self.values.get("username", "")


class _Errors:
    def __init__(self) -> None:
        self.items: list[RowError] = []

    def add(self, row: int | None, key: str | None, message: str) -> None:
        self.items.append(RowError(row, _BY_KEY[key].header if key else "", message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def sorted(self) -> list[RowError]:
        order = {c.header: i for i, c in enumerate(COLUMNS)}
        return sorted(self.items, key=lambda e: (e.row or 0, order.get(e.column, -1), e.message))


def _find_header(ws) -> tuple[int, dict[str, int]]:
    """The header row's number and {column key: 0-based index}."""
    for number, values in enumerate(
        ws.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS, values_only=True), start=1
    ):
        positions: dict[str, int] = {}
        duplicates: list[str] = []
        for index, value in enumerate(values):
            key = _HEADER_KEYS.get(_header_key(value))
            if key is None:
                continue
            if key in positions:
                duplicates.append(_BY_KEY[key].header)
            positions[key] = index
        if {"name", "unit_code"} <= positions.keys():
            if duplicates:
                raise _Rejected(
                    _("The header row has the column %(columns)s more than once.")
                    % {"columns": "、".join(duplicates)}
                )
            return number, positions
    missing = "、".join(c.title for c in COLUMNS if c.required)
    raise _Rejected(
        _(
            "No header row with the columns %(columns)s was found on the first sheet; "
            "download the template and fill it in."
        )
        % {"columns": missing}
    )


def _read_rows(file: IO[bytes]) -> list[_Row]:
    wb = _open_workbook(file)
    try:
        if not wb.worksheets:
            raise _not_xlsx()
        ws = wb.worksheets[0]
        # some writers store a wrong sheet size, which would cut rows short
        ws.reset_dimensions()
        header, positions = _find_header(ws)
        width = max(positions.values()) + 1
        rows: list[_Row] = []
        for number, cells in enumerate(
            ws.iter_rows(min_row=header + 1, max_col=width, values_only=True), start=header + 1
        ):
            values = {
                key: _text(cells[index]) if index < len(cells) else ""
                for key, index in positions.items()
            }
            if not any(values.values()):
                continue
            if len(rows) >= ROW_LIMIT:
                raise _Rejected(
                    _("The file has more than %(limit)s people; split it into several files.")
                    % {"limit": ROW_LIMIT}
                )
            rows.append(_Row(number=number, values=values))
    finally:
        wb.close()
    if not rows:
        raise _Rejected(_("The file has no people in it: fill in rows below the header row."))
    return rows


# -- checks that need no database ------------------------------------------------


def _check_fields(row: _Row, errors: _Errors) -> None:
    v = row.values
    # full-width digits and letters to ASCII; spaces and dashes inside numbers are layout
    for key in ("email", "username"):
        if key in v:
            v[key] = unicodedata.normalize("NFKC", v[key]).strip()
    for key in ("mobile", "unit_code"):
        if key in v:
            v[key] = _code(v[key])
    if "mobile" in v:
        v["mobile"] = v["mobile"].replace("-", "")

    if not v.get("name"):
        errors.add(row.number, "name", _("Fill in the name."))
    if not v.get("unit_code"):
        errors.add(row.number, "unit_code", _("Fill in the unit code."))
    for key, value in v.items():
        limit = _BY_KEY[key].max_length
        if limit and len(value) > limit:
            errors.add(
                row.number,
                key,
                _("At most %(limit)s characters, not %(length)s.")
                % {"limit": limit, "length": len(value)},
            )

    gender = v.get("gender", "")
    if gender:
        if gender in GENDER_LABELS:
            row.gender = GENDER_LABELS[gender]
        else:
            errors.add(row.number, "gender", _("Write 男 or 女, or leave it blank."))

    mobile = v.get("mobile", "")
    if mobile and not _MOBILE.match(mobile):
        errors.add(
            row.number,
            "mobile",
            _("“%(value)s” is not a mobile number: 11 digits starting with 1.") % {"value": mobile},
        )

    email = v.get("email", "")
    if email and len(email) <= 254:
        try:
            EmailValidator()(email)
        except ValidationError:
            errors.add(
                row.number, "email", _("“%(value)s” is not an e-mail address.") % {"value": email}
            )

    forms = [f.strip() for f in _ART_FORM_SEPARATORS.split(v.get("art_forms", ""))]
    row.art_forms = list(dict.fromkeys(f for f in forms if f))
    for form in row.art_forms:
        if len(form) > _ART_FORM_MAX_LENGTH:
            errors.add(
                row.number,
                "art_forms",
                _("“%(value)s” is too long for an art form; separate several with 、.")
                % {"value": form[:20]},
            )

    role = v.get("role", "")
    if role:
        if role in ROLE_LABELS:
            row.role = ROLE_LABELS[role]
        else:
            errors.add(
                row.number,
                "role",
                _("Write one of %(choices)s, or leave it blank.")
                % {"choices": "、".join(ROLE_LABELS)},
            )

    username = v.get("username", "")
    if username and len(username) <= 150:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            errors.add(
                row.number,
                "username",
                _("A login name may hold only letters, digits and @ . + - _ (no spaces)."),
            )
        if re.fullmatch(r"1\d{10}", username) and username != mobile:
            # the mobile login would find this account instead of the mobile's owner
            errors.add(
                row.number,
                "username",
                _("A login name that is a mobile number must be this person's own mobile."),
            )
    if role and not username:
        errors.add(row.number, "username", _("Fill in a login name for the role."))


def _rows_text(numbers: Iterable[int]) -> str:
    return "、".join(str(n) for n in numbers)


def _check_duplicates(rows: list[_Row], errors: _Errors) -> None:
    """The same mobile, login, or nameless-mobile person twice in one file."""
    for key in ("mobile", "username"):
        seen: dict[str, list[int]] = defaultdict(list)
        for row in rows:
            if row.values.get(key):
                seen[row.values[key]].append(row.number)
        for value, numbers in seen.items():
            if len(numbers) < 2:
                continue
            for number in numbers:
                others = [n for n in numbers if n != number]
                if key == "mobile":
                    message = _("The mobile number %(value)s is also in row %(rows)s.")
                else:
                    message = _("The login name %(value)s is also in row %(rows)s.")
                errors.add(number, key, message % {"value": value, "rows": _rows_text(others)})

    nameless: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in rows:
        if row.name and row.unit_code and not row.mobile:
            nameless[(row.name, row.unit_code)].append(row.number)
    for numbers in nameless.values():
        if len(numbers) < 2:
            continue
        for number in numbers:
            others = [n for n in numbers if n != number]
            errors.add(
                number,
                "name",
                _(
                    "Row %(rows)s has the same name and unit and no mobile number either, "
                    "so both would be the same person; fill in their mobile numbers."
                )
                % {"rows": _rows_text(others)},
            )


# -- checks against the database ---------------------------------------------------


def _lock_units(unit_ids: list[int]) -> None:
    """Serialise imports into the same units (PostgreSQL; SQLite's BEGIN IMMEDIATE
    already serialises every writer), so two uploads of one file cannot both create."""
    for chunk in _chunks(sorted(unit_ids)):
        list(OrgUnit.objects.select_for_update().filter(pk__in=chunk).values_list("pk"))


def _owner(user) -> Person | None:
    try:
        return user.person
    except ObjectDoesNotExist:
        return None


def _check_against_database(
    rows: list[_Row], errors: _Errors, *, actor, allowed_units: QuerySet[OrgUnit]
) -> set[tuple[int, int, str]]:
    """Resolve units, people and logins; return the memberships that already exist."""
    User = get_user_model()

    codes = sorted({r.unit_code for r in rows if r.unit_code})
    units: dict[str, OrgUnit] = {}
    for chunk in _chunks(codes):
        units.update({u.code: u for u in allowed_units.filter(code__in=chunk)})
    _lock_units([u.pk for u in units.values()])
    for row in rows:
        if row.unit_code:
            row.unit = units.get(row.unit_code)
            if row.unit is None:
                # the same words whether the code exists elsewhere or not at all
                errors.add(
                    row.number,
                    "unit_code",
                    _("The unit code %(code)s does not exist or is outside your area.")
                    % {"code": row.unit_code},
                )

    mobiles = sorted({r.mobile for r in rows if r.mobile})
    by_mobile: dict[str, Person] = {}
    for chunk in _chunks(mobiles):
        by_mobile.update(
            {p.mobile: p for p in Person.objects.filter(mobile__in=chunk).select_related("user")}
        )
    names = sorted({r.name for r in rows if r.name and r.unit})
    unit_ids = sorted({r.unit.pk for r in rows if r.unit})
    by_name: dict[tuple[str, int], list[Person]] = defaultdict(list)
    for chunk in _chunks(names):
        for p in Person.objects.filter(name__in=chunk, unit_id__in=unit_ids).select_related("user"):
            by_name[(p.name, p.unit_id)].append(p)
    usernames = sorted({r.username for r in rows if r.username})
    users: dict[str, Any] = {}
    for chunk in _chunks(usernames):
        found = User.objects.filter(username__in=chunk).select_related("person__unit")
        users.update({u.username: u for u in found})

    candidate_units = {p.unit_id for p in by_mobile.values()}
    candidate_units |= {o.unit_id for u in users.values() if (o := _owner(u))}
    allowed_ids: set[int] = set()
    for chunk in _chunks(sorted(candidate_units)):
        allowed_ids.update(allowed_units.filter(pk__in=chunk).values_list("pk", flat=True))

    used_by: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        if row.mobile and (p := by_mobile.get(row.mobile)):
            if p.unit_id in allowed_ids:
                row.person = p
            else:
                errors.add(
                    row.number,
                    "mobile",
                    _(
                        "The mobile number %(value)s belongs to a person outside your area; "
                        "ask the campaign office."
                    )
                    % {"value": row.mobile},
                )
                continue
        elif row.unit and row.name:
            same = by_name.get((row.name, row.unit.pk), [])
            if row.mobile:  # a new number: only someone stored without one can be them
                same = [p for p in same if not p.mobile]
            if len(same) > 1:
                errors.add(
                    row.number,
                    "name",
                    _(
                        "The unit has %(count)s people named %(name)s; fill in the mobile "
                        "number to say which one."
                    )
                    % {"count": len(same), "name": row.name},
                )
            elif same:
                row.person = same[0]
        if row.person is not None:
            used_by[row.person.pk].append(row.number)
    for numbers in used_by.values():
        if len(numbers) > 1:
            for number in numbers:
                errors.add(
                    number,
                    None,
                    _("Rows %(rows)s are the same person; keep one of them.")
                    % {"rows": _rows_text(numbers)},
                )

    # the fields that identify a login change only under the rule the edit page keeps
    for row in rows:
        person = row.person
        if person is None or person.user_id is None:
            continue
        for key in IDENTITY_FIELDS:
            value = row.values.get(key)
            if (
                value
                and value != getattr(person, key)
                and not actor.has_perm("orgs.change_identity", person)
            ):
                errors.add(
                    row.number,
                    key,
                    _(
                        "%(name)s holds a role you may not manage, so an import by you "
                        "cannot change their mobile number or e-mail; ask the campaign office."
                    )
                    % {"name": person.name},
                )

    user_ids = {u.pk for u in users.values()}
    user_ids |= {r.person.user_id for r in rows if r.person and r.person.user_id}
    existing: set[tuple[int, int, str]] = set()
    for chunk in _chunks(sorted(user_ids)):
        existing.update(
            Membership.objects.filter(user_id__in=chunk).values_list("user_id", "unit_id", "role")
        )

    for row in rows:
        if not row.username:
            continue
        person = row.person
        if person is not None and person.user_id and person.user.username != row.username:
            errors.add(
                row.number,
                "username",
                _(
                    "This person already logs in as %(username)s; an import cannot change a "
                    "login name."
                )
                % {"username": person.user.username},
            )
            continue
        user = users.get(row.username)
        if user is not None:
            owner = _owner(user)
            if owner is None or owner.unit_id not in allowed_ids:
                errors.add(
                    row.number,
                    "username",
                    _("The login name %(value)s is taken; choose another.")
                    % {"value": row.username},
                )
                continue
            if person is None or owner.pk != person.pk:
                errors.add(
                    row.number,
                    "username",
                    _("The login name %(value)s belongs to %(name)s (%(unit)s).")
                    % {"value": row.username, "name": owner.name, "unit": owner.unit.name},
                )
                continue
            row.user = user
        if not row.role:
            if row.user is None:
                errors.add(row.number, "role", _("Choose a role for the new login."))
            continue
        if row.unit is None:
            continue
        already = row.user is not None and (row.user.pk, row.unit.pk, row.role) in existing
        # the same rule as granting a role on a person's page
        if not already and not can_grant(actor, row.unit, row.role):
            errors.add(
                row.number,
                "role",
                _(
                    "You may not give the role %(role)s at this unit: the campaign office "
                    "gives every role, a coordinator only 文艺工作者."
                )
                % {"role": row.values["role"]},
            )
    return existing


# -- writing ---------------------------------------------------------------------------


_PERSON_FIELDS = ("name", "mobile", "email", "job_title", "associations", "titles")


def _save_rows(rows: list[_Row], existing: set[tuple[int, int, str]], *, actor) -> ImportResult:
    User = get_user_model()
    result = ImportResult()
    note = _("imported from a spreadsheet")
    for row in rows:
        assert row.unit is not None
        person = row.person
        is_new = person is None
        if person is None:
            person = Person(unit=row.unit)
        before = snapshot(person)
        changed = False

        # a blank cell keeps what is stored (a partial file must not erase data)
        for key in _PERSON_FIELDS:
            if row.values.get(key):
                setattr(person, key, row.values[key])
        if row.gender:
            person.gender = row.gender
        if row.art_forms:
            person.art_forms = row.art_forms
        person.unit = row.unit

        if row.username and row.user is None:
            user = User(username=row.username, email=person.email)
            # nobody learns a password from a spreadsheet: the person sets one
            user.set_unusable_password()
            user.save()
            record(actor, AuditAction.CREATE, user, after=snapshot(user), note=note, unit=row.unit)
            result.logins_created += 1
            row.user = user
            person.user = user

        if is_new:
            person.save()
            record(actor, AuditAction.CREATE, person, after=snapshot(person), note=note)
            result.created += 1
            changed = True
        else:
            after = snapshot(person)
            if after != before:
                # an edit page opened before the import must not save over it
                person.version += 1
                after["version"] = person.version
                person.save()
                record(actor, AuditAction.UPDATE, person, before=before, after=after, note=note)
                changed = True
                identity = [k for k in IDENTITY_FIELDS if before.get(k) != after.get(k)]
                if person.user_id and person.user.email != person.email:
                    # the login's address is where password-reset mail goes
                    person.user.email = person.email
                    person.user.save(update_fields=["email"])
                if identity and person.user_id:
                    tell_identity_changed(actor, person, identity, before.get("email", ""), before)

        if row.role and (row.user.pk, row.unit.pk, row.role) not in existing:
            membership, created = Membership.objects.get_or_create(
                user=row.user, unit=row.unit, role=row.role
            )
            if created:
                record(actor, AuditAction.CREATE, membership, note=note)
                result.memberships_created += 1
                existing.add((row.user.pk, row.unit.pk, row.role))
                changed = True

        if not is_new:
            if changed:
                result.updated += 1
            else:
                result.unchanged += 1
    return result


# -- the service ---------------------------------------------------------------------------


def import_people(
    file: IO[bytes] | str | os.PathLike[str], *, actor, allowed_units: QuerySet[OrgUnit]
) -> ImportResult:
    """Check every row of an uploaded .xlsx and, only if all are good, import them all.

    `allowed_units` are the units the actor may put people in (their managed units).
    Returns counts, or the list of every problem with nothing saved.
    """
    if isinstance(file, str | os.PathLike):
        with open(file, "rb") as handle:
            return import_people(handle, actor=actor, allowed_units=allowed_units)

    errors = _Errors()
    try:
        rows = _read_rows(file)
    except _Rejected as exc:
        return ImportResult(errors=[RowError(None, "", str(exc))])

    for row in rows:
        _check_fields(row, errors)
    _check_duplicates(rows, errors)
    try:
        with transaction.atomic():
            existing = _check_against_database(
                rows, errors, actor=actor, allowed_units=allowed_units
            )
            if errors:
                return ImportResult(errors=errors.sorted())
            return _save_rows(rows, existing, actor=actor)
    except IntegrityError:
        # someone saved the same mobile or login between our check and our write
        return ImportResult(
            errors=[
                RowError(
                    None,
                    "",
                    _(
                        "Someone else changed these people while the file was being imported; "
                        "nothing was imported. Please upload the file again."
                    ),
                )
            ]
        )
