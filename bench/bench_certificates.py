"""Benchmark: 500 certificates, from the database to the finished PDF.

    .venv/bin/python bench/bench_certificates.py [--certificates 500] [--runs 3]

Sets up a fresh SQLite database in a temporary WENYI_DATA_DIR: the 2014 campaign file,
a city with 20 units, final results of `--certificates` award lines over the file's
four award kinds (20 units; the rest split over individuals, art workers and works,
with made-up Chinese names and titles), and issues their certificates
(`documents.certificates.issue`, its time a `#` line).

Each measurement runs in a fresh process (Typst keeps what it laid out for the life of
a process, so compiling the same pages twice in one would time its cache, not the
work), after one untimed PDF of the smallest kind (20 certificates) that finds the
fonts and makes the compiler, as a worker that made any document before has them. The
timed part, median of `--runs` processes, is what the office's button or `wenyi
certificates` does — `generate.make` of the certificates of every kind: read them from
the database, a QR code (segno) per certificate, the Typst data, one compile of every
page, the file kept as a new version in the archive. The script checks that the PDF has
one page per certificate and prints

    BENCH certificates_500_s <s> s

Budget: ≤ 20 s.

Beside it, in the same run, its anchor: Typst alone compiling the same template with
the same data, prepared beforehand in the same process (certificates read, QR codes
made, fonts found), median of as many fresh processes:

    BENCH certificates_500_typst_only_s <s> s

The difference is what the app adds: the queries, the QR codes (the larger part, a
`#` line), the archive.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def setup(count: int):
    from bench.winners import final_results

    return final_results(count, seed=500, people_share=2 / 3)


def _django(data_dir: str) -> None:
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "wenyi.settings"
    os.environ["WENYI_DATA_DIR"] = data_dir
    os.environ.setdefault("WENYI_TODAY", "2014-12-26")
    import django

    django.setup()


def child(what: str) -> None:
    """One measurement in a fresh process: Typst keeps what it laid out in a cache for
    the life of the process, so a second compile of the same pages would be nearly free;
    certificates are new to it each time they are made."""
    import io

    from pypdf import PdfReader

    from wenyi.campaigns.models import Campaign
    from wenyi.core.typst import compile_pdf
    from wenyi.documents import certificates, generate
    from wenyi.documents.enums import DocumentKind

    campaign = Campaign.objects.get(slug="linyi-2014")
    t0 = time.perf_counter()
    generate.make(None, campaign, DocumentKind.CERTIFICATES, "pdf", variant="unit")
    warm = time.perf_counter() - t0
    if what == "make":
        t0 = time.perf_counter()
        document = generate.make(None, campaign, DocumentKind.CERTIFICATES, "pdf")
        seconds = time.perf_counter() - t0
        content = document.file.read()
    else:
        t1 = time.perf_counter()
        data = certificates.certificate_data(campaign, "", lambda done, total: None)
        prepared = time.perf_counter() - t1
        t0 = time.perf_counter()
        content = compile_pdf(certificates.TEMPLATE, data)
        seconds = time.perf_counter() - t0
        print(f"prepared {prepared:.3f}")
    print(f"warm {warm:.3f}")
    print(f"pages {len(PdfReader(io.BytesIO(content)).pages)} {len(content)}")
    print(f"seconds {seconds:.3f}")


def measure(data_dir: str, what: str) -> dict[str, float]:
    from bench.child import run_child

    return run_child(__file__, "--child", what, "--data-dir", data_dir)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--certificates", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", choices=["make", "typst"])
    parser.add_argument("--data-dir")
    args = parser.parse_args()
    if args.child:
        _django(args.data_dir)
        child(args.child)
        return

    data_dir = tempfile.mkdtemp(prefix="wenyi-bench-")
    _django(data_dir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from wenyi.documents import certificates

    start = time.perf_counter()
    campaign = setup(args.certificates)
    print(f"# set-up: {args.certificates} award lines in {time.perf_counter() - start:.1f} s")
    t0 = time.perf_counter()
    issued = certificates.issue(None, campaign)
    assert len(issued.made) == args.certificates
    print(
        f"# issue: {len(issued.made)} certificates numbered, coded and audited in "
        f"{time.perf_counter() - t0:.2f} s",
        flush=True,
    )

    makes = [measure(data_dir, "make") for _ in range(args.runs)]
    assert all(run["pages"] == args.certificates for run in makes)
    print(
        f"# first PDF of a process (fonts found, compiler made; 20 certificates): "
        f"{statistics.median(run['warm'] for run in makes):.2f} s"
    )
    print(f"# PDF: {args.certificates} pages, {makes[0]['bytes'] / 1e6:.1f} MB")
    whole = statistics.median(run["seconds"] for run in makes)
    compiles = [measure(data_dir, "typst") for _ in range(args.runs)]
    assert all(run["pages"] == args.certificates for run in compiles)
    prepared = statistics.median(run["prepared"] for run in compiles)
    print(f"# data alone (queries, a QR code per certificate): {prepared:.2f} s")
    typst_only = statistics.median(run["seconds"] for run in compiles)
    print(f"BENCH certificates_{args.certificates}_s {whole:.2f} s")
    print(f"BENCH certificates_{args.certificates}_typst_only_s {typst_only:.2f} s")
    shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
