"""`wenyi demo-data --scale city|province|nation [--campaign SLUG] [--seed N] [--replace]`.

Builds a believable campaign at scale (wenyi.site.scale says what each scale holds and
how it is made) as of today (`WENYI_TODAY`), printing its progress to stderr, then the
counts and two logins to look around with to stdout. An unknown scale, a campaign key
that is taken by a real campaign, a scale campaign already there (without --replace)
or a today before the campaign's start stop it with the reason and exit status 1,
before anything is written.

    wenyi demo-data --scale province                 # campaign scale-province
    WENYI_TODAY=2014-11-20 wenyi demo-data --scale city --campaign try-city --seed 7
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from wenyi.site import scale as scale_data


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse wants a str, not a lazy translation
        return _(
            "Generate a believable campaign at the scale of a city, a province or the "
            "nation, for benchmarks and for trying the pages with many units."
        )

    def add_arguments(self, parser) -> None:
        # no argparse `choices`: its refusal would be in English; build() explains
        parser.add_argument(
            "--scale", required=True, metavar="SCALE", help=_("city, province or nation")
        )
        parser.add_argument(
            "--campaign",
            default="",
            metavar="SLUG",
            help=_("the key of the campaign to make (default: scale-<scale>)"),
        )
        parser.add_argument(
            "--seed", type=int, default=2014, metavar="N", help=_("seed of the random names")
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help=_("remove the campaign's earlier scale data first"),
        )

    def handle(
        self, *args, scale: str, campaign: str, seed: int, replace: bool, **options: Any
    ) -> None:
        started = time.perf_counter()
        try:
            built = scale_data.build(
                scale.strip().lower(),
                slug=campaign.strip(),
                seed=seed,
                replace=replace,
                progress=self._progress,
            )
        except scale_data.ScaleError as exc:
            raise CommandError(str(exc), returncode=1) from exc
        counts = built.counts
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "%(slug)s built in %(seconds)s s: %(units)s units, %(people)s art workers, "
                    "%(activities)s activities, %(works)s works, %(scores)s scores, "
                    "%(reports)s reports."
                )
                % {
                    "slug": built.campaign.slug,
                    "seconds": f"{time.perf_counter() - started:.0f}",
                    **{key: f"{value:,}" for key, value in counts.items()},
                }
            )
        )
        for username, password, what in built.logins:
            self.stdout.write(f"  {username:<24} {password:<12} {what}")

    def _progress(self, message: str) -> None:
        self.stderr.write(message)
