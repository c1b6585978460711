from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The top layer: the root URLs, the start page and navigation, setup / serve /
    worker, and the demo; it may import every app, and none imports it."""

    name = "wenyi.site"
    label = "site"
    verbose_name = _("Site")
