"""Aggregating and ranking the scores and votes of an expert review round (issue 12).

Pure numbers in, plain results out: no models, no database, nothing from Django, so the
review app's services, the exports and the benchmark all call the same code. Every
operation is a numpy group operation over all scores at once (the scores are sorted by
item once, then ``np.add.reduceat`` / ``np.bincount`` sum over the groups); no Python
loop runs per score or per item. 500,000 scores (100,000 items × 5) are aggregated and
ranked with all four rules in about 0.3 s (``bench/bench_rank.py``; budget 5 s). The rules,
their formulas and defaults are explained for the office in
``docs/review-aggregation.md``.

How it works
------------
1. **Approval vote** (``approval``): one yes/no per expert and item; an item passes
   with at least ``k`` yes votes (default 1: "one judge's yes suffices", as the national
   exhibitions' 初审 does).
2. **Scores.** A score is (item, expert, total); ``weighted_total`` turns one expert's
   rubric into its total: **Σ weight × value**, not rescaled (a rubric meant to be out
   of 100 declares criteria whose weight × maximum add up to 100; ``full_marks`` says
   what they add up to). Values and weights are read as exact decimals.
   ``Scores`` validates a round's scores (one score per expert and item, finite numbers)
   and sorts them by item once; every rule then reads that table.
3. **Rules** (``Rule``): ``mean`` (平均分), ``median``, ``trimmed`` (去掉一个最高分和一个
   最低分: drops one highest and one lowest score, only when the item has at least
   ``trim_min`` = 5 scores, else the ``fallback`` mean or median — LiveJudge's rule;
   with 3 or 4 judges, dropping two scores leaves one or two deciding) and
   ``zscore`` (标准分: each expert's scores are standardised, z = (x − expert's mean) /
   expert's sd, then put back on the scale of all the round's scores, overall mean +
   z × overall sd, so strict and lenient experts count alike; an expert with fewer than
   ``zscore_min`` = 5 scores keeps their raw scores, since the mean and sd of 2 or 3
   scores say nothing about their strictness). Standard deviations are sample ones
   (n − 1).
4. **Per item** (``Aggregate`` / ``ItemResult``): the final score (the rule's value
   rounded half up to ``decimals`` = 2), the raw mean, the normalised mean (zscore
   rule), n, sample sd, min, max, range, median, whether the trimmed mean applied,
   whether the experts disagree (sd above ``flag_sd`` or range above ``flag_range``),
   and the mean of each rubric criterion when criterion values are given.
5. **Rounding half up** (四舍五入), as committees round by hand: 84.125 → 84.13, where
   Python's ``round`` and numpy's ``round`` give 84.12 (banker's rounding). A float
   cannot hold most halves exactly (84.135 is stored as 84.13499999999999…) and a mean
   computed in floats may land a hair below the half its exact value sits on, so a
   value within 10⁻⁶ of a unit of the last kept decimal of a half is taken as the half.
   That tolerance (10⁻⁸ at 2 decimals) is far below any real gap: rounded to 2
   decimals, the exact mean of n scores given to 3 decimals is either on a half or at
   least 10⁻³ / n away from it (10⁻⁸ only for n = 100,000 scores of one item).
6. **Ranking** (``rank``): a declared tie-break order (default: final score, raw mean,
   number of scores, median, lower sd), then item id so the order is total and stable.
   Items equal on every tie-break key share a competition rank (1, 2, 2, 4). Floats are
   compared to 9 decimals, so float noise never breaks a true tie; a missing value
   (the sd of a single score) counts as the worst. ``Ranking.top`` / ``at_least`` and
   ``Approval.passed_items`` select what the next round takes.
7. **Consistency check** (``second_panel_sample``, ``agreement``): a seeded random
   share of the items (default 10 %, as the NeurIPS 2014 experiment) goes to a second,
   independent panel; ``agreement`` compares the two panels' scores of those items:
   Spearman's ρ and Kendall's τ-b (scipy.stats), and, accepting each panel's top
   ``accept_share``, how often the two decisions agree (``decision_agreement``).

Why not pandas or scipy for the grouping: pandas is not a dependency and a groupby per
rule costs more than the sort we share between rules; scipy is only needed for the two
correlation coefficients and is imported by ``agreement`` alone.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Literal, NamedTuple

import numpy as np

Method = Literal["mean", "median", "trimmed", "zscore"]
Fallback = Literal["mean", "median"]
Number = Decimal | float | int

METHODS: tuple[Method, ...] = ("mean", "median", "trimmed", "zscore")
# Ranking keys: name -> (Aggregate attribute, higher is better)
TIE_BREAK_KEYS: dict[str, tuple[str, bool]] = {
    "final": ("final_units", True),
    "value": ("value", True),
    "raw_mean": ("raw_mean", True),
    "normalised": ("normalised", True),
    "median": ("median", True),
    "n": ("n", True),
    "min": ("minimum", True),
    "max": ("maximum", True),
    "sd_low": ("sd", False),
    "range_low": ("range", False),
}
DEFAULT_TIE_BREAK: tuple[str, ...] = ("final", "raw_mean", "n", "median", "sd_low")
MAX_DECIMALS = 6
# A value this close (in units of the last kept decimal) below a half rounds up: float
# noise, never a real difference (module docstring, point 5).
HALF_TOLERANCE = 1e-6
# Thresholds and ties compare floats to this many decimals.
COMPARE_DECIMALS = 9
# An expert's sd at or below this share of their mean's size is 0 (all scores equal,
# up to the float error of the mean).
ZERO_SD = 1e-12


# --- rubric totals --------------------------------------------------------------------


class Criterion(NamedTuple):
    """One rubric criterion: a value from 0 to ``maximum`` counts ``weight`` times."""

    weight: Number
    maximum: Number


class ScoreError(ValueError):
    """A rubric value that cannot be scored. ``criterion`` names it and ``problem`` says
    what is wrong: "missing", "unknown", "not_a_number" or "out_of_range" (then
    ``value`` and ``maximum`` are set), so a form can word the message in Chinese."""

    def __init__(
        self,
        criterion: str,
        problem: str,
        value: object = None,
        maximum: Decimal | None = None,
    ) -> None:
        self.criterion = criterion
        self.problem = problem
        self.value = value
        self.maximum = maximum
        detail = f" ({value!r} not within 0..{maximum})" if problem == "out_of_range" else ""
        super().__init__(f"criterion {criterion!r}: {problem}{detail}")


def weighted_total(
    values: Mapping[str, Number], criteria: Mapping[str, Criterion | tuple[Number, Number]]
) -> Decimal:
    """One expert's total for one item: Σ weight × value over every criterion, exactly.

    Every criterion must have a value, each within 0..maximum (both ends allowed), and
    no other key may appear; otherwise ``ScoreError`` names the criterion. Floats are
    read by their shortest representation (0.1 is 0.1), so the total is the one written
    by hand. Not rescaled: see ``full_marks``.
    """
    total = Decimal(0)
    for key, criterion in criteria.items():
        weight, maximum = (_criterion_number(key, x) for x in criterion)
        if weight <= 0 or maximum <= 0:
            raise ValueError(f"criterion {key!r}: weight and maximum must be positive")
        if key not in values:
            raise ScoreError(key, "missing")
        value = _exact(values[key])
        if value is None:
            raise ScoreError(key, "not_a_number", values[key])
        if not 0 <= value <= maximum:
            raise ScoreError(key, "out_of_range", values[key], maximum)
        total += weight * value
    for key in values:
        if key not in criteria:
            raise ScoreError(key, "unknown", values[key])
    return total


def full_marks(criteria: Mapping[str, Criterion | tuple[Number, Number]]) -> Decimal:
    """The highest possible ``weighted_total``: Σ weight × maximum."""
    total = Decimal(0)
    for key, (weight, maximum) in criteria.items():
        total += _criterion_number(key, weight) * _criterion_number(key, maximum)
    return total


def _exact(x: object) -> Decimal | None:
    """x as an exact finite Decimal (floats by their shortest repr), or None."""
    if isinstance(x, bool):
        return None
    if isinstance(x, Decimal):
        return x if x.is_finite() else None
    if isinstance(x, int):
        return Decimal(x)
    if isinstance(x, float):
        return Decimal(repr(x)) if math.isfinite(x) else None
    return None


def _criterion_number(key: str, x: object) -> Decimal:
    value = _exact(x)
    if value is None:
        raise ValueError(f"criterion {key!r}: {x!r} is not a number")
    return value


# --- rounding -------------------------------------------------------------------------


def round_half_up(x: Number | str, decimals: int = 2) -> Decimal:
    """x rounded half up (away from zero) to ``decimals``: 84.125 → Decimal("84.13").

    Decimals, ints and strings are rounded exactly; a float the way ``aggregate`` rounds
    its results (a hair below a half counts as the half, module docstring point 5).
    """
    _check_decimals(decimals)
    if isinstance(x, float):
        units = int(half_up_units(np.array([x]), decimals)[0])
        return Decimal(units).scaleb(-decimals)
    return Decimal(x).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def half_up_units(x: np.ndarray, decimals: int) -> np.ndarray:
    """Vectorised half-up rounding of floats, as integers in units of 10^-decimals
    (84.125 at 2 decimals → 8413). NaN is not allowed."""
    x = np.asarray(x, dtype=np.float64)
    scaled = np.abs(x) * 10.0**decimals
    whole = np.floor(scaled)
    units = whole + (scaled - whole >= 0.5 - HALF_TOLERANCE)
    return (np.sign(x) * units).astype(np.int64)


def _check_decimals(decimals: int) -> None:
    if not isinstance(decimals, int) or not 0 <= decimals <= MAX_DECIMALS:
        raise ValueError(f"decimals must be an integer from 0 to {MAX_DECIMALS}")


# --- approval votes -------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Approval:
    """Yes/no votes counted per item. Arrays aligned with ``items`` (ascending ids)."""

    items: np.ndarray  # int64
    yes: np.ndarray  # int64
    no: np.ndarray  # int64
    passed: np.ndarray  # bool: yes >= k
    k: int

    def __len__(self) -> int:
        return len(self.items)

    @property
    def passed_items(self) -> np.ndarray:
        """Ids of the items with at least ``k`` yes votes, ascending."""
        return self.items[self.passed]

    def counts(self) -> dict[int, tuple[int, int, bool]]:
        """{item: (yes, no, passed)} as plain Python values."""
        return {
            int(item): (int(yes), int(no), bool(ok))
            for item, yes, no, ok in zip(self.items, self.yes, self.no, self.passed, strict=True)
        }


def approval(
    items: Sequence[int], experts: Sequence[int], yes: Sequence[bool], *, k: int = 1
) -> Approval:
    """Count the votes (item, expert, yes?) per item; an item passes with ≥ k yes votes.

    One vote per expert and item (a second one is a ``ValueError``). Items nobody voted on
    are not in the result."""
    if not isinstance(k, int) or k < 1:
        raise ValueError("k must be a positive integer")
    item_ids = _ids(items, "items")
    expert_ids = _ids(experts, "experts")
    votes = np.asarray(yes)
    if votes.ndim != 1 or votes.dtype.kind not in "bi":
        raise ValueError("yes must be a 1-D array of booleans")
    if votes.dtype.kind == "i" and not np.isin(votes, (0, 1)).all():
        raise ValueError("yes must hold only 0/1 or booleans")
    _same_length(item_ids, expert_ids, votes)
    _no_duplicate_pairs(item_ids, expert_ids)
    unique, group = np.unique(item_ids, return_inverse=True)
    total = np.bincount(group, minlength=len(unique))
    yes_count = np.bincount(group, weights=votes.astype(np.float64), minlength=len(unique))
    yes_count = yes_count.astype(np.int64)
    return Approval(unique, yes_count, total - yes_count, yes_count >= k, k)


# --- scores and rules -----------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """How a round turns its scores into one number per item (docs/review-aggregation.md).

    ``method``: "mean" (平均分), "median", "trimmed" (去掉一个最高分和一个最低分) or
    "zscore" (标准分). ``trim_min``: the trimmed mean drops one highest and one lowest
    score only for items with at least this many scores; below it ``fallback`` ("mean"
    or "median") applies. ``zscore_min``: experts with fewer scores in the round are not
    normalised (their raw scores are used as they are). ``decimals``: the final score is
    rounded half up to this many. ``flag_sd`` / ``flag_range``: an item is flagged for
    high disagreement when its sample sd, or its max − min, is above the value (``None``:
    not checked; the right value depends on the rubric's scale, e.g. 10 and 25 out of 100).
    """

    method: Method = "trimmed"
    trim_min: int = 5
    fallback: Fallback = "mean"
    zscore_min: int = 5
    decimals: int = 2
    flag_sd: float | None = None
    flag_range: float | None = None

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}")
        if self.fallback not in ("mean", "median"):
            raise ValueError("fallback must be mean or median")
        # dropping two scores needs a third to keep
        if not isinstance(self.trim_min, int) or self.trim_min < 3:
            raise ValueError("trim_min must be an integer of at least 3")
        # a sample sd needs two scores
        if not isinstance(self.zscore_min, int) or self.zscore_min < 2:
            raise ValueError("zscore_min must be an integer of at least 2")
        _check_decimals(self.decimals)
        for name in ("flag_sd", "flag_range"):
            limit = getattr(self, name)
            if limit is not None and not (math.isfinite(limit) and limit >= 0):
                raise ValueError(f"{name} must be a non-negative number or None")


class Scores:
    """The scores of one round, validated and sorted by item (then total) once.

    ``items``, ``experts``: integer ids; ``totals``: numbers (``weighted_total``s), all
    of one length, one score per expert and item. ``criteria`` (optional): {criterion
    key: that criterion's value for each score, aligned with ``totals``, NaN where not
    given}, for the per-criterion means.
    """

    def __init__(
        self,
        items: Sequence[int],
        experts: Sequence[int],
        totals: Sequence[Number],
        criteria: Mapping[str, Sequence[Number]] | None = None,
    ) -> None:
        item_ids = _ids(items, "items")
        expert_ids = _ids(experts, "experts")
        values = np.asarray(totals, dtype=np.float64)
        if values.ndim != 1:
            raise ValueError("totals must be one-dimensional")
        _same_length(item_ids, expert_ids, values)
        if not np.isfinite(values).all():
            raise ValueError("totals must be finite numbers")
        _no_duplicate_pairs(item_ids, expert_ids)
        # by item, then total: two stable sorts, faster than np.lexsort((values, item_ids))
        by_value = np.argsort(values, kind="stable")
        order = by_value[np.argsort(item_ids[by_value], kind="stable")]
        self.size = len(values)
        #: per score, sorted by item then total
        self.item_of = item_ids[order]
        self.expert_of = expert_ids[order]
        self.values = values[order]
        starts_mask = np.ones(self.size, dtype=bool)
        starts_mask[1:] = self.item_of[1:] != self.item_of[:-1]
        #: per item (ascending id): its first score's position and its number of scores
        self.starts = np.flatnonzero(starts_mask)
        self.items = self.item_of[self.starts]
        self.counts = np.diff(np.append(self.starts, self.size))
        #: per score, the index of its item in ``items``
        self.group = np.cumsum(starts_mask) - 1
        self.criteria: dict[str, np.ndarray] = {}
        for key, column in (criteria or {}).items():
            column = np.asarray(column, dtype=np.float64)
            if column.shape != values.shape:
                raise ValueError(f"criterion {key!r} must have one value per score")
            self.criteria[key] = column[order]

    def __len__(self) -> int:
        return self.size

    @cached_property
    def experts(self) -> ExpertStats:
        """Each expert's count, mean and sample sd, for the z-scores (computed once)."""
        ids, inverse = np.unique(self.expert_of, return_inverse=True)
        count = np.bincount(inverse)
        mean = np.bincount(inverse, weights=self.values) / count
        deviation = self.values - mean[inverse]
        squares = np.bincount(inverse, weights=deviation * deviation)
        with np.errstate(invalid="ignore", divide="ignore"):
            sd = np.where(count > 1, np.sqrt(squares / (count - 1)), np.nan)
        sd[sd <= ZERO_SD * np.maximum(np.abs(mean), 1.0)] = 0.0
        return ExpertStats(ids, inverse, count, mean, sd)


@dataclass(frozen=True, eq=False)
class ExpertStats:
    ids: np.ndarray  # expert ids, ascending
    of_score: np.ndarray  # per score (in Scores order), the index into ids
    count: np.ndarray
    mean: np.ndarray
    sd: np.ndarray  # sample sd; NaN for a single score; 0 when all scores are equal


@dataclass(frozen=True, eq=False)
class Normalised:
    """Per score (in ``Scores`` order): z, the value on the round's scale, and whether
    the expert was normalised (``applied``; False below ``zscore_min``, z is then NaN
    and ``values`` holds the raw score)."""

    z: np.ndarray
    values: np.ndarray
    applied: np.ndarray
    overall_mean: float
    overall_sd: float


def normalise(scores: Scores, zscore_min: int = 5) -> Normalised:
    """标准分 per score: z = (x − expert mean) / expert sd (sd 0 → z 0), mapped back as
    overall mean + z × overall sd (mean and sample sd of all the round's scores, raw).
    Experts with fewer than ``zscore_min`` scores keep their raw scores."""
    if zscore_min < 2:
        raise ValueError("zscore_min must be at least 2")
    experts = scores.experts
    values = scores.values
    overall_mean = float(values.mean()) if len(values) else math.nan
    overall_sd = float(values.std(ddof=1)) if len(values) > 1 else 0.0
    applied = experts.count[experts.of_score] >= zscore_min
    sd = experts.sd[experts.of_score]
    deviation = values - experts.mean[experts.of_score]
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(sd > 0, deviation / np.where(sd > 0, sd, 1.0), 0.0)
    z[~applied] = np.nan
    mapped = np.where(applied, overall_mean + np.nan_to_num(z) * overall_sd, values)
    return Normalised(z, mapped, applied, overall_mean, overall_sd)


@dataclass(frozen=True)
class ItemResult:
    """One item's aggregate, as plain Python values (``Aggregate.row``)."""

    item: int
    final: Decimal  # the rule's value, rounded half up to rule.decimals
    value: float  # the rule's value before rounding
    raw_mean: float
    normalised: float | None  # mean of the normalised scores (zscore rule only)
    median: float
    n: int
    sd: float | None  # sample sd; None for a single score
    minimum: float
    maximum: float
    range: float
    trimmed: bool  # the trimmed mean applied (method "trimmed", n ≥ trim_min)
    flagged: bool  # high disagreement
    criteria: dict[str, float | None]  # mean of each criterion's given values


@dataclass(frozen=True, eq=False)
class Aggregate:
    """Every item's aggregate under one rule, as numpy columns aligned with ``items``
    (ascending ids). Iterate, or use ``row`` / ``result_for``, for ``ItemResult``s."""

    rule: Rule
    items: np.ndarray  # int64
    n: np.ndarray  # int64
    value: np.ndarray  # the rule's value, unrounded
    final_units: np.ndarray  # int64: the final score × 10**decimals, exactly
    raw_mean: np.ndarray
    normalised: np.ndarray  # NaN unless method == "zscore"
    median: np.ndarray
    sd: np.ndarray  # NaN where n == 1
    minimum: np.ndarray
    maximum: np.ndarray
    trimmed: np.ndarray  # bool
    flagged: np.ndarray  # bool
    criteria: dict[str, np.ndarray]  # NaN where the item has no value for it

    def __len__(self) -> int:
        return len(self.items)

    @property
    def final(self) -> np.ndarray:
        """The final scores as floats (the nearest float to each rounded decimal)."""
        return self.final_units / 10.0**self.rule.decimals

    @property
    def range(self) -> np.ndarray:
        return self.maximum - self.minimum

    def index_of(self, item: int) -> int:
        index = int(np.searchsorted(self.items, item))
        if index == len(self.items) or self.items[index] != item:
            raise KeyError(item)
        return index

    def result_for(self, item: int) -> ItemResult:
        return self.row(self.index_of(item))

    def row(self, index: int) -> ItemResult:
        def optional(x: float) -> float | None:
            return None if math.isnan(x) else float(x)

        return ItemResult(
            item=int(self.items[index]),
            final=Decimal(int(self.final_units[index])).scaleb(-self.rule.decimals),
            value=float(self.value[index]),
            raw_mean=float(self.raw_mean[index]),
            normalised=optional(self.normalised[index]),
            median=float(self.median[index]),
            n=int(self.n[index]),
            sd=optional(self.sd[index]),
            minimum=float(self.minimum[index]),
            maximum=float(self.maximum[index]),
            range=float(self.maximum[index] - self.minimum[index]),
            trimmed=bool(self.trimmed[index]),
            flagged=bool(self.flagged[index]),
            criteria={key: optional(column[index]) for key, column in self.criteria.items()},
        )

    def __iter__(self) -> Iterator[ItemResult]:
        return (self.row(index) for index in range(len(self.items)))


def aggregate(scores: Scores, rule: Rule | None = None) -> Aggregate:
    """Every item's aggregate under ``rule`` (default ``Rule()``: trimmed mean from 5
    scores, else the mean, 2 decimals). Items without scores are not in the result."""
    rule = rule or Rule()
    if not len(scores):
        return _empty_aggregate(rule, scores)
    values, starts, counts = scores.values, scores.starts, scores.counts
    ends = starts + counts
    minimum, maximum = values[starts], values[ends - 1]
    sums = np.add.reduceat(values, starts)
    raw_mean = sums / counts
    constant = minimum == maximum
    raw_mean[constant] = minimum[constant]  # no float noise in the mean of equal scores
    median = (values[starts + (counts - 1) // 2] + values[starts + counts // 2]) / 2
    deviation = values - raw_mean[scores.group]
    squares = np.add.reduceat(deviation * deviation, starts)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.where(counts > 1, np.sqrt(squares / (counts - 1)), np.nan)
    sd[constant & (counts > 1)] = 0.0

    trimmed = np.zeros(len(counts), dtype=bool)
    normalised = np.full(len(counts), np.nan)
    if rule.method == "mean":
        value = raw_mean
    elif rule.method == "median":
        value = median
    elif rule.method == "trimmed":
        trimmed = counts >= rule.trim_min
        # the kept scores summed as they are (not sum − max − min, which loses digits)
        keep = np.ones(len(values), dtype=bool)
        keep[starts[trimmed]] = False
        keep[ends[trimmed] - 1] = False
        kept_sums = np.add.reduceat(np.where(keep, values, 0.0), starts)
        fallback = raw_mean if rule.fallback == "mean" else median
        value = np.where(trimmed, kept_sums / np.where(trimmed, counts - 2, 1), fallback)
    else:
        mapped = normalise(scores, rule.zscore_min).values
        normalised = np.add.reduceat(mapped, starts) / counts
        value = normalised

    flagged = np.zeros(len(counts), dtype=bool)
    if rule.flag_sd is not None:
        flagged |= np.nan_to_num(np.round(sd, COMPARE_DECIMALS), nan=-1.0) > rule.flag_sd
    if rule.flag_range is not None:
        flagged |= np.round(maximum - minimum, COMPARE_DECIMALS) > rule.flag_range

    criteria = {}
    for key, column in scores.criteria.items():
        given = ~np.isnan(column)
        total = np.add.reduceat(np.where(given, column, 0.0), starts)
        number = np.add.reduceat(given.astype(np.int64), starts)
        with np.errstate(invalid="ignore", divide="ignore"):
            criteria[key] = np.where(number > 0, total / np.maximum(number, 1), np.nan)

    return Aggregate(
        rule=rule,
        items=scores.items,
        n=counts,
        value=value,
        final_units=half_up_units(value, rule.decimals),
        raw_mean=raw_mean,
        normalised=normalised,
        median=median,
        sd=sd,
        minimum=minimum,
        maximum=maximum,
        trimmed=trimmed,
        flagged=flagged,
        criteria=criteria,
    )


def _empty_aggregate(rule: Rule, scores: Scores) -> Aggregate:
    empty = np.zeros(0)
    return Aggregate(
        rule=rule,
        items=np.zeros(0, dtype=np.int64),
        n=np.zeros(0, dtype=np.int64),
        value=empty,
        final_units=np.zeros(0, dtype=np.int64),
        raw_mean=empty,
        normalised=empty,
        median=empty,
        sd=empty,
        minimum=empty,
        maximum=empty,
        trimmed=np.zeros(0, dtype=bool),
        flagged=np.zeros(0, dtype=bool),
        criteria={key: empty for key in scores.criteria},
    )


# --- ranking --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Ranking:
    """Items best first. ``rank``: competition ranks aligned with ``items`` (1, 2, 2, 4:
    items equal on every tie-break key share one); ``index``: each item's position in
    ``result``'s arrays."""

    result: Aggregate
    tie_break: tuple[str, ...]
    items: np.ndarray
    rank: np.ndarray
    index: np.ndarray

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[tuple[int, ItemResult]]:
        """(rank, result) best first."""
        for rank, index in zip(self.rank, self.index, strict=True):
            yield int(rank), self.result.row(int(index))

    def rank_of(self, item: int) -> int:
        position = np.flatnonzero(self.index == self.result.index_of(item))[0]
        return int(self.rank[position])

    def top(self, k: int, *, ties: Literal["include", "exclude"] = "include") -> np.ndarray:
        """The ids of the best ``k`` items, best first. When the k-th item shares its rank
        with the next ones, "include" takes the whole tied group (more than k items),
        "exclude" leaves the group out (fewer than k): a tie is never cut at random."""
        if k < 0:
            raise ValueError("k must not be negative")
        if ties not in ("include", "exclude"):
            raise ValueError("ties must be include or exclude")
        within = int(np.searchsorted(self.rank, k, side="right"))  # rank ≤ k
        if ties == "exclude" and within > k:
            within = int(np.searchsorted(self.rank, self.rank[k], side="left"))
        return self.items[:within]

    def at_least(self, score: Number | str) -> np.ndarray:
        """The ids of the items whose final score is ≥ ``score``, best first (compared
        exactly, at the rule's decimals: 84.13 passes 84.13, 84.12 does not)."""
        decimals = self.result.rule.decimals
        limit = Decimal(str(score)).scaleb(decimals)
        finals = self.result.final_units[self.index]
        # final_units are integers: ≥ limit ⇔ ≥ ceil(limit)
        return self.items[finals >= int(limit.to_integral_value(rounding=ROUND_CEILING))]


def rank(result: Aggregate, tie_break: Sequence[str] = DEFAULT_TIE_BREAK) -> Ranking:
    """Rank the items of ``result`` by the ``tie_break`` keys in order, then item id.

    Keys (higher first unless "_low"): "final" (the rounded final score), "value" (the
    rule's value unrounded), "raw_mean", "normalised" (zscore rule only), "median", "n"
    (more scores first), "min", "max", "sd_low" and "range_low" (more agreement first).
    """
    tie_break = tuple(tie_break)
    if not tie_break:
        raise ValueError("the tie-break order needs at least one key")
    for key in tie_break:
        if key not in TIE_BREAK_KEYS:
            raise ValueError(f"unknown tie-break key {key!r}; known: {', '.join(TIE_BREAK_KEYS)}")
    if "normalised" in tie_break and result.rule.method != "zscore":
        raise ValueError('the "normalised" key needs the zscore rule')
    columns = []
    for key in tie_break:
        attribute, higher_first = TIE_BREAK_KEYS[key]
        column = getattr(result, attribute)
        if column.dtype.kind == "f":
            column = np.round(column, COMPARE_DECIMALS)  # float noise is no difference
        # lexsort sorts NaN last either way, so a missing value counts as the worst
        columns.append(-column if higher_first else column)
    # np.lexsort: the last key is the primary one; the item id breaks what remains
    order = np.lexsort((result.items, *reversed(columns)))
    new_group = np.zeros(len(order), dtype=bool)
    new_group[:1] = True
    for column in columns:
        ordered = column[order]
        differs = ordered[1:] != ordered[:-1]
        if ordered.dtype.kind == "f":
            differs &= ~(np.isnan(ordered[1:]) & np.isnan(ordered[:-1]))
        new_group[1:] |= differs
    positions = np.arange(1, len(order) + 1)
    ranks = np.maximum.accumulate(np.where(new_group, positions, 0))
    return Ranking(result, tie_break, result.items[order], ranks, order)


# --- consistency check ----------------------------------------------------------------


def second_panel_sample(items: Sequence[int], share: float = 0.1, *, seed: int) -> np.ndarray:
    """A random ``share`` of ``items`` (rounded up, at least one) for a second,
    independent panel; ascending ids. The same items and seed give the same sample."""
    if not 0 < share <= 1:
        raise ValueError("share must be more than 0 and at most 1")
    unique = np.unique(_ids(items, "items"))
    if not len(unique):
        return unique
    count = max(1, math.ceil(round(share * len(unique), 9)))
    chosen = np.random.default_rng(seed).choice(len(unique), size=count, replace=False)
    return unique[np.sort(chosen)]


@dataclass(frozen=True)
class Decisions:
    """Two accept/reject decisions on the same ``n`` items (the NeurIPS 2014 table)."""

    n: int
    accepted_a: int
    accepted_b: int
    both_accept: int
    both_reject: int
    only_a: int
    only_b: int

    @property
    def agreement(self) -> float:
        """Share of items both accept or both reject."""
        return (self.both_accept + self.both_reject) / self.n if self.n else math.nan

    @property
    def disagreement(self) -> float:
        """Share of items one accepts and the other rejects (NeurIPS 2014: 43/166)."""
        return (self.only_a + self.only_b) / self.n if self.n else math.nan

    @property
    def accepted_overlap(self) -> float:
        """2 × both accept / (accepted by a + accepted by b) (Dice): with equal numbers
        accepted, the share of one panel's accepted items the other accepts too."""
        accepted = self.accepted_a + self.accepted_b
        return 2 * self.both_accept / accepted if accepted else math.nan


def decision_agreement(
    items: Sequence[int], accepted_a: Sequence[int], accepted_b: Sequence[int]
) -> Decisions:
    """Compare two panels' accepted sets over ``items`` (accepted ids outside ``items``
    are ignored)."""
    universe = np.unique(_ids(items, "items"))
    a = np.isin(universe, _ids(accepted_a, "accepted_a"))
    b = np.isin(universe, _ids(accepted_b, "accepted_b"))
    return Decisions(
        n=len(universe),
        accepted_a=int(a.sum()),
        accepted_b=int(b.sum()),
        both_accept=int((a & b).sum()),
        both_reject=int((~a & ~b).sum()),
        only_a=int((a & ~b).sum()),
        only_b=int((~a & b).sum()),
    )


@dataclass(frozen=True)
class Agreement:
    """How far two independent panels agree on the items both scored (``n``);
    ``unmatched``: items only one panel scored (left out). ``spearman`` / ``kendall_tau``
    (τ-b) with their two-sided p-values; NaN with fewer than 2 items or when a panel
    gave all of them the same score. ``decisions``: each panel accepting its top
    ``accept_share`` (``accept_count`` items, ties at the boundary all accepted)."""

    n: int
    unmatched: int
    spearman: float
    spearman_p: float
    kendall_tau: float
    kendall_p: float
    accept_share: float
    accept_count: int
    decisions: Decisions


def agreement(
    panel_a: Aggregate | Mapping[int, Number],
    panel_b: Aggregate | Mapping[int, Number],
    *,
    accept_share: float = 0.25,
) -> Agreement:
    """Compare two panels' scores of the same items: rank correlations and the overlap
    of what each would accept. A panel is an ``Aggregate`` (its unrounded rule value is
    used) or {item id: score}. Each panel accepts its top ``accept_share`` of the
    common items: round half up of share × n, at least one, plus any item tied with the
    last one."""
    from scipy import stats

    if not 0 < accept_share <= 1:
        raise ValueError("accept_share must be more than 0 and at most 1")
    items_a, scores_a = _panel(panel_a)
    items_b, scores_b = _panel(panel_b)
    common, in_a, in_b = np.intersect1d(items_a, items_b, assume_unique=True, return_indices=True)
    a, b = scores_a[in_a], scores_b[in_b]
    n = len(common)
    unmatched = len(items_a) + len(items_b) - 2 * n
    count = max(1, math.floor(accept_share * n + 0.5)) if n else 0
    spearman = spearman_p = kendall = kendall_p = math.nan
    if n >= 2 and np.ptp(a) > 0 and np.ptp(b) > 0:
        rho = stats.spearmanr(a, b)
        tau = stats.kendalltau(a, b)
        spearman, spearman_p = float(rho.statistic), float(rho.pvalue)
        kendall, kendall_p = float(tau.statistic), float(tau.pvalue)
    return Agreement(
        n=n,
        unmatched=unmatched,
        spearman=spearman,
        spearman_p=spearman_p,
        kendall_tau=kendall,
        kendall_p=kendall_p,
        accept_share=accept_share,
        accept_count=count,
        decisions=decision_agreement(
            common, _accepted(common, a, count), _accepted(common, b, count)
        ),
    )


def _panel(panel: Aggregate | Mapping[int, Number]) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(panel, Aggregate):
        return panel.items, panel.value
    items = _ids(list(panel.keys()), "panel items")
    scores = np.asarray([float(x) for x in panel.values()], dtype=np.float64)
    if not np.isfinite(scores).all():
        raise ValueError("panel scores must be finite numbers")
    order = np.argsort(items)
    return items[order], scores[order]


def _accepted(items: np.ndarray, scores: np.ndarray, count: int) -> np.ndarray:
    """The items scoring at least the count-th best score (ties at the boundary in)."""
    if count == 0:
        return items[:0]
    rounded = np.round(scores, COMPARE_DECIMALS)
    boundary = np.sort(rounded)[::-1][count - 1]
    return items[rounded >= boundary]


# --- input checks ---------------------------------------------------------------------


def _ids(values: Sequence[int], name: str) -> np.ndarray:
    array = np.asarray(values)
    if array.size == 0:
        return np.zeros(0, dtype=np.int64)
    if array.ndim != 1 or array.dtype.kind not in "iu":
        raise ValueError(f"{name} must be a 1-D array of integer ids")
    return array.astype(np.int64, copy=False)


def _same_length(*arrays: np.ndarray) -> None:
    if len({len(array) for array in arrays}) > 1:
        raise ValueError("items, experts and values must have the same length")


def _no_duplicate_pairs(items: np.ndarray, experts: np.ndarray) -> None:
    if not len(items):
        return
    first_item, first_expert = int(items.min()), int(experts.min())
    span = int(experts.max()) - first_expert + 1
    if (int(items.max()) - first_item + 1) * span < 2**62:
        # one int64 key per pair: sorting it is 3× faster than a lexsort of the two
        keys = np.sort((items - first_item) * span + (experts - first_expert))
        repeated = keys[1:] == keys[:-1]
        if repeated.any():
            item, expert = divmod(int(keys[1:][repeated][0]), span)
            _duplicate(item + first_item, expert + first_expert)
        return
    order = np.lexsort((experts, items))
    repeated = (items[order][1:] == items[order][:-1]) & (experts[order][1:] == experts[order][:-1])
    if repeated.any():
        at = order[1:][repeated][0]
        _duplicate(int(items[at]), int(experts[at]))


def _duplicate(item: int, expert: int) -> None:
    raise ValueError(f"expert {expert} has more than one entry for item {item}")
