"""Official documents (公文) laid out after GB/T 9704-2012, as python-docx primitives.

Every .docx the system writes for an office goes through here: the summary report,
the commendation decision (表彰决定) and the campaign's notice (wenyi.documents.official
builds those from one document model). A document is built top to bottom from the
blocks the standard defines, in its order:

    document = new_document(title="关于表彰……的决定", author="临沂市总工会")
    header(document, "临沂市总工会文件", document_number("临工发", 2014, 46))
    blank_line(document, 2)                 # the title: two lines below the red rule
    title(document, "关于表彰……的决定")
    blank_line(document)                    # the addressee: one line below the title
    addressee(document, "各县区总工会")
    body(document, text)
    blank_line(document)                    # the attachment note: one line below
    attachment_note(document, ["获奖名单"])
    blank_line(document)
    signature(document, "临沂市总工会", datetime.date(2014, 12, 26))
    attachment(document, "获奖名单")
    body(document, names)
    end_block(document, printed_by="临沂市总工会办公室", printed_on=datetime.date(2014, 12, 26))
    data = to_bytes(document)

Blocks add no blank lines around themselves (except inside the header block, whose
two lines are part of it): the spacing the standard asks for is in each docstring, and
the caller adds it with `blank_line`, so a document without a header or an addressee
(the summary) is spaced the same way with no special cases.

The numbers: A4 with margins top 37, bottom 35, left 28, right 26 mm leave the
156 × 225 mm text block. 22 lines of 28 characters fill it through the section's
character grid (w:docGrid linesAndChars): lines 579 twips (28.95 pt) apart, and
characters 848/4096 pt narrower than 3号 (16 pt), since 28 × 16 pt = 158 mm would not
fit. Sizes are in points (2号 22, 3号 16, 4号 14), the page in millimetres; the XML
counts in twips (1/20 pt) for the grid, eighths of a point for rules and hundredths of
a character for indents (w:*Chars, what Word shows as 字符).

Fonts keep their official names (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312, 宋体):
the machine opening the file supplies them, so offices see the real fonts in WPS or
Word. python-docx is imported inside the functions, as elsewhere: importing this module
costs nothing.

House rules: an organisation may change the numbers (margins, lines and characters,
sizes, font names) with a `Profile`; `GBT9704` is the standard's and the default.
`new_document(profile=…)` keeps the profile with the document, and every block below
reads its sizes and fonts from it, so a caller passes it once. `Profile.from_layout`
reads the overrides an office keeps (DocumentSettings.layout, the campaign file's
`[documents.layout]`), and `layout_problems` says in words what is wrong with them.

Not here yet: joint-issue headers (several issuers), 签发人 (upward documents), the seal,
and wrapped attachment names aligned under the first character of the name.
"""

import dataclasses
import datetime
import io
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

# --- the numbers of the standard, each named once -------------------------------------

# 字号 in points
SIZE_2 = 22  # 2号: title
SIZE_3 = 16  # 3号: body text, headings, addressee, signature, document number
SIZE_4 = 14  # 4号: page numbers, end block

FONT_XIAOBIAOSONG = "方正小标宋简体"  # title, issuer's name in the header
FONT_FANGSONG = "仿宋_GB2312"  # body text, headings "1." and "（1）"
FONT_HEITI = "黑体"  # headings "一、", "附件1"
FONT_KAITI = "楷体_GB2312"  # headings "（一）"
FONT_SONGTI = "宋体"  # page numbers

PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297  # A4
MARGIN_TOP_MM, MARGIN_BOTTOM_MM = 37, 35
MARGIN_LEFT_MM, MARGIN_RIGHT_MM = 28, 26
TEXT_WIDTH_MM = PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM  # 156
# The page number's top sits 7 mm below the text block: its ~6 mm line ends about
# 22 mm above the paper's edge.
FOOTER_DISTANCE_MM = 22

# 22 lines × 28 characters (see the module docstring)
LINE_PITCH_TWIPS = 579
CHAR_SPACE = -848  # 1/4096 pt per character, relative to the Normal style's 3号
LINE_PT = LINE_PITCH_TWIPS / 20  # 28.95: exact line spacing of every paragraph

RED = "FF0000"
ISSUER_TOP_MM = 35  # the issuer's name: this far below the top of the text block
RED_RULE_GAP_MM = 4  # the red rule: this far below the document number
RED_RULE_MM = 0.5  # not fixed by the standard; 0.35–0.5 mm is common practice
END_RULE_THICK_MM = 0.35  # first and last rule of the end block
END_RULE_THIN_MM = 0.25  # rules between

SIGNATURE_RIGHT_CHARS = 4  # the date: four characters in from the right

HEADING_PATTERNS = (
    (1, re.compile(r"^[一二三四五六七八九十百]+、")),
    (2, re.compile(r"^[（(][一二三四五六七八九十百]+[）)]")),
    (3, re.compile(r"^\d+[.．]")),
    (4, re.compile(r"^[（(]\d+[）)]")),
)
HEADING_FONTS = {1: FONT_HEITI, 2: FONT_KAITI, 3: FONT_FANGSONG, 4: FONT_FANGSONG}

MM_PER_PT = 25.4 / 72


@dataclasses.dataclass(frozen=True)
class Profile:
    """The numbers of a layout: GB/T 9704 by default (`GBT9704`), or an organisation's
    house rules. The page is A4; the grid follows from the margins, the number of
    lines and characters and the body size (`line_pitch_twips`, `char_space`)."""

    margin_top_mm: float = MARGIN_TOP_MM
    margin_bottom_mm: float = MARGIN_BOTTOM_MM
    margin_left_mm: float = MARGIN_LEFT_MM
    margin_right_mm: float = MARGIN_RIGHT_MM
    lines: int = 22
    chars: int = 28
    body_pt: float = SIZE_3
    title_pt: float = SIZE_2
    issuer_mark_pt: float = SIZE_2
    small_pt: float = SIZE_4  # the end block and the page numbers
    font_body: str = FONT_FANGSONG
    font_title: str = FONT_XIAOBIAOSONG
    font_heading1: str = FONT_HEITI
    font_heading2: str = FONT_KAITI
    font_page_number: str = FONT_SONGTI

    @property
    def text_width_mm(self) -> float:
        return PAGE_WIDTH_MM - self.margin_left_mm - self.margin_right_mm

    @property
    def text_height_mm(self) -> float:
        return PAGE_HEIGHT_MM - self.margin_top_mm - self.margin_bottom_mm

    @property
    def line_pitch_twips(self) -> int:
        """The grid's line pitch: the text block's height shared by the lines, in whole
        twips, rounded down so the last line fits (579 for GB/T 9704)."""
        return math.floor(self.text_height_mm / MM_PER_PT * 20 / self.lines)

    @property
    def line_pt(self) -> float:
        return self.line_pitch_twips / 20

    @property
    def char_pitch_pt(self) -> float:
        """How far apart characters sit on the grid: the text block's width shared by
        the characters of a line (15.79 pt for GB/T 9704)."""
        return self.text_width_mm / MM_PER_PT / self.chars

    @property
    def char_space(self) -> int:
        """w:charSpace: the character pitch less the body size, in 1/4096 pt (−848)."""
        return round((self.char_pitch_pt - self.body_pt) * 4096)

    def fonts(self) -> dict[int, str]:
        """The font of each heading level (0: body text)."""
        return {
            0: self.font_body,
            1: self.font_heading1,
            2: self.font_heading2,
            3: self.font_body,
            4: self.font_body,
        }

    @classmethod
    def from_layout(cls, layout: Mapping[str, Any] | None) -> "Profile":
        """GB/T 9704 with the overrides of `layout` (keys as LAYOUT_LIMITS names them).
        Raises ValueError naming a key this profile does not have."""
        layout = dict(layout or {})
        unknown = sorted(set(layout) - set(LAYOUT_LIMITS))
        if unknown:
            raise ValueError(", ".join(unknown))
        return dataclasses.replace(GBT9704, **layout)

    def overrides(self) -> dict[str, Any]:
        """The values that differ from GB/T 9704 (what DocumentSettings.layout keeps)."""
        return {
            field.name: getattr(self, field.name)
            for field in dataclasses.fields(self)
            if getattr(self, field.name) != getattr(GBT9704, field.name)
        }


GBT9704 = Profile()

# what a house rule may change, with its bounds: ("number" | "int" | "text", low, high);
# for a font, the highest length of its name
LAYOUT_LIMITS: dict[str, tuple[str, float, float]] = {
    "margin_top_mm": ("number", 10, 60),
    "margin_bottom_mm": ("number", 10, 60),
    "margin_left_mm": ("number", 10, 60),
    "margin_right_mm": ("number", 10, 60),
    "lines": ("int", 10, 40),
    "chars": ("int", 10, 40),
    "body_pt": ("number", 9, 26),
    "title_pt": ("number", 12, 42),
    "issuer_mark_pt": ("number", 12, 72),
    "small_pt": ("number", 8, 18),
    "font_body": ("text", 1, 60),
    "font_title": ("text", 1, 60),
    "font_heading1": ("text", 1, 60),
    "font_heading2": ("text", 1, 60),
    "font_page_number": ("text", 1, 60),
}


def layout_problems(profile: Profile) -> list[tuple[str, str]]:
    """What keeps a profile's grid from working, as (field, message): characters that
    would overlap or lines too close for the body size."""
    from django.utils.translation import gettext as _

    problems = []
    pitch = profile.char_pitch_pt
    if pitch < profile.body_pt * 0.95:
        problems.append(
            (
                "chars",
                _(
                    "%(chars)s characters of %(size)s pt do not fit a line of %(width)s mm: "
                    "they would overlap. Fewer characters, a smaller size or narrower "
                    "margins."
                )
                % {
                    "chars": profile.chars,
                    "size": f"{profile.body_pt:g}",
                    "width": f"{profile.text_width_mm:g}",
                },
            )
        )
    elif pitch > profile.body_pt * 1.6:
        problems.append(
            (
                "chars",
                _(
                    "%(chars)s characters of %(size)s pt leave wide gaps in a line of "
                    "%(width)s mm. More characters or a larger size."
                )
                % {
                    "chars": profile.chars,
                    "size": f"{profile.body_pt:g}",
                    "width": f"{profile.text_width_mm:g}",
                },
            )
        )
    if profile.line_pt < profile.body_pt * 1.25:
        problems.append(
            (
                "lines",
                _(
                    "%(lines)s lines of %(size)s pt do not fit a text block %(height)s mm "
                    "high: the lines would touch. Fewer lines or a smaller size."
                )
                % {
                    "lines": profile.lines,
                    "size": f"{profile.body_pt:g}",
                    "height": f"{profile.text_height_mm:g}",
                },
            )
        )
    if profile.line_pt < profile.title_pt * 1.05:
        problems.append(
            (
                "title_pt",
                _("A title of %(size)s pt does not fit the lines of the grid (%(pitch)s pt).")
                % {"size": f"{profile.title_pt:g}", "pitch": f"{profile.line_pt:g}"},
            )
        )
    return problems


def profile_of(element) -> Profile:
    """The profile a document was made with (`new_document`): from the document, or
    from any paragraph or table in it."""
    return getattr(element.part, "_wenyi_profile", GBT9704)


# --- text helpers (no python-docx) ----------------------------------------------------


def official_date(date: datetime.date) -> str:
    """A date as the standard writes it: Arabic numerals, no zero padding
    (2014年12月26日, 2015年1月5日)."""
    return f"{date.year}年{date.month}月{date.day}日"


def document_number(code: str, year: int, number: int | str) -> str:
    """发文字号: 机关代字 + 〔year〕 + number + 号, e.g. 临会办〔2014〕46号.

    The brackets are U+3014/U+3015 (not 【】 or ()), there is no "第", and the
    number has no leading zero ("046" gives 46).
    """
    return f"{code}\u3014{int(year)}\u3015{int(number)}号"


def split_paragraphs(text: str) -> list[str]:
    """Each non-empty line is a paragraph; the indent is the layout's, so leading
    spaces (also the full-width "　　" people type) are dropped."""
    lines = (line.strip().lstrip("\u3000").strip() for line in text.splitlines())
    return [line for line in lines if line]


def heading_level(line: str) -> int:
    """1 for "一、", 2 for "（一）", 3 for "1.", 4 for "（1）", 0 for body text."""
    for level, pattern in HEADING_PATTERNS:
        if pattern.match(line):
            return level
    return 0


def text_width(text: str) -> float:
    """Width in characters of 3号: Chinese characters and full-width forms (and the
    ambiguous ones, which Chinese fonts draw full width) count 1, the rest 0.5."""
    return sum(1 if unicodedata.east_asian_width(ch) in "WFA" else 0.5 for ch in text)


# --- paragraph and run formatting -----------------------------------------------------


def set_font(run, name: str, size_pt: float) -> None:
    """Font and size of a run, the name also for East Asian text (w:eastAsia), which
    is the one Word and WPS use for Chinese characters."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name  # ascii and hAnsi
    run.font.size = Pt(size_pt)
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def set_line_spacing(paragraph, pt: float | None = None) -> None:
    """Exact line spacing (one grid line of the document's profile by default), nothing
    before or after."""
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(pt if pt is not None else profile_of(paragraph).line_pt)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)


def indent_chars(paragraph, *, first_line: float = 0, left: float = 0, right: float = 0) -> None:
    """Indents in characters (w:*Chars, what Word shows as 字符) with the point values
    (characters of the body size) for programs that ignore them."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    size = profile_of(paragraph).body_pt
    fmt = paragraph.paragraph_format
    if first_line:
        fmt.first_line_indent = Pt(first_line * size)
    if left:
        fmt.left_indent = Pt(left * size)
    if right:
        fmt.right_indent = Pt(right * size)
    for attr, chars in (("firstLineChars", first_line), ("leftChars", left), ("rightChars", right)):
        if chars:
            ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
            ind.set(qn(f"w:{attr}"), str(round(chars * 100)))


def _eighths(mm: float) -> str:
    """A rule's thickness in eighths of a point (w:sz)."""
    return str(round(mm / 25.4 * 72 * 8))


def _border(tag: str, mm: float, *, color: str = "000000", space_pt: int = 0):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = OxmlElement(tag)
    attrs = {"val": "single", "sz": _eighths(mm), "space": str(space_pt), "color": color}
    for attr, value in attrs.items():
        el.set(qn(f"w:{attr}"), value)
    return el


# The order ECMA-376 gives the children of w:pPr and w:tblPr: Word refuses a file whose
# properties are out of order, so added elements go in their place.
_PPR_ORDER = (
    "w:pStyle w:keepNext w:keepLines w:pageBreakBefore w:framePr w:widowControl w:numPr "
    "w:suppressLineNumbers w:pBdr w:shd w:tabs w:suppressAutoHyphens w:kinsoku w:wordWrap "
    "w:overflowPunct w:topLinePunct w:autoSpaceDE w:autoSpaceDN w:bidi w:adjustRightInd "
    "w:snapToGrid w:spacing w:ind w:contextualSpacing w:mirrorIndents w:suppressOverlap "
    "w:jc w:textDirection w:textAlignment w:textboxTightWrap w:outlineLvl w:divId "
    "w:cnfStyle w:rPr w:sectPr w:pPrChange"
).split()
_TBLPR_ORDER = (
    "w:tblStyle w:tblpPr w:tblOverlap w:bidiVisual w:tblStyleRowBandSize "
    "w:tblStyleColBandSize w:tblW w:jc w:tblCellSpacing w:tblInd w:tblBorders w:shd "
    "w:tblLayout w:tblCellMar w:tblLook w:tblCaption w:tblDescription w:tblPrChange"
).split()


def _insert(parent, child, tag: str, order: list[str]) -> None:
    """Put `child` (a `tag` such as "w:pBdr") where `order` wants it among `parent`'s
    children."""
    parent.insert_element_before(child, *order[order.index(tag) + 1 :])


def _paragraph(document, text: str = "", *, font: str | None = None, size_pt: float | None = None):
    """A paragraph on the grid; `text` in the body font and size unless told."""
    profile = profile_of(document)
    paragraph = document.add_paragraph()
    set_line_spacing(paragraph, profile.line_pt)
    if text:
        set_font(
            paragraph.add_run(text),
            font or profile.font_body,
            size_pt if size_pt is not None else profile.body_pt,
        )
    return paragraph


# --- the document and its page --------------------------------------------------------


def _page_number(paragraph, profile: Profile) -> None:
    """ "— 1 —": an em dash each side of a PAGE field."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    font, size = profile.font_page_number, profile.small_pt
    set_font(paragraph.add_run("— "), font, size)
    for kind, instr in (("begin", None), (None, " PAGE "), ("separate", None), ("end", None)):
        run = paragraph.add_run()
        set_font(run, font, size)
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        else:
            text = OxmlElement("w:instrText")
            text.set(qn("xml:space"), "preserve")
            text.text = instr
            run._r.append(text)
        if kind == "separate":
            set_font(paragraph.add_run("1"), font, size)
    set_font(paragraph.add_run(" —"), font, size)


def _page_setup(document, profile: Profile) -> None:
    """A4 with the margins, the lines × characters grid, page numbers odd right / even
    left (w:evenAndOddHeaders in the settings, a default and an even footer)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    section = document.sections[0]
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    section.top_margin = Mm(profile.margin_top_mm)
    section.bottom_margin = Mm(profile.margin_bottom_mm)
    section.left_margin = Mm(profile.margin_left_mm)
    section.right_margin = Mm(profile.margin_right_mm)
    # the number's line (about 6 mm of 4号) starts 7 mm below the text block
    section.footer_distance = Mm(max(5, profile.margin_bottom_mm - 7 - 6))
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(profile.line_pitch_twips))
    grid.set(qn("w:charSpace"), str(profile.char_space))

    document.settings.odd_and_even_pages_header_footer = True
    for footer, align, side in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left"),
    ):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.alignment = align
        # one character in from the side
        if side == "right":
            paragraph.paragraph_format.right_indent = Pt(profile.small_pt)
        else:
            paragraph.paragraph_format.left_indent = Pt(profile.small_pt)
        _page_number(paragraph, profile)


def new_document(*, title: str = "", author: str = "", profile: Profile = GBT9704):
    """An empty document laid out by `profile` (GB/T 9704 unless told): A4, the
    margins, the 22 × 28 character grid, 3号 仿宋_GB2312 as the default text, and page
    numbers "— 1 —" in 4号 宋体 in the footer, odd pages right and even pages left,
    one character in.

    `title` and `author` go into the file's properties (what Word shows under
    File › Info), with the creation time now.
    """
    from django.utils import timezone
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    document.part._wenyi_profile = profile
    normal = document.styles["Normal"]
    normal.font.name = profile.font_body
    normal.font.size = Pt(profile.body_pt)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), profile.font_body)
    _page_setup(document, profile)

    props = document.core_properties
    props.title = title
    props.author = props.last_modified_by = author
    props.created = props.modified = timezone.now().replace(tzinfo=None, microsecond=0)
    return document


def to_bytes(document) -> bytes:
    """The document as .docx bytes."""
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def blank_line(document, count: int = 1) -> list:
    """`count` empty lines of the grid."""
    return [_paragraph(document) for _ in range(count)]


# --- the blocks, top to bottom ----------------------------------------------------------


def header(document, issuer: str, number: str, *, size_pt: float | None = None) -> tuple:
    """版头: the issuer's name (发文机关标志) and the document number (发文字号) with the
    red rule under them. Returns the two paragraphs.

    The name: red 方正小标宋简体, centred, its line starting 35 mm below the top of the
    text block. The standard fixes no size (only that it fits the text block and
    looks dignified): the profile's (2号 in GB/T 9704), so a name of 20 characters
    still fits; pass `size_pt` for another. The number (make it with
    `document_number`): 3号 仿宋 centred, two blank lines below. The red rule, as wide
    as the text block, hangs 4 mm below the number's line (a bottom border of its
    paragraph, so it stays with the number when the text above changes). The title
    follows two blank lines below the rule.
    """
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.shared import Mm, RGBColor

    profile = profile_of(document)
    size_pt = size_pt if size_pt is not None else profile.issuer_mark_pt
    name = _paragraph(document)
    name.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # a name larger than the grid's line would be clipped by an exact line spacing
    set_line_spacing(name, max(profile.line_pt, size_pt * 1.2))
    name.paragraph_format.space_before = Mm(ISSUER_TOP_MM)
    run = name.add_run(issuer)
    set_font(run, profile.font_title, size_pt)
    run.font.color.rgb = RGBColor.from_string(RED)

    blank_line(document, 2)

    num = _paragraph(document, number)
    num.alignment = WD_ALIGN_PARAGRAPH.CENTER
    borders = OxmlElement("w:pBdr")
    space = round(Mm(RED_RULE_GAP_MM).pt)  # w:space counts whole points: 11 pt ≈ 3.9 mm
    borders.append(_border("w:bottom", RED_RULE_MM, color=RED, space_pt=space))
    _insert(num._p.get_or_add_pPr(), borders, "w:pBdr", _PPR_ORDER)
    return name, num


def title(document, text: str):
    """标题: 2号 方正小标宋简体, centred. A line break in `text` ("\\n") breaks the
    title there: the standard wants long titles broken between words, which only the
    author can choose. Two blank lines below the header's red rule, if there is one."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    profile = profile_of(document)
    paragraph = _paragraph(document)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for i, part in enumerate(text.split("\n")):
        run = paragraph.add_run()
        if i:
            run.add_break()
        run.add_text(part.strip())
        set_font(run, profile.font_title, profile.title_pt)
    return paragraph


def addressee(document, text: str):
    """主送机关: flush left, ending with a full-width colon "：" (added if missing).
    One blank line below the title."""
    return _paragraph(document, text.rstrip(":：") + "：")


def heading_parts(text: str, level: int) -> tuple[str, str]:
    """A paragraph of heading `level` as (the part in the heading's font, the rest in
    the body font): the first sentence, up to the first "。" or the whole line, for
    "一、" and "（一）"; nothing for body text and the "1." and "（1）" levels, whose
    font is the body's."""
    if level not in (1, 2):
        return "", text
    end = text.find("。") + 1 or len(text)
    return text[:end], text[end:]


def paragraph(document, text: str, level: int = 0):
    """One paragraph of the text at heading `level` (0: body text; see `heading_level`):
    3号 仿宋_GB2312, the first line indented two characters; a heading "一、" puts its
    first sentence in 黑体, "（一）" in 楷体_GB2312 ("1." and "（1）" stay 仿宋). No
    bold: the standard asks for none."""
    profile = profile_of(document)
    result = _paragraph(document)
    indent_chars(result, first_line=2)
    lead, rest = heading_parts(text, level)
    if lead:
        set_font(result.add_run(lead), profile.fonts()[level], profile.body_pt)
    if rest:
        set_font(result.add_run(rest), profile.font_body, profile.body_pt)
    return result


def body(document, text: str) -> list:
    """正文: each non-empty line of `text` a paragraph (`paragraph`), its heading level
    read from its number: "一、", "（一）", "1.", "（1）"."""
    return [paragraph(document, line, heading_level(line)) for line in split_paragraphs(text)]


def attachment_note(document, names: Sequence[str]) -> list:
    """附件说明, one blank line below the text, indented two characters: "附件：名称"
    for one attachment, "附件：1. 名称" then "2. 名称" under it for several. Trailing
    punctuation of a name is dropped (the standard wants none)."""
    names = [name.strip().rstrip("。．.，,；;：:、") for name in names]
    paragraphs = []
    if len(names) == 1:
        paragraph = _paragraph(document, f"附件：{names[0]}")
        indent_chars(paragraph, first_line=2)
        return [paragraph]
    for i, name in enumerate(names, start=1):
        if i == 1:
            paragraph = _paragraph(document, f"附件：{i}. {name}")
            indent_chars(paragraph, first_line=2)
        else:
            paragraph = _paragraph(document, f"{i}. {name}")
            indent_chars(paragraph, left=2 + text_width("附件："))
        paragraphs.append(paragraph)
    return paragraphs


def signature(document, issuer: str, date: datetime.date | str) -> tuple:
    """署名 and 成文日期 (where the seal goes): the date four characters in from the
    right, the issuer's name centred over the date. A `datetime.date` is written as
    the standard wants it (2014年12月26日); a string is taken as written. Both lines are
    right-aligned; the name's right indent puts its middle over the date's middle
    (a name wider than the date moves right, never past the margin). Returns the two
    paragraphs."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    date_text = official_date(date) if isinstance(date, datetime.date) else date
    centred = SIGNATURE_RIGHT_CHARS + (text_width(date_text) - text_width(issuer)) / 2
    paragraphs = []
    for value, right in ((issuer, max(0, centred)), (date_text, SIGNATURE_RIGHT_CHARS)):
        paragraph = _paragraph(document, value)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        indent_chars(paragraph, right=right)
        paragraphs.append(paragraph)
    return tuple(paragraphs)


def attachment(document, title_text: str, number: int | None = None) -> tuple:
    """An attachment's first page: a new page, "附件" (or "附件1" when there are
    several) in 3号 黑体 flush left on the first line, its title centred on the third.
    Page numbers continue. Returns the label and title paragraphs."""
    label = _paragraph(document, f"附件{number or ''}", font=profile_of(document).font_heading1)
    label.paragraph_format.page_break_before = True
    blank_line(document)
    return label, title(document, title_text)


def end_block(
    document,
    *,
    printed_by: str,
    printed_on: datetime.date | str,
    copied_to: Sequence[str] = (),
):
    """版记 at the foot of the last page: "抄送：A，B。" (if anyone is copied) and the
    printing office with "2014年12月26日印发", in 4号 仿宋, one character in from each
    side. Rules as wide as the text block: the first and the last 0.35 mm, the one
    between 0.25 mm.

    A one-column table: its borders are the rules and its cell margins the
    one-character insets; it floats to the bottom of the text block (w:tblpPr anchored
    to the margin), so the last rule sits on the text block's bottom edge whatever
    the length of the text above. Returns the table.
    """
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    profile = profile_of(document)
    date_text = official_date(printed_on) if isinstance(printed_on, datetime.date) else printed_on
    lines = []
    if copied_to:
        lines.append(("抄送：" + "，".join(copied_to) + "。", ""))
    lines.append((printed_by, f"{date_text}印发"))

    width = Mm(profile.text_width_mm)
    table = document.add_table(rows=len(lines), cols=1)
    table.autofit = False  # w:tblLayout fixed: the width below holds
    table.columns[0].width = width
    tbl_pr = table._tbl.tblPr

    def prop(tag: str, **attrs):
        el = OxmlElement(tag)
        for attr, value in attrs.items():
            el.set(qn(f"w:{attr}"), str(value))
        _insert(tbl_pr, el, tag, _TBLPR_ORDER)
        return el

    prop(
        "w:tblpPr",
        vertAnchor="margin",
        horzAnchor="margin",
        tblpXSpec="center",
        tblpYSpec="bottom",
    )
    tbl_w = tbl_pr.find(qn("w:tblW"))
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(width.twips))
    borders = prop("w:tblBorders")
    borders.append(_border("w:top", END_RULE_THICK_MM))
    borders.append(_border("w:bottom", END_RULE_THICK_MM))
    borders.append(_border("w:insideH", END_RULE_THIN_MM))
    inset = Pt(profile.small_pt)  # one character of 4号
    margins = prop("w:tblCellMar")
    for side, value in (("top", 0), ("left", inset.twips), ("bottom", 0), ("right", inset.twips)):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(value))
        el.set(qn("w:type"), "dxa")
        margins.append(el)

    for row, (left, right) in zip(table.rows, lines, strict=True):
        cell = row.cells[0]
        cell.width = width
        paragraph = cell.paragraphs[0]
        set_line_spacing(paragraph, profile.line_pt)
        set_font(paragraph.add_run(left), profile.font_body, profile.small_pt)
        if right:
            # the date flush with the cell's right inset
            paragraph.paragraph_format.tab_stops.add_tab_stop(
                width - 2 * inset, WD_TAB_ALIGNMENT.RIGHT
            )
            set_font(paragraph.add_run("\t" + right), profile.font_body, profile.small_pt)
    return table
