"""Benchmark: the office's completeness and timeliness table, 3,000 units × 6 months.

    .venv/bin/python bench/bench_completeness.py [--units 3000] [--requests 20]

Sets up a fresh SQLite database in a temporary WENYI_DATA_DIR: the 2014 campaign with
its implementation stage widened to July–December (six months of work plans and
progress reports, plus the campaign plan and the summary), a city with `--units`
reporting units, and for every report due by the pretend date (31 December 2014) a
realistic mix: 80 % sent in, 70 % of all on time (written in bulk). Then requests the
page as the office 20 times through Django's test client and prints the median
server time:

    BENCH completeness_ms <ms> ms

Budget: ≤ 300 ms on SQLite.
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
    parser.add_argument("--units", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="cProfile one request")
    parser.add_argument(
        "--data-dir", help="build the database here, or reuse the one a previous run left"
    )
    args = parser.parse_args()

    data_dir = args.data_dir or tempfile.mkdtemp(prefix="wenyi-bench-")
    reuse = (Path(data_dir) / "wenyi.sqlite3").exists()
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "wenyi.settings"
    os.environ["WENYI_DATA_DIR"] = data_dir
    os.environ.setdefault("WENYI_TODAY", "2014-12-31")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from wenyi.campaigns.models import Campaign

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    if not reuse:
        build(args.units)
    user = get_user_model().objects.get(username="office")
    campaign = Campaign.objects.get(slug="linyi-2014")
    client = Client()
    client.force_login(user)
    url = f"/campaigns/{campaign.slug}/reports/completeness/"
    first = client.get(url)  # warm caches, templates, translations
    assert first.status_code == 200
    assert first.content.count(b"<tr data-unit=") == args.units + 1
    print(f"# page: {len(first.content) / 1e6:.1f} MB", flush=True)
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        client.get(url)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    timings = []
    for _ in range(args.requests):
        t0 = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    print(f"BENCH completeness_ms {statistics.median(timings):.1f} ms")


def build(n_units: int) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from wenyi.campaigns.loader import load_campaign_file
    from wenyi.campaigns.models import Campaign
    from wenyi.orgs import services as org_services
    from wenyi.orgs.enums import Role, UnitKind
    from wenyi.orgs.models import Membership
    from wenyi.reporting import deadlines
    from wenyi.reporting.enums import ReportStatus
    from wenyi.reporting.models import Report

    start = time.perf_counter()
    city = org_services.create_unit(None, None, code="371300", name="临沂市", kind=UnitKind.CITY)
    with transaction.atomic():
        units = [
            org_services.create_unit(
                None, city, code=f"37{i:05d}", name=f"单位{i}", kind=UnitKind.COUNTY
            )
            for i in range(n_units)
        ]
    load_campaign_file(PROJECT_DIR / "campaigns" / "linyi-2014.toml")
    campaign = Campaign.objects.get(slug="linyi-2014")
    # six months of monthly reports: the implementation stage from July to December
    campaign.stages.filter(key=campaign.implementation_stage_key).update(
        start=datetime.date(2014, 7, 1), end=datetime.date(2014, 12, 31)
    )
    today = settings.WENYI_TODAY
    slots = deadlines.expected(campaign, today)
    rng = random.Random(4)
    reports = []
    for unit in units:
        for slot in slots:
            roll = rng.random()
            if roll >= 0.8:
                continue  # 20 % missing
            on_time = roll < 0.7
            day = slot.due - datetime.timedelta(days=rng.randint(0, 4))
            if not on_time:
                day = slot.due + datetime.timedelta(days=rng.randint(1, 10))
            moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
            reports.append(
                Report(
                    campaign=campaign,
                    unit=unit,
                    kind=slot.kind,
                    period=slot.period,
                    due=slot.due,
                    status=ReportStatus.SUBMITTED,
                    first_submitted_at=moment,
                    submitted_at=moment,
                    on_time=deadlines.is_on_time(slot.due, moment),
                )
            )
    with transaction.atomic():
        Report.objects.bulk_create(reports, batch_size=2000)
    print(
        f"# set-up: {n_units} units, {len(slots)} reports due each, {len(reports)} sent, "
        f"in {time.perf_counter() - start:.1f} s",
        flush=True,
    )
    user = get_user_model().objects.create_user("office", password="x")
    Membership.objects.create(user=user, unit=city, role=Role.OFFICE)


if __name__ == "__main__":
    main()
