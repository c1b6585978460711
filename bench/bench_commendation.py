"""Benchmark: the commendation decision (表彰决定) of 200 winners, as .docx and as PDF.

    .venv/bin/python bench/bench_commendation.py [--winners 200] [--runs 3]

Sets up a fresh SQLite database in a temporary WENYI_DATA_DIR: the 2014 campaign file
(with its `[documents]` settings), a city with 20 units, and final results of
`--winners` award lines over the file's four award kinds (20 units; the rest split over
individuals, art workers and works in the four tiers, with made-up Chinese names —
rare characters among them — and titles).

Each measurement runs in a fresh process (Typst keeps what it laid out for the life of
a process, so compiling the same pages twice in one would time its cache, not the
work), after one untimed document of the same format (the campaign's notice) that
imports python-docx, finds the fonts and makes the compiler, as a worker that made any
document before has them. The timed part, median of `--runs` processes, is what the
office's button or `wenyi document commendation` does — `generate.make`: read the
settings and the final results, fill the template, list the winners by kind and tier,
lay the document out after GB/T 9704, keep the file as a new version in the archive.
The script checks that every winner is in the file (the .docx's paragraphs, the PDF's
text) and prints

    BENCH commendation_docx_s <s> s          budget ≤ 1 s
    BENCH commendation_pdf_s <s> s           budget ≤ 2 s

Beside each, in the same run, its anchor:

    BENCH commendation_docx_plain_s <s> s    python-docx alone writing the same
                                             paragraphs into a blank document, no layout
    BENCH commendation_pdf_typst_only_s <s> s   Typst alone compiling the template with
                                             the data prepared beforehand (results read,
                                             fonts found), each in a fresh process

The differences are what the app adds: the queries, the layout (fonts, sizes, grid,
indents, the header, the end block), the archive.
"""

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def setup(count: int):
    from bench.winners import final_results

    return final_results(count, seed=200, people_share=1 / 3)


def _django(data_dir: str) -> None:
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "wenyi.settings"
    os.environ["WENYI_DATA_DIR"] = data_dir
    os.environ.setdefault("WENYI_TODAY", "2014-12-26")
    import django

    django.setup()


def _lines(campaign) -> list[str]:
    from wenyi.documents import commendation

    return [commendation.award_line(award) for award in commendation.final_lines(campaign)]


def _check_docx(content: bytes, lines: list[str]) -> None:
    from docx import Document

    paragraphs = {p.text for p in Document(io.BytesIO(content)).paragraphs}
    missing = [line for line in lines if line not in paragraphs]
    assert not missing, missing[:5]


def _check_pdf(content: bytes, lines: list[str]) -> None:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        text = subprocess.run(
            ["pdftotext", handle.name, "-"], capture_output=True, check=True, text=True
        ).stdout
    squeezed = "".join(text.split())
    missing = [line for line in lines if line not in squeezed]
    assert not missing, missing[:5]


def child(what: str) -> None:
    """One measurement in a fresh process (see the module's docstring)."""
    from wenyi.campaigns.models import Campaign
    from wenyi.documents import commendation, generate, official
    from wenyi.documents.enums import DocumentKind
    from wenyi.documents.loading import profile_for

    campaign = Campaign.objects.get(slug="linyi-2014")
    fmt = "docx" if what.startswith("docx") else "pdf"
    t0 = time.perf_counter()
    generate.make(None, campaign, DocumentKind.NOTICE, fmt)
    print(f"warm {time.perf_counter() - t0:.3f}")
    lines = _lines(campaign)
    if what in ("docx", "pdf"):
        t0 = time.perf_counter()
        document = generate.make(None, campaign, DocumentKind.COMMENDATION, fmt)
        seconds = time.perf_counter() - t0
        with document.file.open("rb") as handle:
            content = handle.read()
    elif what == "docx_plain":
        settings = commendation.settings_of(campaign)
        doc = commendation.commendation_document(
            campaign, settings, commendation.final_lines(campaign)
        )
        texts = [doc.issuer_mark, doc.number, doc.plain_title, doc.addressee]
        texts += [p.text for p in doc.paragraphs]
        texts += [doc.issuer, str(doc.date)]
        for attachment in doc.attachments:
            texts.append(attachment.title)
            for section in attachment.sections:
                if section.heading is not None:
                    texts.append(section.heading.text)
                texts += section.rows
        from docx import Document

        t0 = time.perf_counter()
        plain = Document()
        for text in texts:
            plain.add_paragraph(text)
        out = io.BytesIO()
        plain.save(out)
        seconds = time.perf_counter() - t0
        content = out.getvalue()
    else:  # typst alone, on data prepared beforehand
        settings = commendation.settings_of(campaign)
        doc = commendation.commendation_document(
            campaign, settings, commendation.final_lines(campaign)
        )
        data = official.pdf_data(doc, profile_for(settings))
        t0 = time.perf_counter()
        content = official.compile_data(data)
        seconds = time.perf_counter() - t0
    if fmt == "docx":
        _check_docx(content, lines)
    else:
        _check_pdf(content, lines)
    print(f"bytes {len(content)}")
    print(f"seconds {seconds:.4f}")


def measure(data_dir: str, what: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", what, "--data-dir", data_dir],
        capture_output=True,
        text=True,
        check=True,
    )
    return {key: float(value) for key, value in (line.split() for line in done.stdout.splitlines())}


def median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--winners", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", choices=["docx", "docx_plain", "pdf", "typst"])
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
    start = time.perf_counter()
    setup(args.winners)
    print(
        f"# set-up: {args.winners} award lines in {time.perf_counter() - start:.1f} s", flush=True
    )

    runs = {what: [measure(data_dir, what) for _ in range(args.runs)] for what in
            ("docx", "docx_plain", "pdf", "typst")}  # fmt: skip
    print(
        f"# first document of a process (the notice; imports, fonts, compiler): "
        f".docx {median(runs['docx'], 'warm'):.2f} s, PDF {median(runs['pdf'], 'warm'):.2f} s"
    )
    print(
        f"# files: .docx {runs['docx'][0]['bytes'] / 1e3:.0f} kB, "
        f"PDF {runs['pdf'][0]['bytes'] / 1e3:.0f} kB; every winner checked in both"
    )
    print(f"BENCH commendation_docx_s {median(runs['docx'], 'seconds'):.3f} s")
    print(f"BENCH commendation_docx_plain_s {median(runs['docx_plain'], 'seconds'):.3f} s")
    print(f"BENCH commendation_pdf_s {median(runs['pdf'], 'seconds'):.3f} s")
    print(f"BENCH commendation_pdf_typst_only_s {median(runs['typst'], 'seconds'):.3f} s")
    shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
