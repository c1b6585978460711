"""Checks of uploaded files that every app shares: active content and videos.

- PDFs that carry JavaScript or a launch action (run a program) are refused: a PDF
  reader would run them on the office's computers. Every object of the file is read
  with pypdf, compressed object streams included, and every action dictionary in it is
  looked at, not the raw bytes only (names can be escaped, streams compressed).
- Word documents with macros are refused: .docm renamed to .docx (a `vbaProject.bin`
  part or a macro-enabled content type) and .doc/.wps files with a VBA storage.
- Videos must open and hold a video stream (PyAV, FFmpeg's libraries). The copy shown
  outside the office is remuxed without any metadata — the place a phone recorded,
  the device, comments — by `strip_video_metadata`, run in the background; the frames
  themselves are copied, not re-encoded.
- Over-long file names are shortened (`short_name`) for storage and display.
"""

import logging
import zipfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# actions a PDF may not carry; other actions (links, go to page) are harmless
PDF_REFUSED_ACTIONS = {"/JavaScript": "JavaScript", "/Launch": "launch"}
# a script in an action (/JS) or the document's named scripts (/Names /JavaScript)
PDF_SCRIPT_KEYS = ("/JS", "/JavaScript")
NAME_MAX = 100  # characters of a file name kept, extension included
VIDEO_FORMATS = {"mp4": "mp4", "mov": "mov", "webm": "webm", "3gp": "3gp"}


def label(f: File) -> str:
    """The uploader's file name, for messages (browsers send no directories)."""
    name = Path(getattr(f, "name", "") or "").name or _("(no name)")
    return name if len(name) <= 80 else name[:77] + "…"


def short_name(name: str) -> str:
    """A file name of at most NAME_MAX characters, its extension kept."""
    name = Path(name or "").name
    if len(name) <= NAME_MAX:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > 10:
        return name[: NAME_MAX - 1] + "…"
    return stem[: NAME_MAX - len(ext) - 2] + "…." + ext


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


def strip_video_metadata(source, target, extension: str) -> None:
    """Copy the audio and video of `source` (a path or file) into `target` (a path)
    without any metadata: container and stream tags, chapters and data tracks are
    left behind; the picture and sound are copied as they are (no re-encoding)."""
    import av

    fmt = VIDEO_FORMATS.get(extension, "mp4")
    options = {"movflags": "+faststart"} if fmt in ("mp4", "mov", "3gp") else {}
    with (
        av.open(source, mode="r") as inp,
        av.open(str(target), mode="w", format=fmt, options=options) as out,
    ):
        streams = {}
        for stream in inp.streams:
            if stream.type in ("video", "audio"):
                copy = out.add_stream_from_template(stream)
                copy.metadata.clear()
                streams[stream.index] = copy
        if not streams:
            raise ValueError("no audio or video stream")
        for packet in inp.demux(*[inp.streams[i] for i in streams]):
            if packet.dts is None:  # the demuxer's flush packet
                continue
            packet.stream = streams[packet.stream.index]
            out.mux(packet)


def video_frame(source):
    """A Pillow image of the first picture of a video (for its thumbnail), or None."""
    import av

    try:
        with av.open(source, mode="r") as container:
            stream = container.streams.video[0]
            stream.codec_context.skip_frame = "NONKEY"
            for frame in container.decode(stream):
                return frame.to_image()
    except Exception as exc:  # a thumbnail is a nicety; the video stays
        logger.info("no frame from video: %s", exc)
    return None


# --- serving ------------------------------------------------------------------------------

# Files people uploaded are served in a sandbox of their own: whatever a file holds, it
# runs no script with this site's origin, loads nothing from elsewhere and cannot be
# framed. Chromium's PDF viewer needs scripts in the sandbox (its own, in an opaque
# origin); PDFs with JavaScript of their own are refused at upload (check_pdf).
SERVED_FILE_POLICY = (
    "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'; "
    "style-src 'unsafe-inline'; frame-ancestors 'self'"
)
SERVED_PDF_POLICY = "sandbox allow-scripts; default-src 'none'; frame-ancestors 'self'"


def served_file_policy(content_type: str) -> str:
    """The Content-Security-Policy for a user's file of this content type."""
    return SERVED_PDF_POLICY if content_type == "application/pdf" else SERVED_FILE_POLICY


def shortened(uploads) -> list[str]:
    """A Chinese note for each upload whose name was shortened to store it."""
    notes = []
    for upload in uploads:
        name = Path(getattr(upload, "name", "") or "").name
        if len(name) > NAME_MAX:
            notes.append(
                _('File name shortened to "%(short)s" (at most %(max)d characters are kept).')
                % {"short": short_name(name), "max": NAME_MAX}
            )
    return notes
