"""Background work of documents: thin wrappers, ids in, a call."""

from django_tasks import task


@task()
def generate_document(job_id: int) -> None:
    """Make a document asked for from a page (see documents.generate)."""
    from wenyi.documents import generate

    generate.run(job_id)
