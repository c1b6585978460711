from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "wenyi.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from wenyi.core import admin_names, clock

        clock.install()  # WENYI_TODAY moves every timestamp the app takes
        admin_names.name_apps()
