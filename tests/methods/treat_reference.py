"""Today's per-column treatment loop (nevindex 0.1.0, ``methods/treat.py`` before vectorisation),
kept verbatim as the reference the vectorised kernel must equal bit for bit. Not used by the package."""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nevindex.errors import KernelError
from nevindex.methods.treat import TreatmentOutcome

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
Status = Literal["passed", "winsorised", "log", "failed", "too_few"]


def _centred_moments(x: FloatArray, axis: int) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """n, Σm², Σm³, Σm⁴ over present values, with m = x − mean."""
    present = ~np.isnan(x)
    n = present.sum(axis=axis, keepdims=True).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(x, axis=axis, keepdims=True) / n
    m = np.where(present, x - mean, 0.0)
    m2 = m * m
    s2 = m2.sum(axis=axis)
    s3 = (m2 * m).sum(axis=axis)
    s4 = (m2 * m2).sum(axis=axis)
    return np.squeeze(n, axis=axis), s2, s3, s4


def _constant(x: FloatArray, axis: int) -> NDArray[np.bool_]:
    """All present values equal. Tested on the values, not on Σm² = 0, which float rounding of
    the mean can miss (seven copies of 36.80338734320654 have Σm² > 0)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.nanmax(x, axis=axis) == np.nanmin(x, axis=axis))


def ref_skewness(x: ArrayLike, axis: int = -2) -> FloatArray | float:
    """Sample skewness as Excel ``SKEW`` / COINr ``skew`` (e1071 type 2), ignoring NaN.

    ``g = √n·Σm³/(Σm²)^{3/2}``, ``skew = g·√(n(n−1))/(n−2)``. NaN when n < 3 or the values are
    constant (the statistic is undefined, not zero).
    """
    xv = np.asarray(x, dtype=np.float64)
    n, s2, s3, _ = _centred_moments(xv, axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = np.sqrt(n) * s3 / s2**1.5
        out = g * np.sqrt(n * (n - 1)) / (n - 2)
    out = np.where((n < 3) | _constant(xv, axis), np.nan, out)
    return out[()] if out.ndim == 0 else out


def ref_kurtosis(x: ArrayLike, axis: int = -2) -> FloatArray | float:
    """Excess kurtosis as Excel ``KURT`` / COINr ``kurt`` (e1071 type 2), ignoring NaN.

    ``r = n·Σm⁴/(Σm²)²``, ``kurt = ((n+1)(r−3)+6)(n−1)/((n−2)(n−3))``. NaN when n < 4 or constant.
    """
    xv = np.asarray(x, dtype=np.float64)
    n, s2, _, s4 = _centred_moments(xv, axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = n * s4 / s2**2
        out = ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    out = np.where((n < 4) | _constant(xv, axis), np.nan, out)
    return out[()] if out.ndim == 0 else out


def _passes(skew: float, kurt: float, skew_max: float, kurt_max: float) -> bool:
    """Pass unless *both* limits are exceeded (COINr ``check_SkewKurt``)."""
    return bool(abs(skew) < skew_max or kurt < kurt_max)


def _stats(v: FloatArray) -> tuple[float, float]:
    return float(ref_skewness(v, axis=0)), float(ref_kurtosis(v, axis=0))


def ref_treat_column(
    x: ArrayLike,
    *,
    skew_max: float = 2.0,
    kurt_max: float = 3.5,
    winmax: int = 5,
    log_fallback: bool = True,
) -> TreatmentOutcome:
    """Winsorise one column step by step until it passes, else log-transform the original.

    Mirrors COINr's ``winsorise`` loop exactly: while failing and ``nwin < winmax``, if the current
    skew is >= 0 every value equal to the current max takes the next lower distinct value, else
    every value equal to the current min takes the next higher distinct value;
    ``nwin = |latest high-side set| + |latest low-side set|`` (the latest set on a side includes all
    cells changed on that side earlier, since they now equal the extreme). A tied step may push
    ``nwin`` past ``winmax``, as in COINr. The fallback is COINr's ``log_CT`` on the ORIGINAL column
    (``combine_treat = FALSE``).

    Edge cases: fewer than 4 present values → untreated, status ``"too_few"``; constant column
    (statistics undefined) → untreated, ``"passed"`` with NaN statistics (COINr warns and returns
    it untreated too). If a step makes the column constant the loop stops there. With status
    ``"log"`` the winsorised attempt is discarded, so ``n_winsorised`` is 0 and the masks are empty.
    """
    orig = np.array(x, dtype=np.float64, copy=True)
    if orig.ndim != 1:
        raise KernelError(f"treat_column expects a 1-D column, got shape {orig.shape}")
    if winmax < 0:
        raise KernelError(f"winmax must be >= 0, got {winmax}")
    present = ~np.isnan(orig)
    none = np.zeros(orig.shape, dtype=bool)
    sk0, ku0 = _stats(orig)

    def outcome(values: FloatArray, status: Status, n_win: int = 0, high: BoolArray = none,
                low: BoolArray = none, transform: str | None = None) -> TreatmentOutcome:
        ska, kua = _stats(values)
        return TreatmentOutcome(values, status, sk0, ku0, ska, kua, n_win, high, low, transform)

    if present.sum() < 4:
        return outcome(orig.copy(), "too_few")
    if np.isnan(sk0) or _passes(sk0, ku0, skew_max, kurt_max):
        return outcome(orig.copy(), "passed")

    v = orig.copy()
    imax = np.zeros(v.shape, dtype=bool)
    imin = np.zeros(v.shape, dtype=bool)
    nwin = 0
    passing = False
    sk = sk0
    while not passing and nwin < winmax:
        vals = v[present]
        if sk >= 0:
            top = vals.max()
            imax = present & (v == top)
            v[imax] = vals[vals < top].max()
        else:
            bottom = vals.min()
            imin = present & (v == bottom)
            v[imin] = vals[vals > bottom].min()
        nwin = int(imax.sum() + imin.sum())
        sk, ku = _stats(v)
        passing = bool(np.isnan(sk)) or _passes(sk, ku, skew_max, kurt_max)
    high, low = imax & ~imin, imin.copy()

    if passing:
        return outcome(v, "winsorised", nwin, high, low)
    if not log_fallback:
        return outcome(v, "failed", nwin, high, low)
    lo, hi = np.nanmin(orig), np.nanmax(orig)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        logged = np.log(orig - lo + 0.01 * (hi - lo))
    return outcome(logged, "log", transform="log")
