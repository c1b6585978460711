"""Automatic reviewer assignment for an expert review round (issue 12, point 5).

Plain data in (items, experts, conflicts, reviewers per item, manual pairs to keep),
plain data out (`AssignmentResult`): no models, no database. The review app turns its
entries, committee and `Conflict` rows into `Item`, `Expert` and pairs, calls
`assign_reviewers`, and stores the pairs; the problems come back as codes with
parameters for it to word (see docs/review-assignment.md for the wording and the
method in full).

What the assignment guarantees, in this order of priority
----------------------------------------------------------
1. **Hard rules.** Every pair is allowed: never a forbidden (回避) pair, never the same
   expert twice on an item, never above an expert's own capacity. Manual pairs are
   kept (a manual pair that is forbidden is dropped and reported).
2. **Coverage.** As many of the N·R reviews as the rules allow: every item gets R
   reviewers unless it has fewer than R allowed experts (`too_few_experts`) or the
   capacities are too small (`capacity_too_small`); the others still get R.
3. **Balance.** Loads (manual pairs included) lie between floor(D/E) and ceil(D/E),
   D the reviews to give out (water-filled when some experts have a smaller capacity);
   `load_slack` widens that. Where conflicts make this impossible, a first flow finds
   the smallest total deviation, only those experts' bounds are widened, by exactly
   that much, and each is reported (`load_outside_balance`).
4. **Fairness: the worst-off item's match is maximised** (PeerReview4All, Stelmakh,
   Shah & Singh 2019). With the art-form affinity (1 for an expert of the item's art
   form, `non_expert_affinity` a for anyone else) an item with g expert reviewers among
   c reviewers has match (g + a·(c − g)) / R, so a threshold τ on the match is a
   minimum number of expert reviewers per item. The largest τ that every item can
   reach — or its own best, for an item whose art form has too few allowed experts —
   is found by binary search over the few values a match can take, each step a
   feasibility flow with those minimums as lower bounds. The worst-off item's match
   is then exactly the best any assignment within the bounds of 1–3 can give (items
   whose own best is lower cannot be helped and do not hold the others back). The
   match values assume every item gets the reviewers it can; when capacities fall
   short and `non_expert_affinity` > 0, the guarantee holds for the expert counts.
5. **Total match**, then an even spread of the expert reviews among the items (a
   concave bonus, a tie-break only), by one min-cost flow under the bounds of 3 and 4.
   When every item can have its best at once (the usual case) steps 3–5 are one flow.

How it is solved
----------------
Each step is a flow on one network — source → item → (expert of the item's form |
any other allowed expert) → expert → sink — solved with OR-Tools (`SimpleMaxFlow`
for the coverage, `SimpleMinCostFlow` for the rest); lower bounds (balance, required
expert counts) are turned into node supplies, the usual reduction. Nothing is greedy.

At 20,000 items × 200 experts, the full bipartite graph has 4 million arcs. In the
art-form model all of an item's experts of its form are worth the same, and so are all
its other experts, so the flows run on a **counting network**: each item sends its
expert reviews to a hub of its art form and its other reviews to a second hub, and
each hub → expert arc carries at most the number of the form's items that may have
that expert. This relaxes only which item goes to which expert (conflicts, one review
per pair), so its optimum is at least as good as the real one; the hub flows are then
split into pairs, per art form, by a max flow on the real allowed pairs. When the split
succeeds the pairs achieve the relaxation's optimum, so they are optimal for the real
problem; when it fails (conflicts concentrated on a few experts of a form), that art
form's items get explicit pair arcs and everything is solved again — exact in every
case. In the benchmark's round the min-cost flows run on 101,800 arcs instead of
3.9 million, and the split's max flows see each art form's own pairs (743,000 in
all). A caller-provided `affinity` gives every pair its own value, so those rounds use
explicit arcs throughout (N·E arcs: 3.6 s and ~600 MB at 20,000 × 200).

Affinities are compared at 1/1000. With an arbitrary affinity matrix the worst-off
item's *sum* of affinities is hard to maximise in general (PeerReview4All gives an
approximation, not an exact algorithm); there the exact max–min is over the number of
reviewers whose affinity reaches `expert_threshold`, and the total affinity is
maximised beneath it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

ItemId = Hashable
ExpertId = Hashable

AFFINITY_STEPS = 1000  # affinities are compared at this resolution


@dataclass(frozen=True)
class Item:
    """An item to review: a work (its art form), a unit or a person (`art_form=None`:
    every expert fits)."""

    id: Hashable
    art_form: str | None = None


@dataclass(frozen=True)
class Expert:
    """An expert: the art forms they are expert in, and optionally the most items they
    take in this round (None: no limit of their own)."""

    id: Hashable
    art_forms: frozenset[str] = frozenset()
    capacity: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.art_forms, frozenset):
            object.__setattr__(self, "art_forms", frozenset(self.art_forms))


class ProblemCode(enum.StrEnum):
    """What could not be done. `Problem.params` holds the numbers named here."""

    # whole round
    CAPACITY_TOO_SMALL = "capacity_too_small"  # capacity, needed
    # one item
    TOO_FEW_EXPERTS = "too_few_experts"  # available, needed
    NO_EXPERT_FOR_ART_FORM = "no_expert_for_art_form"  # art_form, in_pool
    FEW_ART_FORM_EXPERTS = "few_art_form_experts"  # art_form, available, needed
    ART_FORM_EXPERTS_BUSY = "art_form_experts_busy"  # art_form, experts, possible
    ITEM_SHORT = "item_short"  # assigned, possible
    TOO_MANY_FIXED = "too_many_fixed"  # fixed, needed
    # one pair / one expert
    FIXED_PAIR_FORBIDDEN = "fixed_pair_forbidden"  # (item and expert)
    LOAD_OUTSIDE_BALANCE = "load_outside_balance"  # load, low, high


@dataclass(frozen=True)
class Problem:
    """A code and its parameters, for the caller to word and translate."""

    code: ProblemCode
    item: Hashable | None = None
    expert: Hashable | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def as_tuple(self) -> tuple:
        """("too_few_experts", item, 2, 3): the code, whom it is about, the parameters
        in the order `ProblemCode` lists them."""
        about = tuple(x for x in (self.item, self.expert) if x is not None)
        return (str(self.code), *about, *self.params.values())


@dataclass(frozen=True)
class AssignmentResult:
    """`pairs` in item order then expert order, manual pairs included; `match[item]` is
    the mean affinity of its reviewers over max(R, their number) (a missing reviewer
    counts 0); `load_spread` is max − min over the experts not held below the balance
    by their own capacity; `balance` the (floor, ceil) load every other expert aims at."""

    pairs: tuple[tuple[ItemId, ExpertId], ...]
    reviewers: Mapping[ItemId, tuple[ExpertId, ...]]
    loads: Mapping[ExpertId, int]
    match: Mapping[ItemId, float]
    min_match: float
    mean_match: float
    load_spread: int
    balance: tuple[int, int]
    problems: tuple[Problem, ...]

    def problems_for(self, item: ItemId) -> list[Problem]:
        return [p for p in self.problems if p.item == item]


def assign_reviewers(
    items: Sequence[Item],
    experts: Sequence[Expert],
    reviewers_per_item: int,
    *,
    forbidden: Iterable[tuple[ItemId, ExpertId]] = (),
    fixed: Iterable[tuple[ItemId, ExpertId]] = (),
    non_expert_affinity: float | None = 0.0,
    affinity: Callable[[Item, Expert], float] | np.ndarray | None = None,
    expert_threshold: float = 1.0,
    load_slack: int = 0,
) -> AssignmentResult:
    """Assign `reviewers_per_item` distinct experts to every item.

    `forbidden`: (item id, expert id) pairs never to assign (conflicts); pairs naming
    ids not in this round are ignored. `fixed`: manual pairs to keep (unknown ids raise
    ValueError). `non_expert_affinity`: the match of an expert outside the item's art
    form (default 0; None: never assign one). `affinity`: instead of the art-form rule,
    a function (item, expert) → [0, 1] or an N×E array in the order of `items` and
    `experts`; pairs at or above `expert_threshold` then count as expert pairs.
    `load_slack`: loads may differ by up to 1 + 2·slack.
    """
    round_ = _Round.build(
        items,
        experts,
        reviewers_per_item,
        forbidden,
        fixed,
        non_expert_affinity,
        affinity,
        expert_threshold,
        load_slack,
    )
    return round_.solve()


# --- preparation --------------------------------------------------------------------


class _Round:
    """The round as arrays: items 0..N-1, experts 0..E-1, pair key i·E + e."""

    @classmethod
    def build(
        cls,
        items,
        experts,
        r,
        forbidden,
        fixed,
        non_expert_affinity,
        affinity,
        expert_threshold,
        load_slack,
    ) -> _Round:
        self = cls()
        self.items, self.experts = list(items), list(experts)
        self.n, self.e = n, e = len(self.items), len(self.experts)
        if isinstance(r, bool) or not isinstance(r, int) or r < 1:
            raise ValueError(f"reviewers_per_item must be a whole number ≥ 1, not {r!r}")
        if not isinstance(load_slack, int) or load_slack < 0:
            raise ValueError(f"load_slack must be a whole number ≥ 0, not {load_slack!r}")
        if non_expert_affinity is not None and not 0 <= non_expert_affinity < 1:
            raise ValueError("non_expert_affinity must lie in [0, 1) or be None")
        if not 0 < expert_threshold <= 1:
            raise ValueError("expert_threshold must lie in (0, 1]")
        self.r, self.slack = r, load_slack
        self.item_index = _index((it.id for it in self.items), "item")
        self.expert_index = _index((ex.id for ex in self.experts), "expert")

        # art forms as groups: the items of one group share their expert set
        forms: dict[str | None, int] = {}
        self.group = np.array(
            [forms.setdefault(it.art_form, len(forms)) for it in self.items], dtype=np.int64
        )
        self.forms = list(forms)
        self.good_ge = np.zeros((len(forms), e), dtype=bool)
        for g, form in enumerate(self.forms):
            for k, ex in enumerate(self.experts):
                self.good_ge[g, k] = form is None or form in ex.art_forms
        self.in_pool = self.good_ge.sum(axis=1)

        capacity = np.full(e, n, dtype=np.int64)  # nobody reviews more than N items
        for k, ex in enumerate(self.experts):
            if ex.capacity is not None:
                if isinstance(ex.capacity, bool) or not isinstance(ex.capacity, int):
                    raise ValueError(f"capacity of expert {ex.id!r} must be a whole number")
                if ex.capacity < 0:
                    raise ValueError(f"capacity of expert {ex.id!r} must be ≥ 0")
                capacity[k] = min(ex.capacity, n)
        self.capacity = capacity

        self.custom = None
        if affinity is not None:
            if callable(affinity):
                matrix = np.array(
                    [[affinity(it, ex) for ex in self.experts] for it in self.items],
                    dtype=np.float64,
                ).reshape(n, e)
            else:
                matrix = np.asarray(affinity, dtype=np.float64)
                if matrix.shape != (n, e):
                    raise ValueError(f"affinity must be {n}×{e}, not {matrix.shape}")
            if not np.all(np.isfinite(matrix)) or matrix.min(initial=0) < 0:
                raise ValueError("affinities must lie in [0, 1]")
            if matrix.max(initial=0) > 1:
                raise ValueError("affinities must lie in [0, 1]")
            self.custom = matrix
            self.threshold_q = _quantise(expert_threshold)
        self.non_expert_affinity = non_expert_affinity
        self.non_experts_allowed = affinity is not None or non_expert_affinity is not None

        self.problems: list[Problem] = []
        self._read_pairs(forbidden, fixed)
        return self

    def _read_pairs(self, forbidden, fixed) -> None:
        n, e = self.n, self.e
        keys = []
        for item_id, expert_id in forbidden:
            i, k = self.item_index.get(item_id), self.expert_index.get(expert_id)
            if i is not None and k is not None:
                keys.append(i * e + k)
        self.forbidden = np.unique(np.array(keys, dtype=np.int64))

        fixed_keys = []
        for item_id, expert_id in fixed:
            if item_id not in self.item_index:
                raise ValueError(f"fixed pair names an unknown item: {item_id!r}")
            if expert_id not in self.expert_index:
                raise ValueError(f"fixed pair names an unknown expert: {expert_id!r}")
            fixed_keys.append(self.item_index[item_id] * e + self.expert_index[expert_id])
        fixed_keys = np.unique(np.array(fixed_keys, dtype=np.int64))
        dropped = _isin_sorted(fixed_keys, self.forbidden)
        for key in fixed_keys[dropped]:
            i, k = divmod(int(key), e)
            self.problems.append(
                Problem(ProblemCode.FIXED_PAIR_FORBIDDEN, self.items[i].id, self.experts[k].id)
            )
        self.fixed = fixed_keys[~dropped]
        fi, fe = self.fixed // e, self.fixed % e
        self.fixed_count = np.bincount(fi, minlength=n)
        self.fixed_load = np.bincount(fe, minlength=e)
        self.fixed_good = np.bincount(fi[self.is_good(fi, fe)], minlength=n)
        # pairs no new arc may use: forbidden, or already there
        self.blocked = np.union1d(self.forbidden, self.fixed)

    # pair properties, vectorised over index arrays

    def is_good(self, i: np.ndarray, k: np.ndarray) -> np.ndarray:
        if self.custom is not None:
            return _quantise(self.custom[i, k]) >= self.threshold_q
        return self.good_ge[self.group[i], k]

    def affinity_of(self, i: np.ndarray, k: np.ndarray) -> np.ndarray:
        if self.custom is not None:
            return self.custom[i, k]
        low = self.non_expert_affinity or 0.0
        return np.where(self.good_ge[self.group[i], k], 1.0, low)

    # --- the pipeline -------------------------------------------------------------------

    def solve(self) -> AssignmentResult:
        explicit_groups: set[int] = (
            set(range(len(self.forms))) if self.custom is not None else set()
        )
        while True:
            net = _Network(self, explicit_groups)
            flows = net.run()
            pairs, failed = net.split(flows)
            if not failed:
                return self._result(net, pairs)
            # the relaxation's pairs could not be split for these art forms: give their
            # items explicit arcs and solve again (exact, costs more arcs)
            explicit_groups |= failed

    def _result(self, net: _Network, new_pairs: np.ndarray) -> AssignmentResult:
        n, e, r = self.n, self.e, self.r
        keys = np.sort(np.concatenate([self.fixed, new_pairs]))
        pi, pe = keys // e, keys % e
        count = np.bincount(pi, minlength=n)
        good = np.bincount(pi[self.is_good(pi, pe)], minlength=n)
        loads = np.bincount(pe, minlength=e)
        aff = np.bincount(pi, weights=self.affinity_of(pi, pe), minlength=n)
        match = aff / np.maximum(r, count) if n else aff

        problems = list(self.problems)
        problems += net.round_problems
        low, high = net.low, net.high
        for k in np.flatnonzero((loads < low) | (loads > high)):
            problems.append(
                Problem(
                    ProblemCode.LOAD_OUTSIDE_BALANCE,
                    expert=self.experts[k].id,
                    params={"load": int(loads[k]), "low": int(low[k]), "high": int(high[k])},
                )
            )
        for i in range(n):
            item = self.items[i]
            problems += net.item_problems.get(i, [])
            possible = min(r, int(self.fixed_count[i] + net.avail_good[i] + net.avail_other[i]))
            if count[i] < possible:
                params = {"assigned": int(count[i]), "possible": possible}
                problems.append(Problem(ProblemCode.ITEM_SHORT, item.id, params=params))
            if net.has_expertise(i) and good[i] < net.top[i]:
                params = {
                    "art_form": item.art_form,
                    "experts": int(good[i]),
                    "possible": int(net.top[i]),
                }
                problems.append(Problem(ProblemCode.ART_FORM_EXPERTS_BUSY, item.id, params=params))

        reviewers: dict[ItemId, list[ExpertId]] = {it.id: [] for it in self.items}
        pairs = []
        for i, k in zip(pi.tolist(), pe.tolist(), strict=True):
            pair = (self.items[i].id, self.experts[k].id)
            pairs.append(pair)
            reviewers[pair[0]].append(pair[1])
        # the spread among the experts the balance applies to (not held back by capacity)
        balanced = ~net.capped if net.capped is not None else np.ones(e, dtype=bool)
        spread_loads = loads[balanced] if balanced.any() else loads
        return AssignmentResult(
            pairs=tuple(pairs),
            reviewers={item: tuple(experts) for item, experts in reviewers.items()},
            loads={ex.id: int(loads[k]) for k, ex in enumerate(self.experts)},
            match={it.id: float(match[i]) for i, it in enumerate(self.items)},
            min_match=float(match.min()) if n else 0.0,
            mean_match=float(match.mean()) if n else 0.0,
            load_spread=int(spread_loads.max() - spread_loads.min()) if e else 0,
            balance=net.balance,
            problems=tuple(problems),
        )


# --- the flow network -----------------------------------------------------------------


class _Network:
    """source → item → (hub of its art form | explicit pair arcs) → expert → sink.

    Node numbers: 0 source, 1 sink, then items, expert hubs and other hubs per art
    form, one expert node per explicit item, experts."""

    def __init__(self, round_: _Round, explicit_groups: set[int]):
        self.round = rd = round_
        n, e, r = rd.n, rd.e, rd.r
        self.explicit_item = np.isin(rd.group, list(explicit_groups))
        n_groups = len(rd.forms)
        self.item_node = 2 + np.arange(n)
        self.good_hub = 2 + n + np.arange(n_groups)
        self.other_hub = 2 + n + n_groups + np.arange(n_groups)
        explicit_items = np.flatnonzero(self.explicit_item)
        self.sub_node = np.full(n, -1, dtype=np.int64)
        self.sub_node[explicit_items] = 2 + n + 2 * n_groups + np.arange(len(explicit_items))
        self.expert_node = 2 + n + 2 * n_groups + len(explicit_items) + np.arange(e)
        usable = rd.capacity > 0

        # what each item may have: expert / other reviewers among the usable, unblocked
        self.avail_good = np.zeros(n, dtype=np.int64)
        self.avail_other = np.zeros(n, dtype=np.int64)
        bi, be = rd.blocked // e, rd.blocked % e
        keep = usable[be] & ~self.explicit_item[bi]
        bi, be = bi[keep], be[keep]
        b_good = rd.good_ge[rd.group[bi], be]
        good_usable = rd.good_ge & usable
        other_usable = ~rd.good_ge & usable if rd.non_experts_allowed else np.zeros_like(rd.good_ge)
        counted = ~self.explicit_item
        g_of = rd.group[counted]
        self.avail_good[counted] = good_usable.sum(axis=1)[g_of]
        self.avail_other[counted] = other_usable.sum(axis=1)[g_of]
        self.avail_good -= np.bincount(bi[b_good], minlength=n)
        if rd.non_experts_allowed:
            self.avail_other -= np.bincount(bi[~b_good], minlength=n)
        # hub → expert: at most as many of the form's items as may have that expert
        group_size = np.bincount(rd.group[counted], minlength=n_groups)
        self.good_hub_cap = group_size[:, None] * good_usable
        self.other_hub_cap = group_size[:, None] * other_usable
        np.subtract.at(self.good_hub_cap, (rd.group[bi[b_good]], be[b_good]), 1)
        np.subtract.at(self.other_hub_cap, (rd.group[bi[~b_good]], be[~b_good]), 1)

        # explicit pairs: every usable, unblocked pair of the explicit items
        xi = np.repeat(explicit_items, e)
        xe = np.tile(np.arange(e), len(explicit_items))
        keep = usable[xe] & ~_isin_sorted(xi * e + xe, rd.blocked)
        xi, xe = xi[keep], xe[keep]
        x_good = rd.is_good(xi, xe)
        if not rd.non_experts_allowed:
            xi, xe, x_good = xi[x_good], xe[x_good], x_good[x_good]
        self.x_i, self.x_e, self.x_good = xi, xe, x_good
        self.x_q = _quantise(rd.affinity_of(xi, xe))
        self.avail_good += np.bincount(xi[x_good], minlength=n)
        self.avail_other += np.bincount(xi[~x_good], minlength=n)

        self.need = np.maximum(0, r - rd.fixed_count)
        self.cover = np.minimum(self.need, self.avail_good + self.avail_other)
        self.new_good = np.minimum(self.avail_good, self.cover)  # most new expert reviews
        self.top = rd.fixed_good + self.new_good  # most expert reviewers in all
        self._item_problems()
        self._base_arcs()

    def has_expertise(self, i: int) -> bool:
        rd = self.round
        return rd.custom is not None or rd.items[i].art_form is not None

    def _item_problems(self) -> None:
        rd = self.round
        self.item_problems: dict[int, list[Problem]] = {}
        for i, item in enumerate(rd.items):
            found = []
            if rd.fixed_count[i] > rd.r:
                params = {"fixed": int(rd.fixed_count[i]), "needed": rd.r}
                found.append(Problem(ProblemCode.TOO_MANY_FIXED, item.id, params=params))
            available = int(rd.fixed_count[i] + self.avail_good[i] + self.avail_other[i])
            if available < rd.r:
                params = {"available": available, "needed": rd.r}
                found.append(Problem(ProblemCode.TOO_FEW_EXPERTS, item.id, params=params))
            good = int(rd.fixed_good[i] + self.avail_good[i])
            if self.has_expertise(i) and good < rd.r:
                if good == 0:
                    in_pool = int(rd.in_pool[rd.group[i]]) if rd.custom is None else 0
                    code = ProblemCode.NO_EXPERT_FOR_ART_FORM
                    params = {"art_form": item.art_form, "in_pool": in_pool}
                else:
                    code = ProblemCode.FEW_ART_FORM_EXPERTS
                    params = {"art_form": item.art_form, "available": good, "needed": rd.r}
                found.append(Problem(code, item.id, params=params))
            if found:
                self.item_problems[i] = found

    def _base_arcs(self) -> None:
        """The arcs every step shares; expert → sink arcs are added per step."""
        rd = self.round
        n, r = rd.n, rd.r
        items = np.arange(n)
        explicit = self.explicit_item
        q_good = AFFINITY_STEPS
        # the non-experts' affinity in the art-form model; with a caller's affinity the
        # fairness threshold counts expert pairs only
        q_low = 0 if rd.custom is not None else int(_quantise(rd.non_expert_affinity or 0.0))
        self.q_low = q_low
        # the spread bonus stays below one step of total affinity
        self.weight = n * r * (r - 1) // 2 + 1
        tails, heads, caps, costs = [], [], [], []

        def add(t, h, c, cost):
            tails.append(np.asarray(t, dtype=np.int64))
            heads.append(np.asarray(h, dtype=np.int64))
            caps.append(np.asarray(c, dtype=np.int64))
            costs.append(np.asarray(cost, dtype=np.int64))
            return sum(len(x) for x in tails[:-1]), sum(len(x) for x in tails)

        add(np.zeros(n), self.item_node, self.cover, np.zeros(n))
        # one arc per possible new expert review of an item, k-th review's bonus falling
        gi = np.repeat(items, self.new_good)
        gk = np.arange(len(gi)) - np.repeat(np.cumsum(self.new_good) - self.new_good, self.new_good)
        bonus = r - 1 - (rd.fixed_good[gi] + gk)
        head = np.where(explicit[gi], self.sub_node[gi], self.good_hub[rd.group[gi]])
        cost = -(bonus + np.where(explicit[gi], 0, q_good * self.weight))
        self.good_arcs = add(self.item_node[gi], head, np.ones(len(gi)), cost)
        self.good_arc_item, self.good_arc_rank = gi, gk
        counted = np.flatnonzero(~explicit & (self.avail_other > 0))
        self.other_arcs = add(
            self.item_node[counted],
            self.other_hub[rd.group[counted]],
            np.minimum(self.avail_other[counted], self.cover[counted]),
            np.full(len(counted), -q_low * self.weight),
        )
        self.other_arc_item = counted
        hg, he = np.nonzero(self.good_hub_cap > 0)
        self.good_hub_arcs = add(
            self.good_hub[hg], self.expert_node[he], self.good_hub_cap[hg, he], np.zeros(len(hg))
        )
        self.good_hub_ge = (hg, he)
        og, oe = np.nonzero(self.other_hub_cap > 0)
        self.other_hub_arcs = add(
            self.other_hub[og], self.expert_node[oe], self.other_hub_cap[og, oe], np.zeros(len(og))
        )
        self.other_hub_ge = (og, oe)
        xi, xe = self.x_i, self.x_e
        tail = np.where(self.x_good, self.sub_node[xi], self.item_node[xi])
        self.pair_arcs = add(tail, self.expert_node[xe], np.ones(len(xi)), -self.x_q * self.weight)
        self.tails = np.concatenate(tails).astype(np.int32)
        self.heads = np.concatenate(heads).astype(np.int32)
        self.caps = np.concatenate(caps)
        self.costs = np.concatenate(costs)
        self.n_nodes = 2 + n + 2 * len(rd.forms) + int(explicit.sum()) + rd.e

    # --- steps ------------------------------------------------------------------------

    def run(self) -> np.ndarray:
        rd = self.round
        self.round_problems: list[Problem] = []
        free = np.maximum(0, rd.capacity - rd.fixed_load)
        demand = int(self.cover.sum())
        if int(free.sum()) < demand:
            self.round_problems.append(
                Problem(
                    ProblemCode.CAPACITY_TOO_SMALL,
                    params={"capacity": int(free.sum()), "needed": demand},
                )
            )
        self.flow = self._coverage(free)
        self.low, self.high, self.balance, self.capped = self._balance()
        full = self.new_good.copy()

        # usually every item can have its best at once: one flow
        flows = self._solve(self.low, self.high, full, final=True)
        if flows is not None:
            return flows
        low, high = self._relax_balance(free)
        if (low != self.low).any() or (high != self.high).any():
            flows = self._solve(low, high, full, final=True)
            if flows is not None:
                return flows
        levels = self._best_threshold(low, high)
        flows = self._solve(low, high, levels, final=True)
        if flows is None:  # the levels came from a feasible flow: cannot happen
            raise RuntimeError("reviewer assignment: the last flow was infeasible")
        return flows

    def _coverage(self, free: np.ndarray) -> int:
        """The most reviews the hard rules allow (a max flow)."""
        from ortools.graph.python import max_flow

        rd = self.round
        solver = max_flow.SimpleMaxFlow()
        tails = np.concatenate([self.tails, self.expert_node.astype(np.int32)])
        heads = np.concatenate([self.heads, np.ones(rd.e, dtype=np.int32)])
        solver.add_arcs_with_capacity(tails, heads, np.concatenate([self.caps, free]))
        if solver.solve(0, 1) != solver.OPTIMAL:
            raise RuntimeError("reviewer assignment: max flow failed")
        return int(solver.optimal_flow())

    def _balance(self):
        """Per expert (low, high) total load: floor and ceil of the reviews to give
        out, water-filled over the capacities, widened by the slack."""
        rd = self.round
        total = int(rd.fixed_load.sum()) + self.flow
        cap = rd.capacity
        if rd.e == 0:
            return cap.copy(), cap.copy(), (0, 0), None

        def filled(t: int) -> int:
            return int(np.minimum(cap, t).sum())

        lo, hi = 0, int(cap.max())
        while lo < hi:  # the largest t with filled(t) ≤ total
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if filled(mid) <= total else (lo, mid - 1)
        t_low = lo
        t_high = t_low if filled(t_low) >= total else t_low + 1
        low = np.maximum(0, np.minimum(cap, t_low) - rd.slack)
        high = np.minimum(cap, t_high + rd.slack)
        return low, high, (t_low, t_high), cap < t_high

    def _expert_arcs(self, low, high):
        """Expert → sink arcs for total loads in [low, high]: the part of `low` not
        met by manual pairs becomes a demand at the expert node."""
        rd = self.round
        new_low = np.maximum(0, low - rd.fixed_load)
        new_high = np.maximum(new_low, high - rd.fixed_load)
        return new_low, new_high - new_low

    def _solve(self, low, high, lower, final: bool) -> np.ndarray | None:
        """One min-cost flow of exactly `self.flow` units: expert loads in [low, high],
        item i's first `lower[i]` new expert reviews forced (None: infeasible).
        `final`: the full costs; otherwise all 0 (a feasibility test)."""
        from ortools.graph.python import min_cost_flow

        rd = self.round
        caps = self.caps.copy()
        a, b = self.good_arcs
        forced = self.good_arc_rank < lower[self.good_arc_item]
        caps[a:b][forced] = 0
        costs = self.costs if final else np.zeros(len(self.costs), dtype=np.int64)
        new_low, spare = self._expert_arcs(low, high)
        solver = min_cost_flow.SimpleMinCostFlow()
        arcs = solver.add_arcs_with_capacity_and_unit_cost(
            np.concatenate([self.tails, self.expert_node.astype(np.int32)]),
            np.concatenate([self.heads, np.ones(rd.e, dtype=np.int32)]),
            np.concatenate([caps, spare]),
            np.concatenate([costs, np.zeros(rd.e, dtype=np.int64)]),
        )
        supply = np.zeros(self.n_nodes, dtype=np.int64)
        supply[0] = self.flow
        supply[1] = -(self.flow - int(new_low.sum()))
        supply[self.expert_node] -= new_low
        forced_items = self.good_arc_item[forced]
        np.subtract.at(supply, self.item_node[forced_items], 1)
        np.add.at(supply, self.heads[a:b][forced], 1)
        if supply[1] > 0:
            return None  # the lower loads alone exceed the reviews to give out
        nodes = np.arange(self.n_nodes, dtype=np.int32)
        solver.set_nodes_supplies(nodes, supply)
        status = solver.solve()
        if status == solver.INFEASIBLE:
            return None
        if status != solver.OPTIMAL:
            raise RuntimeError(f"reviewer assignment: min-cost flow ended with {status}")
        flows = solver.flows(arcs)
        base = flows[: len(self.caps)].copy()
        base[a:b][forced] = 1
        return base

    def _relax_balance(self, free):
        """The balance cannot be met: find the smallest total deviation (a flow with
        cost −1 per review up to the lower bound, +1 per review above the upper), then
        widen only the bounds of the experts that deviate, by exactly that much."""
        from ortools.graph.python import min_cost_flow

        rd = self.round
        fl = rd.fixed_load
        room = free
        lo = np.minimum(np.maximum(0, self.low - fl), room)
        hi = np.minimum(np.maximum(0, self.high - fl), room)
        experts = self.expert_node.astype(np.int32)
        solver = min_cost_flow.SimpleMinCostFlow()
        zeros = np.zeros(len(self.costs), dtype=np.int64)
        solver.add_arcs_with_capacity_and_unit_cost(
            np.concatenate([self.tails, experts, experts, experts]),
            np.concatenate([self.heads, np.ones(3 * rd.e, dtype=np.int32)]),
            np.concatenate([self.caps, lo, hi - lo, room - hi]),
            np.concatenate(
                [zeros, -np.ones(rd.e, np.int64), np.zeros(rd.e, np.int64), np.ones(rd.e, np.int64)]
            ),
        )
        supply = np.zeros(self.n_nodes, dtype=np.int64)
        supply[0], supply[1] = self.flow, -self.flow
        solver.set_nodes_supplies(np.arange(self.n_nodes, dtype=np.int32), supply)
        if solver.solve() != solver.OPTIMAL:
            raise RuntimeError("reviewer assignment: the balance flow failed")
        m = len(self.caps)
        e = rd.e
        flows = solver.flows(np.arange(m, m + 3 * e, dtype=np.int32))
        load = fl + flows[:e] + flows[e : 2 * e] + flows[2 * e :]
        return np.minimum(self.low, load), np.maximum(self.high, load)

    def _levels(self, tau: int) -> np.ndarray:
        """New expert reviews item i needs for a match score ≥ `tau`, or for its best
        possible score if that is lower. Score = (expert reviewers)·(S − q_low) +
        (reviewers)·q_low with S = AFFINITY_STEPS, q_low the non-experts' quantised
        affinity: R·S·match for the art-form model, assuming each item gets all the
        reviewers it can (the coverage)."""
        rd = self.round
        q_low, step = self.q_low, AFFINITY_STEPS - self.q_low
        reviewers = rd.fixed_count + self.cover
        wanted = -((reviewers * q_low - tau) // step)  # ceil((tau - reviewers·q_low) / step)
        wanted = np.clip(wanted, rd.fixed_good, self.top)
        return wanted - rd.fixed_good

    def _best_threshold(self, low, high) -> np.ndarray:
        """The largest threshold every item can reach (or its best, if lower), by binary
        search over the scores items can have; returns that threshold's levels."""
        rd = self.round
        step = AFFINITY_STEPS - self.q_low
        reviewers = rd.fixed_count + self.cover
        scores = {0}
        for c in np.unique(reviewers).tolist():
            scores.update(g * step + c * self.q_low for g in range(min(c, rd.r) + 1))
        candidates = sorted(scores)
        lo, hi = 0, len(candidates) - 1  # candidates[0] = 0 is always reachable
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._solve(low, high, self._levels(candidates[mid]), final=False) is not None:
                lo = mid
            else:
                hi = mid - 1
        return self._levels(candidates[lo])

    # --- from flows to pairs ----------------------------------------------------------

    def split(self, flows: np.ndarray) -> tuple[np.ndarray, set[int]]:
        """The new pairs: explicit arcs as they are; each art form's hub flows split
        among its items by a max flow on the real allowed pairs. Returns the pair keys
        and the art forms whose split failed."""
        rd = self.round
        e = rd.e
        keys = []
        a, b = self.pair_arcs
        used = flows[a:b] == 1
        keys.append(self.x_i[used] * e + self.x_e[used])

        a, b = self.good_arcs
        per_item_good = np.bincount(self.good_arc_item, weights=flows[a:b], minlength=rd.n).astype(
            np.int64
        )
        per_item_other = np.zeros(rd.n, dtype=np.int64)
        a, b = self.other_arcs
        per_item_other[self.other_arc_item] = flows[a:b]
        failed: set[int] = set()
        for hub_arcs, (hg, he), wanted, good in (
            (self.good_hub_arcs, self.good_hub_ge, per_item_good, True),
            (self.other_hub_arcs, self.other_hub_ge, per_item_other, False),
        ):
            a, b = hub_arcs
            hub_flow = flows[a:b]
            for g in np.unique(hg[hub_flow > 0]):
                in_g = hg == g
                got = self._split_group(int(g), wanted, he[in_g], hub_flow[in_g], good=good)
                if got is None:
                    failed.add(int(g))
                else:
                    keys.append(got)
        return np.concatenate(keys) if keys else np.zeros(0, np.int64), failed

    def _split_group(self, g, wanted, experts, amounts, good: bool):
        """Items of art form g (each wanting `wanted[i]` reviewers of this kind) and
        experts (each giving `amounts`): which item gets which expert, one review per
        pair, none blocked — a max flow that must carry everything."""
        from ortools.graph.python import max_flow

        rd = self.round
        e = rd.e
        items = np.flatnonzero((rd.group == g) & ~self.explicit_item & (wanted > 0))
        keep = amounts > 0
        experts, amounts = experts[keep], amounts[keep]
        pi = np.repeat(items, len(experts))
        pe = np.tile(experts, len(items))
        allowed = ~_isin_sorted(pi * e + pe, rd.blocked)
        pi, pe = pi[allowed], pe[allowed]
        # nodes: 0 source, 1 sink, items 2.., experts after
        item_pos = np.full(rd.n, -1, dtype=np.int64)
        item_pos[items] = 2 + np.arange(len(items))
        expert_pos = np.full(e, -1, dtype=np.int64)
        expert_pos[experts] = 2 + len(items) + np.arange(len(experts))
        solver = max_flow.SimpleMaxFlow()
        solver.add_arcs_with_capacity(
            np.zeros(len(items), np.int32), item_pos[items].astype(np.int32), wanted[items]
        )
        arcs = solver.add_arcs_with_capacity(
            item_pos[pi].astype(np.int32),
            expert_pos[pe].astype(np.int32),
            np.ones(len(pi), np.int64),
        )
        solver.add_arcs_with_capacity(
            expert_pos[experts].astype(np.int32), np.ones(len(experts), np.int32), amounts
        )
        if solver.solve(0, 1) != solver.OPTIMAL:
            raise RuntimeError("reviewer assignment: max flow failed")
        if solver.optimal_flow() < int(wanted[items].sum()):
            return None
        used = solver.flows(arcs) == 1
        return pi[used] * e + pe[used]


# --- helpers ----------------------------------------------------------------------------


def _index(ids: Iterable[Hashable], what: str) -> dict[Hashable, int]:
    index: dict[Hashable, int] = {}
    for position, id_ in enumerate(ids):
        if index.setdefault(id_, position) != position:
            raise ValueError(f"{what} id {id_!r} appears twice")
    return index


def _isin_sorted(keys: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """`np.isin` for a sorted, unique right-hand side: a binary search per key."""
    if len(sorted_keys) == 0 or len(keys) == 0:
        return np.zeros(len(keys), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[at] == keys


def _quantise(value):
    return np.rint(np.asarray(value, dtype=np.float64) * AFFINITY_STEPS).astype(np.int64)
