from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "wenyi.awards"
    label = "awards"
    verbose_name = _("Results and public notice")

    def ready(self) -> None:
        from wenyi.awards import rules, todo  # noqa: F401 - register the rules and to-dos
