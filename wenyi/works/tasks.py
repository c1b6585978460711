"""Background work for works: ids in, a service call."""

from django.utils import timezone
from django_tasks import task


@task()
def check_originality(work_id: int) -> int:
    """Index the work's text and images and record the possible copies found."""
    from wenyi.works import images, originality
    from wenyi.works.models import Work

    work = Work.objects.filter(pk=work_id).first()
    if work is None:
        return 0
    found = originality.check_text(work) + images.check_images(work)
    Work.objects.filter(pk=work_id).update(originality_checked_at=timezone.now())
    return len(found)
