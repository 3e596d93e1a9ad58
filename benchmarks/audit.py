"""Speed of the vectorised uncertainty analysis against a naive loop of build() calls.

Prints, for the ASEM index (51 units × 49 indicators) and for a synthetic 500 × 60 index:
runs per second of the batched engine on a 10,000-run design, runs per second of calling
``build()`` once per run on the same design (timed on the first NAIVE_RUNS runs and extrapolated
linearly; preparing each run's recipe and weight set is done outside the timer, so the naive
figure is if anything flattering), their ratio, and peak memory of the batched evaluation
(tracemalloc, numpy allocations included) and of the whole process (ru_maxrss).

    PYTHONPATH=src python benchmarks/audit.py [--runs 10000] [--naive 100]
"""

from __future__ import annotations

import argparse
import gc
import resource
import time
import tracemalloc
from pathlib import Path

import numpy as np

from nevindex.audit.sensitivity import sensitivity
from nevindex.audit.spec import SensitivitySpec, resolve_variables, sampled_design, spec_from_mapping
from nevindex.audit.uncertainty import evaluate
from nevindex.build import build
from nevindex.dataset import Dataset
from nevindex.framework import Framework, framework_from_mapping
from nevindex.inputs import load_inputs

ASEM = str(Path(__file__).resolve().parents[2] / "shared" / "testdata" / "asem") + "/"

SPEC = {
    "seed": 2026,
    "factors": [
        {"address": "treat.enabled", "alternatives": [True, False]},
        {"address": "impute.method", "alternatives": ["none", "mean", "median"]},
        {"address": "normalise.method", "alternatives": [
            {"value": "minmax", "params": {"lower": 1, "upper": 100}, "label": "minmax"},
            "rank",
            {"value": "zscore", "params": {"mean": 100, "sd": 2}, "label": "zscore"}]},
        {"address": "aggregate.method", "alternatives": ["arithmetic", "geometric"]},
    ],
    "weight_noise": [{"level": 1}, {"level": 2}, {"level": 3}],
}


def synthetic(units: int = 500, indicators: int = 60, seed: int = 1) -> tuple[Framework, Dataset]:
    """Index ← 2 sub-indices ← 6 pillars ← 10 indicators each; lognormal data, 5 % missing."""
    rng = np.random.default_rng(seed)
    pillars = 6
    aggregates = [{"code": "Index", "name": "Index"}]
    aggregates += [{"code": f"S{s}", "name": f"S{s}", "parent": "Index"} for s in range(2)]
    aggregates += [{"code": f"P{p}", "name": f"P{p}", "parent": f"S{p % 2}"} for p in range(pillars)]
    inds = [{"code": f"i{j:02d}", "name": f"i{j}", "parent": f"P{j % pillars}", "direction": 1 if j % 7 else -1,
             "weight": float(rng.uniform(0.5, 2))} for j in range(indicators)]
    fw = framework_from_mapping({"framework": {"code": "SYN", "version": "1", "name": "Synthetic"},
                                 "aggregates": aggregates, "indicators": inds})
    latent = rng.normal(size=(units, 1))
    values = np.exp(0.6 * latent + rng.normal(size=(units, indicators)))
    values[rng.random(values.shape) < 0.05] = np.nan
    ds = Dataset(units=tuple(f"u{i:03d}" for i in range(units)), columns=tuple(i["code"] for i in inds),
                 years=(2025,), values=values[None], names=tuple(f"Unit {i}" for i in range(units)))
    return fw, ds


def naive_rate(fw: Framework, ds: Dataset, recipe, design, ev, n: int) -> float:
    """Runs per second of one build() per run, on the first n runs of the design."""
    jobs = []
    for r in range(min(n, design.runs)):
        settings = design.settings(tuple(int(a) for a in design.choices[r]))
        weights = dict(zip(design.nodes, map(float, ev.weights[r]), strict=True))
        fw_r = fw.model_copy(update={"weight_sets": {"run": weights}})
        jobs.append((fw_r, recipe.with_settings({**settings, "weights.method": "manual", "weights.set": "run"})))
    started = time.perf_counter()
    for fw_r, rc in jobs:
        res = build(fw_r, ds, rc)
    elapsed = time.perf_counter() - started
    r = len(jobs) - 1  # spot check: the last naive build agrees with the batched run
    cols = [ev.units.index(u) for u in res.units]
    assert np.allclose(ev.scores[r, cols], res.index, rtol=1e-12, atol=1e-12), "batched != build()"
    return len(jobs) / elapsed


def bench(label: str, fw: Framework, ds: Dataset, recipe, runs: int, naive: int, sens_n: int) -> None:
    spec = spec_from_mapping({**SPEC, "runs": runs})
    variables = resolve_variables(spec, fw, recipe)
    design = sampled_design(variables, runs, spec.seed)
    nominal = build(fw, ds, recipe)
    evaluate(fw, ds, recipe, design.subset(slice(0, 50)), nominal=nominal)  # warm-up (imports, caches)
    gc.collect()
    started = time.perf_counter()
    ev = evaluate(fw, ds, recipe, design, memory_mb=spec.memory_mb, nominal=nominal)
    fast = time.perf_counter() - started
    tracemalloc.start()
    evaluate(fw, ds, recipe, design, memory_mb=spec.memory_mb, nominal=nominal)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    slow_rate = naive_rate(fw, ds, recipe, design, ev, naive)
    fast_rate = runs / fast
    print(f"\n{label}: {len(ev.units)} units × {len(fw.indicator_codes)} indicators, {runs} runs, "
          f"{ev.stats['upstream_states']} upstream states, {ev.stats['aggregation_groups']} aggregation groups, "
          f"{ev.stats['chunks']} chunks")
    print(f"  vectorised : {fast:8.3f} s   {fast_rate:10.0f} runs/s")
    print(f"  naive build: {runs / slow_rate:8.1f} s   {slow_rate:10.0f} runs/s   "
          f"(timed on {min(naive, runs)} runs, extrapolated to {runs})")
    print(f"  speed-up   : {fast_rate / slow_rate:8.0f} ×")
    print(f"  peak memory of the batched evaluation (tracemalloc): {peak / 2**20:8.1f} MB")
    sspec = SensitivitySpec(n=sens_n, bootstrap=1000)
    started = time.perf_counter()
    sens = sensitivity(fw, ds, recipe, variables, sspec, seed=spec.seed, nominal=nominal)
    print(f"  sensitivity: Saltelli n = {sens_n}, {sens.evaluation.design.runs} runs + 1000 bootstrap "
          f"resamples in {time.perf_counter() - started:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--naive", type=int, default=100)
    parser.add_argument("--sens-n", type=int, default=1024)
    args = parser.parse_args()
    inputs = load_inputs(ASEM + "ASEM_iMeta.csv", ASEM + "ASEM_iData.csv")
    recipe = inputs.recipe.with_settings({"normalise.params": {"lower": 1, "upper": 100}})
    bench("ASEM", inputs.framework, inputs.dataset, recipe, args.runs, args.naive, args.sens_n)
    fw, ds = synthetic()
    bench("synthetic 500 × 60", fw, ds, fw.recipe.with_settings({"normalise.params": {"lower": 1, "upper": 100}}),
          args.runs, args.naive, args.sens_n)
    print(f"\nprocess peak RSS (ru_maxrss): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
