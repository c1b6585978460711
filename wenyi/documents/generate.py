"""Making documents and keeping every version (the archive).

Each kind of document registers a maker in its module (`register`): a function
`maker(campaign, variant, format, progress) -> Made` that returns the file's bytes with
its title and number, calling `progress(done, total)` as it goes. `make` runs a maker
and stores the result as the next version in the archive (`store`), audited;
`request` does the same in the background: it files a `GenerationJob` (one unfinished
job per document, so a second click finds the first) and enqueues it; `run` is the
task's body. The page that asked follows the job's progress, also after a reload; the
command line passes its own `progress` to `make`.

A maker raises `CannotMake` (a message for the office) when the document cannot be made
yet, e.g. before the results are final; the job then fails with that message.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyi.campaigns.models import Campaign
from wenyi.core import audit
from wenyi.core.enums import AuditAction
from wenyi.core.typst import TypstFailed
from wenyi.documents.enums import RUNNING, JobStatus
from wenyi.documents.models import Document, GenerationJob

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass
class Made:
    content: bytes
    title: str
    number: str = ""
    note: str = ""


Maker = Callable[[Campaign, str, str, Progress], Made]
_MAKERS: dict[str, Maker] = {}


class CannotMake(Exception):
    """The document cannot be made now; the message says why, for the office."""


def register(kind: str, maker: Maker) -> None:
    _MAKERS[kind] = maker


def _quiet(done: int, total: int) -> None:
    pass


def make(
    actor,
    campaign: Campaign,
    kind: str,
    fmt: str,
    *,
    variant: str = "",
    progress: Progress | None = None,
) -> Document:
    """Make the document now and keep it as its next version. Raises CannotMake."""
    try:
        made = _MAKERS[kind](campaign, variant, fmt, progress or _quiet)
    except TypstFailed as error:
        raise CannotMake(str(error)) from error
    return store(actor, campaign, kind, fmt, made, variant=variant)


def store(actor, campaign: Campaign, kind: str, fmt: str, made: Made, *, variant="") -> Document:
    """Keep `made` as the next version of its document (version, hash, who, when)."""
    digest = hashlib.sha256(made.content).hexdigest()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                versions = Document.objects.filter(
                    campaign=campaign, kind=kind, variant=variant, format=fmt
                )
                latest = versions.aggregate(v=Max("version"))["v"] or 0
                document = Document(
                    campaign=campaign,
                    kind=kind,
                    variant=variant,
                    format=fmt,
                    version=latest + 1,
                    title=made.title[:200],
                    number=made.number[:60],
                    sha256=digest,
                    size=len(made.content),
                    made_by=actor if getattr(actor, "is_authenticated", False) else None,
                    made_at=timezone.now(),
                    note=made.note[:300],
                )
                document.file.save(f"{kind}.{fmt}", ContentFile(made.content), save=False)
                try:
                    document.save()
                except IntegrityError:
                    document.file.delete(save=False)
                    raise
                audit.record(actor, AuditAction.CREATE, document)
                return document
        except IntegrityError:  # another process kept the same version meanwhile
            continue
    raise CannotMake(_("The document could not be kept; please try again."))


def request(actor, campaign: Campaign, kind: str, fmt: str, *, variant: str = "") -> GenerationJob:
    """File a background job for the document, or find the unfinished one asked for
    before. Call it in autocommit (a view, a command)."""
    from wenyi.documents.tasks import generate_document

    running = GenerationJob.objects.filter(
        campaign=campaign, kind=kind, variant=variant, format=fmt, status__in=RUNNING
    )
    job = running.first()
    if job is not None:
        return job
    try:
        with transaction.atomic():
            job = GenerationJob.objects.create(
                campaign=campaign, kind=kind, variant=variant, format=fmt, requested_by=actor
            )
    except IntegrityError:  # the same request, sent twice at the same moment
        return running.get()
    generate_document.enqueue(job.pk)
    return job


def run(job_id: int) -> GenerationJob:
    """Claim a queued job, make its document and end the job done or failed."""
    claimed = GenerationJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, updated_at=timezone.now()
    )
    job = GenerationJob.objects.select_related("campaign", "requested_by").get(pk=job_id)
    if not claimed:
        return job

    def report(done: int, total: int) -> None:
        GenerationJob.objects.filter(pk=job_id).update(
            done=done, total=total, updated_at=timezone.now()
        )

    outcome = {"status": JobStatus.FAILED, "updated_at": timezone.now()}
    try:
        document = make(
            job.requested_by,
            job.campaign,
            job.kind,
            job.format,
            variant=job.variant,
            progress=report,
        )
    except CannotMake as error:
        outcome["message"] = str(error)
    except Exception:
        logger.exception("document job %s stopped", job_id)
        outcome["message"] = _(
            "The document could not be made because of an unexpected error. Please try "
            "again; if it happens again, tell the administrator."
        )
    else:
        outcome.update(
            status=JobStatus.DONE,
            document=document,
            message=_("Version %(version)s made.") % {"version": document.version},
        )
    GenerationJob.objects.filter(pk=job_id).update(**outcome)
    job.refresh_from_db()
    return job


def versions(campaign: Campaign, kind: str):
    """Every kept version of a kind of document, newest first per format and variant."""
    return Document.objects.filter(campaign=campaign, kind=kind).select_related("made_by")
