"""The review round's aggregation engine (wenyi.review.aggregate): hand-computed examples
for every rule, and property tests against the statistics module and exact fractions."""

import math
import statistics
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import hypothesis
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given
from hypothesis import strategies as st

from wenyi.review.aggregate import (
    DEFAULT_TIE_BREAK,
    Criterion,
    Rule,
    ScoreError,
    Scores,
    aggregate,
    agreement,
    approval,
    decision_agreement,
    full_marks,
    normalise,
    rank,
    round_half_up,
    second_panel_sample,
    weighted_total,
)

# the autouse settings fixture of tests/conftest.py is function-scoped; these tests
# do not touch it, so hypothesis may reuse it between examples
properties = hypothesis.settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# one decimal, as experts write them: 0.0 … 100.0
score = st.integers(0, 1000).map(lambda tenths: tenths / 10)


def table(per_item: list[list[float]], criteria=None) -> Scores:
    """Scores from [[item 1's scores], [item 2's], …]: item ids 1, 2, …, and the k-th
    score of every item by expert k."""
    items, experts, totals = [], [], []
    for item, values in enumerate(per_item, start=1):
        for expert, value in enumerate(values, start=1):
            items.append(item)
            experts.append(expert)
            totals.append(value)
    return Scores(items, experts, totals, criteria)


def half_up(fraction: Fraction, decimals: int) -> Decimal:
    """Exact half-up rounding of a non-negative fraction."""
    scaled = fraction * 10**decimals
    units = (2 * scaled.numerator + scaled.denominator) // (2 * scaled.denominator)
    return Decimal(units).scaleb(-decimals)


# --- rubric totals --------------------------------------------------------------------

RUBRIC = {"思想性": Criterion(1, 30), "艺术性": Criterion(1, 40), "创新性": Criterion(1, 30)}


def test_weighted_total_adds_weight_times_value_exactly():
    assert weighted_total({"思想性": 25, "艺术性": 33.5, "创新性": 26}, RUBRIC) == Decimal("84.5")
    weighted = {"a": (0.3, 100), "b": (0.5, 100), "c": (Decimal("0.2"), 100)}
    # 0.3 × 80 + 0.5 × 90.1 + 0.2 × 70.3: exact, where floats give 83.11000000000001
    assert weighted_total({"a": 80, "b": 90.1, "c": 70.3}, weighted) == Decimal("83.11")


def test_weighted_total_accepts_both_ends_of_each_range():
    assert weighted_total({"思想性": 0, "艺术性": 0, "创新性": 0}, RUBRIC) == 0
    assert weighted_total({"思想性": 30, "艺术性": 40, "创新性": 30}, RUBRIC) == 100
    assert full_marks(RUBRIC) == 100
    assert full_marks({"a": (3, 10), "b": (5, 10), "c": (2, 10)}) == 100


@pytest.mark.parametrize(
    ("values", "criterion", "problem"),
    [
        ({"思想性": 25, "艺术性": 33}, "创新性", "missing"),
        ({"思想性": 25, "艺术性": 33, "创新性": 26, "文采": 5}, "文采", "unknown"),
        ({"思想性": 30.01, "艺术性": 33, "创新性": 26}, "思想性", "out_of_range"),
        ({"思想性": 25, "艺术性": -1, "创新性": 26}, "艺术性", "out_of_range"),
        ({"思想性": 25, "艺术性": 33, "创新性": math.nan}, "创新性", "not_a_number"),
        ({"思想性": 25, "艺术性": True, "创新性": 26}, "艺术性", "not_a_number"),
        ({"思想性": "25", "艺术性": 33, "创新性": 26}, "思想性", "not_a_number"),
    ],
)
def test_weighted_total_names_the_criterion_it_cannot_score(values, criterion, problem):
    with pytest.raises(ScoreError) as error:
        weighted_total(values, RUBRIC)
    assert (error.value.criterion, error.value.problem) == (criterion, problem)


def test_weighted_total_refuses_a_rubric_without_positive_weights():
    with pytest.raises(ValueError, match="positive"):
        weighted_total({"a": 1}, {"a": (0, 10)})


# --- rounding -------------------------------------------------------------------------


def test_round_half_up_rounds_halves_up_unlike_python():
    assert round(84.125, 2) == 84.12  # banker's rounding: not what committees do
    assert round_half_up(84.125) == Decimal("84.13")
    assert round_half_up(84.135) == Decimal("84.14")  # the float is 84.13499999…
    assert round_half_up(2.675) == Decimal("2.68")
    assert round_half_up(84.124) == Decimal("84.12")
    assert round_half_up(-0.005) == Decimal("-0.01")
    assert round_half_up(Decimal("84.125")) == Decimal("84.13")
    assert round_half_up(87.5, 0) == Decimal("88")
    assert str(round_half_up(70.0)) == "70.00"


def test_final_score_of_a_mean_on_a_half_rounds_up():
    # (84.12 + 84.13) / 2 = 84.125 exactly; in floats a hair below it
    result = aggregate(table([[84.12, 84.13], [0.1, 0.2, 0.3, 0.4]]), Rule(method="mean"))
    assert [row.final for row in result] == [Decimal("84.13"), Decimal("0.25")]


def test_round_half_up_of_a_float_stored_below_the_half_rounds_up():
    # in floats 1.005 is stored as 1.00499999…, and (84.85 + 84.86) / 2 as 84.85499999…
    assert round_half_up(1.005) == Decimal("1.01")
    assert round_half_up((84.85 + 84.86) / 2) == Decimal("84.86")
    assert round_half_up(0.145) == Decimal("0.15")


# every third example is a half at 2 decimals, where float storage matters most
thousandths = st.one_of(
    st.integers(-(10**8), 10**8), st.integers(-(10**7), 10**7).map(lambda k: 10 * k + 5)
)


@properties
@given(thousandths=thousandths, decimals=st.integers(0, 2))
@example(thousandths=1005, decimals=2)
@example(thousandths=-285, decimals=2)
def test_round_half_up_of_a_float_equals_decimal_rounding_of_its_digits(thousandths, decimals):
    exact = Decimal(thousandths).scaleb(-3)
    expected = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    assert round_half_up(float(str(exact)), decimals) == expected


@properties
@given(
    cents=st.lists(st.lists(st.integers(0, 10_000), min_size=1, max_size=12), min_size=1),
    decimals=st.integers(0, 3),
)
@example(cents=[[8485, 8486]], decimals=2)  # 84.855, a hair below in floats
def test_final_mean_is_the_exact_mean_rounded_half_up(cents, decimals):
    per_item = [[c / 100 for c in values] for values in cents]
    result = aggregate(table(per_item), Rule(method="mean", decimals=decimals))
    expected = [half_up(Fraction(sum(values), 100 * len(values)), decimals) for values in cents]
    assert [row.final for row in result] == expected


# --- the rules: examples --------------------------------------------------------------


def test_trimmed_mean_drops_one_highest_and_one_lowest_from_five_scores():
    result = aggregate(table([[90, 85, 88, 70, 95]]), Rule(method="trimmed"))
    (row,) = result
    assert row.trimmed is True
    assert row.final == Decimal("87.67")  # (90 + 85 + 88) / 3 = 87.666…
    assert row.raw_mean == 85.6
    assert row.median == 88
    assert (row.n, row.minimum, row.maximum, row.range) == (5, 70, 95, 25)
    assert row.sd == pytest.approx(math.sqrt(357.2 / 4))  # Σ(x − 85.6)² = 357.2
    assert row.normalised is None


def test_trimmed_mean_below_trim_min_uses_the_declared_fallback():
    scores = table([[80, 90, 70, 99]])
    (by_mean,) = aggregate(scores, Rule(method="trimmed", fallback="mean"))
    (by_median,) = aggregate(scores, Rule(method="trimmed", fallback="median"))
    (lower_limit,) = aggregate(scores, Rule(method="trimmed", trim_min=4))
    assert (by_mean.final, by_mean.trimmed) == (Decimal("84.75"), False)
    assert (by_median.final, by_median.trimmed) == (Decimal("85.00"), False)
    assert (lower_limit.final, lower_limit.trimmed) == (Decimal("85.00"), True)  # (80+90)/2


def test_median_rule_takes_the_middle_or_the_mean_of_the_two_middle_scores():
    result = aggregate(table([[70, 95, 80], [60, 90, 70, 100]]), Rule(method="median"))
    assert [row.final for row in result] == [Decimal("80.00"), Decimal("80.00")]


def test_zscore_rule_puts_a_strict_and_a_lenient_expert_on_one_scale():
    # expert 1 (strict): 60, 70, 80 (mean 70, sd 10); expert 2 (lenient): 80, 85, 90
    # (mean 85, sd 5): both z = -1, 0, 1. All six: mean 77.5, sd √(587.5 / 5) = 10.8397…
    scores = Scores([1, 2, 3, 1, 2, 3], [1, 1, 1, 2, 2, 2], [60, 70, 80, 80, 85, 90])
    result = aggregate(scores, Rule(method="zscore", zscore_min=3))
    overall_sd = math.sqrt(117.5)
    assert [row.final for row in result] == [Decimal("66.66"), Decimal("77.50"), Decimal("88.34")]
    assert [row.normalised for row in result] == pytest.approx(
        [77.5 - overall_sd, 77.5, 77.5 + overall_sd]
    )
    assert [row.raw_mean for row in result] == [70, 77.5, 85]


def test_zscore_rule_keeps_raw_scores_of_an_expert_below_zscore_min():
    # expert 3 scored item 1 only: 100 stays 100; experts 1 and 2 as above
    scores = Scores([1, 2, 3, 1, 2, 3, 1], [1, 1, 1, 2, 2, 2, 3], [60, 70, 80, 80, 85, 90, 100])
    normalised = normalise(scores, zscore_min=3)
    kept = scores.expert_of == 3
    assert normalised.values[kept].tolist() == [100]
    assert normalised.applied.tolist() == (~kept).tolist()
    assert np.isnan(normalised.z[kept]).all()
    # all seven scores set the scale: mean 565 / 7, sample sd over all of them
    assert normalised.overall_mean == pytest.approx(565 / 7)
    assert normalised.overall_sd == pytest.approx(statistics.stdev([60, 70, 80, 80, 85, 90, 100]))


def test_zscore_of_an_expert_giving_one_score_to_everything_is_zero():
    scores = Scores([1, 2, 3, 1, 2, 3], [1, 1, 1, 2, 2, 2], [0.1, 0.1, 0.1, 60, 70, 80])
    normalised = normalise(scores, zscore_min=3)
    assert normalised.z[scores.expert_of == 1].tolist() == [0, 0, 0]


def test_disagreement_flags_sd_or_range_above_the_declared_value():
    per_item = [[80, 82, 84], [70.1, 80.1, 90.1], [60, 90, 90], [85]]
    result = aggregate(table(per_item), Rule(method="mean", flag_sd=10, flag_range=20))
    # sd 2, range 4; sd 10 and range 20 (20.000000000000014 in floats), not above the
    # limits; sd 17.3, range 30; a single score has no sd
    assert [row.flagged for row in result] == [False, False, True, False]
    assert result.result_for(4).sd is None
    only_range = aggregate(table(per_item), Rule(method="mean", flag_range=19.9))
    assert only_range.flagged.tolist() == [False, True, True, False]


def test_per_criterion_means_skip_missing_values():
    criteria = {"思想性": [20, 30, math.nan, None], "艺术性": [30, 40, math.nan, math.nan]}
    scores = Scores([1, 1, 2, 2], [1, 2, 1, 2], [50, 70, 60, 61], criteria)
    first, second = aggregate(scores, Rule(method="mean"))
    assert first.criteria == {"思想性": 25, "艺术性": 35}
    assert second.criteria == {"思想性": None, "艺术性": None}


def test_aggregate_of_no_scores_is_empty():
    scores = Scores([], [], [], {"a": []})
    result = aggregate(scores, Rule(method="zscore"))
    assert len(result) == 0 and list(result) == []
    assert len(rank(result)) == 0


@pytest.mark.parametrize(
    ("items", "experts", "totals", "message"),
    [
        ([1, 2, 1], [7, 7, 7], [80, 90, 85], "expert 7 has more than one entry for item 1"),
        ([1, 2**62, 1], [7, -(2**62), 7], [80, 90, 85], "expert 7 .* item 1$"),
        ([1, 2], [7], [80, 90], "same length"),
        ([1, 2], [7, 7], [80, math.nan], "finite"),
        ([1.5, 2], [7, 7], [80, 90], "integer ids"),
    ],
)
def test_scores_refuse_bad_input(items, experts, totals, message):
    with pytest.raises(ValueError, match=message):
        Scores(items, experts, totals)


@pytest.mark.parametrize(
    "arguments",
    [
        {"method": "max"},
        {"fallback": "trimmed"},
        {"trim_min": 2},
        {"zscore_min": 1},
        {"decimals": 7},
        {"flag_sd": -1},
    ],
)
def test_rule_refuses_impossible_settings(arguments):
    with pytest.raises(ValueError):
        Rule(**arguments)


def test_rule_defaults_are_the_trimmed_mean_from_five_scores_at_two_decimals():
    assert Rule() == Rule(method="trimmed", trim_min=5, fallback="mean", zscore_min=5, decimals=2)
    assert (Rule().flag_sd, Rule().flag_range) == (None, None)


# --- the rules: properties ------------------------------------------------------------


@properties
@given(
    per_item=st.lists(st.lists(score, min_size=1, max_size=9), min_size=1, max_size=8),
    trim_min=st.integers(3, 7),
    fallback=st.sampled_from(["mean", "median"]),
)
def test_trimmed_mean_drops_one_max_and_one_min_from_trim_min_scores(per_item, trim_min, fallback):
    rule = Rule(method="trimmed", trim_min=trim_min, fallback=fallback)
    for values, row in zip(per_item, aggregate(table(per_item), rule), strict=True):
        if len(values) >= trim_min:
            expected = statistics.mean(sorted(values)[1:-1])
        elif fallback == "mean":
            expected = statistics.mean(values)
        else:
            expected = statistics.median(values)
        assert row.trimmed == (len(values) >= trim_min)
        assert row.value == pytest.approx(expected, rel=1e-12, abs=1e-12)


@properties
@given(per_item=st.lists(st.lists(score, min_size=1, max_size=12), min_size=1, max_size=10))
def test_mean_median_and_spread_agree_with_the_statistics_module(per_item):
    for values, row in zip(per_item, aggregate(table(per_item), Rule()), strict=True):
        assert row.raw_mean == pytest.approx(statistics.mean(values), rel=1e-12, abs=1e-12)
        assert row.median == statistics.median(values)
        assert (row.minimum, row.maximum, row.n) == (min(values), max(values), len(values))
        if len(values) == 1:
            assert row.sd is None
        else:
            assert row.sd == pytest.approx(statistics.stdev(values), rel=1e-9, abs=1e-9)


def _matrix(experts: int, items: int):
    return st.lists(
        st.lists(st.integers(0, 100), min_size=items, max_size=items),
        min_size=experts,
        max_size=experts,
    )


def _full_scores(matrix) -> Scores:
    """Every expert (row) scores every item (column)."""
    experts, items = np.indices((len(matrix), len(matrix[0])))
    return Scores(items.ravel() + 1, experts.ravel() + 1, np.asarray(matrix, float).ravel())


@properties
@given(
    data=st.data(),
    n_experts=st.integers(2, 4),
    n_items=st.integers(5, 8),
    scale=st.integers(1, 50).map(lambda tenths: tenths / 10),
    shift=st.integers(-500, 500).map(lambda tenths: tenths / 10),
)
def test_zscore_is_invariant_under_a_positive_affine_change_of_one_expert(
    data, n_experts, n_items, scale, shift
):
    matrix = data.draw(_matrix(n_experts, n_items))
    changed = [row[:] for row in matrix]
    changed[0] = [scale * x + shift for x in matrix[0]]
    before = normalise(_full_scores(matrix), zscore_min=5)
    after = normalise(_full_scores(changed), zscore_min=5)
    # the same order (item, then total) in both tables only if expert 0's change keeps
    # every item's totals in the same order: compare per (item, expert) instead
    z_before = _by_pair(_full_scores(matrix), before.z)
    z_after = _by_pair(_full_scores(changed), after.z)
    assert z_after.keys() == z_before.keys()
    for pair, z in z_before.items():
        assert z_after[pair] == pytest.approx(z, abs=1e-9)
    # so every item's normalised mean moves with the overall scale only
    result_before = aggregate(_full_scores(matrix), Rule(method="zscore"))
    result_after = aggregate(_full_scores(changed), Rule(method="zscore"))
    assume(before.overall_sd > 0 and after.overall_sd > 0)
    standard_before = (result_before.normalised - before.overall_mean) / before.overall_sd
    standard_after = (result_after.normalised - after.overall_mean) / after.overall_sd
    assert standard_after == pytest.approx(standard_before, abs=1e-9)


def _by_pair(scores: Scores, column) -> dict[tuple[int, int], float]:
    return {
        (int(item), int(expert)): float(value)
        for item, expert, value in zip(scores.item_of, scores.expert_of, column, strict=True)
    }


@properties
@given(
    data=st.data(),
    n_items=st.integers(5, 8),
    scale=st.integers(1, 50).map(lambda tenths: tenths / 10),
    shift=st.integers(-500, 500).map(lambda tenths: tenths / 10),
)
def test_zscore_gives_a_strict_and_a_lenient_expert_who_rank_alike_the_same_scores(
    data, n_items, scale, shift
):
    strict, other = data.draw(_matrix(2, n_items))
    lenient = [scale * x + shift for x in strict]
    scores = _full_scores([strict, lenient, other])
    normalised = _by_pair(scores, normalise(scores, zscore_min=5).values)
    for item in range(1, n_items + 1):
        assert normalised[(item, 2)] == pytest.approx(normalised[(item, 1)], abs=1e-9)


@properties
@given(
    votes=st.dictionaries(
        st.tuples(st.integers(1, 6), st.integers(1, 9)), score, min_size=1, max_size=40
    ),
    zscore_min=st.integers(2, 6),
)
def test_zscore_leaves_experts_below_zscore_min_unchanged(votes, zscore_min):
    pairs = list(votes)
    scores = Scores([i for i, _ in pairs], [e for _, e in pairs], list(votes.values()))
    normalised = normalise(scores, zscore_min)
    given_by = {e: sum(1 for _, other in pairs if other == e) for _, e in pairs}
    for position, expert in enumerate(scores.expert_of):
        if given_by[int(expert)] < zscore_min:
            assert normalised.values[position] == scores.values[position]
            assert not normalised.applied[position]
        else:
            assert normalised.applied[position]
    if all(count < zscore_min for count in given_by.values()):
        result = aggregate(scores, Rule(method="zscore", zscore_min=zscore_min))
        assert result.normalised.tolist() == pytest.approx(result.raw_mean.tolist())


# --- ranking --------------------------------------------------------------------------


def _ranked_scores() -> Scores:
    # item: scores               mean   n  median  sd
    # 1: 90, 80                  85     2  85      7.07
    # 2: 85, 85                  85     2  85      0      (beats 1 on sd)
    # 3: 80, 85, 90              85     3  85      5      (beats 1, 2 on n)
    # 4: 90, 80 (as item 1)      85     2  85      7.07   (ties with 1)
    # 5: 70                      70     1
    per_item = [[90, 80], [85, 85], [80, 85, 90], [80, 90], [70]]
    return table(per_item)


def test_ranking_follows_the_tie_break_then_the_item_id():
    ranking = rank(aggregate(_ranked_scores(), Rule(method="mean")))
    assert ranking.items.tolist() == [3, 2, 1, 4, 5]
    assert ranking.rank.tolist() == [1, 2, 3, 3, 5]  # competition ranking: 1, 2, 3, 3, 5
    assert ranking.rank_of(4) == 3
    assert [(r, row.item) for r, row in ranking][:2] == [(1, 3), (2, 2)]


def test_ranking_with_fewer_tie_break_keys_has_more_true_ties():
    ranking = rank(aggregate(_ranked_scores(), Rule(method="mean")), ("final",))
    assert ranking.items.tolist() == [1, 2, 3, 4, 5]
    assert ranking.rank.tolist() == [1, 1, 1, 1, 5]
    by_agreement = rank(aggregate(_ranked_scores(), Rule(method="mean")), ("final", "sd_low"))
    assert by_agreement.items.tolist() == [2, 3, 1, 4, 5]
    assert by_agreement.rank.tolist() == [1, 2, 3, 3, 5]


def test_ranking_takes_float_noise_for_a_true_tie():
    result = aggregate(table([[0.1, 0.2], [0.15]]), Rule(method="mean", decimals=3))
    assert result.raw_mean[0] != result.raw_mean[1]  # 0.15000000000000002 and 0.15
    assert rank(result, ("raw_mean",)).rank.tolist() == [1, 1]
    assert rank(result, ("value", "median")).rank.tolist() == [1, 1]


def test_ranking_refuses_unknown_keys_and_normalised_without_zscore():
    result = aggregate(_ranked_scores(), Rule(method="mean"))
    with pytest.raises(ValueError, match="unknown"):
        rank(result, ("final", "best"))
    with pytest.raises(ValueError, match="zscore"):
        rank(result, ("normalised",))
    with pytest.raises(ValueError, match="at least one"):
        rank(result, ())


def test_top_includes_or_excludes_a_tied_group_at_the_boundary():
    ranking = rank(aggregate(_ranked_scores(), Rule(method="mean")))
    assert ranking.top(2).tolist() == [3, 2]
    assert ranking.top(3).tolist() == [3, 2, 1, 4]
    assert ranking.top(3, ties="exclude").tolist() == [3, 2]
    assert ranking.top(4, ties="exclude").tolist() == [3, 2, 1, 4]
    assert ranking.top(0).tolist() == []
    assert ranking.top(10).tolist() == [3, 2, 1, 4, 5]


def test_at_least_compares_the_rounded_final_score_exactly():
    ranking = rank(aggregate(table([[84.12, 84.13], [84.12], [90]]), Rule(method="mean")))
    assert ranking.at_least(84.13).tolist() == [3, 1]  # item 1: 84.125 → 84.13
    assert ranking.at_least("84.125").tolist() == [3, 1]
    assert ranking.at_least("84.131").tolist() == [3]
    assert ranking.at_least(Decimal("84.12")).tolist() == [3, 1, 2]


def _key(row, tie_break):
    """The ranking key as the docstring of rank() declares it, lower is better."""
    parts = []
    for name in tie_break:
        if name == "final":
            parts.append((0, -row.final))
        elif name == "n":
            parts.append((0, -row.n))
        elif name in ("sd_low", "range_low"):
            value = row.sd if name == "sd_low" else row.range
            parts.append((1, 0) if value is None else (0, round(value, 9)))
        else:
            value = {"value": row.value, "raw_mean": row.raw_mean, "median": row.median}.get(
                name, {"min": row.minimum, "max": row.maximum}.get(name)
            )
            parts.append((0, -round(value, 9)))
    return tuple(parts)


@properties
@given(
    per_item=st.lists(
        st.lists(st.integers(0, 4).map(float), min_size=1, max_size=4), min_size=1, max_size=15
    ),
    method=st.sampled_from(["mean", "median", "trimmed"]),
    decimals=st.integers(0, 2),
    tie_break=st.lists(
        st.sampled_from(
            ["final", "value", "raw_mean", "median", "n", "min", "max", "sd_low", "range_low"]
        ),
        min_size=1,
        max_size=4,
        unique=True,
    ),
)
def test_ranking_is_a_total_order_with_competition_ranks_on_true_ties(
    per_item, method, decimals, tie_break
):
    result = aggregate(table(per_item), Rule(method=method, trim_min=3, decimals=decimals))
    ranking = rank(result, tie_break)
    rows = list(result)
    expected = sorted(rows, key=lambda row: (_key(row, tie_break), row.item))
    assert ranking.items.tolist() == [row.item for row in expected]
    keys = [_key(row, tie_break) for row in expected]
    assert ranking.rank.tolist() == [1 + sum(k < key for k in keys) for key in keys]


def test_default_tie_break_is_declared():
    assert DEFAULT_TIE_BREAK == ("final", "raw_mean", "n", "median", "sd_low")


# --- approval votes -------------------------------------------------------------------


def test_approval_passes_items_with_k_yes_votes():
    votes = [(1, 1, True), (1, 2, True), (1, 3, False), (2, 1, True), (2, 2, False), (3, 1, 0)]
    items, experts, yes = zip(*votes, strict=True)
    one = approval(items, experts, yes)
    two = approval(items, experts, yes, k=2)
    assert one.counts() == {1: (2, 1, True), 2: (1, 1, True), 3: (0, 1, False)}
    assert one.passed_items.tolist() == [1, 2]
    assert two.passed_items.tolist() == [1]
    with pytest.raises(ValueError, match="more than one"):
        approval([1, 1], [5, 5], [True, False])
    with pytest.raises(ValueError, match="k"):
        approval(items, experts, yes, k=0)


@properties
@given(
    votes=st.dictionaries(
        st.tuples(st.integers(1, 8), st.integers(1, 6)), st.booleans(), min_size=1
    ),
    k=st.integers(1, 5),
)
def test_approval_counts_every_vote_and_applies_k(votes, k):
    pairs = list(votes)
    result = approval([i for i, _ in pairs], [e for _, e in pairs], list(votes.values()), k=k)
    expected = {}
    for (item, _), yes in votes.items():
        yes_count, no_count = expected.get(item, (0, 0))
        expected[item] = (yes_count + yes, no_count + (not yes))
    assert result.counts() == {
        item: (yes, no, yes >= k) for item, (yes, no) in sorted(expected.items())
    }


# --- consistency check ----------------------------------------------------------------


def test_second_panel_sample_is_a_seeded_share_of_the_items():
    items = list(range(1, 166 + 1))
    sample = second_panel_sample(items, 0.1, seed=2014)
    assert len(sample) == 17  # 16.6 rounded up
    assert set(sample.tolist()) <= set(items)
    assert sample.tolist() == sorted(set(sample.tolist()))
    assert second_panel_sample(items, 0.1, seed=2014).tolist() == sample.tolist()
    assert second_panel_sample(items, 0.1, seed=2015).tolist() != sample.tolist()
    assert len(second_panel_sample(list(range(30)), 0.1, seed=1)) == 3  # not 3.0000000004
    assert len(second_panel_sample([5], 0.1, seed=1)) == 1


def test_decision_agreement_reproduces_the_neurips_2014_table():
    # 166 papers; committee 1 accepted 43, committee 2 44, both 22 (Cortes & Lawrence)
    items = list(range(166))
    decisions = decision_agreement(items, items[:43], items[21:65])
    assert (decisions.both_accept, decisions.only_a, decisions.only_b) == (22, 21, 22)
    assert decisions.both_reject == 101
    assert decisions.disagreement == pytest.approx(43 / 166)  # 0.259
    assert decisions.agreement == pytest.approx(123 / 166)
    assert decisions.accepted_overlap == pytest.approx(44 / 87)


def test_agreement_reports_rank_correlations_and_accepted_overlap():
    panel_a = {1: 90, 2: 80, 3: 70, 4: 60, 9: 50}
    panel_b = {1: 80, 2: 90, 3: 70, 4: 60, 8: 10}
    half = agreement(panel_a, panel_b, accept_share=0.5)
    # ranks 4 3 2 1 against 3 4 2 1: Σd² = 2, ρ = 1 − 6·2 / (4·15); one of six pairs swapped
    assert (half.n, half.unmatched) == (4, 2)
    assert half.spearman == pytest.approx(0.8)
    assert half.kendall_tau == pytest.approx(4 / 6)
    assert half.accept_count == 2
    assert half.decisions.agreement == 1
    quarter = agreement(panel_a, panel_b, accept_share=0.25)
    assert quarter.accept_count == 1
    assert (quarter.decisions.only_a, quarter.decisions.only_b) == (1, 1)
    assert quarter.decisions.agreement == 0.5
    assert quarter.decisions.accepted_overlap == 0


def test_agreement_takes_aggregates_and_accepts_ties_at_the_boundary():
    panel = aggregate(table([[80, 90], [85], [85], [60]]), Rule(method="mean"))
    other = {1: 70.0, 2: 80.0, 3: 90.0, 4: 60.0}
    result = agreement(panel, other, accept_share=0.25)
    # panel a: items 1, 2, 3 tie at 85, all accepted; panel b accepts item 3
    assert (result.decisions.accepted_a, result.decisions.accepted_b) == (3, 1)
    assert result.decisions.both_accept == 1


def test_agreement_of_constant_panels_has_no_correlation():
    result = agreement({1: 80, 2: 80}, {1: 70, 2: 90})
    assert math.isnan(result.spearman) and math.isnan(result.kendall_tau)


@properties
@given(panel=st.dictionaries(st.integers(1, 10**6), score, min_size=2, max_size=60))
def test_agreement_of_identical_panels_is_one(panel):
    assume(len(set(panel.values())) > 1)
    result = agreement(panel, dict(panel))
    assert result.spearman == pytest.approx(1)
    assert result.kendall_tau == pytest.approx(1)
    assert result.decisions.agreement == 1
    assert result.decisions.accepted_overlap == 1
    assert (result.n, result.unmatched) == (len(panel), 0)
