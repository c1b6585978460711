"""`wenyi index-works [--campaign SLUG]`: rebuild the text originality index.

Without --campaign every work is re-indexed from scratch (the index tables are emptied
first, which lets `bulk_index` load them without their lookup indexes and rebuild those
once). With --campaign only that campaign's works are re-indexed. Matches already
recorded are kept; run the checks again to refresh them.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from wenyi.works import originality
from wenyi.works.models import Fingerprint, LshBand, TextSketch, Work


class Command(BaseCommand):
    help = "Rebuild the text originality index (sketches, LSH bands, passage fingerprints)."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", help="only the works of this campaign (slug)")
        parser.add_argument("--processes", type=int, default=2)

    def handle(self, *args, campaign=None, processes=2, **options):
        works = Work.objects.order_by("pk")
        if campaign:
            works = works.filter(campaign__slug=campaign)
            if not works.exists():
                raise CommandError(f"no works in campaign {campaign!r}")
        else:
            for model in (Fingerprint, LshBand, TextSketch):
                model.objects.all()._raw_delete(model.objects.db)
        total = works.count()
        started = time.perf_counter()

        def progress(done: int) -> None:
            self.stdout.write(
                f"{done}/{total} works indexed ({time.perf_counter() - started:.0f} s)"
            )

        done = originality.bulk_index(
            works.values_list("pk", "text").iterator(chunk_size=2000),
            processes=processes,
            progress=progress,
        )
        self.stdout.write(self.style.SUCCESS(f"{done} works indexed"))
