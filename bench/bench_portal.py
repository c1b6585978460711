"""Benchmark: the public portal's home and gallery with 100,000 published works.

    .venv/bin/python bench/bench_portal.py [--works 100000] [--units 200] [--requests 20]

Sets up a fresh SQLite database in a temporary WENYI_DATA_DIR: the 2014 campaign, a city
with `--units` units, `--works` submitted works with portal consent (bulk_create, with a
sort key each) and their publications. Then requests the campaign's portal home and the
gallery's first page, anonymously, 20 times each through Django's test client, and prints
the median server time and the query count of each:

    BENCH portal_home_ms <ms> ms
    BENCH portal_gallery_ms <ms> ms
    BENCH portal_home_queries <n> queries
    BENCH portal_gallery_queries <n> queries

Budget: ≤ 50 ms each on SQLite, with a query count that does not grow with the works.

Beside them, in the same run on the same data, the anchor: the raw SQL of the gallery's
page query (the newest 24 public works and one more, to know whether a next page
exists; the gallery counts no totals) run with the database cursor alone, median of
the same number of runs:

    BENCH portal_gallery_raw_sql_ms <ms> ms
    BENCH portal_gallery_ratio <x> x        (page time / anchor time)
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--works", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="wenyi-bench-")
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "wenyi.settings"
    os.environ["WENYI_DATA_DIR"] = data_dir
    os.environ.setdefault("WENYI_TODAY", "2014-12-20")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    from django.db.models import Exists, OuterRef

    from wenyi.campaigns.loader import load_campaign_file
    from wenyi.campaigns.models import Campaign
    from wenyi.core.sorting import pinyin_key
    from wenyi.orgs import services as org_services
    from wenyi.orgs.enums import UnitKind
    from wenyi.portal.models import WorkPublication
    from wenyi.works.models import Work

    city = org_services.create_unit(None, None, code="371300", name="临沂市", kind=UnitKind.CITY)
    units = [
        org_services.create_unit(
            None, city, code=f"37{i:05d}", name=f"单位{i}", kind=UnitKind.COUNTY
        )
        for i in range(args.units)
    ]
    load_campaign_file(PROJECT_DIR / "campaigns" / "linyi-2014.toml")
    campaign = Campaign.objects.get(slug="linyi-2014")
    categories = list(campaign.work_categories.filter(children__isnull=True))
    start = time.perf_counter()
    now = timezone.now()
    with transaction.atomic():
        batch = []
        for n in range(args.works):
            title = f"作品{n}"
            batch.append(
                Work(
                    campaign=campaign,
                    category=categories[n % len(categories)],
                    unit=units[n % len(units)],
                    title=title,
                    title_sort=pinyin_key(title),
                    text="车间里的灯火彻夜通明。",
                    status="submitted",
                    submitted_at=now,
                    consent_portal=True,
                )
            )
        Work.objects.bulk_create(batch, batch_size=2000)
        ids = Work.objects.filter(campaign=campaign).values_list("pk", flat=True)
        WorkPublication.objects.bulk_create(
            [
                WorkPublication(work_id=pk, campaign=campaign, is_published=True, published_at=now)
                for pk in ids
            ],
            batch_size=5000,
        )
    print(f"# set-up: {args.works} works published in {time.perf_counter() - start:.1f} s")

    client = Client()

    def measure(url: str) -> tuple[float, int]:
        client.get(url)  # warm
        ran = []

        def count(execute, sql, params, many, context):
            ran.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            assert client.get(url).status_code == 200
        timings = []
        for _ in range(args.requests):
            t0 = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        return statistics.median(timings), len(ran)

    home_ms, home_q = measure(f"/p/{campaign.slug}/")
    gallery_ms, gallery_q = measure(f"/p/{campaign.slug}/works/")
    print(f"BENCH portal_home_ms {home_ms:.1f} ms")
    print(f"BENCH portal_gallery_ms {gallery_ms:.1f} ms")
    print(f"BENCH portal_home_queries {home_q} queries")
    print(f"BENCH portal_gallery_queries {gallery_q} queries")

    # the anchor: the gallery's page query (its first 24 works and whether more follow)
    # as raw SQL, and the plan SQLite chose for it
    from wenyi.portal.models import WorkPublication as P
    from wenyi.works.models import Match

    works = (
        P.objects.filter(
            campaign=campaign,
            is_published=True,
            work__consent_portal=True,
            work__status="submitted",
        )
        .exclude(Exists(Match.objects.filter(work=OuterRef("work_id"), status="disqualified")))
        .select_related("work__category", "work__unit")
        .order_by("-published_at", "-id")
    )
    page_sql, page_params = works[:25].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + page_sql, page_params)
        for row in cursor.fetchall():
            print(f"# plan: {row[-1]}")
        timings = []
        for _ in range(args.requests):
            t0 = time.perf_counter()
            cursor.execute(page_sql, page_params)
            rows = cursor.fetchall()
            timings.append((time.perf_counter() - t0) * 1000)
    assert len(rows) == 25, len(rows)
    raw_ms = statistics.median(timings)
    print(f"BENCH portal_gallery_raw_sql_ms {raw_ms:.1f} ms")
    print(f"BENCH portal_gallery_ratio {gallery_ms / raw_ms:.2f} x")


if __name__ == "__main__":
    main()
