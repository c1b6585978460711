"""GB/T 9704 layout primitives (`wenyi.core.docx`), checked in the .docx they produce:
each test builds a document, saves it, opens the saved file again and reads the XML."""

import datetime
import io

import pytest

from wenyi.core import docx as official

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _saved(document):
    """The document as Word will see it: saved and opened again."""
    from docx import Document

    return Document(io.BytesIO(official.to_bytes(document)))


def _attr(element, name: str) -> str | None:
    return element.get(f"{W}{name}")


def _east_asia(run) -> str:
    return _attr(run._element.rPr.rFonts, "eastAsia")


def _fonts(paragraph) -> list[tuple[str, str, float]]:
    return [(r.text, _east_asia(r), r.font.size.pt) for r in paragraph.runs]


def _ind(paragraph) -> dict[str, str]:
    ind = paragraph._p.pPr.ind
    return {key.removeprefix(W): value for key, value in ind.attrib.items()}


# --- the page -------------------------------------------------------------------------


def test_new_document_is_a4_with_the_gbt9704_margins():
    section = _saved(official.new_document()).sections[0]
    sizes = (
        section.page_width,
        section.page_height,
        section.top_margin,
        section.bottom_margin,
        section.left_margin,
        section.right_margin,
    )
    assert [round(v.mm, 1) for v in sizes] == [210, 297, 37, 35, 28, 26]


def test_new_document_has_a_22_by_28_character_grid():
    from docx.shared import Emu

    section = _saved(official.new_document()).sections[0]
    grid = section._sectPr.find(f"{W}docGrid")
    assert (_attr(grid, "type"), _attr(grid, "linePitch"), _attr(grid, "charSpace")) == (
        "linesAndChars",
        "579",
        "-848",
    )
    # 22 lines of 579 twips fill the 225 mm text block, 28 characters its 156 mm
    text_height = Emu(section.page_height - section.top_margin - section.bottom_margin)
    text_width = Emu(section.page_width - section.left_margin - section.right_margin)
    assert (round(text_height.mm), round(text_width.mm)) == (225, 156)
    assert round(22 * 579 / 20 / 72 * 25.4) == 225
    assert round(28 * (16 - 848 / 4096) / 72 * 25.4) == 156


def test_new_document_default_text_is_3hao_fangsong():
    normal = _saved(official.new_document()).styles["Normal"]
    rfonts = normal.element.rPr.rFonts
    assert (normal.font.name, _attr(rfonts, "eastAsia"), normal.font.size.pt) == (
        "仿宋_GB2312",
        "仿宋_GB2312",
        16,
    )


def test_new_document_body_starts_empty_and_properties_are_set():
    document = _saved(official.new_document(title="关于表彰的决定", author="临沂市总工会"))
    props = document.core_properties
    assert document.paragraphs == []
    assert (props.title, props.author, props.last_modified_by) == (
        "关于表彰的决定",
        "临沂市总工会",
        "临沂市总工会",
    )


def _page_number_text(paragraph) -> str:
    """The footer as Word shows it on page 1: the field's result stands for the number."""
    return "".join(t.text for t in paragraph._p.iter(f"{W}t"))


def test_page_numbers_are_a_page_field_odd_right_even_left_one_character_in():
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = _saved(official.new_document())
    section = document.sections[0]
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert document.settings.odd_and_even_pages_header_footer is True
    for paragraph in (odd, even):
        assert _page_number_text(paragraph) == "— 1 —"
        instr = [t.text for t in paragraph._p.iter(f"{W}instrText")]
        kinds = [_attr(f, "fldCharType") for f in paragraph._p.iter(f"{W}fldChar")]
        assert (instr, kinds) == ([" PAGE "], ["begin", "separate", "end"])
        assert {(_east_asia(r), r.font.size.pt) for r in paragraph.runs} == {("宋体", 14)}
    assert (odd.alignment, odd.paragraph_format.right_indent.pt) == (WD_ALIGN_PARAGRAPH.RIGHT, 14)
    assert (even.alignment, even.paragraph_format.left_indent.pt) == (WD_ALIGN_PARAGRAPH.LEFT, 14)
    # 7 mm below the 35 mm bottom margin, the number's 6 mm line ends 22 mm up
    assert round(section.footer_distance.mm) == 22


# --- title, addressee, body -------------------------------------------------------------


def test_title_is_2hao_xiaobiaosong_centred_and_breaks_where_the_author_says():
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = official.new_document()
    official.title(document, "关于表彰2014年文艺工作者\n深入职工创作实践活动先进集体的决定")
    (title,) = _saved(document).paragraphs
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert _fonts(title) == [
        ("关于表彰2014年文艺工作者", "方正小标宋简体", 22),
        ("\n深入职工创作实践活动先进集体的决定", "方正小标宋简体", 22),
    ]
    assert len(list(title._p.iter(f"{W}br"))) == 1


def test_addressee_is_flush_left_and_ends_with_a_full_width_colon():
    document = official.new_document()
    for text in ("各县区总工会", "各县区总工会:", "各县区总工会："):
        official.addressee(document, text)
    paragraphs = _saved(document).paragraphs
    assert [p.text for p in paragraphs] == ["各县区总工会："] * 3
    assert [p._p.pPr.ind for p in paragraphs] == [None] * 3


@pytest.mark.parametrize(
    ("line", "level", "fonts"),
    [
        ("今年以来，活动扎实。", 0, [("今年以来，活动扎实。", "仿宋_GB2312")]),
        (
            "一、领导重视，组织有力。区总工会成立了领导小组。",
            1,
            [("一、领导重视，组织有力。", "黑体"), ("区总工会成立了领导小组。", "仿宋_GB2312")],
        ),
        ("十二、活动扎实", 1, [("十二、活动扎实", "黑体")]),
        (
            "（一）制定方案。7月制定了活动方案。",
            2,
            [("（一）制定方案。", "楷体_GB2312"), ("7月制定了活动方案。", "仿宋_GB2312")],
        ),
        ("(二)half-width brackets", 2, [("(二)half-width brackets", "楷体_GB2312")]),
        ("1.深入基层。共120人次。", 3, [("1.深入基层。共120人次。", "仿宋_GB2312")]),
        ("（1）采风创作。", 4, [("（1）采风创作。", "仿宋_GB2312")]),
        ("2014年共开展活动", 0, [("2014年共开展活动", "仿宋_GB2312")]),
    ],
)
def test_body_puts_each_heading_level_in_its_font(line, level, fonts):
    document = official.new_document()
    official.body(document, line)
    (paragraph,) = _saved(document).paragraphs
    assert official.heading_level(line) == level
    assert _fonts(paragraph) == [(text, font, 16) for text, font in fonts]


def test_body_makes_a_paragraph_per_line_indented_two_characters_on_the_grid():
    from docx.enum.text import WD_LINE_SPACING

    document = official.new_document()
    official.body(document, "第一段。\n\n　　第二段，前面打了全角空格。\n  第三段。  \n")
    paragraphs = _saved(document).paragraphs
    assert [p.text for p in paragraphs] == ["第一段。", "第二段，前面打了全角空格。", "第三段。"]
    for paragraph in paragraphs:
        fmt = paragraph.paragraph_format
        assert _ind(paragraph) == {"firstLine": "640", "firstLineChars": "200"}
        assert (fmt.line_spacing_rule, fmt.line_spacing.pt) == (WD_LINE_SPACING.EXACTLY, 28.95)
        assert (fmt.space_before.pt, fmt.space_after.pt) == (0, 0)


def test_blank_line_adds_empty_grid_lines():
    document = official.new_document()
    official.blank_line(document, 2)
    paragraphs = _saved(document).paragraphs
    assert [(p.text, p.paragraph_format.line_spacing.pt) for p in paragraphs] == [
        ("", 28.95),
        ("", 28.95),
    ]


# --- attachment note, signature, attachment pages ------------------------------------


def test_attachment_note_for_one_attachment_has_no_number_and_no_final_punctuation():
    document = official.new_document()
    official.attachment_note(document, ["获奖名单。"])
    (paragraph,) = _saved(document).paragraphs
    assert (paragraph.text, _ind(paragraph)) == (
        "附件：获奖名单",
        {"firstLine": "640", "firstLineChars": "200"},
    )


def test_attachment_note_numbers_several_attachments_under_each_other():
    document = official.new_document()
    official.attachment_note(document, ["先进集体名单", "先进个人名单；"])
    first, second = _saved(document).paragraphs
    assert [first.text, second.text] == ["附件：1. 先进集体名单", "2. 先进个人名单"]
    # "2." starts under "1.": two characters of indent and the three of "附件："
    assert _ind(second) == {"left": "1600", "leftChars": "500"}


@pytest.mark.parametrize(
    ("date", "text"),
    [
        (datetime.date(2014, 12, 26), "2014年12月26日"),
        (datetime.date(2015, 1, 5), "2015年1月5日"),
        (datetime.date(2014, 10, 1), "2014年10月1日"),
    ],
)
def test_official_date_has_no_zero_padding(date, text):
    assert official.official_date(date) == text


def test_signature_puts_the_date_four_characters_in_and_the_issuer_centred_over_it():
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = official.new_document()
    official.signature(document, "临沂市总工会", datetime.date(2014, 12, 26))
    issuer, date = _saved(document).paragraphs
    assert (issuer.text, date.text) == ("临沂市总工会", "2014年12月26日")
    assert (issuer.alignment, date.alignment) == (WD_ALIGN_PARAGRAPH.RIGHT,) * 2
    assert _ind(date) == {"right": "1280", "rightChars": "400"}
    # the date is 7 characters wide (8 half-width digits and 年月日), the name 6:
    # half a character more to the right edge puts the name's middle over the date's
    assert (official.text_width("2014年12月26日"), official.text_width("临沂市总工会")) == (7, 6)
    assert _ind(issuer) == {"right": "1440", "rightChars": "450"}
    assert _fonts(issuer) == [("临沂市总工会", "仿宋_GB2312", 16)]


def test_signature_takes_a_written_date_and_keeps_a_long_name_inside_the_margin():
    document = official.new_document()
    name = "临沂市文艺工作者深入职工创作实践活动领导小组办公室"  # 24 characters
    official.signature(document, name, "Oct. 1, 2014")
    issuer, date = _saved(document).paragraphs
    assert date.text == "Oct. 1, 2014"
    assert issuer._p.pPr.ind is None  # no right indent: flush with the margin


def test_attachment_starts_a_new_page_with_its_label_and_title():
    document = official.new_document()
    official.body(document, "正文。")
    official.attachment(document, "先进集体名单", number=1)
    _text, label, blank, title = _saved(document).paragraphs
    assert label.paragraph_format.page_break_before is True
    assert _fonts(label) == [("附件1", "黑体", 16)]
    assert label._p.pPr.ind is None
    assert (blank.text, _fonts(title)) == ("", [("先进集体名单", "方正小标宋简体", 22)])


def test_a_single_attachment_is_labelled_without_a_number():
    document = official.new_document()
    official.attachment(document, "获奖名单")
    assert _saved(document).paragraphs[0].text == "附件"


# --- header block and end block ---------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "year", "number", "text"),
    [
        ("临会办", 2014, 46, "临会办〔2014〕46号"),
        ("临工发", "2015", "007", "临工发〔2015〕7号"),
    ],
)
def test_document_number_uses_tortoise_shell_brackets_without_leading_zeros(
    code, year, number, text
):
    result = official.document_number(code, year, number)
    assert result == text
    assert (result[3], result[8]) == ("\u3014", "\u3015")


def test_header_block_has_the_red_issuer_the_number_and_the_red_rule():
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = official.new_document()
    official.header(document, "临沂市总工会文件", official.document_number("临会办", 2014, 46))
    name, blank1, blank2, number = _saved(document).paragraphs
    assert name.alignment == number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert _fonts(name) == [("临沂市总工会文件", "方正小标宋简体", 22)]
    assert str(name.runs[0].font.color.rgb) == "FF0000"
    # its line starts 35 mm below the top of the text block (72 mm from the paper's edge)
    assert round(name.paragraph_format.space_before.mm) == 35
    # the number two lines below, in 3号 仿宋
    assert (blank1.text, blank2.text) == ("", "")
    assert _fonts(number) == [("临会办〔2014〕46号", "仿宋_GB2312", 16)]
    # the red rule: a bottom border of the number's paragraph (as wide as the text
    # block: no indents), 11 pt ≈ 4 mm below it, 11/8 pt ≈ 0.5 mm thick
    (rule,) = number._p.pPr.findall(f"{W}pBdr/{W}bottom")
    assert {key.removeprefix(W): value for key, value in rule.attrib.items()} == {
        "val": "single",
        "sz": "11",
        "space": "11",
        "color": "FF0000",
    }
    assert number._p.pPr.ind is None


def test_header_block_keeps_a_larger_issuer_unclipped():
    document = official.new_document()
    official.header(document, "临沂市总工会", "临会办〔2014〕46号", size_pt=36)
    name = _saved(document).paragraphs[0]
    assert (name.runs[0].font.size.pt, name.paragraph_format.line_spacing.pt) == (36, 43.2)


def test_end_block_sits_on_the_bottom_of_the_text_block_with_its_rules():
    document = official.new_document()
    official.end_block(
        document,
        copied_to=["市委宣传部", "市文联"],
        printed_by="临沂市总工会办公室",
        printed_on=datetime.date(2014, 12, 26),
    )
    (table,) = _saved(document).tables
    rows = [row.cells[0].paragraphs[0] for row in table.rows]
    assert [p.text for p in rows] == [
        "抄送：市委宣传部，市文联。",
        "临沂市总工会办公室\t2014年12月26日印发",
    ]
    assert {(_east_asia(r), r.font.size.pt) for p in rows for r in p.runs} == {("仿宋_GB2312", 14)}
    tbl_pr = table._tbl.tblPr
    position = tbl_pr.find(f"{W}tblpPr")
    assert (_attr(position, "vertAnchor"), _attr(position, "tblpYSpec")) == ("margin", "bottom")
    # rules as wide as the text block: 0.35 mm first and last, 0.25 mm between
    assert _attr(tbl_pr.find(f"{W}tblW"), "w") == "8844"  # 156 mm
    borders = {
        child.tag.removeprefix(W): _attr(child, "sz") for child in tbl_pr.find(f"{W}tblBorders")
    }
    assert borders == {"top": "8", "bottom": "8", "insideH": "6"}
    # one 4号 character in from each side: cell margins, and the date's right tab
    margins = {
        child.tag.removeprefix(W): _attr(child, "w") for child in tbl_pr.find(f"{W}tblCellMar")
    }
    assert margins == {"top": "0", "left": "280", "bottom": "0", "right": "280"}
    (tab,) = rows[1].paragraph_format.tab_stops
    assert round(tab.position.mm, 1) == round(156 - 2 * 14 / 72 * 25.4, 1)


def test_end_block_without_copies_has_only_the_printing_line():
    document = official.new_document()
    official.end_block(document, printed_by="临沂市总工会办公室", printed_on="2014年12月26日")
    (table,) = _saved(document).tables
    assert [row.cells[0].text for row in table.rows] == ["临沂市总工会办公室\t2014年12月26日印发"]


def test_a_whole_decision_opens_with_every_block_in_order():
    document = official.new_document(title="关于表彰的决定", author="临沂市总工会")
    official.header(document, "临沂市总工会文件", official.document_number("临工发", 2014, 46))
    official.blank_line(document, 2)
    official.title(document, "关于表彰的决定")
    official.blank_line(document)
    official.addressee(document, "各县区总工会")
    official.body(document, "一、表彰对象。\n经评审，决定表彰。")
    official.blank_line(document)
    official.attachment_note(document, ["获奖名单"])
    official.blank_line(document)
    official.signature(document, "临沂市总工会", datetime.date(2014, 12, 26))
    official.attachment(document, "获奖名单")
    official.end_block(
        document, printed_by="临沂市总工会办公室", printed_on=datetime.date(2014, 12, 26)
    )
    saved = _saved(document)
    assert [p.text for p in saved.paragraphs] == [
        "临沂市总工会文件",
        "",
        "",
        "临工发〔2014〕46号",
        "",
        "",
        "关于表彰的决定",
        "",
        "各县区总工会：",
        "一、表彰对象。",
        "经评审，决定表彰。",
        "",
        "附件：获奖名单",
        "",
        "临沂市总工会",
        "2014年12月26日",
        "附件",
        "",
        "获奖名单",
    ]
    assert len(saved.tables) == 1
