"""`wenyi import-activities FILE --campaign SLUG --user USERNAME [--submit]`.

Imports an activity workbook (the format of the template the import page offers) in
this process, printing its progress. The rows are checked as that login would
upload them: only its units and its people. On any problem every problem goes to
stderr, nothing is imported and the exit status is 1.
"""

from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wenyi.campaigns.models import Campaign
from wenyi.core.enums import ImportKind
from wenyi.core.import_command import ImportCommand


class Command(ImportCommand):
    help = gettext_lazy("Import activities from an .xlsx file made from the campaign's template.")
    kind = ImportKind.ACTIVITIES
    user_help = gettext_lazy("the login the activities are recorded by")

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--campaign",
            required=True,
            metavar="SLUG",
            help=_("the campaign's short name, e.g. linyi-2014"),
        )
        parser.add_argument(
            "--submit", action="store_true", help=_("submit the imported activities for checking")
        )

    def job_options(self, *, campaign: str, submit: bool, **options: Any) -> dict[str, Any]:
        found = Campaign.objects.filter(slug=campaign).first()
        if found is None:
            raise CommandError(_("No campaign %(slug)s.") % {"slug": campaign})
        return {"campaign": found.pk, "submit": submit}
