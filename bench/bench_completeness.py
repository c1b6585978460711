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

Beside it, in the same run on the same data, its anchor: the same figures the plain
way — raw SQL listing the reporting units and one GROUP BY over the reports table per
unit and column (a month's work plan and progress report together, the campaign plan
and the summary apart), counting the reports sent in and on time among those due by
the table's day; in Python the expected counts (due reports × reporting units), the
owner's row summing its units and the two rates. Median of the same number of runs.
The script checks that every row's cells and totals equal the app's table, then prints

    BENCH completeness_raw_sql_ms <ms> ms
    BENCH completeness_ratio <x> x          (page time / anchor time)

The anchor renders nothing: the page's time also holds the request and 2 MB of HTML;
a `#` line shows the app's table alone.
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
    call_command("collectstatic", interactive=False, verbosity=0)  # pages name hashed files
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
    page_ms = statistics.median(timings)
    print(f"BENCH completeness_ms {page_ms:.1f} ms")

    # the app's table alone (no request, no HTML), for the `#` breakdown
    from wenyi.core import clock
    from wenyi.reporting.views_completeness import table_for

    table = table_for(user, campaign)
    table_ms = median_ms(lambda: table_for(user, campaign), args.requests)

    # the anchor, checked against the app's table first
    today = clock.today()
    owner = campaign.owner_unit()
    anchor = raw_sql_table(campaign, owner, today)
    assert [row[0] for row in anchor] == [row.unit.code for row in table.rows]
    for (code, cells, total), row in zip(anchor, table.rows, strict=True):
        assert cells == [c.as_tuple() for c in row.cells], code
        assert total[:3] == row.total.as_tuple(), code
        assert total[3:] == (row.total.rate, row.total.on_time_rate), code
    raw_ms = median_ms(lambda: raw_sql_table(campaign, owner, today), args.requests)
    print(
        f"# app: its table alone (table_for) {table_ms:.1f} ms of the page's {page_ms:.1f} ms",
        flush=True,
    )
    print(f"# anchor: {len(anchor)} rows × {len(table.columns)} columns equal to the app's")
    print(f"BENCH completeness_raw_sql_ms {raw_ms:.1f} ms")
    print(f"BENCH completeness_ratio {page_ms / raw_ms:.2f} x")


def median_ms(run, times: int) -> float:
    timings = []
    for _ in range(times):
        t0 = time.perf_counter()
        run()
        timings.append((time.perf_counter() - t0) * 1000)
    return statistics.median(timings)


def raw_sql_table(campaign, owner, today: datetime.date) -> list:
    """The table the plain way: [(unit code, [(expected, submitted, on time) per
    column], (expected, submitted, on time, rate, on-time rate))], the owner first,
    then its reporting units by path."""
    from django.db import connection

    from wenyi.reporting import deadlines
    from wenyi.reporting.enums import MONTHLY

    monthly = tuple(str(kind) for kind in MONTHLY)
    # the columns (as in the app: the campaign plan, the months, the summary) and how
    # many of each column's reports are due by `today`
    due: dict[tuple, int] = {}
    for slot in deadlines.slots(campaign):
        key = (slot.period, None if slot.kind in monthly else str(slot.kind))
        due[key] = due.get(key, 0) + (slot.due <= today)
    order = {"unit_plan": 0, None: 1, "summary": 2}
    columns = sorted(due, key=lambda key: (order[key[1]], key[0]))
    position = {key: n for n, key in enumerate(columns)}
    due_counts = [due[key] for key in columns]
    all_due = sum(due_counts)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, code, name FROM orgs_orgunit WHERE path LIKE %s AND depth > %s"
            " AND depth <= %s ORDER BY path",
            [owner.path + "%", owner.depth, owner.depth + campaign.participant_depth],
        )
        units = cursor.fetchall()
        cursor.execute(
            "SELECT unit_id, period,"
            " CASE WHEN kind IN (%s, %s) THEN NULL ELSE kind END AS col,"
            " COUNT(*), SUM(CASE WHEN on_time THEN 1 ELSE 0 END)"
            " FROM reporting_report"
            " WHERE campaign_id = %s AND first_submitted_at IS NOT NULL AND due <= %s"
            " GROUP BY unit_id, period, col",
            [*monthly, campaign.pk, today],
        )
        found = cursor.fetchall()
    width = len(columns)
    sent = {unit_id: [0] * (2 * width) for unit_id, _code, _name in units}
    everyone = [0] * (2 * width)
    for unit_id, period, kind, submitted, on_time in found:
        counts = sent.get(unit_id)
        if counts is None:
            continue  # not a reporting unit
        if isinstance(period, str):  # SQLite returns the date as text
            period = datetime.date.fromisoformat(period)
        n = position[(period, kind)]
        counts[n] += submitted
        counts[width + n] += on_time
        everyone[n] += submitted
        everyone[width + n] += on_time

    def line(code: str, counts: list[int], units: int):
        cells = [(units * due_counts[n], counts[n], counts[width + n]) for n in range(width)]
        expected, submitted, on_time = units * all_due, sum(counts[:width]), sum(counts[width:])
        rate = submitted / expected if expected else None
        on_time_rate = on_time / expected if expected else None
        return code, cells, (expected, submitted, on_time, rate, on_time_rate)

    return [line(owner.code, everyone, len(units))] + [
        line(code, sent[unit_id], 1) for unit_id, code, _name in units
    ]


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
