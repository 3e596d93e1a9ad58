"""Normalise: bring raw indicator columns onto a common scale, each method applying direction itself.

Every function takes RAW values ``x`` shaped (..., units, cols) and ``direction`` (+1/−1 per
column). Statistics (min, max, mean, sd, ranks) are per sample and per column over the units
axis, so a leading batch axis of Monte Carlo samples works unchanged. Missing stays missing.
A degenerate column (constant, zero sd, zero range) is a :class:`KernelError` naming it, never a
silent NaN (COINr warns and returns NaN instead: METHODS.md overrides it).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nevindex.errors import KernelError
from nevindex.methods._common import as_float, bad_columns, check_direction, column_param
from nevindex.methods.rank import rank_desc

__all__ = [
    "minmax", "zscore", "rank", "borda", "percentile_rank", "goalposts", "distance_to_target",
    "distance_to_max", "fraction_of_max", "NORMALISERS", "METHOD_PARAMS", "normalise",
]

FloatArray = NDArray[np.float64]


def _oriented(x: ArrayLike, direction: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Raw values times direction, so "higher is better" holds for every method after this."""
    xv = as_float(x)
    d = check_direction(direction, xv.shape[-1])
    return xv * d, d


def _colstat(f: Callable[..., FloatArray], x: FloatArray, **kw: Any) -> FloatArray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return f(x, axis=-2, keepdims=True, **kw)


def _n_present(x: FloatArray) -> FloatArray:
    return (~np.isnan(x)).sum(axis=-2, keepdims=True)


def _require(cond_bad: NDArray[np.bool_], message: str) -> None:
    if np.any(cond_bad):
        raise KernelError(message, columns=bad_columns(cond_bad))


def _range(xa: FloatArray) -> tuple[FloatArray, FloatArray]:
    lo, hi = _colstat(np.nanmin, xa), _colstat(np.nanmax, xa)
    _require(hi == lo, "column is constant: its range is zero, so it cannot be normalised this way")
    return lo, hi


def minmax(x: ArrayLike, direction: ArrayLike, lower: float = 0.0, upper: float = 100.0) -> FloatArray:
    """``(x − min)/(max − min)·(u − l) + l`` on direction-adjusted x (COINr ``n_minmax``)."""
    xa, _ = _oriented(x, direction)
    lo, hi = _range(xa)
    l_ = column_param(lower, xa.shape[-1], "lower")
    u_ = column_param(upper, xa.shape[-1], "upper")
    return (xa - lo) / (hi - lo) * (u_ - l_) + l_


def zscore(x: ArrayLike, direction: ArrayLike, mean: float = 0.0, sd: float = 1.0) -> FloatArray:
    """``(x − mean)/sd · s + m`` with the n−1 sd (R ``sd``, COINr ``n_zscore``)."""
    xa, _ = _oriented(x, direction)
    mu = _colstat(np.nanmean, xa)
    s = _colstat(np.nanstd, xa, ddof=1)
    _require((_n_present(xa) > 0) & ~(s > 0), "column has zero (or undefined) standard deviation")
    m_ = column_param(mean, xa.shape[-1], "mean")
    s_ = column_param(sd, xa.shape[-1], "sd")
    return (xa - mu) / s * s_ + m_


def _ascending_rank(xa: FloatArray) -> FloatArray:
    """1..n over present values, ties at the minimum, best (largest) gets n: R rank(ties='min')."""
    return rank_desc(-xa, axis=-2)


def rank(x: ArrayLike, direction: ArrayLike) -> FloatArray:
    """Rank with ties at the minimum rank, 1..n over present values, best gets n (COINr ``n_rank``)."""
    xa, _ = _oriented(x, direction)
    return _ascending_rank(xa)


def borda(x: ArrayLike, direction: ArrayLike) -> FloatArray:
    """``rank − 1`` (COINr ``n_borda``)."""
    return rank(x, direction) - 1.0


def percentile_rank(x: ArrayLike, direction: ArrayLike) -> FloatArray:
    """``(rank − 1)/(n − 1)``, n = present values; n < 2 is an error (COINr: 0/0 → NaN)."""
    xa, _ = _oriented(x, direction)
    n = _n_present(xa)
    _require((n > 0) & (n < 2), "percentile rank needs at least two present values")
    return (_ascending_rank(xa) - 1.0) / (n - 1.0)


def goalposts(
    x: ArrayLike,
    direction: ArrayLike,
    lower: float | ArrayLike,
    upper: float | ArrayLike,
    scale: float | ArrayLike = 1.0,
    truncate: bool = True,
) -> FloatArray:
    """Distance from the lower to the upper goalpost, goalposts in RAW units.

    +1: ``(x − l)/(u − l)``; −1: ``(u − x)/(u − l)``; clipped to [0, 1] if ``truncate``; × scale.
    Same as COINr ``n_goalposts(direction = -1)``, which negates the goalposts along with x.
    """
    xv = as_float(x)
    d = check_direction(direction, xv.shape[-1])
    l_ = column_param(lower, xv.shape[-1], "lower")
    u_ = column_param(upper, xv.shape[-1], "upper")
    bad = u_ == l_
    if bad.any():
        raise KernelError("goalposts lower and upper are equal", columns=np.flatnonzero(bad).tolist())
    y = np.where(d > 0, (xv - l_) / (u_ - l_), (u_ - xv) / (u_ - l_))
    if truncate:
        y = np.clip(y, 0.0, 1.0)  # NaN passes through np.clip unchanged
    return y * column_param(scale, xv.shape[-1], "scale")


def distance_to_target(
    x: ArrayLike, direction: ArrayLike, target: float | ArrayLike, cap: bool = True
) -> FloatArray:
    """+1: ``(x − min)/(target − min)``; −1: ``(max − x)/(max − target)``; capped at 1 if ``cap``.

    ``target`` is in RAW units. COINr ``n_dist2targ`` takes it in direction-adjusted units and
    defaults ``cap_max = FALSE``; METHODS.md and this contract use raw units and ``cap=True``.
    """
    xa, d = _oriented(x, direction)
    ta = column_param(target, xa.shape[-1], "target") * d
    lo = _colstat(np.nanmin, xa)
    _require(ta == lo, "target equals the worst value, so the distance is undefined")
    y = (xa - lo) / (ta - lo)
    if cap:
        y = np.where(y > 1.0, 1.0, y)
    return y


def distance_to_max(x: ArrayLike, direction: ArrayLike) -> FloatArray:
    """``1 − (max − x)/(max − min)`` on direction-adjusted x (COINr ``n_dist2max``)."""
    xa, _ = _oriented(x, direction)
    lo, hi = _range(xa)
    return 1.0 - (hi - xa) / (hi - lo)


def fraction_of_max(x: ArrayLike, direction: ArrayLike) -> FloatArray:
    """``x/max`` on direction-adjusted x (COINr ``n_fracmax``); a zero max is an error."""
    xa, _ = _oriented(x, direction)
    hi = _colstat(np.nanmax, xa)
    _require(hi == 0, "column maximum is zero, so fraction of max is undefined")
    return xa / hi


NORMALISERS: dict[str, Callable[..., FloatArray]] = {
    "minmax": minmax,
    "zscore": zscore,
    "rank": rank,
    "borda": borda,
    "percentile_rank": percentile_rank,
    "goalposts": goalposts,
    "distance_to_target": distance_to_target,
    "distance_to_max": distance_to_max,
    "fraction_of_max": fraction_of_max,
}

METHOD_PARAMS: dict[str, frozenset[str]] = {
    "minmax": frozenset({"lower", "upper"}),
    "zscore": frozenset({"mean", "sd"}),
    "rank": frozenset(),
    "borda": frozenset(),
    "percentile_rank": frozenset(),
    "goalposts": frozenset({"lower", "upper", "scale", "truncate"}),
    "distance_to_target": frozenset({"target", "cap"}),
    "distance_to_max": frozenset(),
    "fraction_of_max": frozenset(),
}


def normalise(
    x: ArrayLike, direction: ArrayLike, method: str, params: Mapping[str, Any] | None = None
) -> FloatArray:
    """Dispatch by name; unknown methods or parameters fail here rather than deep in a formula."""
    if method not in NORMALISERS:
        raise KernelError(f"unknown normalisation method {method!r}; valid: {sorted(NORMALISERS)}")
    params = dict(params or {})
    unknown = set(params) - METHOD_PARAMS[method]
    if unknown:
        raise KernelError(
            f"unknown parameter(s) {sorted(unknown)} for {method!r}; valid: {sorted(METHOD_PARAMS[method])}"
        )
    return NORMALISERS[method](x, direction, **params)
