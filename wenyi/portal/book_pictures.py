"""The anthology's pictures as its two renderings take them: small enough, upright where
needed, and without metadata — a photo's EXIF may say where it was taken, and a book
is published.

A JPEG or PNG no longer than the rendering's limit is used with its own bytes: its
metadata segments (JPEG) or chunks (PNG) are dropped and nothing is decoded or
re-encoded, so the picture loses nothing and costs only its reading. Otherwise Pillow
makes a copy (downscaled: larger pictures are not worth their bytes in this book):
upright as its EXIF says, at most `max_side` pixels long, as PNG when it has
transparency or is a PNG drawing (a score), else as JPEG. A big JPEG is decoded at 1/2,
1/4 or 1/8 of its size by the JPEG decoder itself (`Image.draft`, the DCT's own
scaling), taking the smallest that leaves its long side at least 3/4 of the limit, and
is then not resampled at all unless still too long: a 3000 × 2000 photo becomes
1500 × 1000 for 50 ms of CPU instead of 130 ms for a full decode and a resampling to
2000, a 4000 × 3000 phone photo 2000 × 1500.

The limits: 2000 px for print (1500 to 2000 px: 170 to 250 dpi over an A4 page, more on
A5 — enough for a photo in print — and a 150-photo book stays near 100 MB) and 1600 px
for the e-book (larger than most e-readers' screens).
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from django.utils.translation import gettext as _

from wenyi.documents.generate import CannotMake

PRINT_SIDE = 2000
EBOOK_SIDE = 1600
JPEG_QUALITY = 88
DRAFT_SHARE = 0.75  # a JPEG reduced by its decoder may end this much of max_side long

_ORIENTATION = 0x0112  # EXIF: how the stored picture is turned to be seen upright
_TURNED = (5, 6, 7, 8)  # orientations that swap width and height

# the turn that makes a picture of each EXIF orientation upright (Pillow's names)
_UPRIGHT = {
    2: "FLIP_LEFT_RIGHT",
    3: "ROTATE_180",
    4: "FLIP_TOP_BOTTOM",
    5: "TRANSPOSE",
    6: "ROTATE_270",
    7: "TRANSVERSE",
    8: "ROTATE_90",
}

# JPEG segments kept: JFIF (APP0), the ICC profile (APP2), Adobe's colour transform
# (APP14) and everything that is not an application segment or a comment; EXIF and XMP
# (APP1), Photoshop's IPTC (APP13) and the rest go
_JPEG_DROPPED = {0xE1, *range(0xE3, 0xEE), 0xEF, 0xFE}
# PNG chunks kept: the picture and its colour; text, EXIF, times and animation go
_PNG_KEPT = {
    b"IHDR",
    b"PLTE",
    b"IDAT",
    b"IEND",
    b"tRNS",
    b"gAMA",
    b"cHRM",
    b"sRGB",
    b"iCCP",
    b"sBIT",
    b"pHYs",
}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# PNG modes kept as PNG when copied: black and white, greys, palettes (scores, drawings)
DRAWING_MODES = ("1", "L", "LA", "P", "PA", "I", "I;16", "I;16B", "I;16L")


@dataclass
class Ready:
    """A picture for a rendering."""

    data: bytes
    extension: str  # "jpg" or "png"
    width: int  # as seen, upright
    height: int
    orientation: int = 1  # the EXIF orientation the JPEG's pixels still need (1: none)
    mode: str = "RGB"  # a JPEG's colours: L, RGB or CMYK
    adobe: bool = False  # a CMYK JPEG from Adobe software (stored inverted)
    icc: bytes | None = None  # a JPEG's ICC profile

    @property
    def media_type(self) -> str:
        return "image/png" if self.extension == "png" else "image/jpeg"

    @property
    def stored_size(self) -> tuple[int, int]:
        """The JPEG's pixels as stored (before its orientation)."""
        if self.orientation in _TURNED:
            return self.height, self.width
        return self.width, self.height


class UnreadablePicture(CannotMake):
    """A picture could not be read; the message names the work and the file."""


def clean_jpeg(data: bytes) -> bytes:
    """The JPEG without its metadata segments and without anything after its end (phones
    append more pictures, or a video, after it). Raises ValueError when it is not one."""
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    kept = [data[:2]]
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            raise ValueError("broken JPEG")
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            kept.append(data[at : at + 2])
            at += 2
            continue
        if marker == 0xDA:  # the first scan: what follows is the picture, to its end
            end = data.find(b"\xff\xd9", at)
            kept.append(data[at : end + 2] if end >= 0 else data[at:])
            return b"".join(kept)
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        segment = data[at : at + 2 + length]
        # APP2 holds the ICC profile, kept, or the index of the pictures after the end
        index = marker == 0xE2 and segment[4:8] == b"MPF\x00"
        if marker not in _JPEG_DROPPED and not index:
            kept.append(segment)
        at += 2 + length
    raise ValueError("JPEG without a scan")


def clean_png(data: bytes) -> bytes:
    """The PNG with the chunks of its picture and colours only (the first frame of an
    animated one). Raises ValueError when it is not one."""
    if not data.startswith(_PNG_SIGNATURE):
        raise ValueError("not a PNG")
    kept = [_PNG_SIGNATURE]
    at = len(_PNG_SIGNATURE)
    while at + 12 <= len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        kind = data[at + 4 : at + 8]
        if kind in _PNG_KEPT:
            kept.append(data[at : at + 12 + length])
        at += 12 + length
        if kind == b"IEND":
            break
    return b"".join(kept)


def eight_bit(image):
    """A 16- or 32-bit grey picture (a scan) in 8 bits: Pillow's own conversion would
    clip every value above 255 to white."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):
        return image.convert("I").point(lambda value: value / 256).convert("L")
    if image.mode == "F":
        return image.convert("L")
    return image


def _copy(image, *, max_side: int, orientation: int, drawing: bool, upright: bool) -> Ready:
    """A new file of `image` (open, not yet loaded), at most `max_side` long; upright
    when asked or when it becomes a PNG, else with its `orientation` left to the print
    wrapper (turning pixels costs as much as shrinking them)."""
    from PIL import Image

    if image.format in ("JPEG", "MPO"):
        width, height = image.size
        scale = min(1.0, DRAFT_SHARE * max_side / max(width, height))
        # the decoder itself reduces by 2, 4 or 8 while the long side stays at least
        # 3/4 of max_side: no resampling after it unless it is still above max_side
        image.draft(image.mode, (math.ceil(width * scale), math.ceil(height * scale)))
    image.thumbnail((max_side, max_side), Image.Resampling.BILINEAR, reducing_gap=None)
    picture = eight_bit(image)
    png = drawing or picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
    if orientation != 1 and (upright or png):
        turn = Image.Transpose[_UPRIGHT[orientation]]
        picture, orientation = picture.transpose(turn), 1
    buffer = io.BytesIO()
    if png:
        picture.save(buffer, "PNG")
        return Ready(buffer.getvalue(), "png", picture.width, picture.height)
    if picture.mode not in ("L", "RGB"):  # CMYK too: one less way to get colours wrong
        picture = picture.convert("RGB")
    picture.save(buffer, "JPEG", quality=JPEG_QUALITY)
    width, height = picture.size
    if orientation in _TURNED:
        width, height = height, width
    return Ready(buffer.getvalue(), "jpg", width, height, orientation, mode=picture.mode)


def _kept(clean: Callable[[bytes], bytes], raw: bytes) -> bytes | None:
    """The file's own bytes without metadata, or None when its structure is odd (Pillow
    read it, so a copy is made instead)."""
    try:
        return clean(raw)
    except ValueError:
        return None


def ready(path: Path, *, max_side: int, upright: bool, title: str) -> Ready:
    """The picture at `path` for a rendering (see the module's docstring). `upright`:
    turn a JPEG that only its EXIF turns (an e-reader may not; the print wrapper turns
    it itself). Raises UnreadablePicture naming the work `title` and the file."""
    from PIL import Image, UnidentifiedImageError

    try:
        raw = Path(path).read_bytes()
        with Image.open(io.BytesIO(raw)) as image:
            orientation = image.getexif().get(_ORIENTATION, 1)
            orientation = orientation if orientation in range(1, 9) else 1
            width, height = image.size
            if orientation in _TURNED:
                width, height = height, width
            fits = max(width, height) <= max_side
            jpeg = image.format in ("JPEG", "MPO")  # MPO: a JPEG with more pictures after it
            if jpeg and fits and image.mode in ("L", "RGB", "CMYK"):
                if not (upright and orientation != 1):
                    kept = _kept(clean_jpeg, raw)
                    if kept is not None:
                        return Ready(
                            kept,
                            "jpg",
                            width,
                            height,
                            orientation=orientation,
                            mode=image.mode,
                            adobe="adobe" in image.info,
                            icc=image.info.get("icc_profile") or None,
                        )
            if image.format == "PNG" and fits and orientation == 1:
                kept = _kept(clean_png, raw)
                if kept is not None:
                    return Ready(kept, "png", width, height)
            drawing = image.format == "PNG" and image.mode in DRAWING_MODES
            return _copy(
                image,
                max_side=max_side,
                orientation=orientation,
                drawing=drawing,
                upright=upright,
            )
    except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError) as error:
        raise UnreadablePicture(
            _("The picture %(file)s of “%(title)s” cannot be read (%(reason)s).")
            % {"file": Path(path).name, "title": title, "reason": error}
        ) from error


T = TypeVar("T")
R = TypeVar("R")


def in_parallel(work: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
    """`work` of each item, in the items' order, on a few threads: Pillow and zlib let go
    of the interpreter while they decode, shrink, encode and compress."""
    workers = min(4, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(work, items)
