from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "wenyi.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from wenyi.activities import panels  # noqa: F401 - registers this app's panels
