"""`wenyi certificates --campaign SLUG --out FILE.pdf [--kind KEY]`.

Issues the certificates the final results still lack (and revokes those of withdrawn
awards), makes the PDF of every certificate of the campaign — or of one award kind —
keeps it in the archive as the next version and writes it to FILE. The progress goes
to stderr; a campaign that does not exist, results that are not final, an unknown kind
or a file name not ending in .pdf stop it with the reason and exit status 1, before
anything is written.
"""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from wenyi.campaigns.models import Campaign
from wenyi.documents import certificates, generate
from wenyi.documents.enums import DocumentFormat, DocumentKind


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse wants a str, not a lazy translation
        return _(
            "Issue the missing certificates of a campaign and write them as one PDF "
            "(kept in the archive too)."
        )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--campaign", required=True, metavar="SLUG", help=_("the campaign"))
        parser.add_argument("--out", required=True, metavar="FILE", help=_("the .pdf to write"))
        parser.add_argument(
            "--kind", default="", metavar="KEY", help=_("only this award kind (its key)")
        )

    def handle(self, *args, campaign: str, out: str, kind: str, **options: Any) -> None:
        path = Path(out)
        if path.suffix.lower() != ".pdf":
            raise CommandError(
                _("The output file must end in .pdf: %(path)s") % {"path": path}, returncode=1
            )
        if not path.parent.is_dir():
            raise CommandError(_("No such folder: %(path)s") % {"path": path.parent}, returncode=1)
        found = Campaign.objects.filter(slug=campaign).first()
        if found is None:
            raise CommandError(_("No campaign %(slug)s.") % {"slug": campaign}, returncode=1)
        if kind and not found.award_kinds.filter(key=kind).exists():
            keys = ", ".join(found.award_kinds.order_by("position").values_list("key", flat=True))
            raise CommandError(
                _("The campaign has no award kind %(key)s (it has: %(keys)s).")
                % {"key": kind, "keys": keys},
                returncode=1,
            )
        try:
            issued = certificates.issue(None, found)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages), returncode=1) from exc
        self.stderr.write(issued.message())
        try:
            document = generate.make(
                None,
                found,
                DocumentKind.CERTIFICATES,
                DocumentFormat.PDF,
                variant=kind,
                progress=self._progress,
            )
        except generate.CannotMake as exc:
            raise CommandError(str(exc), returncode=1) from exc
        with document.file.open("rb") as source:
            path.write_bytes(source.read())
        self.stdout.write(
            self.style.SUCCESS(
                _("%(path)s written (%(note)s); kept as version %(version)s.")
                % {"path": path, "note": document.note.split(";")[0], "version": document.version}
            )
        )

    def _progress(self, done: int, total: int) -> None:
        # about twenty lines for a long run, every one for a short one
        step = max(1, total // 20)
        if done == total or done % step == 0:
            self.stderr.write(
                _("Prepared %(done)s of %(total)s certificates") % {"done": done, "total": total}
            )
