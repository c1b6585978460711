"""Background work of core: thin wrappers, ids in, a call."""

from django.apps import apps
from django_tasks import task

from wenyi.core import imports


@task()
def run_import(job_id: int) -> None:
    """Import an uploaded spreadsheet (an ImportJob of any kind); see core.imports."""
    imports.process(job_id)


@task()
def process_stored_file(model_label: str, pk: int) -> bool:
    """The background step of one stored file (`core.media.process`): a video's copy
    without metadata, the thumbnail. A record deleted meanwhile is skipped quietly."""
    from wenyi.core import media

    record = apps.get_model(model_label)._default_manager.filter(pk=pk).first()
    return media.process(record) if record is not None else False
