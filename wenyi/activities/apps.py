from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "wenyi.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from wenyi.activities import (
            excel_import,
            panels,  # noqa: F401 - registers this app's panels
        )
        from wenyi.core import imports
        from wenyi.core.enums import ImportKind

        imports.register(
            ImportKind.ACTIVITIES, check=excel_import.check_job, write=excel_import.write_job
        )
