"""A possible copy across unit trees (issue 11): originality compares every campaign, but
an office sees a work outside its own tree only as far as judging the pair needs.

    tree A: 临沂市 (the fixed cast; the 2014 campaign)   tree B: 济南市 (jinan-2016)
      ├── 兰山区  coordinator_a, artist                    └── 历下区
      └── 罗庄区  coordinator_b, 孙原作 (author)

The 2016 office checks its work against a 2014 one: it reads the matching passages with
a little text around them, or sees the picture through the pair's own address, and the
art form and campaign — never the title, authors, unit, mobile or the whole text.
"""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import OrgUnitFactory, PersonFactory, UserFactory, membership
from wenyi.campaigns.loader import load_campaign_file
from wenyi.campaigns.models import Campaign
from wenyi.orgs.enums import Role, UnitKind
from wenyi.orgs.models import OrgUnit
from wenyi.works import images, originality, services
from wenyi.works.enums import MatchKind, MatchStatus, WorkStatus
from wenyi.works.files import store_work_file
from wenyi.works.models import Match, Work

JINAN = Path(settings.BASE_DIR).parent / "docs" / "examples" / "jinan-2016.toml"

HEAD = "清晨的薄雾笼罩着远山的轮廓，老槐树下的石桌旁坐满了等待出工的乡亲们。"
STANZA = (
    "机器醒来的时候我们也醒来，钢花在炉口开放像春天提前到达，"
    "师傅的手掌粗糙却能听见齿轮的心跳，我们把汗水拧成一根线缝补着城市的黎明。"
)
TAIL = "夜深了，河对岸的灯火一盏一盏熄灭，只剩下码头上那盏孤零零的马灯还在摇晃。"
ORIGINAL = f"{HEAD}\n{STANZA}\n{TAIL}"
COPY = f"{STANZA}\n新的一天开始了。"

AUTHOR, AUTHOR_MOBILE = "孙原作", "13700001111"
TITLE = "炉火映红的早晨"
ARTIST_TAG = "SunYuanzuo-camera"


def _picture(name: str) -> SimpleUploadedFile:
    """A patterned JPEG whose EXIF names the photographer."""
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (400, 300), (90, 120, 160))
    draw = ImageDraw.Draw(picture)
    for i in range(8):
        draw.rectangle((i * 45, i * 30, i * 45 + 80, i * 30 + 60), fill=(30 * i, 255 - 25 * i, 90))
    exif = Image.Exif()
    exif[0x013B] = ARTIST_TAG  # Artist
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _work(campaign, unit, author, key, title, text="", picture=None) -> Work:
    """A submitted work (with a picture, when named)."""
    work = services.create_work(
        None,
        campaign=campaign,
        category=campaign.work_categories.get(key=key),
        unit=unit,
        title=title,
        authors=[author],
        text=text,
    )
    if picture:
        store_work_file(None, work, _picture(picture))
    Work.objects.filter(pk=work.pk).update(status=WorkStatus.SUBMITTED)
    work.refresh_from_db()
    return work


@pytest.fixture
def jinan_city(db):
    city = OrgUnitFactory(code="370100", name="济南市", kind=UnitKind.CITY)
    OrgUnitFactory(parent=city, code="370102", name="历下区", kind=UnitKind.DISTRICT)
    return city


@pytest.fixture
def jinan(jinan_city):
    load_campaign_file(JINAN)
    return Campaign.objects.get(slug="jinan-2016")


@pytest.fixture
def office_b(jinan_city):
    user = UserFactory(username="office_b")
    PersonFactory(user=user, unit=jinan_city, name="济南办公室")
    membership(user, jinan_city, Role.OFFICE)
    return user


@pytest.fixture
def district_b(jinan_city):
    return OrgUnit.objects.get(code="370102")


@pytest.fixture
def author_a(county_b):
    return PersonFactory(name=AUTHOR, unit=county_b, mobile=AUTHOR_MOBILE)


@pytest.fixture
def poem_a(linyi, county_b, author_a):
    work = _work(linyi, county_b, author_a, "shici", TITLE, ORIGINAL)
    originality.check_text(work)
    return work


@pytest.fixture
def poem_b(jinan, district_b, poem_a):
    work = _work(jinan, district_b, PersonFactory(unit=district_b), "xinshi", "济南的早晨", COPY)
    originality.check_text(work)
    return work


@pytest.fixture
def text_match(poem_a, poem_b) -> Match:
    return Match.objects.get(work=poem_b, other=poem_a, kind=MatchKind.TEXT)


@pytest.fixture
def photo_a(linyi, county_b, author_a):
    work = _work(linyi, county_b, author_a, "sheying", TITLE, picture=f"{AUTHOR}的照片.jpg")
    images.check_images(work)
    return work


@pytest.fixture
def photo_b(jinan, district_b, photo_a):
    work = _work(
        jinan,
        district_b,
        PersonFactory(unit=district_b),
        "sheying",
        "泉城晨光",
        picture="quancheng.jpg",
    )
    images.check_images(work)
    return work


@pytest.fixture
def image_match(photo_a, photo_b) -> Match:
    return Match.objects.get(work=photo_b, other=photo_a, kind=MatchKind.IMAGE)


def _picture_url(work, match, variant="public") -> str:
    return reverse("works:match_picture", args=[work.pk, match.pk, variant])


def _nothing_of_the_work(body: str, work: Work) -> None:
    """Not the title, author, unit or mobile of `work`, nor its whole text."""
    assert TITLE not in body
    assert AUTHOR not in body
    assert AUTHOR_MOBILE not in body
    assert work.unit.name not in body
    assert HEAD[:15] not in body and TAIL[-15:] not in body
    assert ORIGINAL not in body


# --- the office of the other tree ------------------------------------------------------


def test_outside_text_match_shows_passages_only(login, office_b, text_match, poem_a, linyi):
    response = login(office_b).get(reverse("works:match", args=[text_match.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    _nothing_of_the_work(body, poem_a)
    excerpts = [s for s in response.context["sides"] if not s["full"]]
    assert [s["work"].pk for s in excerpts] == [poem_a.pk]
    # the matching passage, marked, with a bounded context either side
    shown = "".join(chunk for e in excerpts[0]["excerpts"] for chunk, _ in e.segments)
    assert STANZA[:30] in shown
    assert len(shown) <= len(STANZA) + 1 + 2 * originality.EXCERPT_CONTEXT
    assert f"<mark>{STANZA[:20]}" in body
    # what it is: its art form, its campaign and year
    assert poem_a.category.name in body
    assert linyi.title in body and "2014" in body


def test_outside_image_match_shows_the_picture_through_the_pair(
    login, office_b, image_match, photo_a, photo_b
):
    client = login(office_b)
    body = client.get(reverse("works:match", args=[image_match.pk])).content.decode()
    _nothing_of_the_work(body, photo_a)
    url = _picture_url(photo_b, image_match)
    assert f'src="{url}"' in body
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xff\xd8")
    # the copy without metadata, under a name that says nothing of the upload
    assert ARTIST_TAG.encode() not in content
    assert AUTHOR not in response.get("Content-Disposition", "")
    assert "照片" not in response.get("Content-Disposition", "")
    # its own file address stays closed to this office
    picture = photo_a.files.get()
    with picture.file.open("rb") as original:
        assert ARTIST_TAG.encode() in original.read()
    assert (
        client.get(reverse("works:file", args=[photo_a.pk, picture.pk, "public"])).status_code
        == 404
    )


def test_match_picture_serves_no_original_and_no_other_variant(
    login, office_b, image_match, photo_b
):
    client = login(office_b)
    for variant in ("original", "files", "thumbnail"):
        assert client.get(_picture_url(photo_b, image_match, variant)).status_code == 404


def test_match_picture_404_for_a_pair_without_the_viewers_work(
    login, office_b, image_match, photo_a, photo_b, jinan, district_b, linyi, county_a, artist
):
    client = login(office_b)
    # another work of the viewer's, not in this pair
    other_own = _work(jinan, district_b, PersonFactory(unit=district_b), "sheying", "另一张")
    assert client.get(_picture_url(other_own, image_match)).status_code == 404
    # the work of the other tree named as one's own
    assert client.get(_picture_url(photo_a, image_match)).status_code == 404
    # a pair of two works of tree A
    copy_a = _work(linyi, county_a, artist.person, "sheying", "兰山晨光", picture="lanshan.jpg")
    images.check_images(copy_a)
    pair_a = Match.objects.get(work=copy_a, other=photo_a)
    assert client.get(_picture_url(photo_b, pair_a)).status_code == 404
    assert client.get(_picture_url(copy_a, pair_a)).status_code == 404
    assert client.get(reverse("works:match", args=[pair_a.pk])).status_code == 404


def test_outside_work_unnamed_in_lists(login, office_b, text_match, poem_a, poem_b, jinan):
    client = login(office_b)
    for url in (
        reverse("works:originality", args=[jinan.slug]),
        reverse("works:detail", args=[poem_b.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert reverse("works:match", args=[text_match.pk]) in body
        _nothing_of_the_work(body, poem_a)


def test_outside_office_decides_its_own_work(login, office_b, text_match):
    response = login(office_b).post(
        reverse("works:match", args=[text_match.pk]),
        {"status": MatchStatus.CLEARED, "reason": "引用已注明出处"},
    )
    assert response.status_code == 302
    text_match.refresh_from_db()
    assert (text_match.status, text_match.decided_by) == (MatchStatus.CLEARED, office_b)


# --- tree A ----------------------------------------------------------------------------


def test_own_work_office_sees_the_other_tree_limited_and_not_its_decision(
    login, office, office_b, text_match, poem_a, poem_b
):
    services.decide_match(office_b, text_match, status=MatchStatus.CLEARED, reason="济南的理由")
    client = login(office)
    response = client.get(reverse("works:match", args=[text_match.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert TITLE in body and AUTHOR in body and ORIGINAL.split("\n")[0] in body
    assert poem_b.title not in body
    assert "济南的理由" not in body and "济南办公室" not in body
    assert [s["full"] for s in response.context["sides"]] == [False, True]
    # the decision is the checked work's office's
    assert response.context["form"] is None
    assert client.post(reverse("works:match", args=[text_match.pk]), {}).status_code == 403


def test_within_tree_office_sees_everything(login, office, linyi, county_a, artist, photo_a):
    copy_a = _work(linyi, county_a, artist.person, "sheying", "兰山晨光", picture="lanshan.jpg")
    images.check_images(copy_a)
    pair = Match.objects.get(work=copy_a, other=photo_a)
    client = login(office)
    response = client.get(reverse("works:match", args=[pair.pk]))
    body = response.content.decode()
    assert [s["full"] for s in response.context["sides"]] == [True, True]
    assert TITLE in body and AUTHOR in body and "罗庄区" in body and "兰山晨光" in body
    picture = photo_a.files.get()
    assert reverse("works:file", args=[photo_a.pk, picture.pk, "public"]) in body
    assert client.get(_picture_url(copy_a, pair)).status_code == 200


def test_within_tree_text_match_shows_whole_texts(login, office, linyi, county_a, artist, poem_a):
    copy_a = _work(linyi, county_a, artist.person, "shici", "兰山的早晨", COPY)
    originality.check_text(copy_a)
    pair = Match.objects.get(work=copy_a, other=poem_a)
    body = login(office).get(reverse("works:match", args=[pair.pk])).content.decode()
    assert HEAD in body and TAIL in body and AUTHOR in body and TITLE in body


def test_other_county_coordinator_gets_404(
    login, coordinator_b, coordinator_a, office, linyi, county_a, artist, photo_a
):
    copy_a = _work(linyi, county_a, artist.person, "sheying", "兰山晨光", picture="lanshan.jpg")
    images.check_images(copy_a)
    pair = Match.objects.get(work=copy_a, other=photo_a)
    client = login(coordinator_b)
    assert client.get(_picture_url(copy_a, pair)).status_code == 404
    assert client.get(reverse("works:detail", args=[copy_a.pk])).status_code == 404
    # the coordinator who sees the work, but not possible copies: read-only, 403
    assert login(coordinator_a).get(_picture_url(copy_a, pair)).status_code == 403
    assert login(coordinator_a).get(reverse("works:match", args=[pair.pk])).status_code == 403


def test_anonymous_is_sent_to_log_in(anonymous, image_match, photo_b):
    response = anonymous.get(_picture_url(photo_b, image_match))
    assert response.status_code == 302


# --- excerpts --------------------------------------------------------------------------


def test_excerpts_bound_the_context_and_join_close_passages():
    text = "甲" * 100 + "乙" * 10 + "丙" * 8 + "丁" * 10 + "戊" * 100
    found = originality.excerpts(text, [(100, 110), (118, 128)], context=5)
    assert len(found) == 1
    assert found[0].segments == [
        ("甲" * 5, False),
        ("乙" * 10, True),
        ("丙" * 8, False),
        ("丁" * 10, True),
        ("戊" * 5, False),
    ]
    assert (found[0].cut_before, found[0].cut_after) == (True, True)
    apart = originality.excerpts(text, [(0, 3), (200, 245)], context=5)
    assert [(e.cut_before, e.cut_after) for e in apart] == [(False, True), (True, False)]
    assert originality.excerpts(text, []) == []
