"""Files of a work: manuscripts, scores, recordings, pictures and videos.

An upload is judged by its content, never by its name, against the art form's rules
from the campaign file (`WorkCategory.file_kinds`, `max_file_mb`). Photos, PDFs and
videos are recognised by the activities' evidence checker; this module adds what
works need besides: sound files (MP3, M4A/AAC, WAV, OGG, FLAC) and Word documents
(.docx, and the old .doc / WPS format).

The original is kept as uploaded (a photo keeps its EXIF: contests ask for
originals); a picture also gets `public_file`, upright and without location data,
which is what anyone outside the office is shown, and a thumbnail made by the task
`file_tasks.make_work_thumbnail`. A failed upload leaves no file behind: callers
storing several files wrap them in `evidence.files_written()`.
"""

import io
import logging
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from wenyi.activities import evidence
from wenyi.activities.enums import EvidenceKind
from wenyi.campaigns.enums import FileKind
from wenyi.campaigns.models import WorkCategory
from wenyi.core import audit, uploads
from wenyi.core.enums import AuditAction
from wenyi.works.enums import FileRole, WorkStatus
from wenyi.works.models import Work, WorkFile

logger = logging.getLogger(__name__)

# sound: key -> (content type, extension)
AUDIO = {
    "mp3": ("audio/mpeg", "mp3"),
    "m4a": ("audio/mp4", "m4a"),
    "aac": ("audio/aac", "aac"),
    "wav": ("audio/wav", "wav"),
    "ogg": ("audio/ogg", "ogg"),
    "flac": ("audio/flac", "flac"),
}
DOCX = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
DOC = ("application/msword", "doc")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# the stream every Word 97–2003 (and WPS) document holds, as named in the OLE directory
WORD_STREAM = "WordDocument".encode("utf-16-le")
DOCX_XML_MAX = 200 * 1024 * 1024  # decompressed size of word/document.xml (a ZIP bomb guard)

CONTENT_TYPES = {
    **{ext: ctype for ctype, ext in AUDIO.values()},
    DOCX[1]: DOCX[0],
    DOC[1]: DOC[0],
}


@dataclass(frozen=True)
class PreparedWorkFile:
    """An upload checked and hashed, with a picture's public copy made: the slow part of
    storing, done before the transaction so that no lock is held meanwhile."""

    file: File
    role: str
    content_type: str
    extension: str
    sha256: str
    size: int
    public: tuple[ContentFile, str] | None


def max_file_mb(category: WorkCategory) -> int:
    return category.max_file_mb or settings.WENYI_UPLOAD_MAX_MB


def _audio_key(head: bytes) -> str | None:
    if head.startswith(b"ID3"):
        return "mp3"
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"OggS"):
        return "ogg"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    brands = evidence._ftyp_brands(head)
    if brands and brands[0] in evidence.AUDIO_BRANDS:
        return "m4a"
    if len(head) > 1 and head[0] == 0xFF:
        if head[1] & 0xF6 == 0xF0:  # ADTS: sync word, layer 00
            return "aac"
        if head[1] & 0xE0 == 0xE0 and head[1] & 0x06:  # MPEG audio frame, layer I–III
            return "mp3"
    return None


def _is_docx(f: File) -> bool:
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


def _is_word_ole(f: File) -> bool:
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


def _what(head: bytes) -> str:
    """What the content is, in words, for a message."""
    _key, what = evidence._sniff(head)
    if _audio_key(head):
        return _("a sound file")
    return what


def _kind_names(kinds) -> str:
    labels = dict(FileKind.choices)
    return "、".join(str(labels[k]) for k in kinds if k in labels and k != FileKind.TEXT)


def check_work_file(category: WorkCategory, upload: File) -> tuple[str, str, str]:
    """(file role, content type, extension) of an upload for this art form, judged by
    content; ValidationError naming the file when it is empty, too large, damaged or
    of a kind the art form does not take."""
    label = evidence._label(upload)
    size = upload.size
    if not size:
        raise ValidationError(_('File "%(name)s": the file is empty.') % {"name": label})
    limit_mb = max_file_mb(category)
    if size > limit_mb * 1024 * 1024:
        raise ValidationError(
            _('File "%(name)s": %(size)s MB is over the limit of %(limit)s MB a file.')
            % {"name": label, "size": f"{size / 1024 / 1024:.1f}", "limit": limit_mb}
        )
    kinds = set(category.file_kinds or [])
    head = evidence._read_head(upload)
    key, _what_it_is = evidence._sniff(head)
    found: tuple[str, str, str, str] | None = None  # (file kind, role, type, extension)
    if key is not None:
        ev_kind, content_type, extension = evidence.ACCEPTED[key]
        if ev_kind == EvidenceKind.PHOTO:
            found = (FileKind.IMAGE, FileRole.IMAGE, content_type, extension)
        elif ev_kind == EvidenceKind.VIDEO:
            found = (FileKind.VIDEO, FileRole.VIDEO, content_type, extension)
        else:
            found = (FileKind.DOCUMENT, FileRole.DOCUMENT, content_type, extension)
    elif (audio := _audio_key(head)) is not None:
        found = (FileKind.AUDIO, FileRole.AUDIO, *AUDIO[audio])
    elif head.startswith(b"PK\x03\x04") and _is_docx(upload):
        found = (FileKind.DOCUMENT, FileRole.DOCUMENT, *DOCX)
    elif head.startswith(OLE_MAGIC) and _is_word_ole(upload):
        found = (FileKind.DOCUMENT, FileRole.DOCUMENT, *DOC)
    if found is None or found[0] not in kinds:
        what = _what(head) if found is None else str(dict(FileKind.choices)[found[0]])
        raise ValidationError(
            _(
                'File "%(name)s": %(form)s takes %(kinds)s; this file is not one '
                "(its content is %(what)s)."
            )
            % {
                "name": label,
                "form": category.name,
                "kinds": _kind_names(kinds) or _("no files"),
                "what": what,
            }
        )
    kind, role, content_type, extension = found
    if kind == FileKind.IMAGE:
        checked_key = evidence._check_image(upload, evidence._KEY_BY_EXTENSION[extension], label)
        _kind, content_type, extension = evidence.ACCEPTED[checked_key]
    elif kind == FileKind.VIDEO:
        uploads.check_video(upload)
    elif extension == "pdf":
        uploads.check_pdf(upload)
    elif extension == DOCX[1] and uploads.docx_has_macros(upload):
        raise uploads.refuse_macros(upload)
    elif extension == DOC[1] and uploads.ole_has_macros(upload):
        raise uploads.refuse_macros(upload)
    if kind == FileKind.DOCUMENT and FileKind.AUDIO in kinds:
        role = FileRole.SCORE  # music: the document is the score (or the lyrics)
    return role, content_type, extension


def prepare_work_file(category: WorkCategory, upload: File) -> PreparedWorkFile:
    """Check an upload and do the slow work of storing it; ValidationError as
    `check_work_file`."""
    role, content_type, extension = check_work_file(category, upload)
    sha256, size = evidence._digest(upload)
    public = None
    if role == FileRole.IMAGE:
        checked = evidence.CheckedUpload(
            kind=EvidenceKind.PHOTO, content_type=content_type, extension=extension
        )
        try:
            public = evidence._public_copy(upload, checked)
        except Exception as exc:  # decoded once already; a failure is still the file's
            logger.info("no public copy of %r: %s", evidence._label(upload), exc)
            raise ValidationError(evidence._unreadable_message(evidence._label(upload))) from None
    return PreparedWorkFile(
        file=upload,
        role=role,
        content_type=content_type,
        extension=extension,
        sha256=sha256,
        size=size,
        public=public,
    )


def _lock_draft(work: Work) -> Work:
    locked = Work.objects.select_for_update().get(pk=work.pk)
    if locked.status != WorkStatus.DRAFT:
        raise ValidationError(
            _("This work is %(status)s; its files can no longer be changed.")
            % {"status": locked.get_status_display()}
        )
    return locked


def _record(actor, action: str, work_file: WorkFile) -> None:
    """Audit the file row, and note it on the work so the work's history shows it."""
    audit.record(actor, action, work_file)
    name = str(work_file)
    change = [None, name] if action == AuditAction.CREATE else [name, None]
    audit.record(actor, AuditAction.UPDATE, work_file.work, changes={"files": change})


def store_work_file(
    actor, work: Work, upload: File, *, prepared: PreparedWorkFile | None = None
) -> WorkFile:
    """Attach an upload to a draft work, checked against its art form (see
    `check_work_file`). The same file twice on one work is refused."""
    label = evidence._label(upload)
    if prepared is None or prepared.file is not upload:
        prepared = prepare_work_file(work.category, upload)
    with evidence.writing() as written, transaction.atomic():
        work = _lock_draft(work)
        same = work.files.filter(sha256=prepared.sha256).first()
        if same is not None:
            raise ValidationError(
                _(
                    'File "%(name)s": the same file is already part of this work '
                    '(as "%(existing)s").'
                )
                % {"name": label, "existing": same.original_name}
            )
        work_file = WorkFile(
            work=work,
            role=prepared.role,
            original_name=uploads.short_name(upload.name or ""),
            content_type=prepared.content_type,
            size=prepared.size,
            sha256=prepared.sha256,
        )
        evidence.save_original_and_public(
            work_file, upload, prepared.extension, prepared.public, written
        )
        work_file.save()
        _record(actor, AuditAction.CREATE, work_file)
    if prepared.role in (FileRole.IMAGE, FileRole.VIDEO) or (
        prepared.extension == "pdf" and evidence.pdf_thumbnails_available()
    ):
        from wenyi.works.file_tasks import make_work_thumbnail

        # after commit: a worker must find the row, and a rolled-back upload gets none
        pk = work_file.pk
        transaction.on_commit(lambda: make_work_thumbnail.enqueue(pk), robust=True)
    return work_file


@transaction.atomic
def remove_work_file(actor, work_file: WorkFile) -> None:
    """Delete a file of a draft; the stored files go once the deletion is committed."""
    _lock_draft(work_file.work)
    work_file = WorkFile.objects.select_for_update().select_related("work").get(pk=work_file.pk)
    stored = [
        (field.storage, field.name)
        for field in (work_file.file, work_file.public_file, work_file.thumbnail)
        if field
    ]
    _record(actor, AuditAction.DELETE, work_file)
    work_file.delete()
    transaction.on_commit(lambda: evidence._delete_files(stored), robust=True)


def write_thumbnail(file_id: int) -> bool:
    """The 480-px JPEG thumbnail of a picture (from its public copy) or of a PDF's first
    page; True if one was written. Idempotent, like the evidence thumbnails."""
    from PIL import Image

    work_file = WorkFile.objects.filter(pk=file_id).first()
    if work_file is None or work_file.thumbnail:
        return False
    if work_file.role == FileRole.VIDEO:
        evidence.make_public_video(work_file)
        work_file.refresh_from_db()
        source = evidence._video_still(work_file)
    elif work_file.role == FileRole.IMAGE and work_file.public_file:
        with work_file.public_file.open("rb") as fh:
            source = Image.open(io.BytesIO(fh.read()))
    elif work_file.file.name.endswith(".pdf") and evidence.pdf_thumbnails_available():
        source = evidence._render_pdf_page(work_file)
    else:
        source = None
    if source is None:
        return False
    with source:
        has_alpha = source.mode in ("P", "PA", "LA", "RGBA")
        image = source.convert("RGBA" if has_alpha else "RGB")
        image.thumbnail((evidence.THUMBNAIL_PX, evidence.THUMBNAIL_PX))
        image = evidence._flatten(image) if image.mode != "RGB" else evidence._bare(image)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80, optimize=True)
    field = work_file.thumbnail
    field.save("thumb.jpg", ContentFile(out.getvalue()), save=False)
    claimed = WorkFile.objects.filter(pk=file_id, thumbnail="").update(thumbnail=field.name)
    if not claimed:  # deleted meanwhile, or another worker was first
        evidence._delete_files([(field.storage, field.name)])
        return False
    return True


def content_type_for(name: str) -> str:
    """The content type of a stored file, from the extension this module gave it."""
    ext = name.rsplit(".", 1)[-1].lower()
    return CONTENT_TYPES.get(ext) or evidence.content_type_for(name)
