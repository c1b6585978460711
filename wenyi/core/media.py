"""What is made from an uploaded file: the copy shown outside the office and the thumbnail.

- A photo's public copy is re-encoded upright (the camera's orientation applied) with
  every EXIF, GPS, XMP and comment block removed; the colour profile is kept. It is
  made while the upload is checked (`public_image_copy`), so a photo is never shown
  without it.
- A video's public copy is remuxed without any metadata (the place a phone recorded,
  the device, comments): the frames and sound are copied as they are. It is made in the
  background (`process`), and until it exists the video is shown to the office only.
- A thumbnail (480 px JPEG) is made in the background from the photo's public copy, a
  PDF's first page (poppler's `pdftoppm`, when installed) or a video's first picture.

`process(record)` does the background part for any `uploads.StoredFile`; it is
idempotent: a second worker, or a record deleted meanwhile, writes nothing.
"""

import io
import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.core.files import File
from django.core.files.base import ContentFile

logger = logging.getLogger(__name__)

THUMBNAIL_PX = 480
PDFTOPPM_TIMEOUT = 60  # seconds for rendering the first page of a PDF
# the format of the public copy of each kind of image (everything else: JPEG)
PUBLIC_FORMAT = {"png": "PNG", "gif": "GIF", "webp": "WEBP"}
VIDEO_FORMATS = {"mp4": "mp4", "mov": "mov", "webm": "webm", "3gp": "3gp"}


# --- images --------------------------------------------------------------------------------


def bare(im):
    """A copy of the pixels with no metadata at all (EXIF, XMP, comments, profile)."""
    clean = im.copy()
    clean.info = {k: im.info[k] for k in ("transparency",) if k in im.info}
    return clean


def flatten(im):
    """RGB on a white background (JPEG has no transparency)."""
    from PIL import Image

    rgba = im.convert("RGBA")
    white = Image.new("RGB", rgba.size, (255, 255, 255))
    white.paste(rgba, mask=rgba.getchannel("A"))
    return white


EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}


def to_srgb(im):
    """The picture's colours in sRGB, so its colour profile (which may hold free text)
    can go without the colours changing; the picture as it is when that fails."""
    icc = im.info.get("icc_profile")
    if not icc:
        return im
    from PIL import ImageCms

    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        mode = "RGBA" if "A" in im.getbands() else "RGB"
        return ImageCms.profileToProfile(
            im, source, ImageCms.createProfile("sRGB"), outputMode=mode
        )
    except Exception as exc:  # a broken profile: the pixels as they are
        logger.info("colour profile not applied: %s", exc)
        return im


def reencode(im, fmt: str, out, *, keep_profile: bool) -> None:
    """Write the pixels of `im` to `out` as `fmt` (JPEG, PNG, GIF, WEBP) with no metadata:
    every frame of an animation, a still picture upright. `keep_profile`: the colour
    profile goes along; otherwise the colours are turned into sRGB and it is dropped."""
    from PIL import ImageOps, ImageSequence

    icc = im.info.get("icc_profile") if keep_profile else None
    extra = {"icc_profile": icc} if icc else {}
    frames = getattr(im, "n_frames", 1) if fmt != "JPEG" else 1
    if frames > 1:
        durations, images = [], []
        for frame in ImageSequence.Iterator(im):
            durations.append(frame.info.get("duration", 100))
            images.append(bare(frame.convert("RGBA")))
        images[0].save(
            out,
            fmt,
            save_all=True,
            append_images=images[1:],
            duration=durations,
            loop=im.info.get("loop", 0),
            **extra,
        )
        return
    upright = ImageOps.exif_transpose(im)
    upright = bare(upright if keep_profile else to_srgb(upright))
    if fmt == "JPEG":
        if upright.mode not in ("RGB", "L", "CMYK"):
            upright = flatten(upright)
        upright.save(out, "JPEG", quality=90, **extra)
    elif fmt == "WEBP":
        upright.save(out, "WEBP", quality=90, **extra)
    else:
        upright.save(out, fmt, **extra)


def public_image_copy(f: File, key: str, formats: list[str]) -> tuple[ContentFile, str]:
    """The photo `f` (of type `key`, opened with the Pillow `formats`) re-encoded for
    everyone outside the office: upright, no metadata but its colour profile.
    (content, extension)"""
    from PIL import Image

    out = io.BytesIO()
    f.seek(0)
    with Image.open(f, formats=formats) as im:
        fmt = PUBLIC_FORMAT.get(key, "JPEG")
        reencode(im, fmt, out, keep_profile=True)
    f.seek(0)
    return ContentFile(out.getvalue()), EXTENSIONS[fmt]


# --- videos --------------------------------------------------------------------------------


def strip_video_metadata(source, target, extension: str) -> None:
    """Copy the audio and video of `source` (a path or file) into `target` (a path)
    without any metadata: container and stream tags, chapters and data tracks are
    left behind; the picture and sound are copied as they are (no re-encoding)."""
    import av

    fmt = VIDEO_FORMATS.get(extension, "mp4")
    options = {"movflags": "+faststart"} if fmt in ("mp4", "mov", "3gp") else {}
    with (
        av.open(source, mode="r") as inp,
        av.open(str(target), mode="w", format=fmt, options=options) as out,
    ):
        streams = {}
        for stream in inp.streams:
            if stream.type in ("video", "audio"):
                copy = out.add_stream_from_template(stream)
                copy.metadata.clear()
                streams[stream.index] = copy
        if not streams:
            raise ValueError("no audio or video stream")
        for packet in inp.demux(*[inp.streams[i] for i in streams]):
            if packet.dts is None:  # the demuxer's flush packet
                continue
            packet.stream = streams[packet.stream.index]
            out.mux(packet)


def video_frame(source):
    """A Pillow image of the first picture of a video (for its thumbnail), or None."""
    import av

    try:
        with av.open(source, mode="r") as container:
            stream = container.streams.video[0]
            stream.codec_context.skip_frame = "NONKEY"
            for frame in container.decode(stream):
                return frame.to_image()
    except Exception as exc:  # a thumbnail is a nicety; the video stays
        logger.info("no frame from video: %s", exc)
    return None


def _copied(field, folder: str) -> Path:
    """A stored file copied to a temporary folder (PyAV and pdftoppm read paths)."""
    extension = field.name.rsplit(".", 1)[-1].lower()
    path = Path(folder) / f"in.{extension}"
    with field.open("rb") as fh, path.open("wb") as out:
        shutil.copyfileobj(fh, out)
    return path


def make_public_video(record) -> bool:
    """Write a video's copy for everyone outside the office to `record.public_file`;
    True if one was written."""
    from wenyi.core.uploads import delete_files

    if record.public_file or not record.file:
        return False
    model = type(record)
    extension = record.file.name.rsplit(".", 1)[-1].lower()
    with tempfile.TemporaryDirectory(prefix="wenyi-video-") as tmp:
        source, target = _copied(record.file, tmp), Path(tmp) / f"out.{extension}"
        try:
            strip_video_metadata(source, target, extension)
        except Exception as exc:  # FFmpeg could not copy it: the video stays office-only
            logger.warning("no public copy of video %s %s: %s", model.__name__, record.pk, exc)
            return False
        field = record.public_file
        with target.open("rb") as fh:
            field.save(f"public.{extension}", File(fh), save=False)
    claimed = model._default_manager.filter(pk=record.pk, public_file="").update(
        public_file=field.name
    )
    if not claimed:  # deleted meanwhile, or another worker was first
        delete_files([(field.storage, field.name)])
        return False
    return True


# --- thumbnails ------------------------------------------------------------------------------


def pdf_thumbnails_available() -> bool:
    return shutil.which("pdftoppm") is not None


def _pdf_first_page(field):
    """The first page of a stored PDF as an image, by poppler's pdftoppm (None if not)."""
    from PIL import Image

    with tempfile.TemporaryDirectory(prefix="wenyi-pdf-") as tmp:
        source = _copied(field, tmp)
        try:
            subprocess.run(
                [
                    shutil.which("pdftoppm") or "pdftoppm",
                    *("-f", "1", "-l", "1", "-singlefile", "-jpeg"),
                    *("-scale-to", str(THUMBNAIL_PX), str(source), str(Path(tmp) / "page")),
                ],
                check=True,
                capture_output=True,
                timeout=PDFTOPPM_TIMEOUT,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            logger.warning("no thumbnail of %s: pdftoppm failed: %s", field.name, exc)
            return None
        page = Path(tmp) / "page.jpg"
        return Image.open(io.BytesIO(page.read_bytes())) if page.exists() else None


def _thumbnail_source(record):
    """An open Pillow image to shrink, or None if this file has no thumbnail."""
    from PIL import Image

    content_type = record.content_type or ""
    if content_type.startswith("image/") and record.public_file:
        with record.public_file.open("rb") as fh:
            return Image.open(io.BytesIO(fh.read()))
    if content_type == "application/pdf" and record.file and pdf_thumbnails_available():
        return _pdf_first_page(record.file)
    if content_type.startswith("video/") and record.public_file:
        with tempfile.TemporaryDirectory(prefix="wenyi-video-") as tmp:
            return video_frame(_copied(record.public_file, tmp))
    return None


def needs_processing(record) -> bool:
    """Whether the background step has anything to make for this file."""
    content_type = record.content_type or ""
    return (
        content_type.startswith(("image/", "video/"))
        or content_type == "application/pdf"
        and pdf_thumbnails_available()
    )


def write_thumbnail(record) -> bool:
    """The 480-px JPEG thumbnail of a stored file; True if one was written."""
    from wenyi.core.uploads import delete_files

    if record.thumbnail:
        return False
    source = _thumbnail_source(record)
    if source is None:
        return False
    with source:
        has_alpha = source.mode in ("P", "PA", "LA", "RGBA")
        image = source.convert("RGBA" if has_alpha else "RGB")
        image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
        image = flatten(image) if image.mode != "RGB" else bare(image)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80, optimize=True)
    field = record.thumbnail
    field.save("thumb.jpg", ContentFile(out.getvalue()), save=False)
    model = type(record)
    claimed = model._default_manager.filter(pk=record.pk, thumbnail="").update(thumbnail=field.name)
    if not claimed:  # deleted meanwhile, or another worker was first
        delete_files([(field.storage, field.name)])
        return False
    return True


def process(record) -> bool:
    """The background step of one stored file: a video's public copy, then the
    thumbnail. True if anything was written."""
    made = False
    if (record.content_type or "").startswith("video/"):
        made = make_public_video(record)
        record.refresh_from_db()
    return write_thumbnail(record) or made
