"""Image originality: a perceptual hash of every image of a work, compared with the images
of all other works (every campaign) by Hamming distance.

The hash is the classic 64-bit pHash (the signs of the 8×8 lowest DCT frequencies of a
32×32 grey image against their median, as `imagehash.phash`), taken of the *central 80 %*
of the picture (10 % border dropped on every side). Plain pHash survives resizing and
recompression (distance 0–2) but not a border crop: cutting 5–10 % off the edges changes
the scale and moves 8–20 bits, as far as unrelated photos go. So one hash is stored per
file (`ImageHash`: the central 80 %), and a checked file is compared through five query
hashes of its central 64, 72, 80, 89 and 100 %: whichever of the two pictures is the
cropped one, one query lines up with the other's stored window. This finds border crops
of up to 10 % a side in either order of submission. Sixteen more, off-centre query windows
line the stored window up with a copy cut by 5 % or 10 % on one side only (left, right,
top or bottom), again in either order. Mirrored or rotated pixels are not found.

Orientation does not change the hash: the EXIF orientation is applied first, so a photo
saved sideways with an orientation tag hashes like the same photo saved upright.

Speed: JPEGs are decoded at 1/8 scale in the DCT (`Image.draft`) and grey only, so a
12-megapixel photo hashes in a few tens of milliseconds (bench/bench_phash.py).

Nothing is rejected here: a distance at or below `WENYI_IMAGE_DISTANCE` (default 10 bits
of 64) becomes an open `Match` for the office to judge side by side.
"""

from __future__ import annotations

import logging
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.db import transaction

if TYPE_CHECKING:
    from pathlib import Path

    import numpy as np
    from PIL import Image

    from wenyi.works.models import ImageHash, Match, Work, WorkFile

logger = logging.getLogger(__name__)

HASH_SIZE = 8  # 8×8 DCT coefficients: 64 bits
SAMPLE = 32  # the grey image the DCT is taken of
STORED_WINDOW = 0.8  # share of width and height kept for the stored hash
# query windows: the stored one and the stored one as seen in a copy cropped or padded
# by 5 % or 10 % a side (0.8 × 0.8, 0.8 × 0.9, 0.8, 0.8 / 0.9, 0.8 / 0.8)
QUERY_WINDOWS = (0.64, 0.72, 0.8, 0.8 / 0.9, 1.0)
ONE_SIDE_CROPS = (0.05, 0.10)  # a copy cut on one side only, by this share


def _box(share: float) -> tuple[float, float, float, float]:
    """A centred window as (left, top, right, bottom) fractions of the picture."""
    margin = (1 - share) / 2
    return (margin, margin, 1 - margin, 1 - margin)


def _one_side_boxes() -> list[tuple[float, float, float, float]]:
    """Windows that line a picture up with a copy cut on one side (either picture may be
    the cut one): the stored window is the central 80 %, [0.1, 0.9] on each axis."""
    lo, _, hi, _ = _box(STORED_WINDOW)
    spans = []
    for cut in ONE_SIDE_CROPS:
        # this picture is the cut copy: the original's stored window, in its coordinates
        spans.append(((lo - cut) / (1 - cut), (hi - cut) / (1 - cut)))
        # this picture is the original: the cut copy's stored window, in its coordinates
        spans.append((cut + lo * (1 - cut), cut + hi * (1 - cut)))
    # rounding may leave a bound a hair outside the picture
    spans = [(max(0.0, a), min(1.0, b)) for a, b in spans]
    boxes = []
    for a, b in spans:
        # cut at the left or top (as computed), or mirrored for the right or bottom
        boxes += [(a, lo, b, hi), (lo, a, hi, b), (1 - b, lo, 1 - a, hi), (lo, 1 - b, hi, 1 - a)]
    return boxes


QUERY_BOXES = [_box(share) for share in QUERY_WINDOWS] + _one_side_boxes()
DECODE_AT_LEAST = 128  # pixels on the short side the JPEG decoder may scale down to
DEFAULT_DISTANCE = 10


def _dct_matrix() -> np.ndarray:
    import numpy as np

    k = np.arange(HASH_SIZE)[:, None]
    n = np.arange(SAMPLE)[None, :]
    # DCT-II rows for the lowest frequencies; the scale factor does not change the signs
    return np.cos(np.pi * k * (2 * n + 1) / (2 * SAMPLE))


def _to_signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _open_grey(source: str | Path | IO[bytes]) -> Image.Image:
    """Decode `source` as a small grey image, upright as its EXIF orientation says."""
    from PIL import Image, ImageOps

    with Image.open(source) as im:
        # JPEG: let the decoder scale by 1/2…1/8 and skip the colour planes
        im.draft("L", (DECODE_AT_LEAST, DECODE_AT_LEAST))
        im.load()
        factor = min(im.size) // (DECODE_AT_LEAST * 2)
        if factor > 1:  # other formats decode in full: shrink cheaply before the rest
            im = im.reduce(factor)
        im = ImageOps.exif_transpose(im)
        return im.convert("L")


def _window_hash(grey: Image.Image, box: tuple[float, float, float, float], dct: np.ndarray) -> int:
    import numpy as np
    from PIL import Image

    w, h = grey.size
    left, top, right, bottom = box
    sample = grey.resize(
        (SAMPLE, SAMPLE), Image.Resampling.LANCZOS, box=(w * left, h * top, w * right, h * bottom)
    )
    low = dct @ np.asarray(sample, dtype=np.float64) @ dct.T
    bits = (low > np.median(low)).ravel()  # row-major, first bit most significant
    value = 0
    for bit in bits:
        value = (value << 1) | int(bit)
    return _to_signed(value)


def _hashes(source: str | Path | IO[bytes]) -> tuple[int, list[int]]:
    """(stored hash, query hashes) of an image; raises on anything not decodable."""
    grey = _open_grey(source)
    dct = _dct_matrix()
    return (
        _window_hash(grey, _box(STORED_WINDOW), dct),
        [_window_hash(grey, box, dct) for box in QUERY_BOXES],
    )


def phash(source: str | Path | IO[bytes]) -> int:
    """The stored perceptual hash of an image (64 bits as a signed integer)."""
    return _hashes(source)[0]


def hamming(a: int, b: int) -> int:
    return ((a ^ b) & ((1 << 64) - 1)).bit_count()


def _decodable_hashes(work_file: WorkFile) -> tuple[int, list[int]] | None:
    from PIL import Image

    try:
        with work_file.file.open("rb") as fh:
            return _hashes(fh)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        # a broken or non-image upload: nothing to compare, and nothing to fail over
        logger.info("image %s not hashed: %s", work_file.pk, exc)
        return None


def _store(work_file: WorkFile, value: int | None) -> ImageHash | None:
    from wenyi.works.models import ImageHash

    if value is None:
        ImageHash.objects.filter(file=work_file).delete()
        return None
    row, _ = ImageHash.objects.update_or_create(
        file=work_file, defaults={"work_id": work_file.work_id, "hash": value}
    )
    return row


def index_file(work_file: WorkFile) -> ImageHash | None:
    """Store (or refresh) the hash of one file; None when it is not a decodable image."""
    hashes = _decodable_hashes(work_file)
    return _store(work_file, hashes[0] if hashes else None)


def distance_limit() -> int:
    return int(getattr(settings, "WENYI_IMAGE_DISTANCE", DEFAULT_DISTANCE))


def check_images(work: Work) -> list[Match]:
    """Index the work's images and record every image of another work within the limit.

    An existing match keeps its decision (status, reason) and only gets the new
    distance; open image matches of this work that no longer qualify are removed.
    """
    import numpy as np

    from wenyi.works.enums import FileRole, MatchKind, MatchStatus
    from wenyi.works.models import ImageHash, Match

    limit = distance_limit()
    queries: list[tuple[WorkFile, list[int]]] = []
    for work_file in work.files.filter(role=FileRole.IMAGE):
        hashes = _decodable_hashes(work_file)
        _store(work_file, hashes[0] if hashes else None)
        if hashes:
            queries.append((work_file, hashes[1]))

    # every other image at once, straight into an array (no list of tuples: 10^6 rows)
    table = (
        np.fromiter(
            ImageHash.objects.exclude(work_id=work.pk)
            .values_list("work_id", "file_id", "hash")
            .iterator(chunk_size=10_000),
            dtype=np.dtype((np.int64, 3)),
        )
        if queries
        else np.empty((0, 3), dtype=np.int64)
    )
    found: list[Match] = []
    with transaction.atomic():
        if len(table):
            stored = np.ascontiguousarray(table[:, 2]).view(np.uint64)
            for work_file, hashes in queries:
                wanted = np.array(hashes, dtype=np.int64).view(np.uint64)
                # fewest differing bits over the query windows, for every stored image
                best = np.bitwise_count(stored[None, :] ^ wanted[:, None]).min(axis=0)
                for index in np.flatnonzero(best <= limit):
                    other_file_id = int(table[index, 1])
                    # recorded the other way round already: one pair, decided once
                    if Match.objects.filter(
                        work_id=int(table[index, 0]),
                        other=work,
                        kind=MatchKind.IMAGE,
                        file_id=other_file_id,
                        other_file=work_file,
                    ).exists():
                        continue
                    match, _ = Match.objects.update_or_create(
                        work=work,
                        other_id=int(table[index, 0]),
                        kind=MatchKind.IMAGE,
                        file=work_file,
                        other_file_id=int(table[index, 1]),
                        defaults={"distance": int(best[index])},
                    )
                    found.append(match)
        (
            Match.objects.filter(work=work, kind=MatchKind.IMAGE, status=MatchStatus.OPEN)
            .exclude(pk__in=[m.pk for m in found])
            .delete()
        )
    return found
