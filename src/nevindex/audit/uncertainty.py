"""Uncertainty analysis: evaluate thousands of index variants as batched array operations.

A naive audit rebuilds the whole index once per run. Here a design's runs are grouped by the
recipe they need *upstream* of aggregation (denominate, screen, impute, treat, normalise): each
distinct upstream state is built once with :func:`nevindex.build.build`, then every run sharing
it (and sharing its aggregation choices) is aggregated at once, weights as ``(S,)`` arrays
through :func:`nevindex.build.aggregate_tree`, and ranked at once with
:func:`nevindex.methods.rank.rank_desc`. Runs are chunked so memory stays bounded.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from nevindex.audit.resampled import ResampledState, aggregate_sampled
from nevindex.audit.sampling import SampledColumns
from nevindex.audit.spec import Design
from nevindex.build import aggregate_tree, build, resolve_weights
from nevindex.dataset import Dataset
from nevindex.errors import ComputationError, KernelError, NevIndexError
from nevindex.framework import Framework
from nevindex.methods.rank import rank_desc
from nevindex.recipe import DATA_DRIVEN_WEIGHTS, Recipe
from nevindex.result import Result

__all__ = [
    "BYTES_PER_CELL", "SURVEY_REPLICATE", "Evaluation", "chunk_size", "evaluate", "rank_intervals", "runs_frame",
    "weight_sets_frame", "per_run_frame"
]

Array = NDArray[np.float64]

#: The column of the runs table naming the survey replicate (1-based) a run used.
SURVEY_REPLICATE = "survey_replicate"

#: Bytes one run needs per unit × (aggregate or child) while it is aggregated: the per-run node
#: scores and, for a node whose children differ per run, the stacked children with the kernel's
#: copies, masks and products; used to size chunks.
BYTES_PER_CELL = 64


@dataclass(frozen=True)
class Evaluation:
    """Scores and ranks of the root (the index) for every run, over ``units``."""

    design: Design
    nominal: Result
    units: tuple[str, ...]
    #: (runs, units) root score and rank of every run (NaN: unit not scored in that run).
    scores: Array
    ranks: Array
    #: (runs, nodes) weight of every node (``design.nodes``) actually used in each run.
    weights: Array
    nominal_scores: Array
    nominal_ranks: Array
    #: How the work was shared: distinct upstream states built, aggregation groups, chunks.
    stats: dict[str, Any] = field(default_factory=dict)

    def rank_shift(self) -> Array:
        """Mean absolute rank shift of each run from the nominal ranking (units scored in both)."""
        diff = np.abs(self.ranks - self.nominal_ranks[None, :])
        with _quiet():
            return np.nanmean(diff, axis=1)


def _key(recipe: Recipe, *, exclude: tuple[str, ...] = (), only: tuple[str, ...] = ()) -> str:
    data = recipe.model_dump(mode="json")
    if only:
        data = {k: data[k] for k in only}
    for k in exclude:
        data.pop(k, None)
    return json.dumps(data, sort_keys=True)


def _chunks(n: int, size: int) -> Iterator[slice]:
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))


def chunk_size(units: int, cells: int, memory_mb: float) -> int:
    """Runs per chunk so that ``units × cells`` per run stays within ``memory_mb``."""
    per_run = max(1, units * cells * BYTES_PER_CELL)
    return max(1, int(memory_mb * 2**20 // per_run))


def evaluate(framework: Framework, dataset: Dataset, recipe: Recipe, design: Design, *,
             memory_mb: float = 128.0, nominal: Result | None = None, year: int | None = None,
             sampling: SampledColumns | None = None) -> Evaluation:
    """Root scores and ranks of every run of ``design``, as if each were built separately
    (each with ``build(..., year=year)``; a run with a survey replicate on its redrawn data,
    ``sampling``: :mod:`nevindex.audit.resampled`)."""
    started = time.perf_counter()
    if (design.replicate is None) != (sampling is None):
        raise ComputationError("a design with survey replicates needs the replicates (sampling), and only it")
    nominal = nominal if nominal is not None else build(framework, dataset, recipe, year=year)
    year = nominal.year
    root = framework.root
    # Unit space: the dataset's units in order; a unit screened out in some state is NaN there.
    unit_pos = {u: i for i, u in enumerate(dataset.units)}
    runs = design.runs
    scores = np.full((runs, len(dataset.units)), np.nan)
    weights_used = np.empty((runs, len(design.nodes)))
    scored = np.zeros(len(dataset.units), dtype=bool)

    combos, inverse = np.unique(design.choices, axis=0, return_inverse=True) if design.choices.shape[1] \
        else (np.zeros((1, 0), dtype=np.intp), np.zeros(runs, dtype=np.intp))
    inverse = np.asarray(inverse).reshape(-1)
    recipes = []
    for combo in combos:
        settings = design.settings(tuple(int(a) for a in combo))
        try:
            recipes.append(recipe.with_settings(settings) if settings else recipe)
        except NevIndexError as exc:  # validated per factor; a combination may still clash
            raise ComputationError(f"uncertainty run with {_describe(design, combo)}: {exc}") from None

    states: dict[str, tuple[Result, NDArray[np.intp]]] = {}
    resolved: dict[str, Array] = {}
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    nominal_up = _key(recipe, exclude=("aggregate", "weights"))
    for c, rc in enumerate(recipes):
        up = _key(rc, exclude=("aggregate", "weights"))
        if up not in states:
            try:
                res = nominal if up == nominal_up else build(framework, dataset, rc, year=year)
            except NevIndexError as exc:
                raise ComputationError(f"uncertainty run with {_describe(design, combos[c])}: {exc}") from None
            states[up] = (res, np.array([unit_pos[u] for u in res.units], dtype=np.intp))
        groups[(up, _key(rc, only=("aggregate",)))].append(c)

    chunks = built = 0
    # per run: every aggregate's scores plus the widest stacked children (the normalised data are shared)
    cells = len(framework.aggregate_codes) + max(len(k) for k in framework.children.values())
    resampled: dict[str, ResampledState] = {}
    for (up, _), combo_ids in groups.items():
        res, cols = states[up]
        scored[cols] = True
        rc0 = recipes[combo_ids[0]]
        choices = {code: rc0.aggregate.choice_for(code, framework.levels[code]) for code in framework.aggregate_codes}
        rows_all = np.flatnonzero(np.isin(inverse, combo_ids))
        # Weights of each run: resolved by its recipe (data-driven methods per state), times noise.
        for c in combo_ids:
            rc = recipes[c]
            wkey = up + _key(rc, only=("weights",)) + (_key(rc, only=("aggregate",))
                                                       if rc.weights.method in DATA_DRIVEN_WEIGHTS else "")
            if wkey not in resolved:
                w = res.weights if rc == res.recipe else resolve_weights(
                    framework, rc, res.normalised, res.units, observed=~np.isnan(res.screened))
                resolved[wkey] = np.array([w[n] for n in design.nodes], dtype=float)
            rows = np.flatnonzero(inverse == c)
            weights_used[rows] = np.where(np.isnan(design.absolute[rows]), resolved[wkey] * design.multipliers[rows],
                                          design.absolute[rows])
        if sampling is not None:  # every run has its own redrawn data: its own normalised matrix
            state = resampled.setdefault(up, ResampledState(res, sampling))
            out, slow, parts = aggregate_sampled(state, design, rows_all, [recipes[c] for c in inverse[rows_all]],
                                                 weights_used, choices, unit_pos,
                                                 chunk_size(len(res.units), cells + len(framework.indicator_codes),
                                                            memory_mb))
            scores[rows_all] = out
            scored |= ~np.isnan(out).all(axis=0)
            built, chunks = built + slow, chunks + parts
            continue
        normalised, observed, expand = _distinct_units(res, choices)
        for part in _chunks(rows_all.size, chunk_size(normalised.shape[0], cells, memory_mb)):
            rows = rows_all[part]
            batch = {n: weights_used[rows, k] for k, n in enumerate(design.nodes)}
            try:
                out = aggregate_tree(framework, normalised, batch, choices,
                                     observed=observed)[root]
            except KernelError as exc:
                raise ComputationError(f"uncertainty run {int(rows[0]) + 1} "
                                       f"({_describe(design, combos[inverse[rows[0]]])}): {exc.message}") from None
            scores[np.ix_(rows, cols)] = out[:, expand]
            chunks += 1

    keep = np.flatnonzero(scored | np.isin(np.arange(len(dataset.units)), [unit_pos[u] for u in nominal.units]))
    scores = scores[:, keep]
    units = tuple(dataset.units[i] for i in keep)
    ranks = np.empty_like(scores)
    for part in _chunks(runs, 4096):
        ranks[part] = rank_desc(scores[part])
    nominal_scores = np.full(len(units), np.nan)
    where = {u: i for i, u in enumerate(nominal.units)}
    for j, u in enumerate(units):
        if u in where:
            nominal_scores[j] = nominal.index[where[u]]
    stats = {"runs": runs, "upstream_states": len(states), "aggregation_groups": len(groups), "chunks": chunks}
    if sampling is not None:
        stats |= {"survey_replicates": sampling.replicates, "survey_indicators": list(sampling.codes),
                  "survey_not_redrawn": list(sampling.ignored), "survey_runs_built": built,
                  "survey_undefined_cells": sampling.undefined}
    return Evaluation(design, nominal, units, scores, ranks, weights_used, nominal_scores,
                      rank_desc(nominal_scores), stats | {"seconds": time.perf_counter() - started})


def _distinct_units(res: Result, choices: dict[str, Any]) -> tuple[Array, NDArray[np.bool_], NDArray[np.intp]]:
    """The state's units with identical inputs to aggregation taken once, and how to expand them.

    Identical units then get identical scores in every run, as in separate builds: exact ties stay
    exact even where a matrix product sums in its own order. Copeland compares units with each
    other, so with it every unit stays.
    """
    observed = ~np.isnan(res.screened)
    every = np.arange(len(res.units), dtype=np.intp)
    if any(c.method == "copeland" for c in choices.values()):
        return res.normalised, observed, every
    key = np.concatenate([res.normalised, observed.astype(np.float64)], axis=1)
    _, first, expand = np.unique(key, axis=0, return_index=True, return_inverse=True)
    if first.size == every.size:
        return res.normalised, observed, every
    return res.normalised[first], observed[first], np.asarray(expand).reshape(-1)


def _describe(design: Design, combo: Any) -> str:
    if not design.factors:
        return "the nominal recipe"
    return ", ".join(f"{f.name} = {f.labels[int(a)]}" for f, a in zip(design.factors, combo, strict=True))


# --- summaries ------------------------------------------------------------------------------------


def rank_intervals(ev: Evaluation, names: dict[str, str] | None = None) -> pd.DataFrame:
    """Per unit: nominal score and rank; median, mean, 5th and 95th percentile rank over the runs
    (the nominal run excluded; numpy 'linear' quantiles, R type 7)."""
    r = ev.ranks
    q05, median, q95 = _quantiles(r, [0.05, 0.5, 0.95])
    s05, s95 = _quantiles(ev.scores, [0.05, 0.95])
    with np.errstate(invalid="ignore"), _quiet():
        mean = np.nanmean(r, axis=0)
    frame = pd.DataFrame({
        "unit": list(ev.units),
        "name": [(names or {}).get(u, u) for u in ev.units],
        "nominal_score": ev.nominal_scores,
        "nominal_rank": ev.nominal_ranks,
        "median_rank": median,
        "mean_rank": mean,
        "q05_rank": q05,
        "q95_rank": q95,
        "interval_width": q95 - q05,
        "q05_score": s05,
        "q95_score": s95,
        "runs_scored": np.sum(~np.isnan(r), axis=0),
    })
    return frame.sort_values(["nominal_rank", "unit"], kind="stable", na_position="last").reset_index(drop=True)


def _quantiles(values: Array, q: list[float]) -> Array:
    """Linear (R type 7) quantiles of each column over the present values: one vectorised
    ``quantile`` for the columns without gaps, ``nanquantile`` only for the others."""
    out = np.full((len(q), values.shape[1]), np.nan)
    gaps = np.isnan(values).any(axis=0)
    if (~gaps).any():
        out[:, ~gaps] = np.quantile(values[:, ~gaps], q, axis=0, method="linear")
    if gaps.any():
        with np.errstate(invalid="ignore"), _quiet():
            out[:, gaps] = np.nanquantile(values[:, gaps], q, axis=0, method="linear")
    return out


class _quiet:
    """Silence numpy's 'All-NaN slice' warnings for units never scored."""

    def __enter__(self) -> None:
        import warnings

        self._ctx = warnings.catch_warnings()
        self._ctx.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc: Any) -> None:
        self._ctx.__exit__(*exc)


def runs_frame(ev: Evaluation) -> pd.DataFrame:
    """One row per run: the alternative of each factor, its weight set and its rank shift."""
    d = ev.design
    data: dict[str, Any] = {"run": np.arange(1, d.runs + 1)}
    for j, f in enumerate(d.factors):
        data[f.name] = [f.labels[a] for a in d.choices[:, j]]
    if d.replicate is not None:
        data[SURVEY_REPLICATE] = d.replicate + 1
    data["weight_set"] = [f"w{r}" for r in range(1, d.runs + 1)]
    data["mean_abs_rank_shift"] = ev.rank_shift()
    return pd.DataFrame(data)


def weight_sets_frame(ev: Evaluation) -> pd.DataFrame:
    """The weights each run used, wide (``set`` + one column per node): with :func:`runs_frame`
    it is a design that :func:`nevindex.audit.spec.replay_design` replays run for run."""
    frame = pd.DataFrame(ev.weights, columns=list(ev.design.nodes))
    frame.insert(0, "set", [f"w{r}" for r in range(1, ev.design.runs + 1)])
    return frame


def per_run_frame(ev: Evaluation, what: str) -> pd.DataFrame:
    """``scores`` or ``ranks`` of the index: one row per run, one column per unit."""
    values = ev.scores if what == "scores" else ev.ranks
    frame = pd.DataFrame(values, columns=list(ev.units))
    frame.insert(0, "run", np.arange(1, ev.design.runs + 1))
    return frame
