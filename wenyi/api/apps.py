from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "wenyi.api"
    label = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from wenyi.api import rules  # noqa: F401  (registers the permissions)
