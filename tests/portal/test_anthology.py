"""The anthology's services (wenyi.portal.anthology): who may go in (consent, submitted,
not disqualified) with every refused work named, no duplicates, one transaction per
addition, the automatic and the hand order, the versions of the book and the audit, the
cover through core.uploads.

The data: works entered through the works services and submitted, consent recorded
for most; final results written with the ORM as the awards services leave them; the
scores as the review's frozen round results. Other modules of tests/portal import
`shelf` and `book`.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.portal.conftest import gps_jpeg
from wenyi.awards.enums import ResultsStatus
from wenyi.awards.models import Award, Results
from wenyi.core import audit
from wenyi.core.enums import AuditAction
from wenyi.core.versioning import EditConflict
from wenyi.portal import anthology
from wenyi.portal.models import Anthology, AnthologyCover, AnthologyItem
from wenyi.review.models import Entry, Round, RoundResult
from wenyi.works import files as work_files
from wenyi.works import services as work_services
from wenyi.works.enums import MatchKind, MatchStatus
from wenyi.works.models import Match, Work

POEM = "机器醒来的时候，我们也醒来。\n钢花在炉口开放，像春天提前到达。\n师傅的手掌粗糙。"
PROSE = "\n".join(
    [
        "清晨六点，厂区的汽笛声准时响起，老李已经站在了车床前。他擦了擦额头的汗，"
        "把一块毛坯稳稳地卡在卡盘上，眼睛盯着刻度，手上的动作又快又准。"
    ]
    * 9
)


def entered(linyi, unit, author, *, key, title, text="", picture=False, video_url="", **kw):
    """A work entered as the works services enter it, with a photo when asked, then
    submitted (status and time set as `submit_work` sets them, without its checks)."""
    work = work_services.create_work(
        None,
        campaign=linyi,
        category=linyi.work_categories.get(key=key),
        unit=unit,
        title=title,
        authors=[author],
        text=text,
        video_url=video_url,
        **kw,
    )
    if picture:
        work_files.store_work_file(None, work, gps_jpeg(f"{title}.jpg"))
    Work.objects.filter(pk=work.pk).update(
        status="submitted", submitted_at=timezone.make_aware(datetime.datetime(2014, 10, 8, 9))
    )
    work.refresh_from_db()
    return work


def consent(office, work, anthology_too=True):
    return work_services.record_consent(
        office, work, portal=True, anthology=anthology_too, name="钱师傅"
    )


def final_results(linyi, placed: list[tuple[Work, str | None, float]]) -> Results:
    """Final results with a work award line per (work, tier key or None, score), and
    each score frozen in the works' second round (作品复评)."""
    results = Results.objects.create(campaign=linyi, status=ResultsStatus.FINAL)
    kind = linyi.award_kinds.get(key="work")
    fuping = Round.objects.get(campaign=linyi, key="fuping")
    for n, (work, tier, score) in enumerate(placed, start=1):
        entry = Entry.objects.create(round=fuping, work=work, code=f"F{n:03d}")
        RoundResult.objects.create(
            round=fuping, entry=entry, final=score, raw=score, n=5, computed_at=timezone.now()
        )
        if tier:
            Award.objects.create(
                results=results,
                award_kind=kind,
                tier=kind.tiers.get(key=tier),
                work=work,
                holder=work.title,
                title=work.title,
                unit_name=work.unit.name,
                position=n,
                score=score,
            )
    return results


@pytest.fixture
def shelf(linyi, office, county_a, county_b, worker, artist):
    """The campaign's works for an anthology:

    - poems 钢花 (二等奖, 80), 晨光 (一等奖, 90), 矿灯 (no award, 85), 号子 (no award, no
      score), all consented; prose 车间里的老李 (三等奖, 70) consented;
    - a photo 焊花 (consented, with a GPS position in its picture), a film 塔吊 (a
      video link, consented);
    - refused: 无授权 (no anthology consent), 抄袭 (disqualified as a copy), 草稿 (a
      draft), 撤回 (withdrawn).
    """
    a, b = artist.person, worker
    works = SimpleNamespace(
        gangha=entered(linyi, county_b, b, key="shici", title="钢花", text=POEM),
        chenguang=entered(linyi, county_a, a, key="shici", title="晨光", text=POEM),
        kuangdeng=entered(linyi, county_b, b, key="shici", title="矿灯", text=POEM),
        haozi=entered(linyi, county_a, a, key="shici", title="号子", text=POEM),
        laoli=entered(linyi, county_b, b, key="sanwen", title="车间里的老李", text=PROSE),
        hanhua=entered(linyi, county_a, a, key="sheying", title="焊花", picture=True),
        tadiao=entered(
            linyi, county_b, b, key="weiyingxiang", title="塔吊", video_url="https://v.example.cn/1"
        ),
        no_consent=entered(linyi, county_b, b, key="shici", title="无授权", text=POEM),
        copied=entered(linyi, county_b, b, key="shici", title="抄袭", text=POEM),
        draft=entered(linyi, county_b, b, key="shici", title="草稿", text=POEM),
        withdrawn=entered(linyi, county_b, b, key="shici", title="撤回", text=POEM),
    )
    for name, work in vars(works).items():
        if name != "no_consent":
            consent(office, work)
    Match.objects.create(
        work=works.copied, other=works.gangha, kind=MatchKind.TEXT, status=MatchStatus.DISQUALIFIED
    )
    Work.objects.filter(pk=works.draft.pk).update(status="draft")
    Work.objects.filter(pk=works.withdrawn.pk).update(status="withdrawn")
    for name in ("draft", "withdrawn"):
        getattr(works, name).refresh_from_db()
    final_results(
        linyi,
        [
            (works.gangha, "erdeng", 80),
            (works.chenguang, "yideng", 90),
            (works.kuangdeng, None, 85),
            (works.laoli, "sandeng", 70),
        ],
    )
    return works


@pytest.fixture
def book(office, linyi) -> Anthology:
    return anthology.create_anthology(
        office, linyi, {"title": "职工文艺作品选", "page_size": "a5", "preface": "序言。"}
    )


def titles(book: Anthology) -> list[str]:
    return [row.work.title for row in anthology.book_rows(book)]


def add(office, book, *works, **kwargs):
    book.refresh_from_db()
    return anthology.add_works(office, book, list(works), version=book.version, **kwargs)


# -- the book's details -------------------------------------------------------------------


def test_create_anthology_compiled_by_the_campaigns_organiser(office, linyi):
    made = anthology.create_anthology(office, linyi, {"title": "作品选", "page_size": "a4"})

    assert made.editor == "临沂市总工会"
    assert made.page_size == "a4"
    assert audit.entries_for(made).filter(action=AuditAction.CREATE).exists()


def test_create_anthology_twice_with_one_token_makes_one(office, linyi):
    import uuid

    token = uuid.uuid4()
    first = anthology.create_anthology(
        office, linyi, {"title": "作品选", "page_size": "a5"}, token=token
    )
    again = anthology.create_anthology(
        office, linyi, {"title": "作品选", "page_size": "a5"}, token=token
    )

    assert again.pk == first.pk
    assert Anthology.objects.count() == 1


def test_update_anthology_from_a_stale_version_is_refused(office, office2, book):
    opened = book.version
    anthology.update_anthology(office2, book, {"title": "新书名", "page_size": "a5"}, opened)

    with pytest.raises(EditConflict) as refused:
        anthology.update_anthology(office, book, {"title": "我的书名", "page_size": "a4"}, opened)

    book.refresh_from_db()
    assert book.title == "新书名" and book.page_size == "a5"
    assert "杨春松" in refused.value.messages[0]


def test_cover_refused_when_not_a_picture_leaves_no_file(settings, book):
    fake = SimpleUploadedFile("cover.jpg", b"%PDF-1.4 not a picture", content_type="image/jpeg")

    with pytest.raises(ValidationError) as refused:
        anthology.prepare_cover(fake)

    assert "cover.jpg" in refused.value.message_dict["cover"][0]
    assert not AnthologyCover.objects.exists()
    media = settings.MEDIA_ROOT / "anthology"
    assert not media.exists() or not any(media.rglob("*.*"))


def test_cover_is_printed_from_a_copy_without_location(office, book):
    from tests.portal.conftest import has_gps

    cover = anthology.prepare_cover(gps_jpeg("cover.jpg"))
    anthology.update_anthology(
        office, book, {"title": book.title, "page_size": "a5"}, book.version, cover=cover
    )

    stored = AnthologyCover.objects.get(anthology=book)
    assert has_gps(stored.file.read())
    assert not has_gps(stored.public_file.read())


def test_replacing_the_cover_keeps_one(office, book):
    for name in ("a.jpg", "b.jpg"):
        book.refresh_from_db()
        cover = anthology.prepare_cover(gps_jpeg(name, colour=(10, 20, len(name) * 30)))
        anthology.update_anthology(
            office, book, {"title": book.title, "page_size": "a5"}, book.version, cover=cover
        )

    assert AnthologyCover.objects.get(anthology=book).original_name == "b.jpg"


# -- who may go in --------------------------------------------------------------------------


def test_add_refuses_a_work_without_consent_naming_it_and_adds_nothing(office, book, shelf):
    with pytest.raises(ValidationError) as refused:
        add(office, book, shelf.gangha, shelf.no_consent)

    assert len(refused.value.messages) == 1
    assert "无授权" in refused.value.messages[0]
    assert not AnthologyItem.objects.exists()  # all or nothing


def test_add_refuses_disqualified_draft_and_withdrawn_works_each_named(office, book, shelf):
    with pytest.raises(ValidationError) as refused:
        add(office, book, shelf.copied, shelf.draft, shelf.withdrawn)

    named = refused.value.messages
    assert [m.split("”")[0].strip("“") for m in named] == ["抄袭", "草稿", "撤回"]
    assert len(set(named)) == 3  # three different reasons
    assert not AnthologyItem.objects.exists()


def test_add_refusal_in_chinese_says_why(shelf):
    # passes once the translations are compiled
    assert anthology.add_refusal(shelf.no_consent) == (
        "“无授权”不能收入作品汇编：著作权人尚未同意刊印（请先在作品页面登记授权）。"
    )
    assert "抄袭" in anthology.add_refusal(shelf.copied)
    assert anthology.add_refusal(shelf.gangha) == ""


def test_add_a_whole_list_adds_those_that_may_go_in_and_names_the_others(office, book, shelf):
    done = add(office, book, shelf.gangha, shelf.no_consent, shelf.copied, skip_refused=True)

    assert [w.title for w in done.added] == ["钢花"]
    assert [w.title for w, _reason in done.refused] == ["无授权", "抄袭"]
    assert titles(book) == ["钢花"]


def test_add_again_does_not_duplicate(office, book, shelf):
    add(office, book, shelf.gangha, shelf.laoli)

    done = add(office, book, shelf.gangha, shelf.chenguang)

    assert [w.title for w in done.already] == ["钢花"]
    assert [w.title for w in done.added] == ["晨光"]
    assert AnthologyItem.objects.filter(anthology=book).count() == 3


def test_add_with_the_same_work_twice_in_one_call_adds_it_once(office, book, shelf):
    add(office, book, shelf.gangha, shelf.gangha)

    assert AnthologyItem.objects.count() == 1


def test_add_from_a_stale_page_is_refused(office, office2, book, shelf):
    opened = book.version
    anthology.add_works(office2, book, [shelf.gangha], version=opened)

    with pytest.raises(EditConflict):
        anthology.add_works(office, book, [shelf.chenguang], version=opened)

    assert titles(book) == ["钢花"]


def test_add_writes_one_audit_entry_naming_the_works(office, book, shelf):
    add(office, book, shelf.gangha, shelf.chenguang)

    entry = audit.entries_for(book).filter(action=AuditAction.UPDATE).get()
    assert sorted(entry.changes["works"][1]) == ["晨光", "钢花"]
    assert entry.actor == office


def test_a_consent_taken_back_marks_the_work(office, book, shelf):
    add(office, book, shelf.gangha)

    consent(office, shelf.gangha, anthology_too=False)

    row = anthology.book_rows(book)[0]
    assert "钢花" in row.refusal


# -- the order ------------------------------------------------------------------------------


def test_automatic_order_art_form_then_tier_then_score_then_title(office, book, shelf):
    add(
        office,
        book,
        shelf.tadiao,
        shelf.hanhua,
        shelf.laoli,
        shelf.haozi,
        shelf.kuangdeng,
        shelf.gangha,
        shelf.chenguang,
    )

    rows = anthology.book_rows(book)

    # 诗词 (一等奖, 二等奖, no award 85, no award no score), 散文, 摄影, 微影像: the file's order
    assert [r.work.title for r in rows] == [
        "晨光",
        "钢花",
        "矿灯",
        "号子",
        "车间里的老李",
        "焊花",
        "塔吊",
    ]
    assert [s.name for s, _rows in anthology.sections(rows)] == [
        "诗词（诗歌）",
        "散文",
        "摄影",
        "微影像",
    ]
    assert [r.number for r in rows] == [1, 2, 3, 4, 1, 1, 1]
    assert rows[0].award == "优秀文艺作品 一等奖"
    assert rows[3].award == "" and rows[3].score is None


def test_move_orders_by_hand_and_the_order_is_kept(office, book, shelf):
    add(office, book, shelf.gangha, shelf.chenguang, shelf.kuangdeng, shelf.laoli)

    book.refresh_from_db()
    anthology.move_work(office, book, shelf.kuangdeng, 1, version=book.version)
    anthology.move_work(office, book, shelf.gangha, 1, version=book.version)

    book.refresh_from_db()
    assert book.hand_ordered
    assert titles(book) == ["钢花", "矿灯", "晨光", "车间里的老李"]
    add(office, book, shelf.haozi)  # to the end of its art form
    assert titles(book) == ["钢花", "矿灯", "晨光", "号子", "车间里的老李"]


def test_move_to_a_place_beyond_the_section_goes_last(office, book, shelf):
    add(office, book, shelf.gangha, shelf.chenguang, shelf.kuangdeng)

    anthology.move_work(office, book, shelf.chenguang, 99, version=book.version)

    assert titles(book) == ["钢花", "矿灯", "晨光"]


def test_move_to_where_it_is_is_refused(office, book, shelf):
    add(office, book, shelf.gangha, shelf.chenguang)

    with pytest.raises(ValidationError) as refused:
        anthology.move_work(office, book, shelf.chenguang, 1, version=book.version)

    assert "晨光" in refused.value.messages[0]
    book.refresh_from_db()
    assert not book.hand_ordered


def test_move_from_a_stale_page_is_refused(office, office2, book, shelf):
    add(office, book, shelf.gangha, shelf.chenguang, shelf.kuangdeng)
    opened = book.version
    anthology.move_work(office2, book, shelf.kuangdeng, 1, version=opened)

    with pytest.raises(EditConflict):
        anthology.move_work(office, book, shelf.gangha, 1, version=opened)

    assert titles(book) == ["矿灯", "晨光", "钢花"]


def test_order_automatically_again(office, book, shelf):
    add(office, book, shelf.gangha, shelf.chenguang)
    anthology.move_work(office, book, shelf.gangha, 1, version=book.version)

    anthology.order_automatically(office, book, version=book.version)

    book.refresh_from_db()
    assert not book.hand_ordered
    assert titles(book) == ["晨光", "钢花"]
    notes = audit.entries_for(book).values_list("note", flat=True)
    assert any("钢花" in note for note in notes)  # the move was audited with its places


def test_remove_takes_a_work_out(office, book, shelf):
    add(office, book, shelf.gangha, shelf.chenguang)

    anthology.remove_work(office, book, shelf.gangha, version=book.version)

    assert titles(book) == ["晨光"]
    with pytest.raises(ValidationError):
        anthology.remove_work(office, book, shelf.gangha, version=book.version)
    entry = audit.entries_for(book).order_by("-id").first()
    assert entry.changes["works"] == [["钢花"], None]


def test_book_rows_read_in_a_fixed_number_of_queries(
    django_assert_max_num_queries, office, book, shelf
):
    add(office, book, shelf.gangha)
    with django_assert_max_num_queries(8) as one:
        anthology.book_rows(book)
    add(office, book, shelf.chenguang, shelf.kuangdeng, shelf.laoli, shelf.hanhua, shelf.tadiao)

    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(anthology.book_rows(book)) == 6
