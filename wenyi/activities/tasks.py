"""Background work for activities: thin wrappers, ids in, a service call."""

from django_tasks import task

from wenyi.activities import evidence


@task()
def make_thumbnail(evidence_id: int) -> bool:
    """The 480-px JPEG thumbnail of a photo (from its public copy) or a PDF's first page.

    Idempotent; an evidence deleted before the task runs is skipped quietly.
    """
    return evidence.write_thumbnail(evidence_id)
