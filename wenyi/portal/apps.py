from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "wenyi.portal"
    label = "portal"
    verbose_name = _("Public portal")

    def ready(self) -> None:
        from wenyi.portal import rules  # noqa: F401 - register the rules
