"""`wenyi import-people FILE --user USERNAME`.

Imports a people workbook (the format of the template the import page offers) in this
process, printing its progress. The rows are checked as that login would upload
them: only its units, only the roles it may give. On any problem every problem goes
to stderr, nothing is imported and the exit status is 1.
"""

from django.utils.translation import gettext_lazy

from wenyi.core.enums import ImportKind
from wenyi.core.import_command import ImportCommand


class Command(ImportCommand):
    help = gettext_lazy("Import people from an .xlsx file made from the people template.")
    kind = ImportKind.PEOPLE
    user_help = gettext_lazy("the login the people are imported by")
