"""Benchmark: the office's quota matrix for 200 units with 50,000 activities.

    .venv/bin/python bench/bench_quota_matrix.py [--units 200] [--activities 50000]

Sets up a fresh SQLite database in a temporary WENYI_DATA_DIR: the 2014 campaign,
a city with `--units` participating units, `--activities` verified activities with
their metric values (written in bulk, then the tallies rebuilt the way
`wenyi rebuild-tallies` does). Then requests the matrix page as the office 20 times
through Django's test client and prints the median server time:

    BENCH quota_matrix_ms <ms> ms

Budget: ≤ 100 ms on SQLite.
"""

import argparse
import datetime
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
    print(f"BENCH quota_matrix_ms {statistics.median(timings):.1f} ms")


if __name__ == "__main__":
    main()
