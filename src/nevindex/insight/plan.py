"""The cheapest set of indicator improvements that lifts a unit to a target rank.

Cost is measured in standard deviations of each raw indicator (so "0.5 sd of R&D intensity plus
0.3 sd of charging stations" costs 0.8), the L1 norm, which favours few, well-chosen levers.
By default no value may go beyond the best value observed in the edition (``beyond_best`` sd
beyond it may be allowed).

Method (successive linear programming with verification by rebuild):
1. linearise: the gain in index score per sd of each indicator, from the engine's what-if
   evaluation of a probe step at the current point (:mod:`whatif`);
2. solve ``min Σ δ  s.t.  Σ gain·δ ≥ gap, 0 ≤ δ ≤ remaining headroom`` with ``scipy.optimize.linprog``
   (HiGHS), where ``gap`` is the score distance to the unit now ranked ``target`` (ties count as
   reached, as ranks use ties-at-minimum);
3. rebuild with all changes applied (``build`` on the changed data): if the rank is reached, stop;
   otherwise re-linearise there and solve for the remaining gap (other units' scores move when
   normalisation bounds move, and min-max or rank normalisers are only piecewise linear);
4. refine: shrink the whole plan by bisection, then each change in turn, keeping the target,
   each candidate checked with the what-if engine (``WhatIf.evaluate_cells``, exact as a rebuild);
   the refined plan is then rebuilt, and the plan returned is always one a full rebuild confirmed.

If even every indicator at its bound does not reach the target, the target is unreachable and the
plan says so (with the best rank achievable within the bounds).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linprog

from nevindex.build import build
from nevindex.dataset import Dataset
from nevindex.errors import DataError
from nevindex.insight._common import element_of, fields_dict, node_name, unit_row
from nevindex.insight.levers import raw_matrix, spread
from nevindex.insight.whatif import WhatIf
from nevindex.result import Result
from nevindex.values import rank_or_none

Array = NDArray[np.float64]

PROBE_SD = 0.5  # probe step of the linearisation, in sd
TOL = 1e-9


@dataclass(frozen=True)
class PlanChange:
    indicator: str
    name: str
    element: str
    measure: str | None
    value: float
    new_value: float
    change: float  # raw units, signed
    change_sd: float  # cost: |change| / sd

    def to_dict(self) -> dict[str, Any]:
        return fields_dict(self)


@dataclass(frozen=True)
class Plan:
    unit: str
    name: str
    target_rank: int
    status: str  # "already" | "reached" | "unreachable"
    message: str
    rank_before: float
    rank_after: float  # from a full rebuild with the changes applied
    index_before: float
    index_after: float
    changes: tuple[PlanChange, ...]
    cost_sd: float
    beyond_best: float
    rebuilds: int  # full builds run (each plan returned is confirmed by one)
    checks: int  # what-if evaluations while shrinking the plan

    @property
    def reached(self) -> bool:
        return self.status in ("already", "reached")

    def to_dict(self) -> dict[str, Any]:
        out = fields_dict(self)
        out["rank_before"], out["rank_after"] = rank_or_none(self.rank_before), rank_or_none(self.rank_after)
        out["reached"] = self.reached
        return out


class _Evaluator:
    """Applies a plan (δ in sd per indicator) to the data and rebuilds; counts rebuilds."""

    def __init__(self, result: Result, row: int, beyond_best: float):
        self.result = result
        self.row = row
        self.unit = result.units[row]
        self.raw = raw_matrix(result)[row]
        _, self.sd, best = spread(result)
        self.d = np.array([i.direction for i in result.framework.indicators], dtype=float)
        usable = ~np.isnan(self.raw) & (self.sd > 0)
        sd = np.where(usable, self.sd, 1.0)
        bound = best + self.d * beyond_best * sd
        self.cap = np.where(usable, np.maximum((bound - np.where(usable, self.raw, 0.0)) * self.d / sd, 0.0), 0.0)
        ds = result.dataset
        self.t = ds.year_index(result.year)
        self.u = ds.units.index(self.unit)
        self.c = np.array([ds.column_index(code) for code in result.framework.indicator_codes])
        self.rebuilds = 0
        self.checks = 0
        self.engine = WhatIf(result)

    def values(self, delta: Array) -> Array:
        return np.where(delta > 0, self.raw + self.d * delta * np.nan_to_num(self.sd), self.raw)

    def apply(self, delta: Array) -> Result:
        ds = self.result.dataset
        values = ds.values.copy()
        moved = np.flatnonzero(delta > 0)
        values[self.t, self.u, self.c[moved]] = self.values(delta)[moved]
        data = Dataset(ds.units, ds.columns, ds.years, values, ds.names, ds.attributes, ds.provenance, ds.source)
        self.rebuilds += 1
        return build(self.result.framework, data, self.result.recipe, year=self.result.year)

    def reaches(self, delta: Array, target: int) -> bool:
        """Whether the plan reaches ``target``, by the what-if engine (confirmed by a rebuild later)."""
        self.checks += 1
        moved = np.flatnonzero(delta > 0)
        _, rank = self.engine.evaluate_cells(self.row, moved, self.values(delta)[moved])
        return bool(rank[self.row] <= target)

    def standing(self, res: Result, target: int) -> tuple[float, float, float]:
        """(rank, index, margin over the unit now at ``target`` among the others)."""
        if self.unit not in res.units:
            return np.nan, np.nan, -np.inf
        i = res.units.index(self.unit)
        others = np.delete(res.index, i)
        others = np.sort(others[~np.isnan(others)])[::-1]
        margin = np.inf if others.size < target else res.index[i] - others[target - 1]
        return float(res.rank[i]), float(res.index[i]), float(margin)


def plan_to_rank(result: Result, unit: str, target_rank: int, *, beyond_best: float = 0.0,
                 max_rounds: int = 25) -> Plan:
    """Cheapest (in sd) improvements lifting ``unit`` to rank ``target_rank`` or better, verified by rebuild."""
    row = unit_row(result, unit)
    fw = result.framework
    n = len(result.units)
    if not 1 <= target_rank <= n:
        raise DataError(f"target rank {target_rank} is outside 1…{n}")
    name = result.unit_names()[row]
    rank0, index0 = float(result.rank[row]), float(result.index[row])
    if np.isnan(rank0):
        raise DataError(f"'{result.units[row]}' has no index score in {result.year}, so it has no rank to improve")
    ev = _Evaluator(result, row, beyond_best)

    def done(status: str, message: str, delta: Array, res: Result | None) -> Plan:
        rank1, index1, _ = ev.standing(res, target_rank) if res is not None else (rank0, index0, 0.0)
        changes = tuple(
            PlanChange(code, node_name(fw, code), element_of(fw, code), fw.indicators[j].unit, float(ev.raw[j]),
                       float(ev.values(delta)[j]), float(ev.values(delta)[j] - ev.raw[j]), float(delta[j]))
            for j, code in enumerate(fw.indicator_codes) if delta[j] > 0)
        changes = tuple(sorted(changes, key=lambda c: -c.change_sd))
        return Plan(result.units[row], name, target_rank, status, message, rank0, rank1, index0, index1, changes,
                    float(delta.sum()), beyond_best, ev.rebuilds, ev.checks)

    zero = np.zeros(len(fw.indicator_codes))
    if rank0 <= target_rank:
        return done("already", f"{name} already ranks {rank_or_none(rank0)} (target {target_rank}): no plan needed.",
                    zero, None)
    bound_text = "the best observed value" + (f" + {beyond_best:g} standard deviations" if beyond_best else "")
    if not (ev.cap > 0).any():
        return done("unreachable", f"{name} cannot improve any indicator within {bound_text}; "
                    f"rank {target_rank} is unreachable.", zero, None)
    res_max = ev.apply(ev.cap)
    rank_max = ev.standing(res_max, target_rank)[0]
    if not rank_max <= target_rank:
        return done("unreachable", f"rank {target_rank} is unreachable for {name}: even with every indicator at "
                    f"{bound_text} it would rank {rank_or_none(rank_max)}.", ev.cap, res_max)

    delta, res = _successive_lp(result, ev, target_rank, max_rounds)
    if res is None:  # linearisation failed to get there: start from the all-out plan instead
        delta, res = ev.cap.copy(), res_max
    refined = _refine(ev, delta, target_rank)
    if (refined != delta).any():
        trial = ev.apply(refined)  # every plan returned is confirmed by a full rebuild
        if ev.standing(trial, target_rank)[0] <= target_rank:
            delta, res = refined, trial
    rank1 = ev.standing(res, target_rank)[0]
    k = int((delta > 0).sum())
    return done("reached", f"{name} reaches rank {rank_or_none(rank1)} (target {target_rank}) with {k} indicator "
                f"change{'' if k == 1 else 's'}, together {delta.sum():.3g} standard deviations of the brands' values "
                f"(the plan's cost; verified by a rebuild).", delta, res)


def _successive_lp(result: Result, ev: _Evaluator, target: int, max_rounds: int) -> tuple[Array, Result | None]:
    delta = np.zeros_like(ev.cap)
    current = result
    for _ in range(max_rounds):
        rank, _, margin = ev.standing(current, target)
        if rank <= target:
            return delta, current
        headroom = ev.cap - delta
        cols = np.flatnonzero(headroom > 1e-12)
        if cols.size == 0:
            return delta, None
        probe = np.minimum(headroom[cols], PROBE_SD)
        here = ev.values(delta)
        row = current.units.index(ev.unit)
        out = WhatIf(current).evaluate(np.full(cols.size, row), cols,
                                       here[cols] + ev.d[cols] * probe * ev.sd[cols])
        gain = (out.index - current.index[row]) / probe
        good = np.isfinite(gain) & (gain > 0)
        if not good.any():
            return delta, None
        cols, gain = cols[good], gain[good]
        need = -margin + TOL * max(1.0, abs(float(current.index[row])))
        lp = linprog(np.ones(cols.size), A_ub=-gain[None, :], b_ub=[-need],
                     bounds=list(zip(np.zeros(cols.size), headroom[cols], strict=True)), method="highs")
        step = lp.x if lp.status == 0 else headroom[cols]  # infeasible under the linear model: all in
        if not (step > 1e-12).any():
            return delta, None
        delta = delta.copy()
        delta[cols] += step
        delta = np.minimum(delta, ev.cap)
        current = ev.apply(delta)
    rank, _, _ = ev.standing(current, target)
    return (delta, current) if rank <= target else (delta, None)


def _refine(ev: _Evaluator, delta: Array, target: int, steps: int = 9) -> Array:
    """Shrink a plan (whole, then each change, largest first) while it still reaches the target."""
    lo, hi = 0.0, 1.0
    for _ in range(steps):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if ev.reaches(delta * mid, target) else (mid, hi)
    delta = delta * hi
    for j in np.argsort(-delta):
        if delta[j] <= 0:
            continue
        candidate = delta.copy()
        candidate[j] = 0.0
        if ev.reaches(candidate, target):
            delta = candidate
            continue
        lo, hi = 0.0, delta[j]
        for _ in range(steps):
            candidate[j] = (lo + hi) / 2
            lo, hi = (lo, candidate[j]) if ev.reaches(candidate, target) else (candidate[j], hi)
        delta = delta.copy()
        delta[j] = hi
    return delta


__all__ = ["Plan", "PlanChange", "plan_to_rank"]
