"""Background work shared by every app: thin, ids in, a call out."""

from django.apps import apps
from django_tasks import task


@task()
def process_stored_file(model_label: str, pk: int) -> bool:
    """The background step of one stored file (`core.media.process`): a video's copy
    without metadata, the thumbnail. A record deleted meanwhile is skipped quietly."""
    from wenyi.core import media

    record = apps.get_model(model_label)._default_manager.filter(pk=pk).first()
    return media.process(record) if record is not None else False
