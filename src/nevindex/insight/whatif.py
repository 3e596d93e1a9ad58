"""Fast single-cell what-if: the index after one raw value changes, everything else fixed.

A full ``build`` per (unit, indicator) pair is exact but too slow for every lever of a 500-unit
edition (25 000 rebuilds). A raw cell touches only its own column until aggregation, so this
module reuses the Result's upstream state and, for each changed cell, recomputes only:

1. the cell's denominated value (the denominate kernel with the unit's denominator);
2. the column's imputation (mean/median fill depends on the column; locf/linear leave observed
   cells alone, so only the cell changes; row-wise imputation and data-driven weights spread a
   change to other cells, so those recipes rebuild) and its outlier treatment (the treat kernel
   on all versions of the column at once, ``methods.treat.treat_rows``);
3. the column's normalisation, with the engine's own ``build.normalise_matrix`` on a batch of
   matrices in which slot ``s`` holds one changed column per indicator (columns normalise
   independently, so one call serves a whole batch of levers);
4. the aggregates on the path from the indicator to the root, with the aggregate kernel, the
   Result's weights and the recipe's per-node method (siblings off the path keep their scores);
   unless a node on the path uses Copeland, only the cells whose normalised value moved are
   re-aggregated (usually just the changed unit's own row; everyone's when min-max bounds move);
5. the rank of the changed unit among all units.

Whatever this shortcut cannot reproduce exactly falls back to a real ``build`` with
``Dataset.with_value``: data-driven weights (entropy, CRITIC, PCA re-weight on every change),
screening by non-zero share when the change crosses zero, and any kernel error (for example a
change that makes a column constant). Tests check the shortcut against ``build`` to 1e-9.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nevindex.build import aggregate_tree, build, normalise_matrix, observed_shares, treat_settings
from nevindex.errors import NevIndexError
from nevindex.methods import aggregate as agg_kernels
from nevindex.methods import denominate as den_kernels
from nevindex.methods import impute as imp_kernels
from nevindex.methods.rank import rank_desc
from nevindex.methods.treat import treat_rows
from nevindex.recipe import DATA_DRIVEN_WEIGHTS
from nevindex.result import Result

__all__ = ["BATCH_CELLS", "Outcome", "WhatIf"]


Array = NDArray[np.float64]

#: Cells per normalisation batch (slots × units × indicators); bounds memory at ~32 MB per array.
BATCH_CELLS = 4_000_000


@dataclass(frozen=True)
class Outcome:
    """Per changed cell: the unit's new index score and rank, and its new score on every node."""

    index: Array  # (n,)
    rank: Array  # (n,)
    nodes: dict[str, Array]  # aggregate code -> (n,) new score of the changed unit (only path nodes change)
    exact_rebuild: NDArray[np.bool_]  # (n,) True where a full build was used
    error: tuple[str | None, ...]  # message when the change cannot be computed (e.g. column becomes constant)


class WhatIf:
    """Evaluate many single-cell changes of one Result at once."""

    def __init__(self, result: Result):
        self.result = r = result
        fw, rec, ds = r.framework, r.recipe, r.dataset
        self.codes = fw.indicator_codes
        self.n_units = len(r.units)
        in_all = {u: i for i, u in enumerate(r.all_units)}
        in_ds = {u: i for i, u in enumerate(ds.units)}
        self.row_all = np.array([in_all[u] for u in r.units], dtype=np.intp)
        self.row_ds = np.array([in_ds[u] for u in r.units], dtype=np.intp)
        n_ind = len(self.codes)
        # denominators of every indicator for the scored units (NaN-free only where used)
        self.den = np.ones((self.n_units, n_ind))
        self.scale = np.ones(n_ind)
        self.has_den = np.zeros(n_ind, dtype=bool)
        if rec.denominate.method != "none":
            for j, ind in enumerate(fw.indicators):
                if ind.denominator:
                    self.den[:, j] = ds.matrix([ind.denominator], r.year)[self.row_ds, 0]
                    self.scale[j] = ind.scale
                    self.has_den[j] = True
        self.treat_settings = treat_settings(fw, rec)
        self.paths = {c: fw.ancestors(c) for c in self.codes}
        self.choices = {c: rec.aggregate.choice_for(c, fw.levels[c]) for c in fw.aggregate_codes}
        self.observed = ~np.isnan(np.asarray(result.screened))
        self.shares = observed_shares(fw, self.observed)
        self.base: dict[str, Array] = {c: r.normalised[:, j] for j, c in enumerate(self.codes)}
        self.base |= {c: r.scores[:, k] for k, c in enumerate(fw.display_order)}
        # the aggregation of a unit depends only on its own children's values, except for Copeland
        # Copeland and peer-filled missing children (a quantile over all units) make a unit's score
        # depend on the other units: those paths are re-aggregated over every unit
        self.rowwise = {c: all(self.choices[a].method != "copeland" and self.choices[a].missing_children == "reweight"
                               for a in self.paths[c]) for c in self.codes}
        # data-driven weights and row-wise imputation make a cell's change reach other cells: rebuild
        self.whole_rebuild = rec.weights.method in DATA_DRIVEN_WEIGHTS or rec.impute.method.endswith("_row")
        self.screen_zero = rec.screen.method != "none" and rec.screen.min_nonzero is not None
        self._cells: dict[tuple[int, int, float], Array] = {}

    # --- public ----------------------------------------------------------------------------
    def evaluate(self, rows: Any, cols: Any, values: Any) -> Outcome:
        """New index and rank of unit ``rows[k]`` (row in ``result.units``) when its raw value of
        indicator ``cols[k]`` becomes ``values[k]``, one change at a time."""
        rows = np.asarray(rows, dtype=np.intp).ravel()
        cols = np.asarray(cols, dtype=np.intp).ravel()
        values = np.asarray(values, dtype=np.float64).ravel()
        n = rows.size
        index = np.full(n, np.nan)
        rank = np.full(n, np.nan)
        nodes = {c: np.broadcast_to(self.base[c][rows], (n,)).copy() for c in self.result.framework.aggregate_codes}
        exact = np.zeros(n, dtype=bool)
        errors: list[str | None] = [None] * n
        slow = self._needs_rebuild(rows, cols, values)
        fast = np.flatnonzero(~slow)
        # slot of each fast change: its occurrence number within its column
        slot = np.zeros(n, dtype=np.intp)
        seen: dict[int, int] = {}
        for k in fast:
            slot[k] = seen.get(int(cols[k]), 0)
            seen[int(cols[k])] = slot[k] + 1
        n_slots = max(seen.values(), default=0)
        per_slot = max(1, BATCH_CELLS // max(1, self.n_units * len(self.codes)))
        for start in range(0, n_slots, per_slot):
            chunk = fast[(slot[fast] >= start) & (slot[fast] < start + per_slot)]
            try:
                self._fast(chunk, slot[chunk] - start, min(per_slot, n_slots - start), rows, cols, values,
                           index, rank, nodes)
            except NevIndexError:
                slow[chunk] = True  # e.g. one change makes a column constant: rebuild each to name it
        for k in np.flatnonzero(slow):
            exact[k] = True
            try:
                self._rebuild(k, rows, cols, values, index, rank, nodes)
            except NevIndexError as exc:
                errors[k] = str(exc)
        return Outcome(index, rank, nodes, exact, tuple(errors))

    def evaluate_cells(self, row: int, cols: Any, values: Any) -> tuple[Array, Array]:
        """Index and rank of every unit when unit ``row`` changes several raw values at once
        (a plan): the same column-wise shortcut, then the whole tree with ``build.aggregate_tree``."""
        r = self.result
        cols = np.asarray(cols, dtype=np.intp).ravel()
        values = np.asarray(values, dtype=np.float64).ravel()
        rows = np.full(cols.size, row, dtype=np.intp)
        if cols.size == 0:
            return np.asarray(r.index).copy(), np.asarray(r.rank).copy()
        if self._needs_rebuild(rows, cols, values).any():
            return self._rebuild_cells(row, cols, values)
        try:
            new_den = self._denominated(rows, cols, values)
            treated = np.asarray(r.treated).copy()
            for k, j in enumerate(cols):
                # a plan search revisits the same (column, value) often: keep the treated column
                key = (row, int(j), float(values[k]))
                if key not in self._cells:
                    if len(self._cells) > 4096:
                        self._cells.clear()
                    self._cells[key] = self._column_batch(int(j), rows[k:k + 1], new_den[k:k + 1])[0]
                treated[:, j] = self._cells[key]
            normalised = normalise_matrix(r.framework, r.recipe.normalise, treated, year=r.year)
            observed = self.observed.copy()
            observed[row, cols] = ~np.isnan(new_den)  # a plan may fill a gap, or empty a cell
            scores = aggregate_tree(r.framework, normalised, r.weights, self.choices,
                                    observed=observed)
        except NevIndexError:
            return self._rebuild_cells(row, cols, values)
        index = scores[r.framework.root]
        return index, rank_desc(index)

    def _rebuild_cells(self, row: int, cols: NDArray[np.intp], values: Array) -> tuple[Array, Array]:
        r = self.result
        data = r.dataset
        for j, v in zip(cols, values, strict=True):
            data = data.with_value(r.units[row], self.codes[j], float(v), r.year)
        new = build(r.framework, data, r.recipe, year=r.year)
        pos = {u: i for i, u in enumerate(new.units)}
        take = np.array([pos.get(u, -1) for u in r.units])
        index = np.where(take >= 0, np.asarray(new.index)[take], np.nan)
        rank = np.where(take >= 0, np.asarray(new.rank)[take], np.nan)
        return index, rank

    # --- the shortcut ------------------------------------------------------------------------
    def _needs_rebuild(self, rows: NDArray[np.intp], cols: NDArray[np.intp], values: Array) -> NDArray[np.bool_]:
        if self.whole_rebuild:
            return np.ones(rows.size, dtype=bool)
        slow = np.zeros(rows.size, dtype=bool)
        if self.screen_zero:
            old = self.result.denominated[self.row_all[rows], cols]
            new = self._denominated(rows, cols, values)
            slow |= (old == 0) != (new == 0)
        return slow

    def _denominated(self, rows: NDArray[np.intp], cols: NDArray[np.intp], values: Array) -> Array:
        out = values.copy()
        d = self.has_den[cols]
        if d.any():
            out[d] = den_kernels.denominate(values[d], self.den[rows[d], cols[d]], self.scale[cols[d]])
        return out

    def _column_batch(self, j: int, rows: NDArray[np.intp], new: Array) -> Array:
        """Treated column j for each change (len(rows) × units): impute and treat re-run on the column."""
        r = self.result
        spec = r.recipe.impute
        screened = np.broadcast_to(r.screened[:, j], (rows.size, self.n_units)).copy()
        screened[np.arange(rows.size), rows] = new
        if spec.method == "mean":
            imputed = imp_kernels.impute_mean(screened[..., None])[..., 0]
        elif spec.method == "median":
            imputed = imp_kernels.impute_median(screened[..., None])[..., 0]
        elif spec.method in ("mean_group", "median_group"):
            groups = r.group_codes()
            stat = spec.method.split("_")[0]
            imputed = np.stack([imp_kernels.impute_group(col[:, None], groups, stat=stat)[0][:, 0]
                                for col in screened]) if rows.size else screened
        else:  # none, locf, linear: observed cells pass through unchanged, others do not depend on them
            imputed = np.broadcast_to(r.imputed[:, j], (rows.size, self.n_units)).copy()
            imputed[np.arange(rows.size), rows] = new
        settings = self.treat_settings.get(self.codes[j])
        if settings is None or rows.size == 0:
            return imputed
        # the treat kernel's loop on every version of the column at once (bit-identical; tested)
        return treat_rows(imputed, **settings)

    def _fast(self, chunk: NDArray[np.intp], slots: NDArray[np.intp], n_slots: int, rows: NDArray[np.intp],
              cols: NDArray[np.intp], values: Array, index: Array, rank: Array, nodes: dict[str, Array]) -> None:
        if chunk.size == 0:
            return
        r = self.result
        new_den = self._denominated(rows[chunk], cols[chunk], values[chunk])
        treated = np.broadcast_to(r.treated, (n_slots, *r.treated.shape)).copy()
        by_col: dict[int, NDArray[np.intp]] = {}
        for j in np.unique(cols[chunk]):
            sel = np.flatnonzero(cols[chunk] == j)
            by_col[int(j)] = sel
            treated[slots[sel], :, j] = self._column_batch(int(j), rows[chunk[sel]], new_den[sel])
        normalised = normalise_matrix(r.framework, r.recipe.normalise, treated, year=r.year)
        for j, sel in by_col.items():
            code = self.codes[j]
            ks, us = chunk[sel], rows[chunk[sel]]
            column = normalised[slots[sel], :, j]  # (m, units)
            m = np.arange(sel.size)
            if self.rowwise[code]:
                # Row-wise aggregators: re-aggregate only the (change, unit) cells whose normalised
                # value moved (the changed unit's own, plus others' when bounds or imputed values
                # moved); every other unit keeps its index score.
                base = self.base[code]
                moved = ~((column == base) | (np.isnan(column) & np.isnan(base)))
                moved[m, us] = True
                li, ui = np.nonzero(moved)
                part = self._path(code, column[li, ui], ui)
                root = r.framework.root
                new_index = np.broadcast_to(self.base[root], column.shape).copy()
                new_index[li, ui] = part[root]
                width = column.shape[1]
                own = np.searchsorted(li * width + ui, m * width + us)  # nonzero() is row-major, so sorted
                for node in self.paths[code]:
                    nodes[node][ks] = part[node][own]
                mine = new_index[m, us]
                better = new_index > mine[:, None]
                better[m, us] = False
                index[ks] = mine
                rank[ks] = np.where(np.isnan(mine), np.nan, 1.0 + better.sum(axis=1))
                continue
            step = self._full_batch_size(code)  # Copeland: every unit's score depends on all the others
            for start in range(0, sel.size, step):
                sub = m[start:start + step]
                full = self._path(code, column[sub], None)
                at = (np.arange(sub.size), us[sub])
                new_index = full[r.framework.root]
                index[ks[sub]] = new_index[at]
                rank[ks[sub]] = rank_desc(new_index, axis=-1)[at]
                for node in self.paths[code]:
                    nodes[node][ks[sub]] = full[node][at]

    def _path(self, code: str, column: Array, own_rows: NDArray[np.intp] | None) -> dict[str, Array]:
        """Scores of the aggregates above indicator ``code`` with its values replaced by ``column``:
        ``column`` is (m, units) for whole units sets, or (m,) for just the rows ``own_rows``."""
        r = self.result
        changed = {code: column}

        def base(k: str) -> Array:
            return self.base[k] if own_rows is None else self.base[k][own_rows]

        for node in self.paths[code]:
            kids = r.framework.children[node]
            x = np.stack([changed[k] if k in changed else np.broadcast_to(base(k), column.shape) for k in kids],
                         axis=-1)
            w = np.array([r.weights[k] for k in kids], dtype=float)
            choice = self.choices[node]
            changed[node] = agg_kernels.aggregate(x, w, choice.method, min_present=choice.min_present,
                                                  negative_weights=True, missing=choice.missing_children,
                                                  **choice.params)
            if choice.min_observed is not None:  # a lever changes observed values only: shares stay
                share = self.shares[node] if own_rows is None else self.shares[node][own_rows]
                changed[node] = np.where(share < choice.min_observed, np.nan, changed[node])
        return changed

    def _full_batch_size(self, code: str) -> int:
        """Copeland compares all pairs of units: keep its (m, units, units) arrays small."""
        return max(1, 2_000_000 // max(1, self.n_units**2))

    def _rebuild(self, k: int, rows: NDArray[np.intp], cols: NDArray[np.intp], values: Array, index: Array,
                 rank: Array, nodes: dict[str, Array]) -> None:
        r = self.result
        unit = r.units[rows[k]]
        data = r.dataset.with_value(unit, self.codes[cols[k]], float(values[k]), r.year)
        new = build(r.framework, data, r.recipe, year=r.year)
        if unit not in new.units:
            raise NevIndexError(f"unit '{unit}' would be screened out by this change")
        i = new.units.index(unit)
        index[k] = new.index[i]
        rank[k] = new.rank[i]
        for node in nodes:
            nodes[node][k] = new.score(node)[i]

