"""The results part of the demo (wenyi/awards/demo.py), from approved tiers made here
(not by the review demo): each step of December 2014 only once its day has come,
nothing dated after the demo's today, and a second run changes nothing."""

import datetime

import pytest
from django.utils import timezone

from wenyi.awards import demo
from wenyi.awards.enums import ObjectionStatus, ResultsStatus
from wenyi.awards.models import Award, Objection, ObjectionFile, PublicNotice, Results
from wenyi.core.models import AuditEntry

day = datetime.date.fromisoformat


@pytest.fixture
def world(settings, office, office2, tiered):
    """The demo's logins (office draws, office2 approves) and approved tiers."""

    def build(today: str):
        settings.WENYI_TODAY = day(today)
        demo.build(tiered.campaign, day(today))

    return build


def _state():
    results = Results.objects.first()
    objection = Objection.objects.first()
    return (
        results.status if results else None,
        PublicNotice.objects.count(),
        objection.status if objection else None,
    )


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        ("2014-11-30", (None, 0, None)),
        ("2014-12-01", (ResultsStatus.APPROVED, 0, None)),
        ("2014-12-03", (ResultsStatus.NOTICE, 1, None)),
        ("2014-12-05", (ResultsStatus.NOTICE, 1, ObjectionStatus.RECEIVED)),
        ("2014-12-09", (ResultsStatus.NOTICE, 1, ObjectionStatus.DISMISSED)),
        ("2014-12-20", (ResultsStatus.FINAL, 1, ObjectionStatus.DISMISSED)),
    ],
)
def test_the_demo_is_built_as_of_its_today(world, today, expected):
    world(today)

    assert _state() == expected
    moments = [
        *Results.objects.values_list("drawn_at", "approved_at", "final_at"),
        *PublicNotice.objects.values_list("published_at", "created_at"),
        *Objection.objects.values_list("received_at", "investigated_at", "decided_at"),
    ]
    latest = max((m for row in moments for m in row if m), default=None)
    assert latest is None or timezone.localdate(latest) <= day(today)
    # (the tiers were approved on the fixtures' own day, 2014-12-01)
    awards = AuditEntry.objects.filter(content_type__app_label="awards")
    assert not awards.filter(at__date__gt=day(today)).exists()


def test_the_demo_results_are_drawn_and_approved_by_two_people(world, office, office2):
    world("2014-12-01")

    results = Results.objects.get()
    assert (results.drawn_by, results.approved_by) == (office, office2)
    assert Award.objects.filter(results=results).count() == 5


def test_the_demo_notice_and_objection(world, office):
    world("2014-12-20")

    notice = PublicNotice.objects.get()
    objection = Objection.objects.get()
    assert (notice.starts_on, notice.ends_on) == (day("2014-12-02"), day("2014-12-08"))
    assert objection.objector_kind == "unit" and objection.award.work_id
    assert objection.decision and objection.decided_by == office
    kinds = dict(ObjectionFile.objects.values_list("kind", "content_type"))
    assert kinds == {
        "seal": "image/png",
        "evidence": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
    assert Award.objects.filter(status="standing").count() == 5  # dismissed: all stand


def test_running_the_demo_again_changes_nothing(world):
    world("2014-12-20")
    before = (
        AuditEntry.objects.count(),
        ObjectionFile.objects.count(),
        Results.objects.get().version,
    )

    world("2014-12-20")

    after = (
        AuditEntry.objects.count(),
        ObjectionFile.objects.count(),
        Results.objects.get().version,
    )
    assert after == before


def test_a_later_today_carries_the_story_on(world):
    world("2014-12-03")
    world("2014-12-20")

    assert _state() == (ResultsStatus.FINAL, 1, ObjectionStatus.DISMISSED)
    assert Objection.objects.count() == 1


def test_without_approved_tiers_the_demo_makes_no_results(settings, office, office2, linyi):
    settings.WENYI_TODAY = day("2014-12-20")

    demo.build(linyi, day("2014-12-20"))

    assert not Results.objects.exists()
