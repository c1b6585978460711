"""Benchmark: an anthology of 500 works, from the database to the finished PDF.

    .venv/bin/python bench/bench_anthology.py [--works 500] [--pictures 150] [--runs 3]

Sets up a fresh SQLite database in a temporary WENYI_DATA_DIR: the 2014 campaign file, a
city with 20 units and 300 authors, and `--works` submitted works with their rights
holders' consent to print, entered as the works services enter them: 150 photographs,
calligraphy and paintings, each a 3000 × 2000 (or 2000 × 3000) JPEG drawn with Pillow
and stored through `core.uploads` (the original and the copy without metadata the book
prints), 50 micro-films (a video link: a QR code each), and the rest poems (8 to 24
lines) and prose (500 to 1400 characters) made of Chinese sentences with rare
characters among them (𠮷, 喆, 堃) and of runs of the 3,755 common characters (GB 2312's
first level), so that the fonts embedded are as large as a real book's. Final results
give a quarter of them an award, and the review a score. One anthology holds them all
(`anthology.add_works`, its time a `#` line): about 600 A5 pages.

Each measurement runs in a fresh process (Typst keeps what it laid out for the life of
a process: a second compile of the same pages would time its cache), after one untimed
book of five works that finds the fonts and makes the compiler, as a worker that made
any book before has them. The timed part, median of `--runs` processes, is what the
office's button and `wenyi anthology` do minus the archive: `anthology.prepare` (every
work read from the database with its authors, unit, award and score, the pictures'
paths) and `book_pdf.render_pdf` (the pictures made ready for print, the Typst data,
one compile of the whole book):

    BENCH anthology_500_s <s> s                   budget ≤ 30 s
    BENCH anthology_500_peak_mb <MB> MB           budget ≤ 1,500 MB

The peak is the measuring process's maximum resident set (`resource.getrusage`,
ru_maxrss): Python, Django, the data and the Typst compiler, which runs inside the
process — everything the worker holds at its highest, not only what the book adds.

Beside it, in the same run, its anchor: Typst alone compiling the same template with
the same data, prepared beforehand in the same process by `book_pdf.pdf_inputs`:

    BENCH anthology_typst_only_s <s> s

and the PDF's size with the share of it that is embedded fonts (the font files' streams
as stored, compressed: the subsets of the glyphs used).
"""

import argparse
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
SEED = 500
SENTENCES = [
    "清晨六点，厂区的汽笛声准时响起",
    "老师傅把一块毛坯稳稳地卡在卡盘上",
    "钢花在炉口开放，像春天提前到达",
    "塔吊划过天空，写下一行行大字",
    "安全帽下的笑脸被阳光晒成古铜色",
    "沂河在旁边静静流淌",
    "我们把汗水拧成一根线，缝补着城市的黎明",
    "夜班的铃声刚刚响过，图纸又铺在了案头",
    "喆哥说，楼会长高，日子也会长高",
    "堃姐的手掌粗糙，却能听见齿轮的心跳",
    "𠮷祥的红灯笼挂满了车间的窗口",
    "第一车产品驶出厂门，晨光正好落在劳模的肩上",
]
TITLE_WORDS = "钢铁脊梁车间灯火劳动者之歌黎明工匠精神岁月长河山海情怀春风故乡炉火新城远方"
# the 3,755 characters of GB 2312's first level: a book's texts use thousands of
# different characters, so the fonts' subsets are as large as a real book's
COMMON = "".join(
    bytes([high, low]).decode("gb2312")
    for high in range(0xB0, 0xD8)
    for low in range(0xA1, 0xFF)
    if not (high == 0xD7 and low > 0xF9)
)


def _django(data_dir: str) -> None:
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "wenyi.settings"
    os.environ["WENYI_DATA_DIR"] = data_dir
    os.environ.setdefault("WENYI_TODAY", "2014-12-20")
    import django

    django.setup()


def _photo(rng: random.Random, name: str):
    """A textured 3000 × 2000 photograph (or upright), about a megabyte as JPEG."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    size = (3000, 2000) if rng.random() < 0.6 else (2000, 3000)
    top = tuple(rng.randint(30, 200) for _ in range(3))
    bottom = tuple(rng.randint(30, 200) for _ in range(3))
    gradient = Image.linear_gradient("L").resize(size)
    picture = Image.composite(Image.new("RGB", size, top), Image.new("RGB", size, bottom), gradient)
    draw = ImageDraw.Draw(picture)
    for _ in range(40):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        r = rng.randint(40, 400)
        colour = tuple(rng.randint(0, 255) for _ in range(3))
        draw.ellipse([x - r, y - r, x + r, y + r], fill=colour)
    noise = Image.effect_noise((size[0] // 4, size[1] // 4), 40).resize(size).convert("RGB")
    picture = Image.blend(picture, noise, 0.18)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def setup(works: int, pictures: int) -> tuple[int, int]:
    """The campaign, its works, results, the anthology and a small one to warm up with;
    returns their ids."""
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from wenyi.awards.enums import ResultsStatus
    from wenyi.awards.models import Award, Results
    from wenyi.campaigns.loader import load_campaign_file
    from wenyi.campaigns.models import Campaign
    from wenyi.core import uploads
    from wenyi.core.sorting import pinyin_key
    from wenyi.orgs import services as org_services
    from wenyi.orgs.enums import UnitKind
    from wenyi.orgs.models import Person
    from wenyi.portal import anthology
    from wenyi.review.models import Entry, Round, RoundResult
    from wenyi.works import files
    from wenyi.works.models import Work, WorkAuthor

    rng = random.Random(SEED)
    city = org_services.create_unit(None, None, code="371300", name="临沂市", kind=UnitKind.CITY)
    units = [
        org_services.create_unit(
            None, city, code=f"37{i:05d}", name=f"临沂市第{i + 1}区总工会", kind=UnitKind.COUNTY
        )
        for i in range(20)
    ]
    load_campaign_file(PROJECT_DIR / "campaigns" / "linyi-2014.toml")
    campaign = Campaign.objects.get(slug="linyi-2014")
    forms = {c.key: c for c in campaign.work_categories.all()}
    people = Person.objects.bulk_create(
        [
            Person(
                unit=rng.choice(units),
                name=rng.choice("王李张刘陈杨赵黄周吴")
                + rng.choice("伟芳娜喆堃赟玥昇") * rng.randint(1, 2),
            )
            for _ in range(300)
        ]
    )
    films = min(50, works - pictures)
    texts = works - pictures - films
    plan = (
        [("sheying", "shufa", "meishu")[n % 3] for n in range(pictures)]
        + ["weiyingxiang"] * films
        + ["shici" if n % 5 < 3 else "sanwen" for n in range(texts)]
    )

    def title() -> str:
        return "".join(rng.choice(TITLE_WORDS) for _ in range(rng.randint(2, 8)))

    def sentence() -> str:
        if rng.random() < 0.6:
            return rng.choice(SENTENCES)
        return "".join(rng.choice(COMMON) for _ in range(rng.randint(6, 14)))

    def text(key: str) -> str:
        if key == "shici":
            return "\n".join(sentence() for _ in range(rng.randint(8, 24)))
        if key == "sanwen":
            target = rng.randint(500, 1400)
            paragraphs, length = [], 0
            while length < target:
                paragraph = "，".join(sentence() for _ in range(rng.randint(3, 7))) + "。"
                paragraphs.append(paragraph)
                length += len(paragraph)
            return "\n".join(paragraphs)
        return ""

    now = timezone.now()
    t0 = time.perf_counter()
    with transaction.atomic():
        made = []
        for key in plan:
            name = title()
            made.append(
                Work(
                    campaign=campaign,
                    category=forms[key],
                    unit=rng.choice(units),
                    title=name,
                    title_sort=pinyin_key(name),
                    text=text(key),
                    video_url=f"https://video.example.cn/v/{rng.randint(1, 10**6)}"
                    if key == "weiyingxiang"
                    else "",
                    status="draft",
                    consent_anthology=True,
                    consent_portal=True,
                    consent_name="作者本人",
                )
            )
        made = Work.objects.bulk_create(made)
        WorkAuthor.objects.bulk_create(
            [
                WorkAuthor(work=work, person=person, position=n)
                for work in made
                for n, person in enumerate(rng.sample(people, rng.randint(1, 2)))
            ]
        )
    with uploads.files_written():
        for n, work in enumerate(made[:pictures]):
            files.store_work_file(None, work, _photo(rng, f"photo-{n}.jpg"))
    Work.objects.filter(pk__in=[w.pk for w in made]).update(status="submitted", submitted_at=now)
    print(
        f"# set-up: {works} works ({pictures} pictures stored) in {time.perf_counter() - t0:.1f} s"
    )

    fuping = Round.objects.get(campaign=campaign, key="fuping")
    kind = campaign.award_kinds.get(key="work")
    tiers = list(kind.tiers.all())
    with transaction.atomic():
        entries = Entry.objects.bulk_create(
            [Entry(round=fuping, work=work, code=f"F{n:04d}") for n, work in enumerate(made)]
        )
        scores = {e.work_id: Decimal(rng.randint(5000, 9900)) / 100 for e in entries}
        RoundResult.objects.bulk_create(
            [
                RoundResult(round=fuping, entry=e, final=scores[e.work_id], n=5, computed_at=now)
                for e in entries
            ]
        )
        results = Results.objects.create(campaign=campaign, status=ResultsStatus.FINAL)
        best = sorted(made, key=lambda w: -scores[w.pk])[: works // 4]
        Award.objects.bulk_create(
            [
                Award(
                    results=results,
                    award_kind=kind,
                    tier=tiers[min(n * len(tiers) // len(best), len(tiers) - 1)],
                    work=work,
                    holder=work.title,
                    title=work.title,
                    unit_name=work.unit.name,
                    position=n,
                    score=scores[work.pk],
                )
                for n, work in enumerate(best)
            ]
        )
    book = anthology.create_anthology(
        None, campaign, {"title": "职工文艺作品选", "page_size": "a5"}
    )
    t0 = time.perf_counter()
    done = anthology.add_works(
        None, book, Work.objects.filter(campaign=campaign), version=book.version
    )
    print(
        f"# add_works: {len(done.added)} works checked and added in "
        f"{time.perf_counter() - t0:.2f} s"
    )
    warm = anthology.create_anthology(None, campaign, {"title": "热身", "page_size": "a5"})
    few = [made[0], made[pictures], made[pictures + films], made[-1], made[-2]]
    anthology.add_works(None, warm, few, version=warm.version)
    return book.pk, warm.pk


def font_bytes(content: bytes) -> int:
    """The bytes of the PDF's embedded font programs, as stored (compressed)."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    seen: set[int] = set()
    total = 0

    def descriptor_fonts(font) -> list:
        found = []
        for sub in font.get("/DescendantFonts", []) or []:
            found.append(sub.get_object())
        found.append(font)
        return found

    for page in reader.pages:
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font") if resources else None
        if not fonts:
            continue
        for ref in fonts.get_object().values():
            for font in descriptor_fonts(ref.get_object()):
                descriptor = font.get("/FontDescriptor")
                if descriptor is None:
                    continue
                descriptor = descriptor.get_object()
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    stream_ref = descriptor.get(key)
                    if stream_ref is None:
                        continue
                    number = getattr(stream_ref, "idnum", id(stream_ref))
                    if number in seen:
                        continue
                    seen.add(number)
                    total += len(stream_ref.get_object()._data)
    return total


def child(what: str, book_id: int, warm_id: int) -> None:
    """One measurement in a fresh process (see the module's docstring)."""
    import io

    from pypdf import PdfReader

    from wenyi.core.typst import compile_pdf
    from wenyi.portal import anthology
    from wenyi.portal.book_pdf import discard, pdf_inputs, render_pdf
    from wenyi.portal.models import Anthology

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        render_pdf(anthology.prepare(Anthology.objects.get(pk=warm_id), scratch=Path(scratch)))
    print(f"warm {time.perf_counter() - t0:.3f}")
    book = Anthology.objects.get(pk=book_id)
    with tempfile.TemporaryDirectory() as scratch:
        if what == "make":
            t0 = time.perf_counter()
            prepared = anthology.prepare(book, scratch=Path(scratch))
            t1 = time.perf_counter()
            content = render_pdf(prepared)
            seconds = time.perf_counter() - t0
            print(f"prepared {t1 - t0:.3f}")
        else:
            prepared = anthology.prepare(book, scratch=Path(scratch))
            t0 = time.perf_counter()
            template, data, root = pdf_inputs(prepared)
            print(f"inputs {time.perf_counter() - t0:.3f}")
            t0 = time.perf_counter()
            content = compile_pdf(template, data, root=root)
            seconds = time.perf_counter() - t0
            for folder in root.glob("book-*"):
                discard(folder)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    print(f"pages {len(PdfReader(io.BytesIO(content)).pages)} {len(content)}")
    print(f"fonts {font_bytes(content)}")
    print(f"peak {peak:.1f}")
    print(f"seconds {seconds:.3f}")


def measure(data_dir: str, what: str, book_id: int, warm_id: int) -> dict[str, float]:
    from bench.child import run_child

    return run_child(
        __file__,
        *("--child", what, "--data-dir", data_dir),
        *("--book", str(book_id), "--warm", str(warm_id)),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--works", type=int, default=500)
    parser.add_argument("--pictures", type=int, default=150)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", choices=["make", "typst"])
    parser.add_argument("--data-dir")
    parser.add_argument("--book", type=int)
    parser.add_argument("--warm", type=int)
    args = parser.parse_args()
    if args.child:
        _django(args.data_dir)
        child(args.child, args.book, args.warm)
        return

    data_dir = tempfile.mkdtemp(prefix="wenyi-bench-")
    _django(data_dir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    book_id, warm_id = setup(args.works, args.pictures)
    print(f"# set-up in all: {time.perf_counter() - start:.1f} s", flush=True)

    makes = [measure(data_dir, "make", book_id, warm_id) for _ in range(args.runs)]
    first = makes[0]
    print(
        f"# first book of a process (fonts found, compiler made; 5 works): "
        f"{statistics.median(run['warm'] for run in makes):.2f} s"
    )
    print(
        f"# prepare alone (the database read, pictures' paths): "
        f"{statistics.median(run['prepared'] for run in makes):.2f} s"
    )
    size_mb = first["bytes"] / 1e6
    share = first["fonts"] / first["bytes"] if first["bytes"] else 0
    print(f"# PDF: {first['pages']:.0f} pages, {size_mb:.1f} MB")
    print(f"# embedded fonts: {first['fonts'] / 1e6:.2f} MB, {share:.1%} of the PDF")
    compiles = [measure(data_dir, "typst", book_id, warm_id) for _ in range(args.runs)]
    assert all(run["pages"] == first["pages"] for run in makes + compiles)
    whole = statistics.median(run["seconds"] for run in makes)
    peak = max(run["peak"] for run in makes)
    typst_only = statistics.median(run["seconds"] for run in compiles)
    print(
        f"# the pictures made ready for print and the Typst data (pdf_inputs): "
        f"{statistics.median(run['inputs'] for run in compiles):.2f} s"
    )
    print(f"BENCH anthology_{args.works}_s {whole:.2f} s")
    print(f"BENCH anthology_{args.works}_peak_mb {peak:.0f} MB")
    print(f"BENCH anthology_typst_only_s {typst_only:.2f} s")
    print(f"# ratio whole / Typst alone: {whole / typst_only:.2f}")
    shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
