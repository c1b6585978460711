from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "wenyi.documents"
    label = "documents"
    verbose_name = _("Documents and certificates")

    def ready(self) -> None:
        from wenyi.campaigns import loader

        # importing a kind of document registers its maker with documents.generate;
        # loading reads the campaign file's [documents] into DocumentSettings
        from wenyi.documents import campaign_notice, certificates, commendation, loading  # noqa: F401
        from wenyi.documents.models import DocumentSettings

        loader.register_section(loading.SECTION, loading.sync_settings, (DocumentSettings,))
