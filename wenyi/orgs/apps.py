from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "wenyi.orgs"
    label = "orgs"
    verbose_name = _("Units and people")

    def ready(self) -> None:
        from wenyi.core import imports
        from wenyi.core.enums import ImportKind
        from wenyi.orgs import people_import

        imports.register(
            ImportKind.PEOPLE, check=people_import.check_job, write=people_import.write_job
        )
