"""Impute: fill gaps without ever touching an observed value.

Every imputer ends with :func:`_assert_observed_unchanged`, because an imputer that alters data it
was given is a silent corruption of the index, worse than any gap.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nevindex.errors import KernelError
from nevindex.methods._common import as_float

__all__ = ["METHODS", "group_codes", "impute_mean", "impute_median", "impute_group", "impute_row", "impute_locf", "impute_linear"]

FloatArray = NDArray[np.float64]

#: The imputers by their recipe names: column mean/median, the same within a unit group (a group
#: column of the data), within a group of indicators (the unit's own values: by row), over time.
METHODS = ("mean", "median", "mean_group", "median_group", "mean_row", "median_row", "locf", "linear")


def _assert_observed_unchanged(before: FloatArray, after: FloatArray) -> None:
    """Fail loudly if any observed cell changed, bit for bit (not just to within rounding)."""
    if before.shape != after.shape:
        raise AssertionError(f"imputer changed the shape {before.shape} -> {after.shape}")
    observed = ~np.isnan(before)
    b = np.ascontiguousarray(before).view(np.uint64)[observed]
    a = np.ascontiguousarray(after).view(np.uint64)[observed]
    if not np.array_equal(a, b):
        raise AssertionError("imputer changed an observed value")


def _fill(x: FloatArray, fill: FloatArray) -> FloatArray:
    out = np.where(np.isnan(x), fill, x)
    _assert_observed_unchanged(x, out)
    return out


def _column_stat(x: FloatArray, stat: str) -> FloatArray:
    """NaN-ignoring per-column statistic over the units axis; all-missing columns stay NaN quietly."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        f = np.nanmean if stat == "mean" else np.nanmedian
        return f(x, axis=-2, keepdims=True)


def impute_mean(x: ArrayLike) -> FloatArray:
    """Fill each gap with its column's mean over units (per sample when batched)."""
    xv = as_float(x)
    return _fill(xv, np.broadcast_to(_column_stat(xv, "mean"), xv.shape))


def impute_median(x: ArrayLike) -> FloatArray:
    """Fill each gap with its column's median over units (per sample when batched)."""
    xv = as_float(x)
    return _fill(xv, np.broadcast_to(_column_stat(xv, "median"), xv.shape))


def _grouped(x: ArrayLike, groups: ArrayLike, stat: str, *, axis: int, name: str) -> tuple[FloatArray, NDArray]:
    """A units × columns matrix and one group id per unit (axis 0) or per column (axis 1), checked."""
    if stat not in ("mean", "median"):
        raise KernelError(f"stat must be 'mean' or 'median', got {stat!r}")
    xv = as_float(x)
    if xv.ndim != 2:
        raise KernelError(f"grouped imputation expects units × columns, got shape {xv.shape}")
    g = np.asarray(groups)
    if g.shape != (xv.shape[axis],):
        raise KernelError(f"{name} has shape {g.shape}, expected ({xv.shape[axis]},)")
    return xv, g


def group_codes(labels: Sequence[str | None]) -> tuple[NDArray[np.int64], list[str]]:
    """Integer group ids for :func:`impute_group` (sorted names, ``-1`` for no group), and the names."""
    names = sorted({g for g in labels if g is not None})
    position = {name: i for i, name in enumerate(names)}
    return np.array([position[g] if g is not None else -1 for g in labels], dtype=np.int64), names


def impute_group(
    x: ArrayLike, groups: ArrayLike, stat: Literal["mean", "median"] = "mean"
) -> tuple[FloatArray, list[tuple[int, int]]]:
    """Fill gaps with the mean/median of the unit's group, since peers are better proxies than all units.

    ``groups`` holds one integer group id per unit; ``-1`` means no group and that unit keeps its
    gaps. Returns the imputed matrix and the (group_id, column) pairs that had gaps but no observed
    value in the group, whose gaps therefore remain (the caller reports them).
    """
    xv, g = _grouped(x, groups, stat, axis=0, name="groups")
    g = g.astype(np.int64)
    fill = np.full_like(xv, np.nan)
    empty: list[tuple[int, int]] = []
    for gid in np.unique(g[g >= 0]):
        rows = g == gid
        sub = xv[rows]
        val = _column_stat(sub, stat)[0]
        fill[rows] = val
        gaps = np.isnan(sub).any(axis=0)
        for col in np.flatnonzero(gaps & np.isnan(val)):
            empty.append((int(gid), int(col)))
    return _fill(xv, fill), empty


def impute_row(
    x: ArrayLike, column_groups: ArrayLike, stat: Literal["mean", "median"] = "mean", *,
    directions: ArrayLike | None = None, normalise_first: bool = True,
) -> FloatArray:
    """Fill a unit's gap with the mean/median of that unit's other values in the same group of
    columns (COINr ``Impute(impute_by = "row", group_level = L)``): a unit's own profile, not its peers.

    ``column_groups`` holds one integer group id per column (e.g. each indicator's ancestor at a
    level of the framework). With ``normalise_first`` (COINr's default for rows) each column is
    first multiplied by its direction and min-maxed onto [0, 1] over its present values, so
    indicators on different scales can be averaged; the filled value is then mapped back through
    that column's own min and max and direction: ``x = (y·(max − min) + min)·d``. A constant column
    contributes nothing to a row's statistic and its gaps take its constant value. A unit with no
    value in a group keeps its gaps there. Observed values never change.
    """
    xv, g = _grouped(x, column_groups, stat, axis=1, name="column_groups")
    y = xv
    if normalise_first:
        if directions is None:
            raise KernelError("impute_row with normalise_first needs the columns' directions")
        d = np.asarray(directions, dtype=np.float64)
        if d.shape != (xv.shape[1],) or not np.isin(d, (-1.0, 1.0)).all():
            raise KernelError("directions must be +1 or -1, one per column")
        xa = xv * d
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            lo, hi = np.nanmin(xa, axis=0), np.nanmax(xa, axis=0)
        span = hi - lo
        with np.errstate(invalid="ignore", divide="ignore"):
            y = np.where(span > 0, (xa - lo) / np.where(span > 0, span, 1.0), np.nan)
    fill = np.full_like(xv, np.nan)
    for gid in np.unique(g):
        cols = g == gid
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a unit with no value in the group
            value = (np.nanmean if stat == "mean" else np.nanmedian)(y[:, cols], axis=1)
        fill[:, cols] = value[:, None]
    if normalise_first:
        fill = (fill * span + lo) * d
    return _fill(xv, fill)


def _check_panel(panel: ArrayLike) -> FloatArray:
    p = as_float(panel, min_ndim=3, name="panel")
    if p.ndim != 3:
        raise KernelError(f"panel must be (n_times, n_units, n_cols), got shape {p.shape}")
    return p


def impute_locf(panel: ArrayLike, max_gap: int | None = None) -> FloatArray:
    """Carry each unit's last observed value forward in time (at most ``max_gap`` steps if given).

    Gaps before a series' first observation stay missing: there is nothing to carry.
    """
    p = _check_panel(panel)
    if max_gap is not None and max_gap < 0:
        raise KernelError(f"max_gap must be >= 0, got {max_gap}")
    n_t = p.shape[0]
    t_idx = np.arange(n_t).reshape(n_t, 1, 1)
    observed = ~np.isnan(p)
    # index of the last observation at or before each time step (-1 if none)
    last = np.maximum.accumulate(np.where(observed, t_idx, -1), axis=0)
    ok = last >= 0
    if max_gap is not None:
        ok &= (t_idx - last) <= max_gap
    carried = np.take_along_axis(p, np.maximum(last, 0), axis=0)
    return _fill(p, np.where(ok, carried, np.nan))


def impute_linear(panel: ArrayLike, times: ArrayLike) -> FloatArray:
    """Interpolate linearly in time inside each series and hold the nearest value at the ends.

    ``times`` are numeric time values (years), so uneven spacing is respected. A series with no
    observation stays missing.
    """
    p = _check_panel(panel)
    t = np.asarray(times, dtype=np.float64)
    if t.shape != (p.shape[0],):
        raise KernelError(f"times has shape {t.shape}, expected ({p.shape[0]},)")
    if np.any(np.diff(t) <= 0) or np.isnan(t).any():
        raise KernelError("times must be strictly increasing and present")
    n_t, n_u, n_c = p.shape
    flat = p.reshape(n_t, n_u * n_c)
    fill = np.full_like(flat, np.nan)
    for s in range(flat.shape[1]):
        col = flat[:, s]
        obs = ~np.isnan(col)
        if obs.any() and not obs.all():
            fill[:, s] = np.interp(t, t[obs], col[obs])  # np.interp holds end values
    return _fill(p, fill.reshape(p.shape))
