"""Weighted survey estimators as pure numpy kernels: group means, their standard errors, a bootstrap.

Every survey indicator is a weighted mean ``ȳ = Σ wᵢyᵢ / Σ wᵢ`` of a per-respondent score over the
respondents of one brand who answered (a ratio estimator). Its variance is the Taylor
linearisation of that ratio under with-replacement sampling of respondents within the brand:

    v(ȳ) = n/(n−1) · Σ wᵢ²(yᵢ − ȳ)² / (Σ wᵢ)²

— what survey packages report for a single-stage weighted sample (R ``survey``, Stata ``svy``), and
what a weighted least-squares fit of y on a constant gives with HC1 standard errors. It is
unchanged when all weights are scaled, and equals s²/n with equal weights. For NPS the score is
+100/0/−100, so the same formula is the linearised variance of the difference of the promoter and
detractor shares, covariance included. Kish's effective sample is (Σw)²/Σw². Intervals are
ȳ ± t₀.₉₇₅,ₙ₋₁ · se, clipped to the score's range.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from nevindex.methods.resample import bootstrap_group_means

CONFIDENCE = 0.95

__all__ = ["CONFIDENCE", "GroupEstimates", "bootstrap_group_means", "kish_effective_n", "t_interval",
           "weighted_group_means"]


@dataclass(frozen=True)
class GroupEstimates:
    """groups × indicators: weighted mean, respondents counted, Kish n, linearised SE, interval."""

    value: NDArray[np.float64]
    n: NDArray[np.int64]
    n_effective: NDArray[np.float64]
    se: NDArray[np.float64]
    ci_low: NDArray[np.float64]
    ci_high: NDArray[np.float64]


def _columns(y: NDArray[np.float64]) -> NDArray[np.float64]:
    y = np.asarray(y, dtype=np.float64)
    return y[:, None] if y.ndim == 1 else y


def weighted_group_means(group: NDArray[np.intp], y: NDArray[np.float64], w: NDArray[np.float64],
                         n_groups: int, *, low: NDArray[np.float64] | float = -np.inf,
                         high: NDArray[np.float64] | float = np.inf) -> GroupEstimates:
    """Estimates per group and column of ``y`` (respondents × indicators; NaN = not counted).

    ``low``/``high`` (scalars or one per indicator) are the score's range the interval is clipped to.
    Groups with no weight get NaN; a group of one respondent has no standard error (NaN).
    """
    y = _columns(y)
    w = np.asarray(w, dtype=np.float64)
    group = np.asarray(group, dtype=np.intp)
    k = y.shape[1]
    shape = (n_groups, k)
    value, n_eff, se = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    n = np.zeros(shape, dtype=np.int64)
    for j in range(k):
        valid = ~np.isnan(y[:, j])
        g, wj, yj = group[valid], w[valid], y[valid, j]
        sum_w = np.bincount(g, wj, minlength=n_groups)
        sum_w2 = np.bincount(g, wj * wj, minlength=n_groups)
        count = np.bincount(g, minlength=n_groups)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.bincount(g, wj * yj, minlength=n_groups) / sum_w
            resid = wj * (yj - mean[g])
            ss = np.bincount(g, resid * resid, minlength=n_groups)
            var = np.where(count > 1, count / (count - 1) * ss / sum_w**2, np.nan)
            value[:, j], n[:, j], n_eff[:, j], se[:, j] = mean, count, sum_w**2 / sum_w2, np.sqrt(var)
    ci_low, ci_high = t_interval(value, se, n, low=low, high=high)
    return GroupEstimates(value, n, n_eff, se, ci_low, ci_high)


def t_interval(value: NDArray[np.float64], se: NDArray[np.float64], n: NDArray[np.int64], *,
               low: NDArray[np.float64] | float = -np.inf, high: NDArray[np.float64] | float = np.inf,
               confidence: float = CONFIDENCE) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """ȳ ± t(1 − α/2, n − 1)·se, clipped to [low, high]; NaN where n < 2."""
    n = np.asarray(n)
    with np.errstate(invalid="ignore"):
        t = stats.t.ppf(0.5 + confidence / 2, np.where(n > 1, n - 1, np.nan))
        half = t * se
    return np.clip(value - half, low, high), np.clip(value + half, low, high)


def kish_effective_n(w: NDArray[np.float64]) -> float:
    """(Σw)² / Σw²: the sample size an unweighted sample of the same precision would have."""
    w = np.asarray(w, dtype=np.float64)
    return float(w.sum() ** 2 / (w * w).sum())
