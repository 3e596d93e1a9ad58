"""Speed of the batched uncertainty analysis in process, against a loop of build() calls measured
in the same run (prints figures; not a test).

    PYTHONPATH=src python benchmarks/audit.py [--runs 10000] [--naive 100] [--sens-n 1024]

For ASEM (51 units × 49 indicators) and a synthetic 500 × 60 index (``nevindex synth`` data), and
two designs (``_audit_design.py``: issue 14's, and a heavier one with imputation, rank
normalisation and noise on every level): seconds and runs per second of the batched engine
(``evaluate``) on the whole design; the same for one ``build()`` per run (timed on the first
--naive runs, extrapolated linearly, said so); their ratio; peak memory of the evaluation
(tracemalloc, numpy included); and the Sobol' analysis (Saltelli n·(d+2) runs + bootstrap) against
the build loop extrapolated to its runs.
"""

from __future__ import annotations

import argparse
import gc
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path

from _audit_design import ASEM, HEAVY_SPEC, ISSUE_SPEC, build_loop_seconds_per_run

from nevindex.audit.sensitivity import sensitivity
from nevindex.audit.spec import SensitivitySpec, resolve_variables, sampled_design, spec_from_mapping
from nevindex.audit.uncertainty import evaluate
from nevindex.build import build
from nevindex.inputs import Inputs, load_inputs
from nevindex.synth import write_synthetic


def bench(label: str, inputs: Inputs, spec_map: dict, runs: int, naive: int, sens_n: int) -> None:
    fw, ds, recipe = inputs.framework, inputs.dataset, inputs.recipe
    spec = spec_from_mapping({**spec_map, "runs": runs})
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
    per_build = build_loop_seconds_per_run(fw, ds, recipe, design, ev, naive)
    print(f"\n{label}: {len(ev.units)} units × {len(fw.indicator_codes)} indicators, {runs} runs, "
          f"{ev.stats['upstream_states']} upstream states, {ev.stats['aggregation_groups']} aggregation groups, "
          f"{ev.stats['chunks']} chunks")
    print(f"  batched evaluation : {fast:8.3f} s   {runs / fast:10.0f} runs/s")
    print(f"  build() loop       : {per_build * runs:8.1f} s   {1 / per_build:10.0f} runs/s   "
          f"(timed on {min(naive, runs)} runs, extrapolated to {runs})")
    print(f"  ratio              : {per_build * runs / fast:8.0f} ×")
    print(f"  peak memory of the batched evaluation (tracemalloc): {peak / 2**20:8.1f} MB")
    sspec = SensitivitySpec(n=sens_n, bootstrap=1000)
    started = time.perf_counter()
    sens = sensitivity(fw, ds, recipe, variables, sspec, seed=spec.seed, nominal=nominal)
    took = time.perf_counter() - started
    n_sobol = sens.evaluation.design.runs
    print(f"  Sobol' n = {sens_n}: {n_sobol} runs + 1000 bootstrap resamples in {took:.2f} s; the build() loop "
          f"would take {per_build * n_sobol:.1f} s (extrapolated): {per_build * n_sobol / took:.0f} ×")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--naive", type=int, default=100)
    parser.add_argument("--sens-n", type=int, default=1024)
    args = parser.parse_args()
    asem = load_inputs(ASEM / "ASEM_iMeta.csv", ASEM / "ASEM_iData.csv")
    asem = Inputs(asem.framework, asem.dataset, asem.recipe.with_settings({"normalise.params": {"lower": 1, "upper": 100}}))
    with tempfile.TemporaryDirectory() as tmp:
        write_synthetic(tmp, units=500, indicators=60, years=1, seed=1)
        syn = load_inputs(Path(tmp) / "framework.yaml", Path(tmp) / "data.csv")
    syn = Inputs(syn.framework, syn.dataset, syn.recipe.with_settings({"normalise.params": {"lower": 1, "upper": 100}}))
    for name, spec in (("issue 14 design", ISSUE_SPEC), ("heavy design", HEAVY_SPEC)):
        bench(f"ASEM, {name}", asem, spec, args.runs, args.naive, args.sens_n)
        bench(f"synthetic 500 × 60, {name}", syn, spec, args.runs, args.naive, args.sens_n)
    print(f"\nprocess peak RSS (ru_maxrss): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
