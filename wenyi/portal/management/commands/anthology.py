"""`wenyi anthology --campaign SLUG --out FILE.pdf|FILE.epub [--anthology ID]`.

Makes the campaign's anthology as a print PDF or an EPUB (by the file's extension),
keeps it in the archive as the next version and writes it to FILE. A campaign with
several anthologies needs `--anthology` (the list of them is printed). The progress
goes to stderr; a campaign or anthology that does not exist, an empty anthology, or a
file name ending in neither .pdf nor .epub stop it with the reason and exit status 1,
before anything is written.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from wenyi.campaigns.models import Campaign
from wenyi.documents import generate
from wenyi.documents.enums import DocumentFormat, DocumentKind
from wenyi.portal.anthology import anthologies_of

FORMATS = {".pdf": DocumentFormat.PDF, ".epub": DocumentFormat.EPUB}


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse wants a str, not a lazy translation
        return _("Make a campaign's anthology as PDF or EPUB (kept in the archive too).")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--campaign", required=True, metavar="SLUG", help=_("the campaign"))
        parser.add_argument(
            "--out", required=True, metavar="FILE", help=_("the .pdf or .epub to write")
        )
        parser.add_argument(
            "--anthology",
            type=int,
            default=None,
            metavar="ID",
            help=_("which anthology, when the campaign has several (its number)"),
        )

    def handle(self, *args, campaign: str, out: str, anthology: int | None, **options) -> None:
        path = Path(out)
        fmt = FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise CommandError(
                _("The output file must end in .pdf or .epub: %(path)s") % {"path": path},
                returncode=1,
            )
        if not path.parent.is_dir():
            raise CommandError(_("No such folder: %(path)s") % {"path": path.parent}, returncode=1)
        found = Campaign.objects.filter(slug=campaign).first()
        if found is None:
            raise CommandError(_("No campaign %(slug)s.") % {"slug": campaign}, returncode=1)
        book = self._anthology(found, anthology)
        try:
            document = generate.make(
                None,
                found,
                DocumentKind.ANTHOLOGY,
                fmt,
                variant=str(book.pk),
                progress=self._progress,
            )
        except generate.CannotMake as exc:
            raise CommandError(str(exc), returncode=1) from exc
        with document.file.open("rb") as source:
            path.write_bytes(source.read())
        self.stdout.write(
            self.style.SUCCESS(
                _("%(path)s written (%(note)s); kept as version %(version)s.")
                % {"path": path, "note": document.note, "version": document.version}
            )
        )

    def _anthology(self, campaign: Campaign, number: int | None):
        books = list(anthologies_of(campaign))
        listing = "; ".join(f"{b.pk}: {b.title}" for b in books)
        if number is not None:
            chosen = next((b for b in books if b.pk == number), None)
            if chosen is None:
                raise CommandError(
                    _("The campaign has no anthology %(number)s (it has: %(list)s).")
                    % {"number": number, "list": listing or "—"},
                    returncode=1,
                )
            return chosen
        if not books:
            raise CommandError(
                _("The campaign has no anthology yet: the office starts one on its portal pages."),
                returncode=1,
            )
        if len(books) > 1:
            raise CommandError(
                _("The campaign has several anthologies; name one with --anthology (%(list)s).")
                % {"list": listing},
                returncode=1,
            )
        return books[0]

    def _progress(self, done: int, total: int) -> None:
        # about twenty lines for a long run, every one for a short one
        step = max(1, total // 20)
        if done == total or done % step == 0:
            self.stderr.write(
                _("Made %(done)s of %(total)s steps") % {"done": done, "total": total}
            )
