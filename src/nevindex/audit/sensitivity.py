"""Variance-based sensitivity: first-order S_i and total S_Ti of each uncertain choice.

SALib does the sampling (Saltelli's scheme on a scrambled Sobol' sequence, ``N·(d+2)`` runs
with ``calc_second_order=False``) and the estimation (Saltelli 2010 / Jansen estimators, with
bootstrap resampling). Our factors are mostly categorical, so every factor is sampled on the
unit interval and mapped to an alternative by uniform binning: with k alternatives, ``u`` in
``[i/k, (i+1)/k)`` selects alternative i (:meth:`nevindex.audit.spec.Variables.design`). A
weight-noise entry is one factor made of one variable per perturbed node, declared to SALib as
a group, so its indices measure the whole entry; the survey-sampling factor is one variable that
picks a bootstrap replicate of the respondents, so its indices measure the share of the variance
that sampling error explains. The model output is the mean absolute rank
shift of each run from the nominal ranking. Any function of unit-cube samples can go through
the same path (:func:`unit_sample` → evaluate → :func:`sobol_indices`); the tests check it on
the Ishigami function.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from nevindex.audit.sampling import SampledColumns
from nevindex.audit.spec import MIN_SENSITIVITY_N, SensitivitySpec, Variables
from nevindex.audit.uncertainty import Evaluation, evaluate
from nevindex.dataset import Dataset
from nevindex.errors import RecipeError
from nevindex.framework import Framework
from nevindex.recipe import Recipe
from nevindex.result import Result

__all__ = ["check_base_sample", "unit_sample", "sobol_indices", "SensitivityResult", "sensitivity"]


def _problem(names: list[str], groups: list[str]) -> dict[str, Any]:
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names),
            "groups": list(groups)}


def check_base_sample(n: int, factors: int, largest_choice: int = 1) -> None:
    """Refuse a base sample too small for the design (with the smallest one that works)."""
    if factors == 0:
        raise RecipeError("sensitivity analysis needs at least one uncertain factor or weight-noise entry",
                          column="sensitivity")
    need = max(MIN_SENSITIVITY_N, 1 << max(0, (2 * largest_choice - 1).bit_length()))
    if n < need:
        raise RecipeError(f"sensitivity n = {n} is too small for the design: it needs n ≥ {need} "
                          f"({factors} factors, up to {largest_choice} alternatives; "
                          f"n·(d+2) = {need * (factors + 2)} runs)", column="sensitivity.n")
    if n & (n - 1):
        lower = 1 << (n.bit_length() - 1)
        raise RecipeError(f"sensitivity n = {n} must be a power of 2 (Sobol' sequence balance); "
                          f"use {lower} or {lower * 2}", column="sensitivity.n")


def unit_sample(names: list[str], groups: list[str], n: int, seed: int | None) -> NDArray[np.float64]:
    """Saltelli design on [0, 1)^V: ``n·(G+2)`` rows, G = number of groups (factors)."""
    from SALib.sample import sobol as sobol_sample

    return sobol_sample.sample(_problem(names, groups), n, calc_second_order=False, scramble=True, seed=seed)


def sobol_indices(names: list[str], groups: list[str], y: NDArray[np.float64], *, bootstrap: int = 1000,
                  conf_level: float = 0.95, seed: int | None = None) -> pd.DataFrame:
    """S1 and ST per factor (group), SALib's normal-theory half-widths (``*_conf``) and
    percentile bootstrap intervals (``*_low``, ``*_high``) from the same resamples."""
    from SALib.analyze import sobol as sobol_analyze

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib warns on constant outputs; the table shows zeros
        si = sobol_analyze.analyze(_problem(names, groups), np.asarray(y, dtype=float), calc_second_order=False,
                                   num_resamples=bootstrap, conf_level=conf_level, keep_resamples=True, seed=seed)
    lo, hi = (1 - conf_level) / 2, (1 + conf_level) / 2
    factors = list(dict.fromkeys(groups))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s1_q = np.nanquantile(si["S1_conf_all"], [lo, hi], axis=0)
        st_q = np.nanquantile(si["ST_conf_all"], [lo, hi], axis=0)
    return pd.DataFrame({
        "factor": factors,
        "S1": si["S1"], "S1_conf": si["S1_conf"], "S1_low": s1_q[0], "S1_high": s1_q[1],
        "ST": si["ST"], "ST_conf": si["ST_conf"], "ST_low": st_q[0], "ST_high": st_q[1],
    })


@dataclass(frozen=True)
class SensitivityResult:
    indices: pd.DataFrame
    evaluation: Evaluation
    n: int


def sensitivity(framework: Framework, dataset: Dataset, recipe: Recipe, variables: Variables,
                spec: SensitivitySpec, *, seed: int, memory_mb: float = 128.0,
                nominal: Result | None = None, year: int | None = None,
                sampling: SampledColumns | None = None) -> SensitivityResult:
    """Sobol' indices of every factor on the mean absolute rank shift, by the batched engine
    (``sampling``: the survey replicates, when the variables include the survey-sampling factor)."""
    largest = max((f.k for f in variables.factors), default=1)
    check_base_sample(spec.n, len(variables.factor_names), largest)
    s = spec.seed if spec.seed is not None else seed
    u = unit_sample(variables.names, variables.groups, spec.n, s)
    ev = evaluate(framework, dataset, recipe, variables.design(u), memory_mb=memory_mb, nominal=nominal, year=year,
                  sampling=sampling)
    y = ev.rank_shift()
    table = sobol_indices(variables.names, variables.groups, np.nan_to_num(y), bootstrap=spec.bootstrap,
                          conf_level=spec.conf_level, seed=s)
    return SensitivityResult(table, ev, spec.n)
