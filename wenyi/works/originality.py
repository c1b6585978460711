"""Text originality (R12): finds works whose text resembles another work in the system.

How it works
------------
1. **Normalisation.** Each character is NFKC-normalised and lower-cased; whitespace,
   punctuation and control characters are dropped (``_CharTable``). The same per-character
   table serves ``str.translate`` (fast, for indexing) and ``normalise()`` (which also
   returns, for every normalised character, its offset in the original text, so matching
   passages can be highlighted in the text as written).
2. **Stable hashing.** A k-gram of code points is hashed with a vectorised polynomial
   (mod 2^64) followed by the splitmix64 finaliser. Pure numpy, no salt: the same text
   gives the same hashes in every process and on every machine (never Python's
   ``hash()``, which is salted per process).
3. **Sketch: MinHash of character 5-gram shingles, 128 values.** Our own numpy code, not
   datasketch: we use *one-permutation* MinHash (Li, Owen & Zhang 2012) — the top 7 bits
   of a shingle's 64-bit hash choose one of 128 bins, the next 32 bits are its value,
   each bin keeps its minimum — with rotation densification for empty bins (Shrivastava
   2017, an empty bin borrows the nearest non-empty bin to its right, salted with the
   distance). Its Jaccard estimate (share of equal values) has the accuracy of 128
   classic permutations, but costs one hash and one sort per text instead of 128
   multiply-adds per shingle: 128 classic permutations took ~1 ms per 2,000-character
   text here, which alone would have broken the 120-s budget for 100,000 works.
4. **LSH bands: 32 bands × 4 rows**, each band hashed to 64 bits and stored as an
   indexed ``LshBand`` row. Two works become candidates when any band agrees; the
   probability is 1 - (1 - J^4)^32 (the S-curve): J=0.2 → 5%, 0.3 → 23%, 0.4 → 56%,
   0.5 → 87%, 0.6 → 98.8%, 0.7 → 99.99%, i.e. the threshold sits near J≈0.42, well
   below the Jaccard we flag.
5. **Passage fingerprints: winnowing** (Schleimer, Wilkerson & Aiken 2003) of normalised
   10-grams with a window of 40: every passage of ≥ 49 normalised characters shared by
   two texts shares at least one fingerprint, and on average a text keeps 2/41 of its
   positions (~100 rows for 2,000 characters; a 200-character poem shares ~10).
   Whole-work sketches cannot see a short poem inside a long text (its Jaccard is
   tiny); the fingerprints can.
6. **Candidates** = works sharing an LSH band, or sharing ≥ ``FP_MIN_SHARED``
   fingerprints (counted by the database, ``GROUP BY work``), best first, at most
   ``MAX_CANDIDATES``.
7. **Verification.** For the few candidates we re-read their text and compare the exact
   5-gram sets — more accurate than estimates and cheap at this point (~0.2 ms a
   candidate): Jaccard, containment of this work in the other and of the other in this
   one, and the matching passages (runs of shared shingles that are consecutive in both
   texts, merged across small gaps such as a changed character). A candidate becomes a
   ``Match`` when Jaccard ≥ ``WENYI_SIMILARITY_JACCARD`` or either containment ≥
   ``WENYI_SIMILARITY_CONTAINMENT`` or one matching passage is at least
   ``WENYI_SIMILARITY_LONG_PASSAGE`` characters long (a page copied into a long text is
   a small share of both), and in every case at least one passage of
   ``WENYI_SIMILARITY_MIN_PASSAGE`` normalised characters matches (so a text of a few
   characters is not "contained" in everything). Nothing is rejected: the office decides.

Settings (read here with defaults): ``WENYI_SIMILARITY_JACCARD`` (0.5),
``WENYI_SIMILARITY_CONTAINMENT`` (0.4: "at least half borrowed" loses a few shingles at
the seams of the borrowed passages, so 0.5 would miss exactly-half copies) and
``WENYI_SIMILARITY_MIN_PASSAGE`` (20 normalised characters; shorter passages are
neither shown nor counted — not more, or a copy with its sentences reordered would show
nothing) and ``WENYI_SIMILARITY_LONG_PASSAGE`` (200 characters, in the original text).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q

from wenyi.works.enums import MatchKind, MatchStatus
from wenyi.works.models import Fingerprint, LshBand, Match, TextSketch, Work

SHINGLE_K = 5
NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
FP_K = 10  # normalised characters in a fingerprinted k-gram
FP_W = 40  # winnowing window: passages of FP_K + FP_W - 1 chars always share one
FP_MIN_SHARED = 3  # fingerprints a work must share to become a candidate
MAX_CANDIDATES = 100
MAX_PASSAGES = 50
PASSAGE_GAP = 12  # merge runs of shared shingles separated by at most this many chars
CHUNK = 500  # variables per IN (...) query: below SQLite's limit
# characters shown either side of a matching passage of a work the viewer may not see
# (a line or so of a poem: enough to tell a quotation from a copy)
EXCERPT_CONTEXT = 20

_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_POLY = np.uint64(0x100000001B3)  # FNV-64 prime as the polynomial base
_SEED = {SHINGLE_K: np.uint64(0x9E3779B97F4A7C15), FP_K: np.uint64(0xD6E8FEB86659FD93)}
_BIN_SHIFT = np.uint64(64 - 7)  # 128 bins
_VAL_SHIFT = np.uint64(64 - 7 - 32)
_EDGES = np.arange(NUM_PERM, dtype=np.uint64) << _BIN_SHIFT


def thresholds() -> tuple[float, float, int, int]:
    """(Jaccard, containment, shortest passage shown, passage long enough on its own)."""
    return (
        float(getattr(settings, "WENYI_SIMILARITY_JACCARD", 0.5)),
        float(getattr(settings, "WENYI_SIMILARITY_CONTAINMENT", 0.4)),
        int(getattr(settings, "WENYI_SIMILARITY_MIN_PASSAGE", 20)),
        int(getattr(settings, "WENYI_SIMILARITY_LONG_PASSAGE", 200)),
    )


# --- normalisation -------------------------------------------------------------------


class _CharTable(dict):
    """code point → normalised string ('' when dropped), filled on first sight."""

    def __missing__(self, cp: int) -> str:
        out = "".join(
            c
            for c in unicodedata.normalize("NFKC", chr(cp)).lower()
            if unicodedata.category(c)[0] not in "PZC" and not c.isspace()
        )
        self[cp] = out
        return out


_TABLE = _CharTable()


def normalise_fast(text: str) -> str:
    """The normalised text (no offsets): for indexing."""
    return text.translate(_TABLE)


def normalise(text: str) -> tuple[str, np.ndarray]:
    """The normalised text and, for each of its characters, the offset in ``text``."""
    parts: list[str] = []
    offsets: list[int] = []
    table = _TABLE
    for i, ch in enumerate(text):
        out = table[ord(ch)]
        if out:
            parts.append(out)
            offsets.extend([i] * len(out))
    return "".join(parts), np.asarray(offsets, dtype=np.int64)


def _codepoints(norm: str) -> np.ndarray:
    return np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


# --- hashing -------------------------------------------------------------------------


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser (uint64 arrays wrap silently)."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def kgram_hashes(cps: np.ndarray, k: int) -> np.ndarray:
    """Stable 64-bit hash of every k-gram of the code points, by start position."""
    n = len(cps) - k + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    h = np.full(n, _SEED[k], dtype=np.uint64)
    for j in range(k):
        h = h * _POLY + cps[j : j + n]
    return _mix(h)


def minhash(shingles: np.ndarray) -> np.ndarray:
    """One-permutation MinHash (128 uint32) of the *sorted, distinct* shingle hashes."""
    if len(shingles) == 0:
        return np.zeros(NUM_PERM, dtype=np.uint32)
    starts = np.searchsorted(shingles, _EDGES)
    ends = np.append(starts[1:], len(shingles))
    full = starts < ends
    vals = ((shingles >> _VAL_SHIFT) & np.uint64(0xFFFFFFFF)).astype(np.uint64)
    sketch = np.zeros(NUM_PERM, dtype=np.uint64)
    sketch[full] = vals[starts[full]]
    if not full.all():
        # rotation densification: an empty bin borrows the next full bin to its right
        idx = np.flatnonzero(full)
        empty = np.flatnonzero(~full)
        pos = np.searchsorted(idx, empty) % len(idx)
        src = idx[pos]
        dist = ((src - empty) % NUM_PERM).astype(np.uint64)
        sketch[empty] = _mix(sketch[src] * np.uint64(0x100000001) + dist) >> np.uint64(32)
    return sketch.astype(np.uint32)


def band_hashes(sketch: np.ndarray) -> np.ndarray:
    """One signed 64-bit hash per LSH band of the sketch."""
    s = sketch.astype(np.uint64).reshape(BANDS, ROWS)
    h = np.full(BANDS, np.uint64(0x243F6A8885A308D3), dtype=np.uint64)
    for r in range(ROWS):
        h = _mix(h ^ s[:, r])
    return h.view(np.int64)


def winnow(hashes: np.ndarray) -> np.ndarray:
    """Positions chosen by winnowing (the rightmost minimum of every window)."""
    if len(hashes) == 0:
        return np.empty(0, dtype=np.int64)
    if len(hashes) <= FP_W:
        return np.array([len(hashes) - 1 - int(np.argmin(hashes[::-1]))])
    windows = np.lib.stride_tricks.sliding_window_view(hashes[::-1], FP_W)
    # argmin on the reversed windows = rightmost minimum of each window
    last = len(hashes) - 1 - (np.argmin(windows, axis=1) + np.arange(len(windows)))
    return np.unique(last)


@dataclass
class TextIndex:
    """What the index stores for one text."""

    shingles: int
    sketch: np.ndarray  # 128 uint32
    bands: np.ndarray  # BANDS int64
    fp_hashes: np.ndarray  # int64
    fp_positions: np.ndarray  # int64, offsets into the normalised text


def compute_index(text: str) -> TextIndex:
    cps = _codepoints(normalise_fast(text))
    shingles = np.unique(kgram_hashes(cps, SHINGLE_K))
    sketch = minhash(shingles)
    fph = kgram_hashes(cps, FP_K)
    pos = winnow(fph)
    return TextIndex(len(shingles), sketch, band_hashes(sketch), fph[pos].view(np.int64), pos)


# --- index rows ----------------------------------------------------------------------


def _delete_rows(work_ids: list[int]) -> None:
    for i in range(0, len(work_ids), CHUNK):
        ids = work_ids[i : i + CHUNK]
        TextSketch.objects.filter(work_id__in=ids).delete()
        LshBand.objects.filter(work_id__in=ids).delete()
        Fingerprint.objects.filter(work_id__in=ids).delete()


def index_text(work: Work) -> TextIndex:
    """(Re)build the work's sketch, bands and fingerprints in one transaction."""
    idx = compute_index(work.text or "")
    with transaction.atomic():
        _delete_rows([work.pk])
        if not idx.shingles:
            return idx
        TextSketch.objects.create(work_id=work.pk, shingles=idx.shingles)
        LshBand.objects.bulk_create(
            [LshBand(work_id=work.pk, band=b, hash=int(h)) for b, h in enumerate(idx.bands)]
        )
        Fingerprint.objects.bulk_create(
            [
                Fingerprint(work_id=work.pk, hash=h, position=p)
                for h, p in zip(idx.fp_hashes.tolist(), idx.fp_positions.tolist(), strict=True)
            ],
            batch_size=CHUNK,
        )
    return idx


def _compute_batch(batch: list[tuple[int, str]]) -> tuple:
    """Worker: the rows of a batch of works as numpy columns (cheap to send back)."""
    ids = [wid for wid, _ in batch]
    sketches = []
    band_w, band_h, fp_w, fp_h, fp_p = [], [], [], [], []
    for wid, text in batch:
        idx = compute_index(text or "")
        if not idx.shingles:
            continue
        sketches.append((wid, idx.shingles))
        band_w.append(wid)
        band_h.append(idx.bands)
        fp_w.append(np.full(len(idx.fp_hashes), wid, dtype=np.int64))
        fp_h.append(idx.fp_hashes)
        fp_p.append(idx.fp_positions)
    if not sketches:
        return ids, [], None, None
    bands = (np.repeat(np.array(band_w, dtype=np.int64), BANDS), np.concatenate(band_h))
    fps = (np.concatenate(fp_w), np.concatenate(fp_h), np.concatenate(fp_p))
    return ids, sketches, bands, fps


def _batches(works: Iterable, size: int) -> Iterator[list[tuple[int, str]]]:
    batch: list[tuple[int, str]] = []
    for w in works:
        batch.append((w.pk, w.text) if isinstance(w, Work) else (int(w[0]), w[1]))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert_sql(model, fields: list[str]) -> str:
    qn = connection.ops.quote_name
    cols = ", ".join(qn(model._meta.get_field(f).column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {qn(model._meta.db_table)} ({cols}) VALUES ({marks})"


def _run_index_ddl(method: str) -> None:
    """Drop (``remove_sql``) or create (``create_sql``) the lookup indexes of the bands
    and fingerprints, as the migrations define them, inside the current transaction."""
    # the SQL only: SQLite's schema editor refuses to open inside a transaction
    editor = connection.schema_editor()
    editor.deferred_sql = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and method == "create_sql":
            # PostgreSQL checks foreign keys at commit (deferred); it will not build an
            # index on a table with such checks pending, so run them now
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for model in (LshBand, Fingerprint):
            for index in model._meta.indexes:
                cursor.execute(str(getattr(index, method)(model, editor)))


def bulk_index(works: Iterable, processes: int = 2, batch_size: int = 1000, progress=None) -> int:
    """Index many works (``Work`` objects or ``(id, text)`` pairs); returns the count.

    Hashing runs in a process pool (fork) while the main process writes; rows go in
    with ``executemany`` in batches of ``batch_size`` works (~130,000 rows) — for
    millions of rows Django's ``bulk_create`` spent more time building model instances
    than the database spent storing them. Old rows of the given works are deleted
    first. When the index is empty (built from scratch), the two lookup indexes
    (``LshBand(band, hash)``, ``Fingerprint(hash)``) are dropped during the load and
    rebuilt at the end, in the same transaction: sorting once is several times faster
    than inserting 10 million random keys into a B-tree. ``progress(n)`` is called
    after each batch with the number of works done.
    """
    import multiprocessing

    sql_sketch = _insert_sql(TextSketch, ["work", "shingles"])
    sql_band = _insert_sql(LshBand, ["work", "band", "hash"])
    sql_fp = _insert_sql(Fingerprint, ["work", "hash", "position"])
    band_numbers = np.arange(BANDS, dtype=np.int64)
    done = 0
    with transaction.atomic():
        from_scratch = not TextSketch.objects.exists() and not Fingerprint.objects.exists()
        if from_scratch:
            _run_index_ddl("remove_sql")
        if processes > 1:
            pool = multiprocessing.get_context("fork").Pool(processes)
            results = pool.imap(_compute_batch, _batches(works, batch_size))
        else:
            pool = None
            results = map(_compute_batch, _batches(works, batch_size))
        try:
            with connection.cursor() as cursor:
                for ids, sketches, bands, fps in results:
                    if not from_scratch:
                        _delete_rows(ids)
                    if sketches:
                        cursor.executemany(sql_sketch, sketches)
                        numbers = np.tile(band_numbers, len(sketches)).tolist()
                        cursor.executemany(
                            sql_band,
                            zip(bands[0].tolist(), numbers, bands[1].tolist(), strict=True),
                        )
                        cursor.executemany(
                            sql_fp,
                            zip(fps[0].tolist(), fps[1].tolist(), fps[2].tolist(), strict=True),
                        )
                    done += len(ids)
                    if progress:
                        progress(done)
        finally:
            if pool is not None:
                pool.close()
                pool.join()
        if from_scratch:
            _run_index_ddl("create_sql")
    return done


# --- checking ------------------------------------------------------------------------


def _candidates(work_id: int, idx: TextIndex) -> list[int]:
    """Works sharing an LSH band or enough fingerprints, best first."""
    band_q = Q()
    for b, h in enumerate(idx.bands.tolist()):
        band_q |= Q(band=b, hash=h)
    lsh = set(
        LshBand.objects.filter(band_q).exclude(work_id=work_id).values_list("work_id", flat=True)
    )
    counts: dict[int, int] = {}
    hashes = sorted(set(idx.fp_hashes.tolist()))
    for i in range(0, len(hashes), CHUNK):
        rows = (
            Fingerprint.objects.filter(hash__in=hashes[i : i + CHUNK])
            .exclude(work_id=work_id)
            .values("work_id")
            .annotate(n=Count("hash", distinct=True))
            .values_list("work_id", "n")
        )
        for wid, n in rows:
            counts[wid] = counts.get(wid, 0) + n
    ranked = sorted(
        (wid for wid, n in counts.items() if n >= FP_MIN_SHARED or wid in lsh),
        key=lambda wid: (wid not in lsh, -counts[wid]),
    )
    ranked += sorted(lsh.difference(ranked))
    return ranked[:MAX_CANDIDATES]


@dataclass
class Similarity:
    jaccard: float
    containment: float  # share of the first text found in the second
    containment_other: float
    passages: list[list[int]]  # [start, end, other_start, other_end] in original offsets


class _Prepared:
    """A text normalised with offsets, and its shingles by position and as a set."""

    def __init__(self, text: str):
        self.norm, self.offsets = normalise(text)
        self.by_pos = kgram_hashes(_codepoints(self.norm), SHINGLE_K)
        self.unique = np.unique(self.by_pos)


def _passages(a: _Prepared, b: _Prepared, min_len: int) -> list[list[int]]:
    k = SHINGLE_K
    mask = np.isin(a.by_pos, b.unique, assume_unique=False)
    ia = np.flatnonzero(mask)
    if len(ia) == 0:
        return []
    order = np.argsort(b.by_pos, kind="stable")
    ib = order[np.searchsorted(b.by_pos[order], a.by_pos[ia])]
    brk = np.flatnonzero((np.diff(ia) != 1) | (np.diff(ib) != 1)) + 1
    starts = np.concatenate(([0], brk))
    ends = np.concatenate((brk, [len(ia)])) - 1
    runs = zip(
        ia[starts].tolist(),
        (ia[ends] + k).tolist(),
        ib[starts].tolist(),
        (ib[ends] + k).tolist(),
        strict=True,
    )
    merged: list[list[int]] = []
    for a0, a1, b0, b1 in runs:
        if merged:
            m = merged[-1]
            if a0 - m[1] <= PASSAGE_GAP and -k <= b0 - m[3] <= PASSAGE_GAP:
                m[1], m[3] = max(m[1], a1), max(m[3], b1)
                continue
        merged.append([a0, a1, b0, b1])
    kept = [m for m in merged if m[1] - m[0] >= min_len]
    kept = sorted(sorted(kept, key=lambda m: m[0] - m[1])[:MAX_PASSAGES])
    return [
        [
            int(a.offsets[a0]),
            int(a.offsets[a1 - 1]) + 1,
            int(b.offsets[b0]),
            int(b.offsets[b1 - 1]) + 1,
        ]
        for a0, a1, b0, b1 in kept
    ]


def compare(a: _Prepared | str, b: _Prepared | str, min_passage: int | None = None) -> Similarity:
    """Exact 5-gram Jaccard, containment both ways and matching passages of two texts."""
    a = a if isinstance(a, _Prepared) else _Prepared(a)
    b = b if isinstance(b, _Prepared) else _Prepared(b)
    na, nb = len(a.unique), len(b.unique)
    if not na or not nb:
        return Similarity(0.0, 0.0, 0.0, [])
    inter = len(np.intersect1d(a.unique, b.unique, assume_unique=True))
    if min_passage is None:
        min_passage = thresholds()[2]
    # a text shorter than the shortest passage can still be copied whole
    need = min(min_passage, max(2 * SHINGLE_K, int(0.8 * min(len(a.norm), len(b.norm)))))
    passages = _passages(a, b, need) if inter else []
    return Similarity(inter / (na + nb - inter), inter / na, inter / nb, passages)


def check_text(work: Work) -> list[Match]:
    """Index the work's text and record the works it resembles as open text matches.

    Compared with every other work in the system (any campaign, any status). An existing
    match keeps the office's decision; open matches that no longer qualify are removed.
    """
    idx = index_text(work)
    found = find_similar(work, idx) if idx.shingles else {}
    matches: list[Match] = []
    with transaction.atomic():
        existing = {
            m.other_id: m
            for m in Match.objects.filter(
                work=work, kind=MatchKind.TEXT, file__isnull=True, other_file__isnull=True
            )
        }
        # a pair already recorded the other way round (the other work was checked
        # against this one) is one possible copy, decided once
        reverse = set(
            Match.objects.filter(
                other=work, kind=MatchKind.TEXT, work_id__in=list(found)
            ).values_list("work_id", flat=True)
        )
        for other_id, sim in found.items():
            if other_id in reverse and other_id not in existing:
                continue
            values = {
                "jaccard": round(sim.jaccard, 4),
                "containment": round(sim.containment, 4),
                "containment_other": round(sim.containment_other, 4),
                "passages": sim.passages,
            }
            match = existing.get(other_id)
            if match is None:
                match = Match.objects.create(
                    work=work, other_id=other_id, kind=MatchKind.TEXT, **values
                )
            else:
                for field, value in values.items():
                    setattr(match, field, value)
                match.save(update_fields=list(values))
            matches.append(match)
        stale = [
            m.pk for oid, m in existing.items() if oid not in found and m.status == MatchStatus.OPEN
        ]
        if stale:
            Match.objects.filter(pk__in=stale).delete()
    return matches


def find_similar(work: Work, idx: TextIndex | None = None) -> dict[int, Similarity]:
    """Candidate lookup and verification for an indexed work: {other work id: similarity}."""
    if idx is None:
        idx = compute_index(work.text or "")
    jaccard_min, containment_min, min_passage, long_passage = thresholds()
    candidates = _candidates(work.pk, idx)
    if not candidates:
        return {}
    me = _Prepared(work.text or "")
    texts = dict(Work.objects.filter(pk__in=candidates).exclude(text="").values_list("pk", "text"))
    found: dict[int, Similarity] = {}
    for other_id in candidates:
        if other_id not in texts:
            continue
        sim = compare(me, _Prepared(texts[other_id]), min_passage)
        flagged = (
            sim.jaccard >= jaccard_min
            or sim.containment >= containment_min
            or sim.containment_other >= containment_min
            or any(p[1] - p[0] >= long_passage for p in sim.passages)
        )
        if flagged and sim.passages:
            found[other_id] = sim
    return found


def highlight(text: str, ranges: Iterable[Iterable[int]]) -> list[tuple[str, bool]]:
    """Split ``text`` into (segment, marked) pieces; ranges are [start, end) offsets."""
    merged: list[list[int]] = []
    for start, end in sorted((max(0, int(r[0])), min(len(text), int(r[1]))) for r in ranges):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out: list[tuple[str, bool]] = []
    pos = 0
    for start, end in merged:
        if start > pos:
            out.append((text[pos:start], False))
        out.append((text[start:end], True))
        pos = end
    if pos < len(text):
        out.append((text[pos:], False))
    return out


@dataclass
class Excerpt:
    """A piece of a text around matching passages: its segments as `highlight` gives
    them, and whether text was left out before and after it."""

    segments: list[tuple[str, bool]]
    cut_before: bool
    cut_after: bool


def excerpts(
    text: str, ranges: Iterable[Iterable[int]], context: int = EXCERPT_CONTEXT
) -> list[Excerpt]:
    """The passages of ``text`` in ``ranges`` ([start, end) offsets), each with at most
    ``context`` characters either side; excerpts that meet are joined.

    What an office sees of a work outside its units (works.views_originality): the
    passages are text both works share, the context lets it judge them, and the rest of
    the text stays unseen. No range leaves an empty list.
    """
    marked = [
        (start, end)
        for start, end in sorted((max(0, int(r[0])), min(len(text), int(r[1]))) for r in ranges)
        if end > start
    ]
    windows: list[list[int]] = []
    for start, end in marked:
        low, high = max(0, start - context), min(len(text), end + context)
        if windows and low <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], high)
        else:
            windows.append([low, high])
    return [
        Excerpt(
            highlight(
                text[low:high],
                [(s - low, e - low) for s, e in marked if s < high and e > low],
            ),
            low > 0,
            high < len(text),
        )
        for low, high in windows
    ]
