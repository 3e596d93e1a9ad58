"""Improvement levers: what one indicator's improvement would do to a unit's index score and rank.

A lever moves one raw value (the number the unit reports, before denominating) in the good
direction by a stated step, with everything else fixed, and recomputes the index with the engine
(:mod:`nevindex.insight.whatif`), so moving normalisation bounds and the aggregation are honoured.

Steps:
- ``"next"`` (default): up to the value of the next better unit on that indicator (the nearest value
  ahead of the unit's own among the scored units): a step a brand can point to, whatever the spread
  or its outliers; the unit that leads on an indicator gets no lever there (a note says so);
- ``"median"``: up to the median of the scored units (of its ``peers`` group when given), for a
  unit below it;
- ``"range"``: ``size`` × the indicator's observed range over the scored units (a step one outlier
  can make unrealistic: 10 % of a range set by one brand's 40 % margin);
- ``"sd"``: ``size`` × the indicator's standard deviation (n−1);
- ``"leader"``: up to the value of the best unit of the unit's peer group (``peers`` column).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from nevindex.errors import DataError
from nevindex.insight._common import (
    check_group_column,
    element_of,
    fields_dict,
    node_name,
    peer_mask,
    unit_row,
)
from nevindex.insight.whatif import WhatIf
from nevindex.result import Result
from nevindex.values import finite_or_none, rank_or_none

__all__ = ["STEPS", "STEP_TEXT", "Lever", "LeverSet", "LeverTable", "all_levers", "levers", "raw_matrix", "spread",
           "step_text", "target_values"]


Array = NDArray[np.float64]
Step = Literal["next", "median", "range", "sd", "leader"]
#: The steps, as the CLI's --step and the API accept them.
STEPS: tuple[str, ...] = ("next", "median", "range", "sd", "leader")
#: What each step means, in a sentence the CLI, the report and the portal can print.
STEP_TEXT = {"next": "reach the next better brand's value on one indicator",
             "median": "reach the median brand's value on one indicator",
             "range": "improve one indicator by {pct} % of its range across brands",
             "sd": "improve one indicator by {size} standard deviations across brands",
             "leader": "reach the peer-group leader's value on one indicator"}


@dataclass(frozen=True)
class Lever:
    unit: str
    indicator: str
    name: str
    element: str
    direction: int
    measure: str | None  # unit of measurement
    value: float  # current raw value (NaN if not reported)
    new_value: float
    step: float  # new_value − value (signed, raw units)
    step_sd: float  # |step| in standard deviations of the indicator
    index_before: float
    index_after: float
    rank_before: float
    rank_after: float
    element_before: float
    element_after: float
    note: str | None = None

    @property
    def index_change(self) -> float:
        return self.index_after - self.index_before

    @property
    def rank_change(self) -> float:
        """Places gained (positive = moves up)."""
        return self.rank_before - self.rank_after

    @property
    def available(self) -> bool:
        return not np.isnan(self.index_after)

    def to_dict(self) -> dict[str, Any]:
        out = fields_dict(self)
        out["rank_before"], out["rank_after"] = rank_or_none(self.rank_before), rank_or_none(self.rank_after)
        out["index_change"] = finite_or_none(self.index_change)
        out["rank_change"] = rank_or_none(self.rank_change)
        return out


@dataclass(frozen=True)
class LeverSet:
    """Every lever of one unit, best first (largest index gain; unavailable ones last)."""

    unit: str
    name: str
    step: str
    size: float
    peers: str | None
    levers: tuple[Lever, ...]
    note: str | None = None

    def best(self, n: int = 5) -> tuple[Lever, ...]:
        """The ``n`` levers that raise the index most (only those that raise it)."""
        return tuple(lv for lv in self.levers if np.isfinite(lv.index_change) and lv.index_change > 0)[:n]

    def to_dict(self) -> dict[str, Any]:
        return fields_dict(self)


@dataclass(frozen=True)
class LeverTable:
    """All levers of all units: units × indicators arrays (NaN where no lever applies)."""

    units: tuple[str, ...]
    indicators: tuple[str, ...]
    new_value: Array
    index_change: Array
    rank_change: Array

    def to_dict(self) -> dict[str, Any]:
        return fields_dict(self)


# --- step sizes ------------------------------------------------------------------------------


def _directions(result: Result) -> Array:
    return np.array([ind.direction for ind in result.framework.indicators], dtype=float)


def raw_matrix(result: Result) -> Array:
    """Raw values of the scored units (units × indicators)."""
    if result.all_units == result.units:
        return np.asarray(result.raw)
    position = {u: i for i, u in enumerate(result.all_units)}
    return np.asarray(result.raw)[[position[u] for u in result.units]]


def spread(result: Result) -> tuple[Array, Array, Array]:
    """Observed range, sd (n−1) and best value (in the good direction) of each raw indicator."""
    raw = raw_matrix(result)
    d = _directions(result)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = np.nanmin(raw, axis=0), np.nanmax(raw, axis=0)
        sd = np.nanstd(raw, axis=0, ddof=1)
    best = np.where(d > 0, hi, lo)
    return hi - lo, sd, best


def target_values(result: Result, rows: Any, *, step: Step = "range", size: float = 0.1,
                  peers: str | None = None, cap_at_best: bool = False) -> tuple[Array, list[list[str | None]]]:
    """New raw values (len(rows) × indicators) for each unit's levers, with a note per cell."""
    rows = np.asarray(rows, dtype=np.intp)
    raw = raw_matrix(result)[rows]
    d = _directions(result)
    rng, sd, best = spread(result)
    notes: list[list[str | None]] = [[None] * raw.shape[1] for _ in rows]
    if step == "next":
        new = _next_better(raw_matrix(result), raw, d)
        for k, j in zip(*np.nonzero(np.isnan(new) & ~np.isnan(raw)), strict=True):
            notes[k][j] = "already the best value among the scored units"
        new = np.where(np.isnan(new), raw, new)
    elif step == "median":
        new = raw.copy()
        all_raw = raw_matrix(result)
        for k, row in enumerate(rows):
            mask = peer_mask(result, int(row), peers)[0] if peers is not None else np.ones(len(all_raw), bool)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                median = np.nanmedian(all_raw[mask], axis=0)
            below = (median - raw[k]) * d > 0
            new[k] = np.where(below, median, raw[k])
            for j in np.flatnonzero(~below & ~np.isnan(raw[k])):
                notes[k][j] = "already at or better than the median"
    elif step == "range":
        new = raw + d * size * rng
    elif step == "sd":
        new = raw + d * size * sd
    elif step == "leader":
        if peers is None:
            raise DataError("step 'leader' needs a peer-group column", hint="pass peers=COLUMN (--peers)")
        check_group_column(result, peers)
        new = raw.copy()
        all_raw = raw_matrix(result)
        for k, row in enumerate(rows):
            mask, label = peer_mask(result, int(row), peers)
            if label is None:
                new[k] = np.nan
                notes[k] = [f"no value in group column '{peers}'"] * raw.shape[1]
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                leader = np.where(d > 0, np.nanmax(all_raw[mask], axis=0), np.nanmin(all_raw[mask], axis=0))
            ahead = (leader - raw[k]) * d > 0
            new[k] = np.where(ahead, leader, raw[k])
            for j in range(raw.shape[1]):
                if mask.sum() == 1:
                    notes[k][j] = f"only member of its '{peers}' group ({label}); no leader to catch up with"
                elif not ahead[j] and not np.isnan(raw[k, j]):
                    notes[k][j] = f"already leads its '{peers}' group ({label}) on this indicator"
    else:
        raise DataError(f"unknown lever step '{step}'", hint=f"use {', '.join(STEPS)}")
    if cap_at_best:
        capped = (new - best) * d > 0
        new = np.where(capped, best, new)
        for k in range(len(rows)):
            for j in np.flatnonzero(capped[k]):
                notes[k][j] = notes[k][j] or "capped at the best observed value"
    for k in range(len(rows)):
        for j in np.flatnonzero(np.isnan(raw[k])):
            notes[k][j] = "no reported value" + (" (imputed in the build)" if result.imputed_mask[rows[k], j] else "")
        for j in np.flatnonzero(~np.isnan(raw[k]) & ~(rng > 0)):
            notes[k][j] = notes[k][j] or "indicator does not vary across units"
    return new, notes


def _next_better(all_raw: Array, raw: Array, d: Array) -> Array:
    """Per cell of ``raw``, the nearest value of ``all_raw``'s column that is better in direction ``d``
    (NaN where the unit already has the best value, or no value)."""
    out = np.full(raw.shape, np.nan)
    for j in range(raw.shape[1]):
        col = all_raw[:, j]
        values = np.unique(col[~np.isnan(col)])  # sorted ascending
        x = raw[:, j]
        ok = ~np.isnan(x)
        if not values.size or not ok.any():
            continue
        if d[j] > 0:
            idx = np.searchsorted(values, x[ok], side="right")
            hit = idx < values.size
            out[np.flatnonzero(ok)[hit], j] = values[idx[hit]]
        else:
            idx = np.searchsorted(values, x[ok], side="left") - 1
            hit = idx >= 0
            out[np.flatnonzero(ok)[hit], j] = values[idx[hit]]
    return out


def step_text(step: str, size: float) -> str:
    """The step in words ("reach the next better brand's value on one indicator")."""
    return STEP_TEXT.get(step, step).format(pct=f"{size * 100:g}", size=f"{size:g}")


# --- levers --------------------------------------------------------------------------------


def levers(result: Result, unit: str, *, step: Step = "next", size: float = 0.1, peers: str | None = None,
           cap_at_best: bool = False, engine: WhatIf | None = None) -> LeverSet:
    """Every indicator lever of ``unit``, computed with the engine (see :mod:`whatif`)."""
    row = unit_row(result, unit)
    fw = result.framework
    engine = engine or WhatIf(result)
    new, notes = target_values(result, [row], step=step, size=size, peers=peers, cap_at_best=cap_at_best)
    raw = raw_matrix(result)[row]
    _, sd, _ = spread(result)
    n_ind = len(fw.indicator_codes)
    ok = np.flatnonzero(~np.isnan(new[0]) & ~np.isnan(raw) & (new[0] != raw))
    out = engine.evaluate(np.full(ok.size, row), ok, new[0, ok])
    index_after = np.full(n_ind, np.nan)
    rank_after = np.full(n_ind, np.nan)
    elem_after = np.full(n_ind, np.nan)
    errors: dict[int, str] = {}
    for k, j in enumerate(ok):
        index_after[j], rank_after[j] = out.index[k], out.rank[k]
        el = element_of(fw, fw.indicator_codes[j])
        elem_after[j] = out.nodes[el][k] if el in out.nodes else result.normalised[row, j]
        if out.error[k]:
            errors[int(j)] = out.error[k] or ""
    same = ~np.isnan(new[0]) & (new[0] == raw)
    index_after[same], rank_after[same] = result.index[row], result.rank[row]
    result_levers = []
    for j, ind in enumerate(fw.indicators):
        el = element_of(fw, ind.code)
        elem_before = result.score(el)[row]
        if same[j]:
            elem_after[j] = elem_before
        note = errors.get(j) or notes[0][j]
        result_levers.append(Lever(
            unit=result.units[row], indicator=ind.code, name=node_name(fw, ind.code), element=el,
            direction=ind.direction, measure=ind.unit, value=float(raw[j]), new_value=float(new[0, j]),
            step=float(new[0, j] - raw[j]), step_sd=float(abs(new[0, j] - raw[j]) / sd[j]) if sd[j] > 0 else np.nan,
            index_before=float(result.index[row]), index_after=float(index_after[j]),
            rank_before=float(result.rank[row]), rank_after=float(rank_after[j]),
            element_before=float(elem_before), element_after=float(elem_after[j]), note=note))
    def order(lv: Lever) -> tuple[bool, float, str]:
        change = lv.index_change
        known = bool(np.isfinite(change))
        return (not known, -change if known else 0.0, lv.indicator)

    result_levers.sort(key=order)
    return LeverSet(unit=result.units[row], name=result.unit_names()[row], step=step, size=size, peers=peers,
                    levers=tuple(result_levers))


def all_levers(result: Result, *, step: Step = "next", size: float = 0.1, peers: str | None = None,
               cap_at_best: bool = False) -> LeverTable:
    """Levers of every unit on every indicator in one vectorised pass (units × indicators)."""
    n_units, n_ind = result.normalised.shape
    new, _ = target_values(result, np.arange(n_units), step=step, size=size, peers=peers, cap_at_best=cap_at_best)
    raw = raw_matrix(result)
    rows, cols = np.nonzero(~np.isnan(new) & ~np.isnan(raw) & (new != raw))
    out = WhatIf(result).evaluate(rows, cols, new[rows, cols])
    index_change = np.full((n_units, n_ind), np.nan)
    rank_change = np.full((n_units, n_ind), np.nan)
    index_change[rows, cols] = out.index - result.index[rows]
    rank_change[rows, cols] = result.rank[rows] - out.rank
    same = ~np.isnan(new) & (new == raw)
    index_change[same], rank_change[same] = 0.0, 0.0
    return LeverTable(result.units, result.framework.indicator_codes, new, index_change, rank_change)
