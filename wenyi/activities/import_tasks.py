"""The activity import as a background task (the upload page enqueues it).

Kept apart from tasks.py so the two can change independently. The task takes the
job's id only; `process_import` is shared with `wenyi import-activities`, which runs
it in-process to print its progress.
"""

import logging
from collections.abc import Callable
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from wenyi.activities.enums import ImportStatus
from wenyi.activities.excel_import import import_activities
from wenyi.activities.models import ActivityImport

logger = logging.getLogger(__name__)


def process_import(
    job_id: int,
    *,
    file: IO[bytes] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ActivityImport:
    """Claim a queued job, import it, and always end it "done" or "failed".

    The claim is one conditional UPDATE, so a job enqueued or run twice is imported
    once. The uploaded file is deleted afterwards, whatever the outcome: the
    activities (or the list of problems) are what is kept.
    """
    claimed = ActivityImport.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, updated_at=timezone.now()
    )
    job = ActivityImport.objects.select_related("campaign", "created_by").get(pk=job_id)
    if not claimed:
        return job
    try:
        import_activities(job, file=file, progress=progress)
    except Exception:
        logger.exception("activity import %s stopped", job_id)
        ActivityImport.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED,
            updated_at=timezone.now(),
            message=_(
                "The import stopped because of an unexpected error; nothing was "
                "imported. Please upload the file again; if it happens again, tell "
                "the administrator."
            ),
        )
        raise
    finally:
        _discard_file(job_id)
    job.refresh_from_db()
    return job


def _discard_file(job_id: int) -> None:
    job = ActivityImport.objects.filter(pk=job_id).only("file").first()
    if job is not None and job.file:
        job.file.delete(save=False)
        ActivityImport.objects.filter(pk=job_id).update(file="")


@task()
def run_activity_import(job_id: int) -> None:
    process_import(job_id)
