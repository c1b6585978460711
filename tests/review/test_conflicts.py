"""Conflicts of interest (wenyi/review/conflicts.py and the services that store them):
computed from the units (same unit, or one within the other, the owner neutral) and the
declared relations, declared by an expert during the review, dismissed by the office
with a reason; a conflicted expert never sees the entry."""

import pytest
from django.core.exceptions import ValidationError

from tests.conftest import _user_with_role
from tests.factories import OrgUnitFactory
from tests.review.conftest import eligible_entries, file_round, open_with
from wenyi.core.enums import AuditAction
from wenyi.core.models import AuditEntry, Notification
from wenyi.orgs.enums import Role
from wenyi.review import conflicts, rounds, services
from wenyi.review.conflicts import related
from wenyi.review.enums import ConflictSource
from wenyi.review.models import Conflict
from wenyi.review.queries import entries_for_expert


def _pairs(round_):
    """{(work title or unit name, expert name): [sources]} of the stored conflicts."""
    found: dict = {}
    for c in Conflict.objects.filter(entry__round=round_).select_related(
        "entry__work", "entry__unit", "expert"
    ):
        name = c.entry.work.title if c.entry.work_id else c.entry.unit.name
        found.setdefault((name, c.expert.name), []).append(c.source)
    return found


@pytest.fixture
def chuping(linyi):
    return file_round(linyi, "chuping")


def test_related_units_are_the_same_or_one_within_the_other():
    neutral = frozenset({"0001"})

    assert related("00010001", "00010001", neutral)
    assert related("00010001", "000100010001", neutral)  # a county and its enterprise
    assert related("000100010001", "00010001", neutral)
    assert not related("000100010001", "000100010002", neutral)  # two enterprises
    assert not related("0001", "00010001", neutral)  # the owner contains all: neutral
    assert related("0001", "0001", neutral)  # but its own entry is its own


def test_unit_conflicts_same_unit_and_subtree_not_the_owner(
    office,
    linyi,
    committee,
    county_a,
    county_b,
    enterprise_a,
    artist,
    worker,
    submitted_work,
    chuping,
):
    submitted_work(county_a, artist.person, title="兰山诗")
    submitted_work(enterprise_a, artist.person, title="机械厂诗")
    submitted_work(county_b, worker, title="罗庄诗")

    rounds.create_entries(office, chuping)

    assert _pairs(chuping) == {
        ("兰山诗", "孙回避"): [ConflictSource.UNIT],
        ("机械厂诗", "孙回避"): [ConflictSource.UNIT],
    }


def test_an_author_of_another_unit_brings_their_unit(
    office, linyi, committee, county_b, artist, submitted_work, chuping
):
    # entered for county_b, written by county_a's art worker
    submitted_work(county_b, artist.person, title="合写")

    rounds.create_entries(office, chuping)

    assert _pairs(chuping) == {("合写", "孙回避"): [ConflictSource.UNIT]}


def test_an_expert_below_the_unit_is_conflicted_a_sibling_is_not(
    office, linyi, committee, county_a, enterprise_a, worker, submitted_work, chuping
):
    sibling = OrgUnitFactory(parent=county_a, code="371302002", name="兰山区某纺织厂")
    below = _user_with_role("expert_e", enterprise_a, Role.EXPERT, "吴厂评")
    services.add_expert(office, linyi, below.person)
    worker.unit = sibling
    worker.save()
    submitted_work(county_a, worker, title="区里的诗")
    submitted_work(sibling, worker, title="纺织厂的诗")

    rounds.create_entries(office, chuping)

    pairs = _pairs(chuping)
    assert pairs[("区里的诗", "吴厂评")] == [ConflictSource.UNIT]
    assert ("纺织厂的诗", "吴厂评") not in pairs
    assert pairs[("纺织厂的诗", "孙回避")] == [ConflictSource.UNIT]


def test_declared_relations_of_experts_and_of_authors(
    office, linyi, committee, expert, county_b, worker, coordinator_b, submitted_work, chuping
):
    teacher = services.declare_relation(
        expert, person=expert.person, kind="teacher", other_person=worker
    )
    services.declare_relation(
        office, person=coordinator_b.person, kind="relative", other_person=expert.person
    )
    submitted_work(county_b, worker, title="徒弟的诗")
    submitted_work(county_b, coordinator_b.person, title="亲戚的诗")

    rounds.create_entries(office, chuping)

    pairs = _pairs(chuping)
    assert pairs[("徒弟的诗", "钱评审")] == [ConflictSource.RELATION]
    assert pairs[("亲戚的诗", "钱评审")] == [ConflictSource.RELATION]
    stored = Conflict.objects.get(entry__work__title="徒弟的诗", expert=expert.person)
    assert stored.relation == teacher
    assert "师" in stored.reason or "teacher" in stored.reason


def test_a_relation_to_a_unit_covers_its_works(
    office, linyi, committee, expert, county_b, worker, submitted_work, chuping
):
    services.declare_relation(office, person=expert.person, kind="colleague", other_unit=county_b)
    submitted_work(county_b, worker, title="罗庄诗")

    rounds.create_entries(office, chuping)

    assert _pairs(chuping)[("罗庄诗", "钱评审")] == [ConflictSource.RELATION]


def test_a_relation_declared_later_is_found_in_open_rounds(
    office, linyi, committee, expert, county_b, worker, submitted_work, chuping
):
    submitted_work(county_b, worker, title="罗庄诗")
    (entry,) = eligible_entries(office, chuping)
    open_with(office, chuping, [(entry, expert.person)])
    assert list(entries_for_expert(expert, chuping)) == [entry]

    services.declare_relation(
        expert, person=expert.person, kind="other", other_person=worker, reason="同一诗社社员"
    )

    assert list(entries_for_expert(expert, chuping)) == []
    # the office is told, once, to give the entry to someone else
    assert "作品初评" in Notification.objects.get(user=office).message


def test_other_relation_needs_a_reason(expert, worker):
    with pytest.raises(ValidationError) as refused:
        services.declare_relation(expert, person=expert.person, kind="other", other_person=worker)

    assert list(refused.value.message_dict) == ["reason"]


def test_withdrawing_a_relation_removes_its_conflicts(
    office, linyi, committee, expert, county_b, worker, submitted_work, chuping
):
    relation = services.declare_relation(
        expert, person=expert.person, kind="relative", other_person=worker
    )
    submitted_work(county_b, worker, title="罗庄诗")
    rounds.create_entries(office, chuping)
    assert ("罗庄诗", "钱评审") in _pairs(chuping)

    services.withdraw_relation(office, relation, reason="申报有误")

    assert ("罗庄诗", "钱评审") not in _pairs(chuping)
    assert AuditEntry.objects.filter(
        action=AuditAction.DELETE, content_type__model="conflict", note="申报有误"
    ).exists()


def test_dismissed_conflict_no_longer_blocks_and_needs_a_reason(
    office, linyi, committee, expert_conflicted, county_a, artist, submitted_work, chuping
):
    submitted_work(county_a, artist.person)
    (entry,) = eligible_entries(office, chuping)
    conflict = Conflict.objects.get(entry=entry, expert=expert_conflicted.person)
    with pytest.raises(ValidationError):
        services.assign(office, entry, expert_conflicted.person)
    with pytest.raises(ValidationError):
        services.dismiss_conflict(office, conflict, reason="")

    services.dismiss_conflict(office, conflict, reason="该专家已调离兰山区多年")
    services.assign(office, entry, expert_conflicted.person)
    rounds.open_round(office, chuping)

    assert list(entries_for_expert(expert_conflicted, chuping)) == [entry]
    conflict.refresh_from_db()
    assert (conflict.dismissed_by, conflict.dismiss_reason) == (office, "该专家已调离兰山区多年")
    entry_ = AuditEntry.objects.get(content_type__model="conflict", action="transition")
    assert entry_.note == "该专家已调离兰山区多年"
    assert Notification.objects.filter(user=expert_conflicted).exists()


def test_a_refresh_keeps_a_dismissal(
    office, linyi, committee, expert_conflicted, county_a, artist, submitted_work, chuping
):
    submitted_work(county_a, artist.person)
    (entry,) = eligible_entries(office, chuping)
    conflict = Conflict.objects.get(entry=entry, expert=expert_conflicted.person)
    services.dismiss_conflict(office, conflict, reason="已调离")

    services.refresh_conflicts(office, chuping)

    assert Conflict.objects.get(pk=conflict.pk).blocks is False


def test_nobody_dismisses_their_own_conflict(
    linyi, committee, office, expert_conflicted, county_a, artist, submitted_work, chuping
):
    from tests.factories import membership

    membership(expert_conflicted, linyi.owner_unit(), Role.OFFICE)  # also in the office
    submitted_work(county_a, artist.person)
    (entry,) = eligible_entries(office, chuping)
    conflict = Conflict.objects.get(entry=entry, expert=expert_conflicted.person)

    with pytest.raises(ValidationError):
        services.dismiss_conflict(expert_conflicted, conflict, reason="我没有利害关系")

    assert Conflict.objects.get(pk=conflict.pk).blocks


def test_an_expert_declares_a_conflict_during_the_review(
    office, linyi, committee, expert, county_b, worker, submitted_work, chuping
):
    submitted_work(county_b, worker)
    (entry,) = eligible_entries(office, chuping)
    open_with(office, chuping, [(entry, expert.person)])

    with pytest.raises(ValidationError):
        services.declare_conflict(expert, entry, reason=" ")
    conflict = services.declare_conflict(expert, entry, reason="作者是我的学生")

    assert (conflict.source, conflict.reason, conflict.declared_by) == (
        ConflictSource.DECLARED,
        "作者是我的学生",
        expert,
    )
    assert list(entries_for_expert(expert, chuping)) == []
    assert Notification.objects.filter(user=office, message__contains="作者是我的学生").exists()
    with pytest.raises(ValidationError):
        services.declare_conflict(expert, entry, reason="再次申报")


def test_only_an_assigned_expert_declares(
    office, linyi, committee, expert, county_b, worker, submitted_work, chuping
):
    submitted_work(county_b, worker)
    (entry,) = eligible_entries(office, chuping)

    with pytest.raises(ValidationError):
        services.declare_conflict(expert, entry, reason="作者是我的学生")


def test_units_round_conflicts_with_the_unit_under_review(
    office, linyi, committee, county_a, county_b
):
    danwei = file_round(linyi, "danwei")

    rounds.create_entries(office, danwei)

    assert _pairs(danwei) == {("兰山区", "孙回避"): [ConflictSource.UNIT]}


def test_find_reads_a_fixed_number_of_queries(
    django_assert_max_num_queries,
    office,
    linyi,
    committee,
    county_b,
    worker,
    submitted_work,
    chuping,
):
    for _ in range(5):
        submitted_work(county_b, worker)
    rounds.create_entries(office, chuping)

    with django_assert_max_num_queries(8):
        found = conflicts.find(chuping)

    assert found == {}
