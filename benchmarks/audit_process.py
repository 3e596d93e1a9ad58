"""``nevindex audit --no-charts`` timed as a whole process, against the same design run through a
plain ``build()`` loop measured in the same run (prints figures; not a test).

    PYTHONPATH=src python benchmarks/audit_process.py [--naive 100] [--repeat 3]

Jobs, each a fresh Python process (wall clock, best of --repeat; peak RSS of the process from
``wait4``), writing every file the command writes (per-run tables as Parquet, the workbook):

1. ASEM (51 × 49), 10,000 Monte Carlo runs of issue 14's design: treatment on/off, min-max vs
   z-score, arithmetic vs geometric, ±25 % noise on the level-2 and level-3 weights.
2. ASEM, Sobol' sensitivity of the same design, n = 1024: 7,168 Saltelli runs (and the spec's
   1,000 Monte Carlo runs).
3. synthetic 500 × 60 (``nevindex synth --units 500 --indicators 60 --seed 1``), the design of 1.

Baseline: one ``build()`` per run of the same design, in process with the data loaded once and no
files written (so it is flattering), timed on the first --naive runs and extrapolated linearly to
all runs. Also printed: the fixed cost of the command line (``nevindex --help``) and of a process
importing the audit command's modules (pandas, pyarrow, pydantic…), which bound what it can reach.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from _audit_design import ASEM, ISSUE_SPEC, ROOT, build_loop_seconds_per_run

from nevindex.audit.sensitivity import unit_sample
from nevindex.audit.spec import resolve_variables, sampled_design, spec_from_mapping
from nevindex.audit.uncertainty import evaluate
from nevindex.build import build
from nevindex.inputs import load_inputs
from nevindex.synth import write_synthetic

CLI = [sys.executable, "-c", "from nevindex.cli import run; run()"]
RECIPE = {"normalise": {"method": "minmax", "params": {"lower": 1, "upper": 100}}}


def run_process(args: list[str], repeat: int) -> tuple[float, float]:
    """Best wall-clock seconds and the peak RSS (MB) of ``nevindex ARGS``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    best, rss = float("inf"), 0.0
    for _ in range(repeat):
        started = time.perf_counter()
        proc = subprocess.Popen([*CLI, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode() if proc.stderr else ""
        if proc.returncode != 0:
            raise SystemExit(f"nevindex {' '.join(args)} failed:\n{err}")
        best, rss = min(best, elapsed), max(rss, usage.ru_maxrss / 1024)
    return best, rss


def baseline(framework: Path, data: Path, recipe: Path, spec: dict, naive: int) -> tuple[float, int]:
    """Seconds per run of the build() loop on this design, and the runs the audit process does."""
    inputs = load_inputs(framework, data, recipe)
    uspec = spec_from_mapping(spec)
    variables = resolve_variables(uspec, inputs.framework, inputs.recipe)
    if uspec.sensitivity is not None:
        u = unit_sample(variables.names, variables.groups, uspec.sensitivity.n, uspec.seed)
        design, runs = variables.design(u), len(u) + uspec.runs
    else:
        design, runs = sampled_design(variables, uspec.runs, uspec.seed), uspec.runs
    sub = design.subset(slice(0, naive))
    ev = evaluate(inputs.framework, inputs.dataset, inputs.recipe, sub,
                  nominal=build(inputs.framework, inputs.dataset, inputs.recipe))
    return build_loop_seconds_per_run(inputs.framework, inputs.dataset, inputs.recipe, sub, ev, naive), runs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--naive", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        (tmp_path / "recipe.yaml").write_text(yaml.safe_dump(RECIPE), encoding="utf-8")
        specs = {
            "mc": {**ISSUE_SPEC, "runs": 10_000},
            "sobol": {**ISSUE_SPEC, "runs": 1000, "sensitivity": {"n": 1024, "bootstrap": 1000}},
        }
        for name, spec in specs.items():
            (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
        write_synthetic(tmp_path / "syn", units=500, indicators=60, years=1, seed=1)
        jobs = [
            ("ASEM 51 × 49, 10,000 runs", ASEM / "ASEM_iMeta.csv", ASEM / "ASEM_iData.csv", "mc"),
            ("ASEM 51 × 49, Sobol' n = 1024", ASEM / "ASEM_iMeta.csv", ASEM / "ASEM_iData.csv", "sobol"),
            ("synthetic 500 × 60, 10,000 runs", tmp_path / "syn" / "framework.yaml", tmp_path / "syn" / "data.csv",
             "mc"),
        ]
        help_s, _ = run_process(["--help"], args.repeat)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import nevindex.cli.audit, nevindex.audit.files, pyarrow.parquet"],
                       env={**os.environ, "PYTHONPATH": str(ROOT / "src")}, check=True)
        import_s = time.perf_counter() - started
        print(f"fixed costs: `nevindex --help` {help_s:.2f} s; a process importing the audit command's modules "
              f"{import_s:.2f} s")
        print(f"\n{'job':34} {'process':>8} {'build() loop':>13} {'ratio':>6} {'peak RSS':>9}  runs")
        for label, framework, data, name in jobs:
            out = tmp_path / f"out-{name}-{framework.stem}"
            argv = ["audit", "--framework", str(framework), "--data", str(data), "--recipe", str(tmp_path / "recipe.yaml"),
                    "--spec", str(tmp_path / f"{name}.yaml"), "--out", str(out), "--no-charts"]
            seconds, rss = run_process(argv, args.repeat)
            per_run, runs = baseline(framework, data, tmp_path / "recipe.yaml", specs[name], args.naive)
            loop = per_run * runs
            print(f"{label:34} {seconds:7.2f}s {loop:12.1f}s {loop / seconds:5.0f}× {rss:6.0f} MB  {runs} "
                  f"(loop timed on {args.naive} runs, extrapolated)")


if __name__ == "__main__":
    main()
