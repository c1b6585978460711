"""Benchmark: automatic reviewer assignment for 20,000 works.

    .venv/bin/python bench/bench_assign.py [--items 20000] [--experts 200] [--runs 3]

Generates a seeded round: `--items` works spread evenly at random over 8 art forms;
`--experts` experts, the k-th expert in art form k mod 8 and half of them in a second
art form drawn at random (so 25–50 experts per form); 5 % of all (work, expert) pairs in
conflict (each expert conflicted with 5 % of the works, drawn at random), passed as a
set of pairs; 3 reviewers per work. Times `wenyi.review.assign.assign_reviewers` on it
(median of `--runs`, after one untimed run that imports OR-Tools), checks the result
(3 distinct reviewers per work, no conflict pair, loads as reported) and prints

    BENCH assign_20k_s <s> s
    BENCH assign_20k_load_spread <n> reviews     (max − min load)
    BENCH assign_20k_min_match <x> ratio         (the worst-off work's mean affinity)
    BENCH assign_20k_mean_match <x> ratio

Budget: ≤ 20 s.

Beside it, in the same run on the same data, its anchor: a **plain greedy round-robin**
— works in order, each taking the 3 least-loaded allowed experts, experts of its art
form first, no expert above ceil(N·3/E) — in numpy, one work at a time, from the same
set of conflict pairs. The script checks that the greedy answer obeys the same hard
rules (3 distinct reviewers, no conflict pair, no load above the ceiling) and prints its
quality as `#` lines, then

    BENCH assign_20k_anchor_s <s> s
    BENCH assign_20k_ratio <x> x                 (engine time / anchor time)

The anchor guarantees nothing about the worst-off work or the spread: what the engine's
extra time buys shows in the `#` lines.
"""

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

PROJECT_DIR = Path(__file__).resolve().parent.parent
FORMS = ["小说", "诗词", "散文", "报告文学", "歌曲", "书法", "美术", "摄影"]
R = 3


def instance(n_items: int, n_experts: int, seed: int = 2014):
    from wenyi.review.assign import Expert, Item

    rng = np.random.default_rng(seed)
    items = [Item(n, FORMS[f]) for n, f in enumerate(rng.integers(0, len(FORMS), n_items))]
    experts = []
    for k in range(n_experts):
        forms = {FORMS[k % len(FORMS)]}
        if rng.random() < 0.5:
            forms.add(FORMS[int(rng.integers(0, len(FORMS)))])
        experts.append(Expert(f"专家{k:03d}", frozenset(forms)))
    per_expert = round(0.05 * n_items)
    forbidden = {
        (int(n), ex.id)
        for ex in experts
        for n in rng.choice(n_items, per_expert, replace=False).tolist()
    }
    return items, experts, forbidden


def check(items, experts, forbidden, pairs, loads=None) -> None:
    """The hard rules, checked on the pairs themselves."""
    seen: dict = {}
    for item, expert in pairs:
        assert (item, expert) not in forbidden, (item, expert)
        seen.setdefault(item, set()).add(expert)
    assert len(pairs) == len(items) * R
    assert all(len(seen.get(it.id, ())) == R for it in items)
    if loads is not None:
        counted = {ex.id: 0 for ex in experts}
        for _, expert in pairs:
            counted[expert] += 1
        assert counted == dict(loads)


def greedy(items, experts, forbidden):
    """The plain way: each work in turn takes the R least-loaded allowed experts under
    the ceiling, experts of its art form first."""
    n, e = len(items), len(experts)
    index = {ex.id: k for k, ex in enumerate(experts)}
    allowed = np.ones((n, e), dtype=bool)
    rows = np.fromiter((i for i, _ in forbidden), dtype=np.int64, count=len(forbidden))
    cols = np.fromiter((index[x] for _, x in forbidden), dtype=np.int64, count=len(forbidden))
    allowed[rows, cols] = False
    form_of = {form: f for f, form in enumerate(FORMS)}
    expert_in = np.zeros((len(FORMS), e), dtype=bool)
    for k, ex in enumerate(experts):
        for form in ex.art_forms:
            expert_in[form_of[form], k] = True
    ceiling = -(-n * R // e)
    load = np.zeros(e, dtype=np.int64)
    pairs = []
    for i, item in enumerate(items):
        # rank: allowed and under the ceiling first, then experts of the form, then load
        key = load + np.where(expert_in[form_of[item.art_form]], 0, 10 * n)
        key = np.where(allowed[i] & (load < ceiling), key, 100 * n)
        chosen = np.argpartition(key, R)[:R]
        assert (key[chosen] < 100 * n).all(), "greedy ran out of experts"
        load[chosen] += 1
        pairs.extend((item.id, experts[k].id) for k in chosen.tolist())
    return pairs, load


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--experts", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(PROJECT_DIR))
    from wenyi.review.assign import assign_reviewers

    start = time.perf_counter()
    items, experts, forbidden = instance(args.items, args.experts)
    print(
        f"# round: {len(items)} works in {len(FORMS)} art forms, {len(experts)} experts "
        f"(each in {min(len(x.art_forms) for x in experts)}–"
        f"{max(len(x.art_forms) for x in experts)} forms), {len(forbidden)} conflict "
        f"pairs ({len(forbidden) / (len(items) * len(experts)):.1%}), R = {R}; "
        f"generated in {time.perf_counter() - start:.1f} s",
        flush=True,
    )
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assign_reviewers(items[:100], experts, R)  # imports OR-Tools, outside the timing
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        result = assign_reviewers(items, experts, R, forbidden=forbidden)
        times.append(time.perf_counter() - t0)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    check(items, experts, forbidden, result.pairs, result.loads)
    print(
        f"# engine: {len(result.pairs)} pairs, balance {result.balance}, "
        f"{len(result.problems)} problems; runs {', '.join(f'{t:.2f}' for t in times)} s; "
        f"peak RSS {rss_after:.0f} MB ({rss_before:.0f} MB before solving)",
        flush=True,
    )
    print(f"BENCH assign_20k_s {statistics.median(times):.2f} s")
    print(f"BENCH assign_20k_load_spread {result.load_spread} reviews")
    print(f"BENCH assign_20k_min_match {result.min_match:.4f} ratio")
    print(f"BENCH assign_20k_mean_match {result.mean_match:.4f} ratio", flush=True)

    anchor_times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        pairs, load = greedy(items, experts, forbidden)
        anchor_times.append(time.perf_counter() - t0)
    check(items, experts, forbidden, pairs)
    forms = {ex.id: ex.art_forms for ex in experts}
    per_item: dict = {}
    for item, expert in pairs:
        per_item.setdefault(item, 0)
        per_item[item] += items[item].art_form in forms[expert]
    matches = [per_item[it.id] / R for it in items]
    print(
        f"# anchor (greedy round-robin): load spread {int(load.max() - load.min())} reviews, "
        f"min match {min(matches):.4f}, mean match {statistics.fmean(matches):.4f}, "
        f"works with a non-expert {sum(m < 1 for m in matches)}; "
        f"runs {', '.join(f'{t:.2f}' for t in anchor_times)} s"
    )
    anchor = statistics.median(anchor_times)
    print(f"BENCH assign_20k_anchor_s {anchor:.2f} s")
    print(f"BENCH assign_20k_ratio {statistics.median(times) / anchor:.2f} x")


if __name__ == "__main__":
    main()
