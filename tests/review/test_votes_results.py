"""The public vote feeding a round's results (wenyi.review.votes.blend_results): the
weights applied at close with exact numbers, the parts kept apart and shown on the
results page and its export, the ranking by the blended score (ties by the experts'
rank), and the round refusing to close while the vote is open or held votes wait. A
round without a vote is unchanged.

The vote (tests/review/voting.py) feeds the 2014 复评 round (fuping, out of 100) with
experts 60 %, online 30 %, on-site 10 %. Three judges score each work; every criterion
but 思想性 gets the same values (50 in all), so a work's experts' score is 思想性 + 50.
"""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.review.test_results_views import open_scoring_round
from tests.review.voting import AFTER
from wenyi.review import rounds, votes
from wenyi.review.models import RoundResult

ADDRESS = "203.0.113.7"


def _cast(vote, work, n, *, first=0):
    """n counted ballots for `work`, each by another phone, from no address."""
    for i in range(first, first + n):
        voter = votes.Voter(key=votes.phone_key(f"1370000{work.pk:02d}{i:02d}"))
        votes.cast_ballot(vote, work, voter, None)


def _results(round_) -> list[tuple]:
    return [
        (r.entry.work.title, r.rank, r.final, r.expert, r.online_votes, r.online, r.onsite)
        for r in RoundResult.objects.filter(round=round_)
        .select_related("entry__work")
        .order_by("rank", "entry_id")
    ]


@pytest.fixture
def three(voting, office, linyi, committee, county_b, worker, submitted_work):
    """The vote's round open with 甲 80, 乙 70, 丙 60 from the experts (3 judges each)."""
    round_, entries, _panel = open_scoring_round(
        office, linyi, county_b, worker, submitted_work, [[30] * 3, [20] * 3, [10] * 3]
    )
    works = [e.work for e in entries]
    for work, title in zip(works, ["甲", "乙", "丙"], strict=True):
        work.title = title
        work.save(update_fields=["title"])
    return round_, works


def test_the_weights_make_the_final_score(three, voting, office, settings):
    """online 1 / 4 / 2 (most 4), on-site 10 / 0 / 5 (most 10), out of 100:
    甲 0.6 × 80 + 0.3 × 25  + 0.1 × 100 = 65.50
    乙 0.6 × 70 + 0.3 × 100 + 0.1 × 0   = 72.00
    丙 0.6 × 60 + 0.3 × 50  + 0.1 × 50  = 56.00"""
    round_, (jia, yi, bing) = three
    _cast(voting, jia, 1)
    _cast(voting, yi, 4)
    _cast(voting, bing, 2)
    votes.set_onsite_counts(office, voting, {jia.pk: 10, bing.pk: 5})
    settings.WENYI_TODAY = AFTER

    rounds.close_round(office, round_)

    six = Decimal("0.000001")
    assert _results(round_) == [
        ("乙", 1, Decimal("72.00"), Decimal("70.00"), 4, Decimal("100").quantize(six), Decimal(0)),
        ("甲", 2, Decimal("65.50"), Decimal("80.00"), 1, Decimal("25").quantize(six), Decimal(100)),
        ("丙", 3, Decimal("56.00"), Decimal("60.00"), 2, Decimal("50").quantize(six), Decimal(50)),
    ]
    assert RoundResult.objects.get(entry__work=jia).onsite_votes == 10


def test_held_and_rejected_votes_do_not_count(three, voting, office, settings):
    """甲 2 counted + 2 held and rejected (from one busy address), 乙 1 + 3 counted: 乙's
    online score is 100, 甲's 50."""
    round_, (jia, yi, _bing) = three
    _cast(voting, jia, 2)
    _cast(voting, yi, 1)
    people = [votes.Voter(key=votes.phone_key(f"1350000{i:04d}")) for i in range(6)]
    for voter in people[:3]:
        votes.cast_ballot(voting, yi, voter, ADDRESS)  # counted: below the threshold
    held = [votes.cast_ballot(voting, jia, v, ADDRESS, challenged=True) for v in people[3:5]]
    votes.reject_ballots(office, voting, ids=[b.pk for b in held])
    settings.WENYI_TODAY = AFTER

    rounds.close_round(office, round_)

    by_title = {row[0]: row for row in _results(round_)}
    assert by_title["甲"][4:6] == (2, Decimal("50.000000"))
    assert by_title["乙"][4:6] == (4, Decimal("100.000000"))


def test_equal_blended_scores_go_by_the_experts_rank(three, voting, office, settings):
    """甲 0.6 × 80 + 0.3 × 80 = 72 and 乙 0.6 × 70 + 0.3 × 100 = 72: 甲 first, the
    experts ranked it higher."""
    round_, (jia, yi, bing) = three
    _cast(voting, jia, 4)
    _cast(voting, yi, 5)
    settings.WENYI_TODAY = AFTER

    rounds.close_round(office, round_)

    assert [(row[0], row[1], row[2]) for row in _results(round_)] == [
        ("甲", 1, Decimal("72.00")),
        ("乙", 2, Decimal("72.00")),
        ("丙", 3, Decimal("36.00")),
    ]


def test_a_third_is_kept_to_six_decimals_and_the_sum_rounds_half_up(
    three, voting, office, settings
):
    """乙 1 vote of 3: 33.333333 online; 0.6 × 70 + 0.3 × 100/3 = 52 exactly (computed
    in fractions, not from the rounded part); 甲 3 of 3: 0.6 × 80 + 30 = 78."""
    round_, (jia, yi, _bing) = three
    _cast(voting, jia, 3)
    _cast(voting, yi, 1)
    settings.WENYI_TODAY = AFTER

    rounds.close_round(office, round_)

    by_title = {row[0]: row for row in _results(round_)}
    assert by_title["乙"][2] == Decimal("52.00")
    assert by_title["乙"][5] == Decimal("33.333333")
    assert by_title["甲"][2] == Decimal("78.00")


def test_no_votes_at_all_leave_the_experts_share(three, voting, office, settings):
    round_, _works = three
    settings.WENYI_TODAY = AFTER

    rounds.close_round(office, round_)

    assert [(row[0], row[2], row[4], row[5]) for row in _results(round_)] == [
        ("甲", Decimal("48.00"), 0, Decimal(0)),
        ("乙", Decimal("42.00"), 0, Decimal(0)),
        ("丙", Decimal("36.00"), 0, Decimal(0)),
    ]


def test_the_round_does_not_close_while_the_vote_is_open(three, voting, office):
    round_, _works = three

    with pytest.raises(ValidationError) as caught:
        rounds.close_round(office, round_)

    assert caught.value.messages == [
        "计入本轮的公众投票到 2014-11-20 20:00 才结束，请在投票结束后再结束本轮。"
    ]
    round_.refresh_from_db()
    assert round_.status == "open"


def test_the_round_does_not_close_while_held_votes_wait(three, voting, office, settings):
    round_, (jia, _yi, _bing) = three
    people = [votes.Voter(key=votes.phone_key(f"1350000{i:04d}")) for i in range(4)]
    for voter in people[:3]:
        votes.cast_ballot(voting, jia, voter, ADDRESS)
    votes.cast_ballot(voting, jia, people[3], ADDRESS, challenged=True)
    settings.WENYI_TODAY = AFTER

    with pytest.raises(ValidationError) as caught:
        rounds.close_round(office, round_)
    votes.count_ballots(office, voting, address=ADDRESS)
    rounds.close_round(office, round_)

    assert caught.value.messages == ["还有 1 张待核对的投票，请先计入或作废，再结束本轮。"]
    assert _results(round_)[0][4] == 4


def test_decisions_and_onsite_counts_wait_for_a_reopened_round(three, voting, office, settings):
    round_, (jia, _yi, _bing) = three
    settings.WENYI_TODAY = AFTER
    rounds.close_round(office, round_)

    with pytest.raises(ValidationError) as caught:
        votes.set_onsite_counts(office, voting, {jia.pk: 3})

    assert "作品复评已结束" in caught.value.messages[0]


def test_a_round_without_a_vote_is_unchanged(
    office, linyi, committee, county_b, worker, submitted_work
):
    round_, entries, _panel = open_scoring_round(
        office, linyi, county_b, worker, submitted_work, [[30] * 3, [20] * 3]
    )

    rounds.close_round(office, round_)

    results = list(RoundResult.objects.filter(round=round_).order_by("rank"))
    assert [(r.rank, r.final) for r in results] == [(1, Decimal("80.00")), (2, Decimal("70.00"))]
    assert {(r.expert, r.online_votes, r.online, r.onsite_votes, r.onsite) for r in results} == {
        (None, None, None, None, None)
    }


# -- the pages ------------------------------------------------------------------------------


def test_the_results_page_shows_the_parts_apart(three, voting, office, settings, login):
    round_, (jia, yi, bing) = three
    _cast(voting, jia, 1)
    _cast(voting, yi, 4)
    _cast(voting, bing, 2)
    votes.set_onsite_counts(office, voting, {jia.pk: 10, bing.pk: 5})
    settings.WENYI_TODAY = AFTER
    rounds.close_round(office, round_)

    response = login(office).get(reverse("review:results", args=[round_.pk]))

    page = response.content.decode()
    assert 'data-testid="vote-note"' in page
    assert page.count('data-testid="part-experts"') == 3
    assert "（4 票）" in page and "100.00" in page
    assert page.count('data-testid="part-onsite"') == 3


def test_the_export_has_the_parts(three, voting, office, settings, login):
    from openpyxl import load_workbook

    round_, (jia, yi, bing) = three
    _cast(voting, yi, 2)
    settings.WENYI_TODAY = AFTER
    rounds.close_round(office, round_)

    response = login(office).get(reverse("review:results_export", args=[round_.pk]))

    sheet = load_workbook(io.BytesIO(response.content)).active
    head = [c.value for c in sheet[1]]
    assert head[4:10] == [
        "最终得分",
        "专家评分",
        "网络票数",
        "网络投票得分",
        "现场票数",
        "现场投票得分",
    ]
    first = [c.value for c in sheet[2]]
    assert first[4:10] == [72, 70, 2, 100, 0, 0]
