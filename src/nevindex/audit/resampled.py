"""Runs on redrawn survey data: each run's normalised matrix, batched, as if built separately.

The survey-sampling factor changes raw values of a few columns in every run, so the upstream
state (denominate … normalise) cannot be shared as the other factors share it. It need not be
rebuilt either: until aggregation a raw column touches only itself, so for a batch of runs this
recomputes just the redrawn columns, every run at once, with the engine's own kernels (as
``insight.whatif`` does for single cells):

1. denomination (elementwise);
2. imputation of the column (mean/median fill depends on the column; group fills per run; none,
   locf and linear leave observed cells alone and fill gaps from other years, so gaps keep their
   value);
3. outlier treatment of every run's version of the column at once (``methods.treat.treat_rows``);
4. normalisation of the whole batch (``build.normalise_matrix`` takes a leading batch axis).

Replicates keep the data's missing pattern, so screening by coverage keeps the same units.
What the shortcut cannot reproduce exactly is built run by run with ``build()`` on the redrawn
data: row-wise imputation and data-driven weights (a column's change reaches other columns or
the weights), screening by non-zero share when a redraw crosses zero, and any kernel error
(so the error names the run). Tests check the shortcut against ``build()`` per run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from nevindex.audit.sampling import SampledColumns
from nevindex.audit.spec import Design
from nevindex.build import aggregate_tree, build, normalise_matrix, treat_settings
from nevindex.dataset import Dataset
from nevindex.errors import ComputationError, NevIndexError
from nevindex.methods import denominate as den_kernels
from nevindex.methods import impute as imp_kernels
from nevindex.methods.treat import treat_rows
from nevindex.recipe import DATA_DRIVEN_WEIGHTS, MethodChoice, Recipe
from nevindex.result import Result

__all__ = ["ResampledState", "aggregate_sampled", "redrawn_dataset"]

Array = NDArray[np.float64]


def redrawn_dataset(dataset: Dataset, sampling: SampledColumns, replicate: int) -> Dataset:
    """The data set with the redrawn columns of replicate ``replicate`` in the sampled year."""
    values = np.array(dataset.values)
    t = dataset.year_index(sampling.year)
    cols = [dataset.column_index(c) for c in sampling.codes]
    values[t][:, cols] = sampling.values[replicate]
    return Dataset(dataset.units, dataset.columns, dataset.years, values, dataset.names, dataset.attributes,
                   dataset.provenance, dataset.source)


@dataclass
class ResampledState:
    """One upstream state (a nominal ``Result`` of one recipe) and the redrawn columns."""

    result: Result
    sampling: SampledColumns

    def __post_init__(self) -> None:
        r = self.result
        fw, rec, ds = r.framework, r.recipe, r.dataset
        codes = fw.indicator_codes
        self.cols = np.array([codes.index(c) for c in self.sampling.codes], dtype=np.intp)
        in_ds = {u: i for i, u in enumerate(ds.units)}
        in_all = {u: i for i, u in enumerate(r.all_units)}
        self.rows_all = np.array([in_ds[u] for u in r.all_units], dtype=np.intp)  # dataset rows of all_units
        self.kept = np.array([in_all[u] for u in r.units], dtype=np.intp)  # all_units rows of the scored units
        self.den = np.ones((len(r.all_units), self.cols.size))
        self.scale = np.ones(self.cols.size)
        self.has_den = np.zeros(self.cols.size, dtype=bool)
        if rec.denominate.method != "none":
            for k, j in enumerate(self.cols):
                ind = fw.indicators[j]
                if ind.denominator:
                    self.den[:, k] = ds.matrix([ind.denominator], r.year)[self.rows_all, 0]
                    self.scale[k] = ind.scale
                    self.has_den[k] = True
        denominators = {ind.denominator for ind in fw.indicators if ind.denominator}
        self.whole_rebuild = (rec.weights.method in DATA_DRIVEN_WEIGHTS or rec.impute.method.endswith("_row")
                              or bool(denominators & set(self.sampling.codes)))
        self.screen_zero = rec.screen.method != "none" and rec.screen.min_nonzero is not None
        self.treat = treat_settings(fw, rec)

    def needs_build(self, replicates: NDArray[np.intp]) -> NDArray[np.bool_]:
        """Runs the shortcut cannot reproduce exactly (they are built with ``build()``)."""
        if self.whole_rebuild:
            return np.ones(replicates.size, dtype=bool)
        slow = np.zeros(replicates.size, dtype=bool)
        if self.screen_zero:
            old = self.result.denominated[:, self.cols]
            slow |= ((self._denominated(replicates) == 0) != (old == 0)[None]).any(axis=(1, 2))
        return slow

    def _denominated(self, replicates: NDArray[np.intp]) -> Array:
        """(runs, all units, redrawn columns) after denomination."""
        raw = self.sampling.values[replicates][:, self.rows_all, :]
        if self.has_den.any():
            d = self.has_den
            raw[..., d] = den_kernels.denominate(raw[..., d], self.den[:, d], self.scale[d])
        return raw

    def normalised(self, replicates: NDArray[np.intp]) -> Array:
        """(runs, scored units, indicators): the normalised matrix of each run (shortcut runs only;
        raises NevIndexError where a kernel refuses a run's data)."""
        r = self.result
        spec = r.recipe.impute
        screened = self._denominated(replicates)[:, self.kept, :]
        if spec.method == "mean":
            imputed = imp_kernels.impute_mean(screened)
        elif spec.method == "median":
            imputed = imp_kernels.impute_median(screened)
        elif spec.method in ("mean_group", "median_group"):
            groups = r.group_codes()
            stat = spec.method.split("_")[0]
            imputed = np.stack([imp_kernels.impute_group(m, groups, stat=stat)[0] for m in screened])
        else:  # none, locf, linear: observed cells pass through, gaps are filled from other years
            imputed = np.where(np.isnan(screened), np.asarray(r.imputed)[:, self.cols][None], screened)
        treated = np.broadcast_to(np.asarray(r.treated), (replicates.size, *np.shape(r.treated))).copy()
        codes = r.framework.indicator_codes
        for k, j in enumerate(self.cols):
            settings = self.treat.get(codes[j])
            column = imputed[..., k]
            treated[..., j] = treat_rows(column, **settings) if settings is not None else column
        return normalise_matrix(r.framework, r.recipe.normalise, treated, year=r.year)

    def build(self, replicate: int, recipe: Recipe) -> Result:
        """One run built from scratch on its redrawn data with its own recipe (the exact path)."""
        r = self.result
        return build(r.framework, redrawn_dataset(r.dataset, self.sampling, replicate), recipe, year=r.year)


def aggregate_sampled(state: ResampledState, design: Design, rows: NDArray[np.intp], recipes: list[Recipe],
                      weights_used: Array, choices: Mapping[str, MethodChoice], unit_pos: Mapping[str, int],
                      chunk: int) -> tuple[Array, int, int]:
    """Index scores of runs ``rows`` (one upstream state and aggregation; ``recipes[i]`` is row i's
    recipe) over the dataset's units, NaN where a unit is not scored; also the runs built with
    ``build()`` and the chunks aggregated. ``weights_used`` is updated where a build resolves
    data-driven weights on its own data."""
    r = state.result
    fw = r.framework
    reps = np.asarray(design.replicate)[rows]
    out = np.full((rows.size, len(unit_pos)), np.nan)
    cols = np.array([unit_pos[u] for u in r.units], dtype=np.intp)
    observed = ~np.isnan(np.asarray(r.screened))
    slow = state.needs_build(reps)
    fast = np.flatnonzero(~slow)
    chunks = 0
    for start in range(0, fast.size, chunk):
        idx = fast[start:start + chunk]
        try:
            normalised = state.normalised(reps[idx])
            batch = {n: weights_used[rows[idx], k] for k, n in enumerate(design.nodes)}
            out[np.ix_(idx, cols)] = aggregate_tree(fw, normalised, batch, choices, observed=observed)[fw.root]
            chunks += 1
        except NevIndexError:  # a redraw the kernels refuse (e.g. a constant column): build each to name it
            slow[idx] = True
    for i in np.flatnonzero(slow):
        row = rows[i]
        try:
            new = state.build(int(reps[i]), recipes[i])
            if recipes[i].weights.method in DATA_DRIVEN_WEIGHTS:
                base = np.array([new.weights[n] for n in design.nodes], dtype=float)
                weights_used[row] = np.where(np.isnan(design.absolute[row]), base * design.multipliers[row],
                                             design.absolute[row])
            w = {n: weights_used[row, k] for k, n in enumerate(design.nodes)}
            root = aggregate_tree(fw, new.normalised, w, choices, observed=~np.isnan(np.asarray(new.screened)))
        except NevIndexError as exc:
            raise ComputationError(f"uncertainty run {int(row) + 1} (survey replicate {int(reps[i]) + 1}): "
                                   f"{getattr(exc, 'message', exc)}") from None
        out[i, [unit_pos[u] for u in new.units]] = root[fw.root]
    return out, int(slow.sum()), chunks

