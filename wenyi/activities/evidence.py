"""Evidence of an activity: photos, PDFs, video files and links.

An upload is recognised by its first bytes, never by its name or the type the browser
claims, and images must decode completely. Files are stored under random names.
Photos get a second copy, `public_file`, re-encoded with the camera's orientation
applied and every EXIF, GPS, XMP and comment block removed (the colour profile is
kept): it is the only copy of a photo anyone outside the office is served. A
thumbnail is made later by a background task (`tasks.make_thumbnail`).

Nothing is left on disk by a failed upload: `store_evidence` removes what it wrote
when it fails, and a caller storing several files in one transaction wraps them in
`files_written()`, which removes every file stored inside it if an exception leaves it.
"""

import contextlib
import contextvars
import hashlib
import io
import logging
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from wenyi.activities.enums import EvidenceKind
from wenyi.activities.models import Activity, Evidence
from wenyi.core import audit, uploads
from wenyi.core.enums import AuditAction

logger = logging.getLogger(__name__)

# enough to find the type, a QuickTime/MP4 brand list or a PDF header after some junk
HEAD_BYTES = 4096
THUMBNAIL_PX = 480
CAPTION_MAX = Evidence._meta.get_field("caption").max_length
URL_MAX = Evidence._meta.get_field("url").max_length
PDFTOPPM_TIMEOUT = 60  # seconds for rendering the first page of a PDF


@dataclass(frozen=True)
class CheckedUpload:
    kind: str  # EvidenceKind
    content_type: str
    extension: str


# what a file may be, by content: key -> (kind, content type, extension)
ACCEPTED = {
    "jpeg": (EvidenceKind.PHOTO, "image/jpeg", "jpg"),
    "png": (EvidenceKind.PHOTO, "image/png", "png"),
    "gif": (EvidenceKind.PHOTO, "image/gif", "gif"),
    "webp": (EvidenceKind.PHOTO, "image/webp", "webp"),
    "heic": (EvidenceKind.PHOTO, "image/heic", "heic"),
    "heif": (EvidenceKind.PHOTO, "image/heif", "heif"),
    "avif": (EvidenceKind.PHOTO, "image/avif", "avif"),
    "pdf": (EvidenceKind.DOCUMENT, "application/pdf", "pdf"),
    "mp4": (EvidenceKind.VIDEO, "video/mp4", "mp4"),
    "mov": (EvidenceKind.VIDEO, "video/quicktime", "mov"),
    "webm": (EvidenceKind.VIDEO, "video/webm", "webm"),
    "3gp": (EvidenceKind.VIDEO, "video/3gpp", "3gp"),
}

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

# the format and content type of the copy shown outside the office
PUBLIC_FORMAT = {"png": "PNG", "gif": "GIF", "webp": "WEBP"}  # everything else: JPEG
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "heic": "image/heic",
    "heif": "image/heif",
    "avif": "image/avif",
    "pdf": "application/pdf",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "webm": "video/webm",
    "3gp": "video/3gpp",
}

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


def max_upload_mb() -> int:
    return settings.WENYI_UPLOAD_MAX_MB


_label = uploads.label


def _read_head(f: File) -> bytes:
    f.seek(0)
    head = f.read(HEAD_BYTES)
    f.seek(0)
    return head


def _ftyp_brands(head: bytes) -> list[bytes]:
    """Major brand first, then the compatible brands of an ISO base media file."""
    if head[4:8] != b"ftyp":
        return []
    box = int.from_bytes(head[0:4], "big")
    end = min(box, len(head)) if box >= 16 else min(len(head), 16)
    return [head[8:12], *(head[i : i + 4] for i in range(16, end - 3, 4))]


def _sniff(head: bytes) -> tuple[str | None, str]:
    """(accepted type key or None, what the content is, for the message)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg", "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", "PNG"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif", "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp", "WebP"
    brands = _ftyp_brands(head)
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


def _pillow_formats(key: str) -> list[str]:
    from PIL import Image

    if key in ("heic", "heif"):
        with contextlib.suppress(ImportError):  # optional: pip install pillow-heif
            import pillow_heif

            pillow_heif.register_heif_opener()
    Image.init()
    return [name for name in PILLOW_FORMATS[key] if name in Image.OPEN]


def _is_animated_format(key: str) -> bool:
    return key in ("gif", "webp", "png")


def _check_image(f: File, key: str, label: str) -> str:
    """Decode the whole image; the key it really is (a HEIC may turn out to be AVIF)."""
    from PIL import Image, ImageSequence

    formats = _pillow_formats(key)
    if not formats:
        raise ValidationError(_heic_message(label))
    try:
        f.seek(0)
        # Pillow refuses twice its pixel limit itself (DecompressionBombError) and only
        # warns above the limit; that warning is refused here, and so are animations
        # whose frames together pass it. (Checked, not turned into an error with
        # warnings.catch_warnings, which is not thread-safe.)
        with Image.open(f, formats=formats) as im:
            frames = getattr(im, "n_frames", 1) if _is_animated_format(key) else 1
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
            raise ValidationError(_heic_message(label)) from None
        raise ValidationError(_unreadable_message(label)) from None
    finally:
        f.seek(0)
    if found == "AVIF":
        return "avif"
    if found == "HEIF" and key == "avif":
        return "heif"
    return key


def _unreadable_message(label: str) -> str:
    return _(
        'File "%(name)s": the image cannot be read; it is damaged or incomplete. '
        "Please upload it again."
    ) % {"name": label}


def _heic_message(label: str) -> str:
    return _(
        'File "%(name)s": this HEIC/HEIF photo cannot be read here. Set the phone '
        "camera to save JPEG photos (on iPhone: Settings › Camera › Formats › Most "
        "Compatible) or convert the photo to JPEG, then upload it again."
    ) % {"name": label}


def check_upload(f: File) -> CheckedUpload:
    """What the upload is, judged by its content; ValidationError naming the file if
    it is empty, too large, not a photo, PDF or video, or an image that does not decode."""
    label = _label(f)
    size = f.size
    if not size:
        raise ValidationError(_('File "%(name)s": the file is empty.') % {"name": label})
    limit_mb = max_upload_mb()
    if size > limit_mb * 1024 * 1024:
        raise ValidationError(
            _('File "%(name)s": %(size)s MB is over the limit of %(limit)s MB a file.')
            % {"name": label, "size": f"{size / 1024 / 1024:.1f}", "limit": limit_mb}
        )
    key, what = _sniff(_read_head(f))
    if key is None:
        raise ValidationError(
            _('File "%(name)s": not a photo, PDF or video file (its content is %(what)s).')
            % {"name": label, "what": what}
        )
    if ACCEPTED[key][0] == EvidenceKind.PHOTO:
        key = _check_image(f, key, label)
    elif ACCEPTED[key][0] == EvidenceKind.DOCUMENT:
        uploads.check_pdf(f)
    elif ACCEPTED[key][0] == EvidenceKind.VIDEO:
        uploads.check_video(f)
    kind, content_type, extension = ACCEPTED[key]
    return CheckedUpload(kind=kind, content_type=content_type, extension=extension)


def _digest(f: File) -> tuple[str, int]:
    sha, size = hashlib.sha256(), 0
    for chunk in f.chunks():  # chunks() starts from the beginning
        sha.update(chunk)
        size += len(chunk)
    f.seek(0)
    return sha.hexdigest(), size


def _bare(im):
    """A copy of the pixels with no metadata at all (EXIF, XMP, comments, profile)."""
    clean = im.copy()
    keep = {k: im.info[k] for k in ("transparency",) if k in im.info}
    clean.info = keep
    return clean


def _public_copy(f: File, checked: CheckedUpload) -> tuple[ContentFile, str]:
    """The photo re-encoded for everyone outside the office: upright, no metadata."""
    from PIL import Image, ImageOps, ImageSequence

    key = _KEY_BY_EXTENSION[checked.extension]
    out = io.BytesIO()
    f.seek(0)
    with Image.open(f, formats=_pillow_formats(key)) as im:
        icc = im.info.get("icc_profile")
        fmt = PUBLIC_FORMAT.get(key, "JPEG")
        extra = {"icc_profile": icc} if icc else {}
        frames = getattr(im, "n_frames", 1) if _is_animated_format(key) else 1
        if frames > 1:
            durations, images = [], []
            for frame in ImageSequence.Iterator(im):
                durations.append(frame.info.get("duration", 100))
                images.append(_bare(frame.convert("RGBA")))
            loop = im.info.get("loop", 0)
            images[0].save(
                out,
                fmt,
                save_all=True,
                append_images=images[1:],
                duration=durations,
                loop=loop,
                **extra,
            )
        else:
            upright = _bare(ImageOps.exif_transpose(im))
            if fmt == "JPEG":
                if upright.mode not in ("RGB", "L", "CMYK"):
                    upright = _flatten(upright)
                upright.save(out, "JPEG", quality=90, **extra)
            elif fmt == "WEBP":
                upright.save(out, "WEBP", quality=90, **extra)
            else:
                upright.save(out, fmt, **extra)
    f.seek(0)
    extension = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}[fmt]
    return ContentFile(out.getvalue()), extension


def _flatten(im):
    """RGB on a white background (JPEG has no transparency)."""
    from PIL import Image

    rgba = im.convert("RGBA")
    white = Image.new("RGB", rgba.size, (255, 255, 255))
    white.paste(rgba, mask=rgba.getchannel("A"))
    return white


# --- files written inside a unit of work ----------------------------------------------

Written = list[tuple[Storage, str]]
_written: contextvars.ContextVar[Written | None] = contextvars.ContextVar(
    "wenyi_evidence_written", default=None
)


def _delete_files(files: Written) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except Exception:  # a leftover file must not hide the real error
            logger.exception("could not delete %s", name)


@contextlib.contextmanager
def files_written() -> Iterator[Written]:
    """Delete every evidence file stored inside the block if an exception leaves it.

        with evidence.files_written(), transaction.atomic():
            activity = create_activity(...)
            for f in uploads:
                store_evidence(actor, activity, f)

    Put it outside the transaction, as here, so that a failing commit removes the
    files too. Nested blocks hand their files to the enclosing one when they succeed.
    """
    outer = _written.get()
    mine: Written = []
    token = _written.set(mine)
    try:
        yield mine
    except BaseException:
        _delete_files(mine)
        raise
    finally:
        _written.reset(token)
    if outer is not None:
        outer.extend(mine)


def _register(files: Written) -> None:
    active = _written.get()
    if active is not None:
        active.extend(files)


# --- services ---------------------------------------------------------------------


def clean_caption(caption: str) -> str:
    caption = (caption or "").strip()
    if len(caption) > CAPTION_MAX:
        raise ValidationError(_("Caption: at most %(max)d characters.") % {"max": CAPTION_MAX})
    return caption


def _record(actor, action: str, evidence: Evidence) -> None:
    """Audit the evidence row, and note it on the activity so its history shows it."""
    audit.record(actor, action, evidence)
    name = str(evidence)
    change = [None, name] if action == AuditAction.CREATE else [name, None]
    audit.record(actor, AuditAction.UPDATE, evidence.activity, changes={"evidence": change})


def _lock_editable(activity: Activity) -> Activity:
    """The activity, locked until the transaction ends, if its evidence may change."""
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    if not locked.is_editable:
        raise ValidationError(
            _("This activity is %(status)s; its evidence can no longer be changed.")
            % {"status": locked.get_status_display()}
        )
    return locked


def pdf_thumbnails_available() -> bool:
    return shutil.which("pdftoppm") is not None


def _enqueue_thumbnail(evidence: Evidence) -> None:
    from wenyi.activities.tasks import make_thumbnail

    # after commit: a worker must find the row, and a rolled-back upload gets none
    transaction.on_commit(lambda: make_thumbnail.enqueue(evidence.pk), robust=True)


def _save_file(field, filename: str, content: File, written: Written) -> None:
    """FieldFile.save(save=False), with the name noted before writing: a write that
    fails half-way (a full disk) is removed with the rest."""
    name = field.field.generate_filename(field.instance, filename)
    written.append((field.storage, name))
    field.name = field.storage.save(name, content, max_length=field.field.max_length)
    written[-1] = (field.storage, field.name)
    setattr(field.instance, field.field.attname, field.name)
    field._committed = True


@contextlib.contextmanager
def writing() -> Iterator[Written]:
    """Collect the files written inside the block: they are deleted if the block fails,
    and otherwise handed to the enclosing `files_written()`, if any. Put the database
    transaction inside it, so a failed commit removes the files too."""
    written: Written = []
    try:
        yield written
    except BaseException:
        _delete_files(written)
        raise
    _register(written)


def save_original_and_public(
    record,
    upload: File,
    extension: str,
    public: tuple[ContentFile, str] | None,
    written: Written,
) -> None:
    """Write an upload to `record.file` under the extension of what it is (not what it was
    called), and a photo's location-free copy to `record.public_file`."""
    _save_file(record.file, f"original.{extension}", upload, written)
    if public is not None:
        content, public_extension = public
        _save_file(record.public_file, f"public.{public_extension}", content, written)


@dataclass(frozen=True)
class PreparedUpload:
    """An upload checked, hashed and (for a photo) with its public copy made: the slow
    part of storing, done before the transaction so no lock is held meanwhile."""

    file: File
    checked: CheckedUpload
    sha256: str
    size: int
    public: tuple[ContentFile, str] | None


def prepare_upload(f: File) -> PreparedUpload:
    """Check an upload and do the slow work of storing it; ValidationError as check_upload."""
    checked = check_upload(f)
    sha256, size = _digest(f)
    public = None
    if checked.kind == EvidenceKind.PHOTO:
        try:
            public = _public_copy(f, checked)
        except Exception as exc:  # decoded once already; a failure here is still the file's
            logger.info("no public copy of %r: %s", _label(f), exc)
            raise ValidationError(_unreadable_message(_label(f))) from None
    return PreparedUpload(file=f, checked=checked, sha256=sha256, size=size, public=public)


def store_evidence(
    actor, activity: Activity, f: File, caption: str = "", *, prepared: PreparedUpload | None = None
) -> Evidence:
    """Attach an uploaded file to an activity, checked by content (see `check_upload`).

    The original goes to `file`. A photo also gets `public_file` (upright, metadata
    removed) and a thumbnail task; a PDF gets a thumbnail task when poppler's
    `pdftoppm` is installed. Video files are kept as uploaded: their metadata may hold
    the place they were filmed, and they are only served to people who may view the
    activity. The same file twice on one activity is refused.

    `prepared`, from `prepare_upload(f)`, saves checking the file a second time when
    the caller has checked a whole batch first.
    """
    caption = clean_caption(caption)
    label = _label(f)
    if prepared is None or prepared.file is not f:
        prepared = prepare_upload(f)
    checked = prepared.checked
    with writing() as written, transaction.atomic():
        activity = _lock_editable(activity)
        same = activity.evidence.filter(sha256=prepared.sha256).first()
        if same is not None:
            raise ValidationError(
                _(
                    'File "%(name)s": the same file is already attached to this activity '
                    '(as "%(existing)s").'
                )
                % {"name": label, "existing": same.original_name}
            )
        evidence = Evidence(
            activity=activity,
            kind=checked.kind,
            original_name=uploads.short_name(f.name or ""),
            content_type=checked.content_type,
            size=prepared.size,
            sha256=prepared.sha256,
            caption=caption,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        save_original_and_public(evidence, f, checked.extension, prepared.public, written)
        evidence.save()
        _record(actor, AuditAction.CREATE, evidence)
    if checked.kind in (EvidenceKind.PHOTO, EvidenceKind.VIDEO) or (
        checked.kind == EvidenceKind.DOCUMENT and pdf_thumbnails_available()
    ):
        _enqueue_thumbnail(evidence)
    return evidence


def clean_link(url: str) -> str:
    url = (url or "").strip()
    shown = url if len(url) <= 80 else url[:77] + "…"
    if len(url) > URL_MAX:
        raise ValidationError(
            _('Link "%(url)s": at most %(max)d characters.') % {"url": shown, "max": URL_MAX}
        )
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError(
            _('Link "%(url)s": not a web address starting with http:// or https://.')
            % {"url": shown}
        ) from None
    return url


@transaction.atomic
def add_link(actor, activity: Activity, url: str, caption: str = "") -> Evidence:
    """Attach a web link (a video on a video site, a news report) to an activity."""
    url = clean_link(url)
    caption = clean_caption(caption)
    activity = _lock_editable(activity)
    if activity.evidence.filter(kind=EvidenceKind.LINK, url=url).exists():
        raise ValidationError(
            _('Link "%(url)s": already attached to this activity.') % {"url": url[:80]}
        )
    evidence = Evidence.objects.create(
        activity=activity,
        kind=EvidenceKind.LINK,
        url=url,
        caption=caption,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    _record(actor, AuditAction.CREATE, evidence)
    return evidence


@transaction.atomic
def remove_evidence(actor, evidence: Evidence) -> None:
    """Delete the evidence; its files go once the deletion is committed."""
    _lock_editable(evidence.activity)
    # fresh: a thumbnail may have been written since the caller read the row
    evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
    files = [
        (field.storage, field.name)
        for field in (evidence.file, evidence.public_file, evidence.thumbnail)
        if field
    ]
    _record(actor, AuditAction.DELETE, evidence)
    evidence.delete()
    transaction.on_commit(lambda: _delete_files(files), robust=True)


# --- thumbnails (run by tasks.make_thumbnail) ----------------------------------------


def make_public_video(record) -> bool:
    """Write a video's copy for everyone outside the office (`public_file`): the same
    pictures and sound without metadata (see core.uploads). True if one was written;
    idempotent like the thumbnails (a second worker or a deleted row writes nothing)."""
    if record.public_file or not record.file:
        return False
    model = type(record)
    extension = record.file.name.rsplit(".", 1)[-1].lower()
    with tempfile.TemporaryDirectory(prefix="wenyi-video-") as tmp:
        source, target = Path(tmp) / f"in.{extension}", Path(tmp) / f"out.{extension}"
        with record.file.open("rb") as fh, source.open("wb") as out:
            shutil.copyfileobj(fh, out)
        try:
            uploads.strip_video_metadata(source, target, extension)
        except Exception as exc:  # FFmpeg could not copy it: the video stays office-only
            logger.warning("no public copy of video %s %s: %s", model.__name__, record.pk, exc)
            return False
        field = record.public_file
        with target.open("rb") as fh:
            field.save(f"public.{extension}", File(fh), save=False)
    claimed = model._default_manager.filter(pk=record.pk, public_file="").update(
        public_file=field.name
    )
    if not claimed:
        _delete_files([(field.storage, field.name)])
        return False
    return True


def _video_still(record):
    """The first picture of a video's public copy, as a Pillow image (None if none)."""
    if not record.public_file:
        return None
    with tempfile.TemporaryDirectory(prefix="wenyi-video-") as tmp:
        source = Path(tmp) / ("in." + record.public_file.name.rsplit(".", 1)[-1])
        with record.public_file.open("rb") as fh, source.open("wb") as out:
            shutil.copyfileobj(fh, out)
        return uploads.video_frame(source)


def _thumbnail_source(evidence: Evidence):
    """An open Pillow image to shrink, or None if this evidence has no thumbnail."""
    from PIL import Image

    if evidence.kind == EvidenceKind.VIDEO:
        make_public_video(evidence)
        evidence.refresh_from_db()
        return _video_still(evidence)
    if evidence.kind == EvidenceKind.PHOTO and evidence.public_file:
        with evidence.public_file.open("rb") as fh:
            data = fh.read()
        return Image.open(io.BytesIO(data))
    if evidence.kind == EvidenceKind.DOCUMENT and evidence.file and pdf_thumbnails_available():
        return _render_pdf_page(evidence)
    return None


def _render_pdf_page(evidence: Evidence):
    """The first page of a PDF as an image, by poppler's pdftoppm (None if it fails)."""
    from PIL import Image

    with tempfile.TemporaryDirectory(prefix="wenyi-pdf-") as tmp:
        source = Path(tmp) / "in.pdf"
        with evidence.file.open("rb") as fh, source.open("wb") as out:
            shutil.copyfileobj(fh, out)
        try:
            subprocess.run(
                [
                    shutil.which("pdftoppm") or "pdftoppm",
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    "-jpeg",
                    "-scale-to",
                    str(THUMBNAIL_PX),
                    str(source),
                    str(Path(tmp) / "page"),
                ],
                check=True,
                capture_output=True,
                timeout=PDFTOPPM_TIMEOUT,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            logger.warning("no thumbnail for evidence %s: pdftoppm failed: %s", evidence.pk, exc)
            return None
        page = Path(tmp) / "page.jpg"
        if not page.exists():
            return None
        return Image.open(io.BytesIO(page.read_bytes()))


def write_thumbnail(evidence_id: int) -> bool:
    """Make the 480-px JPEG thumbnail of one evidence; True if one was written.

    Idempotent: an evidence that has a thumbnail, or no longer exists, is left alone,
    and a thumbnail made for a row deleted meanwhile is removed again.
    """
    evidence = Evidence.objects.filter(pk=evidence_id).first()
    if evidence is None or evidence.thumbnail:
        return False
    source = _thumbnail_source(evidence)
    if source is None:
        return False
    with source:
        has_alpha = source.mode in ("P", "PA", "LA", "RGBA")
        image = source.convert("RGBA" if has_alpha else "RGB")
        image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
        image = _flatten(image) if image.mode != "RGB" else _bare(image)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80, optimize=True)
    field = evidence.thumbnail
    field.save("thumb.jpg", ContentFile(out.getvalue()), save=False)
    claimed = Evidence.objects.filter(pk=evidence_id, thumbnail="").update(thumbnail=field.name)
    if not claimed:  # deleted, or another worker was first
        _delete_files([(field.storage, field.name)])
        return False
    return True


def content_type_for(name: str) -> str:
    """The content type of a stored file, from the extension this module gave it."""
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")
