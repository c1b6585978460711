"""Background work on the files of works: ids in, a call into `files`."""

from django_tasks import task


@task()
def make_work_thumbnail(file_id: int) -> bool:
    """The 480-px JPEG thumbnail of a picture or a PDF's first page. Idempotent; a file
    deleted before the task runs is skipped quietly."""
    from wenyi.works import files

    return files.write_thumbnail(file_id)
