"""The uncertainty designs the audit benchmarks time, and their baseline: one ``build()`` per run.

Shared by ``audit.py`` (in process) and ``audit_process.py`` (whole ``nevindex audit`` processes).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from nevindex.audit.spec import Design
from nevindex.audit.uncertainty import Evaluation
from nevindex.build import build
from nevindex.dataset import Dataset
from nevindex.framework import Framework
from nevindex.recipe import Recipe

ROOT = Path(__file__).resolve().parents[1]
ASEM = ROOT.parent / "shared" / "testdata" / "asem"

#: Issue 14's design: treatment on/off, min-max vs z-score, arithmetic vs geometric, ±25 % noise on
#: the weights of levels 2 and 3 (z-score around 100 so that the geometric mean stays defined).
ISSUE_SPEC: dict[str, Any] = {
    "seed": 2026,
    "factors": [
        {"address": "treat.method", "alternatives": ["winsorise", "none"]},
        {"address": "normalise.method", "alternatives": [
            {"value": "minmax", "params": {"lower": 1, "upper": 100}, "label": "minmax"},
            {"value": "zscore", "params": {"mean": 100, "sd": 2}, "label": "zscore"}]},
        {"address": "aggregate.method", "alternatives": ["arithmetic", "geometric"]},
    ],
    "weight_noise": [{"level": 2, "f": 0.25}, {"level": 3, "f": 0.25}],
}

#: A heavier design: imputation and rank normalisation too, noise on every level (level-1 weights
#: vary per run, so pillar scores differ in every run).
HEAVY_SPEC: dict[str, Any] = {
    "seed": 2026,
    "factors": [
        {"address": "treat.method", "alternatives": ["winsorise", "none"]},
        {"address": "impute.method", "alternatives": ["none", "mean", "median"]},
        {"address": "normalise.method", "alternatives": [
            {"value": "minmax", "params": {"lower": 1, "upper": 100}, "label": "minmax"},
            "rank",
            {"value": "zscore", "params": {"mean": 100, "sd": 2}, "label": "zscore"}]},
        {"address": "aggregate.method", "alternatives": ["arithmetic", "geometric"]},
    ],
    "weight_noise": [{"level": 1}, {"level": 2}, {"level": 3}],
}


def build_loop_seconds_per_run(fw: Framework, ds: Dataset, recipe: Recipe, design: Design, ev: Evaluation,
                               n: int) -> float:
    """Seconds per run of building each of the first ``n`` runs with its own ``build()`` call.

    Each run's recipe and weight set are prepared outside the timer, so the figure is if anything
    flattering to the loop. The last build is checked against the batched engine's scores.
    """
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
    r = len(jobs) - 1
    cols = [ev.units.index(u) for u in res.units]
    assert np.allclose(ev.scores[r, cols], res.index, rtol=1e-12, atol=1e-12), "batched != build()"
    return elapsed / len(jobs)
