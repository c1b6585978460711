"""The works pages with the fixed cast: who sees what, entering works with their files,
refused uploads, submitting, the gallery's query count and the office's copy check."""

import io
import uuid
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wenyi.core.models import AuditEntry
from wenyi.orgs.models import Person
from wenyi.works import services, tallies
from wenyi.works.enums import FileRole, MatchKind, MatchStatus, WorkStatus
from wenyi.works.models import Match, Work, WorkFile

POEM = (
    "车间里的灯火彻夜通明，机床的歌声唱响黎明。\n"
    "工友们的汗水浇灌钢铁，每一颗螺丝都闪着光芒。\n"
    "我们用双手托起城市的脊梁，用青春书写劳动的诗行。"
)


def jpeg_bytes(size=(64, 48), color=(200, 30, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def category(campaign, key):
    return campaign.work_categories.get(key=key)


def make_work(campaign, unit, author, *, key="shici", status=WorkStatus.DRAFT, title="诗", **kw):
    work = services.create_work(
        None,
        campaign=campaign,
        category=category(campaign, key),
        unit=unit,
        title=title,
        authors=[author],
        text=kw.pop("text", POEM if key == "shici" else ""),
        **kw,
    )
    if status == WorkStatus.SUBMITTED:
        Work.objects.filter(pk=work.pk).update(status=status)
        work.refresh_from_db()
        tallies.count(work, +1)  # as submit_work would, without its content checks
    return work


@pytest.fixture
def artist_work(linyi, county_a, artist):
    return make_work(linyi, county_a, artist.person, title="车间之歌")


@pytest.fixture
def photo_work(linyi, county_a, artist):
    work = make_work(linyi, county_a, artist.person, key="sheying", title="钢花")
    from wenyi.works.files import store_work_file

    store_work_file(None, work, SimpleUploadedFile("钢花.jpg", jpeg_bytes()))
    return work


def add_url(campaign, key):
    return reverse("works:add", args=[campaign.slug]) + f"?form={key}"


def poem_post(unit, author, **extra):
    data = {
        "token": str(uuid.uuid4()),
        "title": "车间之歌",
        "text": POEM,
        "unit": unit.pk,
        "authors": [author.pk],
        "origin": "field",
        "save": "1",
    }
    data.update(extra)
    return data


# --- who sees what --------------------------------------------------------------------


def test_work_other_county_gets_404(login, coordinator_b, photo_work):
    client = login(coordinator_b)
    image = photo_work.files.get()
    assert client.get(reverse("works:detail", args=[photo_work.pk])).status_code == 404
    assert client.get(reverse("works:edit", args=[photo_work.pk])).status_code == 404
    url = reverse("works:file", args=[photo_work.pk, image.pk, "public"])
    assert client.get(url).status_code == 404
    submit = reverse("works:action", args=[photo_work.pk, "submit"])
    assert client.post(submit).status_code == 404


def test_work_artist_sees_only_own(login, linyi, county_a, artist, coordinator_a, artist_work):
    other = make_work(linyi, county_a, coordinator_a.person, title="别人的诗")
    client = login(artist)
    assert client.get(reverse("works:detail", args=[artist_work.pk])).status_code == 200
    assert client.get(reverse("works:detail", args=[other.pk])).status_code == 404
    page = client.get(reverse("works:list", args=[linyi.slug]))
    assert [w.pk for w in page.context["page"]] == [artist_work.pk]


def test_work_artist_cannot_submit(login, artist, artist_work):
    response = login(artist).post(reverse("works:action", args=[artist_work.pk, "submit"]))
    assert response.status_code == 403
    artist_work.refresh_from_db()
    assert artist_work.status == WorkStatus.DRAFT


def test_work_artist_creates_draft_handed_to_unit(login, linyi, county_a, artist):
    client = login(artist)
    form = client.get(add_url(linyi, "shici"))
    assert form.status_code == 200
    assert form.context["form"].initial["unit"] == county_a
    response = client.post(add_url(linyi, "shici"), poem_post(county_a, artist.person))
    work = Work.objects.get()
    assert response.status_code == 302
    assert work.status == WorkStatus.DRAFT
    assert work.created_by == artist
    assert list(work.authors.all()) == [artist.person]


def test_work_artist_cannot_enter_for_another_unit(login, linyi, county_b, artist):
    response = login(artist).post(add_url(linyi, "shici"), poem_post(county_b, artist.person))
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert Work.objects.count() == 0


def test_work_coordinator_submits(
    login, coordinator_a, artist_work, django_capture_on_commit_callbacks
):
    client = login(coordinator_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("works:action", args=[artist_work.pk, "submit"]))
    assert response.status_code == 302
    artist_work.refresh_from_db()
    assert artist_work.status == WorkStatus.SUBMITTED
    assert artist_work.originality_checked_at is not None  # the task ran (inline in tests)


def test_work_coordinator_withdraws(login, coordinator_a, linyi, county_a, artist):
    work = make_work(linyi, county_a, artist.person, status=WorkStatus.SUBMITTED)
    login(coordinator_a).post(reverse("works:action", args=[work.pk, "withdraw"]))
    work.refresh_from_db()
    assert work.status == WorkStatus.WITHDRAWN


def test_work_original_image_only_for_office(login, office, coordinator_a, artist, photo_work):
    image = photo_work.files.get()
    original = reverse("works:file", args=[photo_work.pk, image.pk, "original"])
    public = reverse("works:file", args=[photo_work.pk, image.pk, "public"])
    assert login(artist).get(original).status_code == 403
    assert login(coordinator_a).get(original).status_code == 403
    assert login(artist).get(public).status_code == 200
    assert login(office).get(original).status_code == 200


def test_work_office_sees_all(login, office, linyi, county_a, county_b, artist, coordinator_b):
    mine = make_work(linyi, county_a, artist.person, title="甲")
    theirs = make_work(linyi, county_b, coordinator_b.person, title="乙")
    client = login(office)
    page = client.get(reverse("works:list", args=[linyi.slug]))
    assert {w.pk for w in page.context["page"]} == {mine.pk, theirs.pk}
    assert client.get(reverse("works:detail", args=[theirs.pk])).status_code == 200


def test_work_list_anonymous_redirects(anonymous, linyi):
    response = anonymous.get(reverse("works:list", args=[linyi.slug]))
    assert response.status_code == 302


def test_work_expert_gets_403_on_list(login, expert, linyi):
    assert login(expert).get(reverse("works:list", args=[linyi.slug])).status_code == 403


def test_work_consent_recorded(login, coordinator_a, artist_work):
    login(coordinator_a).post(
        reverse("works:action", args=[artist_work.pk, "consent"]),
        {"portal": "on", "anthology": "on", "name": "赵文艺"},
    )
    artist_work.refresh_from_db()
    assert (artist_work.consent_portal, artist_work.consent_anthology) == (True, True)
    assert artist_work.consent_name == "赵文艺"
    assert artist_work.consent_by == coordinator_a
    assert artist_work.consent_at is not None


# --- entering works -------------------------------------------------------------------


def test_work_add_pick_shows_leaf_forms(login, coordinator_a, linyi):
    response = login(coordinator_a).get(reverse("works:add", args=[linyi.slug]))
    keys = {c.key for c in response.context["categories"]}
    assert "shici" in keys and "sheying" in keys
    assert "wenxue" not in keys  # a group, not an art form


def test_work_add_shows_only_fields_of_the_form(login, coordinator_a, linyi):
    client = login(coordinator_a)
    poem = client.get(add_url(linyi, "shici")).context["form"]
    photo = client.get(add_url(linyi, "sheying")).context["form"]
    film = client.get(add_url(linyi, "weiyingxiang")).context["form"]
    assert "text" in poem.fields and "video_url" not in poem.fields
    assert "text" not in photo.fields and "duration" not in photo.fields
    assert "video_url" in film.fields and "duration" in film.fields


def test_work_add_double_click_creates_one(login, coordinator_a, linyi, county_a, artist):
    client = login(coordinator_a)
    data = poem_post(county_a, artist.person)
    first = client.post(add_url(linyi, "shici"), data)
    second = client.post(add_url(linyi, "shici"), data)
    assert Work.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_work_add_with_photo_and_new_author(
    login, coordinator_a, linyi, county_a, django_capture_on_commit_callbacks
):
    client = login(coordinator_a)
    data = {
        "token": str(uuid.uuid4()),
        "title": "钢花",
        "unit": county_a.pk,
        "new_authors": "张师傅",
        "origin": "collected",
        "submit_now": "1",
        "files": SimpleUploadedFile("IMG_0001.jpg", jpeg_bytes(), content_type="image/jpeg"),
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(add_url(linyi, "sheying"), data)
    assert response.status_code == 302
    work = Work.objects.get()
    assert work.status == WorkStatus.SUBMITTED
    author = work.authors.get()
    assert (author.name, author.user, author.unit) == ("张师傅", None, county_a)
    image = work.files.get()
    assert image.role == FileRole.IMAGE
    assert image.public_file and image.thumbnail  # the thumbnail task ran inline


def test_work_text_length_limits_from_campaign_file(login, coordinator_a, linyi, county_a):
    client = login(coordinator_a)
    short = client.post(
        add_url(linyi, "shici"), poem_post(county_a, coordinator_a.person, text="短诗一首")
    )
    too_long = client.post(
        add_url(linyi, "shici"), poem_post(county_a, coordinator_a.person, text="诗" * 3001)
    )
    assert "20" in " ".join(short.context["form"].errors["text"])
    assert "3000" in " ".join(too_long.context["form"].errors["text"])
    assert Work.objects.count() == 0


def test_work_edit_only_drafts(login, coordinator_a, linyi, county_a, artist):
    work = make_work(linyi, county_a, artist.person, status=WorkStatus.SUBMITTED)
    assert login(coordinator_a).get(reverse("works:edit", args=[work.pk])).status_code == 403


def test_work_edit_saves(login, artist, artist_work, county_a):
    client = login(artist)
    data = poem_post(county_a, artist.person, title="车间之歌（修改）", version=artist_work.version)
    response = client.post(reverse("works:edit", args=[artist_work.pk]), data)
    assert response.status_code == 302
    artist_work.refresh_from_db()
    assert artist_work.title == "车间之歌（修改）"


# --- bad uploads ----------------------------------------------------------------------


def _upload_refused(client, campaign, key, unit, author, upload, settings):
    data = {
        "token": str(uuid.uuid4()),
        "title": "作品",
        "unit": unit.pk,
        "authors": [author.pk],
        "origin": "field",
        "files": upload,
    }
    response = client.post(add_url(campaign, key), data)
    assert response.status_code == 200
    assert Work.objects.count() == 0
    assert WorkFile.objects.count() == 0
    assert media_files(settings) == []
    return " ".join(response.context["form"].non_field_errors())


def test_work_upload_renamed_executable_refused(login, coordinator_a, linyi, county_a, settings):
    upload = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\x00" * 200)
    message = _upload_refused(
        login(coordinator_a), linyi, "sheying", county_a, coordinator_a.person, upload, settings
    )
    assert "photo.jpg" in message
    assert "Windows" in message


def test_work_upload_empty_refused(login, coordinator_a, linyi, county_a, settings):
    upload = SimpleUploadedFile("空.jpg", b"")
    message = _upload_refused(
        login(coordinator_a), linyi, "sheying", county_a, coordinator_a.person, upload, settings
    )
    assert "空.jpg" in message


def test_work_upload_oversize_refused(login, coordinator_a, linyi, county_a, settings):
    cat = category(linyi, "sheying")
    cat.max_file_mb = 1
    cat.save(update_fields=["max_file_mb"])
    upload = SimpleUploadedFile("big.jpg", jpeg_bytes() + b"\x00" * (1024 * 1024))
    message = _upload_refused(
        login(coordinator_a), linyi, "sheying", county_a, coordinator_a.person, upload, settings
    )
    assert "big.jpg" in message and "1 MB" in message


def test_work_upload_default_limit_from_settings(linyi, settings):
    from wenyi.works.files import max_file_mb

    cat = category(linyi, "sheying")
    cat.max_file_mb = None
    settings.WENYI_UPLOAD_MAX_MB = 1
    assert max_file_mb(cat) == 1


def test_work_upload_truncated_jpeg_refused(login, coordinator_a, linyi, county_a, settings):
    data = jpeg_bytes((400, 300))
    upload = SimpleUploadedFile("断.jpg", data[: len(data) // 2])
    message = _upload_refused(
        login(coordinator_a), linyi, "sheying", county_a, coordinator_a.person, upload, settings
    )
    assert "断.jpg" in message


def test_work_upload_wrong_kind_for_form_refused(login, coordinator_a, linyi, county_a, settings):
    upload = SimpleUploadedFile("score.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\n")
    message = _upload_refused(
        login(coordinator_a), linyi, "sheying", county_a, coordinator_a.person, upload, settings
    )
    assert "score.pdf" in message


def test_work_upload_one_bad_file_leaves_nothing(login, coordinator_a, linyi, county_a, settings):
    """A good photo and a bad one: neither is kept, no work is created."""
    client = login(coordinator_a)
    data = {
        "token": str(uuid.uuid4()),
        "title": "作品",
        "unit": county_a.pk,
        "authors": [coordinator_a.person.pk],
        "origin": "field",
        "files": [
            SimpleUploadedFile("good.jpg", jpeg_bytes()),
            SimpleUploadedFile("bad.jpg", b"MZ" + b"\x00" * 100),
        ],
    }
    client.post(add_url(linyi, "sheying"), data)
    assert Work.objects.count() == 0
    assert media_files(settings) == []


# --- file kinds (files.check_work_file) -----------------------------------------------


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<?xml version='1.0'?><Types/>")
        archive.writestr("word/document.xml", "<?xml version='1.0' encoding='UTF-8'?><w:document/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("key", "name", "content", "role", "ext"),
    [
        ("gequ", "song.mp3", b"ID3\x03\x00" + b"\x00" * 100, FileRole.AUDIO, "mp3"),
        ("gequ", "song.flac", b"fLaC" + b"\x00" * 100, FileRole.AUDIO, "flac"),
        ("gequ", "song.wav", b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 60, FileRole.AUDIO, "wav"),
        ("gequ", "song.ogg", b"OggS\x00\x02" + b"\x00" * 60, FileRole.AUDIO, "ogg"),
        (
            "gequ",
            "song.m4a",
            b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00M4A isom" + b"\x00" * 40,
            FileRole.AUDIO,
            "m4a",
        ),
        ("gequ", "score.pdf", b"%PDF-1.4\n" + b"\x00" * 40, FileRole.SCORE, "pdf"),
        ("shici", "诗.docx", _docx(), FileRole.DOCUMENT, "docx"),
        (
            "shici",
            "诗.doc",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            + b"\x00" * 500
            + "WordDocument".encode("utf-16-le"),
            FileRole.DOCUMENT,
            "doc",
        ),
    ],
)
def test_work_file_kinds_by_content(linyi, key, name, content, role, ext):
    from wenyi.works.files import check_work_file

    found = check_work_file(category(linyi, key), SimpleUploadedFile(name, content))
    assert (found[0], found[2]) == (role, ext)


@pytest.mark.parametrize(
    ("key", "name", "content"),
    [
        ("shici", "诗.docx", b"PK\x03\x04" + b"\x00" * 100),  # a ZIP that is no Word file
        ("shici", "诗.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500),  # Excel
        ("shici", "song.mp3", b"ID3\x03\x00" + b"\x00" * 100),  # poems take no sound
        ("sheying", "x.html", b"<html><body>hi</body></html>"),
    ],
)
def test_work_file_kinds_refused(linyi, key, name, content):
    from django.core.exceptions import ValidationError

    from wenyi.works.files import check_work_file

    with pytest.raises(ValidationError) as exc:
        check_work_file(category(linyi, key), SimpleUploadedFile(name, content))
    assert name in exc.value.messages[0]


def test_work_photo_keeps_exif_original_and_strips_public(linyi, county_a, artist):
    from PIL import Image

    from wenyi.works.files import store_work_file

    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (35.0, 6.0, 0.0)}  # GPS
    out = io.BytesIO()
    Image.new("RGB", (80, 60), (10, 120, 10)).save(out, "JPEG", exif=exif)
    work = make_work(linyi, county_a, artist.person, key="sheying")
    stored = store_work_file(None, work, SimpleUploadedFile("gps.jpg", out.getvalue()))
    with stored.file.open("rb") as fh, Image.open(fh) as original:
        assert original.getexif().get(0x010F) == "PhoneMaker"
    with stored.public_file.open("rb") as fh, Image.open(fh) as public:
        assert not public.getexif()
    assert AuditEntry.objects.filter(object_repr="gps.jpg").exists()


def test_work_remove_file_deletes_stored(photo_work, settings, django_capture_on_commit_callbacks):
    from wenyi.works.files import remove_work_file

    with django_capture_on_commit_callbacks(execute=True):
        remove_work_file(None, photo_work.files.get())
    assert WorkFile.objects.count() == 0
    assert media_files(settings) == []


# --- the gallery ----------------------------------------------------------------------


def _gallery_queries(client, campaign) -> int:
    url = reverse("works:list", args=[campaign.slug])
    client.get(url)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_work_gallery_query_count_does_not_grow(login, office, linyi, county_a, artist):
    client = login(office)
    make_work(linyi, county_a, artist.person, title="一")
    one = _gallery_queries(client, linyi)
    for title in ("二", "三"):
        work = make_work(linyi, county_a, artist.person, key="sheying", title=title)
        from wenyi.works.files import store_work_file

        store_work_file(None, work, SimpleUploadedFile(f"{title}.jpg", jpeg_bytes()))
    three = _gallery_queries(client, linyi)
    assert three == one


def test_work_gallery_filters(login, office, linyi, county_a, county_b, artist, coordinator_b):
    poem = make_work(linyi, county_a, artist.person, title="诗")
    photo = make_work(linyi, county_b, coordinator_b.person, key="sheying", title="照片")
    client = login(office)
    url = reverse("works:list", args=[linyi.slug])

    def found(**params):
        return {w.pk for w in client.get(url, params).context["page"]}

    assert found(form="wenxue") == {poem.pk}
    assert found(form="sheying") == {photo.pk}
    assert found(unit=county_b.code) == {photo.pk}
    assert found(q="赵文艺") == {poem.pk}
    assert found(origin="collected") == set()
    assert found(status="draft") == {poem.pk, photo.pk}


# --- possible copies ------------------------------------------------------------------


@pytest.fixture
def match(linyi, county_a, county_b, artist, coordinator_b):
    earlier = make_work(
        linyi, county_b, coordinator_b.person, title="原作", status=WorkStatus.SUBMITTED
    )
    later = make_work(linyi, county_a, artist.person, title="车间之歌", status=WorkStatus.SUBMITTED)
    return Match.objects.create(
        work=later,
        other=earlier,
        kind=MatchKind.TEXT,
        jaccard=0.82,
        containment=0.9,
        containment_other=0.88,
        passages=[[0, 10, 0, 10]],
    )


def test_originality_pages_only_for_office(login, office, coordinator_a, artist, linyi, match):
    urls = [
        reverse("works:originality", args=[linyi.slug]),
        reverse("works:match", args=[match.pk]),
    ]
    for user in (coordinator_a, artist):
        client = login(user)
        assert [client.get(u).status_code for u in urls] == [403, 403]
    client = login(office)
    assert [client.get(u).status_code for u in urls] == [200, 200]


def test_originality_match_page_marks_passages(login, office, match):
    response = login(office).get(reverse("works:match", args=[match.pk]))
    body = response.content.decode()
    assert f"<mark>{POEM[:10]}</mark>" in body
    assert "82%" in body and "90%" in body and "88%" in body


def test_originality_gallery_badge(login, office, linyi, match):
    response = login(office).get(reverse("works:list", args=[linyi.slug]))
    flagged = [w for w in response.context["page"] if w.pk == match.work_id]
    assert flagged[0].open_copies == 1


def test_originality_decide_records_reason_and_audit(login, office, match):
    response = login(office).post(
        reverse("works:match", args=[match.pk]),
        {"status": MatchStatus.CLEARED, "reason": "同一作者的修改稿"},
    )
    assert response.status_code == 302
    match.refresh_from_db()
    assert (match.status, match.reason, match.decided_by) == (
        MatchStatus.CLEARED,
        "同一作者的修改稿",
        office,
    )
    entry = AuditEntry.objects.filter(object_id=str(match.pk), note="同一作者的修改稿").get()
    assert entry.actor == office


def test_originality_decide_needs_reason(login, office, match):
    login(office).post(reverse("works:match", args=[match.pk]), {"status": "disqualified"})
    match.refresh_from_db()
    assert match.status == MatchStatus.OPEN


def test_new_author_is_a_person_without_login(login, coordinator_a, linyi, county_a):
    login(coordinator_a).post(
        add_url(linyi, "shici"),
        poem_post(county_a, coordinator_a.person, authors=[], new_authors="钱工人，孙师傅"),
    )
    work = Work.objects.get()
    assert sorted(p.name for p in work.authors.all()) == ["孙师傅", "钱工人"]
    assert Person.objects.filter(name="钱工人", user=None, unit=county_a).exists()
