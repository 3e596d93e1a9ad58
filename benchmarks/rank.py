"""Ranking speed: ``rank_desc`` on a batch of 10,000 runs × 500 units (prints figures; not a test).

    PYTHONPATH=src python benchmarks/rank.py

Against scipy's ``rankdata`` (average ties, the same definition) on the same batch, measured in the
same run; each figure is the best of 3.
"""

from __future__ import annotations

import time

import numpy as np
from scipy.stats import rankdata

from nevindex.methods.rank import rank_desc


def best_of(n: int, fn, *args):  # noqa: ANN001, ANN002, ANN202
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    scores = np.random.default_rng(1).normal(size=(10_000, 500))
    ours = best_of(3, rank_desc, scores)
    theirs = best_of(3, lambda s: rankdata(-s, axis=1), scores)
    assert np.array_equal(rank_desc(scores), rankdata(-scores, axis=1))
    print(f"rank_desc, 10,000 × 500: {ours:.3f} s; scipy.stats.rankdata: {theirs:.3f} s "
          f"(ratio {ours / theirs:.2f})")


if __name__ == "__main__":
    main()
