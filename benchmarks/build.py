"""Build time of the engine, each figure beside a baseline measured in the same run (not a test).

    PYTHONPATH=src python benchmarks/build.py

1. ASEM (51 × 49) with outlier treatment, in process: the build as it is, and the same build with
   the treatment done column by column by the loop this engine used before (kept in
   ``tests/methods/treat_reference.py`` as the bit-for-bit reference). Best of 30.
2. Synthetic 50, 500 and 5,000 units × 60 indicators: loading the CSV, the plain default recipe,
   and a full one (median imputation, treatment, minmax [1, 100], geometric), each against the
   full recipe with the loop treatment. Best of 3; peak memory is tracemalloc's for one full build.
"""

from __future__ import annotations

import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from nevindex.build import _steps, build
from nevindex.dataset import load_dataset
from nevindex.framework import load_framework
from nevindex.inputs import load_inputs
from nevindex.recipe import recipe_from_mapping
from nevindex.synth import write_synthetic

ROOT = Path(__file__).resolve().parents[1]
ASEM = ROOT.parent / "shared" / "testdata" / "asem"
sys.path.insert(0, str(ROOT / "tests" / "methods"))
from treat_reference import ref_treat_column  # noqa: E402

RECIPES = {
    "default": {},
    "full": {"impute": {"method": "median"}, "treat": {"method": "winsorise"},
             "normalise": {"method": "minmax", "params": {"lower": 1, "upper": 100}},
             "aggregate": {"method": "geometric"}},
}


def _loop_treat_matrix(x: Any, **per_column: list) -> tuple[np.ndarray, list]:
    """The treatment as it was: one Python-level loop per column."""
    x = np.asarray(x, dtype=float)
    outcomes = [ref_treat_column(x[:, j], **{k: v[j] for k, v in per_column.items()}) for j in range(x.shape[1])]
    return (np.column_stack([o.values for o in outcomes]) if outcomes else x.copy()), outcomes


@contextmanager
def loop_treatment():
    kernels = _steps.treat_kernels
    fast = kernels.treat_matrix
    kernels.treat_matrix = _loop_treat_matrix
    try:
        yield
    finally:
        kernels.treat_matrix = fast


def best_of(n: int, fn: Callable[..., Any], *args: Any, **kw: Any) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(n):
        start = time.perf_counter()
        out = fn(*args, **kw)
        times.append(time.perf_counter() - start)
    return min(times), out


def asem() -> None:
    inputs = load_inputs(ASEM / "ASEM_iMeta.csv", ASEM / "ASEM_iData.csv")
    recipe = recipe_from_mapping({"treat": {"method": "winsorise"}})
    new, res = best_of(30, build, inputs.framework, inputs.dataset, recipe)
    with loop_treatment():
        old, ref = best_of(30, build, inputs.framework, inputs.dataset, recipe)
    assert np.array_equal(res.treated, ref.treated, equal_nan=True), "vectorised treatment != loop"
    plain, _ = best_of(30, build, inputs.framework, inputs.dataset, inputs.recipe)
    print(f"ASEM 51 × 49, build with treatment: {new * 1e3:6.2f} ms   "
          f"per-column loop treatment (baseline): {old * 1e3:6.2f} ms   ratio {old / new:5.1f} ×   "
          f"(build without treatment: {plain * 1e3:.2f} ms)")


def synthetic() -> None:
    print(f"\n{'units × indicators':>20} {'load CSV':>9} {'default':>9} {'full':>9} {'full, loop treat':>17} "
          f"{'ratio':>6} {'peak MiB':>9}")
    for units in (50, 500, 5000):
        with tempfile.TemporaryDirectory() as tmp:
            write_synthetic(tmp, units=units, indicators=60, years=1, seed=1)
            framework = load_framework(Path(tmp) / "framework.yaml")
            load_time, data = best_of(3, load_dataset, Path(tmp) / "data.csv")
        default, _ = best_of(3, build, framework, data, recipe_from_mapping(RECIPES["default"]))
        full_recipe = recipe_from_mapping(RECIPES["full"])
        full, _ = best_of(3, build, framework, data, full_recipe)
        with loop_treatment():
            loop, _ = best_of(3, build, framework, data, full_recipe)
        tracemalloc.start()
        build(framework, data, full_recipe)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        print(f"{units:>11} × 60 {load_time:8.3f}s {default:8.3f}s {full:8.3f}s {loop:16.3f}s {loop / full:5.1f}× "
              f"{peak:9.1f}")


if __name__ == "__main__":
    asem()
    synthetic()
