"""Time every lever of every unit of an edition (target: 500 units in under 10 s).

Usage (from the repository root):
    PYTHONPATH=src python benchmarks/levers.py                     # ASEM + synthetic 500 units
    PYTHONPATH=src python benchmarks/levers.py --units 2000        # bigger synthetic edition
    PYTHONPATH=src python benchmarks/levers.py --framework F --data D [--recipe R]

Also checks a sample of levers against real rebuilds (max |Δ index| difference), and times one
target-rank plan, so the figures printed are for numbers known to be right.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from nevindex.build import build
from nevindex.dataset import Dataset
from nevindex.framework import framework_from_mapping
from nevindex.inputs import load_inputs
from nevindex.insight import all_levers, plan_to_rank
from nevindex.result import Result

ROOT = Path(__file__).resolve().parents[1]


def synthetic(n_units: int, recipe: dict, seed: int = 0) -> Result:
    """A NEV-shaped edition: 5 elements × 2 dimensions × 3 indicators, lognormal data, 5 % gaps."""
    rng = np.random.default_rng(seed)
    aggregates = [{"code": "Index", "name": "Index"}]
    indicators = []
    for e in range(5):
        aggregates.append({"code": f"E{e}", "name": f"Element {e}", "parent": "Index", "weight": 1 + e % 2})
        for d in range(2):
            aggregates.append({"code": f"E{e}D{d}", "name": f"Dimension {e}.{d}", "parent": f"E{e}", "weight": 1})
            for i in range(3):
                indicators.append({"code": f"x{e}{d}{i}", "name": f"Indicator {e}.{d}.{i}", "parent": f"E{e}D{d}",
                                   "weight": 1 + i, "direction": -1 if i == 2 else 1})
    fw = framework_from_mapping({"framework": {"code": "SYNTH", "version": "1", "name": "Synthetic"},
                                 "aggregates": aggregates, "indicators": indicators, "recipe": recipe})
    values = rng.lognormal(mean=2.0, sigma=1.0, size=(1, n_units, len(indicators)))
    values[rng.random(values.shape) < 0.05] = np.nan
    units = tuple(f"b{k:04d}" for k in range(n_units))
    data = Dataset(units, tuple(i["code"] for i in indicators), (2025,), values, units,
                   {"segment": tuple("BEV PHEV EREV".split()[k % 3] for k in range(n_units))})
    return build(fw, data, fw.recipe)


def time_levers(label: str, result: Result, repeat: int = 3, check: int = 20) -> None:
    best = np.inf
    for _ in range(repeat):
        started = time.perf_counter()
        table = all_levers(result)
        best = min(best, time.perf_counter() - started)
    n = int(np.sum(~np.isnan(table.index_change)))
    rows, cols = np.nonzero(~np.isnan(table.index_change) & (table.index_change != 0))
    rng = np.random.default_rng(1)
    worst = 0.0
    started = time.perf_counter()
    for k in rng.choice(rows.size, min(check, rows.size), replace=False):
        i, j = rows[k], cols[k]
        data = result.dataset.with_value(result.units[i], result.framework.indicator_codes[j],
                                         float(table.new_value[i, j]), result.year)
        real = build(result.framework, data, result.recipe)
        worst = max(worst, abs(real.index[i] - result.index[i] - table.index_change[i, j]))
    per_build = (time.perf_counter() - started) / max(1, min(check, rows.size))
    print(f"{label}: {len(result.units)} units × {len(result.indicators)} indicators = {n} levers "
          f"in {best:.2f} s (best of {repeat}); a full rebuild each would take ~{per_build * n:.0f} s; "
          f"max |difference| vs rebuild on {min(check, rows.size)} levers: {worst:.1e}")
    last = result.units[int(np.nanargmax(result.rank))]
    started = time.perf_counter()
    plan = plan_to_rank(result, last, max(1, len(result.units) // 2))
    print(f"   plan for the last unit to reach the middle: {plan.status}, {len(plan.changes)} changes, "
          f"{plan.cost_sd:.2f} sd, {plan.rebuilds} rebuilds, {time.perf_counter() - started:.2f} s")


def nev_demo() -> Result | None:
    try:
        from nevindex.nev import build_edition
    except ImportError:
        print("NEV demo edition: not on this build yet (branch nev)")
        return None
    return build_edition(2024).result


def nev_synth(n_units: int, n_indicators: int = 60) -> Result | None:
    """``nevindex synth`` data (median imputation, outlier treatment, min-max), when available."""
    try:
        from nevindex.synth import write_synthetic
    except ImportError:
        print("nevindex synth: not on this build yet (branch nev); using the generator above only")
        return None
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        write_synthetic(tmp, units=n_units, indicators=n_indicators, seed=1)
        inputs = load_inputs(Path(tmp) / "framework.yaml", Path(tmp) / "data.csv")
        return build(inputs.framework, inputs.dataset, inputs.recipe)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--framework")
    parser.add_argument("--data")
    parser.add_argument("--recipe")
    args = parser.parse_args()
    if args.framework and args.data:
        inputs = load_inputs(args.framework, args.data, args.recipe)
        time_levers(Path(args.data).name, build(inputs.framework, inputs.dataset, inputs.recipe))
        return
    asem = Path(ROOT.parent / "shared" / "testdata" / "asem")
    if asem.exists():
        inputs = load_inputs(asem / "ASEM_iMeta.csv", asem / "ASEM_iData.csv")
        time_levers("ASEM", build(inputs.framework, inputs.dataset, inputs.recipe))
    demo = nev_demo()
    if demo is not None:
        time_levers("NEV demo edition 2024", demo)
    synth = nev_synth(args.units)
    if synth is not None:
        time_levers(f"nevindex synth {args.units} × 60", synth)
    time_levers(f"synthetic {args.units} (min-max, arithmetic)", synthetic(args.units, {}))
    time_levers(f"synthetic {args.units} (mean imputation, outlier treatment, geometric)", synthetic(args.units, {
        "impute": {"method": "mean"}, "treat": {"enabled": True},
        "normalise": {"method": "minmax", "params": {"lower": 1, "upper": 100}},
        "aggregate": {"method": "arithmetic", "by_level": {3: {"method": "geometric"}}}}))


if __name__ == "__main__":
    main()
