"""PDF with Typst: the compiler, the fonts it may use and the stand-ins for official fonts.

Every PDF the system makes (the commendation decision, the campaign's notice,
certificates, later the anthology) is a Typst template under some app's `typst/` folder
compiled with the data as JSON: the template reads it with
`json(bytes(sys.inputs.data))`. Nothing is downloaded: Typst sees the system's fonts
plus the folders in the `WENYI_FONT_DIRS` setting.

Official documents name fonts the machines of union offices have (仿宋_GB2312,
方正小标宋简体 …) and a server usually has not; `stand_ins()` gives, for each official
font, the free families found here in order of preference (Fandol from
texlive-lang-chinese, Noto CJK from fonts-noto-cjk, AR PL), ending with every CJK
family found, so a character one font lacks is taken from the next and never printed
as an empty box. A template gets these lists in its data (`fonts`), and the PDF's
metadata says which fonts stood in.
"""

from __future__ import annotations

import functools
import json
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

# the official font (by the short name GB/T 9704 uses) → free families, best first
STAND_INS: dict[str, tuple[str, ...]] = {
    "fangsong": ("FandolFang", "Noto Serif CJK SC"),
    "xiaobiaosong": ("Noto Serif CJK SC", "FandolSong"),
    "heiti": ("Noto Sans CJK SC", "FandolHei"),
    "kaiti": ("AR PL KaitiM GB", "AR PL UKai CN", "FandolKai", "Noto Serif CJK SC"),
    "songti": ("Noto Serif CJK SC", "FandolSong"),
}
# the official names, as the .docx keeps them (core.docx) and the PDF's metadata names them
OFFICIAL_NAMES = {
    "fangsong": "仿宋_GB2312",
    "xiaobiaosong": "方正小标宋简体",
    "heiti": "黑体",
    "kaiti": "楷体_GB2312",
    "songti": "宋体",
}
# families that carry the common Chinese characters, the last resort of every list
CJK_FALLBACKS = (
    "Noto Serif CJK SC",
    "Noto Sans CJK SC",
    "FandolSong",
    "FandolFang",
    "FandolHei",
    "FandolKai",
    "AR PL UMing CN",
    "AR PL UKai CN",
    "WenQuanYi Zen Hei",
)


class TypstFailed(Exception):
    """The document could not be made; the message says why, in words for the office."""


def font_dirs() -> list[str]:
    return [str(path) for path in getattr(settings, "WENYI_FONT_DIRS", []) if Path(path).is_dir()]


@functools.cache
def _fonts():
    import typst

    return typst.Fonts(include_system_fonts=True, font_paths=font_dirs())


@functools.cache
def families() -> frozenset[str]:
    """The font families Typst finds on this machine (lower case)."""
    return frozenset(name.lower() for name in _fonts().families())


def stand_ins() -> dict[str, list[str]]:
    """For each official font, the families found here that stand in for it, best first,
    then every CJK family found (per-glyph fallback). Raises TypstFailed when the
    machine has no Chinese font at all."""
    found = families()
    fallbacks = [name for name in CJK_FALLBACKS if name.lower() in found]
    if not fallbacks:
        raise TypstFailed(
            _(
                "No Chinese font was found on this machine, so no PDF can be made. Install "
                "fonts-noto-cjk (Debian) or name a folder of fonts in WENYI_FONT_DIRS."
            )
        )
    chosen = {}
    for key, names in STAND_INS.items():
        own = [name for name in names if name.lower() in found]
        chosen[key] = own + [name for name in fallbacks if name not in own]
    return chosen


def stand_in_note(fonts: dict[str, list[str]] | None = None) -> str:
    """ "仿宋_GB2312 → FandolFang; 黑体 → Noto Sans CJK SC …": for the PDF's metadata."""
    fonts = fonts if fonts is not None else stand_ins()
    return "; ".join(f"{OFFICIAL_NAMES[key]} → {fonts[key][0]}" for key in OFFICIAL_NAMES)


_compilers: dict[tuple[str, str], Any] = {}
_lock = threading.Lock()


def _compiler(template: Path, root: Path):
    """One compiler per template, kept: after the first call Typst reuses what it parsed
    and the fonts it loaded (a one-page document then takes milliseconds)."""
    import typst

    key = (str(template), str(root))
    with _lock:
        if key not in _compilers:
            _compilers[key] = typst.Compiler(template, root=root, font_paths=_fonts())
        return _compilers[key]


def compile_pdf(
    template: Path, data: dict[str, Any], *, root: Path | None = None, timestamp=None
) -> bytes:
    """The PDF of `template` (a .typ file) filled with `data` (read in the template with
    `json(bytes(sys.inputs.data))`). `root` is the folder the template may read files
    from (pictures, QR codes); by default the template's own folder. Raises TypstFailed
    with Typst's message when the template fails."""
    import typst

    root = root or template.parent
    payload = {"data": json.dumps(data, ensure_ascii=False, default=str)}
    compiler = _compiler(template, root)
    try:
        with _lock:
            return compiler.compile(format="pdf", sys_inputs=payload, timestamp=timestamp)
    except typst.TypstError as error:
        raise TypstFailed(
            _("The PDF could not be made: %(reason)s") % {"reason": error.message}
        ) from error
