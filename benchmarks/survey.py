"""Survey statistics at scale (prints figures; not a test).

    PYTHONPATH=src python benchmarks/survey.py [--respondents 1000000] [--brands 100]

1. A SYNTHETIC survey of 1,000,000 respondents (100 brands, 5 indicators): the estimators on the
   checked arrays (weighted means, Kish n, linearised SE, t intervals), and the whole
   `survey build` path from the CSV file (read + check + estimate + write observations).
   Baseline in the same run: pandas groupby of an unweighted mean of one item (no SE, no checks).
2. The bootstrap the audit will use: 1,000 replicates of 30 brands × 200 respondents.
Times are the best of 3 runs.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from nevindex.collect import bootstrap_survey, estimate_survey, load_survey_spec, read_survey, write_table
from nevindex.collect.synth import write_synthetic_survey


def best_of(n: int, fn, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
    times, out = [], None
    for _ in range(n):
        start = time.perf_counter()
        out = fn(*args, **kwargs)
        times.append(time.perf_counter() - start)
    return min(times), out


def survey_build(responses: Path, spec_path: Path, out: Path) -> int:
    spec = load_survey_spec(spec_path)
    frame = estimate_survey(spec, read_survey(responses, spec)).observations()
    write_table(frame, out)
    return len(frame)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--respondents", type=int, default=1_000_000)
    parser.add_argument("--brands", type=int, default=100)
    args = parser.parse_args()
    per_brand = args.respondents // args.brands
    with tempfile.TemporaryDirectory() as tmp:
        t_gen, (responses, spec_path) = best_of(1, write_synthetic_survey, tmp, units=args.brands,
                                                respondents=per_brand, thin=0, seed=1)
        spec = load_survey_spec(spec_path)
        data = read_survey(responses, spec)
        t_read, _ = best_of(3, read_survey, responses, spec)
        t_est, est = best_of(3, estimate_survey, spec, data)
        t_obs, _ = best_of(3, est.observations)
        t_all, rows = best_of(3, survey_build, responses, spec_path, Path(tmp) / "observations.csv")
        raw = pd.read_csv(responses)
        t_base, _ = best_of(3, lambda: raw.groupby("brand_id")["satisfaction"].mean())
    print(f"SYNTHETIC survey: {data.n:,} respondents, {len(data.brands)} brands, {len(spec.indicators)} indicators "
          f"(generated and written in {t_gen:.2f} s)")
    print(f"  read + check CSV                      {t_read:7.3f} s")
    print(f"  estimators (mean, Kish n, SE, CI)     {t_est:7.3f} s")
    print(f"  observations table                    {t_obs:7.3f} s")
    print(f"  whole survey build (file → file)      {t_all:7.3f} s   ({rows:,} observations)")
    print(f"  baseline: pandas groupby mean, 1 item {t_base:7.3f} s   (unweighted, no SE, no checks)")
    print(f"  estimators / baseline                 {t_est / t_base:7.1f} ×")

    with tempfile.TemporaryDirectory() as tmp:
        responses, spec_path = write_synthetic_survey(tmp, units=30, respondents=200, thin=0, seed=2)
        spec = load_survey_spec(spec_path)
        data = read_survey(responses, spec)
        t_boot, reps = best_of(3, bootstrap_survey, spec, data, 1000, np.random.default_rng(7))
    print(f"bootstrap: 1,000 replicates × {len(data.brands)} brands × {data.n // len(data.brands)} respondents × "
          f"{reps.shape[2]} indicators  {t_boot:7.3f} s  ({1000 / t_boot:,.0f} replicates/s)")


if __name__ == "__main__":
    main()
