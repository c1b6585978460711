"""The spreadsheet parts every import and export shares (wenyi.core.sheets)."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import override
from openpyxl import Workbook, load_workbook

from wenyi.core import xlsx
from wenyi.core.sheets import (
    HELP_SHEET,
    Column,
    ErrorList,
    HeaderNotFound,
    HelpSheet,
    Rejected,
    SheetError,
    SheetLayout,
    WorkbookReader,
    check_xlsx,
    find_header,
    list_formula,
    open_workbook,
    with_help,
    write_header,
)

COLUMNS = with_help(
    (
        Column("name", "姓名", required=True, max_length=10),
        Column("code", "单位编码", required=True, aliases=("单位代码",), text=True),
        Column("mobile", "手机号", aliases=("手机", "联系电话"), text=True),
        Column("note", "备注"),
    ),
    {"name": "The full name.", "code": "The unit's code."},
)
LAYOUT = SheetLayout(COLUMNS)


def workbook(*rows, title: str = "人员") -> io.BytesIO:
    wb = Workbook()
    wb.active.title = title
    for row in rows:
        wb.active.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def read(file, *, limit: int = 100, progress=None) -> list[tuple[int, dict]]:
    with WorkbookReader(file, limit=limit, too_many="too many", progress=progress) as book:
        ws = book.worksheets[0]
        book.expect([ws])
        rows = [(row.number, row.values) for row in book.rows(ws, LAYOUT)]
        book.finish()
    return rows


# -- header matching -------------------------------------------------------------------


def test_header_is_found_by_title_or_alias_in_any_order_below_a_title_row():
    file = workbook(
        ["2014年人员名单"],
        ["联系电话", "备注 ", "单位代码", "姓名（必填）"],
        ["13800000001", "", 371302, "王一"],
    )

    rows = read(file)

    assert rows == [(3, {"mobile": "13800000001", "note": None, "code": 371302, "name": "王一"})]


def test_header_titles_with_star_spaces_and_full_width_letters_match():
    wb = load_workbook(workbook(["姓 名*", "单位编码＊", "ＭＯＢＩＬＥ"]))

    header = find_header(wb.active, LAYOUT)

    assert (header.row, header.positions) == (1, {"name": 0, "code": 1})


def test_missing_required_column_is_named():
    wb = load_workbook(workbook(["姓名", "手机号"], ["王一", "13800000001"]))

    with pytest.raises(HeaderNotFound) as exc, override("zh-hans"):
        find_header(wb.active, LAYOUT)

    assert str(exc.value) == "没有找到包含 姓名*、单位编码* 列的表头行；请下载模板填写。"


def test_missing_required_column_next_to_the_anchors_is_reported_missing():
    wb = load_workbook(workbook(["单位编码", "手机号"]))

    with pytest.raises(HeaderNotFound) as exc, override("zh-hans"):
        find_header(wb.active, LAYOUT, anchors=["code"])

    assert str(exc.value) == "缺少必填列 姓名*；请下载模板填写。"


def test_a_column_twice_in_the_header_is_refused():
    wb = load_workbook(workbook(["姓名", "单位编码", "手机", "手机号"]))

    with pytest.raises(HeaderNotFound) as exc:
        find_header(wb.active, LAYOUT)

    assert "手机号" in str(exc.value)


def test_a_stem_shared_by_two_columns_matches_neither():
    layout = SheetLayout(
        [Column("count", "参与文艺工作者（人）"), Column("people", "参与文艺工作者（手机号，…）")]
    )
    wb = load_workbook(workbook(["参与文艺工作者（手机号，…）", "参与文艺工作者"]))

    header = find_header(wb.active, layout, anchors=["people"])

    assert header.positions == {"people": 0}
    with pytest.raises(HeaderNotFound):
        find_header(wb.active, layout, anchors=["count"])


# -- reading rows ---------------------------------------------------------------------------


def test_blank_rows_are_skipped_and_rows_keep_their_excel_numbers():
    file = workbook(
        ["姓名", "单位编码"],
        ["王一", "371302"],
        [None, None],
        ["  ", "\u200b"],
        ["王二", "371302"],
    )

    assert [number for number, _values in read(file)] == [2, 5]


def test_more_rows_than_the_limit_are_refused():
    file = workbook(["姓名", "单位编码"], *[[f"王{n}", "371302"] for n in range(4)])

    assert len(read(file, limit=4)) == 4
    file.seek(0)
    with pytest.raises(Rejected) as exc:
        read(file, limit=3)
    assert str(exc.value) == "too many"


def test_progress_is_reported_at_the_start_every_500_rows_and_at_the_end():
    file = workbook(["姓名", "单位编码"], *[[f"王{n}", "371302"] for n in range(600)])
    reports = []

    read(file, limit=1000, progress=lambda done, total: reports.append((done, total)))

    assert reports == [(0, 600), (500, 600), (600, 600)]


# -- refused by content -------------------------------------------------------------------


def _zip_without_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.mark.parametrize(
    "content",
    ["姓名,单位编码\n王一,371302\n".encode(), _zip_without_workbook(), b"PK\x03\x04 nope", b""],
    ids=["csv-named-xlsx", "docx-like-zip", "broken-zip", "empty"],
)
def test_a_file_that_is_not_xlsx_is_refused_by_content(content):
    file = io.BytesIO(content)
    file.name = "人员.xlsx"

    with pytest.raises(Rejected) as exc:
        open_workbook(file)
    with pytest.raises(ValidationError):
        check_xlsx(file)

    assert ".xlsx" in str(exc.value)


def test_a_real_workbook_passes_the_check_and_is_rewound():
    file = workbook(["姓名", "单位编码"])

    check_xlsx(file)

    assert file.tell() == 0


# -- problems ----------------------------------------------------------------------------


def test_errors_are_listed_by_sheet_row_and_column_and_said_in_chinese():
    errors = ErrorList()
    other = SheetLayout(COLUMNS, title="慰问演出", index=1)
    errors.add("太长", layout=LAYOUT, row=5, key="mobile")
    errors.add("没有填写", layout=LAYOUT, row=5, key="name")
    errors.add("重复", layout=LAYOUT, row=3)
    errors.add("工作表有问题", layout=other)
    errors.add("文件有问题")

    with override("zh-hans"):
        said = [str(e) for e in errors.listed()]

    assert said == [
        "文件有问题",
        "第 3 行：重复",
        "第 5 行“姓名”列：没有填写",
        "第 5 行“手机号”列：太长",
        "工作表“慰问演出”：工作表有问题",
    ]
    assert errors.listed()[2] == SheetError("", 5, "姓名", "没有填写")


def test_only_the_first_problems_are_kept_and_the_rest_counted():
    errors = ErrorList(limit=2)
    for row in range(2, 7):
        errors.add("错", layout=LAYOUT, row=row, key="name")

    with override("zh-hans"):
        listed = errors.as_dicts()

    assert errors.count == len(errors) == 5
    assert [e["row"] for e in listed] == [2, 3, None]
    assert listed[-1]["message"] == "另有 3 个问题未列出。"
    assert SheetError.from_dict(listed[0]) == SheetError("", 2, "姓名", "错")


# -- writing --------------------------------------------------------------------------


def test_template_header_is_styled_frozen_and_keeps_text_columns_as_text():
    wb = Workbook()
    write_header(wb.active, COLUMNS)

    ws = load_workbook(io.BytesIO(xlsx.save(wb))).active

    assert [c.value for c in ws[1]] == ["姓名*", "单位编码*", "手机号", "备注"]
    assert ws.freeze_panes == "A2"
    assert all(c.font.b for c in ws[1])
    assert ws.column_dimensions["B"].number_format == "@"
    assert ws.column_dimensions["D"].number_format != "@"


def test_write_only_sheets_get_the_same_header():
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("导出")
    write_header(ws, COLUMNS)
    ws.append(["王一", "371302", "13800000001", "=1+1"])

    ws = load_workbook(io.BytesIO(xlsx.save(wb))).active

    assert [c.value for c in ws[1]] == ["姓名*", "单位编码*", "手机号", "备注"]
    assert (ws.freeze_panes, ws[1][0].font.b) == ("A2", True)


def test_help_sheet_has_notes_every_column_and_the_unit_codes():
    wb = Workbook()
    with override("zh-hans"):
        help_sheet = HelpSheet(wb, ["每行填写一人。", "空行会被跳过。"])
        help_sheet.columns(COLUMNS)
        codes = help_sheet.unit_codes([("371302", "兰山区"), ("371311", "罗庄区")])

    ws = load_workbook(io.BytesIO(xlsx.save(wb)))[HELP_SHEET]
    rows = [tuple(v for v in row if v is not None) for row in ws.iter_rows(values_only=True)]

    assert rows[:3] == [("填写说明",), ("每行填写一人。",), ("空行会被跳过。",)]
    assert ("列", "必填", "说明") in rows
    assert ("姓名*", "是", "The full name.") in rows
    assert ("手机号", "否") in rows
    assert rows[-3:] == [("单位编码", "单位名称"), ("371302", "兰山区"), ("371311", "罗庄区")]
    assert codes == f"'{HELP_SHEET}'!$A${len(rows) - 1}:$A${len(rows)}"
    assert ws.cell(row=len(rows), column=1).number_format == "@"


def test_list_formula_is_inline_only_when_excel_can_hold_it():
    assert list_formula(["男", "女"]) == '"男,女"'
    assert list_formula(["一,般"]) is None
    assert list_formula([f"选项{n}" for n in range(60)]) is None
