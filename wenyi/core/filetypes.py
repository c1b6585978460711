"""What an uploaded file is, judged by its content, and whether it may be accepted.

The first bytes decide (`recognise`), never the name or the type the browser claims.
Images must decode completely (Pillow, with its pixel limit); PDFs that carry
JavaScript or a launch action are refused — every object of the file is read with
pypdf, compressed object streams included, names with `#` escapes decoded; Word files
with macros are refused (a `.docm` renamed `.docx`, a `.doc`/.wps with a VBA storage,
read with olefile); videos must open as video with a picture (PyAV). `check` does it
all for a set of accepted kinds and names the file in every message.
"""

import contextlib
import logging
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

IMAGE, DOCUMENT, VIDEO, AUDIO = "image", "document", "video", "audio"
HEAD_BYTES = 4096  # enough to find the type, a brand list or a PDF header after junk


# what a file may be, by content: key -> (kind, content type, extension)
ACCEPTED = {
    "jpeg": (IMAGE, "image/jpeg", "jpg"),
    "png": (IMAGE, "image/png", "png"),
    "gif": (IMAGE, "image/gif", "gif"),
    "webp": (IMAGE, "image/webp", "webp"),
    "heic": (IMAGE, "image/heic", "heic"),
    "heif": (IMAGE, "image/heif", "heif"),
    "avif": (IMAGE, "image/avif", "avif"),
    "pdf": (DOCUMENT, "application/pdf", "pdf"),
    "docx": (
        DOCUMENT,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "doc": (DOCUMENT, "application/msword", "doc"),
    "mp4": (VIDEO, "video/mp4", "mp4"),
    "mov": (VIDEO, "video/quicktime", "mov"),
    "webm": (VIDEO, "video/webm", "webm"),
    "3gp": (VIDEO, "video/3gpp", "3gp"),
    "mp3": (AUDIO, "audio/mpeg", "mp3"),
    "m4a": (AUDIO, "audio/mp4", "m4a"),
    "aac": (AUDIO, "audio/aac", "aac"),
    "wav": (AUDIO, "audio/wav", "wav"),
    "ogg": (AUDIO, "audio/ogg", "ogg"),
    "flac": (AUDIO, "audio/flac", "flac"),
}
CONTENT_TYPES = {extension: ctype for _kind, ctype, extension in ACCEPTED.values()}
_KEY_BY_EXTENSION = {extension: key for key, (_kind, _type, extension) in ACCEPTED.items()}

# the Pillow decoders an accepted image may be opened with (never "any format")
PILLOW_FORMATS = {
    "jpeg": ["JPEG"],  # also returns MPO, the JPEG with a depth map some phones write
    "png": ["PNG"],
    "gif": ["GIF"],
    "webp": ["WEBP"],
    "heic": ["HEIF", "AVIF"],
    "heif": ["HEIF", "AVIF"],
    "avif": ["AVIF", "HEIF"],
}

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# the stream every Word 97–2003 (and WPS) document holds, as named in the OLE directory
WORD_STREAM = "WordDocument".encode("utf-16-le")
DOCX_XML_MAX = 200 * 1024 * 1024  # decompressed size of word/document.xml (a ZIP bomb guard)

# actions a PDF may not carry; other actions (links, go to page) are harmless
PDF_REFUSED_ACTIONS = {"/JavaScript": "JavaScript", "/Launch": "launch"}
# a script in an action (/JS) or the document's named scripts (/Names /JavaScript)
PDF_SCRIPT_KEYS = ("/JS", "/JavaScript")

# ISO base media (MP4, QuickTime, HEIF) brands, from the "ftyp" box
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
AVIF_BRANDS = {b"avif", b"avis"}
AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B "}
MP4_BRANDS = {
    b"isom",
    b"iso2",
    b"iso3",
    b"iso4",
    b"iso5",
    b"iso6",
    b"iso8",
    b"mp41",
    b"mp42",
    b"mp71",
    b"avc1",
    b"M4V ",
    b"M4VH",
    b"M4VP",
    b"dash",
    b"mmp4",
    b"MSNV",
    b"XAVC",
    b"f4v ",
    b"NDAS",
}
# QuickTime files from older cameras start with an atom instead of "ftyp"
QUICKTIME_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}


def label(f: File) -> str:
    """The uploader's file name, for messages (browsers send no directories)."""
    name = Path(getattr(f, "name", "") or "").name or _("(no name)")
    return name if len(name) <= 80 else name[:77] + "…"


# --- what a file is ---------------------------------------------------------------------


def read_head(f: File) -> bytes:
    f.seek(0)
    head = f.read(HEAD_BYTES)
    f.seek(0)
    return head


def ftyp_brands(head: bytes) -> list[bytes]:
    """Major brand first, then the compatible brands of an ISO base media file."""
    if head[4:8] != b"ftyp":
        return []
    box = int.from_bytes(head[0:4], "big")
    end = min(box, len(head)) if box >= 16 else min(len(head), 16)
    return [head[8:12], *(head[i : i + 4] for i in range(16, end - 3, 4))]


def sniff(head: bytes) -> tuple[str | None, str]:
    """(accepted type key or None, what the content is, for the message)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg", "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", "PNG"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif", "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp", "WebP"
    brands = ftyp_brands(head)
    if brands:
        major, all_brands = brands[0], set(brands)
        if major in AVIF_BRANDS:
            return "avif", "AVIF"
        if major in HEIF_BRANDS:
            return ("avif", "AVIF") if all_brands & AVIF_BRANDS else ("heic", "HEIC")
        if major == b"qt  ":
            return "mov", "QuickTime"
        if major[:3] in (b"3gp", b"3g2"):
            return "3gp", "3GP"
        if major in AUDIO_BRANDS:
            return None, _("a sound file")
        if major in MP4_BRANDS or all_brands & {b"isom", b"mp41", b"mp42"}:
            return "mp4", "MP4"
        return None, _("a video or image format that is not accepted")
    if head[4:8] in QUICKTIME_ATOMS and int.from_bytes(head[0:4], "big") >= 8:
        return "mov", "QuickTime"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        if b"webm" in head[:64]:
            return "webm", "WebM"
        return None, _("an MKV video")
    refused = _refused_kind(head)
    if refused:
        return None, refused
    # PDF readers accept the header anywhere in the first 1024 bytes
    if head.find(b"%PDF-", 0, 1024) >= 0:
        return "pdf", "PDF"
    return None, _text_or_unknown(head)


def _refused_kind(head: bytes) -> str:
    """A plain description of common files that are not accepted."""
    starts = [
        ((b"MZ",), _("a Windows program")),
        ((b"\x7fELF",), _("a Linux program")),
        (
            (
                b"\xfe\xed\xfa\xce",
                b"\xfe\xed\xfa\xcf",
                b"\xce\xfa\xed\xfe",
                b"\xcf\xfa\xed\xfe",
                b"\xca\xfe\xba\xbe",
            ),
            _("a macOS or Java program"),
        ),
        ((b"dex\n",), _("an Android program")),
        ((b"#!",), _("a script")),
        (
            (b"PK\x03\x04", b"PK\x05\x06"),
            _("a ZIP archive (Word, Excel, WPS and APK files are ZIP archives too)"),
        ),
        ((b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",), _("an old Word, Excel or WPS document")),
        (
            (b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00"),
            _("a compressed archive"),
        ),
        ((b"{\\rtf",), _("an RTF document")),
        ((b"II*\x00", b"MM\x00*"), _("a TIFF image")),
        ((b"BM",), _("a BMP image")),
        ((b"8BPS",), _("a Photoshop image")),
        ((b"ID3", b"fLaC", b"OggS", b"#!AMR"), _("a sound file")),
    ]
    for magics, description in starts:
        if head.startswith(magics):
            return description
    if head[:4] == b"RIFF":
        if head[8:12] == b"AVI ":
            return _("an AVI video")
        return _("a sound file") if head[8:12] == b"WAVE" else _("a RIFF file")
    if head[:3] == b"FLV":
        return _("an FLV video")
    if head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return _("a sound file")
    return ""


def _text_or_unknown(head: bytes) -> str:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = head.decode("gb18030")
        except UnicodeDecodeError:
            return _("unrecognised data")
    stripped = text.lstrip("\ufeff \t\r\n").lower()
    if stripped.startswith(("<!doctype html", "<html", "<svg", "<?xml", "<")):
        return _("a web page, SVG or XML file")
    return _("plain text")


def audio_key(head: bytes) -> str | None:
    """The kind of sound file the first bytes show, or None."""
    if head.startswith(b"ID3"):
        return "mp3"
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"OggS"):
        return "ogg"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    brands = ftyp_brands(head)
    if brands and brands[0] in AUDIO_BRANDS:
        return "m4a"
    if len(head) > 1 and head[0] == 0xFF:
        if head[1] & 0xF6 == 0xF0:  # ADTS: sync word, layer 00
            return "aac"
        if head[1] & 0xE0 == 0xE0 and head[1] & 0x06:  # MPEG audio frame, layer I–III
            return "mp3"
    return None


def is_docx(f: File) -> bool:
    """A ZIP holding word/document.xml that starts like XML (Word and WPS write this)."""
    try:
        f.seek(0)
        with zipfile.ZipFile(f) as archive:
            info = archive.getinfo("word/document.xml")
            if info.file_size > DOCX_XML_MAX:
                return False
            with archive.open(info) as xml:
                start = xml.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError):
        return False
    finally:
        f.seek(0)
    return start.startswith((b"<?xml", b"<w:document"))


def is_word_ole(f: File) -> bool:
    """An OLE compound file with a WordDocument stream (.doc, .wps), not Excel or
    PowerPoint. The directory may sit anywhere, so the file is read through."""
    f.seek(0)
    tail = b""
    try:
        for chunk in f.chunks():
            if WORD_STREAM in tail + chunk:
                return True
            tail = chunk[-len(WORD_STREAM) :]
    finally:
        f.seek(0)
    return False


def recognise(f: File) -> tuple[str | None, str]:
    """(accepted key or None, what the content is, in words for a message)."""
    head = read_head(f)
    key, what = sniff(head)
    if key is not None:
        return key, what
    if (audio := audio_key(head)) is not None:
        return audio, _("a sound file")
    if head.startswith(b"PK\x03\x04") and is_docx(f):
        return "docx", "Word"
    if head.startswith(OLE_MAGIC) and is_word_ole(f):
        return "doc", "Word"
    return None, what


def pillow_formats(key: str) -> list[str]:
    from PIL import Image

    if key in ("heic", "heif"):
        with contextlib.suppress(ImportError):  # optional: pip install pillow-heif
            import pillow_heif

            pillow_heif.register_heif_opener()
    Image.init()
    return [name for name in PILLOW_FORMATS[key] if name in Image.OPEN]


def is_animated_format(key: str) -> bool:
    return key in ("gif", "webp", "png")


def check_image(f: File, key: str, label: str) -> str:
    """Decode the whole image; the key it really is (a HEIC may turn out to be AVIF)."""
    from PIL import Image, ImageSequence

    formats = pillow_formats(key)
    if not formats:
        raise ValidationError(heic_message(label))
    try:
        f.seek(0)
        # Pillow refuses twice its pixel limit itself (DecompressionBombError) and only
        # warns above the limit; that warning is refused here, and so are animations
        # whose frames together pass it. (Checked, not turned into an error with
        # warnings.catch_warnings, which is not thread-safe.)
        with Image.open(f, formats=formats) as im:
            frames = getattr(im, "n_frames", 1) if is_animated_format(key) else 1
            limit = Image.MAX_IMAGE_PIXELS
            if limit and frames * im.width * im.height > limit:
                raise Image.DecompressionBombError("too many pixels")
            im.verify()
        f.seek(0)
        with Image.open(f, formats=formats) as im:
            found = im.format
            if frames > 1:
                for frame in ImageSequence.Iterator(im):
                    frame.load()
            else:
                im.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _('File "%(name)s": the image is too large (too many pixels) to be accepted.')
            % {"name": label}
        ) from None
    except Exception as exc:  # any decoder failure means a bad upload
        logger.info("image %r refused: %s", label, exc)
        if key in ("heic", "heif"):
            raise ValidationError(heic_message(label)) from None
        raise ValidationError(unreadable_message(label)) from None
    finally:
        f.seek(0)
    if found == "AVIF":
        return "avif"
    if found == "HEIF" and key == "avif":
        return "heif"
    return key


def unreadable_message(label: str) -> str:
    return _(
        'File "%(name)s": the image cannot be read; it is damaged or incomplete. '
        "Please upload it again."
    ) % {"name": label}


def heic_message(label: str) -> str:
    return _(
        'File "%(name)s": this HEIC/HEIF photo cannot be read here. Set the phone '
        "camera to save JPEG photos (on iPhone: Settings › Camera › Formats › Most "
        "Compatible) or convert the photo to JPEG, then upload it again."
    ) % {"name": label}


# --- PDF --------------------------------------------------------------------------------


def _walk(obj, seen: set[int], depth: int = 0):
    """Every dictionary inside a direct object (arrays and nested dictionaries)."""
    from pypdf.generic import ArrayObject, DictionaryObject

    if depth > 50 or id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, DictionaryObject):
        yield obj
        for value in obj.values():
            yield from _walk(value, seen, depth + 1)
    elif isinstance(obj, ArrayObject):
        for value in obj:
            yield from _walk(value, seen, depth + 1)


def _pdf_danger(d) -> str | None:
    from pypdf.generic import NameObject

    if any(key in d for key in PDF_SCRIPT_KEYS):
        return "JavaScript"
    kind = d.get("/S")
    if isinstance(kind, NameObject) and kind in PDF_REFUSED_ACTIONS:
        return PDF_REFUSED_ACTIONS[kind]
    return None


def pdf_active_content(f: File) -> str | None:
    """ "JavaScript" or "launch" when the PDF carries such an action, else None."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError
    from pypdf.generic import IndirectObject

    f.seek(0)
    try:
        reader = PdfReader(f, strict=False)
        if reader.is_encrypted:
            reader.decrypt("")  # readers open these without asking: so must the check
        numbers = {(num, gen) for gen, table in reader.xref.items() for num in table}
        numbers |= {(num, 0) for num in getattr(reader, "xref_objStm", {})}
        seen: set[int] = set()
        for d in _walk(reader.trailer, seen):
            if found := _pdf_danger(d):
                return found
        for num, gen in sorted(numbers):
            try:
                obj = reader.get_object(IndirectObject(num, gen, reader))
            except Exception:  # one damaged object: the others are still read
                continue
            for d in _walk(obj, seen):
                if found := _pdf_danger(d):
                    return found
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        logger.info("PDF not fully readable (%s): raw scan only", exc)
        return _raw_pdf_scan(f)
    finally:
        f.seek(0)
    return None


def _raw_pdf_scan(f: File) -> str | None:
    f.seek(0)
    tail = b""
    for chunk in f.chunks():
        data = tail + chunk
        if b"/JavaScript" in data or b"/JS" in data:
            return "JavaScript"
        if b"/Launch" in data:
            return "launch"
        tail = chunk[-16:]
    return None


def check_pdf(f: File) -> None:
    """ValidationError naming the file when the PDF carries JavaScript or a launch action."""
    found = pdf_active_content(f)
    if found is None:
        return
    if found == "launch":
        why = _("it would start a program on the reader's computer")
    else:
        why = _("it carries JavaScript that a PDF reader would run")
    raise ValidationError(
        _(
            'File "%(name)s": this PDF is refused because %(why)s. Print it to a new PDF '
            "(File › Print › Save as PDF) and upload that."
        )
        % {"name": label(f), "why": why}
    )


# --- Office macros ------------------------------------------------------------------------


def docx_has_macros(f: File) -> bool:
    """A .docx (ZIP) that is really a macro-enabled .docm."""
    try:
        f.seek(0)
        with zipfile.ZipFile(f) as archive:
            names = archive.namelist()
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                return True
            with archive.open("[Content_Types].xml") as types:
                content = types.read(2 * 1024 * 1024).lower()
            return b"macroenabled" in content or b"vbaproject" in content
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError):
        return False
    finally:
        f.seek(0)


def ole_has_macros(f: File) -> bool:
    """An old Office / WPS file (OLE compound file) with a VBA project or macros storage."""
    import olefile

    f.seek(0)
    try:
        with olefile.OleFileIO(f) as ole:
            for entry in ole.listdir(streams=True, storages=True):
                parts = [p.upper() for p in entry]
                if "MACROS" in parts or "_VBA_PROJECT_CUR" in parts or "VBA" in parts:
                    return True
                if parts and parts[-1] in ("_VBA_PROJECT", "DIR") and len(parts) > 1:
                    return True
    except (OSError, ValueError, IndexError, TypeError):
        return False
    finally:
        f.seek(0)
    return False


def refuse_macros(f: File) -> ValidationError:
    return ValidationError(
        _(
            'File "%(name)s": this Word document contains macros (program code), which are '
            "refused. Save it as a plain Word document (.docx) or as PDF and upload that."
        )
        % {"name": label(f)}
    )


# --- videos -------------------------------------------------------------------------------


def _local_path(f: File) -> str | None:
    path = getattr(f, "temporary_file_path", None)
    return path() if callable(path) else None


def check_video(f: File) -> None:
    """ValidationError naming the file unless it opens as a video with a video stream."""
    import av

    source = _local_path(f) or f
    f.seek(0)
    try:
        with av.open(source, mode="r") as container:
            if not container.streams.video:
                raise ValidationError(
                    _('File "%(name)s": it holds no video picture.') % {"name": label(f)}
                )
    except ValidationError:
        raise
    except Exception as exc:  # FFmpeg raises many kinds for damaged input
        logger.info("video %r refused: %s", label(f), exc)
        raise ValidationError(
            _(
                'File "%(name)s": the video cannot be read; it is damaged or incomplete. '
                "Please upload it again."
            )
            % {"name": label(f)}
        ) from None
    finally:
        f.seek(0)


# --- checking an upload ---------------------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    kind: str  # IMAGE, DOCUMENT, VIDEO or AUDIO
    content_type: str
    extension: str
    key: str


def check(f: File, accept: set[str], *, max_mb: int, refused: Callable[[str, str], str]) -> Checked:
    """What the upload is, judged by its content, when it is one of the `accept`ed kinds;
    otherwise ValidationError naming the file: empty, too large, not accepted (the
    message is `refused(file label, what it is)`), damaged, or carrying active content."""
    name = label(f)
    size = f.size
    if not size:
        raise ValidationError(_('File "%(name)s": the file is empty.') % {"name": name})
    if size > max_mb * 1024 * 1024:
        raise ValidationError(
            _('File "%(name)s": %(size)s MB is over the limit of %(limit)s MB a file.')
            % {"name": name, "size": f"{size / 1024 / 1024:.1f}", "limit": max_mb}
        )
    key, what = recognise(f)
    # `accept` names kinds (IMAGE …) or single types ("pdf": a PDF, not a Word file)
    if key is None or (ACCEPTED[key][0] not in accept and key not in accept):
        raise ValidationError(refused(name, what))
    kind = ACCEPTED[key][0]
    if kind == IMAGE:
        key = check_image(f, key, name)
    elif key == "pdf":
        check_pdf(f)
    elif key == "docx" and docx_has_macros(f):
        raise refuse_macros(f)
    elif key == "doc" and ole_has_macros(f):
        raise refuse_macros(f)
    elif kind == VIDEO:
        check_video(f)
    kind, content_type, extension = ACCEPTED[key]
    return Checked(kind=kind, content_type=content_type, extension=extension, key=key)
