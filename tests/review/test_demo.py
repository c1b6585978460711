"""The review part of `wenyi setup --demo` (issue 12, point 10; wenyi/review/demo.py):
built through the services as of WENYI_TODAY, nothing dated after it, once.

On 15 November 2014 the committee has closed 初评 (votes, second look, frozen results)
and works in 复评, the units' round and the rounds of individuals and art workers (all
four opened on 12 November); the demo expert has work waiting and one conflict
declared. On the demo's default day (16 September) none of it exists yet. The finished
review (December) is tested in test_demo_finished.py.
"""

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import models
from django.db.models import Max

from wenyi.campaigns.models import Campaign
from wenyi.core import todo
from wenyi.core.models import AuditEntry, Notification
from wenyi.orgs.enums import Role
from wenyi.orgs.models import Membership
from wenyi.review import rounds, scoring
from wenyi.review.enums import (
    AssignmentSource,
    ConflictSource,
    Eligibility,
    IneligibleReason,
    RelationKind,
    RoundStatus,
    ScoreStatus,
)
from wenyi.review.models import (
    Assignment,
    Committee,
    Conflict,
    Entry,
    Relation,
    Round,
    RoundResult,
    Score,
)
from wenyi.review.queries import entries_for_expert
from wenyi.site.demo import DEMO_CAMPAIGN, DEMO_TODAY
from wenyi.works.models import Work
from wenyi.works.queries import eligible

MID_NOVEMBER = datetime.date(2014, 11, 15)
EXPERTS = {"expert", *(f"expert{n}" for n in range(2, 8))}


def _demo(settings, day: datetime.date) -> tuple[Campaign, str]:
    settings.WENYI_TODAY = day
    out = StringIO()
    call_command("setup", demo=True, stdout=out)
    return Campaign.objects.get(slug=DEMO_CAMPAIGN), out.getvalue()


def _rounds(campaign) -> dict[str, Round]:
    return {r.key: r for r in Round.objects.filter(campaign=campaign)}


def _moments_after(day: datetime.date) -> list[str]:
    """Every stored moment of the app's own records that lies after `day` (review
    records, audit entries, notices included)."""
    late = []
    for model in apps.get_models():
        if not model.__module__.startswith("wenyi."):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateTimeField):
                newest = model.objects.aggregate(newest=Max(field.name))["newest"]
                if newest is not None and newest.astimezone().date() > day:
                    late.append(f"{model._meta.label}.{field.name} = {newest}")
    return late


def _rows() -> dict[str, int]:
    counts = {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model.__module__.startswith("wenyi.")
    }
    counts["auth.User"] = get_user_model().objects.count()
    return counts


def _user(username):
    return get_user_model().objects.select_related("person").get(username=username)


# -- mid-November ------------------------------------------------------------------------


def _assert_committee_and_supervisor(campaign, out: str) -> None:
    committee = Committee.objects.get(campaign=campaign)
    members = list(committee.members.select_related("user", "unit"))
    assert {p.user.username for p in members} == EXPERTS
    assert all(p.art_forms for p in members)
    assert len({p.unit_id for p in members}) >= 4  # the city and three counties
    supervisor = _user("supervisor")
    assert Membership.objects.filter(
        user=supervisor, role=Role.SUPERVISOR, unit__code=campaign.owner_unit_code
    ).exists()
    assert "supervisor" in out and "(supervisor)" in out
    kinds = sorted(Relation.objects.values_list("kind", flat=True))
    assert kinds == sorted([RelationKind.TEACHER_OR_STUDENT, RelationKind.RELATIVE])
    # each relation keeps its expert away from the works of that author
    for relation in Relation.objects.all():
        assert relation.declared_by == relation.person.user
        assert Conflict.objects.filter(relation=relation, source=ConflictSource.RELATION).exists()


def _assert_approval_round_closed(campaign, chuping: Round) -> None:
    assert chuping.status == RoundStatus.CLOSED
    entries = list(chuping.entries.select_related("work", "checked_by"))
    works = set(eligible(Work.objects.filter(campaign=campaign)).values_list("pk", flat=True))
    assert {e.work_id for e in entries} == works
    # the office checked every entry, none of its own (four eyes), two not eligible
    office = _user("office")
    assert {e.checked_by for e in entries} == {office}
    assert not any(rounds.is_own_item(e.checked_by, e) for e in entries)
    ineligible = [e for e in entries if e.eligibility == Eligibility.INELIGIBLE]
    assert sorted(e.ineligible_reason for e in ineligible) == sorted(
        [IneligibleReason.COPIED, IneligibleReason.OTHER]
    )
    assert all(e.eligibility_note for e in ineligible)
    # assigned automatically, every vote in, a second look at the rejected
    assignments = Assignment.objects.filter(entry__round=chuping)
    assert set(assignments.values_list("source", flat=True)) == {AssignmentSource.AUTO}
    assert assignments.filter(panel=2).exists()
    assert not assignments.exclude(score__status=ScoreStatus.SUBMITTED).exists()
    # frozen results: one per entry, some passed, some not
    results = RoundResult.objects.filter(round=chuping)
    assert results.count() == len(entries)
    assert 0 < results.filter(passed=True).count() < len(entries)
    assert not results.filter(passed=True, entry__eligibility=Eligibility.INELIGIBLE).exists()
    # and locked: nobody votes in a closed round
    voted = assignments.select_related("expert__user").first()
    with pytest.raises(ValidationError):
        scoring.save_draft(voted.expert.user, voted, version=voted.score.version, vote="yes")


def _assert_scoring_round_open(chuping: Round, fuping: Round) -> None:
    assert fuping.status == RoundStatus.OPEN
    passed = set(
        RoundResult.objects.filter(round=chuping, passed=True).values_list("entry__work", flat=True)
    )
    assert set(fuping.entries.values_list("work", flat=True)) == passed
    assert not fuping.entries.exclude(eligibility=Eligibility.ELIGIBLE).exists()
    assignments = Assignment.objects.filter(entry__round=fuping)
    assert set(assignments.values_list("source", flat=True)) == {AssignmentSource.AUTO}
    # the other experts have begun too
    others = Score.objects.filter(assignment__entry__round=fuping).exclude(
        assignment__expert__user__username="expert"
    )
    assert others.filter(status=ScoreStatus.SUBMITTED).exists()


def _assert_the_expert_has_work_and_a_conflict(fuping: Round) -> None:
    expert = _user("expert")
    person = expert.person
    (conflict,) = Conflict.objects.filter(expert=person)
    assert conflict.source == ConflictSource.DECLARED
    assert conflict.entry.round == fuping
    assert conflict.reason and conflict.declared_by == expert and conflict.blocks
    mine = Assignment.objects.filter(entry__round=fuping, expert=person)
    assert mine.filter(entry=conflict.entry).exists()  # still assigned: the office's to look
    waiting = entries_for_expert(expert, fuping)
    assert conflict.entry not in waiting
    states = [getattr(getattr(a, "score", None), "status", None) for a in mine]
    assert states.count(ScoreStatus.SUBMITTED) >= 1
    assert states.count(ScoreStatus.DRAFT) >= 1
    assert states.count(None) >= 2  # not started (the conflicted one among them)
    assert waiting.count() == len(states) - 1
    # their start page lists it
    counts = [i for i in todo.items(expert, fuping.campaign) if i.count]
    assert any(fuping.name in i.label for i in counts)


def _assert_unit_round_open(danwei: Round) -> None:
    from wenyi.review.rounds import subject_units

    assert danwei.status == RoundStatus.OPEN
    assert set(danwei.entries.values_list("unit", flat=True)) == set(
        subject_units(danwei).values_list("pk", flat=True)
    )
    pending = danwei.entries.filter(eligibility=Eligibility.PENDING)
    assert pending.count() == 2 and not Assignment.objects.filter(entry__in=pending).exists()
    for entry in danwei.entries.filter(eligibility=Eligibility.ELIGIBLE):
        assert entry.assignments.exists()


def _assert_people_rounds_open(found: dict[str, Round]) -> None:
    """优秀个人评审 and 优秀文艺工作者评审 opened on 12 November with the people
    `create_entries` takes; a share of the votes and places is in."""
    for key in ("geren", "wenyigongzuozhe"):
        round_ = found[key]
        assert round_.status == RoundStatus.OPEN
        assert set(round_.entries.values_list("person", flat=True)) == set(
            rounds.subject_people(round_).values_list("pk", flat=True)
        )
        assert not round_.entries.exclude(eligibility=Eligibility.ELIGIBLE).exists()
        assignments = Assignment.objects.filter(entry__round=round_)
        submitted = assignments.filter(score__status=ScoreStatus.SUBMITTED).count()
        assert 0 < submitted < assignments.count()
        assert not RoundResult.objects.filter(round=round_).exists()


def test_demo_in_mid_november_holds_the_review_under_way_and_twice_adds_nothing(db, settings):
    campaign, out = _demo(settings, MID_NOVEMBER)
    found = _rounds(campaign)

    _assert_committee_and_supervisor(campaign, out)
    _assert_approval_round_closed(campaign, found["chuping"])
    _assert_scoring_round_open(found["chuping"], found["fuping"])
    _assert_the_expert_has_work_and_a_conflict(found["fuping"])
    _assert_unit_round_open(found["danwei"])
    _assert_people_rounds_open(found)
    assert _moments_after(MID_NOVEMBER) == []
    assert AuditEntry.objects.filter(content_type__app_label="review").exists()
    assert Notification.objects.filter(user__username="expert").exists()

    # built again on the same day (sharing the ~10 s build with the checks above)
    before = _rows()
    _demo(settings, MID_NOVEMBER)
    assert _rows() == before


def test_demo_in_early_november_has_only_the_approval_round_open(db, settings):
    day = datetime.date(2014, 11, 5)
    campaign, _out = _demo(settings, day)
    found = _rounds(campaign)

    assert Committee.objects.filter(campaign=campaign).exists()
    assert found["chuping"].status == RoundStatus.OPEN
    votes = Assignment.objects.filter(entry__round=found["chuping"])
    submitted = votes.filter(score__status=ScoreStatus.SUBMITTED).count()
    assert 0 < submitted < votes.count()
    assert not votes.filter(panel=2).exists()
    assert not RoundResult.objects.exists()
    assert {found[k].status for k in ("fuping", "danwei")} == {RoundStatus.DRAFT}
    assert not Entry.objects.filter(round__key__in=["fuping", "danwei"]).exists()
    assert _moments_after(day) == []


def test_demo_on_its_default_day_holds_no_review(db, settings):
    campaign, out = _demo(settings, DEMO_TODAY)

    assert not Committee.objects.exists()
    for model in (Relation, Entry, Conflict, Assignment, Score, RoundResult):
        assert not model.objects.exists(), model
    assert len(_rounds(campaign)) == 5
    assert set(Round.objects.values_list("status", flat=True)) == {RoundStatus.DRAFT}
    # the audit holds only the rounds the campaign file made
    review = AuditEntry.objects.filter(content_type__app_label="review")
    assert not review.exclude(content_type__model__in=["round", "criterion"]).exists()
    # the logins are there (people, not review data), and the expert hears when it opens
    assert "supervisor" in out
    expert = _user("expert")
    items = todo.items(expert, campaign)
    assert [i.count for i in items if i.order < 10] == [0]
    (note,) = [i for i in items if i.order < 10]
    assert campaign.review_stage().start.isoformat() in note.note
