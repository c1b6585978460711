"""Award tiers from a closed round's ranking (wenyi/review/tiers.py, review:tiers): by
number or share, capped by the tier's maximum, ties at a boundary kept together, a
lowest score that leaves a tier vacant (空缺); the office's adjustments need a reason
and are audited; every edit names its version."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.review.conftest import eligible_entries, file_round
from wenyi.campaigns.models import AwardKind, AwardTier
from wenyi.core.enums import AuditAction
from wenyi.core.models import AuditEntry
from wenyi.core.versioning import EditConflict
from wenyi.review import tiers
from wenyi.review.enums import RoundStatus, TierBasis, TieringStatus
from wenyi.review.models import Placement, Round, RoundResult, Tiering
from wenyi.review.tiers import Rule


def closed_with(office, linyi, county_b, worker, submitted_work, finals) -> tuple[Round, list]:
    """The file's 复评 standing alone and closed, one work per final score (best first
    as given; equal scores share a rank, as competition ranking does)."""
    fuping = file_round(linyi, "fuping")
    Round.objects.filter(pk=fuping.pk).update(source=None, advance="")
    fuping.refresh_from_db()
    for i in range(len(finals)):
        submitted_work(county_b, worker, title=f"作品{i}")
    entries = sorted(eligible_entries(office, fuping), key=lambda e: e.work.title)
    ranks, previous = [], None
    for index, final in enumerate(finals, start=1):
        ranks.append(index if final != previous else ranks[-1])
        previous = final
    RoundResult.objects.bulk_create(
        RoundResult(
            round=fuping,
            entry=entry,
            final=Decimal(final),
            raw=Decimal(final),
            n=5,
            rank=rank,
            computed_at=timezone.now(),
        )
        for entry, final, rank in zip(entries, finals, ranks, strict=True)
    )
    Round.objects.filter(pk=fuping.pk).update(status=RoundStatus.CLOSED)
    fuping.refresh_from_db()
    return fuping, entries


@pytest.fixture
def works_kind(linyi) -> AwardKind:
    """优秀文艺作品: 一等奖 (at most 5), 二等奖 (10), 三等奖 (20), 优秀奖 (30)."""
    return AwardKind.objects.get(campaign=linyi, key="work")


def tier(kind, key) -> AwardTier:
    return kind.tiers.get(key=key)


def placed(tiering) -> dict[str, list[str]]:
    """{tier name or "—": [work titles in rank order]}."""
    found: dict[str, list[str]] = {}
    for p in tiering.placements.select_related("tier", "entry__work", "entry__result").order_by(
        "entry__result__rank", "entry__work__title"
    ):
        found.setdefault(p.tier.name if p.tier else "—", []).append(p.entry.work.title)
    return found


@pytest.fixture
def ranking(office, linyi, county_b, worker, submitted_work):
    """Seven works: 95, 90, 88, 88, 80, 70, 60 (作品2 and 作品3 tie at rank 3)."""
    return closed_with(
        office, linyi, county_b, worker, submitted_work, [95, 90, 88, 88, 80, 70, 60]
    )


def _set(office, round_, kind, rules, version=0):
    return tiers.set_rules(office, round_, kind, rules, version=version)


# -- the cut ----------------------------------------------------------------------------


def test_tiers_by_count_keep_a_tie_at_the_boundary_together(office, ranking, works_kind):
    round_, _ = ranking
    tiering = _set(
        office,
        round_,
        works_kind,
        [
            Rule(tier(works_kind, "yideng"), TierBasis.COUNT, 1),
            Rule(tier(works_kind, "erdeng"), TierBasis.COUNT, 2),
            Rule(tier(works_kind, "sandeng"), TierBasis.COUNT, 2),
        ],
    )

    tiers.compute_tiers(office, tiering, version=tiering.version)

    # 二等奖's second place falls on the tie at 88: both go in (3 instead of 2)
    assert placed(tiering) == {
        "一等奖": ["作品0"],
        "二等奖": ["作品1", "作品2", "作品3"],
        "三等奖": ["作品4", "作品5"],
        "—": ["作品6"],
    }


def test_tiers_by_share_round_down(office, ranking, works_kind):
    round_, _ = ranking
    tiering = _set(
        office,
        round_,
        works_kind,
        [
            Rule(tier(works_kind, "yideng"), TierBasis.SHARE, "15"),  # 15 % of 7 = 1.05 → 1
            Rule(tier(works_kind, "erdeng"), TierBasis.SHARE, "14.28"),  # 0.9996 → 0
            Rule(tier(works_kind, "sandeng"), TierBasis.SHARE, "30"),  # 2.1 → 2
        ],
    )

    tiers.compute_tiers(office, tiering, version=tiering.version)

    assert placed(tiering) == {
        "一等奖": ["作品0"],
        "三等奖": ["作品1", "作品2", "作品3"],  # 2 places; the tie at the second goes in
        "—": ["作品4", "作品5", "作品6"],
    }


def test_a_tie_beyond_the_tiers_maximum_goes_to_the_next_tier():
    first = AwardTier(pk=1, name="一等奖", max_count=2, position=0)
    second = AwardTier(pk=2, name="二等奖", max_count=None, position=1)
    rules = {
        1: tiers.TierRule(tier=first, by=TierBasis.COUNT, value=Decimal(2)),
        2: tiers.TierRule(tier=second, by=TierBasis.COUNT, value=Decimal(5)),
    }
    candidates = [("a", 1, Decimal(95)), ("b", 2, Decimal(90)), ("c", 2, Decimal(90))]

    given, places = tiers.place(candidates, [first, second], rules)

    # 1 + the tied 2 would be 3 > at most 2: never cut a tie, so b and c go on together
    assert {k: v.name if v else None for k, v in given.items()} == {
        "a": "一等奖",
        "b": "二等奖",
        "c": "二等奖",
    }
    assert places == {1: 2, 2: 5}


def test_a_tier_below_its_lowest_score_stays_vacant(login, office, ranking, works_kind):
    round_, _ = ranking
    tiering = _set(
        office,
        round_,
        works_kind,
        [
            Rule(tier(works_kind, "yideng"), TierBasis.COUNT, 1, "96"),  # the best has 95
            Rule(tier(works_kind, "erdeng"), TierBasis.COUNT, 2, "85"),
            Rule(tier(works_kind, "sandeng"), TierBasis.COUNT, 5, "75"),
        ],
    )

    tiers.compute_tiers(office, tiering, version=tiering.version)

    assert placed(tiering) == {
        "二等奖": ["作品0", "作品1"],
        "三等奖": ["作品2", "作品3", "作品4"],
        "—": ["作品5", "作品6"],
    }
    page = login(office).get(reverse("review:tiers", args=[round_.pk])).content.decode()
    assert page.count('data-testid="vacant"') == 1  # 一等奖 空缺
    assert page.count('data-testid="vacant-places"') == 1  # 三等奖: 2 of 5 places vacant


def test_the_max_count_caps_a_rule(office, linyi, county_b, worker, submitted_work, works_kind):
    round_, _ = closed_with(
        office, linyi, county_b, worker, submitted_work, list(range(99, 91, -1))
    )
    tiering = _set(office, round_, works_kind, [Rule(tier(works_kind, "yideng"), "count", 7)])

    tiers.compute_tiers(office, tiering, version=tiering.version)

    assert len(placed(tiering)["一等奖"]) == 5


# -- rules ------------------------------------------------------------------------------


def test_set_rules_refuses_bad_rules_naming_the_tier(office, linyi, ranking, works_kind):
    round_, _ = ranking
    other = AwardKind.objects.get(campaign=linyi, key="unit")

    with pytest.raises(ValidationError) as refused:
        _set(
            office,
            round_,
            works_kind,
            [
                Rule(tier(works_kind, "yideng"), TierBasis.SHARE, 120),
                Rule(tier(works_kind, "erdeng"), TierBasis.COUNT, "2.5"),
                Rule(tier(works_kind, "sandeng"), TierBasis.COUNT, 3, "-1"),
                Rule(other.tiers.get(), TierBasis.COUNT, 1),
            ],
        )
    with pytest.raises(ValidationError) as wrong_kind:
        _set(office, round_, other, [])

    messages = refused.value.message_dict["rules"]
    assert len(messages) == 4
    assert ["一等奖" in messages[0], "二等奖" in messages[1], "三等奖" in messages[2]] == [True] * 3
    assert list(wrong_kind.value.message_dict) == ["award_kind"]
    assert not Tiering.objects.exists()


def test_rules_need_a_closed_round(office, linyi, works_kind):
    with pytest.raises(ValidationError):
        _set(office, file_round(linyi, "fuping"), works_kind, [])


def test_a_stale_version_is_refused(office, ranking, works_kind):
    round_, _ = ranking
    first = tier(works_kind, "yideng")
    tiering = _set(office, round_, works_kind, [Rule(first, "count", 1)])
    opened = tiering.version
    _set(office, round_, works_kind, [Rule(first, "count", 2)], version=opened)

    with pytest.raises(EditConflict):
        _set(office, round_, works_kind, [Rule(first, "count", 3)], version=opened)
    with pytest.raises(EditConflict):
        tiers.compute_tiers(office, tiering, version=opened)
    with pytest.raises(EditConflict):  # a second "first save" from another tab
        _set(office, round_, works_kind, [Rule(first, "count", 3)], version=0)

    assert tiering.rules.get().value == 2


# -- adjustments and approval ----------------------------------------------------------


@pytest.fixture
def computed(office, ranking, works_kind):
    round_, _ = ranking
    tiering = _set(
        office,
        round_,
        works_kind,
        [
            Rule(tier(works_kind, "yideng"), "count", 1),
            Rule(tier(works_kind, "erdeng"), "count", 1),
        ],
    )
    return tiers.compute_tiers(office, tiering, version=tiering.version)


def test_an_adjustment_needs_a_reason_and_is_audited(office, computed, works_kind):
    tiering = computed
    second = tiering.placements.get(entry__work__title="作品1")

    with pytest.raises(ValidationError):
        tiers.adjust(
            office, second, tier(works_kind, "yideng"), reason=" ", version=tiering.version
        )
    tiers.adjust(
        office,
        second,
        tier(works_kind, "yideng"),
        reason="评委会复议后一致同意提升",
        version=tiering.version,
    )

    second.refresh_from_db()
    assert (second.tier.key, second.computed_tier.key, second.adjusted, second.adjusted_by) == (
        "yideng",
        "erdeng",
        True,
        office,
    )
    entry = AuditEntry.objects.get(
        content_type__model="placement", object_id=str(second.pk), action=AuditAction.UPDATE
    )
    assert entry.note == "评委会复议后一致同意提升"
    assert entry.actor == office


def test_an_adjustment_from_an_old_tab_is_refused(office, computed, works_kind):
    tiering = computed
    opened = tiering.version
    first, second = (tiering.placements.get(entry__work__title=t) for t in ("作品0", "作品1"))
    tiers.adjust(office, first, None, reason="材料不实", version=opened)

    with pytest.raises(EditConflict):
        tiers.adjust(office, second, None, reason="再调", version=opened)

    second.refresh_from_db()
    assert second.tier.key == "erdeng"


def test_whoever_placed_or_adjusted_the_tiers_does_not_approve_them(
    office, office2, computed, works_kind
):
    tiering = computed
    with pytest.raises(ValidationError, match="另一位|another member"):
        tiers.approve(office, tiering, version=tiering.version)
    placement = tiering.placements.get(entry__work__title="作品1")
    tiers.adjust(office2, placement, None, reason="材料不实", version=tiering.version)
    tiering.refresh_from_db()
    with pytest.raises(ValidationError):
        tiers.approve(office2, tiering, version=tiering.version)
    tiering.refresh_from_db()
    assert tiering.status == TieringStatus.DRAFT


def test_approved_tiers_no_longer_change(office, office2, computed, works_kind):
    tiering = computed
    tiers.approve(office2, tiering, version=tiering.version)
    tiering.refresh_from_db()

    with pytest.raises(ValidationError):
        tiers.approve(office2, tiering, version=tiering.version)
    with pytest.raises(ValidationError):
        tiers.compute_tiers(office, tiering, version=tiering.version)
    with pytest.raises(ValidationError):
        tiers.adjust(office, tiering.placements.first(), None, reason="x", version=tiering.version)

    assert tiering.status == TieringStatus.APPROVED and tiering.approved_by == office2


def test_computing_again_replaces_adjustments_and_says_so(office, computed, works_kind):
    tiering = computed
    placement = tiering.placements.get(entry__work__title="作品1")
    tiers.adjust(office, placement, None, reason="材料不实", version=tiering.version)
    tiering.refresh_from_db()

    tiers.compute_tiers(office, tiering, version=tiering.version)

    assert not Placement.objects.filter(tiering=tiering, adjusted=True).exists()
    last = AuditEntry.objects.filter(content_type__model="tiering").order_by("-id").first()
    assert "1" in last.note


# -- the page ---------------------------------------------------------------------------


def _url(round_, action=None, kind="work"):
    if action:
        return reverse("review:tiers_action", args=[round_.pk, kind, action])
    return reverse("review:tiers", args=[round_.pk]) + f"?kind={kind}"


def test_office_sets_rules_computes_and_adjusts_from_the_page(login, office, ranking, works_kind):
    round_, _ = ranking
    client = login(office)
    ids = {t.key: t.pk for t in works_kind.tiers.all()}
    rules = {"version": 0, f"by_{ids['yideng']}": "count", f"value_{ids['yideng']}": "1"}
    rules |= {f"by_{ids['erdeng']}": "share", f"value_{ids['erdeng']}": "30"}

    page = client.get(_url(round_))
    saved = client.post(_url(round_, "rules"), rules)
    tiering = Tiering.objects.get()
    client.post(_url(round_, "compute"), {"version": tiering.version})
    again = client.post(_url(round_, "compute"), {"version": tiering.version})  # second click
    tiering.refresh_from_db()
    placement = tiering.placements.get(entry__work__title="作品1")
    no_reason = {"placement": placement.pk, "version": tiering.version, "tier": ids["yideng"]}
    client.post(_url(round_, "adjust"), no_reason)
    adjusted = client.post(_url(round_, "adjust"), no_reason | {"reason": "复议"})
    shown = client.get(_url(round_)).content.decode()

    assert page.status_code == 200 and 'data-testid="tier-rules"' in page.content.decode()
    assert saved.status_code == 302
    assert placed(tiering)["二等奖"] == ["作品2", "作品3"]  # 30 % of 7 = 2 places
    assert [m.level_tag for m in get_messages(adjusted.wsgi_request)] == [
        "success",
        "success",
        "error",
        "error",
        "success",
    ]
    assert again.status_code == 302
    placement.refresh_from_db()
    assert placement.tier_id == ids["yideng"] and placement.adjusted
    assert shown.count('data-testid="adjusted"') == 1


def test_a_bad_rule_shows_the_form_again_with_the_reason(login, office, ranking, works_kind):
    round_, _ = ranking
    first = works_kind.tiers.get(key="yideng")

    response = login(office).post(
        _url(round_, "rules"), {"version": 0, f"by_{first.pk}": "share", f"value_{first.pk}": "150"}
    )

    assert response.status_code == 200
    assert "一等奖" in response.content.decode()
    assert response.context["form"].errors
    assert not Tiering.objects.exists()


def test_supervisor_reads_tiers_without_forms(login, office, supervisor, computed):
    round_ = computed.round
    client = login(supervisor)

    page = client.get(_url(round_)).content.decode()
    refused = client.post(_url(round_, "compute"), {"version": computed.version})

    main = page.split('id="main"')[1].split("</main>")[0]
    assert "<form" not in main
    assert 'data-testid="placement"' in main
    assert refused.status_code == 403


def test_tiers_page_before_close_says_so(login, office, linyi):
    response = login(office).get(_url(file_round(linyi, "fuping")))

    assert 'data-testid="tiers-not-yet"' in response.content.decode()


def test_tiers_page_query_count_does_not_grow(
    login, office, linyi, county_b, worker, submitted_work, works_kind
):
    round_, entries = closed_with(office, linyi, county_b, worker, submitted_work, [90, 80, 70])
    tiering = _set(office, round_, works_kind, [Rule(tier(works_kind, "yideng"), "count", 2)])
    tiers.compute_tiers(office, tiering, version=tiering.version)
    client = login(office)
    client.get(_url(round_))
    with CaptureQueriesContext(connection) as three:
        client.get(_url(round_))
    Placement.objects.exclude(entry=entries[0]).delete()
    RoundResult.objects.exclude(entry=entries[0]).delete()

    with CaptureQueriesContext(connection) as one:
        client.get(_url(round_))

    assert len(one) == len(three)


def test_an_approval_round_places_who_passed_by_yes_votes_and_takes_no_lowest_score(
    office, linyi, county_b, worker, submitted_work, works_kind
):
    chuping = file_round(linyi, "chuping")
    for i in range(3):
        submitted_work(county_b, worker, title=f"作品{i}")
    entries = sorted(eligible_entries(office, chuping), key=lambda e: e.work.title)
    votes = [(3, True), (2, True), (1, False)]
    RoundResult.objects.bulk_create(
        RoundResult(
            round=chuping,
            entry=e,
            yes_votes=yes,
            no_votes=3 - yes,
            passed=ok,
            n=3,
            computed_at=timezone.now(),
        )
        for e, (yes, ok) in zip(entries, votes, strict=True)
    )
    Round.objects.filter(pk=chuping.pk).update(status=RoundStatus.CLOSED)

    with pytest.raises(ValidationError):
        _set(office, chuping, works_kind, [Rule(tier(works_kind, "yideng"), "count", 1, "80")])
    tiering = _set(office, chuping, works_kind, [Rule(tier(works_kind, "yideng"), "count", 5)])
    tiers.compute_tiers(office, tiering, version=tiering.version)

    assert placed(tiering) == {"一等奖": ["作品0", "作品1"]}
