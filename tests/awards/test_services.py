"""The results' state changes (wenyi/awards/services.py): drawn from the review's
approved tiers with the names as printed, approved by someone other than who drew
them, put on public notice with the campaign's window, objections handled with a
written decision (upholding withdraws the line), final only when all is decided."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.awards.conftest import NOTICE_TEXT, NOTICE_TITLE, approve_tiers, close_with, publish
from tests.awards.conftest import unit_form as form
from tests.review.conftest import file_round
from wenyi.awards import services
from wenyi.awards.enums import AwardStatus, ObjectionStatus, ResultsStatus
from wenyi.awards.models import Award, Results
from wenyi.core.enums import AuditAction
from wenyi.core.models import AuditEntry, Notification
from wenyi.core.versioning import EditConflict


def lines(results) -> list[tuple]:
    return [
        (a.award_kind.key, a.tier.key if a.tier_id else None, a.holder, a.unit_name, a.title)
        for a in Award.objects.filter(results=results).select_related("award_kind", "tier")
    ]


# -- draw ----------------------------------------------------------------------------------


def test_draw_takes_every_placement_with_a_tier_with_the_names_as_printed(office, tiered):
    drawn = services.draw(office, tiered.campaign)

    assert drawn.results.status == ResultsStatus.DRAFT
    assert lines(drawn.results) == [
        ("unit", "youxiu", "罗庄区", "", ""),
        ("individual", "youxiu", "李罗庄", "罗庄区", ""),
        ("work", "yideng", "钱师傅、赵文艺", "罗庄区", "车间的早晨"),
        ("work", "erdeng", "赵文艺", "兰山区", "焊花"),
        ("work", "sandeng", "钱师傅", "罗庄区", "矿灯"),
    ]
    scores = list(drawn.results.awards.filter(work__isnull=False).values_list("score", flat=True))
    assert scores == [Decimal("95.000"), Decimal("90.000"), Decimal("85.000")]
    assert drawn.counts == {"优秀组织单位": 1, "优秀个人": 1, "优秀文艺作品": 3}
    assert drawn.missing == ["优秀文艺工作者"]
    assert any("优秀文艺工作者" in w for w in drawn.warnings())
    assert drawn.results.drawn_by == office


def test_draw_orders_lines_by_tier_then_the_rounds_ranking(
    office, office2, linyi, tiered, county_b
):
    # 初评 (an earlier round, by votes) gave the same award kind tiers too
    works = tiered.works
    round_ = file_round(linyi, "chuping")
    close_with(office, round_, [({"work": works[2]}, 3), ({"work": works[0]}, 2)])
    approve_tiers(office, office2, round_, tiered.kinds["work"], {"yideng": 2})

    drawn = services.draw(office, linyi)

    titles = [a.title for a in drawn.results.awards.filter(work__isnull=False)]
    positions = list(
        drawn.results.awards.filter(work__isnull=False).values_list("position", flat=True)
    )
    # 复评 (the later round) is used; 初评's tiers are named as set aside
    assert titles == ["车间的早晨", "焊花", "矿灯"]
    assert positions == [1, 2, 3]
    assert any("作品初评" in w for w in drawn.warnings())


def test_draw_without_approved_tiers_is_refused(office, linyi):
    with pytest.raises(ValidationError):
        services.draw(office, linyi)

    assert not Results.objects.exists()


def test_draw_again_replaces_the_lines_and_is_audited(office, drawn):
    first = set(drawn.awards.values_list("pk", flat=True))

    again = services.draw(office, drawn.campaign).results

    assert again.pk == drawn.pk
    assert again.awards.count() == 5
    assert not first & set(again.awards.values_list("pk", flat=True))
    notes = AuditEntry.objects.filter(
        content_type__model="results", object_id=str(drawn.pk), action=AuditAction.UPDATE
    )
    assert notes.count() == 2


@pytest.mark.parametrize("state", ["approved", "notice"])
def test_draw_is_refused_once_approved_or_on_notice(request, office, state):
    results = request.getfixturevalue(state if state == "approved" else "notice")
    results = Results.objects.get()

    with pytest.raises(ValidationError):
        services.draw(office, results.campaign)

    assert results.awards.count() == 5


# -- approve (four eyes) --------------------------------------------------------------------


def test_nobody_approves_results_they_drew(office, drawn):
    with pytest.raises(ValidationError):
        services.approve(office, drawn, version=drawn.version)

    drawn.refresh_from_db()
    assert drawn.status == ResultsStatus.DRAFT
    assert drawn.approved_by is None


def test_another_office_member_approves_and_the_office_hears_of_it(office, office2, drawn):
    approved = services.approve(office2, drawn, version=drawn.version)

    assert approved.status == ResultsStatus.APPROVED
    assert approved.approved_by == office2
    assert Notification.objects.filter(user=office, url__contains="/results/").exists()


def test_approve_an_old_page_is_refused(office, office2, drawn):
    old = drawn.version
    services.draw(office, drawn.campaign)

    with pytest.raises(EditConflict):
        services.approve(office2, drawn, version=old)


def test_a_second_approval_is_refused_with_the_state(office2, approved):
    with pytest.raises(ValidationError) as refused:
        services.approve(office2, approved, version=approved.version)

    assert approved.get_status_display() in str(refused.value)


def test_reopen_takes_the_approval_back_with_a_reason(office, approved):
    with pytest.raises(ValidationError):
        services.reopen(office, approved, reason=" ")

    back = services.reopen(office, approved, reason="一等奖作品作者署名有误，重新生成")

    assert back.status == ResultsStatus.DRAFT and back.approved_by is None


# -- the public notice -----------------------------------------------------------------------


def test_publish_the_notice_with_its_window(office, approved):
    notice = publish(office, approved)

    approved.refresh_from_db()
    assert approved.status == ResultsStatus.NOTICE
    assert (notice.number, notice.starts_on, notice.ends_on) == (
        1,
        datetime.date(2014, 12, 2),
        datetime.date(2014, 12, 8),
    )
    with translation.override("en"):
        text = services.window_text(approved.campaign, notice.starts_on, notice.ends_on)
    assert text == "Public notice: 2014-12-2 to 12-8 (5 working days)"


def test_publish_refuses_a_start_before_today_and_empty_text(office, approved):
    with pytest.raises(ValidationError) as refused:
        services.publish_notice(
            office, approved, starts_on=datetime.date(2014, 11, 30), title="", text=""
        )

    assert set(refused.value.message_dict) == {"starts_on", "title", "text"}
    assert not approved.notices.exists()


def test_publish_refuses_a_year_the_calendar_does_not_know_on_the_start_date(
    settings, office, approved
):
    settings.WENYI_TODAY = datetime.date(2031, 1, 5)

    with pytest.raises(ValidationError) as refused:
        services.publish_notice(
            office,
            approved,
            starts_on=datetime.date(2031, 1, 6),
            title=NOTICE_TITLE,
            text=NOTICE_TEXT,
        )

    assert list(refused.value.message_dict) == ["starts_on"]
    assert "2031" in refused.value.message_dict["starts_on"][0]
    assert not approved.notices.exists()


def test_publish_is_refused_for_a_draft(office, drawn):
    with pytest.raises(ValidationError):
        publish(office, drawn)


def test_a_second_notice_only_after_an_upheld_objection(office, office2, notice):
    results = notice.results
    with pytest.raises(ValidationError):
        publish(office, results, datetime.date(2014, 12, 3))
    objection = services.receive_objection(notice, form(notice), {"seal": _seal()}, None)
    with pytest.raises(ValidationError) as refused:
        publish(office, results, datetime.date(2014, 12, 3))
    assert objection.reference in str(refused.value)
    services.decide(office2, objection, upheld=True, decision="经核查，该作品系抄袭，撤销其奖项。")

    second = publish(office, results, datetime.date(2014, 12, 3))

    assert second.number == 2
    results.refresh_from_db()
    assert results.status == ResultsStatus.NOTICE


def _seal():
    from tests.awards.conftest import png

    return png()


# -- objections --------------------------------------------------------------------------------


def test_an_objection_gets_a_reference_and_the_office_hears_of_it(office, notice):
    objection = services.receive_objection(notice, form(notice), {"seal": _seal()}, None)

    assert objection.reference == "YY2014-0001"
    assert objection.status == ObjectionStatus.RECEIVED
    assert objection.files.get().kind == "seal"
    assert Notification.objects.filter(user=office, message__contains="YY2014-0001").exists()
    second = services.receive_objection(
        notice, form(notice, objector_kind="person", unit_name=""), {}, None
    )
    assert second.reference == "YY2014-0002"


def test_investigate_then_decide_with_a_written_decision(
    django_capture_on_commit_callbacks, office, office2, notice
):
    objection = services.receive_objection(notice, form(notice), {"seal": _seal()}, None)

    services.start_investigation(office, objection, note="调取原作比对")
    with pytest.raises(ValidationError) as empty:
        services.decide(office, objection, upheld=False, decision="  ")
    with django_capture_on_commit_callbacks(execute=True):
        decided = services.decide(
            office, objection, upheld=False, decision="经比对，两作品立意、表达均不同，异议不成立。"
        )

    assert "decision" in empty.value.message_dict
    assert decided.status == ObjectionStatus.DISMISSED
    assert decided.award.status == AwardStatus.STANDING
    # the objector gave an e-mail: the decision is sent there
    to_objector = [m for m in mail.outbox if m.to == ["sun@example.org"]]
    assert len(to_objector) == 1
    assert "YY2014-0001" in to_objector[0].subject
    assert "异议不成立" in to_objector[0].body
    with pytest.raises(ValidationError):
        services.decide(office2, objection, upheld=True, decision="再次决定")


def test_upholding_withdraws_the_line_with_the_decision_as_reason(office, notice):
    objection = services.receive_objection(notice, form(notice), {"seal": _seal()}, None)
    decision = "经核查，该单位未按要求开展四类活动，撤销其优秀组织单位称号。"

    services.decide(office, objection, upheld=True, decision=decision)

    award = Award.objects.get(pk=objection.award_id)
    assert award.status == AwardStatus.WITHDRAWN
    assert award.withdrawn_reason == decision
    entry = AuditEntry.objects.get(object_id=str(award.pk), content_type__model="award")
    assert entry.changes["status"] == ["standing", "withdrawn"]


def test_nobody_decides_on_an_objection_they_raised(office, office2, notice):
    office.person.mobile = "13905390001"
    office.person.save()
    mine = form(notice, objector_kind="person", unit_name="", phone="139 0539 0001")
    objection = services.receive_objection(notice, mine, {}, None)

    with pytest.raises(ValidationError):
        services.start_investigation(office, objection)
    with pytest.raises(ValidationError):
        services.decide(office, objection, upheld=True, decision="成立")
    decided = services.decide(office2, objection, upheld=False, decision="不成立")

    assert decided.decided_by == office2


# -- final --------------------------------------------------------------------------------------


def test_final_only_after_the_window_and_when_every_objection_is_decided(
    settings, office, office2, notice
):
    results = notice.results
    objection = services.receive_objection(notice, form(notice), {"seal": _seal()}, None)
    settings.WENYI_TODAY = datetime.date(2014, 12, 8)  # the notice's last day
    with pytest.raises(ValidationError) as running:
        services.declare_final(office, results, version=Results.objects.get().version)
    assert "2014-12-08" in str(running.value)
    settings.WENYI_TODAY = datetime.date(2014, 12, 9)
    with pytest.raises(ValidationError) as waiting:
        services.declare_final(office, results, version=Results.objects.get().version)
    assert objection.reference in str(waiting.value)

    services.decide(office2, objection, upheld=False, decision="异议不成立。")
    final = services.declare_final(office, results, version=Results.objects.get().version)

    assert final.status == ResultsStatus.FINAL
    assert final.final_by == office
    with pytest.raises(ValidationError):
        services.declare_final(office, results, version=final.version)
