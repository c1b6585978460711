"""Review rounds (wenyi/review/rounds.py): defined like the campaign file's rounds,
frozen once open, their entries made from the subject or the source round, and the
states draft → open → closed → reopened, each audited with notices."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.review.conftest import eligible_entries, file_round, open_with
from wenyi.core.enums import AuditAction
from wenyi.core.models import AuditEntry, Notification
from wenyi.core.versioning import EditConflict
from wenyi.review import rounds, scoring
from wenyi.review.enums import Eligibility, RoundStatus
from wenyi.review.models import Entry, Round
from wenyi.works.models import Work

D = datetime.date


def _new_round(office, linyi, **values):
    defaults = {
        "key": "zhuanxiang",
        "name": "摄影专项评审",
        "subject": "works",
        "art_forms": ["sheying"],
        "opens": D(2014, 11, 1),
        "closes": D(2014, 11, 20),
        "kind": "scoring",
        "criteria": [{"key": "goutu", "name": "构图", "maximum": Decimal(50)}],
    }
    return rounds.create_round(office, linyi, **(defaults | values))


def _entries(round_):
    return AuditEntry.objects.filter(object_id=str(round_.pk), content_type__model="round")


# -- the file's rounds ----------------------------------------------------------------


def test_file_rounds_are_loaded_as_drafts(linyi):
    found = [
        (r.key, r.subject, r.kind, r.status, r.from_file, r.source and r.source.key)
        for r in Round.objects.filter(campaign=linyi)
    ]

    assert found == [
        ("chuping", "works", "approval", "draft", True, None),
        ("fuping", "works", "scoring", "draft", True, "chuping"),
        ("danwei", "units", "scoring", "draft", True, None),
        ("geren", "individuals", "approval", "draft", True, None),
        ("wenyigongzuozhe", "artists", "ranking", "draft", True, None),
    ]
    fuping = file_round(linyi, "fuping")
    assert [(c.key, c.maximum) for c in fuping.criteria.all()] == [
        ("sixiang", 30),
        ("yishu", 40),
        ("chuangxin", 20),
        ("tese", 10),
    ]
    assert (fuping.advance, fuping.method, fuping.reviewers_per_item) == ("passed", "trimmed", 5)


# -- definition ----------------------------------------------------------------------


def test_create_round_is_checked_like_the_file_naming_each_field(office, linyi):
    with pytest.raises(ValidationError) as refused:
        _new_round(
            office,
            linyi,
            closes=D(2014, 12, 5),
            art_forms=["dianying"],
            criteria=[{"key": "goutu", "name": "构图", "maximum": Decimal(0)}],
            source="nowhere",
        )

    assert refused.value.message_dict == {
        "criteria": ["criteria[1].maximum: 应大于 0"],
        "closes": ["closes: 应在评审阶段「推荐评审」（2014-10-01 至 2014-11-30）之内"],
        "art_forms": ["art_forms[1]: 没有 key 为「dianying」的作品类别"],
        "source": ["source: 没有 key 为「nowhere」的评审轮次"],
        "advance": ["advance: 有来源轮次（source）时必须写明晋级规则"],
    }
    assert not Round.objects.filter(key="zhuanxiang").exists()


def test_create_round_saves_a_draft_with_its_criteria_and_audit(office, linyi):
    round_ = _new_round(office, linyi)

    assert (round_.status, round_.from_file, round_.art_forms) == ("draft", False, ["sheying"])
    assert [(c.key, c.weight, c.maximum) for c in round_.criteria.all()] == [("goutu", 1, 50)]
    assert list(_entries(round_).values_list("action", flat=True)) == [AuditAction.CREATE]


def test_create_round_refuses_a_key_the_campaign_has(office, linyi):
    with pytest.raises(ValidationError) as refused:
        _new_round(office, linyi, key="chuping")

    assert list(refused.value.message_dict) == ["key"]


def test_update_round_changes_a_draft_and_moves_its_version(office, linyi):
    round_ = _new_round(office, linyi)

    rounds.update_round(
        office,
        round_,
        version=round_.version,
        reviewers_per_item=4,
        criteria=[
            {"key": "goutu", "name": "构图", "maximum": Decimal(60)},
            {"key": "yongguang", "name": "用光", "maximum": Decimal(40)},
        ],
    )

    round_.refresh_from_db()
    assert (round_.reviewers_per_item, round_.version) == (4, 2)
    assert [(c.key, c.maximum) for c in round_.criteria.all()] == [
        ("goutu", 60),
        ("yongguang", 40),
    ]
    update = _entries(round_).filter(action=AuditAction.UPDATE).get()
    assert update.changes["reviewers_per_item"] == [3, 4]
    assert update.changes["criteria"] == [["goutu"], ["goutu", "yongguang"]]


def test_update_round_over_a_newer_save_is_an_edit_conflict(office, linyi):
    round_ = _new_round(office, linyi)
    rounds.update_round(office, round_, version=1, name="摄影评审")

    with pytest.raises(EditConflict):
        rounds.update_round(office, round_, version=1, name="摄影作品评审")

    round_.refresh_from_db()
    assert round_.name == "摄影评审"


def test_round_definition_is_frozen_once_open(office, linyi, committee):
    round_ = _new_round(office, linyi)
    rounds.open_round(office, round_)

    with pytest.raises(ValidationError) as refused:
        rounds.update_round(office, round_, version=round_.version, reviewers_per_item=7)

    assert "冻结" in refused.value.messages[0] or "frozen" in refused.value.messages[0]
    round_.refresh_from_db()
    assert round_.reviewers_per_item == 3
    with pytest.raises(ValidationError):
        rounds.delete_round(office, round_)


def test_delete_round_removes_a_draft_and_audits_it(office, linyi):
    round_ = _new_round(office, linyi)
    pk = round_.pk

    rounds.delete_round(office, round_)

    assert not Round.objects.filter(pk=pk).exists()
    deleted = AuditEntry.objects.filter(action=AuditAction.DELETE).values_list(
        "content_type__model", flat=True
    )
    assert sorted(deleted) == ["criterion", "round"]


# -- entries ---------------------------------------------------------------------------


def test_create_entries_takes_the_eligible_works_of_the_round_forms(
    office, linyi, county_a, county_b, artist, worker, submitted_work
):
    poem = submitted_work(county_a, artist.person)
    photo = submitted_work(county_b, worker, key="sheying")
    withdrawn = submitted_work(county_b, worker, key="sheying")
    Work.objects.filter(pk=withdrawn.pk).update(status="withdrawn")
    round_ = _new_round(office, linyi)

    made = rounds.create_entries(office, round_)
    again = rounds.create_entries(office, round_)

    assert [e.work for e in made] == [photo]
    assert again == []
    assert poem.pk not in round_.entries.values_list("work_id", flat=True)
    assert made[0].code == "0001" and made[0].eligibility == Eligibility.PENDING


def test_create_entries_of_a_units_round_are_the_units_taking_part(
    office, linyi, city, county_a, county_b, enterprise_a
):
    danwei = file_round(linyi, "danwei")

    made = rounds.create_entries(office, danwei)

    assert sorted(e.unit.name for e in made) == sorted([county_a.name, county_b.name])


def test_entry_codes_do_not_follow_the_order_of_the_works(
    office, linyi, county_a, artist, submitted_work
):
    for _ in range(30):
        submitted_work(county_a, artist.person)

    made = rounds.create_entries(office, file_round(linyi, "chuping"))

    codes = [e.code for e in sorted(made, key=lambda e: e.work_id)]
    assert sorted(codes) == [f"{n:04d}" for n in range(1, 31)]
    assert codes != sorted(codes)  # one chance in 30! that this fails by luck


def test_add_and_remove_an_entry_by_hand(office, linyi, county_b, worker, submitted_work):
    chuping = file_round(linyi, "chuping")
    work = submitted_work(county_b, worker)

    entry = rounds.add_entry(office, chuping, work=work)
    with pytest.raises(ValidationError):
        rounds.add_entry(office, chuping, work=work)
    with pytest.raises(ValidationError):
        rounds.remove_entry(office, entry, reason="")
    rounds.remove_entry(office, entry, reason="推荐单位撤回")

    assert not Entry.objects.filter(pk=entry.pk).exists()
    removal = AuditEntry.objects.get(action=AuditAction.DELETE, content_type__model="entry")
    assert removal.note == "推荐单位撤回"


def test_add_entry_refuses_a_unit_in_a_works_round(office, linyi, county_a):
    with pytest.raises(ValidationError):
        rounds.add_entry(office, file_round(linyi, "chuping"), unit=county_a)


# -- states ------------------------------------------------------------------------------


def test_open_round_needs_experts_and_tells_the_assigned(
    office, linyi, committee, expert, county_b, worker, submitted_work
):
    submitted_work(county_b, worker)
    chuping = file_round(linyi, "chuping")
    (entry,) = eligible_entries(office, chuping)

    open_with(office, chuping, [(entry, expert.person)])

    chuping.refresh_from_db()
    assert chuping.status == RoundStatus.OPEN and chuping.opened_at is not None
    transition = _entries(chuping).get(action=AuditAction.TRANSITION)
    assert transition.changes["status"] == ["draft", "open"]
    assert Notification.objects.filter(user=expert, message__contains="作品初评").exists()


def test_open_round_refused_without_a_committee(office, linyi):
    with pytest.raises(ValidationError):
        rounds.open_round(office, file_round(linyi, "chuping"))


def test_a_later_round_opens_only_after_its_source_closes(office, linyi, committee):
    with pytest.raises(ValidationError) as refused:
        rounds.open_round(office, file_round(linyi, "fuping"))

    assert "作品初评" in refused.value.messages[0]


def test_close_round_freezes_results_and_reopen_needs_a_reason(
    office, linyi, committee, expert, county_b, worker, submitted_work
):
    submitted_work(county_b, worker)
    chuping = file_round(linyi, "chuping")
    (entry,) = eligible_entries(office, chuping)
    open_with(office, chuping, [(entry, expert.person)])
    assignment = entry.assignments.get()
    scoring.submit_score(expert, assignment, version=0, vote="yes")

    rounds.close_round(office, chuping)
    with pytest.raises(ValidationError):
        rounds.reopen_round(office, chuping, "  ")
    rounds.reopen_round(office, chuping, "补充一位专家的意见")

    chuping.refresh_from_db()
    assert (chuping.status, chuping.reopen_reason) == ("reopened", "补充一位专家的意见")
    assert (entry.result.yes_votes, entry.result.passed) == (1, False)  # 2 yes votes pass
    moves = [e.changes["status"] for e in _entries(chuping).filter(action="transition")]
    assert moves == [["closed", "reopened"], ["open", "closed"], ["draft", "open"]]
    reopened = _entries(chuping).filter(action="transition").first()
    assert reopened.note == "补充一位专家的意见"
    assert Notification.objects.filter(user=expert, message__contains="补充一位专家的意见").exists()


def test_entries_of_a_later_round_come_from_the_source_results(
    office, linyi, committee, expert, county_b, worker, submitted_work
):
    works = [submitted_work(county_b, worker) for _ in range(2)]
    chuping = file_round(linyi, "chuping")
    entries = eligible_entries(office, chuping)
    open_with(office, chuping, [(e, expert.person) for e in entries])
    passing = next(e for e in entries if e.work == works[0])
    for entry in entries:
        vote = "yes" if entry == passing else "no"
        scoring.submit_score(expert, entry.assignments.get(), version=0, vote=vote)
    # pass_with is 2 in the file; one expert's yes suffices in this test's round
    Round.objects.filter(pk=chuping.pk).update(pass_with=1)
    rounds.close_round(office, chuping)
    fuping = file_round(linyi, "fuping")

    made = rounds.create_entries(office, fuping)

    assert [(e.work, e.source_entry, e.eligibility) for e in made] == [
        (works[0], passing, Eligibility.ELIGIBLE)
    ]
    with pytest.raises(ValidationError):
        rounds.reopen_round(office, chuping, "改票")


def test_a_change_of_a_criterion_alone_moves_the_version(office, linyi):
    round_ = _new_round(office, linyi)
    changed = [{"key": "goutu", "name": "构图", "maximum": Decimal(60)}]

    rounds.update_round(office, round_, version=1, criteria=changed)
    with pytest.raises(EditConflict):  # a form opened before the first change
        rounds.update_round(
            office, round_, version=1, criteria=[changed[0] | {"maximum": Decimal(70)}]
        )

    round_.refresh_from_db()
    assert (round_.version, round_.criteria.get().maximum) == (2, 60)
