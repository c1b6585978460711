"""Benchmark: aggregating and ranking 100,000 items × 5 scores with every rule.

    .venv/bin/python bench/bench_rank.py [--items 100000] [--scores 5] [--experts 200] [--runs 5]

Generates (seeded) `--items` items scored by `--scores` different experts each out of a
pool of `--experts` (500,000 scores of one decimal from 0 to 100; each expert stricter
or more lenient than the others, as real panels are), in shuffled order, as the
database would hand them over. One timed run is what a round's close does with
`wenyi.review.aggregate`: validate and sort the scores (`Scores`), then for each rule
— mean, median, trimmed mean, z-score — aggregate (every statistic of every item,
disagreement flags from sd and range) and rank with the default tie-break. Prints the
median of `--runs`:

    BENCH rank_100k_s <s> s

Budget: ≤ 5 s.

Beside it, in the same run on the same scores, its anchor: the plainest way to rank
items by their mean, `SELECT item, AVG(score) FROM scores GROUP BY item ORDER BY 2
DESC` in an in-memory SQLite database (stdlib sqlite3, no index, the rows inserted
before timing, all result rows fetched), median of as many runs. The script first
checks that the anchor gives every item the same mean as ours (to 1e-9) and orders
them by it, then prints

    BENCH rank_100k_raw_sql_s <s> s
    BENCH rank_100k_ratio <x> x          (our time / anchor time)

The anchor answers one rule's question with no statistics, no rounding and no
tie-break; ours answers four. `#` lines give each rule's part.
"""

import argparse
import sqlite3
import statistics
import sys
import time
from pathlib import Path

import numpy as np

PROJECT_DIR = Path(__file__).resolve().parent.parent


def generate(items: int, per_item: int, experts: int, seed: int = 12):
    """(item ids, expert ids, scores) shuffled; every item scored by `per_item`
    different experts."""
    rng = np.random.default_rng(seed)
    item_ids = np.repeat(np.arange(1, items + 1), per_item)
    # experts first, first + step, … modulo the pool: always different for one item
    step = experts // per_item
    first = rng.integers(0, experts, items)
    expert_ids = ((first[:, None] + np.arange(per_item) * step) % experts).ravel() + 1
    quality = np.repeat(rng.normal(75, 8, items), per_item)
    leniency = rng.normal(0, 5, experts)[expert_ids - 1]
    noise = rng.normal(0, 6, items * per_item)
    scores = np.round(np.clip(quality + leniency + noise, 0, 100), 1)
    order = rng.permutation(items * per_item)
    return item_ids[order], expert_ids[order], scores[order]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--scores", type=int, default=5)
    parser.add_argument("--experts", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(PROJECT_DIR))
    from wenyi.review.aggregate import METHODS, Rule, Scores, aggregate, rank

    items, experts, scores = generate(args.items, args.scores, args.experts)
    rules = [Rule(method=method, flag_sd=10, flag_range=25) for method in METHODS]
    print(
        f"# {args.items} items × {args.scores} scores ({len(scores)}) "
        f"from {args.experts} experts; rules: {', '.join(METHODS)}",
        flush=True,
    )

    def close_round():
        parts = []
        start = time.perf_counter()
        table = Scores(items, experts, scores)
        parts.append(("Scores", time.perf_counter() - start))
        for rule in rules:
            t0 = time.perf_counter()
            rank(aggregate(table, rule))
            parts.append((rule.method, time.perf_counter() - t0))
        return time.perf_counter() - start, parts, table

    close_round()  # warm up: imports, first allocations
    runs = [close_round() for _ in range(args.runs)]
    total = statistics.median(run[0] for run in runs)
    parts = {
        name: statistics.median(run[1][i][1] for run in runs)
        for i, (name, _) in enumerate(runs[0][1])
    }
    print("# parts (median s): " + ", ".join(f"{name} {s:.3f}" for name, s in parts.items()))
    print(f"BENCH rank_100k_s {total:.3f} s", flush=True)

    # the anchor: the same scores in SQLite, checked against our means first
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE scores (item INTEGER, expert INTEGER, score REAL)")
    connection.executemany(
        "INSERT INTO scores VALUES (?, ?, ?)",
        zip(items.tolist(), experts.tolist(), scores.tolist(), strict=True),
    )
    connection.commit()
    query = "SELECT item, AVG(score) FROM scores GROUP BY item ORDER BY 2 DESC"
    rows = connection.execute(query).fetchall()
    means = aggregate(runs[0][2], Rule(method="mean"))
    anchor_items = np.array([item for item, _ in rows])
    anchor_means = np.array([mean for _, mean in rows])
    assert len(rows) == len(means) == args.items
    assert (np.diff(anchor_means) <= 0).all()
    ours = means.raw_mean[np.searchsorted(means.items, anchor_items)]
    assert np.abs(ours - anchor_means).max() < 1e-9
    timings = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        connection.execute(query).fetchall()
        timings.append(time.perf_counter() - t0)
    raw = statistics.median(timings)
    print(f"# anchor: {len(rows)} items, each AVG equal to our raw mean (to 1e-9)")
    one_rule = parts["Scores"] + parts["mean"]
    print(
        f"# one rule alone (Scores + mean, sum of the medians): {one_rule:.3f} s, "
        f"{one_rule / raw:.2f} × the anchor"
    )
    print(f"BENCH rank_100k_raw_sql_s {raw:.3f} s")
    print(f"BENCH rank_100k_ratio {total / raw:.2f} x")


if __name__ == "__main__":
    main()
