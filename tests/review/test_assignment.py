"""Assignments (wenyi/review/services.py): by hand, refusing conflicts, ineligible
entries, outsiders and closed rounds; automatically through wenyi.review.assign, fair
and conflict-free; the experts hear of what they are given."""

from collections import Counter
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.conftest import _user_with_role
from tests.review.conftest import eligible_entries, file_round, open_with
from wenyi.core.enums import AuditAction, NoticeKind
from wenyi.core.models import AuditEntry, Notification
from wenyi.orgs import services as org_services
from wenyi.orgs.enums import Role
from wenyi.orgs.models import Membership
from wenyi.review import rounds, scoring, services
from wenyi.review.enums import AssignmentSource
from wenyi.review.models import Assignment, CommitteeMember, Conflict, Round


@pytest.fixture
def chuping(linyi):
    return file_round(linyi, "chuping")


def test_assign_by_hand_is_audited_and_told_once_open(
    office, linyi, committee, expert, county_b, worker, submitted_work, chuping
):
    submitted_work(county_b, worker)
    (entry,) = eligible_entries(office, chuping)
    rounds.open_round(office, chuping)

    assignment = services.assign(office, entry, expert.person)

    assert (assignment.source, assignment.created_by, assignment.panel) == (
        AssignmentSource.MANUAL,
        office,
        1,
    )
    assert AuditEntry.objects.filter(
        content_type__model="assignment", action=AuditAction.CREATE
    ).exists()
    # a kind of its own, so an expert may turn its e-mail off
    assert Notification.objects.filter(
        user=expert, message__contains=entry.code, kind=NoticeKind.REVIEW
    ).exists()


def test_assign_refuses_a_conflicted_expert(
    office, linyi, committee, expert_conflicted, county_a, artist, submitted_work, chuping
):
    submitted_work(county_a, artist.person)
    (entry,) = eligible_entries(office, chuping)

    with pytest.raises(ValidationError) as refused:
        services.assign(office, entry, expert_conflicted.person)

    assert "孙回避" in refused.value.messages[0]
    assert not Assignment.objects.exists()


def test_assign_refuses_a_relation_declared_a_moment_ago(
    office, linyi, committee, expert, county_b, worker, submitted_work, chuping
):
    submitted_work(county_b, worker)
    (entry,) = eligible_entries(office, chuping)
    # stored conflicts are not refreshed: the assignment still finds the relation
    from wenyi.review.models import Relation

    Relation.objects.create(person=expert.person, other_person=worker, kind="relative")

    with pytest.raises(ValidationError):
        services.assign(office, entry, expert.person)


def test_assign_refuses_entries_not_eligible(
    office, linyi, committee, expert, county_b, worker, submitted_work, chuping
):
    submitted_work(county_b, worker)
    submitted_work(county_b, worker)
    pending, rejected = rounds.create_entries(office, chuping)
    rounds.check_entry(office, rejected, eligible=False, reason="length")

    for entry in (pending, rejected):
        with pytest.raises(ValidationError):
            services.assign(office, entry, expert.person)

    assert not Assignment.objects.exists()


def test_assign_refuses_someone_off_the_committee_and_twice_the_same(
    office, linyi, committee, expert, coordinator_b, county_b, worker, submitted_work, chuping
):
    submitted_work(county_b, worker)
    (entry,) = eligible_entries(office, chuping)
    services.assign(office, entry, expert.person)

    with pytest.raises(ValidationError):
        services.assign(office, entry, coordinator_b.person)
    with pytest.raises(ValidationError):
        services.assign(office, entry, expert.person)

    assert Assignment.objects.count() == 1


def test_unassign_refuses_a_submitted_score(
    office, linyi, committee, expert, county_b, worker, submitted_work, chuping
):
    submitted_work(county_b, worker)
    (entry,) = eligible_entries(office, chuping)
    open_with(office, chuping, [(entry, expert.person)])
    assignment = entry.assignments.get()
    scoring.submit_score(expert, assignment, version=0, vote="yes")

    with pytest.raises(ValidationError):
        services.unassign(office, assignment, reason="改派")

    assert Assignment.objects.filter(pk=assignment.pk).exists()


def test_unassign_takes_a_draft_score_along(
    office, linyi, committee, expert, county_b, worker, submitted_work, chuping
):
    submitted_work(county_b, worker)
    (entry,) = eligible_entries(office, chuping)
    open_with(office, chuping, [(entry, expert.person)])
    assignment = entry.assignments.get()
    scoring.save_draft(expert, assignment, version=0, vote="yes")

    services.unassign(office, assignment, reason="改派")

    assert not Assignment.objects.exists()
    deleted = AuditEntry.objects.filter(action=AuditAction.DELETE).values_list(
        "content_type__model", flat=True
    )
    assert sorted(deleted) == ["assignment", "score"]
    assert Notification.objects.filter(user=expert, message__contains="no longer").exists() or (
        Notification.objects.filter(user=expert, message__contains="不再").exists()
    )


# -- automatically -------------------------------------------------------------------------


def _judges(office, linyi, forms_by_name):
    made = []
    for n, (name, forms) in enumerate(forms_by_name.items()):
        user = _user_with_role(f"judge{n}", linyi.owner_unit(), Role.EXPERT, name)
        user.person.art_forms = forms
        user.person.save()
        services.add_expert(office, linyi, user.person)
        made.append(user.person)
    return made


def test_expert_forms_match_keys_names_and_bracketed_names(linyi, expert):
    categories = list(linyi.work_categories.all())
    expert.person.art_forms = ["文学", "摄影", "诗歌", "不存在"]

    forms = services.expert_forms(expert.person, categories)

    assert forms == {"wenxue", "xiaoshuo", "shici", "sanwen", "baogao", "sheying"}


def test_auto_assign_gives_each_entry_r_experts_never_a_conflicted_one(
    office, linyi, committee, county_a, county_b, artist, worker, submitted_work, chuping
):
    _judges(office, linyi, {"评委甲": ["诗词"], "评委乙": ["文学"], "评委丙": ["诗歌", "摄影"]})
    for _ in range(3):
        submitted_work(county_b, worker)
    submitted_work(county_a, artist.person)  # barred to 孙回避 (county_a)
    entries = eligible_entries(office, chuping)
    rounds.open_round(office, chuping)

    done = services.auto_assign(office, chuping)
    again = services.auto_assign(office, chuping)

    assert again.made == []
    pairs = set(Assignment.objects.values_list("entry_id", "expert_id"))
    per_entry = Counter(entry for entry, _expert in pairs)
    assert per_entry == {e.pk: 3 for e in entries}  # R = 3 in the 2014 file
    blocked = set(
        Conflict.objects.filter(dismissed_at__isnull=True).values_list("entry_id", "expert_id")
    )
    assert blocked and not (pairs & blocked)
    loads = Counter(expert for _entry, expert in pairs)
    assert max(loads.values()) - min(loads.values()) <= 1  # 12 reviews, 5 experts
    assert {a.source for a in done.made} == {AssignmentSource.AUTO}
    # 12 reviews over 5 experts, 3 of them poets: not every review can be a poet's
    assert {p.code for p in done.result.problems} == {"art_form_experts_busy"}
    told = Notification.objects.filter(message__contains="作品初评").values_list("user", flat=True)
    assert len(set(told)) == len(loads)


def test_auto_assign_keeps_assignments_made_by_hand(
    office, linyi, committee, expert, county_b, worker, submitted_work, chuping
):
    _judges(office, linyi, {"评委甲": [], "评委乙": []})
    submitted_work(county_b, worker)
    (entry,) = eligible_entries(office, chuping)
    kept = services.assign(office, entry, expert.person)

    services.auto_assign(office, chuping)

    assert Assignment.objects.filter(entry=entry).count() == 3
    assert Assignment.objects.get(pk=kept.pk).source == AssignmentSource.MANUAL


def test_auto_assign_with_a_consistency_share_adds_a_second_panel(
    office, linyi, committee, county_b, worker, submitted_work
):
    fuping = file_round(linyi, "fuping")
    Round.objects.filter(pk=fuping.pk).update(
        source=None, advance="", reviewers_per_item=2, consistency_share=Decimal("0.25")
    )
    fuping.refresh_from_db()
    _judges(office, linyi, {"评委甲": [], "评委乙": []})
    for _ in range(4):
        submitted_work(county_b, worker)
    eligible_entries(office, fuping)

    done = services.auto_assign(office, fuping)

    second = Assignment.objects.filter(panel=2)
    (sampled,) = set(second.values_list("entry_id", flat=True))  # 25 % of 4
    first = set(Assignment.objects.filter(panel=1, entry=sampled).values_list("expert", flat=True))
    assert second.count() == 2 and not first & set(second.values_list("expert", flat=True))
    assert done.second_panel is not None


def test_auto_assign_refuses_a_closed_round(
    office, linyi, committee, expert, county_b, worker, submitted_work, chuping
):
    submitted_work(county_b, worker)
    (entry,) = eligible_entries(office, chuping)
    open_with(office, chuping, [(entry, expert.person)])
    rounds.close_round(office, chuping)

    with pytest.raises(ValidationError):
        services.auto_assign(office, chuping)


def test_an_expert_whose_role_was_taken_away_keeps_the_seat_but_gets_no_new_work(
    office, linyi, committee, expert, county_b, worker, submitted_work
):
    fuping = file_round(linyi, "fuping")
    Round.objects.filter(pk=fuping.pk).update(source=None, advance="")
    fuping.refresh_from_db()
    submitted_work(county_b, worker)
    (entry,) = eligible_entries(office, fuping)
    org_services.revoke_role(office, Membership.objects.get(user=expert, role=Role.EXPERT))

    with pytest.raises(ValidationError, match="已不再担任评审专家"):
        services.assign(office, entry, expert.person)
    services.auto_assign(office, fuping)

    assert not entry.assignments.filter(expert=expert.person).exists()
    assert CommitteeMember.objects.filter(person=expert.person).exists()
