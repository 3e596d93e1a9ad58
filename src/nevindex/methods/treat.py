"""Treat outliers: stepwise winsorisation, falling back to a log transform (COINr ``Treat`` defaults).

Works on raw values, before direction is applied. Each column's path (how many steps, which side,
whether it ends in the log) depends on that column alone, but the steps are the same array
operations for every column, so :func:`treat_matrix` runs all columns in lock-step: the columns
still failing take one step together, until none is. The arithmetic is the per-column rule's to
the last bit: sums run along contiguous rows (numpy's pairwise order, as for one 1-D column) and
``Σm²^{3/2}``, ``(Σm²)²`` go through the C library's ``pow`` one value at a time, as a numpy scalar
does (the vectorised ``power`` loop may differ by an ulp).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nevindex.errors import KernelError

__all__ = ["skewness", "kurtosis", "TreatmentOutcome", "treat_column", "treat_matrix", "treat_rows"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
Status = Literal["passed", "winsorised", "log", "failed", "too_few"]


def _pow(values: FloatArray, exponent: float) -> FloatArray:
    """``values**exponent`` element by element through libm ``pow`` (what a numpy scalar uses)."""
    flat = [math.pow(v, exponent) if v == v else math.nan for v in values.ravel().tolist()]
    return np.array(flat, dtype=np.float64).reshape(values.shape)


def _row_stats(v: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Skewness and excess kurtosis of every row of ``v`` (..., n), NaN-aware, as Excel SKEW/KURT.

    ``v`` must be C-contiguous along its last axis so each row sums in the order a 1-D column does.
    """
    present = ~np.isnan(v)
    n = present.sum(axis=-1, keepdims=True).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(v, axis=-1, keepdims=True) / n
    m = np.where(present, v - mean, 0.0)
    m2 = m * m
    s2 = m2.sum(axis=-1)
    s3 = (m2 * m).sum(axis=-1)
    s4 = (m2 * m2).sum(axis=-1)
    n = n[..., 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        constant = np.nanmax(v, axis=-1) == np.nanmin(v, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = np.sqrt(n) * s3 / _pow(s2, 1.5)
        skew = g * np.sqrt(n * (n - 1)) / (n - 2)
        r = n * s4 / _pow(s2, 2.0)
        kurt = ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    # Constant values: the statistics are undefined, not zero; tested on the values, not on Σm² = 0,
    # which float rounding of the mean can miss (seven copies of 36.80338734320654 have Σm² > 0).
    skew = np.where((n < 3) | constant, np.nan, skew)
    kurt = np.where((n < 4) | constant, np.nan, kurt)
    return skew, kurt


def _along_last(x: ArrayLike, axis: int) -> FloatArray:
    return np.ascontiguousarray(np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1))


def skewness(x: ArrayLike, axis: int = -2) -> FloatArray | float:
    """Sample skewness as Excel ``SKEW`` / COINr ``skew`` (e1071 type 2), ignoring NaN.

    ``g = √n·Σm³/(Σm²)^{3/2}``, ``skew = g·√(n(n−1))/(n−2)``. NaN when n < 3 or the values are
    constant (the statistic is undefined, not zero).
    """
    out = _row_stats(_along_last(x, axis))[0]
    return out[()] if out.ndim == 0 else out


def kurtosis(x: ArrayLike, axis: int = -2) -> FloatArray | float:
    """Excess kurtosis as Excel ``KURT`` / COINr ``kurt`` (e1071 type 2), ignoring NaN.

    ``r = n·Σm⁴/(Σm²)²``, ``kurt = ((n+1)(r−3)+6)(n−1)/((n−2)(n−3))``. NaN when n < 4 or constant.
    """
    out = _row_stats(_along_last(x, axis))[1]
    return out[()] if out.ndim == 0 else out


@dataclass(frozen=True)
class TreatmentOutcome:
    """What happened to one column, for the treatment report and the per-cell flags."""

    values: FloatArray
    status: Status
    skew_before: float
    kurt_before: float
    skew_after: float
    kurt_after: float
    n_winsorised: int
    high: BoolArray = field(repr=False)
    low: BoolArray = field(repr=False)
    transform: str | None = None


def _passes(skew: FloatArray, kurt: FloatArray, skew_max: FloatArray, kurt_max: FloatArray) -> BoolArray:
    """Pass unless *both* limits are exceeded (COINr ``check_SkewKurt``); undefined statistics pass."""
    with np.errstate(invalid="ignore"):
        return np.isnan(skew) | (np.abs(skew) < skew_max) | (kurt < kurt_max)


def _per_column(value: float | Sequence[float], n_cols: int, name: str) -> NDArray:
    arr = np.asarray(value)
    if arr.ndim == 0:
        return np.full(n_cols, arr[()])
    if arr.shape != (n_cols,):
        raise KernelError(f"{name} has {arr.size} entries but there are {n_cols} columns")
    return arr


def _step(v: FloatArray, present: BoolArray, rows: NDArray[np.intp], high: bool) -> BoolArray:
    """One winsorisation step on ``rows`` of ``v`` (in place): every value equal to the row's current
    maximum (``high``) takes the next lower distinct value, or the minimum the next higher one."""
    vr, pr = v[rows], present[rows]
    fill = -np.inf if high else np.inf
    extreme = (np.max if high else np.min)(np.where(pr, vr, fill), axis=1, keepdims=True)
    hit = pr & (vr == extreme)
    beyond = pr & ((vr < extreme) if high else (vr > extreme))
    nxt = (np.max if high else np.min)(np.where(beyond, vr, fill), axis=1, keepdims=True)
    stuck = ~np.isfinite(nxt[:, 0])
    if stuck.any():  # a single distinct value: nothing to step to (its statistics would be undefined)
        raise KernelError("winsorisation step on a column with a single distinct value",
                          columns=rows[stuck].tolist())
    # The one place where the order of a reduction shows in the result: a next value of zero among
    # both +0.0 and −0.0 takes the sign the per-column rule's 1-D reduction picks.
    zeros = beyond & (vr == 0)
    for i in np.flatnonzero((nxt[:, 0] == 0) & (zeros & np.signbit(vr)).any(axis=1) & (zeros & ~np.signbit(vr)).any(axis=1)):
        vals = vr[i][pr[i]]
        nxt[i, 0] = vals[vals < extreme[i, 0]].max() if high else vals[vals > extreme[i, 0]].min()
    v[rows] = np.where(hit, nxt, vr)
    return hit


class _Treated(NamedTuple):
    """Every row's treatment, as arrays (rows = the columns being treated)."""

    values: FloatArray
    status: NDArray[np.object_]
    nwin: NDArray[np.int64]
    high: BoolArray
    low: BoolArray
    skew: FloatArray
    kurt: FloatArray


def _treat_rows(orig: FloatArray, s_max: FloatArray, k_max: FloatArray, w_max: NDArray[np.int64],
                log_ok: BoolArray) -> _Treated:
    """The winsorisation loop on all rows of ``orig`` at once (C-contiguous, one row per column)."""
    if (w_max < 0).any():
        raise KernelError(f"winmax must be >= 0, got {int(w_max.min())}", columns=np.flatnonzero(w_max < 0).tolist())
    present = ~np.isnan(orig)
    sk0, ku0 = _row_stats(orig)
    too_few = present.sum(axis=1) < 4
    failing = ~too_few & ~_passes(sk0, ku0, s_max, k_max)

    v = orig.copy()
    imax = np.zeros(v.shape, dtype=bool)
    imin = np.zeros(v.shape, dtype=bool)
    nwin = np.zeros(orig.shape[0], dtype=np.int64)
    passing = ~failing
    sk = sk0.copy()
    while True:
        rows = np.flatnonzero(~passing & (nwin < w_max))
        if not rows.size:
            break
        up = sk[rows] >= 0
        if up.any():
            imax[rows[up]] = _step(v, present, rows[up], high=True)
        if (~up).any():
            imin[rows[~up]] = _step(v, present, rows[~up], high=False)
        nwin[rows] = imax[rows].sum(axis=1) + imin[rows].sum(axis=1)
        sk_r, ku_r = _row_stats(v[rows])
        sk[rows] = sk_r
        passing[rows] = _passes(sk_r, ku_r, s_max[rows], k_max[rows])

    status = np.where(too_few, "too_few", np.where(~failing, "passed", np.where(
        passing, "winsorised", np.where(log_ok, "log", "failed")))).astype(object)
    logged = status == "log"
    kept = failing & ~logged  # winsorised or failed: the steps stand
    values = np.where(kept[:, None], v, orig)
    if logged.any():
        o = orig[logged]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            lo = np.nanmin(o, axis=1, keepdims=True)
            hi = np.nanmax(o, axis=1, keepdims=True)
            values[logged] = np.log(o - lo + 0.01 * (hi - lo))
    return _Treated(values, status, np.where(kept, nwin, 0), kept[:, None] & imax & ~imin, kept[:, None] & imin,
                    sk0, ku0)


def _parameters(n: int, skew_max: Any, kurt_max: Any, winmax: Any, log_fallback: Any) -> tuple[NDArray, ...]:
    return (_per_column(skew_max, n, "skew_max").astype(np.float64),
            _per_column(kurt_max, n, "kurt_max").astype(np.float64),
            _per_column(winmax, n, "winmax").astype(np.int64),
            _per_column(log_fallback, n, "log_fallback").astype(bool))


def treat_rows(x: ArrayLike, *, skew_max: float = 2.0, kurt_max: float = 3.5, winmax: int = 5,
               log_fallback: bool = True) -> FloatArray:
    """Treated values of every row of ``x`` (versions × units), each row treated as one column is
    by :func:`treat_matrix`: for the many versions of one indicator that what-if levers need."""
    orig = np.array(x, dtype=np.float64, order="C", copy=True)
    if orig.ndim != 2:
        raise KernelError(f"treat_rows expects versions × units, got shape {orig.shape}")
    return _treat_rows(orig, *_parameters(orig.shape[0], skew_max, kurt_max, winmax, log_fallback)).values


def treat_matrix(
    x: ArrayLike,
    *,
    skew_max: float | Sequence[float] = 2.0,
    kurt_max: float | Sequence[float] = 3.5,
    winmax: int | Sequence[int] = 5,
    log_fallback: bool | Sequence[bool] = True,
) -> tuple[FloatArray, list[TreatmentOutcome]]:
    """Treat every column of a units × cols matrix; parameters are scalars or one per column.

    Per column, exactly COINr's ``winsorise`` loop: while failing and ``nwin < winmax``, if the
    current skew is >= 0 every value equal to the current max takes the next lower distinct value,
    else every value equal to the current min takes the next higher distinct value;
    ``nwin = |latest high-side set| + |latest low-side set|`` (the latest set on a side includes all
    cells changed on that side earlier, since they now equal the extreme). A tied step may push
    ``nwin`` past ``winmax``, as in COINr. The fallback is COINr's ``log_CT`` on the ORIGINAL column
    (``combine_treat = FALSE``): ``log(x − min + 0.01·(max − min))``.

    Edge cases: fewer than 4 present values → untreated, status ``"too_few"``; constant column
    (statistics undefined) → untreated, ``"passed"`` with NaN statistics (COINr warns and returns
    it untreated too). If a step makes the column constant the loop stops there. With status
    ``"log"`` the winsorised attempt is discarded, so ``n_winsorised`` is 0 and the masks are empty.
    """
    xv = np.asarray(x, dtype=np.float64)
    if xv.ndim != 2:
        raise KernelError(f"treat_matrix expects units × columns, got shape {xv.shape}")
    t = _treat_rows(np.ascontiguousarray(xv.T), *_parameters(xv.shape[1], skew_max, kurt_max, winmax, log_fallback))
    ska, kua = _row_stats(t.values)
    outcomes = [
        TreatmentOutcome(t.values[j].copy(), t.status[j], float(t.skew[j]), float(t.kurt[j]), float(ska[j]),
                         float(kua[j]), int(t.nwin[j]), t.high[j].copy(), t.low[j].copy(),
                         "log" if t.status[j] == "log" else None)
        for j in range(xv.shape[1])
    ]
    return np.ascontiguousarray(t.values.T), outcomes


def treat_column(
    x: ArrayLike,
    *,
    skew_max: float = 2.0,
    kurt_max: float = 3.5,
    winmax: int = 5,
    log_fallback: bool = True,
) -> TreatmentOutcome:
    """Winsorise one column step by step until it passes, else log-transform the original
    (:func:`treat_matrix` on a single column)."""
    col = np.asarray(x, dtype=np.float64)
    if col.ndim != 1:
        raise KernelError(f"treat_column expects a 1-D column, got shape {col.shape}")
    return treat_matrix(col[:, None], skew_max=skew_max, kurt_max=kurt_max, winmax=winmax,
                        log_fallback=log_fallback)[1][0]
