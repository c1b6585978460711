"""Files people upload, in one place for every app: checked, stored and served.

- **Checked** by content (`core.filetypes.check`: what a file is, whether it is one of
  the kinds the caller accepts, damaged, or carrying active content); `prepare` also
  hashes it and makes a photo's public copy, before any transaction.
- **Stored** under random names (`StoredFile`, the abstract model of evidence and work
  files): the original in `file`, the copy shown outside the office in `public_file`
  (a photo's made at once, a video's in the background: `core.media`), a thumbnail.
- **Nothing is left behind** by a failed upload: files are written inside `writing()`,
  which removes them when the block fails; a caller storing several records in one
  transaction wraps them in `files_written()`, which removes them all on failure.
- **Served** (`serve`) with byte ranges (phones play video only from servers that answer
  them), in a sandbox of their own (`served_file_policy`), never sniffed as another type;
  a photo's or video's original, which may hold the place it was made, only to those the
  caller says may see it.
"""

import contextlib
import contextvars
import hashlib
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import models, transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wenyi.core import audit, media
from wenyi.core.enums import AuditAction
from wenyi.core.filetypes import (
    CONTENT_TYPES,
    IMAGE,
    Checked,
    check,
    label,
    pillow_formats,
    unreadable_message,
)

logger = logging.getLogger(__name__)

NAME_MAX = 100  # characters of a file name kept, extension included


def short_name(name: str) -> str:
    """A file name of at most NAME_MAX characters, its extension kept."""
    name = Path(name or "").name
    if len(name) <= NAME_MAX:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > 10:
        return name[: NAME_MAX - 1] + "…"
    return stem[: NAME_MAX - len(ext) - 2] + "…." + ext


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


@dataclass(frozen=True)
class Prepared:
    """An upload checked and hashed, with a photo's public copy made: the slow part of
    storing, done before the transaction so that no lock is held meanwhile."""

    file: File
    checked: Checked
    sha256: str
    size: int
    public: tuple[ContentFile, str] | None


def digest(f: File) -> tuple[str, int]:
    sha, size = hashlib.sha256(), 0
    for chunk in f.chunks():  # chunks() starts from the beginning
        sha.update(chunk)
        size += len(chunk)
    f.seek(0)
    return sha.hexdigest(), size


def prepare(
    f: File, accept: set[str], *, max_mb: int, refused: Callable[[str, str], str]
) -> Prepared:
    """Check an upload (see `check`) and do the slow work of storing it."""
    checked = check(f, accept, max_mb=max_mb, refused=refused)
    sha256, size = digest(f)
    public = None
    if checked.kind == IMAGE:
        try:
            public = media.public_image_copy(f, checked.key, pillow_formats(checked.key))
        except Exception as exc:  # decoded once already; a failure here is still the file's
            logger.info("no public copy of %r: %s", label(f), exc)
            raise ValidationError(unreadable_message(label(f))) from None
    return Prepared(file=f, checked=checked, sha256=sha256, size=size, public=public)


# --- the stored file --------------------------------------------------------------------------


def stored_file_path(instance: "StoredFile", filename: str) -> str:
    """A random name in the record's folder: the path never shows the uploader's name."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{instance.folder()}/{uuid.uuid4().hex}.{ext}"


class StoredFile(models.Model):
    """An uploaded file as every app keeps it (evidence of an activity, a file of a work,
    an objection's attachment …): the original, the copy shown outside the office, a
    thumbnail, and what the upload was."""

    file = models.FileField(
        gettext_lazy("file"), upload_to=stored_file_path, blank=True, max_length=300
    )
    # photos and videos as shown outside the office: location and other metadata removed
    public_file = models.FileField(
        gettext_lazy("public copy"), upload_to=stored_file_path, blank=True, max_length=300
    )
    thumbnail = models.FileField(
        gettext_lazy("thumbnail"), upload_to=stored_file_path, blank=True, max_length=300
    )
    original_name = models.CharField(gettext_lazy("file name"), max_length=255, blank=True)
    content_type = models.CharField(gettext_lazy("file format"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(gettext_lazy("file size"), default=0)
    sha256 = models.CharField(
        gettext_lazy("SHA-256 checksum"), max_length=64, blank=True, db_index=True
    )
    created_at = models.DateTimeField(gettext_lazy("uploaded at"), auto_now_add=True)

    # where the record's files are stored below the media root: `<upload_folder>/<id>`,
    # the id read from `upload_owner` (the owning record's key, e.g. "activity_id")
    upload_folder = "files"
    upload_owner = ""

    class Meta:
        abstract = True

    def folder(self) -> str:
        owner = getattr(self, self.upload_owner) if self.upload_owner else None
        return self.upload_folder if owner is None else f"{self.upload_folder}/{owner}"

    @property
    def is_stripped(self) -> bool:
        """A photo or video: its original may hold where it was made."""
        return self.content_type.startswith(("image/", "video/"))

    def stored_files(self) -> list[tuple[Storage, str]]:
        return [(f.storage, f.name) for f in (self.file, self.public_file, self.thumbnail) if f]


Written = list[tuple[Storage, str]]
_written: contextvars.ContextVar[Written | None] = contextvars.ContextVar(
    "wenyi_files_written", default=None
)


def delete_files(files: Written) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except Exception:  # a leftover file must not hide the real error
            logger.exception("could not delete %s", name)


def delete_after_commit(record: StoredFile) -> None:
    """Delete a record's stored files once the deletion of the record is committed."""
    files = record.stored_files()
    transaction.on_commit(lambda: delete_files(files), robust=True)


@contextlib.contextmanager
def files_written() -> Iterator[Written]:
    """Delete every file stored inside the block if an exception leaves it.

        with uploads.files_written(), transaction.atomic():
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
        delete_files(mine)
        raise
    finally:
        _written.reset(token)
    if outer is not None:
        outer.extend(mine)


@contextlib.contextmanager
def writing() -> Iterator[Written]:
    """Collect the files written inside the block: they are deleted if the block fails,
    and otherwise handed to the enclosing `files_written()`, if any. Put the database
    transaction inside it, so a failed commit removes the files too."""
    written: Written = []
    try:
        yield written
    except BaseException:
        delete_files(written)
        raise
    active = _written.get()
    if active is not None:
        active.extend(written)


def _save_file(field, filename: str, content: File, written: Written) -> None:
    """FieldFile.save(save=False), with the name noted before writing: a write that
    fails half-way (a full disk) is removed with the rest."""
    name = field.field.generate_filename(field.instance, filename)
    written.append((field.storage, name))
    field.name = field.storage.save(name, content, max_length=field.field.max_length)
    written[-1] = (field.storage, field.name)
    setattr(field.instance, field.field.attname, field.name)
    field._committed = True


def fill(record: StoredFile, prepared: Prepared, written: Written) -> None:
    """Write a prepared upload into `record` (not saved yet): the original under the
    extension of what it is (not what it was called), a photo's public copy, and what
    the upload was."""
    upload = prepared.file
    _save_file(record.file, f"original.{prepared.checked.extension}", upload, written)
    if prepared.public is not None:
        content, public_extension = prepared.public
        _save_file(record.public_file, f"public.{public_extension}", content, written)
    record.original_name = short_name(upload.name or "")
    record.content_type = prepared.checked.content_type
    record.size = prepared.size
    record.sha256 = prepared.sha256


def audit_file(actor, action: str, record: StoredFile, parent, key: str) -> None:
    """Audit a file row, and note it under `key` on the record it belongs to, so the
    parent's history shows it."""
    audit.record(actor, action, record)
    name = str(record)
    change = [None, name] if action == AuditAction.CREATE else [name, None]
    audit.record(actor, AuditAction.UPDATE, parent, changes={key: change})


def refuse_same_file(siblings, prepared: Prepared, message: str) -> None:
    """The same content twice on one record (an activity, a work) is refused: `message`
    names the upload (%(name)s) and the file already there (%(existing)s)."""
    same = siblings.filter(sha256=prepared.sha256).first()
    if same is not None:
        raise ValidationError(
            message % {"name": label(prepared.file), "existing": same.original_name}
        )


def save_new(record: StoredFile, prepared: Prepared, written: Written) -> StoredFile:
    """Write a prepared upload into a new record, save it, and queue its background step
    (inside `writing()` and the caller's transaction)."""
    fill(record, prepared, written)
    record.save()
    process_later(record)
    return record


def process_later(record: StoredFile) -> None:
    """Queue the background step (public copy of a video, thumbnail) once committed."""
    if not media.needs_processing(record):
        return
    from wenyi.core.tasks import process_stored_file

    label_ = record._meta.label_lower
    pk = record.pk
    # after commit: a worker must find the row, and a rolled-back upload gets none
    transaction.on_commit(lambda: process_stored_file.enqueue(label_, pk), robust=True)


def content_type_for(name: str) -> str:
    """The content type of a stored file, from the extension this module gave it."""
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")


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


VARIANTS = ("original", "public", "thumb")
CHUNK = 64 * 1024
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _renamed(original: str, stored: str) -> str:
    """The uploader's name with the extension of the copy served."""
    stem = original.rsplit(".", 1)[0] if "." in original else (original or "file")
    suffix = stored if stored.startswith("-") else "." + stored.rsplit(".", 1)[-1]
    return stem + suffix


def serve_one(
    request: HttpRequest, records, pk: int, variant: str, *, originals: bool
) -> HttpResponse:
    """`serve` the file `pk` of `records` (the files of a record the caller has checked
    the user may view); another record's file is a 404."""
    from django.shortcuts import get_object_or_404

    return serve(request, get_object_or_404(records, pk=pk), variant, originals=originals)


def serve(
    request: HttpRequest, record: StoredFile, variant: str, *, originals: bool
) -> HttpResponse:
    """original: as uploaded (a photo's or video's only when `originals`, the caller's
    rule); public: what everyone sees (a photo's or video's copy without metadata,
    otherwise the file itself; 404 until a video's copy is made); thumb: the thumbnail."""
    if variant not in VARIANTS:
        raise Http404
    if variant == "original":
        if record.is_stripped and not originals:
            raise PermissionDenied
        field, content_type, filename = record.file, record.content_type, record.original_name
    elif variant == "public":
        field = record.public_file if record.is_stripped else record.file
        content_type = content_type_for(field.name) if record.is_stripped else record.content_type
        filename = _renamed(record.original_name, field.name)
    else:
        field, content_type = record.thumbnail, "image/jpeg"
        filename = _renamed(record.original_name, "-thumb.jpg")
    if not field:
        raise Http404  # a link, or a copy or thumbnail not made yet
    try:
        # the size from the opened file: one look-up in a bucket, not two
        handle = field.storage.open(field.name, "rb")
        size = handle.size
    except FileNotFoundError:
        raise Http404 from None
    attachment = request.GET.get("download") == "1"
    response = ranged(request, handle, size, content_type, attachment, filename)
    response["Content-Security-Policy"] = served_file_policy(content_type)
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, max_age=3600)
    return response


def ranged(
    request: HttpRequest, handle, size: int, content_type: str, attachment: bool, filename: str
) -> HttpResponse:
    """The file, or the one byte range asked for."""
    match = RANGE.match(request.headers.get("Range", "").replace(" ", ""))
    if match is None or not any(match.groups()):
        response = FileResponse(
            handle, content_type=content_type, as_attachment=attachment, filename=filename
        )
        response["Accept-Ranges"] = "bytes"
        return response
    first, last = match.groups()
    if first:
        start, end = int(first), (min(int(last), size - 1) if last else size - 1)
    else:  # the last N bytes
        start, end = max(0, size - int(last)), size - 1
    if start > end or start >= size:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    handle.seek(start)
    response = StreamingHttpResponse(
        _read(handle, end - start + 1), status=206, content_type=content_type
    )
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = content_disposition_header(attachment, filename)
    return response


def _read(handle, remaining: int):
    try:
        while remaining > 0:
            chunk = handle.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()
