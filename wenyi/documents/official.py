"""One model of an official document (公文) and its two renderers.

`OfficialDocument` holds what a document after GB/T 9704-2012 says, block by block:
the issuer mark and the document number (版头), the title, the addressee, the text as
paragraphs with their heading levels, the attachment note, the issuer and the date, the
attachments (each a title and sections: a heading, then its lines) and the end block
(抄送, 印发). The commendation decision (documents.commendation) and the campaign's
own notice (documents.campaign_notice) fill one in from the data; `to_docx` and
`to_pdf` lay it out:

- `.docx` through wenyi.core.docx: official font names kept (仿宋_GB2312, 方正小标宋简体,
  黑体, 楷体_GB2312, 宋体), editable in WPS and Word;
- PDF through Typst (typst/official.typ): the same layout, with the free fonts found on
  this machine standing in for the official ones (wenyi.core.typst), each font a list
  ending with every Chinese family found, so no character is printed as an empty box;
  the PDF's metadata names the stand-ins.

Both take a `Profile` (GB/T 9704 unless an office's house rules change it) and agree on
the text: a heading's first sentence in its font, the title broken into the same lines
(`title_lines`), the same attachment note.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from wenyi.core import clock, typst
from wenyi.core import docx as official
from wenyi.core.docx import GBT9704, Profile

TEMPLATE = Path(__file__).resolve().parent / "typst" / "official.typ"

Progress = Callable[[int, int], None]


@dataclass
class Paragraph:
    """A paragraph of the text; `level` 1 ("一、") to 4 ("（1）"), 0 for body text."""

    text: str
    level: int = 0


@dataclass
class Section:
    """A part of an attachment: an optional heading (a paragraph at its level), then
    its lines, one a paragraph (e.g. a tier of an award kind and its winners)."""

    heading: Paragraph | None = None
    rows: list[str] = field(default_factory=list)


@dataclass
class Attachment:
    title: str
    sections: list[Section] = field(default_factory=list)


@dataclass
class OfficialDocument:
    issuer_mark: str
    number: str
    title: str  # "\n" breaks it where the author wants; otherwise `title_lines` does
    addressee: str
    paragraphs: list[Paragraph]
    issuer: str
    date: datetime.date
    attachments: list[Attachment] = field(default_factory=list)
    copies_to: list[str] = field(default_factory=list)
    printed_by: str = ""
    printed_on: datetime.date | None = None
    # the attachment note's names; by default the attachments' titles
    attachment_names: list[str] | None = None

    @property
    def plain_title(self) -> str:
        return plain(self.title)

    def note_names(self) -> list[str]:
        if self.attachment_names is not None:
            return list(self.attachment_names)
        return [plain(attachment.title) for attachment in self.attachments]

    def size(self) -> int:
        """How many paragraphs and lines it has (a measure of the work of laying it
        out, for progress)."""
        return len(self.paragraphs) + sum(
            len(s.rows) + 1 for a in self.attachments for s in a.sections
        )


def plain(title: str) -> str:
    """A title on one line (its author's breaks taken out)."""
    return "".join(part.strip() for part in title.split("\n"))


def paragraphs_from_text(text: str) -> list[Paragraph]:
    """Each non-empty line of `text` a paragraph, its level read from its number
    ("一、", "（一）", "1.", "（1）")."""
    return [
        Paragraph(line, official.heading_level(line)) for line in official.split_paragraphs(text)
    ]


def split_list(text: str) -> list[str]:
    """ "市文广新局，市文联" → ["市文广新局", "市文联"]: names as an office types them,
    separated by commas or semicolons (full or half width) or lines."""
    return [name.strip() for name in re.split(r"[，,;；\n]+", text or "") if name.strip()]


# --- the title's lines ----------------------------------------------------------------

# a good place to break a title: after these …
_BREAK_AFTER = set("、，；和及与暨")
# … and before these words
_BREAK_BEFORE = ("深入", "先进", "优秀", "有关", "工作", "的决定", "的通知", "的意见", "的报告")
_NO_LINE_START = set("、，。；：）》〕」』”’")
_NO_LINE_END = set("（《〔「『“‘")


def title_lines(text: str, profile: Profile = GBT9704) -> list[str]:
    """The title as lines: where the author broke it ("\\n"), or, if it is longer than
    a line of the title's size, broken into lines of about equal length (the standard's
    trapezoid or diamond) at good places — after "、" or "和", before "深入", "先进",
    "的决定" … — never inside a number or a Latin word, never before a closing or after
    an opening bracket. One line more is taken when that spares a break inside a word."""
    if "\n" in text:
        return [line.strip() for line in text.split("\n") if line.strip()]
    text = text.strip()
    capacity = math.floor(profile.text_width_mm / official.MM_PER_PT / profile.title_pt)
    width = official.text_width(text)
    if width <= capacity or len(text) < 4:
        return [text]
    fewest = math.ceil(width / capacity)
    options = []
    for count in (fewest, fewest + 1):
        found = _breaks(text, count, capacity)
        if found is not None:
            cost, breaks = found
            options.append((cost + EXTRA_LINE_COST * (count - fewest), breaks))
    if not options:
        return [text]
    _cost, breaks = min(options)
    edges = [0, *breaks, len(text)]
    return [text[a:b] for a, b in zip(edges, edges[1:], strict=False)]


EXTRA_LINE_COST = 2  # a line more than needed costs as much as 2 characters off balance
PLAIN_BREAK_COST = 8  # a break that is not at a good place (inside a word, perhaps)


def _breaks(text: str, count: int, capacity: float) -> tuple[float, list[int]] | None:
    """The cheapest `count - 1` break positions (each line within `capacity`): the cost
    of a break is how far its line's end lies from the balanced one, plus its place's."""
    widths = [0.0]
    for ch in text:
        widths.append(widths[-1] + official.text_width(ch))
    target = widths[-1] / count
    n = len(text)
    # best[k][i]: the cheapest way to end line k at position i, with where line k-1 ended
    best: list[dict[int, tuple[float, int]]] = [{0: (0.0, -1)}]
    for k in range(1, count):
        row: dict[int, tuple[float, int]] = {}
        for start, (cost, _prev) in best[k - 1].items():
            for i in range(start + 1, n):
                if widths[i] - widths[start] > capacity:
                    break
                if widths[n] - widths[i] > capacity * (count - k):
                    continue  # the rest would not fit the lines left
                total = cost + abs(widths[i] - k * target) + _break_cost(text, i)
                if i not in row or total < row[i][0]:
                    row[i] = (total, start)
        if not row:
            return None
        best.append(row)
    ends = {i: c for i, (c, _p) in best[-1].items() if widths[n] - widths[i] <= capacity}
    if not ends:
        return None
    last = min(ends, key=ends.__getitem__)
    breaks, position = [], last
    for k in range(count - 1, 0, -1):
        breaks.append(position)
        position = best[k][position][1]
    return ends[last], breaks[::-1]


def _break_cost(text: str, i: int) -> float:
    before, after = text[i - 1], text[i]
    if before.isascii() and after.isascii() and before.isalnum() and after.isalnum():
        return 100
    if after in _NO_LINE_START or before in _NO_LINE_END:
        return 100
    if before in _BREAK_AFTER or any(text.startswith(word, i) for word in _BREAK_BEFORE):
        return 0
    return PLAIN_BREAK_COST


# --- .docx ------------------------------------------------------------------------------


def to_docx(doc: OfficialDocument, profile: Profile = GBT9704) -> bytes:
    """The document as an editable .docx (wenyi.core.docx), the official font names kept."""
    document = official.new_document(
        title=doc.plain_title, author=doc.printed_by or doc.issuer, profile=profile
    )
    if doc.issuer_mark:
        official.header(document, doc.issuer_mark, doc.number)
        official.blank_line(document, 2)
    official.title(document, "\n".join(title_lines(doc.title, profile)))
    official.blank_line(document)
    if doc.addressee:
        official.addressee(document, doc.addressee)
    for item in doc.paragraphs:
        official.paragraph(document, item.text, item.level)
    names = doc.note_names()
    if names:
        official.blank_line(document)
        official.attachment_note(document, names)
    official.blank_line(document, 2)  # room for the seal
    official.signature(document, doc.issuer, doc.date)
    several = len(doc.attachments) > 1
    for number, attachment in enumerate(doc.attachments, start=1):
        official.attachment(
            document,
            "\n".join(title_lines(attachment.title, profile)),
            number if several else None,
        )
        official.blank_line(document)
        for section in attachment.sections:
            if section.heading is not None:
                official.paragraph(document, section.heading.text, section.heading.level)
            for row in section.rows:
                official.paragraph(document, row)
    if doc.printed_by:
        official.end_block(
            document,
            printed_by=doc.printed_by,
            printed_on=doc.printed_on or doc.date,
            copied_to=doc.copies_to,
        )
    return official.to_bytes(document)


# --- PDF ---------------------------------------------------------------------------------

# the stand-in list (core.typst) for the official font a role names by default
_ROLES = {
    "font_body": "fangsong",
    "font_title": "xiaobiaosong",
    "font_heading1": "heiti",
    "font_heading2": "kaiti",
    "font_page_number": "songti",
}
# which stand-in list an official font name calls for, by what it says it is
_KINDS = (("小标宋", "xiaobiaosong"), ("标宋", "xiaobiaosong"), ("仿宋", "fangsong"),
          ("黑", "heiti"), ("楷", "kaiti"), ("宋", "songti"))  # fmt: skip


def pdf_fonts(profile: Profile = GBT9704) -> dict[str, list[str]]:
    """For each font of the profile (body, title, heading1, heading2, page_number), the
    families Typst uses, best first: the named font itself when this machine has it,
    then the stand-ins for the kind of font it names (core.typst.stand_ins), ending
    with every Chinese family found. Raises TypstFailed without any Chinese font."""
    stand_ins = typst.stand_ins()
    found = typst.families()
    chosen = {}
    for role, default in _ROLES.items():
        name = getattr(profile, role)
        kind = next((key for word, key in _KINDS if word in name), default)
        own = [name] if name.lower() in found else []
        chosen[role.removeprefix("font_")] = own + [f for f in stand_ins[kind] if f != name]
    return chosen


def stand_in_note(profile: Profile, fonts: dict[str, list[str]]) -> list[str]:
    """ "仿宋_GB2312 → FandolFang" for each font of the profile (once per name)."""
    seen: dict[str, str] = {}
    for role in _ROLES:
        name = getattr(profile, role)
        seen.setdefault(name, fonts[role.removeprefix("font_")][0])
    return [f"{name} → {family}" for name, family in seen.items()]


def _text(item: Paragraph) -> dict[str, Any]:
    lead, rest = official.heading_parts(item.text, item.level)
    return {"lead": lead, "rest": rest, "level": item.level}


def _attachment_note(names: list[str]) -> list[str]:
    names = [name.strip().rstrip("。．.，,；;：:、") for name in names]
    if len(names) == 1:
        return [f"附件：{names[0]}"]
    return [
        f"附件：{i}. {name}" if i == 1 else f"{i}. {name}" for i, name in enumerate(names, start=1)
    ]


def pdf_data(doc: OfficialDocument, profile: Profile = GBT9704) -> dict[str, Any]:
    """What typst/official.typ reads: the document's text in its blocks, the profile's
    numbers and the font lists. Raises TypstFailed without any Chinese font."""
    fonts = pdf_fonts(profile)
    note = stand_in_note(profile, fonts)
    # a stand-in for 小标宋 is a plain serif font: its bold comes closest; a real
    # 小标宋 found here is used as it is
    title_weight = "regular" if fonts["title"][0] == profile.font_title else "bold"
    several = len(doc.attachments) > 1
    printed_on = doc.printed_on or doc.date
    return {
        "meta": {
            "title": doc.plain_title,
            "author": doc.printed_by or doc.issuer,
            "keywords": [doc.number, *note] if doc.number else note,
            "subject": _("Fonts standing in for the official ones: %(fonts)s")
            % {"fonts": "; ".join(note)},
        },
        "profile": {
            "margin_top_mm": profile.margin_top_mm,
            "margin_bottom_mm": profile.margin_bottom_mm,
            "margin_left_mm": profile.margin_left_mm,
            "margin_right_mm": profile.margin_right_mm,
            "line_pt": profile.line_pt,
            "body_pt": profile.body_pt,
            "title_pt": profile.title_pt,
            "issuer_mark_pt": profile.issuer_mark_pt,
            "small_pt": profile.small_pt,
            "tracking_pt": round(profile.char_pitch_pt - profile.body_pt, 4),
            "issuer_top_mm": official.ISSUER_TOP_MM,
            "red_rule_gap_mm": official.RED_RULE_GAP_MM,
            "red_rule_mm": official.RED_RULE_MM,
            "end_rule_thick_mm": official.END_RULE_THICK_MM,
            "end_rule_thin_mm": official.END_RULE_THIN_MM,
            "footer_gap_mm": 7,
            "signature_right_chars": official.SIGNATURE_RIGHT_CHARS,
            "title_weight": title_weight,
            "fonts": fonts,
        },
        "issuer_mark": doc.issuer_mark,
        "number": doc.number,
        "title": title_lines(doc.title, profile),
        "addressee": doc.addressee.rstrip(":：") + "：" if doc.addressee else "",
        "paragraphs": [_text(item) for item in doc.paragraphs],
        "attachment_note": _attachment_note(doc.note_names()) if doc.note_names() else [],
        "signature": {"issuer": doc.issuer, "date": official.official_date(doc.date)},
        "attachments": [
            {
                "label": f"附件{number if several else ''}",
                "title": title_lines(attachment.title, profile),
                "sections": [
                    {
                        "heading": _text(section.heading) if section.heading else None,
                        "rows": section.rows,
                    }
                    for section in attachment.sections
                ],
            }
            for number, attachment in enumerate(doc.attachments, start=1)
        ],
        "end_block": {
            "copies": "抄送：" + "，".join(doc.copies_to) + "。" if doc.copies_to else "",
            "printed_by": doc.printed_by,
            "printed_on": f"{official.official_date(printed_on)}印发",
        }
        if doc.printed_by
        else None,
    }


def compile_data(data: dict[str, Any]) -> bytes:
    """The PDF of prepared `pdf_data`. Raises TypstFailed."""
    return typst.compile_pdf(TEMPLATE, data, timestamp=int(clock.now().timestamp()))


def to_pdf(doc: OfficialDocument, profile: Profile = GBT9704) -> bytes:
    """The document as PDF (Typst), free fonts standing in for the official ones (named
    in its metadata). Raises TypstFailed."""
    return compile_data(pdf_data(doc, profile))


def render(doc: OfficialDocument, fmt: str, profile: Profile = GBT9704) -> bytes:
    """The document in `fmt` ("docx" or "pdf")."""
    if fmt == "docx":
        return to_docx(doc, profile)
    if fmt == "pdf":
        return to_pdf(doc, profile)
    raise ValueError(fmt)


def note_for(fmt: str, profile: Profile = GBT9704) -> str:
    """What the archive notes of a file: for a PDF, the fonts that stood in."""
    if fmt != "pdf":
        return ""
    fonts = pdf_fonts(profile)
    return _("Fonts standing in for the official ones: %(fonts)s") % {
        "fonts": "; ".join(stand_in_note(profile, fonts))
    }
