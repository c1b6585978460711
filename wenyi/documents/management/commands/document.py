"""`wenyi document commendation|notice --campaign SLUG --out FILE`: make a campaign's
commendation decision or its own notice, as .docx or PDF by FILE's extension.

The file is made here, in this process (the same maker as the documents page), written
to FILE and kept in the campaign's archive as the document's next version, made by
"the command line". Progress goes to stderr; on a problem (an unknown campaign,
results not final, a wrong extension) the reason goes to stderr, nothing is written
or kept, and the exit status is 1.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wenyi.campaigns.models import Campaign
from wenyi.documents import generate
from wenyi.documents.enums import DocumentFormat, DocumentKind

KINDS = {"commendation": DocumentKind.COMMENDATION, "notice": DocumentKind.NOTICE}
FORMATS = {".docx": DocumentFormat.DOCX, ".pdf": DocumentFormat.PDF}


class Command(BaseCommand):
    help = gettext_lazy(
        "Make a campaign's commendation decision (commendation) or its own notice "
        "(notice), as .docx or .pdf by the extension of --out, and keep it in the archive."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs):
        self.help = str(self.help)  # argparse wants a str, not a lazy translation
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "kind",
            choices=sorted(KINDS),
            help=_("commendation (the commendation decision) or notice (the campaign's notice)"),
        )
        parser.add_argument(
            "--campaign", required=True, metavar="SLUG", help=_("the campaign, e.g. linyi-2014")
        )
        parser.add_argument(
            "--out", required=True, metavar="FILE", help=_("the file to write: .docx or .pdf")
        )

    def handle(self, *args, kind: str, campaign: str, out: str, **options) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            self._make(kind, campaign, Path(out))

    def _make(self, kind: str, slug: str, out: Path) -> None:
        fmt = FORMATS.get(out.suffix.lower())
        if fmt is None:
            raise CommandError(
                _("--out: the file must end in .docx or .pdf, not %(name)s.") % {"name": out.name}
            )
        if not out.parent.is_dir():
            raise CommandError(
                _("--out: the folder %(folder)s does not exist.") % {"folder": out.parent}
            )
        found = Campaign.objects.filter(slug=slug).first()
        if found is None:
            known = ", ".join(Campaign.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(
                _("--campaign: no campaign has the key %(slug)s (known: %(known)s).")
                % {"slug": slug, "known": known or "—"}
            )
        label = KINDS[kind].label
        self.stderr.write(
            _("Making the %(document)s of %(campaign)s…")
            % {
                "document": label,
                "campaign": found.title,
            }
        )
        try:
            document = generate.make(None, found, KINDS[kind], fmt, progress=self._progress)
        except generate.CannotMake as error:
            raise CommandError(str(error), returncode=1) from None
        with document.file.open("rb") as handle:
            content = handle.read()
        _write(out, content)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Wrote %(path)s (%(size)s, SHA-256 %(sha)s…); kept in the archive as "
                    "version %(version)s."
                )
                % {
                    "path": out,
                    "size": filesizeformat(document.size),
                    "sha": document.sha256[:12],
                    "version": document.version,
                }
            )
        )

    def _progress(self, done: int, total: int) -> None:
        self.stderr.write(
            _("Laid out %(done)s of %(total)s steps") % {"done": done, "total": total}
        )


def _write(path: Path, content: bytes) -> None:
    """Write the file whole or not at all (a temporary file renamed into place)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        # mkstemp makes the file readable by its owner only; give it the usual mode
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
