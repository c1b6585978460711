"""Bulk import and export of people as .xlsx (the spreadsheet parts: wenyi.core.sheets).

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

This module reads and checks; `wenyi.orgs.services.import_people` saves, in one
transaction with the audit entries. An upload runs as a background job
(`wenyi.core.imports`, kind "people"); `import_file` does the same in-process.
"""

import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import IO

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wenyi.core import xlsx
from wenyi.core.imports import Checked, RowRef, Written, add_problems, write_checked
from wenyi.core.models import ImportJob
from wenyi.core.sheets import (
    TEXT_FORMAT,
    XLSX_CONTENT_TYPE,  # noqa: F401 - others still import it from here
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
    row_list,
    with_help,
    write_header,
)
from wenyi.orgs.enums import Gender, Role
from wenyi.orgs.models import Membership, OrgUnit, Person
from wenyi.orgs.queries import units_managed_by
from wenyi.orgs.services import PeopleImported, PersonRow, check_people, import_people

ROW_LIMIT = 5000
DATA_SHEET = "人员"

GENDER_LABELS: dict[str, str] = {"男": Gender.MALE, "女": Gender.FEMALE}
ROLE_LABELS: dict[str, str] = {
    "文艺工作者": Role.ARTIST,
    "联络员": Role.COORDINATOR,
    "办公室": Role.OFFICE,
    "评审专家": Role.EXPERT,
    "评审监督": Role.SUPERVISOR,
}
# when a login holds several roles at the person's unit, export the strongest
_ROLE_ORDER = [Role.OFFICE, Role.SUPERVISOR, Role.COORDINATOR, Role.EXPERT, Role.ARTIST]
_ART_FORM_SEPARATORS = re.compile(r"[、，,;；/\n]+")
_ART_FORM_MAX_LENGTH = 40
_MOBILE = re.compile(r"^1\d{10}$")

_HELP = {
    "name": gettext_lazy("Required. The person's full name."),
    "gender": gettext_lazy("男 or 女; may be left blank."),
    "unit_code": gettext_lazy(
        "Required. The code of the person's unit; the codes you may use are listed below."
    ),
    "mobile": gettext_lazy(
        "11 digits starting with 1. Recognises the same person when a file is imported "
        "again, and can be used to log in."
    ),
    "email": gettext_lazy("E-mail address."),
    "job_title": gettext_lazy("Position or job."),
    "art_forms": gettext_lazy(
        "Art forms; separate several with 、 or ， or , (for example 书法、美术)."
    ),
    "associations": gettext_lazy("Associations the person belongs to."),
    "titles": gettext_lazy("Professional titles and honours."),
    "username": gettext_lazy(
        "Fill in together with 角色 to open a login. Letters, digits and @ . + - _ only; "
        "the mobile number may be used."
    ),
    "role": gettext_lazy(
        "文艺工作者, 联络员, 办公室, 评审专家 or 评审监督 (a coordinator may give only 文艺工作者; "
        "the campaign office gives any role). Leave 登录名 and 角色 blank for a person "
        "without a login."
    ),
}
# text=True: Excel keeps leading zeros and does not write 1.39E+10
COLUMNS: tuple[Column, ...] = with_help(
    (
        Column("name", "姓名", required=True, width=12, max_length=60),
        Column("gender", "性别", width=8),
        Column("unit_code", "单位编码", required=True, width=16, aliases=("单位代码",), text=True),
        Column("mobile", "手机号", width=16, aliases=("手机", "手机号码", "联系电话"), text=True),
        Column(
            "email", "电子邮箱", width=26, max_length=254, aliases=("邮箱", "电子邮件", "e-mail")
        ),
        Column("job_title", "职务", width=18, max_length=100),
        Column("art_forms", "艺术门类", width=22),
        Column("associations", "所属协会", width=26, max_length=300),
        Column("titles", "职称与荣誉", width=28, max_length=300, aliases=("职称", "荣誉")),
        Column("username", "登录名", width=16, max_length=150, aliases=("用户名",), text=True),
        Column("role", "角色", width=12),
    ),
    _HELP,
)
# problems name no sheet: the people are on the first one
LAYOUT = SheetLayout(COLUMNS)


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


@dataclass
class ImportResult(PeopleImported):
    """The counts of an import, or (nothing imported) every problem."""

    errors: list[SheetError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# -- the template and the export ----------------------------------------------


def _data_sheet(wb, rows: Iterable[Sequence[str]], *, dropdown_rows: int) -> None:
    """The sheet 人员: the header, `rows`, and drop-downs for 性别 and 角色 down to
    `dropdown_rows` rows below them."""
    from openpyxl.worksheet.datavalidation import DataValidation

    ws = wb.active
    ws.title = DATA_SHEET
    write_header(ws, COLUMNS)
    for values in rows:
        ws.append(list(values))
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.number_format = TEXT_FORMAT

    last = max(ws.max_row, 1) + dropdown_rows
    for key, labels in (("gender", GENDER_LABELS), ("role", ROLE_LABELS)):
        validation = DataValidation(
            type="list",
            formula1=list_formula(list(labels)),
            error=_("Choose a value from the list."),
        )
        add_validation(
            ws, LAYOUT.position(key), validation, last_row=last, title=LAYOUT.column(key).header
        )


def build_template(units: Iterable[OrgUnit]) -> bytes:
    """An empty import file with a 说明 sheet listing the unit codes `units` holds."""
    from openpyxl import Workbook

    wb = Workbook()
    _data_sheet(wb, [], dropdown_rows=ROW_LIMIT)
    help_sheet = HelpSheet(wb, _general_notes(), widths=(18, 40, 70))
    help_sheet.columns(COLUMNS)
    help_sheet.unit_codes((unit.code, unit.name) for unit in units)
    return xlsx.save(wb)


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
    for chunk in chunks(user_ids):
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
    return xlsx.save(wb)


# -- reading and checking a file -------------------------------------------------------


def _read(file: IO[bytes], progress: Progress | None) -> list[SheetRow]:
    too_many = _("The file has more than %(limit)s people; split it into several files.") % {
        "limit": ROW_LIMIT
    }
    empty = _("The file has no people in it: fill in rows below the header row.")
    return read_first_sheet(
        file, LAYOUT, limit=ROW_LIMIT, too_many=too_many, empty=empty, progress=progress
    )


def _person_row(row: SheetRow, errors: ErrorList) -> PersonRow:
    """The row's values, normalised and checked one by one (every problem to `errors`)."""
    number = row.number

    def error(key: str, message: str) -> None:
        errors.add(message, layout=LAYOUT, row=number, key=key)

    v = {key: row.text(key) for key in row.values}
    # full-width digits and letters to ASCII; spaces and dashes inside numbers are layout
    for key in ("email", "username"):
        if key in v:
            v[key] = unicodedata.normalize("NFKC", v[key]).strip()
    for key in ("mobile", "unit_code"):
        if key in v:
            v[key] = code(v[key])
    if "mobile" in v:
        v["mobile"] = v["mobile"].replace("-", "")

    if not v.get("name"):
        error("name", _("Fill in the name."))
    if not v.get("unit_code"):
        error("unit_code", _("Fill in the unit code."))
    for key, value in v.items():
        limit = LAYOUT.column(key).max_length
        if limit and len(value) > limit:
            error(
                key,
                _("At most %(limit)s characters, not %(length)s.")
                % {"limit": limit, "length": len(value)},
            )

    gender = v.get("gender", "")
    if gender and gender not in GENDER_LABELS:
        error("gender", _("Write 男 or 女, or leave it blank."))

    mobile = v.get("mobile", "")
    if mobile and not _MOBILE.match(mobile):
        error(
            "mobile",
            _("“%(value)s” is not a mobile number: 11 digits starting with 1.") % {"value": mobile},
        )

    email = v.get("email", "")
    if email and len(email) <= 254:
        try:
            EmailValidator()(email)
        except ValidationError:
            error("email", _("“%(value)s” is not an e-mail address.") % {"value": email})

    forms = [f.strip() for f in _ART_FORM_SEPARATORS.split(v.get("art_forms", ""))]
    art_forms = list(dict.fromkeys(f for f in forms if f))
    for form in art_forms:
        if len(form) > _ART_FORM_MAX_LENGTH:
            error(
                "art_forms",
                _("“%(value)s” is too long for an art form; separate several with 、.")
                % {"value": form[:20]},
            )

    role = v.get("role", "")
    if role and role not in ROLE_LABELS:
        error(
            "role",
            _("Write one of %(choices)s, or leave it blank.") % {"choices": "、".join(ROLE_LABELS)},
        )

    username = v.get("username", "")
    if username and len(username) <= 150:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            error(
                "username",
                _("A login name may hold only letters, digits and @ . + - _ (no spaces)."),
            )
        if re.fullmatch(r"1\d{10}", username) and username != mobile:
            # the mobile login would find this account instead of the mobile's owner
            error(
                "username",
                _("A login name that is a mobile number must be this person's own mobile."),
            )
    if role and not username:
        error("username", _("Fill in a login name for the role."))

    return PersonRow(
        name=v.get("name", ""),
        unit_code=v.get("unit_code", ""),
        gender=GENDER_LABELS.get(gender, ""),
        mobile=mobile,
        email=email,
        job_title=v.get("job_title", ""),
        art_forms=art_forms,
        associations=v.get("associations", ""),
        titles=v.get("titles", ""),
        username=username,
        role=ROLE_LABELS.get(role, ""),
        ref=RowRef(LAYOUT, number),
    )


def _check_duplicates(rows: list[PersonRow], errors: ErrorList) -> None:
    """The same mobile, login, or nameless-mobile person twice in one file."""

    def error(row: PersonRow, key: str, message: str) -> None:
        errors.add(message, layout=LAYOUT, row=row.ref.number, key=key)

    for key in ("mobile", "username"):
        seen: dict[str, list[PersonRow]] = defaultdict(list)
        for row in rows:
            if getattr(row, key):
                seen[getattr(row, key)].append(row)
        for value, same in seen.items():
            for row in same if len(same) > 1 else ():
                others = row_list(r.ref.number for r in same if r is not row)
                if key == "mobile":
                    message = _("The mobile number %(value)s is also in row %(rows)s.")
                else:
                    message = _("The login name %(value)s is also in row %(rows)s.")
                error(row, key, message % {"value": value, "rows": others})

    nameless: dict[tuple[str, str], list[PersonRow]] = defaultdict(list)
    for row in rows:
        if row.name and row.unit_code and not row.mobile:
            nameless[(row.name, row.unit_code)].append(row)
    for same in nameless.values():
        for row in same if len(same) > 1 else ():
            others = row_list(r.ref.number for r in same if r is not row)
            error(
                row,
                "name",
                _(
                    "Row %(rows)s has the same name and unit and no mobile number either, "
                    "so both would be the same person; fill in their mobile numbers."
                )
                % {"rows": others},
            )


def check_file(
    file: IO[bytes],
    *,
    actor,
    allowed_units: QuerySet[OrgUnit],
    progress: Progress | None = None,
) -> Checked:
    """Read and check every row of an uploaded .xlsx, saving nothing: the rows for
    `import_people`, or every problem (the file's, each cell's, and what the service
    would refuse)."""
    errors = ErrorList()
    try:
        sheet_rows = _read(file, progress)
    except Rejected as exc:
        errors.reject(exc)
        return Checked([], errors)
    rows = [_person_row(row, errors) for row in sheet_rows]
    _check_duplicates(rows, errors)
    add_problems(errors, check_people(actor, rows, allowed_units=allowed_units))
    return Checked(rows, errors)


def import_file(
    file: IO[bytes] | str | os.PathLike[str], *, actor, allowed_units: QuerySet[OrgUnit]
) -> ImportResult:
    """Check every row of an .xlsx and, only if all are good, import them all, in this
    process. Returns the counts, or every problem with nothing saved."""
    if isinstance(file, str | os.PathLike):
        with open(file, "rb") as handle:
            return import_file(handle, actor=actor, allowed_units=allowed_units)
    checked = check_file(file, actor=actor, allowed_units=allowed_units)
    saved = write_checked(
        checked, lambda rows: import_people(actor, rows, allowed_units=allowed_units)
    )
    if saved is None:
        return ImportResult(errors=checked.errors.listed())
    return ImportResult(**asdict(saved))


# -- as a background job (registered in OrgsConfig.ready) ------------------------------------


def check_job(job: ImportJob, file: IO[bytes], progress: Progress) -> Checked:
    actor = job.created_by
    return check_file(file, actor=actor, allowed_units=units_managed_by(actor), progress=progress)


def write_job(job: ImportJob, rows: list[PersonRow]) -> Written:
    actor = job.created_by
    saved = import_people(actor, rows, allowed_units=units_managed_by(actor))
    return Written(created=saved.created, updated=saved.updated, message=done_message(saved))


def done_message(saved: PeopleImported) -> str:
    return _(
        "Import finished: %(created)s people added, %(updated)s updated, "
        "%(unchanged)s unchanged; %(logins)s logins opened."
    ) % {
        "created": saved.created,
        "updated": saved.updated,
        "unchanged": saved.unchanged,
        "logins": saved.logins_created,
    }
