"""Benchmark: text originality index and query.

    .venv/bin/python bench/bench_originality.py [--works 100000] [--chars 2000]

Sets up a fresh SQLite database in a temporary WENYI_DATA_DIR with `--works` generated
works of `--chars` characters (a seeded Chinese vocabulary, Zipf-distributed words,
generated with numpy), then

- indexes them all from scratch with `originality.bulk_index` on 2 processes:
      BENCH originality_index_100k_s <s> s          budget ≤ 120 s
- checks 20 new 3,000-character works (10 copies of indexed works in various ways,
  10 unrelated), each already saved, with `originality.check_text` (which also indexes
  the new work) and prints the median:
      BENCH originality_query_ms <ms> ms            budget ≤ 50 ms
  The median of the lookup + verification part alone (`find_similar`) is printed too.

Beside the index figure, in the same run over the same works, its anchor: datasketch's
MinHash, 128 permutations (its defaults otherwise: SHA-1 of each shingle, affine
permutations, built with `MinHash.generator`), of the distinct character 5-grams of
each text normalised as the app does (`normalise_fast`), on the same number of
processes (`--processes`, a fork pool fed batches of 1,000 works as the app's) reading
the texts from the database the same way. It only computes the sketches: no LSH bands,
no passage fingerprints, nothing written. It runs last, after the query figure, so the
app's figures are measured as before. The script checks that it saw as many distinct
5-grams as the app stored, then prints

      BENCH originality_index_datasketch_s <s> s
      BENCH originality_index_ratio <x> x   (index time / anchor time)
"""

import argparse
import datetime
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

PROJECT_DIR = Path(__file__).resolve().parent.parent
PUNCT = [ord(c) for c in "，。！？，，"]


class Generator:
    """Seeded Chinese-looking text: 3,000 characters, 8,000 words of 2-4 characters."""

    def __init__(self, seed: int = 7):
        self.rng = np.random.default_rng(seed)
        chars = self.rng.choice(np.arange(0x4E00, 0x9FA6), size=3000, replace=False)
        n_words = 8000
        lengths = self.rng.choice([2, 3, 4], size=n_words, p=[0.6, 0.25, 0.15])
        words = np.zeros((n_words + len(PUNCT), 4), dtype=np.uint32)
        for i, n in enumerate(lengths):
            words[i, :n] = self.rng.choice(chars, size=n)
        for j, p in enumerate(PUNCT):
            words[n_words + j, 0] = p
        weights = 1.0 / (np.arange(n_words) + 10.0)
        weights = weights / weights.sum() * (7 / 8)
        probs = np.concatenate([weights, np.full(len(PUNCT), (1 / 8) / len(PUNCT))])
        self.words, self.probs, self.chars = words, probs, chars

    def texts(self, count: int, chars: int) -> list[str]:
        need = count * chars
        tokens = self.rng.choice(len(self.words), size=int(need / 2.2) + 1000, p=self.probs)
        stream = self.words[tokens].ravel()
        stream = stream[stream != 0][:need]
        while len(stream) < need:  # rare: top up
            stream = np.concatenate([stream, self.texts_stream(need - len(stream))])
        rows = stream.reshape(count, chars).astype("<u4")
        return [row.tobytes().decode("utf-32-le") for row in rows]

    def texts_stream(self, n: int) -> np.ndarray:
        tokens = self.rng.choice(len(self.words), size=n, p=self.probs)
        stream = self.words[tokens].ravel()
        return stream[stream != 0][:n]


def cpu_seconds() -> tuple[float, float]:
    """CPU time (user + system) of this process and of its finished child processes."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime


def _datasketch_batch(batch: list[tuple[int, str]]) -> tuple[np.ndarray, int]:
    """Worker of the anchor: datasketch MinHashes (128 permutations) of a batch of works'
    distinct 5-gram shingles; (their hash values, the number of shingles)."""
    from datasketch import MinHash

    from wenyi.works.originality import NUM_PERM, SHINGLE_K, normalise_fast

    shingle_sets = []
    for _pk, text in batch:
        norm = normalise_fast(text or "")
        shingle_sets.append(
            {norm[i : i + SHINGLE_K].encode() for i in range(len(norm) - SHINGLE_K + 1)}
        )
    sketches = [m.hashvalues for m in MinHash.generator(shingle_sets, num_perm=NUM_PERM)]
    return np.vstack(sketches), sum(len(s) for s in shingle_sets)


def datasketch_index(works, processes: int) -> tuple[int, int]:
    """The anchor: MinHash every work with datasketch; (works, shingles)."""
    import multiprocessing

    batches = _batches(works, 1000)
    if processes > 1:
        pool = multiprocessing.get_context("fork").Pool(processes)
        results = pool.imap(_datasketch_batch, batches)
    else:
        pool = None
        results = map(_datasketch_batch, batches)
    done = shingles = 0
    try:
        for sketches, count in results:
            done += len(sketches)
            shingles += count
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    return done, shingles


def _batches(works, size: int):
    batch = []
    for work in works:
        batch.append(work)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--works", type=int, default=100_000)
    parser.add_argument("--chars", type=int, default=2000)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="wenyi-bench-")
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "wenyi.settings"
    os.environ["WENYI_DATA_DIR"] = data_dir
    os.environ.setdefault("WENYI_TODAY", "2014-09-16")
    import django

    django.setup()
    import datasketch
    from django.core.management import call_command
    from django.db import transaction
    from django.db.models import Sum

    call_command("migrate", verbosity=0)
    from wenyi.campaigns.models import Campaign, WorkCategory
    from wenyi.orgs import services as org_services
    from wenyi.orgs.enums import UnitKind
    from wenyi.works import originality
    from wenyi.works.enums import WorkStatus
    from wenyi.works.models import TextSketch, Work

    unit = org_services.create_unit(None, None, code="371300", name="临沂市", kind=UnitKind.CITY)
    campaign = Campaign.objects.create(
        slug="bench",
        title="基准",
        issuer="基准",
        year=2014,
        start=datetime.date(2014, 7, 1),
        end=datetime.date(2014, 12, 31),
    )
    category = WorkCategory.objects.create(
        campaign=campaign, key="prose", name="散文", file_kinds=["text"]
    )
    gen = Generator()

    t0 = time.perf_counter()
    with transaction.atomic():
        for start in range(0, args.works, 5000):
            n = min(5000, args.works - start)
            Work.objects.bulk_create(
                [
                    Work(
                        campaign=campaign,
                        category=category,
                        unit=unit,
                        title=f"作品{start + i}",
                        text=t,
                        status=WorkStatus.SUBMITTED,
                    )
                    for i, t in enumerate(gen.texts(n, args.chars))
                ],
                batch_size=1000,
            )
    print(f"generated and saved {args.works} works in {time.perf_counter() - t0:.1f} s")

    last_batch = []  # when the last batch was written: the rest is the index rebuild
    cpu0 = cpu_seconds()
    t0 = time.perf_counter()
    done = originality.bulk_index(
        Work.objects.order_by("pk").values_list("pk", "text").iterator(chunk_size=2000),
        processes=args.processes,
        progress=lambda n: last_batch.append(time.perf_counter()),
    )
    index_s = time.perf_counter() - t0
    app_cpu = [b - a for a, b in zip(cpu0, cpu_seconds(), strict=True)]
    assert done == args.works, done
    last_pk = Work.objects.order_by("-pk").values_list("pk", flat=True).first()
    print(
        f"# app: CPU {app_cpu[0]:.0f} s in the main process (reading, writing rows), "
        f"{app_cpu[1]:.0f} s in the workers (hashing); the lookup indexes rebuilt at the "
        f"end in {t0 + index_s - last_batch[-1]:.1f} s"
    )
    print(f"BENCH originality_index_{args.works // 1000}k_s {index_s:.1f} s", flush=True)

    # 20 new works of 3,000 characters: 10 copies of some kind, 10 unrelated
    rng = np.random.default_rng(11)
    sources = list(
        Work.objects.filter(pk__in=rng.integers(1, args.works, 10).tolist()).values_list(
            "pk", "text"
        )
    )
    news = []
    fresh = gen.texts(20, 3000)
    for i, (pk, text) in enumerate(sources):
        if i % 3 == 0:  # 5% of characters changed, plus new text
            chars = list(text)
            for j in rng.choice(len(chars), len(chars) // 20, replace=False):
                chars[j] = chr(int(rng.choice(gen.chars)))
            news.append((("".join(chars) + fresh[i])[:3000], pk))
        elif i % 3 == 1:  # a passage of 300 characters pasted in
            start = int(rng.integers(0, len(text) - 300))
            news.append((fresh[i][:1500] + text[start : start + 300] + fresh[i][1500:2700], pk))
        else:  # more than half taken
            news.append((text[:1700] + fresh[i][:1300], pk))
    news += [(t, None) for t in fresh[10:]]
    works = [
        Work.objects.create(
            campaign=campaign,
            category=category,
            unit=unit,
            title=f"新作{i}",
            text=t,
            status=WorkStatus.SUBMITTED,
        )
        for i, (t, _) in enumerate(news)
    ]
    check_ms, lookup_ms, hits = [], [], 0
    for work, (_, source) in zip(works, news, strict=True):
        t0 = time.perf_counter()
        matches = originality.check_text(work)
        check_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        originality.find_similar(work)
        lookup_ms.append((time.perf_counter() - t0) * 1000)
        others = {m.other_id for m in matches}
        ok = (source in others) if source else not others
        hits += ok
        if not ok:
            print(
                "missed" if source else "false positive",
                source,
                [(m.other_id, m.jaccard, m.containment, m.containment_other) for m in matches],
            )
    print(f"correct verdicts: {hits}/20")
    print(
        f"lookup + verification alone (find_similar): median {statistics.median(lookup_ms):.1f} ms"
    )
    print(f"BENCH originality_query_ms {statistics.median(check_ms):.1f} ms", flush=True)

    # the anchor, last: run between the index and the queries, its three minutes made
    # the queries slower (36 ms without it, 52–78 ms with it, on the same machine)
    indexed = Work.objects.filter(pk__lte=last_pk)
    cpu0 = cpu_seconds()
    t0 = time.perf_counter()
    sketched, shingles = datasketch_index(
        indexed.order_by("pk").values_list("pk", "text").iterator(chunk_size=2000),
        processes=args.processes,
    )
    anchor_s = time.perf_counter() - t0
    anchor_cpu = [b - a for a, b in zip(cpu0, cpu_seconds(), strict=True)]
    assert sketched == args.works, sketched
    stored = TextSketch.objects.filter(work__in=indexed).aggregate(n=Sum("shingles"))["n"]
    assert shingles == stored, (shingles, stored)  # the same 5-grams as the app's
    print(
        f"# anchor: datasketch {datasketch.__version__}, {sketched} MinHashes of "
        f"{shingles} distinct 5-grams (as many as the app stored), "
        f"{args.processes} process{'es' if args.processes > 1 else ''}; CPU "
        f"{anchor_cpu[0]:.0f} s in the main process, {anchor_cpu[1]:.0f} s in the workers"
    )
    print(
        f"# CPU time, app / anchor: {sum(app_cpu):.0f} s / {sum(anchor_cpu):.0f} s = "
        f"{sum(app_cpu) / sum(anchor_cpu):.2f} (steadier than the wall-clock ratio when "
        "other work shares the machine)"
    )
    print(f"BENCH originality_index_datasketch_s {anchor_s:.1f} s")
    print(f"BENCH originality_index_ratio {index_s / anchor_s:.2f} x", flush=True)


if __name__ == "__main__":
    main()
