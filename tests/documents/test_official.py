"""An official document after GB/T 9704 (documents.official), read back from what its two
renderers write: the .docx through python-docx and its XML (page, grid, fonts and sizes
of each block, the red rule, the alternating footers), the PDF through pdftotext,
pypdf and a picture of its pages (every name printed, no missing glyph, the stand-in
fonts named in its metadata, the page numbers and the end block where the standard
puts them). Page 1 is kept as a picture under var/test-artefacts/ to look at.
"""

import datetime
import io
import json
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image
from pypdf import PdfReader

from wenyi.core.docx import GBT9704, Profile
from wenyi.documents import official
from wenyi.documents.official import Attachment, OfficialDocument, Paragraph, Section

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ARTEFACTS = Path(settings.PROJECT_DIR) / "var" / "test-artefacts"
PT_PER_MM = 72 / 25.4

# rare characters on purpose (outside GB 2312, one outside the BMP)
WINNERS = ["王𠮷庆", "欧阳喆", "沈堃", "邝昇", "龚玥", "司马赟", "黄翀", "李娜"]


def decision(rows: int = 8) -> OfficialDocument:
    names = (WINNERS * (rows // len(WINNERS) + 1))[:rows]
    return OfficialDocument(
        issuer_mark="临沂市总工会文件",
        number="临工发〔2014〕58号",
        title="关于表彰2014年文艺工作者深入职工创作实践活动先进集体、先进个人和优秀作品的决定",
        addressee="各县区总工会，市直各产业（系统）工会",
        paragraphs=[
            Paragraph("2014年，全市各级工会组织广大文艺工作者深入基层、深入职工。"),
            Paragraph("一、授予兰山区总工会等2个单位“优秀组织单位”称号。希望再接再厉。", 1),
            Paragraph("（一）优秀作品。对3件作品予以表彰。", 2),
            Paragraph("1.继续深入基层。", 3),
        ],
        issuer="临沂市总工会",
        date=datetime.date(2014, 12, 26),
        attachments=[
            Attachment(
                "2014年文艺工作者深入职工创作实践活动表彰名单",
                [
                    Section(
                        Paragraph("一、优秀组织单位（2个）", 1), ["兰山区总工会", "罗庄区总工会"]
                    ),
                    Section(Paragraph(f"二、优秀文艺作品（{rows}件）", 1)),
                    Section(
                        Paragraph(f"（一）一等奖（{rows}件）", 2),
                        [
                            f"{name}（兰山区某机械厂）《车间灯火{n}》"
                            for n, name in enumerate(names)
                        ],
                    ),
                ],
            )
        ],
        copies_to=["市文广新局", "市文联"],
        printed_by="临沂市总工会办公室",
        printed_on=datetime.date(2014, 12, 26),
    )


def _docx(doc: OfficialDocument, profile: Profile = GBT9704):
    from docx import Document

    return Document(io.BytesIO(official.to_docx(doc, profile)))


def _fonts(paragraph) -> list[tuple[str, str, float]]:
    return [
        (run.text, run._element.rPr.rFonts.get(f"{W}eastAsia"), run.font.size.pt)
        for run in paragraph.runs
        if run.text
    ]


def _by_text(document, text: str):
    return next(p for p in document.paragraphs if p.text == text)


def _pdf(tmp_path: Path, doc: OfficialDocument, profile: Profile = GBT9704) -> Path:
    path = tmp_path / "decision.pdf"
    path.write_bytes(official.to_pdf(doc, profile))
    return path


def _text(path: Path, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", *args, str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def _words(path: Path) -> list[tuple[int, float, float, str]]:
    """(page, x, y, word) of every word, in points from the page's top left."""
    import re

    xml = _text(path, "-bbox")
    found, page = [], 0
    for line in xml.splitlines():
        if "<page " in line:
            page += 1
        match = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', line)
        if match:
            found.append((page, float(match[1]), float(match[2]), match[3]))
    return found


# --- .docx: the page -------------------------------------------------------------------------


def test_docx_is_a4_with_the_margins_and_the_22_by_28_grid():
    section = _docx(decision()).sections[0]

    sizes = [section.page_width, section.page_height, section.top_margin]
    sizes += [section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(v.mm, 1) for v in sizes] == [210, 297, 37, 35, 28, 26]
    grid = section._sectPr.find(f"{W}docGrid")
    assert (grid.get(f"{W}type"), grid.get(f"{W}linePitch"), grid.get(f"{W}charSpace")) == (
        "linesAndChars",
        "579",
        "-848",
    )


def test_docx_page_numbers_alternate_sides_one_character_in():
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = _docx(decision())
    section = document.sections[0]

    assert document.settings.odd_and_even_pages_header_footer is True
    assert document.settings.element.find(f"{W}evenAndOddHeaders") is not None
    kinds = [r.get(f"{W}type") for r in section._sectPr.findall(f"{W}footerReference")]
    assert sorted(kinds) == ["default", "even"]
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    for paragraph in (odd, even):
        assert "".join(t.text for t in paragraph._p.iter(f"{W}t")) == "— 1 —"
        assert [t.text for t in paragraph._p.iter(f"{W}instrText")] == [" PAGE "]
        assert {(font, size) for _t, font, size in _fonts(paragraph)} == {("宋体", 14)}
    assert (odd.alignment, odd.paragraph_format.right_indent.pt) == (WD_ALIGN_PARAGRAPH.RIGHT, 14)
    assert (even.alignment, even.paragraph_format.left_indent.pt) == (WD_ALIGN_PARAGRAPH.LEFT, 14)


# --- .docx: each block -----------------------------------------------------------------------


def test_docx_header_has_the_red_issuer_mark_the_number_and_the_red_rule():
    document = _docx(decision())
    mark, number = document.paragraphs[0], _by_text(document, "临工发〔2014〕58号")

    assert _fonts(mark) == [("临沂市总工会文件", "方正小标宋简体", 22)]
    assert str(mark.runs[0].font.color.rgb) == "FF0000"
    assert round(mark.paragraph_format.space_before.mm) == 35
    assert _fonts(number) == [("临工发〔2014〕58号", "仿宋_GB2312", 16)]
    (rule,) = number._p.pPr.findall(f"{W}pBdr/{W}bottom")
    assert (rule.get(f"{W}color"), rule.get(f"{W}val"), rule.get(f"{W}space")) == (
        "FF0000",
        "single",
        "11",
    )


def test_docx_title_is_broken_into_balanced_lines_in_2hao_xiaobiaosong():
    document = _docx(decision())
    title = next(p for p in document.paragraphs if p.text.startswith("关于表彰"))

    assert title.text.split("\n") == [
        "关于表彰2014年文艺工作者",
        "深入职工创作实践活动先进集体、",
        "先进个人和优秀作品的决定",
    ]
    assert {(font, size) for _t, font, size in _fonts(title)} == {("方正小标宋简体", 22)}


def test_docx_text_headings_and_signature_in_their_fonts_and_places():
    document = _docx(decision())

    assert _by_text(document, "各县区总工会，市直各产业（系统）工会：")._p.pPr.ind is None
    body = _by_text(document, "2014年，全市各级工会组织广大文艺工作者深入基层、深入职工。")
    assert _fonts(body) == [(body.text, "仿宋_GB2312", 16)]
    assert body.paragraph_format.first_line_indent.pt == 32  # two characters
    assert _fonts(
        _by_text(document, "一、授予兰山区总工会等2个单位“优秀组织单位”称号。希望再接再厉。")
    ) == [
        ("一、授予兰山区总工会等2个单位“优秀组织单位”称号。", "黑体", 16),
        ("希望再接再厉。", "仿宋_GB2312", 16),
    ]
    assert _fonts(_by_text(document, "（一）优秀作品。对3件作品予以表彰。"))[0] == (
        "（一）优秀作品。",
        "楷体_GB2312",
        16,
    )
    assert _fonts(_by_text(document, "1.继续深入基层。")) == [
        ("1.继续深入基层。", "仿宋_GB2312", 16)
    ]
    note = _by_text(document, "附件：2014年文艺工作者深入职工创作实践活动表彰名单")
    assert note.paragraph_format.first_line_indent.pt == 32
    date = _by_text(document, "2014年12月26日")
    assert date.paragraph_format.right_indent.pt == 4 * 16  # four characters in


def test_docx_attachment_starts_a_new_page_and_lists_every_winner():
    document = _docx(decision())
    label = _by_text(document, "附件")

    assert label.paragraph_format.page_break_before is True
    assert _fonts(label) == [("附件", "黑体", 16)]
    texts = [p.text for p in document.paragraphs]
    assert "王𠮷庆（兰山区某机械厂）《车间灯火0》" in texts
    assert texts.index("附件") < texts.index("一、优秀组织单位（2个）")


def test_docx_end_block_in_4hao_fangsong_with_its_rules():
    (table,) = _docx(decision()).tables
    rows = [row.cells[0].paragraphs[0] for row in table.rows]

    assert [p.text for p in rows] == [
        "抄送：市文广新局，市文联。",
        "临沂市总工会办公室\t2014年12月26日印发",
    ]
    assert {(font, size) for p in rows for _t, font, size in _fonts(p)} == {("仿宋_GB2312", 14)}
    borders = table._tbl.tblPr.find(f"{W}tblBorders")
    assert {b.tag.removeprefix(W): b.get(f"{W}sz") for b in borders} == {
        "top": "8",
        "bottom": "8",
        "insideH": "6",
    }


def test_docx_follows_a_house_profile():
    house = Profile(
        margin_top_mm=30,
        lines=20,
        chars=26,
        body_pt=15,
        font_body="仿宋",
        font_heading1="方正黑体_GBK",
        issuer_mark_pt=36,
    )
    document = _docx(decision(), house)
    section = document.sections[0]

    assert round(section.top_margin.mm) == 30
    grid = section._sectPr.find(f"{W}docGrid")
    assert grid.get(f"{W}linePitch") == str(house.line_pitch_twips)
    assert grid.get(f"{W}charSpace") == str(house.char_space)
    assert _fonts(document.paragraphs[0]) == [("临沂市总工会文件", "方正小标宋简体", 36)]
    heading = _by_text(document, "一、授予兰山区总工会等2个单位“优秀组织单位”称号。希望再接再厉。")
    assert _fonts(heading)[0][1:] == ("方正黑体_GBK", 15)
    assert _fonts(heading)[1][1:] == ("仿宋", 15)


# --- PDF ---------------------------------------------------------------------------------------


def test_pdf_prints_every_block_and_every_winner_without_a_missing_glyph(tmp_path):
    path = _pdf(tmp_path, decision())

    text = "".join(_text(path).split())
    for expected in (
        "临沂市总工会文件",
        "临工发〔2014〕58号",
        "关于表彰2014年文艺工作者深入职工创作实践活动先进集体、先进个人和优秀作品的决定",
        "各县区总工会，市直各产业（系统）工会：",
        "附件：2014年文艺工作者深入职工创作实践活动表彰名单",
        "临沂市总工会2014年12月26日",
        "抄送：市文广新局，市文联。",
        "临沂市总工会办公室2014年12月26日印发",
    ):
        assert expected in text, expected
    # a glyph no font has would be left out of the text (or printed as a box): every
    # character of every name comes out as itself
    for n, name in enumerate(WINNERS):
        assert f"{name}（兰山区某机械厂）《车间灯火{n}》" in text
        assert all(ch in text for ch in name)


def test_pdf_template_compiles_without_a_warning():
    import typst

    data = official.pdf_data(decision())
    payload = {"data": json.dumps(data, ensure_ascii=False)}

    _pdf_bytes, warnings = typst.compile_with_warnings(
        str(official.TEMPLATE), format="pdf", sys_inputs=payload
    )

    assert [w.message for w in warnings] == []


def test_pdf_metadata_names_the_fonts_that_stood_in(tmp_path):
    from wenyi.core import typst

    info = PdfReader(_pdf(tmp_path, decision())).metadata
    fonts = typst.stand_ins()

    assert info.title == decision().plain_title
    assert info.author == "临沂市总工会办公室"
    assert f"仿宋_GB2312 → {fonts['fangsong'][0]}" in info.subject
    assert f"方正小标宋简体 → {fonts['xiaobiaosong'][0]}" in info["/Keywords"]
    assert "临工发〔2014〕58号" in info["/Keywords"]


def test_pdf_page_numbers_alternate_sides_below_the_text_block(tmp_path):
    path = _pdf(tmp_path, decision(rows=40))
    words = _words(path)
    pages = max(page for page, *_rest in words)
    numbers = {page: (x, y) for page, x, y, word in words if word == str(page) and y > 750}

    assert pages >= 3 and sorted(numbers) == list(range(1, pages + 1))
    middle = 210 / 2 * PT_PER_MM
    for page, (x, y) in numbers.items():
        assert (x > middle) == (page % 2 == 1), page
        # the number's line starts 7 mm below the 225 mm text block
        assert abs(y - (297 - 35 + 7) * PT_PER_MM) < 3


def test_pdf_body_sits_on_the_grid_with_two_characters_indent(tmp_path):
    words = _words(_pdf(tmp_path, decision()))
    first = next(w for w in words if w[3].startswith("2014年，全市"))
    addressee = next(w for w in words if w[3].startswith("各县区总工会"))

    assert round(addressee[1] / PT_PER_MM) == 28  # flush with the left margin
    assert abs(first[1] - (addressee[1] + 2 * 16)) < 1  # two characters in
    assert abs(first[2] - addressee[2] - 28.95) < 0.1  # the next line of the grid


def test_pdf_first_page_in_red_and_kept_as_a_picture(tmp_path):
    path = _pdf(tmp_path, decision())
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    prefix = ARTEFACTS / "commendation-decision"

    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(path),
         str(prefix)],
        check=True,
    )  # fmt: skip

    picture = Image.open(f"{prefix}.png").convert("RGB")
    width, height = picture.size  # A4 at 60 dpi
    assert abs(width - 210 / 25.4 * 60) <= 1 and abs(height - 297 / 25.4 * 60) <= 1
    red = [
        y
        for y in range(picture.height)
        if sum(1 for x in range(picture.width) if _is_red(picture.getpixel((x, y)))) > 0
    ]
    # the issuer mark starts 72 mm from the top; the red rule runs the text block's width
    assert abs(red[0] / 60 * 25.4 - 72) < 3
    widest = max(
        sum(1 for x in range(picture.width) if _is_red(picture.getpixel((x, y)))) for y in red
    )
    assert abs(widest / 60 * 25.4 - 156) < 3


def _is_red(pixel) -> bool:
    r, g, b = pixel
    return r > 180 and g < 110 and b < 110


def test_pdf_end_block_rests_on_the_bottom_of_the_last_text_block(tmp_path):
    path = _pdf(tmp_path, decision())
    pages = len(PdfReader(path).pages)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "72", "-f", str(pages), "-l", str(pages), "-singlefile",
         str(path), str(tmp_path / "last")],
        check=True,
    )  # fmt: skip

    picture = Image.open(tmp_path / "last.png").convert("L")
    rules = [
        y
        for y in range(picture.height)
        if sum(1 for x in range(picture.width) if picture.getpixel((x, y)) < 128) > 400
    ]
    assert len(rules) == 3  # above 抄送, between, below 印发
    assert abs(rules[-1] - (297 - 35) * PT_PER_MM) < 2


def test_pdf_follows_a_house_profile(tmp_path):
    house = Profile(margin_left_mm=35, lines=20, chars=24)
    words = _words(_pdf(tmp_path, decision(), house))
    addressee = next(w for w in words if w[3].startswith("各县区总工会"))
    first = next(w for w in words if w[3].startswith("2014年，全市"))

    assert round(addressee[1] / PT_PER_MM) == 35
    assert abs(first[2] - addressee[2] - house.line_pt) < 0.1


# --- the title's lines ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "lines"),
    [
        ("关于表彰先进的决定", ["关于表彰先进的决定"]),
        (
            "关于组织开展2014年文艺工作者深入职工创作实践活动的通知",
            ["关于组织开展2014年文艺工作者", "深入职工创作实践活动的通知"],
        ),
        ("关于表彰的\n决定", ["关于表彰的", "决定"]),
    ],
)
def test_title_lines_break_at_good_places_or_where_the_author_did(title, lines):
    assert official.title_lines(title) == lines


def test_title_lines_never_break_a_number_nor_overflow():
    title = "关于表彰2014年20142014年度全市职工文艺创作实践活动先进集体和先进个人的决定"
    lines = official.title_lines(title)

    assert "".join(lines) == title
    assert all(official.official.text_width(line) <= 20 for line in lines)
    assert not any(
        a[-1].isdigit() and b[0].isdigit() for a, b in zip(lines, lines[1:], strict=False)
    )
