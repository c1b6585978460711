"""The anthology's print PDF: a `Book` set with Typst (`typst/anthology.typ`) in one compile.

`pdf_inputs` prepares what the compile reads — the template, its data (the book's texts,
the labels in the site's language, the fonts found here, the page's measures, a QR code
per film as SVG) and the root folder the pictures are in — and `render_pdf` compiles
it with `wenyi.core.typst.compile_pdf`. One compile makes the whole book: Typst lays out
600 pages in seconds, and the table of contents needs the pages of every work anyway.

**Pictures, each as a one-page PDF.** Typst decodes every raster picture it places and
keeps the pixels until the PDF is written: 150 photos of 2000 px hold 1.6 GB. A PDF
page it places as it is, copying its objects into the book. So each picture goes in as
a small PDF of one page holding it (`picture_pdf`): a JPEG as its own bytes (DCTDecode:
not decoded, not re-encoded, turned upright by the page's matrix as its EXIF says), a
PNG decoded once and deflated. The pictures themselves are made ready by
`book_pictures.ready` — at most 2000 px long, without metadata — on a few threads.

**The root.** Typst reads files only inside the compile's root, so each book gets a
folder, `<WENYI_DATA_DIR>/tmp/anthology/book-<host>-<process>-<n>`, for its pictures'
PDFs. The root (`<WENYI_DATA_DIR>/tmp/anthology`, the template copied into it) is the
same for every book: `compile_pdf` keeps one compiler per template and root, and a root
per book would keep one per book for the life of the process. The folders' names come
back too (the first not in use): the compiler keeps the bytes of every file it has read
by its path, so new names for every book would keep every book's pictures in memory
(36 MB more per render of 60 photos, measured), while the same names replace them.
`render_pdf` removes its book's folder once compiled; folders that `pdf_inputs`
prepared for a caller who compiles them itself (the benchmark) are removed when the
process ends, and any left by a process that died are swept after a day.

**Fonts.** The `songti`, `heiti` and `kaiti` stand-ins of `core.typst.stand_ins` (body,
headings, captions and prefaces), each ending with every Chinese family found, so a
rare character (𠮷, 喆, 堃) missing from one font comes from the next. Typst embeds
only the glyphs used (subset fonts), so the fonts add a few hundred kilobytes, not the
tens of megabytes of the font files.
"""

from __future__ import annotations

import atexit
import io
import os
import shutil
import socket
import tempfile
import threading
import time
import zlib
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

from django.conf import settings

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
from wenyi.portal.book_pictures import PRINT_SIDE, Ready, eight_bit, in_parallel, ready

TEMPLATE = Path(__file__).parent / "typst" / "anthology.typ"

# the page: paper, margins (inside: the binding's side), body size in points, line
# spacing, the cover title's size and the QR code's width
PAGES: dict[str, dict[str, Any]] = {
    "a5": {
        "paper": "a5",
        "top_mm": 18,
        "bottom_mm": 20,
        "inside_mm": 19,
        "outside_mm": 15,
        "body_pt": 10.5,  # 五号
        "leading_em": 0.75,
        "cover_pt": 30,
        "qr_mm": 28,
    },
    "a4": {
        "paper": "a4",
        "top_mm": 25,
        "bottom_mm": 25,
        "inside_mm": 27,
        "outside_mm": 22,
        "body_pt": 12,  # 小四
        "leading_em": 0.8,
        "cover_pt": 40,
        "qr_mm": 34,
    },
}

STALE_SECONDS = 24 * 3600
_lock = threading.Lock()
_busy: set[Path] = set()  # the book folders of this process in use

Progress = Callable[[int, int], None]


# --- a picture as a one-page PDF ------------------------------------------------------------

# the page's matrix per EXIF orientation, mapping the image's unit square onto a page of
# the upright size (w, h): mirrored and turned as the orientation says
_MATRICES = {
    1: lambda w, h: (w, 0, 0, h, 0, 0),
    2: lambda w, h: (-w, 0, 0, h, w, 0),
    3: lambda w, h: (-w, 0, 0, -h, w, h),
    4: lambda w, h: (w, 0, 0, -h, 0, h),
    5: lambda w, h: (0, -h, -w, 0, w, h),
    6: lambda w, h: (0, -h, w, 0, 0, h),
    7: lambda w, h: (0, h, w, 0, 0, 0),
    8: lambda w, h: (0, h, -w, 0, w, 0),
}
_PAGE_LONG_SIDE = 1000  # the page's long side in points (PDF pages stay under 14400)


def _png_pixels(data: bytes) -> tuple[bytes, str, int, int]:
    """A PNG's pixels, on white where transparent: (deflated, colour space, w, h)."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:  # upright already (book_pictures.ready)
        image.load()
        picture = eight_bit(image)
    if picture.mode == "1":
        picture = picture.convert("L")
    elif picture.mode in ("LA", "La"):
        white = Image.new("L", picture.size, 255)
        white.paste(picture.convert("L"), mask=picture.getchannel("A"))
        picture = white
    elif picture.mode not in ("L", "RGB"):
        rgba = picture.convert("RGBA")
        picture = Image.new("RGB", picture.size, (255, 255, 255))
        picture.paste(rgba, mask=rgba.getchannel("A"))
    space = "/DeviceGray" if picture.mode == "L" else "/DeviceRGB"
    return zlib.compress(picture.tobytes(), 6), space, picture.width, picture.height


def picture_pdf(picture: Ready) -> bytes:
    """`picture` as a PDF of one page of its upright proportions (see the module's
    docstring)."""
    extra: list[bytes] = []
    if picture.extension == "jpg":
        stream, orientation = picture.data, picture.orientation
        width, height = picture.stored_size
        space = {"L": "/DeviceGray", "RGB": "/DeviceRGB", "CMYK": "/DeviceCMYK"}[picture.mode]
        if picture.icc:
            channels = {"L": 1, "RGB": 3, "CMYK": 4}[picture.mode]
            extra.append(
                f"<< /N {channels} /Length {len(picture.icc)} >>\nstream\n".encode()
                + picture.icc
                + b"\nendstream"
            )
            space = "[/ICCBased 6 0 R]"
        flags = "/Filter /DCTDecode"
        if picture.mode == "CMYK" and picture.adobe:
            flags += " /Decode [1 0 1 0 1 0 1 0]"
    else:
        stream, space, width, height = _png_pixels(picture.data)
        orientation, flags = 1, "/Filter /FlateDecode"
    shown_w, shown_h = (height, width) if orientation in (5, 6, 7, 8) else (width, height)
    scale = _PAGE_LONG_SIDE / max(shown_w, shown_h)
    page_w, page_h = round(shown_w * scale, 3), round(shown_h * scale, 3)
    matrix = " ".join(f"{value:g}" for value in _MATRICES[orientation](page_w, page_h))
    content = f"q {matrix} cm /Im0 Do Q".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {page_w:g} {page_h:g}] "
        "/Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>".encode(),
        f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} "
        f"/ColorSpace {space} /BitsPerComponent 8 {flags} /Length {len(stream)} >>\n"
        "stream\n".encode()
        + stream
        + b"\nendstream",
        f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream",
        *extra,
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


# --- the compile's root ------------------------------------------------------------------------


def workspace() -> Path:
    """The compile's root: the template (copied, so Typst reads it inside the root) and a
    folder per book. The same for every book (see the module's docstring)."""
    root = Path(settings.DATA_DIR) / "tmp" / "anthology"
    root.mkdir(parents=True, exist_ok=True)
    template = root / TEMPLATE.name
    source = TEMPLATE.read_bytes()
    if not template.exists() or template.read_bytes() != source:
        # another process may be compiling from it: write beside it, then swap at once
        handle, spare = tempfile.mkstemp(dir=root, suffix=".typ")
        with os.fdopen(handle, "wb") as out:
            out.write(source)
        os.replace(spare, template)
    return root


def _sweep(root: Path) -> None:
    """Remove the book folders a dead process left behind (older than a day)."""
    limit = time.time() - STALE_SECONDS
    for folder in root.glob("book-*"):
        try:
            if folder not in _busy and folder.is_dir() and folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def _claim(root: Path) -> Path:
    """An empty folder for a book's pictures: the first of this process's folders not in
    use. The same few names come back render after render, so the compiler, which
    keeps what it read by path, replaces the last book's pictures instead of keeping
    every book's."""
    prefix = f"book-{socket.gethostname()}-{os.getpid()}-"
    with _lock:
        number = 0
        while root / f"{prefix}{number}" in _busy:
            number += 1
        folder = root / f"{prefix}{number}"
        _busy.add(folder)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    return folder


def discard(folder: Path) -> None:
    """Remove a book's folder of pictures (once its PDF is compiled)."""
    shutil.rmtree(folder, ignore_errors=True)
    with _lock:
        _busy.discard(folder)


@atexit.register
def _discard_all() -> None:
    for folder in list(_busy):
        discard(folder)


# --- the data -----------------------------------------------------------------------------------


def _piece(piece: Piece, pictures: list[dict[str, str]]) -> dict[str, Any]:
    from wenyi.documents.certificates import qr_svg

    film = piece.layout == Layout.FILM
    return {
        "title": printable(piece.title),
        "layout": piece.layout,
        "credits": credits(piece),
        "note": printable(piece.note),
        "paragraphs": paragraphs(piece.text) if piece.layout == Layout.PROSE else [],
        "stanzas": stanzas(piece.text) if piece.layout == Layout.POEM else [],
        "pictures": pictures,
        "link": piece.link if film else "",
        "qr": qr_svg(piece.link) if film and piece.link else "",
    }


def _shown(piece: Piece) -> list:
    """The pictures a work shows: all of a picture or a score, a film's still."""
    if piece.layout in (Layout.IMAGE, Layout.SCORE):
        return piece.pictures
    if piece.layout == Layout.FILM:
        return piece.pictures[:1]
    return []


def _inputs(book: Book, progress: Progress, total: int) -> tuple[Path, dict[str, Any], Path, Path]:
    from django.utils import translation

    from wenyi.core.typst import stand_ins

    fonts = stand_ins()
    root = workspace()
    _sweep(root)
    folder = _claim(root)
    try:
        # a book is printed in the site's language, whoever asked for it
        with translation.override(settings.LANGUAGE_CODE):
            data = _data(book, folder, fonts, progress, total)
    except BaseException:
        discard(folder)
        raise
    return root / TEMPLATE.name, data, root, folder


def _data(
    book: Book, folder: Path, fonts: dict[str, list[str]], progress: Progress, total: int
) -> dict[str, Any]:
    from wenyi.core.typst import stand_in_note

    # every picture, with the name its PDF gets: the cover, then the works' in order
    jobs: list[tuple[Path, str, str]] = []
    if book.cover is not None:
        jobs.append((Path(book.cover), "cover.pdf", printable(book.title)))
    for number, piece in enumerate(book.pieces(), start=1):
        for index, picture in enumerate(_shown(piece), start=1):
            jobs.append((Path(picture.path), f"{number:04d}-{index}.pdf", piece.title))

    def place(job: tuple[Path, str, str]) -> str:
        path, name, title = job
        picture = ready(path, max_side=PRINT_SIDE, upright=False, title=printable(title))
        (folder / name).write_bytes(picture_pdf(picture))
        return f"/{folder.name}/{name}"

    progress(0, total)
    sections, done = [], 0
    with closing(in_parallel(place, jobs)) as placed:
        cover = next(placed) if book.cover is not None else None
        for section in book.sections:
            pieces = []
            for piece in section.pieces:
                pictures = [
                    {"path": next(placed), "caption": printable(picture.caption)}
                    for picture in _shown(piece)
                ]
                pieces.append(_piece(piece, pictures))
                done += 1
                progress(done, total)
            sections.append({"title": printable(section.title), "pieces": pieces})
    return {
        "labels": labels(),
        "fonts": {key: fonts[key] for key in ("songti", "heiti", "kaiti")},
        "keywords": [stand_in_note(fonts)],
        "page": PAGES.get(book.page_size, PAGES["a5"]),
        "book": {
            "title": printable(book.title),
            "subtitle": printable(book.subtitle),
            "editor": printable(book.editor),
            "compiled_by": compiled_by(book),
            "date": printable(book.date_text),
            "cover": cover,
            "preface": paragraphs(book.preface),
            "afterword": paragraphs(book.editor_note),
        },
        "sections": sections,
    }


def _quiet(done: int, total: int) -> None:
    pass


def pdf_inputs(book: Book) -> tuple[Path, dict[str, Any], Path]:
    """What compiling the book reads: (template, data, root), for
    `core.typst.compile_pdf(template, data, root=root)`. The book's folder of pictures
    under the root stays until the process ends. Raises CannotMake when a picture cannot
    be read, TypstFailed when the machine has no Chinese font."""
    template, data, root, _folder = _inputs(book, _quiet, len(book.pieces()))
    return template, data, root


def render_pdf(book: Book, progress: Progress | None = None) -> bytes:
    """The book as a print PDF, in the site's language. `progress(done, total)` is
    called as each work's pictures are ready, and once more when the PDF is compiled
    (total: the number of works + 1). Raises CannotMake (a picture cannot be read) or
    TypstFailed."""
    from wenyi.core.typst import compile_pdf

    progress = progress or _quiet
    total = len(book.pieces()) + 1
    template, data, root, folder = _inputs(book, progress, total)
    try:
        content = compile_pdf(template, data, root=root)
    finally:
        discard(folder)
    progress(total, total)
    return content
