"""The anthology as an EPUB 3 e-book, written directly with `zipfile`.

The package is small enough to write by hand, and so every rule the readers check is
ours to keep: the `mimetype` entry first and stored uncompressed (some EPUB libraries
compress it, and strict readers then refuse the book), the container pointing to the
package document, the package (version 3.0, `dc:identifier`, `dc:title`,
`dc:language` zh-Hans, `dcterms:modified`), a navigation document listing every work
in the book's order (plus the old NCX for EPUB 2 readers), and the spine in the same
order.

The reading order: the cover (its picture, when the book has one), the title page, the
preface, the contents, then per art form a title page and its works, each work a file
of its own — prose as paragraphs indented two characters, a poem line by line in
stanzas, pictures and score pages each with its caption, a film's still and its link —
with authors, unit and award under it; last the afterword. Pictures are made ready by
`book_pictures.ready`: at most 1600 px long, upright (not every reader turns a photo by
its EXIF), without metadata. No font is embedded: every reader has Chinese fonts, and
the CSS asks for a serif (宋体) body and sans-serif (黑体) headings. The zip is
reproducible: its entries carry a fixed date.
"""

from __future__ import annotations

import datetime
import io
import uuid
import zipfile
from contextlib import closing
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from django.conf import settings
from django.utils import translation

from wenyi.portal.book import (
    Book,
    Layout,
    Piece,
    compiled_by,
    credits,
    labels,
    paragraphs,
    printable,
    stanzas,
)
from wenyi.portal.book_pictures import EBOOK_SIDE, Ready, in_parallel, ready

MIMETYPE = b"application/epub+zip"
PACKAGE = "EPUB/package.opf"
_FIXED_DATE = (2000, 1, 1, 0, 0, 0)  # every entry's date: the same book, the same bytes

CSS = """\
@namespace epub "http://www.idpf.org/2007/ops";
body { font-family: serif; line-height: 1.8; margin: 0 0.5em; }
h1, h2 { font-family: sans-serif; font-weight: bold; text-align: center; line-height: 1.4; }
h1 { font-size: 1.6em; margin: 1em 0 1.5em; }
h2 { font-size: 1.3em; margin: 0.5em 0 1.2em; }
p { margin: 0; text-indent: 2em; text-align: justify; }
.part { margin-top: 35%; }
.preface p { font-family: "Kaiti SC", STKaiti, KaiTi, serif; }
.verses { display: table; margin: 0 auto; }
.stanza { margin-bottom: 1em; }
.verses p { text-indent: -2em; padding-left: 2em; text-align: left; }
.credits { margin-top: 1.5em; text-align: right; }
.credits p, .note, figcaption, .link, .title-page p { text-indent: 0; }
.credits p { text-align: right; font-family: "Kaiti SC", STKaiti, KaiTi, serif; }
.note { margin-top: 0.6em; font-size: 0.85em; color: #555; text-align: right; }
figure { margin: 0 0 1em; text-align: center; page-break-inside: avoid; }
figure img { max-width: 100%; max-height: 85vh; }
figcaption { margin-top: 0.4em; font-size: 0.95em; text-align: center; }
.film .link { margin-top: 1em; text-align: center; font-size: 0.85em; word-break: break-all; }
.cover { margin: 0; padding: 0; text-align: center; }
.cover img { max-width: 100%; height: 100%; max-height: 100vh; }
.title-page { margin-top: 30%; text-align: center; }
.title-page .subtitle { margin-top: 0.8em; font-size: 1.1em; text-align: center; }
.title-page .editor { margin-top: 4em; text-align: center; }
.title-page .date { margin-top: 0.5em; text-align: center; }
nav ol { list-style: none; padding-left: 0; }
nav ol ol { padding-left: 2em; }
"""


@dataclass
class _Entry:
    """A file of the book: its name in the package, content, media type, whether it is
    read in order (the spine) and the manifest's properties."""

    id: str
    href: str
    media_type: str
    content: bytes
    spine: bool = False
    properties: str = ""


@dataclass
class _Toc:
    label: str
    href: str
    children: list[_Toc] = field(default_factory=list)


def _page(title: str, body: str, language: str, kind: str = "") -> bytes:
    """An XHTML content document."""
    kind_attribute = f' epub:type="{kind}"' if kind else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"'
        f' lang="{language}" xml:lang="{language}">\n'
        f'<head>\n<meta charset="utf-8"/>\n<title>{escape(title)}</title>\n'
        '<link rel="stylesheet" type="text/css" href="style.css"/>\n</head>\n'
        f"<body{kind_attribute}>\n{body}\n</body>\n</html>\n"
    ).encode()


def _paragraphs(lines: list[str], css: str = "") -> str:
    attribute = f' class="{css}"' if css else ""
    return "\n".join(f"<p{attribute}>{escape(line)}</p>" for line in lines)


def _credits(piece: Piece) -> str:
    parts = []
    if lines := credits(piece):
        parts.append(f'<div class="credits">\n{_paragraphs(lines)}\n</div>')
    if piece.note:
        parts.append(f'<p class="note">{escape(printable(piece.note))}</p>')
    return "\n".join(parts)


def _figure(href: str, caption: str, title: str) -> str:
    caption = printable(caption)
    alt = escape(caption or title)
    shown = f"\n<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f'<figure>\n<img src="{href}" alt="{alt}"/>{shown}\n</figure>'


def _piece_body(piece: Piece, images: list[str], words: dict[str, str]) -> str:
    title = printable(piece.title)
    parts = [f"<h2>{escape(title)}</h2>"]
    captions = [picture.caption for picture in piece.pictures]
    if piece.layout == Layout.PROSE:
        parts.append(_paragraphs(paragraphs(piece.text)))
    elif piece.layout == Layout.POEM:
        verses = "\n".join(
            f'<div class="stanza">\n{_paragraphs(stanza)}\n</div>' for stanza in stanzas(piece.text)
        )
        parts.append(f'<div class="verses">\n{verses}\n</div>')
    else:
        parts.extend(
            _figure(href, caption, title) for href, caption in zip(images, captions, strict=False)
        )
        if piece.layout == Layout.FILM and piece.link:
            link = escape(piece.link, quote=True)
            parts.append(
                f'<p class="link"><a href="{link}">{escape(words["watch"])}</a><br/>'
                f"{escape(piece.link)}</p>"
            )
    parts.append(_credits(piece))
    return f'<section class="work {piece.layout}">\n' + "\n".join(parts) + "\n</section>"


def _shown(piece: Piece) -> list:
    if piece.layout in (Layout.IMAGE, Layout.SCORE):
        return piece.pictures
    if piece.layout == Layout.FILM:
        return piece.pictures[:1]
    return []


def _image(name: str, picture: Ready, properties: str = "") -> _Entry:
    href = f"images/{name}.{picture.extension}"
    return _Entry(name, href, picture.media_type, picture.data, properties=properties)


def _nav(toc: list[_Toc], words: dict[str, str], language: str, landmarks: str) -> bytes:
    def listing(items: list[_Toc]) -> str:
        rows = []
        for item in items:
            inner = f'<a href="{item.href}">{escape(item.label)}</a>'
            if item.children:
                inner += "\n" + listing(item.children)
            rows.append(f"<li>{inner}</li>")
        return "<ol>\n" + "\n".join(rows) + "\n</ol>"

    body = (
        f'<nav epub:type="toc" id="toc">\n<h1>{escape(words["contents"])}</h1>\n'
        f"{listing(toc)}\n</nav>\n"
        f'<nav epub:type="landmarks" hidden="hidden">\n<ol>\n{landmarks}\n</ol>\n</nav>'
    )
    return _page(words["contents"], body, language)


def _ncx(toc: list[_Toc], identifier: str, title: str) -> bytes:
    """The EPUB 2 table of contents, for older readers."""
    counter = iter(range(1, 100000))

    def points(items: list[_Toc]) -> str:
        out = []
        for item in items:
            order = next(counter)
            out.append(
                f'<navPoint id="p{order}" playOrder="{order}">'
                f"<navLabel><text>{escape(item.label)}</text></navLabel>"
                f'<content src="{item.href}"/>{points(item.children)}</navPoint>'
            )
        return "\n".join(out)

    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">\n'
        f'<head><meta name="dtb:uid" content="{escape(identifier)}"/></head>\n'
        f"<docTitle><text>{escape(title)}</text></docTitle>\n"
        f"<navMap>\n{points(toc)}\n</navMap>\n</ncx>\n"
    ).encode()


def _package(book: Book, entries: list[_Entry], identifier: str, cover: bool) -> bytes:
    from wenyi.core import clock

    language = book.language or "zh-Hans"
    modified = clock.now().astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    metadata = [
        f'<dc:identifier id="book-id">{escape(identifier)}</dc:identifier>',
        f"<dc:title>{escape(printable(book.title))}</dc:title>",
        f"<dc:language>{escape(language)}</dc:language>",
        f'<meta property="dcterms:modified">{modified}</meta>',
    ]
    if book.editor:
        metadata.append(f"<dc:creator>{escape(printable(book.editor))}</dc:creator>")
        metadata.append(f"<dc:publisher>{escape(printable(book.editor))}</dc:publisher>")
    if book.subtitle:
        metadata.append(f"<dc:description>{escape(printable(book.subtitle))}</dc:description>")
    if cover:
        metadata.append('<meta name="cover" content="cover-image"/>')  # EPUB 2 readers
    manifest = "\n".join(
        f'<item id="{entry.id}" href="{entry.href}" media-type="{entry.media_type}"'
        + (f' properties="{entry.properties}"' if entry.properties else "")
        + "/>"
        for entry in entries
    )
    spine = "\n".join(f'<itemref idref="{entry.id}"/>' for entry in entries if entry.spine)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<package xmlns="http://www.idpf.org/2007/opf" version="3.0"'
        f' unique-identifier="book-id" xml:lang="{escape(language)}">\n'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        + "\n".join(metadata)
        + f"\n</metadata>\n<manifest>\n{manifest}\n</manifest>\n"
        f'<spine toc="ncx">\n{spine}\n</spine>\n</package>\n'
    ).encode()


CONTAINER = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">\n'
    f'<rootfiles><rootfile full-path="{PACKAGE}" media-type="application/oebps-package+xml"/>'
    "</rootfiles>\n</container>\n"
).encode()


def identifier_of(book: Book) -> str:
    """The book's id, or one made from its title, editor and date (the same book keeps it)."""
    if book.identifier:
        return book.identifier
    seed = "\n".join(("wenyi-anthology", book.title, book.editor, book.date_text))
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, seed)}"


def _zip(entries: list[_Entry], package: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # first, stored, without extra fields: readers identify the file by these bytes
        archive.writestr(zipfile.ZipInfo("mimetype", _FIXED_DATE), MIMETYPE, zipfile.ZIP_STORED)
        files = [("META-INF/container.xml", CONTAINER, "text"), (PACKAGE, package, "text")]
        files += [(f"EPUB/{entry.href}", entry.content, entry.media_type) for entry in entries]
        for name, content, media_type in files:
            packed = media_type.startswith("image/")  # JPEG and PNG are compressed already
            method = zipfile.ZIP_STORED if packed else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(name, _FIXED_DATE), content, method)
    return buffer.getvalue()


def render_epub(book: Book) -> bytes:
    """The book as an EPUB 3, in the site's language. Raises CannotMake when a picture
    cannot be read."""
    with translation.override(settings.LANGUAGE_CODE):
        return _render(book)


def _title_page(book: Book) -> str:
    lines = [f"<h1>{escape(printable(book.title))}</h1>"]
    if book.subtitle:
        lines.append(f'<p class="subtitle">{escape(printable(book.subtitle))}</p>')
    if book.editor:
        lines.append(f'<p class="editor">{escape(compiled_by(book))}</p>')
    if book.date_text:
        lines.append(f'<p class="date">{escape(printable(book.date_text))}</p>')
    return (
        '<section class="title-page" epub:type="titlepage">\n' + "\n".join(lines) + "\n</section>"
    )


def _essay(heading: str, text: list[str], kind: str) -> str:
    return (
        f'<section class="preface" epub:type="{kind}">\n'
        f"<h1>{escape(heading)}</h1>\n{_paragraphs(text)}\n</section>"
    )


def _landmark(kind: str, href: str, label: str) -> str:
    return f'<li><a epub:type="{kind}" href="{href}">{escape(label)}</a></li>'


def _render(book: Book) -> bytes:
    words = labels()
    language = book.language or "zh-Hans"
    title = printable(book.title)

    def page(key: str, href: str, heading: str, body: str) -> _Entry:
        content = _page(heading, body, language)
        return _Entry(key, href, "application/xhtml+xml", content, spine=True)

    entries = [_Entry("css", "style.css", "text/css", CSS.encode())]
    toc: list[_Toc] = []
    landmarks: list[str] = []

    jobs: list[tuple[Path, str]] = []
    if book.cover is not None:
        jobs.append((Path(book.cover), title))
    for piece in book.pieces():
        jobs.extend((Path(picture.path), printable(piece.title)) for picture in _shown(piece))

    def prepare(job: tuple[Path, str]) -> Ready:
        return ready(job[0], max_side=EBOOK_SIDE, upright=True, title=job[1])

    with closing(in_parallel(prepare, jobs)) as pictures:
        if book.cover is not None:
            image = _image("cover-image", next(pictures), properties="cover-image")
            body = f'<div class="cover"><img src="{image.href}" alt="{escape(title)}"/></div>'
            entries += [image, page("cover", "cover.xhtml", title, body)]
            landmarks.append(_landmark("cover", "cover.xhtml", words["cover"]))
        entries.append(page("title-page", "title.xhtml", title, _title_page(book)))
        if text := paragraphs(book.preface):
            body = _essay(words["preface"], text, "preface")
            entries.append(page("preface", "preface.xhtml", words["preface"], body))
            toc.append(_Toc(words["preface"], "preface.xhtml"))
        nav = page("nav", "nav.xhtml", words["contents"], "")
        nav.properties = "nav"
        entries.append(nav)  # the contents, read after the preface
        landmarks.append(_landmark("toc", "nav.xhtml#toc", words["contents"]))
        number = 0
        for index, section in enumerate(book.sections, start=1):
            href, name = f"part-{index:02d}.xhtml", printable(section.title)
            body = f'<section class="part" epub:type="part">\n<h1>{escape(name)}</h1>\n</section>'
            entries.append(page(f"part-{index:02d}", href, name, body))
            part = _Toc(name, href)
            toc.append(part)
            if index == 1:
                landmarks.append(_landmark("bodymatter", href, name))
            for piece in section.pieces:
                number += 1
                images = [
                    _image(f"image-{number:04d}-{k}", next(pictures))
                    for k in range(1, len(_shown(piece)) + 1)
                ]
                body = _piece_body(piece, [image.href for image in images], words)
                href, name = f"work-{number:04d}.xhtml", printable(piece.title)
                entries += [*images, page(f"work-{number:04d}", href, name, body)]
                part.children.append(_Toc(name, href))
    if text := paragraphs(book.editor_note):
        body = _essay(words["afterword"], text, "afterword")
        entries.append(page("afterword", "afterword.xhtml", words["afterword"], body))
        toc.append(_Toc(words["afterword"], "afterword.xhtml"))
    nav.content = _nav(toc, words, language, "\n".join(landmarks))
    identifier = identifier_of(book)
    entries.append(
        _Entry("ncx", "toc.ncx", "application/x-dtbncx+xml", _ncx(toc, identifier, title))
    )
    package = _package(book, entries, identifier, cover=book.cover is not None)
    return _zip(entries, package)
