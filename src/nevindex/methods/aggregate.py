"""Aggregate children into a parent score, batch-first: x is (..., units, children).

Missing children are skipped together with their weights (weights renormalised per unit), as
COINr's ``a_amean``/``a_gmean``/``a_hmean`` do; a unit with every child missing is missing.

How a missing child counts is a choice (``missing``, see :data:`MISSING`): ``reweight`` skips it
and its weight (the default above); ``median`` and ``lower_quartile`` put in its place that
child's median or lower quartile over the units that have it (R type 7 / numpy 'linear'
quantiles), so a unit missing a child neither escapes a weak score there nor keeps only its best
children (a credibility penalty for undisclosed evidence). Only units with at least one present
child are filled; the share of present children (``min_present``) counts the observed ones.

Weights are non-negative unless ``negative_weights=True`` (PCA loadings used as they are, as
COINr does): the means then divide by the signed sum of the present children's weights, and a
unit whose present weights sum to zero is an error rather than a division by zero. Copeland
needs non-negative weights in any case.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nevindex.errors import KernelError
from nevindex.methods._common import as_float

__all__ = ["arithmetic", "geometric", "harmonic", "generalised", "copeland", "AGGREGATORS", "METHOD_PARAMS",
           "MISSING", "aggregate", "aggregate_shared", "fill_missing", "peer_values"]

FloatArray = NDArray[np.float64]


def _check_weights(wv: FloatArray, negative_weights: bool) -> None:
    bad = ~np.isfinite(wv) if negative_weights else ~np.isfinite(wv) | (wv < 0)
    if bad.any():
        raise KernelError("weights must be finite" + ("" if negative_weights else " and non-negative"),
                          columns=_cols(bad))


def _prepare(x: ArrayLike, w: ArrayLike, negative_weights: bool = False) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
    """x as float, w broadcast to (..., 1, children), and the present mask."""
    xv = as_float(x)
    wv = np.asarray(w, dtype=np.float64)
    if wv.ndim == 0 or wv.shape[-1] != xv.shape[-1]:
        raise KernelError(f"weights shape {wv.shape} does not match {xv.shape[-1]} children")
    _check_weights(wv, negative_weights)
    return xv, wv[..., None, :], ~np.isnan(xv)


def _nonzero_total(total: FloatArray, present: NDArray[np.bool_], wv: FloatArray) -> None:
    """With signed weights, a sum of zero over a unit's present children has no mean. (With
    non-negative weights that sum means every present child weighs 0: the unit stays missing.)"""
    if (wv < 0).any():
        zero = (total == 0) & present.any(axis=-1)
        if zero.any():
            units = np.flatnonzero(zero.reshape(-1, zero.shape[-1]).any(axis=0)).tolist()
            raise KernelError("the signed weights of the present children sum to zero", units=units)


def _cols(mask: NDArray[np.bool_]) -> list[int]:
    m = np.asarray(mask)
    return np.flatnonzero(m.reshape(-1, m.shape[-1]).any(axis=0)).tolist()


def _cells_error(message: str, bad: NDArray[np.bool_]) -> KernelError:
    """Name offending (unit, child) positions, pooled over samples."""
    b = bad.reshape(-1, *bad.shape[-2:]).any(axis=0)
    return KernelError(message, units=np.flatnonzero(b.any(axis=1)).tolist(), columns=np.flatnonzero(b.any(axis=0)).tolist())


def _weighted_mean(values: FloatArray, wv: FloatArray, present: NDArray[np.bool_]) -> FloatArray:
    """Σ w·v / Σ w over present children; NaN where none is present."""
    if present.all():  # the same products and sums in the same order, without the masks
        den = wv.sum(axis=-1)
        _nonzero_total(np.broadcast_to(den, present.shape[:-1]), present, wv)
        with np.errstate(invalid="ignore", divide="ignore"):
            return (wv * values).sum(axis=-1) / den
    ws = np.where(present, wv, 0.0)
    num = np.where(present, ws * values, 0.0).sum(axis=-1)
    den = ws.sum(axis=-1)
    _nonzero_total(den, present, wv)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = num / den
    return np.where(present.any(axis=-1), out, np.nan)


def arithmetic(x: ArrayLike, w: ArrayLike, *, negative_weights: bool = False) -> FloatArray:
    """``Σ w x / Σ w`` over present children."""
    xv, wv, present = _prepare(x, w, negative_weights)
    return _weighted_mean(xv, wv, present)


def geometric(x: ArrayLike, w: ArrayLike, *, negative_weights: bool = False) -> FloatArray:
    """``exp(Σ w ln x / Σ w)``; any present x ≤ 0 is an error (normalise onto e.g. [1, 100] first)."""
    xv, wv, present = _prepare(x, w, negative_weights)
    bad = present & (xv <= 0)
    if bad.any():
        raise _cells_error("geometric mean needs positive values; normalise onto a positive range such as [1, 100] "
                           "first (minmax lower: 1)", bad)
    logs = np.log(xv if present.all() else np.where(present, xv, 1.0))
    return np.exp(_weighted_mean(logs, wv, present))


def harmonic(x: ArrayLike, w: ArrayLike, *, negative_weights: bool = False) -> FloatArray:
    """``Σ w / Σ (w/x)`` over present children; x = 0 is an error."""
    xv, wv, present = _prepare(x, w, negative_weights)
    bad = present & (xv == 0)
    if bad.any():
        raise _cells_error("harmonic mean cannot take zero values; normalise to remove zeros first", bad)
    ws = np.where(present, wv, 0.0)
    _nonzero_total(ws.sum(axis=-1), present, wv)
    den = np.where(present, ws / np.where(present, xv, 1.0), 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = ws.sum(axis=-1) / den
    return np.where(present.any(axis=-1), out, np.nan)


def generalised(x: ArrayLike, w: ArrayLike, p: float, *, negative_weights: bool = False) -> FloatArray:
    """``(Σ w x^p / Σ w)^{1/p}``; any missing child makes the unit missing (as COINr ``a_genmean``).

    p = 0 is the geometric mean in the limit: use :func:`geometric`. With p < 0, x ≤ 0 is an error.
    """
    if p == 0:
        raise KernelError("generalised mean with p = 0 is undefined; use the geometric mean instead")
    xv, wv, present = _prepare(x, w, negative_weights)
    _nonzero_total(np.broadcast_to(wv.sum(axis=-1), present.shape[:-1]), present, wv)
    if p < 0:
        bad = present & (xv <= 0)
        if bad.any():
            raise _cells_error("generalised mean with negative p needs positive values", bad)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = ((wv * xv**p).sum(axis=-1) / np.broadcast_to(wv, xv.shape).sum(axis=-1)) ** (1.0 / p)
    return np.where(present.all(axis=-1), out, np.nan)


def copeland(x: ArrayLike, w: ArrayLike) -> FloatArray:
    """Copeland score ``Σ_j sign(O_ij − ½)`` from the weighted outranking matrix.

    ``O_ij = Σ w[x_ik > x_jk] + ½ Σ w[x_ik = x_jk]`` with w summing to 1, so
    ``O_ij − ½ = ½(G_ij − G_ji)`` where ``G_ij = Σ w[x_ik > x_jk]``; the sign is taken of that
    difference with a relative tolerance of 1e-12 so exact weight ties are not broken by rounding.
    Missing values: each pair is compared only on children present for both, with those weights
    renormalised (which leaves the sign unchanged); a pair with no common child contributes 0; a
    unit with all children missing scores NaN. COINr's ``a_copeland`` instead returns the row sums
    of O (not the sign form) and drops NA comparisons without renormalising: METHODS.md wins.
    """
    xv, wv, present = _prepare(x, w)
    wv = wv / wv.sum(axis=-1, keepdims=True)
    n_units = xv.shape[-2]
    batch = xv.shape[:-2]
    g = np.zeros((*batch, n_units, n_units))
    tot = np.zeros_like(g)
    for k in range(xv.shape[-1]):
        xi = xv[..., :, k]
        pk = present[..., :, k]
        both = pk[..., :, None] & pk[..., None, :]
        wk = np.broadcast_to(wv[..., 0, k], batch)[..., None, None]
        gt = (xi[..., :, None] > xi[..., None, :]) & both
        g += np.where(gt, wk, 0.0)
        tot += np.where(both, wk, 0.0)
    diff = g - np.swapaxes(g, -1, -2)
    s = np.where(np.abs(diff) <= 1e-12 * np.maximum(tot, 1e-300), 0.0, np.sign(diff))
    idx = np.arange(n_units)
    s[..., idx, idx] = 0.0
    score = s.sum(axis=-1)
    return np.where(present.any(axis=-1), score, np.nan)


AGGREGATORS: dict[str, Callable[..., FloatArray]] = {
    "arithmetic": arithmetic,
    "geometric": geometric,
    "harmonic": harmonic,
    "generalised": generalised,
    "copeland": copeland,
}

#: Parameters each aggregator takes besides values and weights.
METHOD_PARAMS: dict[str, frozenset[str]] = {
    "arithmetic": frozenset(),
    "geometric": frozenset(),
    "harmonic": frozenset(),
    "generalised": frozenset({"p"}),
    "copeland": frozenset(),
}


def aggregate(
    x: ArrayLike, w: ArrayLike, method: str, *, min_present: float | None = None, negative_weights: bool = False,
    missing: str = "reweight", peers: ArrayLike | None = None, **params: Any,
) -> FloatArray:
    """Dispatch by name; with ``min_present`` a unit whose share of present children is below it is NaN.

    ``missing`` says how a missing child enters (:data:`MISSING`); ``peers`` gives the values it
    takes (default: computed from ``x``, right whenever ``x`` holds every unit). The share is
    counted on the children present before any filling, and applied after the method, so an
    invalid value (e.g. x ≤ 0 for geometric) is still reported even in a unit the share would blank.
    """
    if method not in AGGREGATORS:
        raise KernelError(f"unknown aggregation method {method!r}; valid: {sorted(AGGREGATORS)}")
    _check_share(min_present)
    if negative_weights and method != "copeland":
        params["negative_weights"] = True
    xv = np.asarray(x, dtype=np.float64)
    out = AGGREGATORS[method](fill_missing(xv, missing, peers), w, **params)
    if min_present is not None:
        share = (~np.isnan(xv)).mean(axis=-1)
        out = np.where(share < min_present, np.nan, out)
    return out


#: How a missing child enters its parent: skipped with its weight, or replaced by a quantile of the
#: child over the units that have it (None: skipped).
MISSING: dict[str, float | None] = {"reweight": None, "median": 0.5, "lower_quartile": 0.25}


def peer_values(x: ArrayLike, missing: str) -> FloatArray:
    """Per child, the value a missing cell takes under ``missing``: the child's quantile over the
    units (axis −2) that have it; NaN for a child no unit has (or for ``reweight``). Shape
    (..., children)."""
    xv = as_float(x)
    q = _missing_quantile(missing)
    out = np.full((*xv.shape[:-2], xv.shape[-1]), np.nan)
    if q is None:
        return out
    some = (~np.isnan(xv)).any(axis=-2)
    if some.any():
        filled = np.where(some[..., None, :], xv, 0.0)  # nanquantile of an all-NaN column would warn
        out = np.where(some, np.nanquantile(filled, q, axis=-2), np.nan)
    return out


def fill_missing(x: ArrayLike, missing: str, peers: ArrayLike | None = None) -> FloatArray:
    """``x`` with each missing child of a unit that has at least one present child replaced by its
    peer value (``peers``, default :func:`peer_values` of ``x``); units with no child stay missing."""
    xv = as_float(x)
    if _missing_quantile(missing) is None:
        return xv
    pv = peer_values(xv, missing) if peers is None else np.asarray(peers, dtype=np.float64)
    present = ~np.isnan(xv)
    take = ~present & present.any(axis=-1, keepdims=True)
    return np.where(take, np.broadcast_to(pv[..., None, :], xv.shape), xv)


def _missing_quantile(missing: str) -> float | None:
    if missing not in MISSING:
        raise KernelError(f"unknown treatment of missing children {missing!r}; valid: {', '.join(MISSING)}")
    return MISSING[missing]


def _check_share(share: float | None) -> None:
    if share is not None and not 0.0 <= share <= 1.0:
        raise KernelError(f"min_present must lie in [0, 1], got {share}")


def aggregate_shared(
    x: ArrayLike, w: ArrayLike, method: str, *, min_present: float | None = None, negative_weights: bool = False,
    missing: str = "reweight", peers: ArrayLike | None = None, **params: Any,
) -> FloatArray:
    """One (units, children) matrix aggregated with many weight vectors (samples, children) at once.

    The same numbers as :func:`aggregate` on ``x`` broadcast to (samples, units, children), up to
    rounding: each mean is a matrix product of the weights with the (transformed) values, so the
    work is one BLAS call instead of samples × units × children element-wise products. (Two units
    with identical rows may differ in the last bit: a caller that needs exact ties de-duplicates
    units first.) ``copeland`` has no product form and uses the broadcast kernel. ``missing`` and
    ``peers`` as in :func:`aggregate` (the filled values do not depend on the weights). Returns
    (samples, units).
    """
    observed = ~np.isnan(as_float(x))
    xv = fill_missing(x, missing, peers)
    wv = np.asarray(w, dtype=np.float64)
    if xv.ndim != 2 or wv.ndim != 2 or wv.shape[1] != xv.shape[1]:
        raise KernelError(f"aggregate_shared needs x (units, children) and w (samples, children); "
                          f"got {xv.shape} and {wv.shape}")
    if method not in AGGREGATORS:
        raise KernelError(f"unknown aggregation method {method!r}; valid: {sorted(AGGREGATORS)}")
    if method == "copeland":
        out = aggregate(np.broadcast_to(xv, (wv.shape[0], *xv.shape)), wv, method, **params)
        return out if min_present is None else np.where(observed.mean(axis=1) < min_present, np.nan, out)
    _check_weights(wv, negative_weights)
    _check_share(min_present)
    present = ~np.isnan(xv)
    if method == "geometric" or (method == "generalised" and params.get("p", 1) < 0):
        bad = present & (xv <= 0)
        if bad.any():
            raise _cells_error(f"{method} mean needs positive values; normalise onto a positive range such as "
                               "[1, 100] first (minmax lower: 1)", bad)
    if method == "harmonic":
        bad = present & (xv == 0)
        if bad.any():
            raise _cells_error("harmonic mean cannot take zero values; normalise to remove zeros first", bad)
    if method == "generalised" and params.get("p") == 0:
        raise KernelError("generalised mean with p = 0 is undefined; use the geometric mean instead")
    filled = np.where(present, xv, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        den = wv @ present.T.astype(np.float64)  # Σ w over each unit's present children
        _nonzero_total(den if method != "generalised" else np.broadcast_to(wv.sum(axis=1, keepdims=True), den.shape),
                       np.broadcast_to(present, (*den.shape, present.shape[1])), wv)
        if method == "arithmetic":
            out = (wv @ np.where(present, xv, 0.0).T) / den
        elif method == "geometric":
            out = np.exp((wv @ np.where(present, np.log(filled), 0.0).T) / den)
        elif method == "harmonic":
            out = den / (wv @ np.where(present, 1.0 / filled, 0.0).T)
        else:  # generalised: any missing child makes the unit missing
            p = float(params["p"])
            out = ((wv @ np.where(present, filled**p, 0.0).T) / wv.sum(axis=1, keepdims=True)) ** (1.0 / p)
            out = np.where(present.all(axis=1), out, np.nan)
    out = np.where(present.any(axis=1), out, np.nan)
    if min_present is not None:
        out = np.where(observed.mean(axis=1) < min_present, np.nan, out)
    return out
