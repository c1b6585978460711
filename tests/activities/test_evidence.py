"""Evidence files: checked by content, stored all or nothing, location data kept from
everyone outside the office, outsiders 404 and read-only insiders 403."""

import io
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from PIL import Image

from tests.activities.factories import make_activity
from tests.media import video_bytes
from wenyi.activities import evidence as evidence_files
from wenyi.activities import services
from wenyi.activities.enums import EvidenceKind
from wenyi.activities.models import Evidence
from wenyi.core import uploads
from wenyi.core.models import AuditEntry
from wenyi.core.tasks import process_stored_file

GPS_IFD = 0x8825
ORIENTATION = 0x0112


# --- files to upload ----------------------------------------------------------------


def jpeg_bytes(size=(64, 32), *, gps=True, color="red", orientation=None) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (35.0, 3.0, 0.0), 3: "E", 4: (118.0, 20.0, 0.0)}
    out = io.BytesIO()
    Image.new("RGB", size, color).save(
        out, "JPEG", exif=exif, xmp=b"<x:xmpmeta>exif:GPSLatitude 35,3N</x:xmpmeta>"
    )
    return out.getvalue()


def png_bytes(color="blue") -> bytes:
    exif = Image.Exif()
    exif[GPS_IFD] = {1: "N", 2: (35.0, 3.0, 0.0)}
    out = io.BytesIO()
    Image.new("RGBA", (40, 30), color).save(out, "PNG", exif=exif)
    return out.getvalue()


def pdf_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 280), "white").save(out, "PDF")
    return out.getvalue()


MP4 = video_bytes("mp4")
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(1024)
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(1024) + b"PE\x00\x00"
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(2048)


def upload(name, content, content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def files_on_disk() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def error_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


# --- fixtures -----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are checked in English: they read the same before and after the
    Chinese catalogue has them."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def activity(coordinator_a, county_a, artist):
    from wenyi.orgs.models import Person

    return make_activity(coordinator_a, county_a, participants=[Person.objects.get(user=artist)])


def add_url(activity) -> str:
    return reverse("activities:evidence_add", args=[activity.pk])


def file_url(evidence, variant) -> str:
    return reverse("activities:evidence_file", args=[evidence.activity_id, evidence.pk, variant])


def delete_url(evidence) -> str:
    return reverse("activities:evidence_delete", args=[evidence.activity_id, evidence.pk])


@pytest.fixture
def photo(activity, coordinator_a, login, django_capture_on_commit_callbacks):
    """A photo with GPS data and a sideways EXIF orientation, uploaded through the view."""
    with django_capture_on_commit_callbacks(execute=True):
        response = login(coordinator_a).post(
            add_url(activity),
            {"files": [upload("IMG_0001.JPG", jpeg_bytes(orientation=6))], "caption": "车间演出"},
        )
    assert response.status_code == 302, error_messages(response)
    return Evidence.objects.get()


# --- location data ------------------------------------------------------------------


def test_photo_original_keeps_location_for_office(photo, office, login):
    response = login(office).get(file_url(photo, "original"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    image = Image.open(io.BytesIO(body(response)))
    assert image.getexif().get_ifd(GPS_IFD)[1] == "N"


def test_photo_public_copy_has_no_metadata_and_is_upright(photo, coordinator_a, login):
    response = login(coordinator_a).get(file_url(photo, "public"))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    data = body(response)
    image = Image.open(io.BytesIO(data))
    assert image.getexif().get_ifd(GPS_IFD) == {}
    assert dict(image.getexif()) == {}
    assert "xmp" not in image.info and b"GPSLatitude" not in data
    # the camera's orientation 6 (rotate 90°) is applied: 64×32 becomes 32×64
    assert image.size == (32, 64)


def test_photo_thumbnail_is_made_from_public_copy(photo, coordinator_a, login):
    photo.refresh_from_db()
    assert photo.thumbnail
    response = login(coordinator_a).get(file_url(photo, "thumb"))
    assert response.status_code == 200
    image = Image.open(io.BytesIO(body(response)))
    assert (image.format, image.size) == ("JPEG", (32, 64))
    assert image.getexif().get_ifd(GPS_IFD) == {}


def test_photo_record_and_audit(photo, coordinator_a):
    assert (
        photo.kind,
        photo.original_name,
        photo.content_type,
        photo.caption,
        photo.uploaded_by,
    ) == (EvidenceKind.PHOTO, "IMG_0001.JPG", "image/jpeg", "车间演出", coordinator_a)
    assert photo.size == len(jpeg_bytes(orientation=6))
    # stored under a random name, never the uploader's
    assert "IMG_0001" not in photo.file.name and photo.file.name.endswith(".jpg")
    assert AuditEntry.objects.filter(object_id=str(photo.pk), action="create").exists()


def test_png_public_copy_has_no_location(activity, coordinator_a):
    evidence = evidence_files.store_evidence(
        coordinator_a, activity, upload("a.png", png_bytes(), "image/png")
    )
    with evidence.public_file.open("rb") as fh:
        image = Image.open(io.BytesIO(fh.read()))
    assert (image.format, image.getexif().get_ifd(GPS_IFD)) == ("PNG", {})


def test_thumbnail_not_ready_is_404(activity, coordinator_a, login):
    # no on-commit callbacks run here, so the thumbnail task has not run
    login(coordinator_a).post(add_url(activity), {"files": [upload("a.jpg", jpeg_bytes())]})
    evidence = Evidence.objects.get()
    assert not evidence.thumbnail
    assert login(coordinator_a).get(file_url(evidence, "thumb")).status_code == 404


def test_thumbnail_task_is_idempotent_and_skips_missing_evidence(photo):
    photo.refresh_from_db()
    name = photo.thumbnail.name
    process_stored_file.enqueue("activities.evidence", photo.pk)
    process_stored_file.enqueue("activities.evidence", photo.pk + 1000)
    photo.refresh_from_db()
    assert photo.thumbnail.name == name
    assert len(files_on_disk()) == 3  # original, public copy, one thumbnail


# --- who may see what ---------------------------------------------------------------


def test_coordinator_asking_for_photo_original_gets_403(photo, coordinator_a, login):
    assert login(coordinator_a).get(file_url(photo, "original")).status_code == 403


@pytest.mark.parametrize("variant", ["original", "public", "thumb"])
def test_other_county_gets_404(photo, coordinator_b, login, variant):
    assert login(coordinator_b).get(file_url(photo, variant)).status_code == 404


def test_other_county_cannot_add_or_delete(photo, activity, coordinator_b, login):
    client = login(coordinator_b)
    response = client.post(add_url(activity), {"files": [upload("b.jpg", jpeg_bytes())]})
    assert response.status_code == 404
    assert client.post(delete_url(photo)).status_code == 404
    assert Evidence.objects.count() == 1


def test_artist_who_did_not_take_part_gets_404(photo, county_a, login):
    from tests.conftest import _user_with_role
    from wenyi.orgs.enums import Role

    stranger = _user_with_role("artist_elsewhere", county_a, Role.ARTIST, "周旁观")
    for variant in ("original", "public", "thumb"):
        assert login(stranger).get(file_url(photo, variant)).status_code == 404


def test_participating_artist_sees_public_copy_only(photo, artist, login):
    client = login(artist)
    assert client.get(file_url(photo, "public")).status_code == 200
    assert client.get(file_url(photo, "original")).status_code == 403
    # read-only: may not add or remove
    assert (
        client.post(add_url(photo.activity), {"links": "https://example.org/v"}).status_code == 403
    )
    assert client.post(delete_url(photo)).status_code == 403


def test_anonymous_is_sent_to_login(photo, anonymous):
    response = anonymous.get(file_url(photo, "public"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_unknown_variant_is_404(photo, office, login):
    url = file_url(photo, "public").replace("/public/", "/exif/")
    assert login(office).get(url).status_code == 404


def test_submitted_activity_takes_no_more_evidence(activity, coordinator_a, login):
    services.submit_activity(coordinator_a, activity)
    response = login(coordinator_a).post(
        add_url(activity), {"files": [upload("a.jpg", jpeg_bytes())]}
    )
    assert response.status_code == 403
    with pytest.raises(ValidationError):
        evidence_files.store_evidence(coordinator_a, activity, upload("a.jpg", jpeg_bytes()))
    assert (Evidence.objects.count(), files_on_disk()) == (0, [])


# --- what is refused ----------------------------------------------------------------


@pytest.mark.parametrize("content", [ELF, PE], ids=["elf", "pe"])
def test_renamed_program_is_refused_and_nothing_stored(activity, coordinator_a, login, content):
    response = login(coordinator_a).post(
        add_url(activity), {"files": [upload("photo.jpg", content)]}
    )
    assert response.status_code == 302
    errors = error_messages(response)
    assert any("photo.jpg" in e and "program" in e for e in errors), errors
    assert (Evidence.objects.count(), files_on_disk()) == (0, [])


def test_empty_file_is_refused(activity, coordinator_a, login):
    response = login(coordinator_a).post(add_url(activity), {"files": [upload("空.jpg", b"")]})
    assert any("空.jpg" in e and "empty" in e for e in error_messages(response))
    assert (Evidence.objects.count(), files_on_disk()) == (0, [])


def test_oversize_file_is_refused_naming_the_limit(activity, coordinator_a, login, settings):
    settings.WENYI_UPLOAD_MAX_MB = 1
    big = jpeg_bytes() + bytes(1_500_000)
    response = login(coordinator_a).post(add_url(activity), {"files": [upload("big.jpg", big)]})
    errors = error_messages(response)
    assert any("big.jpg" in e and "1 MB" in e for e in errors), errors
    assert (Evidence.objects.count(), files_on_disk()) == (0, [])


def test_truncated_jpeg_is_refused(activity, coordinator_a, login):
    data = jpeg_bytes(size=(400, 300))
    response = login(coordinator_a).post(
        add_url(activity), {"files": [upload("cut.jpg", data[: len(data) // 2])]}
    )
    assert any("cut.jpg" in e and "damaged" in e for e in error_messages(response))
    assert (Evidence.objects.count(), files_on_disk()) == (0, [])


@pytest.mark.parametrize("size", [(40, 30), (64, 32)], ids=["warning", "error"])
def test_decompression_bomb_is_refused(monkeypatch, size):
    # Pillow warns above its limit and raises above twice the limit: both are refused
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(ValidationError, match="too many pixels"):
        evidence_files.check_upload(upload("bomb.jpg", jpeg_bytes(size=size)))


def test_heic_that_cannot_be_read_is_refused_suggesting_jpeg(activity, coordinator_a):
    with pytest.raises(ValidationError, match="JPEG") as caught:
        evidence_files.check_upload(upload("IMG_1.HEIC", HEIC, "image/heic"))
    assert "IMG_1.HEIC" in caught.value.messages[0]


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"<html><script>alert(1)</script></html>", "web page"),
        (b"PK\x03\x04" + bytes(100), "ZIP"),
        (b"just some text", "plain text"),
    ],
)
def test_other_content_is_refused_saying_what_it_is(content, what):
    with pytest.raises(ValidationError, match=what):
        evidence_files.check_upload(upload("x.jpg", content))


def test_type_comes_from_content_not_name(activity, coordinator_a):
    # a PDF called .jpg is stored and served as the PDF it is
    evidence = evidence_files.store_evidence(
        coordinator_a, activity, upload("scan.jpg", pdf_bytes(), "image/jpeg")
    )
    assert (evidence.kind, evidence.content_type) == (EvidenceKind.DOCUMENT, "application/pdf")
    assert evidence.file.name.endswith(".pdf")


def test_duplicate_file_is_refused(photo, activity, coordinator_a, login):
    response = login(coordinator_a).post(
        add_url(activity), {"files": [upload("again.jpg", jpeg_bytes(orientation=6))]}
    )
    errors = error_messages(response)
    assert any("again.jpg" in e and "IMG_0001.JPG" in e for e in errors), errors
    assert Evidence.objects.count() == 1
    assert len(files_on_disk()) == 3


# --- all or nothing -----------------------------------------------------------------


def test_batch_with_one_bad_file_stores_nothing(activity, coordinator_a, login):
    response = login(coordinator_a).post(
        add_url(activity),
        {
            "files": [
                upload("good1.jpg", jpeg_bytes(color="red")),
                upload("good2.jpg", jpeg_bytes(color="green")),
                upload("bad.jpg", ELF),
            ],
            "links": "https://example.org/video",
        },
    )
    errors = error_messages(response)
    assert any("bad.jpg" in e for e in errors) and not any("good" in e for e in errors)
    assert (Evidence.objects.count(), files_on_disk()) == (0, [])


def test_batch_failing_while_storing_leaves_nothing(
    activity, coordinator_a, login, django_capture_on_commit_callbacks
):
    # the same photo twice passes the checks and fails only when the second is stored
    with django_capture_on_commit_callbacks(execute=True):
        response = login(coordinator_a).post(
            add_url(activity),
            {
                "files": [
                    upload("a.jpg", jpeg_bytes()),
                    upload("b.png", png_bytes(), "image/png"),
                    upload("a-copy.jpg", jpeg_bytes()),
                ]
            },
        )
    assert any("a-copy.jpg" in e for e in error_messages(response))
    assert (Evidence.objects.count(), files_on_disk()) == (0, [])


def test_large_uploads_in_temporary_files_leave_nothing_on_failure(
    activity, coordinator_a, login, settings
):
    # every upload goes through a temporary file, which storage moves instead of copying
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    client = login(coordinator_a)
    response = client.post(
        add_url(activity),
        {"files": [upload("a.jpg", jpeg_bytes()), upload("a-again.jpg", jpeg_bytes())]},
    )
    assert any("a-again.jpg" in e for e in error_messages(response))
    assert (Evidence.objects.count(), files_on_disk()) == (0, [])
    response = login(coordinator_a).post(
        add_url(activity), {"files": [upload("a.jpg", jpeg_bytes())]}
    )
    assert error_messages(response) == []
    evidence = Evidence.objects.get()
    with evidence.file.open("rb") as fh:
        assert fh.read() == jpeg_bytes()


def test_files_written_removes_files_when_the_block_fails(activity, coordinator_a):
    with pytest.raises(RuntimeError), transaction.atomic(), uploads.files_written():
        evidence_files.store_evidence(coordinator_a, activity, upload("a.jpg", jpeg_bytes()))
        evidence_files.store_evidence(
            coordinator_a, activity, upload("b.pdf", pdf_bytes(), "application/pdf")
        )
        assert len(files_on_disk()) == 3
        raise RuntimeError("the third file failed")
    assert (Evidence.objects.count(), files_on_disk()) == (0, [])


def test_files_written_keeps_files_when_the_block_succeeds(activity, coordinator_a):
    with transaction.atomic(), uploads.files_written():
        with uploads.files_written():
            evidence_files.store_evidence(coordinator_a, activity, upload("a.jpg", jpeg_bytes()))
    assert (Evidence.objects.count(), len(files_on_disk())) == (1, 2)


def test_batch_success_reports_the_count(activity, coordinator_a, login):
    response = login(coordinator_a).post(
        add_url(activity),
        {
            "files": [upload("a.jpg", jpeg_bytes()), upload("v.mp4", MP4, "video/mp4")],
            "links": "https://example.org/v1\n\nhttps://example.org/v2\n",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(
        reverse("activities:detail", args=[activity.pk]) + "#evidence"
    )
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]
    assert "4" in [str(m) for m in get_messages(response.wsgi_request)][0]
    assert Evidence.objects.count() == 4


def test_nothing_chosen_is_an_error(activity, coordinator_a, login):
    response = login(coordinator_a).post(add_url(activity), {"links": "  \n"})
    assert len(error_messages(response)) == 1
    assert Evidence.objects.count() == 0


# --- PDFs, videos and links ---------------------------------------------------------


def test_pdf_is_accepted_and_served_inline(
    activity, coordinator_a, artist, login, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        login(coordinator_a).post(
            add_url(activity), {"files": [upload("总结.pdf", pdf_bytes(), "application/pdf")]}
        )
    evidence = Evidence.objects.get()
    assert (evidence.kind, evidence.public_file.name) == (EvidenceKind.DOCUMENT, "")
    response = login(artist).get(file_url(evidence, "original"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert body(response).startswith(b"%PDF-")
    evidence.refresh_from_db()
    assert bool(evidence.thumbnail) == (shutil.which("pdftoppm") is not None)


def test_video_is_stored_as_uploaded_and_served_in_ranges(activity, coordinator_a, office, login):
    evidence = evidence_files.store_evidence(
        coordinator_a, activity, upload("clip.mp4", MP4, "video/mp4")
    )
    assert (evidence.kind, evidence.content_type) == (EvidenceKind.VIDEO, "video/mp4")
    client = login(office)
    full = client.get(file_url(evidence, "original"))
    assert (full.status_code, full["Accept-Ranges"], body(full)) == (200, "bytes", MP4)
    part = client.get(file_url(evidence, "original"), HTTP_RANGE="bytes=4-11")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 4-11/{len(MP4)}"
    assert body(part) == MP4[4:12]
    tail = client.get(file_url(evidence, "original"), HTTP_RANGE="bytes=-4")
    assert body(tail) == MP4[-4:]
    beyond = client.get(file_url(evidence, "original"), HTTP_RANGE=f"bytes={len(MP4)}-")
    assert beyond.status_code == 416


def test_download_parameter_makes_an_attachment(photo, office, login):
    response = login(office).get(file_url(photo, "original") + "?download=1")
    assert response["Content-Disposition"].startswith("attachment")
    assert "IMG_0001.JPG" in response["Content-Disposition"]


def test_link_is_accepted(activity, coordinator_a, login):
    response = login(coordinator_a).post(
        add_url(activity), {"links": "https://v.example.org/watch?v=1", "caption": "演出视频"}
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.kind, evidence.url, evidence.caption) == (
        EvidenceKind.LINK,
        "https://v.example.org/watch?v=1",
        "演出视频",
    )
    # a link has no file to serve
    assert login(coordinator_a).get(file_url(evidence, "public")).status_code == 404


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://example.org/a.mp4", "data:text/html,hi", "not a link"]
)
def test_link_that_is_not_a_web_address_is_refused(activity, coordinator_a, login, url):
    response = login(coordinator_a).post(add_url(activity), {"links": url})
    errors = error_messages(response)
    assert any(url[:20] in e and "http" in e for e in errors), errors
    assert Evidence.objects.count() == 0


def test_same_link_twice_is_refused(activity, coordinator_a):
    evidence_files.add_link(coordinator_a, activity, "https://example.org/v")
    with pytest.raises(ValidationError, match="already"):
        evidence_files.add_link(coordinator_a, activity, "https://example.org/v")


def test_caption_too_long_names_the_field(activity, coordinator_a, login):
    response = login(coordinator_a).post(
        add_url(activity), {"links": "https://example.org/v", "caption": "长" * 201}
    )
    assert any("Caption" in e or "说明" in e for e in error_messages(response))
    assert Evidence.objects.count() == 0


# --- removing -----------------------------------------------------------------------


def test_delete_removes_row_and_files_after_commit(
    photo, coordinator_a, login, django_capture_on_commit_callbacks
):
    assert len(files_on_disk()) == 3
    client = login(coordinator_a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(delete_url(photo))
    assert response.status_code == 302
    assert Evidence.objects.count() == 0
    assert len(files_on_disk()) == 3  # not before the commit
    for callback in callbacks:
        callback()
    assert files_on_disk() == []
    assert AuditEntry.objects.filter(object_id=str(photo.pk), action="delete").exists()


def test_delete_needs_post(photo, coordinator_a, login):
    assert login(coordinator_a).get(delete_url(photo)).status_code == 405


# --- the page -----------------------------------------------------------------------


def test_detail_page_shows_evidence_and_original_link_only_to_office(
    photo, activity, office, coordinator_a, login
):
    photo.refresh_from_db()
    page = login(office).get(reverse("activities:detail", args=[activity.pk]))
    html = page.content.decode()
    assert file_url(photo, "thumb") in html
    assert file_url(photo, "original") in html
    page = login(coordinator_a).get(reverse("activities:detail", args=[activity.pk]))
    html = page.content.decode()
    assert file_url(photo, "thumb") in html
    assert file_url(photo, "original") not in html
    assert 'capture="environment"' in html and add_url(activity) in html
    assert delete_url(photo) in html


def test_pages_go_gzipped_and_files_as_they_are(activity, coordinator_a, office, login):
    """A page is compressed for a browser that accepts it; a video, whole or a range of
    it, is sent as stored (issue 10: light on a phone)."""
    import gzip

    evidence = evidence_files.store_evidence(
        coordinator_a, activity, upload("clip.mp4", MP4, "video/mp4")
    )
    client = login(office)
    accepts = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
    page = client.get(f"/activities/{activity.pk}/", **accepts)
    assert page["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in page["Vary"]
    assert "<html" in gzip.decompress(page.content).decode()
    whole = client.get(file_url(evidence, "original"), **accepts)
    part = client.get(file_url(evidence, "original"), HTTP_RANGE="bytes=4-11", **accepts)
    assert not whole.has_header("Content-Encoding") and body(whole) == MP4
    assert not part.has_header("Content-Encoding") and body(part) == MP4[4:12]
    # a browser that does not accept gzip gets the page plain
    assert "<html" in client.get(f"/activities/{activity.pk}/").content.decode()
