"""The anthology (作品汇编, R12) as a book: what goes into it, prepared from the database
by `wenyi.portal.anthology.prepare`, and its two renderings — the print PDF
(`book_pdf.render_pdf`, Typst, `typst/anthology.typ`) and the EPUB 3
(`book_epub.render_epub`) — which read nothing but this.

Below the dataclasses, what both renderings share, so they print the same words: a
prose text as paragraphs, a poem as stanzas of lines, the credits under a work
(authors, unit, award) and the labels, in the active language (the renderings choose
the site's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _


class Layout:
    """How a work is set in the book."""

    PROSE = "prose"  # paragraphs, two-character indent
    POEM = "poem"  # line by line, as written
    IMAGE = "image"  # photograph, calligraphy, painting: full page with caption
    SCORE = "score"  # song score: its pages, one per page
    FILM = "film"  # a still and a QR code to the work's public page


@dataclass
class Picture:
    path: Path  # a JPEG or PNG on disk (scores: one picture per page)
    caption: str = ""


@dataclass
class Piece:
    """One work in the book."""

    work_id: int
    title: str
    layout: str  # a Layout value
    authors: str  # "张三、李四"
    unit: str
    award: str = ""  # "优秀文艺作品 一等奖", or "" when the work has no award
    text: str = ""  # PROSE and POEM: the text, lines as written
    pictures: list[Picture] = field(default_factory=list)  # IMAGE, SCORE, FILM (the still)
    link: str = ""  # FILM: the absolute address of the work's public page
    note: str = ""  # a short description, printed small under the work


@dataclass
class Section:
    """The works of one art form, in the book's order."""

    title: str  # the art form, e.g. 诗词（诗歌）
    pieces: list[Piece] = field(default_factory=list)


@dataclass
class Book:
    title: str
    subtitle: str = ""
    editor: str = ""  # who compiles it, e.g. 临沂市总工会
    date_text: str = ""  # e.g. 二〇一四年十二月
    preface: str = ""  # paragraphs separated by line breaks
    editor_note: str = ""  # 编后记, same
    cover: Path | None = None  # a picture for the cover, or None for a plain cover
    page_size: str = "a5"  # "a4" or "a5"
    identifier: str = ""  # a stable id of the book (urn:uuid:…), for the EPUB
    language: str = "zh-Hans"
    sections: list[Section] = field(default_factory=list)

    def pieces(self) -> list[Piece]:
        return [piece for section in self.sections for piece in section.pieces]


# --- what both renderings share ----------------------------------------------------------

# characters XML 1.0 forbids (pasted control characters would make an e-book unreadable
# and print as nothing or a box)
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


def printable(text: str) -> str:
    return _UNPRINTABLE.sub("", text or "")


def paragraphs(text: str) -> list[str]:
    """Prose: each non-empty line a paragraph, without the indent people type (the
    layout indents)."""
    from wenyi.core.docx import split_paragraphs

    return split_paragraphs(printable(text))


def stanzas(text: str) -> list[list[str]]:
    """A poem: its lines as written (leading spaces kept), stanzas at blank lines."""
    found: list[list[str]] = [[]]
    for line in printable(text).splitlines():
        line = line.rstrip()
        if line.strip():
            found[-1].append(line)
        elif found[-1]:
            found.append([])
    return [stanza for stanza in found if stanza]


def credits(piece: Piece) -> list[str]:
    """The lines printed under a work: its authors, unit and award (those it has)."""
    lines = []
    if piece.authors:
        lines.append(_("Author: %(names)s") % {"names": printable(piece.authors)})
    if piece.unit:
        lines.append(_("Unit: %(unit)s") % {"unit": printable(piece.unit)})
    if piece.award:
        lines.append(_("Award: %(award)s") % {"award": printable(piece.award)})
    return lines


def compiled_by(book: Book) -> str:
    return _("Compiled by %(editor)s") % {"editor": printable(book.editor)} if book.editor else ""


def labels() -> dict[str, str]:
    """Every word the book prints besides its content, in the active language."""
    return {
        "contents": _("Contents"),
        "preface": _("Preface"),
        "afterword": _("Afterword"),
        "scan": _("Scan to watch"),
        "watch": _("Watch online"),
        "cover": _("Cover"),
    }
