"""Image originality: copies that were resized, recompressed, cropped or turned by EXIF
are found; unrelated photos, the work itself and files that are not images are not."""

import functools
import io
import itertools

import numpy as np
import pytest
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFilter

from tests.factories import CampaignFactory, OrgUnitFactory
from wenyi.campaigns.models import WorkCategory
from wenyi.works import images
from wenyi.works.enums import FileRole, MatchKind, MatchStatus, WorkStatus
from wenyi.works.models import ImageHash, Match, Work, WorkFile

WIDTH, HEIGHT = 1600, 1200
ORIENTATION = 0x0112


@functools.cache
def scene(seed: int) -> Image.Image:
    """A photo-like picture: smooth light, a few shapes, slight blur and sensor noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    pixels = np.empty((HEIGHT, WIDTH, 3), np.float32)
    for channel in range(3):
        a, b, phase = rng.uniform(-1, 1, 3)
        fx, fy = rng.uniform(1, 6, 2)
        pixels[..., channel] = (
            128
            + 60 * (a * x / WIDTH + b * y / HEIGHT)
            + 40 * np.sin(fx * x / WIDTH + fy * y / HEIGHT + 3 * phase)
        )
    picture = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(picture)
    for _ in range(12):
        cx, cy, r = rng.uniform(0, WIDTH), rng.uniform(0, HEIGHT), rng.uniform(50, 350)
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=colour)
        else:
            draw.rectangle([cx - r, cy - 0.6 * r, cx + r, cy + 0.6 * r], fill=colour)
    picture = picture.filter(ImageFilter.GaussianBlur(3))
    noisy = np.asarray(picture, np.int16) + rng.normal(0, 6, (HEIGHT, WIDTH, 3)).astype(np.int16)
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))


def jpeg(picture: Image.Image, quality: int = 90, orientation: int | None = None) -> bytes:
    out = io.BytesIO()
    extra = {}
    if orientation:
        exif = Image.Exif()
        exif[ORIENTATION] = orientation
        extra["exif"] = exif.tobytes()
    picture.save(out, "JPEG", quality=quality, **extra)
    return out.getvalue()


def border_crop(picture: Image.Image, share: float) -> Image.Image:
    w, h = picture.size
    dx, dy = round(w * share), round(h * share)
    return picture.crop((dx, dy, w - dx, h - dy))


def side_crop(picture: Image.Image, share: float, side: str) -> Image.Image:
    """Cut `share` of the picture off one side only."""
    w, h = picture.size
    dx, dy = round(w * share), round(h * share)
    box = {
        "left": (dx, 0, w, h),
        "right": (0, 0, w - dx, h),
        "top": (0, dy, w, h),
        "bottom": (0, 0, w, h - dy),
    }[side]
    return picture.crop(box)


def resized(picture: Image.Image, share: float) -> Image.Image:
    w, h = picture.size
    return picture.resize((round(w * share), round(h * share)), Image.Resampling.LANCZOS)


def png(picture: Image.Image) -> bytes:
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


# a copy of scene(0) as someone else might hand it in
COPIES = {
    "resized_50": lambda: jpeg(resized(scene(0), 0.5)),
    "resized_25": lambda: jpeg(resized(scene(0), 0.25)),
    "recompressed_q40": lambda: jpeg(scene(0), quality=40),
    "cropped_5_percent": lambda: jpeg(border_crop(scene(0), 0.05)),
    "cropped_10_percent": lambda: jpeg(border_crop(scene(0), 0.10)),
    "cut_5_percent_left": lambda: jpeg(side_crop(scene(0), 0.05, "left")),
    "cut_10_percent_right": lambda: jpeg(side_crop(scene(0), 0.10, "right")),
    "cut_5_percent_top": lambda: jpeg(side_crop(scene(0), 0.05, "top")),
    "cut_10_percent_bottom_q60": lambda: jpeg(side_crop(scene(0), 0.10, "bottom"), 60),
    "cropped_5_resized_50_q40": lambda: jpeg(resized(border_crop(scene(0), 0.05), 0.5), 40),
    # stored on its side with "rotate 90° clockwise to view" in EXIF
    "exif_orientation_6": lambda: jpeg(
        scene(0).transpose(Image.Transpose.ROTATE_90), orientation=6
    ),
    "png": lambda: png(scene(0)),
}


@pytest.fixture
def category(db):
    campaign = CampaignFactory()
    return WorkCategory.objects.create(
        campaign=campaign, key="photo", name="摄影", file_kinds=["image"]
    )


@pytest.fixture
def make_work(category):
    unit = OrgUnitFactory()
    counter = itertools.count(1)

    def _make(*contents: bytes, role: str = FileRole.IMAGE, name: str = "photo.jpg") -> Work:
        work = Work.objects.create(
            campaign=category.campaign,
            category=category,
            unit=unit,
            title=f"作品{next(counter)}",
            status=WorkStatus.SUBMITTED,
        )
        for content in contents:
            add_file(work, content, role=role, name=name)
        return work

    return _make


def add_file(
    work: Work, content: bytes, role: str = FileRole.IMAGE, name: str = "photo.jpg"
) -> WorkFile:
    work_file = WorkFile(work=work, role=role, original_name=name, size=len(content))
    work_file.file.save(name, ContentFile(content), save=False)
    work_file.save()
    return work_file


def image_matches(work: Work) -> list[tuple[int, int]]:
    return sorted(
        Match.objects.filter(work=work, kind=MatchKind.IMAGE).values_list("other_id", "distance")
    )


@pytest.mark.parametrize("variant", sorted(COPIES))
def test_check_images_finds_copy_submitted_after_original(make_work, variant):
    original = make_work(jpeg(scene(0)))
    images.check_images(original)
    copy = make_work(COPIES[variant]())

    found = images.check_images(copy)

    assert [(m.other_id, m.file.work_id, m.other_file.work_id) for m in found] == [
        (original.pk, copy.pk, original.pk)
    ]
    assert found[0].distance <= images.distance_limit()
    assert found[0].status == MatchStatus.OPEN


@pytest.mark.parametrize("variant", sorted(COPIES))
def test_check_images_finds_original_submitted_after_copy(make_work, variant):
    copy = make_work(COPIES[variant]())
    images.check_images(copy)
    original = make_work(jpeg(scene(0)))

    found = images.check_images(original)

    assert [m.other_id for m in found] == [copy.pk]


def test_phash_ignores_exif_orientation():
    upright = images.phash(io.BytesIO(jpeg(scene(1))))
    sideways = images.phash(
        io.BytesIO(jpeg(scene(1).transpose(Image.Transpose.ROTATE_270), orientation=8))
    )

    assert upright == sideways
    assert -(1 << 63) <= upright < 1 << 63


def test_check_images_unrelated_scenes_not_matched(make_work):
    works = [make_work(jpeg(scene(seed))) for seed in range(100, 130)]

    found = [m for work in works for m in images.check_images(work)]

    assert found == []
    # the margin: the closest two of 30 unrelated photos, over every query window
    query_sets = [images._hashes(io.BytesIO(jpeg(scene(seed))))[1] for seed in range(100, 130)]
    stored = {work.pk: ImageHash.objects.get(work=work).hash for work in works}
    distances = [
        min(images.hamming(q, stored[other.pk]) for q in queries)
        for work, queries in zip(works, query_sets, strict=True)
        for other in works
        if other != work
    ]
    assert min(distances) > images.distance_limit() + 4


def test_check_images_keeps_decision_on_recheck(make_work):
    original = make_work(jpeg(scene(2)))
    images.check_images(original)
    copy = make_work(jpeg(resized(scene(2), 0.5)))
    [match] = images.check_images(copy)
    Match.objects.filter(pk=match.pk).update(status=MatchStatus.CLEARED, reason="作者本人的原图")

    again = images.check_images(copy)

    assert [m.pk for m in again] == [match.pk]
    match.refresh_from_db()
    assert (match.status, match.reason) == (MatchStatus.CLEARED, "作者本人的原图")


def test_check_images_decided_match_kept_when_no_longer_similar(make_work):
    original = make_work(jpeg(scene(3)))
    images.check_images(original)
    copy = make_work(jpeg(scene(3), quality=40))
    [match] = images.check_images(copy)
    Match.objects.filter(pk=match.pk).update(status=MatchStatus.DISQUALIFIED)
    copy_file = copy.files.get()
    copy_file.file.save("other.jpg", ContentFile(jpeg(scene(4))), save=True)

    assert images.check_images(copy) == []
    assert Match.objects.filter(pk=match.pk).exists()


def test_check_images_removes_stale_open_match(make_work):
    original = make_work(jpeg(scene(3)))
    images.check_images(original)
    copy = make_work(jpeg(scene(3), quality=40))
    assert len(images.check_images(copy)) == 1
    copy_file = copy.files.get()
    copy_file.file.save("other.jpg", ContentFile(jpeg(scene(4))), save=True)

    found = images.check_images(copy)

    assert found == []
    assert image_matches(copy) == []
    assert ImageHash.objects.get(file=copy_file).hash == images.phash(io.BytesIO(jpeg(scene(4))))


def test_check_images_never_matches_own_work(make_work):
    work = make_work(jpeg(scene(5)), jpeg(resized(scene(5), 0.5)))

    assert images.check_images(work) == []
    assert images.check_images(work) == []
    assert ImageHash.objects.filter(work=work).count() == 2


def test_check_images_matches_every_other_campaign(make_work):
    original = make_work(jpeg(scene(6)))
    images.check_images(original)
    other_campaign = CampaignFactory()
    other_category = WorkCategory.objects.create(
        campaign=other_campaign, key="photo", name="摄影", file_kinds=["image"]
    )
    copy = Work.objects.create(
        campaign=other_campaign, category=other_category, unit=original.unit, title="另一活动的作品"
    )
    add_file(copy, jpeg(resized(scene(6), 0.25)))

    assert [m.other_id for m in images.check_images(copy)] == [original.pk]


def test_check_images_skips_files_that_are_not_images(make_work):
    broken = jpeg(scene(7))[:2000]
    work = make_work(b"not a picture at all", name="note.txt")
    add_file(work, broken, name="broken.jpg")
    add_file(work, b"%PDF-1.4\n", role=FileRole.DOCUMENT, name="text.pdf")
    good = add_file(work, jpeg(scene(7)))

    assert images.check_images(work) == []
    assert list(ImageHash.objects.filter(work=work).values_list("file_id", flat=True)) == [good.pk]


def test_index_file_returns_none_for_a_broken_image(make_work):
    work = make_work(b"GIF89a broken", name="x.gif")

    assert images.index_file(work.files.get()) is None
    assert not ImageHash.objects.filter(work=work).exists()
