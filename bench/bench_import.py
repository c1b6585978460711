"""Benchmark: import a 10,000-row activity workbook for the 2014 campaign.

    .venv/bin/python bench/bench_import.py [--rows 10000]

Sets up a fresh database in a temporary WENYI_DATA_DIR (migrate, the 2014 campaign
file, the Linyi units, an office login, 300 art workers), writes the workbook and
queues an import job for it. The import itself then runs in a fresh child process,
through the same runner the background task calls (`core.imports.process`; before
issue 9, part 3 `activities.import_tasks.process_import`, which the script still
runs), so neither the set-up nor the workbook generation counts towards its time or
memory. Prints

    BENCH import_10k_s <seconds> s
    BENCH import_10k_peak_mb <MB> MB

(seconds: the import call; MB: the child's peak resident set size, Django included).
Budget: ≤ 15 s and ≤ 300 MB.

Beside it, in the same run, its anchor: openpyxl alone reading a copy of the same
workbook in another fresh child process (no Django), the way the import opens it
(`load_workbook(read_only=True, data_only=True)`) and touching every cell of every
sheet; the time counts `import openpyxl`, as the import's time does (it imports it
lazily). Prints

    BENCH import_10k_openpyxl_read_s <seconds> s
    BENCH import_10k_ratio <x> x            (import time / anchor time)
"""

import argparse
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
CAMPAIGN_FILE = PROJECT_DIR / "campaigns" / "linyi-2014.toml"
ANCHOR_FILE = "anchor.xlsx"


def _django(data_dir: str) -> None:
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "wenyi.settings"
    os.environ["WENYI_DATA_DIR"] = data_dir
    import django

    django.setup()


def _workbook(campaign, unit_codes: list[str], mobiles: list[str], rows: int) -> bytes:
    """The import template's columns, filled with `rows` distinct activities."""
    import io

    from openpyxl import Workbook

    from wenyi.activities.excel import sheet_titles, type_columns

    rng = random.Random(2014)
    titles = sheet_titles(campaign.activity_types.prefetch_related("metrics"))
    wb = Workbook(write_only=True)
    per_sheet = rows // len(titles)
    days = (campaign.end - campaign.start).days
    n = 0
    for index, (title, type_) in enumerate(titles.items()):
        ws = wb.create_sheet(title)
        columns = type_columns(type_)
        ws.append([c.title for c in columns])
        count = per_sheet if index < len(titles) - 1 else rows - per_sheet * index
        for _ in range(count):
            n += 1
            start = campaign.start + datetime.timedelta(days=rng.randrange(days))
            line = [
                rng.choice(unit_codes),
                f"送文化进企业活动第{n}场",
                start,
                start + datetime.timedelta(days=1) if n % 5 == 0 else None,
                f"某机械制造有限公司第{n}车间",
                f"临沂市兰山区工业大道{n}号",
                "、".join(rng.sample(mobiles, 2)),
                "组织文艺工作者深入车间班组，开展创作辅导与慰问演出。",
            ]
            for column in columns[len(line) :]:
                # the metric: `source` since spreadsheets moved to core (issue 9)
                metric = getattr(column, "source", None) or column.metric
                if metric.value_type in ("integer", "decimal"):
                    line.append(rng.randrange(1, 500))
                elif metric.value_type == "choice":
                    line.append(rng.choice(metric.choices))
                else:
                    line.append("职工反响热烈，效果良好。")
            ws.append(line)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def prepare(data_dir: str, rows: int) -> int:
    """A fresh database with the campaign, units, people and a queued job; its id."""
    _django(data_dir)
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.core.management import call_command

    from wenyi.campaigns.loader import load_campaign_file
    from wenyi.campaigns.models import Campaign
    from wenyi.orgs.enums import Role
    from wenyi.orgs.models import Membership, OrgUnit, Person
    from wenyi.site.demo import build_units

    call_command("migrate", verbosity=0)
    load_campaign_file(CAMPAIGN_FILE)
    campaign = Campaign.objects.get(slug="linyi-2014")
    city = build_units()
    office = get_user_model().objects.create_user("bench-office", password="bench-pass-2014")
    Membership.objects.create(user=office, unit=city, role=Role.OFFICE)
    units = list(OrgUnit.objects.filter(depth__gt=city.depth))
    Person.objects.bulk_create(
        Person(name=f"文艺工作者{i}", unit=units[i % len(units)], mobile=f"139{i:08d}")
        for i in range(300)
    )
    mobiles = [f"139{i:08d}" for i in range(300)]

    started = time.perf_counter()
    data = _workbook(campaign, [u.code for u in units], mobiles, rows)
    print(
        f"workbook: {rows} rows, {len(data) / 1e6:.1f} MB, "
        f"written in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    (Path(data_dir) / ANCHOR_FILE).write_bytes(data)  # the import deletes its copy
    try:  # one ImportJob for every import since issue 9, part 3
        from wenyi.core.enums import ImportKind
        from wenyi.core.models import ImportJob

        job = ImportJob(
            kind=ImportKind.ACTIVITIES,
            created_by=office,
            original_name="bench.xlsx",
            options={"campaign": campaign.pk, "submit": False},
        )
    except ImportError:  # before it
        from wenyi.activities.models import ActivityImport

        job = ActivityImport(campaign=campaign, created_by=office, original_name="bench.xlsx")
    job.file.save("bench.xlsx", ContentFile(data), save=False)
    job.save()
    from django.db import connections

    connections.close_all()
    return job.pk


def _own_peak_mb() -> float | None:
    """This process's own peak resident set size (VmHWM, Linux). `ru_maxrss` of a child
    started by subprocess also holds what its parent had resident when it forked."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def child(data_dir: str, job_id: int) -> None:
    _django(data_dir)
    try:  # one runner for every import since issue 9, part 3
        from wenyi.core.imports import process
    except ImportError:  # before it
        from wenyi.activities.import_tasks import process_import as process

    started = time.perf_counter()
    job = process(job_id)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": peak_kb / 1024,
                "own_peak_mb": _own_peak_mb(),
                "status": job.status,
                "created": job.created_count,
                "errors": job.errors[:5],
            }
        )
    )


def anchor(path: str) -> None:
    """openpyxl alone: open the workbook as the import does and read every cell."""
    started = time.perf_counter()
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    rows = cells = filled = 0
    for ws in wb.worksheets:
        for values in ws.iter_rows(values_only=True):
            rows += 1
            for value in values:
                cells += 1
                filled += value is not None
    wb.close()
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mb": _own_peak_mb(),
                "sheets": len(wb.worksheets),
                "rows": rows,
                "cells": cells,
                "filled": filled,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--child", nargs=2, metavar=("DATA_DIR", "JOB_ID"), help=argparse.SUPPRESS)
    parser.add_argument("--anchor", metavar="XLSX", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    if args.anchor:
        anchor(args.anchor)
        return
    with tempfile.TemporaryDirectory(prefix="wenyi-bench-") as data_dir:
        job_id = prepare(data_dir, args.rows)
        result = subprocess.run(
            [sys.executable, __file__, "--child", data_dir, str(job_id)],
            check=True,
            capture_output=True,
            text=True,
        )
        outcome = json.loads(result.stdout.strip().splitlines()[-1])
        if outcome["status"] != "done" or outcome["created"] != args.rows:
            sys.exit(f"the import did not succeed: {outcome}\n{result.stderr}")
        label = f"{args.rows // 1000}k" if args.rows % 1000 == 0 else str(args.rows)
        print(f"BENCH import_{label}_s {outcome['seconds']:.2f} s")
        print(f"BENCH import_{label}_peak_mb {outcome['peak_mb']:.0f} MB")
        if outcome["own_peak_mb"] is not None:
            print(
                f"# the import process's own peak (VmHWM): {outcome['own_peak_mb']:.0f} MB "
                "(ru_maxrss above also counts the parent's resident memory at the fork)"
            )
        result = subprocess.run(
            [sys.executable, __file__, "--anchor", str(Path(data_dir) / ANCHOR_FILE)],
            check=True,
            capture_output=True,
            text=True,
        )
        read = json.loads(result.stdout.strip().splitlines()[-1])
        # the header row of each sheet, then every activity
        assert read["rows"] == args.rows + read["sheets"], read
        peak = "" if read["peak_mb"] is None else f", own peak {read['peak_mb']:.0f} MB"
        print(
            f"# anchor: {read['sheets']} sheets, {read['rows']} rows, {read['cells']} cells "
            f"({read['filled']} filled){peak}",
            flush=True,
        )
        print(f"BENCH import_{label}_openpyxl_read_s {read['seconds']:.2f} s")
        print(f"BENCH import_{label}_ratio {outcome['seconds'] / read['seconds']:.2f} x")


if __name__ == "__main__":
    main()
