"""The finished review of `wenyi setup --demo` (issue 13, point 8; wenyi/review/demo.py):
after 25 November every round of campaigns/linyi-2014.toml is closed with every score,
vote and place in; from 28 November each award kind has approved tiers drawn from the
last round of its subject, so the results can be drawn from them in December. Built
through the services as of WENYI_TODAY, nothing dated after it, once.
"""

import datetime

from django.contrib.contenttypes.models import ContentType

from tests.review.test_demo import _demo, _moments_after, _rounds, _rows, _user
from wenyi.campaigns.models import AwardKind
from wenyi.core.enums import AuditAction
from wenyi.core.models import AuditEntry
from wenyi.review import demo, rounds, tiers
from wenyi.review.enums import (
    AssignmentSource,
    ConflictSource,
    Eligibility,
    RoundKind,
    RoundStatus,
    ScoreStatus,
    TieringStatus,
)
from wenyi.review.models import (
    Assignment,
    Conflict,
    Placement,
    Round,
    RoundResult,
    Score,
    Tiering,
)

DECEMBER = datetime.date(2014, 12, 20)
BEFORE_TIERS = datetime.date(2014, 11, 27)


def _assert_every_round_closed_with_everything_in(found: dict[str, Round]) -> None:
    assert set(found) == {"chuping", "fuping", "danwei", "geren", "wenyigongzuozhe"}
    for round_ in found.values():
        assert round_.status == RoundStatus.CLOSED, round_.key
        assert round_.opened_at is not None and round_.closed_at is not None
        entries = round_.entries.all()
        assert entries.exists(), round_.key
        assert not entries.filter(eligibility=Eligibility.PENDING).exists(), round_.key
        # one frozen result per entry
        assert RoundResult.objects.filter(round=round_).count() == entries.count()
        # every assignment has its submitted score; no draft is left anywhere
        assignments = Assignment.objects.filter(
            entry__round=round_, entry__eligibility=Eligibility.ELIGIBLE
        )
        assert assignments.exists(), round_.key
        assert not assignments.exclude(score__status=ScoreStatus.SUBMITTED).exists(), round_.key
        # every eligible entry was judged by as many experts as the round asks
        for entry in entries.filter(eligibility=Eligibility.ELIGIBLE):
            judged = entry.assignments.filter(panel=1, score__status=ScoreStatus.SUBMITTED)
            assert judged.count() == round_.reviewers_per_item, (round_.key, entry.code)
    assert not Score.objects.filter(status=ScoreStatus.DRAFT).exists()
    # the units' round: every county taking part, checked
    assert set(found["danwei"].entries.values_list("unit", flat=True)) == set(
        rounds.subject_units(found["danwei"]).values_list("pk", flat=True)
    )


def _assert_people_rounds(found: dict[str, Round]) -> None:
    """The individuals and art workers: the people `create_entries` takes, voted on or
    placed by each expert (places 1 to m, each once)."""
    for key in ("geren", "wenyigongzuozhe"):
        round_ = found[key]
        people = set(rounds.subject_people(round_).values_list("pk", flat=True))
        assert len(people) >= 5, key
        assert set(round_.entries.values_list("person", flat=True)) == people
    artists = found["wenyigongzuozhe"]
    assert artists.kind == RoundKind.RANKING
    assert artists.entries.filter(person__user__username="artist").exists()
    places: dict[tuple[int, int], list[int]] = {}
    for score in Score.objects.filter(assignment__entry__round=artists).select_related(
        "assignment"
    ):
        key = (score.assignment.expert_id, score.assignment.panel)
        places.setdefault(key, []).append(score.rank)
    assert places
    for ranks in places.values():
        assert sorted(ranks) == list(range(1, len(ranks) + 1))
    individuals = RoundResult.objects.filter(round=found["geren"])
    assert 0 < individuals.filter(passed=True).count() < individuals.count()
    ranked = RoundResult.objects.filter(round=artists, rank__isnull=False)
    assert ranked.count() == artists.entries.count()


def _assert_the_expert_finished_and_the_conflict_was_decided(found: dict[str, Round]) -> None:
    expert = _user("expert")
    mine = Assignment.objects.filter(expert=expert.person)
    assert mine.filter(entry__round=found["fuping"]).exists()
    assert not mine.exclude(score__status=ScoreStatus.SUBMITTED).exists()
    # the conflict declared in 复评: upheld by the office, the work given to another
    (conflict,) = Conflict.objects.filter(expert=expert.person, source=ConflictSource.DECLARED)
    entry = conflict.entry
    assert entry.round == found["fuping"] and conflict.blocks
    assert not entry.assignments.filter(expert=expert.person).exists()
    (instead,) = entry.assignments.filter(source=AssignmentSource.MANUAL)
    assert instead.created_by == _user("office")
    assert instead.score.status == ScoreStatus.SUBMITTED
    assert not Conflict.objects.filter(entry=entry, expert=instead.expert).exists()
    withdrawn = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Assignment),
        action=AuditAction.DELETE,
        note=demo.UPHELD,
    )
    assert withdrawn.count() == 1


def _assert_every_award_kind_has_approved_tiers(campaign, found: dict[str, Round]) -> None:
    office = _user("office")
    kinds = list(AwardKind.objects.filter(campaign=campaign))
    assert {k.key for k in kinds} == {"unit", "individual", "artist", "work"}
    closing = {"unit": "danwei", "individual": "geren", "artist": "wenyigongzuozhe"}
    closing["work"] = "fuping"  # the last works round, not 初评
    for kind in kinds:
        (tiering,) = Tiering.objects.filter(award_kind=kind)
        assert tiering.round == found[closing[kind.key]]
        assert tiering.status == TieringStatus.APPROVED
        assert tiering.computed_by == office
        assert tiering.approved_by == _user("office2")  # four eyes
        assert tiering.computed_at is not None and tiering.approved_at is not None
        # a placement for every candidate of the ranking, some of them with a tier
        candidates = {result.entry_id for result, _rank in tiers.candidates_of(tiering.round)}
        placements = Placement.objects.filter(tiering=tiering)
        assert set(placements.values_list("entry", flat=True)) == candidates
        placed = placements.filter(tier__isnull=False)
        assert placed.exists(), kind.key
        assert not placements.filter(adjusted=True).exists()
        # as the rules say
        total = len(candidates)
        for rule in tiering.rules.select_related("tier"):
            wanted = demo.TIER_RULES[kind.key][rule.tier.key]
            assert (rule.by, int(rule.value)) == (wanted[0], wanted[1])
            assert placed.filter(tier=rule.tier).count() == tiers.places_of(rule, rule.tier, total)
        assert {r.tier.key for r in tiering.rules.select_related("tier")} == set(
            demo.TIER_RULES[kind.key]
        )
    # the works' best tier went to the best of 复评
    work = Tiering.objects.get(award_kind__key="work")
    best = RoundResult.objects.get(round=found["fuping"], rank=1)
    assert work.placements.get(entry=best.entry).tier.key == "yideng"
    audited = AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(Tiering))
    assert audited.filter(action=AuditAction.TRANSITION).count() == len(kinds)


def test_demo_in_december_holds_the_finished_review(db, settings):
    campaign, _out = _demo(settings, DECEMBER)
    found = _rounds(campaign)

    _assert_every_round_closed_with_everything_in(found)
    _assert_people_rounds(found)
    _assert_the_expert_finished_and_the_conflict_was_decided(found)
    _assert_every_award_kind_has_approved_tiers(campaign, found)
    assert _moments_after(DECEMBER) == []

    before = _rows()
    _demo(settings, DECEMBER)
    assert _rows() == before


def test_demo_before_the_tiers_day_has_closed_rounds_and_no_tiers(db, settings):
    campaign, _out = _demo(settings, BEFORE_TIERS)
    found = _rounds(campaign)

    assert {r.status for r in found.values()} == {RoundStatus.CLOSED}
    assert not Tiering.objects.exists()
    assert _moments_after(BEFORE_TIERS) == []
