"""Build time of the engine for 50, 500 and 5,000 units × 60 indicators (prints figures; not a test).

    PYTHONPATH=src python benchmarks/build.py

Each size: load the wide CSV (parsing and validation), then build with two recipes: the plain
default (minmax, arithmetic) and a full one (median imputation, outlier treatment, minmax,
geometric). Times are the best of 3 runs; peak memory is tracemalloc's for one full build.
"""

from __future__ import annotations

import tempfile
import time
import tracemalloc
from pathlib import Path

from nevindex.build import build
from nevindex.dataset import load_dataset
from nevindex.framework import load_framework
from nevindex.recipe import recipe_from_mapping
from nevindex.synth import write_synthetic

RECIPES = {
    "default": {},
    "full": {"impute": {"method": "median"}, "treat": {"enabled": True},
             "normalise": {"method": "minmax", "params": {"lower": 1, "upper": 100}},
             "aggregate": {"method": "geometric"}},
}


def best_of(n: int, fn, *args):  # noqa: ANN001, ANN002
    times = []
    for _ in range(n):
        start = time.perf_counter()
        out = fn(*args)
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> None:
    print(f"{'units × indicators':>20} {'load CSV':>10} {'build default':>14} {'build full':>11} {'peak MiB':>9}")
    for units in (50, 500, 5000):
        with tempfile.TemporaryDirectory() as tmp:
            write_synthetic(tmp, units=units, indicators=60, years=1, seed=1)
            framework = load_framework(Path(tmp) / "framework.yaml")
            load_time, data = best_of(3, load_dataset, Path(tmp) / "data.csv")
        row = [f"{units:>11} × 60", f"{load_time:9.3f}s"]
        for name, recipe in RECIPES.items():
            elapsed, _ = best_of(3, build, framework, data, recipe_from_mapping(recipe))
            row.append(f"{elapsed:{13 if name == 'default' else 10}.3f}s")
        tracemalloc.start()
        build(framework, data, recipe_from_mapping(RECIPES["full"]))
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        row.append(f"{peak:9.1f}")
        print(f"{row[0]:>20} {row[1]:>10} {row[2]:>14} {row[3]:>11} {row[4]}")


if __name__ == "__main__":
    main()
