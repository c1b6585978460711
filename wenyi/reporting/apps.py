from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "wenyi.reporting"
    label = "reporting"
    verbose_name = _("Reporting")

    def ready(self) -> None:
        from wenyi.reporting import todo  # noqa: F401 - registers its to-dos
