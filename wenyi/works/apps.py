from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorksConfig(AppConfig):
    name = "wenyi.works"
    label = "works"
    verbose_name = _("Works")

    def ready(self) -> None:
        from wenyi.works import panels, todo  # noqa: F401 - registers panels and to-dos
