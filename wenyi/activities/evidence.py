"""Evidence of an activity: photos, PDFs, video files and links.

Files are checked, stored and served by `core.uploads` (by content, never by name;
nothing left on disk by a failed upload; location-free copies for everyone outside the
office; a thumbnail made in the background). What is evidence's own is here: that an
activity takes photos, PDFs and videos, the caption, links, and the services that attach
and remove evidence — audited on the evidence row and noted on its activity, and only
while the activity may still change.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from wenyi.activities.enums import EvidenceKind
from wenyi.activities.models import Activity, Evidence
from wenyi.core import filetypes, uploads
from wenyi.core.enums import AuditAction

CAPTION_MAX = Evidence._meta.get_field("caption").max_length
URL_MAX = Evidence._meta.get_field("url").max_length
# what an activity takes: photos, PDFs (not Word files) and videos
ACCEPT = {filetypes.IMAGE, "pdf", filetypes.VIDEO}
KIND_OF = {
    filetypes.IMAGE: EvidenceKind.PHOTO,
    filetypes.DOCUMENT: EvidenceKind.DOCUMENT,
    filetypes.VIDEO: EvidenceKind.VIDEO,
}


def max_upload_mb() -> int:
    return settings.WENYI_UPLOAD_MAX_MB


def _refused(name: str, what: str) -> str:
    return _('File "%(name)s": not a photo, PDF or video file (its content is %(what)s).') % {
        "name": name,
        "what": what,
    }


def check_upload(f: File) -> filetypes.Checked:
    """What the upload is, by content; ValidationError naming the file if it is empty,
    too large, not a photo, PDF or video, damaged, or carries active content."""
    return filetypes.check(f, ACCEPT, max_mb=max_upload_mb(), refused=_refused)


def prepare_upload(f: File) -> uploads.Prepared:
    """Check an upload and do the slow work of storing it (hash, a photo's public copy)
    before any transaction; ValidationError as `check_upload`."""
    return uploads.prepare(f, ACCEPT, max_mb=max_upload_mb(), refused=_refused)


def clean_caption(caption: str) -> str:
    caption = (caption or "").strip()
    if len(caption) > CAPTION_MAX:
        raise ValidationError(_("Caption: at most %(max)d characters.") % {"max": CAPTION_MAX})
    return caption


def _lock_editable(activity: Activity) -> Activity:
    """The activity, locked until the transaction ends, if its evidence may change."""
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    if not locked.is_editable:
        raise ValidationError(
            _("This activity is %(status)s; its evidence can no longer be changed.")
            % {"status": locked.get_status_display()}
        )
    return locked


def store_evidence(
    actor,
    activity: Activity,
    f: File,
    caption: str = "",
    *,
    prepared: uploads.Prepared | None = None,
) -> Evidence:
    """Attach an uploaded file to an activity, checked by content (see `check_upload`).

    A photo gets its location-free public copy at once; a video gets one in the
    background, and is shown outside the office only once it exists. The same file twice
    on one activity is refused. `prepared`, from `prepare_upload(f)`, saves checking the
    file a second time when the caller has checked a whole batch first.
    """
    caption = clean_caption(caption)
    if prepared is None or prepared.file is not f:
        prepared = prepare_upload(f)
    with uploads.writing() as written, transaction.atomic():
        activity = _lock_editable(activity)
        uploads.refuse_same_file(
            activity.evidence,
            prepared,
            _(
                'File "%(name)s": the same file is already attached to this activity '
                '(as "%(existing)s").'
            ),
        )
        evidence = Evidence(
            activity=activity,
            kind=KIND_OF[prepared.checked.kind],
            caption=caption,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        uploads.save_new(evidence, prepared, written)
        uploads.audit_file(actor, AuditAction.CREATE, evidence, evidence.activity, "evidence")
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
    uploads.audit_file(actor, AuditAction.CREATE, evidence, evidence.activity, "evidence")
    return evidence


@transaction.atomic
def remove_evidence(actor, evidence: Evidence) -> None:
    """Delete the evidence; its files go once the deletion is committed."""
    _lock_editable(evidence.activity)
    # fresh: a thumbnail may have been written since the caller read the row
    evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
    uploads.audit_file(actor, AuditAction.DELETE, evidence, evidence.activity, "evidence")
    uploads.delete_after_commit(evidence)
    evidence.delete()
