from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from wenyi.core.enums import ImportKind


class OrgsConfig(AppConfig):
    name = "wenyi.orgs"
    label = "orgs"
    verbose_name = _("Units and people")

    def ready(self) -> None:
        from wenyi.core import imports
        from wenyi.orgs import people_import, units_import

        imports.register(
            ImportKind.PEOPLE, check=people_import.check_job, write=people_import.write_job
        )
        imports.register(
            ImportKind.UNITS, check=units_import.check_job, write=units_import.write_job
        )
