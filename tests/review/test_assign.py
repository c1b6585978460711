"""The reviewer-assignment engine (wenyi.review.assign): examples for every rule and
problem code, and property tests on random small rounds against a brute force that
enumerates every possible assignment."""

import itertools
import math
import random
from collections import Counter

import hypothesis
import numpy as np
import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import strategies as st

from wenyi.review.assign import (
    AssignmentResult,
    Expert,
    Item,
    ProblemCode,
    assign_reviewers,
)

# the autouse settings fixture of tests/conftest.py is function-scoped; these tests
# do not touch it, so hypothesis may reuse it between examples
properties = hypothesis.settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def codes(result: AssignmentResult) -> Counter:
    return Counter(p.code for p in result.problems)


def expert_pairs(result, items, experts) -> int:
    form = {it.id: it.art_form for it in items}
    forms = {ex.id: ex.art_forms for ex in experts}
    return sum(1 for i, e in result.pairs if form[i] is None or form[i] in forms[e])


def check_rules(result, items, experts, r, forbidden=(), fixed=()):
    """What must hold of every result: distinct reviewers, no forbidden pair, no more
    than R unless manual pairs say so, manual pairs kept, loads and match consistent."""
    forbidden = set(forbidden)
    assert {i for i, _ in result.pairs} <= {it.id for it in items}
    assert len(set(result.pairs)) == len(result.pairs)
    assert not set(result.pairs) & forbidden
    assert set(fixed) - forbidden <= set(result.pairs)
    fixed_count = Counter(i for i, e in set(fixed) - forbidden)
    for it in items:
        assert len(result.reviewers[it.id]) <= max(r, fixed_count[it.id])
    assert result.loads == {ex.id: Counter(e for _, e in result.pairs)[ex.id] for ex in experts}
    for ex in experts:
        if ex.capacity is not None:
            assert result.loads[ex.id] <= max(ex.capacity, Counter(e for _, e in fixed)[ex.id])
    if items:
        assert result.min_match == pytest.approx(min(result.match.values()))
        assert result.mean_match == pytest.approx(sum(result.match.values()) / len(items))


# --- examples ------------------------------------------------------------------------


def test_assign_every_item_gets_r_distinct_experts_of_its_art_form():
    rng = random.Random(7)
    forms = ["小说", "诗词", "书法", "美术"]
    items = [Item(n, forms[n % 4]) for n in range(120)]
    experts = [Expert(f"e{k}", {forms[k % 4], forms[(k + 1) % 4]}) for k in range(16)]
    forbidden = {(n, f"e{k}") for n in range(120) for k in range(16) if rng.random() < 0.05}

    result = assign_reviewers(items, experts, 3, forbidden=forbidden)

    check_rules(result, items, experts, 3, forbidden)
    assert all(len(result.reviewers[it.id]) == 3 for it in items)
    assert expert_pairs(result, items, experts) == 360  # nobody outside their art form
    assert result.min_match == 1.0 and result.mean_match == 1.0
    assert result.balance == (22, 23)  # 360 reviews / 16 experts
    assert result.load_spread <= 1
    assert result.problems == ()


def test_assign_item_with_too_few_allowed_experts_is_named_and_others_still_get_r():
    items = [Item("w1"), Item("w2"), Item("w3")]
    experts = [Expert("a"), Expert("b"), Expert("c"), Expert("d")]
    forbidden = {("w2", "a"), ("w2", "b"), ("w2", "c")}

    result = assign_reviewers(items, experts, 2, forbidden=forbidden)

    assert result.reviewers["w2"] == ("d",)
    assert len(result.reviewers["w1"]) == len(result.reviewers["w3"]) == 2
    assert [p.as_tuple() for p in result.problems] == [("too_few_experts", "w2", 1, 2)]
    assert result.match["w2"] == 0.5  # one of two reviewers missing


def test_assign_fixed_pairs_are_kept_and_count_towards_load():
    items = [Item(n, "书法") for n in range(6)]
    experts = [Expert(k, {"书法"}) for k in "abc"]
    fixed = [(0, "a"), (0, "b"), (1, "a")]

    result = assign_reviewers(items, experts, 2, fixed=fixed)

    assert set(fixed) <= set(result.pairs)
    assert result.reviewers[0] == ("a", "b")  # nothing added to a full item
    assert sorted(result.loads.values()) == [4, 4, 4]
    assert result.problems == ()


def test_assign_forbidden_fixed_pair_is_dropped_and_reported():
    items = [Item(1), Item(2)]
    experts = [Expert("a"), Expert("b"), Expert("c")]

    result = assign_reviewers(items, experts, 1, forbidden={(1, "a")}, fixed=[(1, "a")])

    assert (1, "a") not in result.pairs
    assert len(result.reviewers[1]) == 1
    assert [p.as_tuple() for p in result.problems] == [("fixed_pair_forbidden", 1, "a")]


def test_assign_more_fixed_pairs_than_r_are_kept_and_reported():
    items = [Item(1), Item(2)]
    experts = [Expert(k) for k in "abcd"]

    result = assign_reviewers(items, experts, 1, fixed=[(1, "a"), (1, "b")])

    assert result.reviewers[1] == ("a", "b")
    assert len(result.reviewers[2]) == 1
    assert [p.as_tuple() for p in result.problems] == [("too_many_fixed", 1, 2, 1)]


def test_assign_uses_non_experts_only_for_the_art_form_lacking_experts():
    items = [Item(n, "小说") for n in range(4)] + [Item(n, "舞蹈") for n in range(4, 6)]
    experts = [Expert(k, {"小说"}) for k in "abcd"] + [Expert("e", {"摄影"})]

    result = assign_reviewers(items, experts, 2, non_expert_affinity=0.25)

    for n in range(4):
        assert "e" not in result.reviewers[n]  # novels keep their experts
    for n in (4, 5):
        assert result.match[n] == 0.25
    assert result.min_match == 0.25
    found = [p.as_tuple() for p in result.problems]
    assert found == [
        ("no_expert_for_art_form", 4, "舞蹈", 0),
        ("no_expert_for_art_form", 5, "舞蹈", 0),
    ]


def test_assign_reports_conflicted_art_form_experts_and_the_busy_ones():
    # one painter is conflicted with work 0: it can have one painter at most
    items = [Item(0, "美术"), Item(1, "美术"), Item(2, "诗词")]
    experts = [Expert("p", {"美术"}), Expert("q", {"美术"}), Expert("x"), Expert("y")]

    result = assign_reviewers(items, experts, 2, forbidden={(0, "q")})

    assert ("few_art_form_experts", 0, "美术", 1, 2) in [p.as_tuple() for p in result.problems]
    assert "p" in result.reviewers[0]  # its one painter is not given away
    assert result.reviewers[1] == ("p", "q")
    assert result.load_spread <= 1


def test_assign_balance_wins_over_expertise_and_says_so():
    # 6 works of one form, 2 experts of it and 2 outsiders: balance gives each 3
    items = [Item(n, "歌曲") for n in range(6)]
    experts = [Expert("a", {"歌曲"}), Expert("b", {"歌曲"}), Expert("x"), Expert("y")]

    result = assign_reviewers(items, experts, 2)

    assert result.loads == {"a": 3, "b": 3, "x": 3, "y": 3}
    assert result.min_match == 0.5  # every work keeps one expert: the worst-off is fair
    assert codes(result)[ProblemCode.ART_FORM_EXPERTS_BUSY] == 6

    relaxed = assign_reviewers(items, experts, 2, load_slack=3)

    assert relaxed.min_match == 1.0
    assert relaxed.problems == ()


def test_assign_impossible_balance_is_relaxed_only_where_needed_and_reported():
    items = [Item(n) for n in range(6)]
    experts = [Expert(k) for k in "abc"]
    forbidden = {(n, "c") for n in range(5)}  # c may review item 5 only

    result = assign_reviewers(items, experts, 2, forbidden=forbidden)

    assert result.loads == {"a": 6, "b": 5, "c": 1} or result.loads == {"a": 5, "b": 6, "c": 1}
    found = {p.expert: p.as_tuple() for p in result.problems}
    assert found["c"] == ("load_outside_balance", "c", 1, 4, 4)
    assert len(found) == 3
    assert all(len(result.reviewers[n]) == 2 for n in range(6))


def test_assign_respects_capacities_and_water_fills_the_rest():
    items = [Item(n) for n in range(10)]
    experts = [Expert("small", capacity=2), Expert("a"), Expert("b"), Expert("c")]

    result = assign_reviewers(items, experts, 2)

    assert result.loads["small"] == 2
    assert sorted(result.loads[k] for k in "abc") == [6, 6, 6]
    assert result.balance == (6, 6)
    assert result.load_spread == 0  # among the experts not held back by their capacity


def test_assign_capacity_too_small_is_reported_with_the_shortfall():
    items = [Item(n) for n in range(5)]
    experts = [Expert("a", capacity=3), Expert("b", capacity=3)]

    result = assign_reviewers(items, experts, 2)

    assert len(result.pairs) == 6
    assert result.problems[0].as_tuple() == ("capacity_too_small", 6, 10)
    short = [p for p in result.problems if p.code == ProblemCode.ITEM_SHORT]
    assert sum(p.params["possible"] - p.params["assigned"] for p in short) == 4


def test_assign_never_uses_non_experts_when_told_so():
    items = [Item(0, "摄影"), Item(1, "摄影")]
    experts = [Expert("a", {"摄影"}), Expert("x"), Expert("y")]

    result = assign_reviewers(items, experts, 2, non_expert_affinity=None)

    assert result.pairs == ((0, "a"), (1, "a"))
    assert codes(result)[ProblemCode.TOO_FEW_EXPERTS] == 2
    assert codes(result)[ProblemCode.FEW_ART_FORM_EXPERTS] == 2


def test_assign_with_a_callers_affinity_maximises_the_worst_item_then_the_total():
    items = [Item(0), Item(1)]
    experts = [Expert("a"), Expert("b")]
    # the largest total (1.0 + 0.2) leaves item 0 with 0.2; the fair answer gives both
    # a reviewer of at least 0.5 (0.6 + 0.5)
    matrix = np.array([[0.6, 0.2], [1.0, 0.5]])

    fair = assign_reviewers(items, experts, 1, affinity=matrix, expert_threshold=0.5)
    same = assign_reviewers(
        items,
        experts,
        1,
        affinity=lambda it, ex: matrix[it.id]["ab".index(ex.id)],
        expert_threshold=0.5,
    )
    strict = assign_reviewers(items, experts, 1, affinity=matrix)

    assert fair.pairs == ((0, "a"), (1, "b"))
    assert fair.match == {0: 0.6, 1: 0.5}
    assert same.pairs == fair.pairs
    # with the default threshold 1.0 only (1, a) is an expert pair: item 1 keeps it
    assert strict.pairs == ((0, "b"), (1, "a"))
    assert [p.code for p in strict.problems] == [ProblemCode.NO_EXPERT_FOR_ART_FORM]


def test_assign_rejects_bad_input():
    items, experts = [Item(1)], [Expert("a")]
    with pytest.raises(ValueError, match="appears twice"):
        assign_reviewers([Item(1), Item(1)], experts, 1)
    with pytest.raises(ValueError, match="reviewers_per_item"):
        assign_reviewers(items, experts, 0)
    with pytest.raises(ValueError, match="unknown item"):
        assign_reviewers(items, experts, 1, fixed=[(2, "a")])
    with pytest.raises(ValueError, match="affinities"):
        assign_reviewers(items, experts, 1, affinity=np.array([[1.5]]))
    with pytest.raises(ValueError, match="capacity"):
        assign_reviewers(items, [Expert("a", capacity=-1)], 1)
    # conflicts may be declared for the whole campaign: unknown ids are ignored
    assert assign_reviewers(items, experts, 1, forbidden={(9, "z")}).pairs == ((1, "a"),)


def test_assign_empty_round():
    assert assign_reviewers([], [Expert("a")], 3).pairs == ()
    result = assign_reviewers([Item(1)], [], 3)
    assert result.pairs == ()
    assert result.problems[-1].as_tuple() == ("too_few_experts", 1, 0, 3)


def test_assign_clustered_conflicts_split_exactly():
    # 回避 comes in blocks (an expert and the works of their own county); the art-form
    # hubs must still split into allowed pairs, or fall back to explicit ones
    rng = random.Random(3)
    forms = ["小说", "书法"]
    county = {n: rng.randrange(5) for n in range(300)}
    items = [Item(n, forms[n % 2]) for n in range(300)]
    experts = [Expert(k, {forms[k % 2]}) for k in range(20)]
    home = {k: k % 5 for k in range(20)}
    forbidden = {(n, k) for n in range(300) for k in range(20) if county[n] == home[k]}

    result = assign_reviewers(items, experts, 3, forbidden=forbidden)

    check_rules(result, items, experts, 3, forbidden)
    assert all(len(result.reviewers[n]) == 3 for n in range(300))
    assert result.min_match == 1.0
    assert result.load_spread <= 1


def test_assign_falls_back_to_pair_arcs_when_the_art_form_hub_cannot_be_split():
    # the art-form hub may route the two reviews to e1 and e3, which work 1 must avoid;
    # the split into pairs then fails, and the round is solved again with pair arcs
    items = [Item(0, "a"), Item(1, "a")]
    experts = [Expert(k, {"a"}) for k in ("e0", "e1", "e2", "e3")]
    forbidden = {(0, "e2"), (1, "e1"), (1, "e2"), (1, "e3")}

    result = assign_reviewers(items, experts, 1, forbidden=forbidden)

    assert result.reviewers[1] == ("e0",)
    assert result.reviewers[0] in {("e1",), ("e3",)}
    assert result.min_match == 1.0
    assert result.problems == ()


# --- properties against a brute force -------------------------------------------------

FORMS = ["a", "b", None]


@st.composite
def rounds(draw):
    # up to 5 items, mostly of one art form, experts mostly of one form, many conflicts:
    # small enough to enumerate, and where fairness, total and balance pull apart
    n_items = draw(st.integers(1, 5))
    n_experts = draw(st.integers(1, 5))
    r = draw(st.integers(1, 3))
    items = [Item(i, draw(st.sampled_from(["a", "a", "b", None]))) for i in range(n_items)]
    expertise = st.sampled_from([set(), {"a"}, {"a"}, {"b"}, {"a", "b"}])
    experts = [Expert(f"e{k}", draw(expertise)) for k in range(n_experts)]
    pairs = [(i, f"e{k}") for i in range(n_items) for k in range(n_experts)]
    forbidden = draw(st.sets(st.sampled_from(pairs), max_size=len(pairs) // 2))
    fixed = draw(st.sets(st.sampled_from(pairs), max_size=2))
    low = draw(st.sampled_from([0.0, 0.5, None]))
    return items, experts, r, forbidden, fixed, low


def case(r, low, items, experts, forbidden, fixed):
    return (
        [Item(i, form) for i, form in items],
        [Expert(k, forms) for k, forms in experts],
        r,
        set(forbidden),
        set(fixed),
        low,
    )


# found by a random search: without the fairness threshold, the largest total leaves
# an item worse off than it need be
FAIRNESS_COUNTS = [
    case(
        2,
        0.5,
        [(0, "b"), (1, "a"), (2, "a"), (3, "a"), (4, "a")],
        [("e0", {"a"}), ("e1", {"a", "b"}), ("e2", {"a"}), ("e3", {"b"}), ("e4", {"b"})],
        [(0, "e0"), (0, "e4"), (2, "e1"), (2, "e4"), (3, "e0"), (3, "e2")],
        [(1, "e1")],
    ),
    case(
        3,
        0.5,
        [(0, "b"), (1, "a"), (2, "a"), (3, "b"), (4, "a")],
        [("e0", {"a"}), ("e1", {"a", "b"}), ("e2", {"b"}), ("e3", set()), ("e4", set())],
        [(0, "e3"), (1, "e2"), (3, "e3"), (3, "e4"), (4, "e0")],
        [(0, "e4"), (1, "e1")],
    ),
]


def brute_force(items, experts, r, forbidden, fixed, low):
    """Every assignment giving each item as many reviewers as the rules allow (no
    capacities here, so each item independently), with loads, expert counts and match."""
    step = 1000 - round((low or 0) * 1000)
    q_low = round((low or 0) * 1000)
    fixed = set(fixed) - set(forbidden)
    index = {ex.id: k for k, ex in enumerate(experts)}

    def good(item, ex):
        return item.art_form is None or item.art_form in ex.art_forms

    options, best = [], []
    for item in items:
        mine = [e for i, e in fixed if i == item.id]
        candidates = [
            ex
            for ex in experts
            if (item.id, ex.id) not in forbidden
            and ex.id not in mine
            and (low is not None or good(item, ex))
        ]
        size = min(max(0, r - len(mine)), len(candidates))
        fixed_good = sum(good(item, experts[index[e]]) for e in mine)
        fixed_aff = sum(1.0 if good(item, experts[index[e]]) else (low or 0) for e in mine)
        count = len(mine) + size
        choices = []
        for chosen in itertools.combinations(candidates, size):
            g = fixed_good + sum(good(item, ex) for ex in chosen)
            aff = fixed_aff + sum(1.0 if good(item, ex) else low for ex in chosen)
            choices.append((tuple(index[ex.id] for ex in chosen), g, aff / max(r, count)))
        options.append(choices)
        top = max(g for _, g, _ in choices)
        best.append(top * step + count * q_low)
    base = Counter(index[e] for _, e in fixed)
    total = sum(base.values()) + sum(len(opts[0][0]) for opts in options)
    low_load, high_load = total // len(experts), -(-total // len(experts))
    kept = [sum(1 for i, _ in fixed if i == it.id) for it in items]
    for combo in itertools.product(*options):
        loads = Counter(base)
        for chosen, _, _ in combo:
            loads.update(chosen)
        deviation = sum(
            max(0, low_load - loads[k]) + max(0, loads[k] - high_load) for k in range(len(experts))
        )
        counts = [kept[n] + len(chosen) for n, (chosen, _, _) in enumerate(combo)]
        yield {
            "counts": counts,
            "deviation": deviation,
            "min_match": min(m for _, _, m in combo),
            "total": sum(m for _, _, m in combo),
            "scores": [g * step + c * q_low for (_, g, _), c in zip(combo, counts, strict=True)],
            "best": best,
        }


def reach(scores, best) -> int:
    """The largest threshold τ with every item at least min(τ, its best score)."""
    candidates = sorted(set(scores) | set(best))
    return max(
        t for t in candidates if all(s >= min(t, b) for s, b in zip(scores, best, strict=True))
    )


def engine_scores(result, items, experts, low):
    step = 1000 - round((low or 0) * 1000)
    q_low = round((low or 0) * 1000)
    forms = {ex.id: ex.art_forms for ex in experts}
    out = []
    for it in items:
        reviewers = result.reviewers[it.id]
        g = sum(it.art_form is None or it.art_form in forms[e] for e in reviewers)
        out.append(g * step + len(reviewers) * q_low)
    return out


# found the same way: after the fairness threshold, the total still has a choice to make
TOTAL_COUNTS = case(
    1,
    0.5,
    [(0, "a"), (1, "a"), (2, "b"), (3, "b"), (4, "a")],
    [("e0", {"b"}), ("e1", set()), ("e2", set()), ("e3", set()), ("e4", {"a"})],
    [(0, "e0"), (0, "e1"), (3, "e0"), (4, "e1"), (4, "e3"), (4, "e4")],
    [],
)


@properties
@given(rounds())
@example(FAIRNESS_COUNTS[0])
@example(FAIRNESS_COUNTS[1])
@example(TOTAL_COUNTS)
def test_assign_is_optimal_against_brute_force(round_):
    items, experts, r, forbidden, fixed, low = round_
    result = assign_reviewers(
        items, experts, r, forbidden=forbidden, fixed=fixed, non_expert_affinity=low
    )
    check_rules(result, items, experts, r, forbidden, fixed)
    everything = list(brute_force(items, experts, r, forbidden, fixed, low))

    # coverage: every item has as many reviewers as the rules allow
    covered = {it.id: len(result.reviewers[it.id]) for it in items}
    assert list(covered.values()) == everything[0]["counts"]

    # balance: the smallest deviation from floor/ceil any assignment can have
    least = min(a["deviation"] for a in everything)
    total = sum(covered.values())
    lo, hi = total // len(experts), -(-total // len(experts))
    deviation = sum(max(0, lo - n) + max(0, n - hi) for n in result.loads.values())
    assert deviation == least
    if least == 0:
        assert result.load_spread <= 1
        assert not any(p.code == ProblemCode.LOAD_OUTSIDE_BALANCE for p in result.problems)
        balanced = [a for a in everything if a["deviation"] == 0]
        # the worst-off item's match is the best any balanced assignment achieves
        assert result.min_match == pytest.approx(max(a["min_match"] for a in balanced))
        # ... every item at least min(τ, its best) for the largest such τ, then the total
        tau = max(reach(a["scores"], a["best"]) for a in balanced)
        mine = engine_scores(result, items, experts, low)
        assert reach(mine, balanced[0]["best"]) == tau
        fair = [a for a in balanced if reach(a["scores"], a["best"]) == tau]
        assert sum(result.match.values()) == pytest.approx(max(a["total"] for a in fair))


@properties
@given(rounds())
def test_assign_gives_every_item_its_reviewers_and_names_the_rest(round_):
    items, experts, r, forbidden, fixed, low = round_
    result = assign_reviewers(
        items, experts, r, forbidden=forbidden, fixed=fixed, non_expert_affinity=low
    )
    forbidden_or_fixed = set(forbidden) | set(fixed)
    named = {p.item for p in result.problems if p.code == ProblemCode.TOO_FEW_EXPERTS}
    for it in items:
        allowed = [
            ex
            for ex in experts
            if (it.id, ex.id) not in forbidden_or_fixed
            and (low is not None or it.art_form is None or it.art_form in ex.art_forms)
        ]
        kept = len({e for i, e in fixed if i == it.id and (i, e) not in forbidden})
        if kept + len(allowed) >= r:
            assert len(result.reviewers[it.id]) >= r
            assert it.id not in named
        else:
            assert len(result.reviewers[it.id]) == kept + len(allowed)
            assert it.id in named
    # a non-expert reviewer is always explained
    explained = {
        p.item
        for p in result.problems
        if p.code
        in (
            ProblemCode.NO_EXPERT_FOR_ART_FORM,
            ProblemCode.FEW_ART_FORM_EXPERTS,
            ProblemCode.ART_FORM_EXPERTS_BUSY,
        )
    }
    forms = {ex.id: ex.art_forms for ex in experts}
    manual = set(fixed)
    for it in items:
        outsiders = [
            e
            for e in result.reviewers[it.id]
            if it.art_form is not None and it.art_form not in forms[e] and (it.id, e) not in manual
        ]
        if outsiders:
            assert it.id in explained


@properties
@given(
    n_items=st.integers(1, 40),
    n_experts=st.integers(1, 12),
    r=st.integers(1, 4),
    seed=st.integers(0, 2**32 - 1),
)
def test_assign_loads_differ_by_at_most_one_when_nothing_prevents_it(n_items, n_experts, r, seed):
    # every expert fits every item and there are no conflicts: an even spread exists
    rng = random.Random(seed)
    items = [Item(n, rng.choice(["a", "b", None])) for n in range(n_items)]
    experts = [Expert(k, {"a", "b"}) for k in range(n_experts)]

    result = assign_reviewers(items, experts, r)

    check_rules(result, items, experts, r)
    per_item = min(r, n_experts)
    assert all(len(result.reviewers[it.id]) == per_item for it in items)
    assert max(result.loads.values()) - min(result.loads.values()) <= 1
    assert result.balance == (n_items * per_item // n_experts, -(-n_items * per_item // n_experts))
    assert math.isclose(result.min_match, per_item / r)
