from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "wenyi.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from wenyi.activities import (  # noqa: F401 - panels and to-dos register themselves
            excel_import,
            panels,
            todo,
        )
        from wenyi.core import imports
        from wenyi.core.enums import ImportKind

        imports.register(
            ImportKind.ACTIVITIES, check=excel_import.check_job, write=excel_import.write_job
        )
