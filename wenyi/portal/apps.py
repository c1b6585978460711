from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "wenyi.portal"
    label = "portal"
    verbose_name = _("Public portal")

    def ready(self) -> None:
        from wenyi.portal import anthology, rules  # noqa: F401 - register the rules

        anthology.register()  # the maker of the anthology's PDF and EPUB
