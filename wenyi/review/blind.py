"""A work's files as the experts of a blind round get them: nothing in them, on them or
about them names the author, their unit or the file's original name.

The page of a blind round shows no names (`review.see_names`); the files are the other
way names travel — the author a camera or Word writes into every file, the company
Word takes from the licence, the file name "张三-车间之歌.docx". So whoever may not see
names gets a cleaned copy of each file:

- **download name** `<entry code>-<n>.<ext>`, n the file's place in the work (1, 2 …);
- **pictures** re-encoded from their pixels alone (`core.media.bare`): no EXIF (author,
  copyright, camera, place), XMP, comment or colour profile — an ICC profile holds
  free text (its description and copyright), so the colours are first converted to
  sRGB and the profile dropped; HEIC/AVIF become JPEG;
- **.docx** rewritten part by part: `docProps/core.xml` with every text emptied but
  the dates and revision (author, last modified by, title, subject, keywords,
  comments, category …), `docProps/app.xml` without Company, Manager, HyperlinkBase
  and the titles of parts, `docProps/custom.xml` dropped with its relationship and
  content type, the authors and initials of comments and tracked changes emptied, and
  the pictures inside re-encoded as above;
- **.pdf** rewritten by pypdf without the document information dictionary (Author,
  Creator, Producer, Title …), without any XMP metadata stream or /PieceInfo (of the
  document, its pages or the pictures in it) and without the authors of annotations;
  the older revisions an incremental save keeps go too, as the file is written anew;
- **video** the copy without metadata that `core.media` makes for everyone outside the
  office (`strip_video_metadata`); **audio** remuxed the same way without tags (ID3,
  Vorbis comments, RIFF INFO, MP4 atoms); the picture and sound are copied untouched;
- anything else (a Word 97–2003 .doc, whose summary stream holds the author and which
  no library here rewrites safely) is refused with a message: the office can convert
  it.

A cleaned copy is written once, under `<data dir>/cache/blind/`, named by the
original's SHA-256 and the version of these rules (`RULES`): the same upload is cleaned
once however many experts open it, and a change of the rules cleans anew. Writing is
atomic (a temporary file renamed), so two experts opening a file at once at worst
clean it twice.
"""

from __future__ import annotations

import io
import logging
import os
import re
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from wenyi.core import media
from wenyi.core import uploads as core_uploads
from wenyi.core.filetypes import ACCEPTED, CONTENT_TYPES, PILLOW_FORMATS

logger = logging.getLogger(__name__)

# bump when the cleaning changes: copies cleaned by older rules are made again
RULES = 1
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Pillow's format of a cleaned picture by the original's extension (others: JPEG)
IMAGE_FORMATS = {"png": "PNG", "gif": "GIF", "webp": "WEBP"}
# the muxer of a cleaned audio file by extension
AUDIO_FORMATS = {
    "mp3": ("mp3", {"id3v2_version": "0", "write_id3v1": "0", "write_xing": "1"}),
    "m4a": ("ipod", {"movflags": "+faststart"}),
    "aac": ("adts", {}),
    "wav": ("wav", {}),
    "ogg": ("ogg", {}),
    "flac": ("flac", {}),
}
# OOXML namespaces
NS_CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
NS_DCTERMS = "http://purl.org/dc/terms/"
NS_APP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
NS_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS_W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
NS_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
# core properties kept: when, and how often, it was saved — no names in them
CORE_KEPT = {f"{{{NS_DCTERMS}}}created", f"{{{NS_DCTERMS}}}modified", f"{{{NS_CP}}}revision"}
APP_DROPPED = {"Company", "Manager", "HyperlinkBase", "TitlesOfParts", "HeadingPairs"}
# attributes naming a person in Word's own parts (comments, tracked changes, people.xml)
PERSON_ATTRIBUTES = {
    f"{{{NS_W}}}author",
    f"{{{NS_W}}}initials",
    f"{{{NS_W15}}}author",
    f"{{{NS_W15}}}userId",
    f"{{{NS_W15}}}providerId",
}
CUSTOM_PART = "docProps/custom.xml"
# the file type key (core.filetypes) of a stored file by its extension
KEY_OF = {extension: key for key, (_kind, _type, extension) in ACCEPTED.items()}
MEDIA = re.compile(r"^word/media/[^/]+\.(jpe?g|png)$", re.I)


class Refused(ValidationError):
    """This file cannot be given out without the names it carries."""


def download_name(code: str, n: int, extension: str) -> str:
    return f"{code}-{n}.{extension}"


# --- pictures --------------------------------------------------------------------------------


def clean_image(data: bytes, key: str) -> tuple[bytes, str]:
    """The picture re-encoded from its pixels: upright, sRGB, no metadata at all.
    (bytes, extension)"""
    from PIL import Image

    out = io.BytesIO()
    with Image.open(io.BytesIO(data), formats=PILLOW_FORMATS.get(key) or None) as im:
        fmt = IMAGE_FORMATS.get(key, "JPEG")
        media.reencode(im, fmt, out, keep_profile=False)
    return out.getvalue(), media.EXTENSIONS[fmt]


# --- Word ------------------------------------------------------------------------------------


def _xml(data: bytes):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    return etree.fromstring(data, parser)


def _bytes(root) -> bytes:
    from lxml import etree

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _core(data: bytes) -> bytes:
    root = _xml(data)
    for element in root:
        if element.tag not in CORE_KEPT:
            element.text = None
            for child in list(element):
                element.remove(child)
    return _bytes(root)


def _app(data: bytes) -> bytes:
    root = _xml(data)
    for element in list(root):
        if element.tag.split("}")[-1] in APP_DROPPED:
            root.remove(element)
    return _bytes(root)


def _persons(data: bytes) -> bytes:
    """Word's comments, tracked changes and people list without who made them."""
    if b"author" not in data and b"initials" not in data:
        return data  # most documents: nothing to parse
    root = _xml(data)
    for element in root.iter():
        for name in PERSON_ATTRIBUTES & set(element.attrib):
            element.attrib[name] = ""
    return _bytes(root)


def _without_custom_rel(data: bytes) -> bytes:
    root = _xml(data)
    for rel in list(root):
        if rel.get("Target", "").lstrip("/") == CUSTOM_PART:
            root.remove(rel)
    return _bytes(root)


def _without_custom_type(data: bytes) -> bytes:
    root = _xml(data)
    for override in list(root):
        if override.get("PartName", "").lstrip("/") == CUSTOM_PART:
            root.remove(override)
    return _bytes(root)


def clean_docx(source) -> bytes:
    """A .docx (a path or file) rewritten without the names Word keeps about it."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(source) as zin,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            name = info.filename
            if name == CUSTOM_PART:
                continue
            data = zin.read(info)
            if name == "docProps/core.xml":
                data = _core(data)
            elif name == "docProps/app.xml":
                data = _app(data)
            elif name == "_rels/.rels":
                data = _without_custom_rel(data)
            elif name == "[Content_Types].xml":
                data = _without_custom_type(data)
            elif name.startswith("word/") and name.endswith(".xml"):
                data = _persons(data)
            elif MEDIA.match(name):
                key = "png" if name.lower().endswith(".png") else "jpeg"
                try:
                    data, _ext = clean_image(data, key)
                except Exception as exc:  # an odd picture: left out rather than leaked
                    logger.info("picture %s of a .docx not cleaned: %s", name, exc)
                    continue
            # a fresh entry: no original timestamps or comments of the zip itself
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(entry, data)
    return out.getvalue()


# --- PDF -------------------------------------------------------------------------------------


def clean_pdf(source) -> bytes:
    """A PDF (a path or file) written anew without its metadata."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, StreamObject, TextStringObject

    reader = PdfReader(source)
    if reader.is_encrypted and not reader.decrypt(""):
        raise Refused(_("This PDF is protected by a password and cannot be cleaned."))
    writer = PdfWriter(clone_from=reader)
    writer.metadata = None  # the Info dictionary: Author, Creator, Producer, Title …
    for page in writer.pages:
        for ref in page.get("/Annots") or []:
            annotation = ref.get_object()
            # the author of a note or a markup (a form field's /T is its name: kept)
            if annotation.get("/Subtype") != "/Widget" and "/T" in annotation:
                annotation[NameObject("/T")] = TextStringObject("")
    for obj in writer._objects:  # every object of the new file, the catalogue included
        if isinstance(obj, StreamObject) and obj.get("/Type") == "/Metadata":
            obj.set_data(b"")  # in case something still points at it
        if isinstance(obj, DictionaryObject):
            for key in ("/Metadata", "/PieceInfo"):
                obj.pop(NameObject(key), None)
    # what nothing points at any more (the XMP streams) is not written
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- sound and pictures that move --------------------------------------------------------------


def strip_audio(source, target: Path, extension: str) -> None:
    """Copy the sound of `source` into `target` without any tags (no re-encoding)."""
    import av

    fmt, options = AUDIO_FORMATS[extension]
    with (
        av.open(str(source), mode="r") as inp,
        av.open(str(target), mode="w", format=fmt, options=options) as out,
    ):
        streams = {}
        for stream in inp.streams.audio[:1]:
            copy = out.add_stream_from_template(stream)
            copy.metadata.clear()
            streams[stream.index] = copy
        if not streams:
            raise ValueError("no audio stream")
        for packet in inp.demux(*[inp.streams[i] for i in streams]):
            if packet.dts is None:
                continue
            packet.stream = streams[packet.stream.index]
            out.mux(packet)


# --- the cache and the response ----------------------------------------------------------------


def cache_dir() -> Path:
    return Path(settings.DATA_DIR) / "cache" / "blind"


def _cache_path(record, extension: str) -> Path:
    key = record.sha256 or f"file{record.pk}-{record.size}"
    return cache_dir() / f"{key}-r{RULES}.{extension}"


def _write_atomically(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh, Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _extension(record) -> str:
    return record.file.name.rsplit(".", 1)[-1].lower() if record.file else ""


def _refused_kind() -> Refused:
    return Refused(
        _(
            "This kind of file cannot be given out in an anonymous round without the "
            "author's details it may carry. Ask the review office for a copy without them."
        )
    )


def servable(record) -> bool:
    """Whether a cleaned copy of this file can be made (a .doc, say, cannot)."""
    content_type = record.content_type or ""
    return bool(record.file) and (
        content_type.startswith(("image/", "video/"))
        or content_type in ("application/pdf", DOCX)
        or (content_type.startswith("audio/") and _extension(record) in AUDIO_FORMATS)
    )


def _copy_to(field, target: Path) -> None:
    with field.open("rb") as src, target.open("wb") as copy:
        while chunk := src.read(1024 * 1024):
            copy.write(chunk)


def _writer(record, content_type: str, extension: str):
    """(extension of the cleaned copy, function writing it to an open file and its path)."""
    if content_type.startswith("image/"):
        key = KEY_OF.get(extension, "jpeg")

        def write_image(fh, _path):
            with record.file.open("rb") as src:
                fh.write(clean_image(src.read(), key)[0])

        return media.EXTENSIONS[IMAGE_FORMATS.get(key, "JPEG")], write_image
    if content_type in ("application/pdf", DOCX):
        clean = clean_pdf if content_type == "application/pdf" else clean_docx

        def write_document(fh, _path):
            with record.file.open("rb") as src:
                fh.write(clean(io.BytesIO(src.read())))

        return ("pdf" if content_type == "application/pdf" else "docx"), write_document

    def write_media(fh, path):
        fh.close()  # PyAV writes to the path
        with tempfile.TemporaryDirectory(prefix="wenyi-blind-") as folder:
            source = Path(folder) / f"in.{extension}"
            _copy_to(record.file, source)
            if content_type.startswith("video/"):
                media.strip_video_metadata(source, path, extension)
            else:
                strip_audio(source, path, extension)

    return extension, write_media


def cleaned(record) -> tuple[Path, str, str]:
    """(path of the cleaned copy, content type, extension) of a work's file, made once
    and kept in the cache; Refused when the file cannot be cleaned."""
    if not servable(record):
        raise _refused_kind()
    out_ext, write = _writer(record, record.content_type, _extension(record))
    path = _cache_path(record, out_ext)
    if not path.exists():
        try:
            _write_atomically(path, write)
        except Refused:
            raise
        except Exception as exc:
            logger.warning("no blind copy of work file %s: %s", record.pk, exc)
            raise Refused(
                _("This file could not be cleaned of its author's details. Ask the review office.")
            ) from None
    return path, CONTENT_TYPES.get(out_ext, "application/octet-stream"), out_ext


def _opened(record):
    """(open handle, size, content type, extension) of what a blind round gets. A
    video's copy for everyone outside the office is made without metadata by the same
    function (core.media): when it exists it is served as it is."""
    content_type = record.content_type or ""
    if content_type.startswith("video/") and record.public_file:
        field = record.public_file
        extension = field.name.rsplit(".", 1)[-1].lower()
        try:
            size = field.storage.size(field.name)
            return field.storage.open(field.name, "rb"), size, content_type, extension
        except FileNotFoundError:
            pass  # cleaned from the original below
    path, content_type, extension = cleaned(record)
    return path.open("rb"), path.stat().st_size, content_type, extension


def serve(request: HttpRequest, record, *, code: str, n: int) -> HttpResponse:
    """The cleaned copy of `record`, named after the entry, sandboxed as every user's
    file is (core.uploads); Refused when it cannot be cleaned."""
    handle, size, content_type, extension = _opened(record)
    attachment = request.GET.get("download") == "1"
    name = download_name(code, n, extension)
    response = core_uploads.ranged(request, handle, size, content_type, attachment, name)
    response["Content-Security-Policy"] = core_uploads.served_file_policy(content_type)
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, max_age=3600)
    return response
