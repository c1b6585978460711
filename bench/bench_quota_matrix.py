"""Benchmark: the office's quota matrix for 200 units with 50,000 activities.

    .venv/bin/python bench/bench_quota_matrix.py [--units 200] [--activities 50000]

Sets up a fresh SQLite database in a temporary WENYI_DATA_DIR: the 2014 campaign,
a city with `--units` participating units, `--activities` verified activities with
their metric values (written in bulk, then the tallies rebuilt the way
`wenyi rebuild-tallies` does). Then requests the matrix page as the office 20 times
through Django's test client and prints the median server time:

    BENCH quota_matrix_ms <ms> ms

Budget: ≤ 100 ms on SQLite.

Beside it, in the same run on the same data, its anchor: the plain way to get the same
matrix without the maintained tallies — raw SQL grouped by unit and type over the
verified activities (one GROUP BY for the counts, one over their metric values for the
totals the page shows under the matrix), the roll-up to the units above computed in
Python from those rows, median of the same number of runs. The script checks that the
anchor's counts and totals equal what `quota_matrix` returns for every row, then prints

    BENCH quota_matrix_raw_sql_ms <ms> ms
    BENCH quota_matrix_ratio <x> x          (page time / anchor time)

The anchor renders nothing: the page's time also holds the request, the session and
the HTML of both tables; a `#` line shows the app's data part alone.
"""

import argparse
import datetime
import decimal
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--activities", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="wenyi-bench-")
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "wenyi.settings"
    os.environ["WENYI_DATA_DIR"] = data_dir
    os.environ.setdefault("WENYI_TODAY", "2014-09-16")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # pages name hashed files
    from wenyi.activities.models import Activity, MetricValue
    from wenyi.activities.services import duplicate_key, rebuild_tallies
    from wenyi.campaigns.loader import load_campaign_file
    from wenyi.orgs import services as org_services
    from wenyi.orgs.enums import Role, UnitKind
    from wenyi.orgs.models import Membership

    city = org_services.create_unit(None, None, code="371300", name="临沂市", kind=UnitKind.CITY)
    units = [
        org_services.create_unit(
            None, city, code=f"37{i:05d}", name=f"单位{i}", kind=UnitKind.COUNTY
        )
        for i in range(args.units)
    ]
    load_campaign_file(PROJECT_DIR / "campaigns" / "linyi-2014.toml")
    from wenyi.campaigns.models import Campaign

    campaign = Campaign.objects.get(slug="linyi-2014")
    types = list(campaign.activity_types.prefetch_related("metrics"))
    rng = random.Random(50)
    start = time.perf_counter()
    with transaction.atomic():
        batch = []
        for n in range(args.activities):
            unit, type_ = rng.choice(units), rng.choice(types)
            day = campaign.start + datetime.timedelta(days=rng.randint(0, 120))
            place = f"企业{n}"
            batch.append(
                Activity(
                    campaign=campaign,
                    type=type_,
                    unit=unit,
                    title=f"活动{n}",
                    start_date=day,
                    place=place,
                    status="verified",
                    duplicate_key=duplicate_key(unit.pk, type_.pk, day, place),
                )
            )
        Activity.objects.bulk_create(batch, batch_size=2000)
        values = []
        for activity in Activity.objects.filter(campaign=campaign).select_related("type"):
            for metric in activity.type.metrics.all():
                if metric.value_type == "integer":
                    values.append(
                        MetricValue(activity=activity, metric=metric, number=rng.randint(1, 500))
                    )
        MetricValue.objects.bulk_create(values, batch_size=5000)
    rebuild_tallies(campaign)
    print(
        f"# set-up: {args.units} units, {args.activities} activities, "
        f"{len(values)} metric values in {time.perf_counter() - start:.1f} s",
        flush=True,
    )

    user = get_user_model().objects.create_user("office", password="x")
    Membership.objects.create(user=user, unit=city, role=Role.OFFICE)
    client = Client()
    client.force_login(user)
    url = f"/campaigns/{campaign.slug}/quota/"
    assert client.get(url).status_code == 200  # warm caches, templates, translations
    timings = []
    for _ in range(args.requests):
        t0 = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    page_ms = statistics.median(timings)
    print(f"BENCH quota_matrix_ms {page_ms:.1f} ms")

    # the app's matrix alone (no request, no rendering), for the `#` breakdown
    try:
        from wenyi.activities.queries import quota_rows_for
    except ImportError:  # before issue 9, part 3
        from wenyi.activities.views import quota_rows_for

    rows = quota_rows_for(user, campaign)
    matrix_ms = median_ms(lambda: quota_rows_for(user, campaign), args.requests)

    # the anchor: raw SQL over the activities, checked against the app's rows first
    counts, totals = raw_sql_matrix(campaign.pk, city.path)
    for row in rows:
        for cell in row.cells:
            key = (row.unit.path, cell.type.pk)
            assert counts.get(key, 0) == cell.count, (row.unit.code, cell.type.key)
            assert totals.get(key, {}) == cell.totals, (row.unit.code, cell.type.key)
    city_row = next(row for row in rows if row.unit.path == city.path)
    assert sum(cell.count for cell in city_row.cells) == args.activities
    counts_ms = median_ms(lambda: raw_sql_matrix(campaign.pk, city.path, totals=False), 5)
    raw_ms = median_ms(lambda: raw_sql_matrix(campaign.pk, city.path), args.requests)
    print(
        f"# app: its data alone (quota_rows_for: the units, then quota_matrix) "
        f"{matrix_ms:.1f} ms of the page's {page_ms:.1f} ms; "
        f"{len(rows)} rows × {len(rows[0].cells)} types",
        flush=True,
    )
    print(
        f"# anchor: {len(counts)} (unit, type) cells equal to the app's, counts and totals; "
        f"the counts' GROUP BY alone {counts_ms:.1f} ms"
    )
    print(f"BENCH quota_matrix_raw_sql_ms {raw_ms:.1f} ms")
    print(f"BENCH quota_matrix_ratio {page_ms / raw_ms:.2f} x")


def median_ms(run, times: int) -> float:
    timings = []
    for _ in range(times):
        t0 = time.perf_counter()
        run()
        timings.append((time.perf_counter() - t0) * 1000)
    return statistics.median(timings)


def raw_sql_matrix(campaign_id: int, top_path: str, totals: bool = True):
    """The matrix the plain way: verified activities grouped by unit and type (and their
    numeric metric values grouped by unit, type and metric), then each row credited to
    its unit and every unit above it. ({(path, type id): count}, {(path, type id):
    {metric key: total}})."""
    from django.db import connection

    from wenyi.orgs.models import OrgUnit

    step = OrgUnit.steplen
    counts: dict[tuple[str, int], int] = {}
    sums: dict[tuple[str, int], dict[str, decimal.Decimal]] = {}
    with connection.cursor() as cursor:
        # grouped first, then joined to the units: 3× faster on SQLite than grouping
        # the joined rows
        cursor.execute(
            "SELECT u.path, g.type_id, g.n FROM ("
            " SELECT unit_id, type_id, COUNT(*) AS n FROM activities_activity"
            " WHERE campaign_id = %s AND status = 'verified' GROUP BY unit_id, type_id"
            ") g JOIN orgs_orgunit u ON u.id = g.unit_id WHERE u.path LIKE %s",
            [campaign_id, top_path + "%"],
        )
        for path, type_id, n in cursor.fetchall():
            for end in range(step, len(path) + 1, step):
                key = (path[:end], type_id)
                counts[key] = counts.get(key, 0) + n
        if not totals:
            return counts, sums
        cursor.execute(
            "SELECT u.path, g.type_id, m.key, g.total FROM ("
            " SELECT a.unit_id, a.type_id, v.metric_id, SUM(v.number) AS total"
            " FROM activities_activity a"
            " JOIN activities_metricvalue v ON v.activity_id = a.id"
            " WHERE a.campaign_id = %s AND a.status = 'verified' AND v.number IS NOT NULL"
            " GROUP BY a.unit_id, a.type_id, v.metric_id"
            ") g JOIN orgs_orgunit u ON u.id = g.unit_id"
            " JOIN campaigns_metric m ON m.id = g.metric_id"
            " WHERE u.path LIKE %s AND m.value_type IN ('integer', 'decimal')",
            [campaign_id, top_path + "%"],
        )
        for path, type_id, key, total in cursor.fetchall():
            total = decimal.Decimal(str(total))
            for end in range(step, len(path) + 1, step):
                cell = sums.setdefault((path[:end], type_id), {})
                cell[key] = cell.get(key, 0) + total
    return counts, sums


if __name__ == "__main__":
    main()
