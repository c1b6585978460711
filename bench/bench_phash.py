"""Benchmark: the perceptual hash of one 12-megapixel photo.

    .venv/bin/python bench/bench_phash.py [--runs 20]

Writes a photo-like 4000×3000 JPEG (quality 90) to a temporary directory, hashes it from
the file `--runs` times with `wenyi.works.images.phash` (open, decode, hash) and prints
the median:

    BENCH phash_ms <ms> ms

Budget: ≤ 150 ms.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 4000, 3000


def photo(path: Path) -> None:
    """Smooth light, shapes, blur and sensor noise: JPEG-coded like a camera's photo."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter

    rng = np.random.default_rng(12)
    y, x = np.ogrid[0:HEIGHT, 0:WIDTH]
    channels = []
    for _ in range(3):
        a, b, phase = rng.uniform(-1, 1, 3)
        light = (
            128
            + 60 * (a * x / WIDTH + b * y / HEIGHT)
            + 40 * np.sin(3 * x / WIDTH + 4 * y / HEIGHT + 3 * phase)
        )
        channels.append(np.clip(light, 0, 255).astype(np.uint8))
    picture = Image.fromarray(np.dstack(channels))
    draw = ImageDraw.Draw(picture)
    for _ in range(25):
        cx, cy, r = rng.uniform(0, WIDTH), rng.uniform(0, HEIGHT), rng.uniform(100, 800)
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=colour)
    picture = picture.filter(ImageFilter.GaussianBlur(4))
    noise = rng.normal(0, 6, (HEIGHT, WIDTH, 3)).astype(np.int16)
    noisy = np.clip(np.asarray(picture, np.int16) + noise, 0, 255).astype(np.uint8)
    Image.fromarray(noisy).save(path, "JPEG", quality=90)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    sys.path.insert(0, str(PROJECT_DIR))
    from wenyi.works.images import phash

    with tempfile.TemporaryDirectory(prefix="wenyi-bench-") as tmp:
        path = Path(tmp) / "photo.jpg"
        photo(path)
        print(f"{WIDTH}×{HEIGHT} JPEG, {path.stat().st_size / 1e6:.1f} MB", file=sys.stderr)
        phash(path)  # warm up: imports, first decode
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            phash(path)
            times.append((time.perf_counter() - start) * 1000)
    print(f"BENCH phash_ms {statistics.median(times):.1f} ms")


if __name__ == "__main__":
    main()
