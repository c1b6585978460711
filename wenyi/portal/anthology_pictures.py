"""The pictures of an anthology's works as files on disk, for the renderers: the
public copies of pictures (re-encoded without EXIF or location when they were
uploaded, never the originals), a score's PDF pages drawn as pictures, a film's still;
anything not a JPEG or PNG converted to PNG in the maker's temporary folder, and files
of a storage without paths (S3) copied there.

A score in PDF becomes pictures by poppler's `pdftoppm` where the server has it (as the
thumbnails are made), else by taking out the scanned picture of each page with pypdf (a
scanned score is one picture a page); a score set in notation software, on a server
without pdftoppm, gives none — `anthology.prepare` then prints the lyrics and a note
with the address of the work's public page instead.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

from wenyi.works.enums import FileRole
from wenyi.works.models import WorkFile

logger = logging.getLogger(__name__)

SCORE_PAGES_MAX = 12  # pages of one score printed (a song's score has one to four)
SCORE_DPI = 150  # a score page as a picture: sharp on an A5 or A4 page, small in the file
PDFTOPPM_TIMEOUT = 60  # seconds for one score
PRINTABLE = (".jpg", ".jpeg", ".png")  # what the renderers take as pictures


class Folder:
    """Where pictures made for the book go (a score's pages, a film's still, a picture
    in a format the renderers do not take): the maker's temporary folder."""

    def __init__(self, path: Path):
        self.path = path
        self.count = 0

    def new(self, suffix: str) -> Path:
        self.count += 1
        return self.path / f"p{self.count:05d}{suffix}"


def on_disk(field, folder: Folder) -> Path | None:
    """The path of a stored file, copied into `folder` when the storage has no paths
    (S3) or the file is not a JPEG or PNG (converted then)."""
    if not field:
        return None
    try:
        path = Path(field.path)
    except NotImplementedError:
        path = None
    if path is None or not path.exists():
        try:
            with field.open("rb") as source:
                path = folder.new(Path(field.name).suffix.lower())
                with path.open("wb") as out:
                    shutil.copyfileobj(source, out)
        except (FileNotFoundError, OSError):
            logger.warning("anthology: stored file %s not found", field.name)
            return None
    if path.suffix.lower() in PRINTABLE:
        return path
    from PIL import Image

    target = folder.new(".png")
    try:
        with Image.open(path) as im:
            im.convert("RGBA" if "A" in im.getbands() else "RGB").save(target, "PNG")
    except OSError:
        logger.warning("anthology: picture %s could not be converted", field.name)
        return None
    return target


def picture(f: WorkFile, folder: Folder) -> Path | None:
    """A picture file of a work as printed: its public copy (no EXIF, no location)."""
    return on_disk(f.public_file if f.public_file else f.file, folder)


def pdf_pages(f: WorkFile, folder: Folder) -> list[Path]:
    """A score in PDF as pictures, a page each: drawn by poppler's pdftoppm where the
    server has it (as the thumbnails are), else the scanned picture of each page taken
    out with pypdf (a scanned score is one picture a page); [] when neither works — a
    score set in notation software, on a server without pdftoppm."""
    source = raw_path(f.file, folder)
    if source is None:
        return []
    if shutil.which("pdftoppm"):
        stem = folder.new("")
        try:
            subprocess.run(
                [
                    shutil.which("pdftoppm") or "pdftoppm",
                    *("-r", str(SCORE_DPI), "-gray", "-png"),
                    *("-l", str(SCORE_PAGES_MAX), str(source), str(stem)),
                ],
                check=True,
                capture_output=True,
                timeout=PDFTOPPM_TIMEOUT,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            logger.warning("anthology: pdftoppm failed on %s: %s", f.file.name, exc)
        else:
            return sorted(folder.path.glob(f"{stem.name}-*.png"))
    return _scanned_pages(source, folder)


def raw_path(field, folder: Folder) -> Path | None:
    try:
        path = Path(field.path)
        if path.exists():
            return path
    except NotImplementedError:
        pass
    try:
        with field.open("rb") as source:
            path = folder.new(Path(field.name).suffix.lower())
            with path.open("wb") as out:
                shutil.copyfileobj(source, out)
        return path
    except (FileNotFoundError, OSError):
        return None


def _scanned_pages(source: Path, folder: Folder) -> list[Path]:
    from pypdf import PdfReader

    pages = []
    try:
        reader = PdfReader(source)
        for page in reader.pages[:SCORE_PAGES_MAX]:
            images = list(page.images)
            if len(images) != 1:
                return []  # not a scan: drawn notation, text or several pictures
            target = folder.new(".png")
            images[0].image.save(target, "PNG")
            pages.append(target)
    except Exception as exc:  # a damaged or unusual PDF: the score is not printed
        logger.warning("anthology: no pictures from %s: %s", source, exc)
        return []
    return pages


def still(files: list[WorkFile], folder: Folder) -> Path | None:
    """A film's still: its first picture file, else the first frame of its video's
    public copy, else the video's thumbnail."""
    for f in files:
        if f.role == FileRole.IMAGE:
            path = picture(f, folder)
            if path is not None:
                return path
    for f in files:
        if f.role != FileRole.VIDEO:
            continue
        if f.public_file:
            from wenyi.core.media import video_frame

            source = raw_path(f.public_file, folder)
            frame = video_frame(str(source)) if source is not None else None
            if frame is not None:
                target = folder.new(".jpg")
                frame.convert("RGB").save(target, "JPEG", quality=88)
                return target
        if f.thumbnail:
            return on_disk(f.thumbnail, folder)
    return None
