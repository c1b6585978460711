"""The committee and declared relations (wenyi/review/services.py): experts are people
with the expert role; every change audited, the experts told."""

import pytest
from django.core.exceptions import ValidationError

from tests.review.conftest import eligible_entries, file_round, open_with
from wenyi.core.enums import AuditAction, NoticeKind
from wenyi.core.models import AuditEntry, Notification
from wenyi.orgs.enums import Role
from wenyi.review import services
from wenyi.review.models import Committee, CommitteeMember, Relation
from wenyi.review.queries import experts_of


def test_committee_is_set_up_renamed_and_audited(office, linyi):
    services.set_up_committee(office, linyi, name="评审委员会")
    committee = services.set_up_committee(office, linyi, name="2014年评审委员会")
    services.set_up_committee(office, linyi, name="2014年评审委员会")

    assert Committee.objects.get() == committee and committee.name == "2014年评审委员会"
    actions = AuditEntry.objects.filter(content_type__model="committee").values_list(
        "action", flat=True
    )
    assert sorted(actions) == [AuditAction.CREATE, AuditAction.UPDATE]


def test_an_expert_joins_and_is_told(office, linyi, expert):
    services.set_up_committee(office, linyi, name="评审委员会")

    services.add_expert(office, linyi, expert.person)

    assert list(experts_of(linyi)) == [expert.person]
    notice = Notification.objects.get(user=expert)
    assert notice.kind == NoticeKind.ROLE and "评审委员会" in notice.message
    assert AuditEntry.objects.filter(content_type__model="committeemember").exists()


def test_only_people_with_the_expert_role_join(office, linyi, artist, expert):
    with pytest.raises(ValidationError):  # no committee yet
        services.add_expert(office, linyi, expert.person)
    services.set_up_committee(office, linyi, name="评审委员会")

    with pytest.raises(ValidationError) as refused:
        services.add_expert(office, linyi, artist.person)
    services.add_expert(office, linyi, expert.person)
    with pytest.raises(ValidationError):
        services.add_expert(office, linyi, expert.person)

    assert "赵文艺" in refused.value.messages[0]
    assert CommitteeMember.objects.count() == 1


def test_an_expert_with_work_in_an_open_round_stays(
    office, linyi, committee, expert, county_b, worker, submitted_work
):
    chuping = file_round(linyi, "chuping")
    submitted_work(county_b, worker)
    (entry,) = eligible_entries(office, chuping)
    open_with(office, chuping, [(entry, expert.person)])

    with pytest.raises(ValidationError):
        services.remove_expert(office, linyi, expert.person)
    services.unassign(office, entry.assignments.get(), reason="改派")
    services.remove_expert(office, linyi, expert.person)

    assert expert.person not in experts_of(linyi)


def test_a_relation_is_with_one_other_person_or_unit(expert, worker, county_b):
    with pytest.raises(ValidationError):
        services.declare_relation(expert, person=expert.person, kind="relative")
    with pytest.raises(ValidationError):
        services.declare_relation(
            expert, person=expert.person, kind="colleague", other_person=worker, other_unit=county_b
        )
    with pytest.raises(ValidationError):
        services.declare_relation(
            expert, person=expert.person, kind="relative", other_person=expert.person
        )
    services.declare_relation(expert, person=expert.person, kind="relative", other_person=worker)
    with pytest.raises(ValidationError):
        services.declare_relation(
            expert, person=expert.person, kind="relative", other_person=worker
        )

    relation = Relation.objects.get()
    assert (relation.declared_by, relation.kind) == (expert, "relative")
    assert AuditEntry.objects.filter(content_type__model="relation", action="create").count() == 1


def test_a_supervisor_is_no_expert_of_the_review(office, linyi, supervisor):
    from tests.factories import membership

    membership(supervisor, supervisor.person.unit, Role.EXPERT)
    services.set_up_committee(office, linyi, name="评审委员会")

    with pytest.raises(ValidationError) as refused:
        services.add_expert(office, linyi, supervisor.person)

    assert "周监督" in refused.value.messages[0]
    assert not CommitteeMember.objects.exists()


def test_supervisor_is_a_role():
    assert Role.SUPERVISOR == "supervisor"
    assert Role.SUPERVISOR.label == "supervisor" or Role.SUPERVISOR.label == "监督"
