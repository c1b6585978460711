"""Files of a work: manuscripts, scores, recordings, pictures and videos.

Files are checked, stored and served by `core.uploads` (by content, never by name;
nothing left on disk by a failed upload; a picture's or video's copy without location
data for everyone outside the office; thumbnails in the background). What is works' own
is here: which kinds of file an art form takes (`WorkCategory.file_kinds` and
`max_file_mb` from the campaign file), the role a file plays in the work (a music work's
document is its score), and the services that attach and remove files of a draft.
The original is kept as uploaded: a photo keeps its EXIF, as contests ask for originals.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from wenyi.campaigns.enums import FileKind
from wenyi.campaigns.models import WorkCategory
from wenyi.core import filetypes, uploads
from wenyi.core.enums import AuditAction
from wenyi.works.enums import FileRole, WorkStatus
from wenyi.works.models import Work, WorkFile

ROLE_OF = {
    filetypes.IMAGE: FileRole.IMAGE,
    filetypes.AUDIO: FileRole.AUDIO,
    filetypes.VIDEO: FileRole.VIDEO,
    filetypes.DOCUMENT: FileRole.DOCUMENT,
}
# the campaign file's kinds of file that are files (not typed text or a link)
FILE_KINDS = {FileKind.IMAGE, FileKind.AUDIO, FileKind.VIDEO, FileKind.DOCUMENT}


def max_file_mb(category: WorkCategory) -> int:
    return category.max_file_mb or settings.WENYI_UPLOAD_MAX_MB


def _kind_names(kinds) -> str:
    labels = dict(FileKind.choices)
    return "、".join(str(labels[k]) for k in kinds if k in labels and k in FILE_KINDS)


def _accept(category: WorkCategory) -> set[str]:
    # FileKind's values are core.filetypes' kinds: image, audio, video, document
    return {k for k in (category.file_kinds or []) if k in FILE_KINDS}


def _refused(category: WorkCategory):
    def message(name: str, what: str) -> str:
        return _(
            'File "%(name)s": %(form)s takes %(kinds)s; this file is not one '
            "(its content is %(what)s)."
        ) % {
            "name": name,
            "form": category.name,
            "kinds": _kind_names(category.file_kinds or []) or _("no files"),
            "what": what,
        }

    return message


def _role(category: WorkCategory, checked: filetypes.Checked) -> str:
    role = ROLE_OF[checked.kind]
    if role == FileRole.DOCUMENT and FileKind.AUDIO in (category.file_kinds or []):
        return FileRole.SCORE  # music: the document is the score (or the lyrics)
    return role


def check_work_file(category: WorkCategory, upload: File) -> tuple[str, str, str]:
    """(file role, content type, extension) of an upload for this art form, judged by
    content; ValidationError naming the file when it is empty, too large, damaged,
    carries active content, or is of a kind the art form does not take."""
    checked = filetypes.check(
        upload, _accept(category), max_mb=max_file_mb(category), refused=_refused(category)
    )
    return _role(category, checked), checked.content_type, checked.extension


def prepare_work_file(category: WorkCategory, upload: File) -> uploads.Prepared:
    """Check an upload and do the slow work of storing it before any transaction;
    ValidationError as `check_work_file`."""
    return uploads.prepare(
        upload, _accept(category), max_mb=max_file_mb(category), refused=_refused(category)
    )


def _lock_draft(work: Work) -> Work:
    locked = Work.objects.select_for_update().get(pk=work.pk)
    if locked.status != WorkStatus.DRAFT:
        raise ValidationError(
            _("This work is %(status)s; its files can no longer be changed.")
            % {"status": locked.get_status_display()}
        )
    return locked


def store_work_file(
    actor, work: Work, upload: File, *, prepared: uploads.Prepared | None = None
) -> WorkFile:
    """Attach an upload to a draft work, checked against its art form (see
    `check_work_file`). The same file twice on one work is refused."""
    if prepared is None or prepared.file is not upload:
        prepared = prepare_work_file(work.category, upload)
    with uploads.writing() as written, transaction.atomic():
        work = _lock_draft(work)
        uploads.refuse_same_file(
            work.files,
            prepared,
            _('File "%(name)s": the same file is already part of this work (as "%(existing)s").'),
        )
        work_file = WorkFile(work=work, role=_role(work.category, prepared.checked))
        uploads.save_new(work_file, prepared, written)
        uploads.audit_file(actor, AuditAction.CREATE, work_file, work_file.work, "files")
    return work_file


@transaction.atomic
def remove_work_file(actor, work_file: WorkFile) -> None:
    """Delete a file of a draft; the stored files go once the deletion is committed."""
    _lock_draft(work_file.work)
    work_file = WorkFile.objects.select_for_update().select_related("work").get(pk=work_file.pk)
    uploads.audit_file(actor, AuditAction.DELETE, work_file, work_file.work, "files")
    uploads.delete_after_commit(work_file)
    work_file.delete()
