"""Weights: equal, AHP (Saaty), entropy, CRITIC and PCA, as 1-D arrays over a parent's children."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nevindex.errors import KernelError

__all__ = ["equal_weights", "AHPResult", "ahp_weights", "entropy_weights", "critic_weights", "pca_weights",
           "DATA_DRIVEN", "METHODS"]

FloatArray = NDArray[np.float64]

#: Saaty's random consistency index for n = 1..10.
SAATY_RI: tuple[float, ...] = (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49)


def equal_weights(n: int) -> FloatArray:
    """``1/n`` each: the neutral choice when nothing argues for another."""
    if n < 1:
        raise KernelError(f"need at least one child for weights, got n={n}")
    return np.full(n, 1.0 / n)


@dataclass(frozen=True)
class AHPResult:
    """Eigenvector weights with the consistency figures a reviewer needs to trust them."""

    weights: FloatArray
    lambda_max: float
    ci: float
    cr: float
    n: int

    @property
    def consistent(self) -> bool:
        """Saaty's rule of thumb; whether inconsistency is fatal is the caller's decision."""
        return self.cr <= 0.10


def _check_pairwise(a: FloatArray, tol: float, which: str) -> None:
    bad = ~np.isfinite(a) | (a <= 0)
    if bad.any():
        i, j = (int(v) for v in np.argwhere(bad)[0])
        raise KernelError(f"{which}: entry ({i}, {j}) must be positive and finite", units=[i], columns=[j])
    diag = np.flatnonzero(np.abs(np.diag(a) - 1.0) > tol)
    if diag.size:
        i = int(diag[0])
        raise KernelError(f"{which}: diagonal entry ({i}, {i}) must be 1", units=[i], columns=[i])
    recip = np.abs(a * a.T - 1.0) > tol
    if recip.any():
        i, j = (int(v) for v in np.argwhere(np.triu(recip, 1) | np.tril(recip, -1))[0])
        raise KernelError(
            f"{which}: entries ({i}, {j}) and ({j}, {i}) are not reciprocal (A_ij·A_ji must be 1)",
            units=[i], columns=[j],
        )


def ahp_weights(matrices: ArrayLike, *, tol: float = 1e-9) -> AHPResult:
    """Saaty's AHP: principal right eigenvector of the pairwise matrix, normalised to sum 1.

    A stack (k, n, n) of expert matrices is combined element-wise by geometric mean first (AIJ),
    which keeps the result reciprocal. CI = (λmax − n)/(n − 1); CR = CI/RI(n), with CR = 0 for
    n ≤ 2 (always consistent). Saaty's table stops at n = 10: for n > 10, RI = 1.49 is used,
    which makes CR slightly conservative.
    """
    a = np.array(matrices, dtype=np.float64, copy=True)
    if a.ndim == 2:
        a = a[None]
    if a.ndim != 3 or a.shape[-1] != a.shape[-2] or a.shape[-1] < 1:
        raise KernelError(f"pairwise matrices must be n×n or k×n×n, got shape {a.shape}")
    k, n = a.shape[0], a.shape[-1]
    for e in range(k):
        _check_pairwise(a[e], tol, f"matrix {e}" if k > 1 else "matrix")
    agg = np.exp(np.log(a).mean(axis=0)) if k > 1 else a[0]
    vals, vecs = np.linalg.eig(agg)
    top = int(np.argmax(vals.real))
    lam = float(vals[top].real)
    v = np.abs(vecs[:, top].real)  # Perron vector of a positive matrix has one sign
    wts = v / v.sum()
    if n <= 2:
        ci, cr = (lam - n) / (n - 1) if n == 2 else 0.0, 0.0
    else:
        ci = (lam - n) / (n - 1)
        cr = ci / SAATY_RI[min(n, 10) - 1]
    return AHPResult(weights=wts, lambda_max=lam, ci=float(ci), cr=float(cr), n=n)


def _matrix(x: ArrayLike) -> FloatArray:
    xv = np.array(x, dtype=np.float64, copy=True)
    if xv.ndim != 2:
        raise KernelError(f"expected units × columns, got shape {xv.shape}")
    return xv


def _normalise_sum(raw: FloatArray, what: str) -> FloatArray:
    total = raw.sum()
    if not np.isfinite(total) or total <= 0:
        raise KernelError(f"{what} weights are undefined: every column carries zero information")
    return raw / total


def entropy_weights(x: ArrayLike) -> FloatArray:
    """Shannon-entropy weights: columns that discriminate more between units weigh more.

    ``p_ij = x_ij/Σ_i x_ij``, ``e_j = −Σ p ln p / ln m_j`` (0·ln 0 = 0, m_j = present units in
    column j), ``w_j ∝ 1 − e_j``. Needs non-negative data, a positive column sum and m_j ≥ 2.
    """
    xv = _matrix(x)
    neg = xv < 0
    if neg.any():
        idx = np.argwhere(neg)
        raise KernelError("entropy weights need non-negative values",
                          units=sorted(set(idx[:, 0].tolist())), columns=sorted(set(idx[:, 1].tolist())))
    present = ~np.isnan(xv)
    m = present.sum(axis=0)
    total = np.nansum(xv, axis=0)
    bad = (m < 2) | (total <= 0)
    if bad.any():
        raise KernelError("entropy needs at least two present values and a positive sum per column",
                          columns=np.flatnonzero(bad).tolist())
    p = np.where(present, xv, 0.0) / total
    plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    e = -plogp.sum(axis=0) / np.log(m)
    return _normalise_sum(1.0 - e, "entropy")


def critic_weights(x: ArrayLike) -> FloatArray:
    """CRITIC: contrast (sd) times conflict (Σ(1 − r)) on min-max-normalised columns.

    sd uses n−1 over each column's present values; Pearson r uses complete rows only.
    """
    xv = _matrix(x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = np.nanmin(xv, axis=0), np.nanmax(xv, axis=0)
    const = ~(hi > lo)
    if const.any():
        raise KernelError("CRITIC needs columns with a non-zero range", columns=np.flatnonzero(const).tolist())
    z = (xv - lo) / (hi - lo)
    sd = np.nanstd(z, axis=0, ddof=1)
    complete = z[~np.isnan(z).any(axis=1)]
    if complete.shape[0] < 3:
        raise KernelError("CRITIC needs at least three complete rows to estimate correlations")
    r = np.atleast_2d(np.corrcoef(complete, rowvar=False))
    if np.isnan(r).any():
        raise KernelError("a column is constant on the complete rows, so correlations are undefined",
                          columns=np.flatnonzero(np.isnan(r).all(axis=0)).tolist())
    return _normalise_sum(sd * (1.0 - r).sum(axis=1), "CRITIC")


def pca_weights(x: ArrayLike) -> tuple[FloatArray, int]:
    """First-principal-component loadings of the standardised columns, and rows dropped.

    Complete rows only. Loadings are the unit-norm eigenvector of the correlation matrix with the
    largest eigenvalue, exactly as ``numpy.linalg.eigh`` returns it: the sign is arbitrary (it
    cancels in a weighted mean) and some entries may be negative.
    """
    xv = _matrix(x)
    keep = ~np.isnan(xv).any(axis=1)
    complete = xv[keep]
    dropped = int((~keep).sum())
    if complete.shape[0] < 3:
        raise KernelError("PCA needs at least three complete rows")
    sd = complete.std(axis=0, ddof=1)
    const = ~(sd > 0)
    if const.any():
        raise KernelError("PCA needs columns that vary on the complete rows",
                          columns=np.flatnonzero(const).tolist())
    z = (complete - complete.mean(axis=0)) / sd
    corr = z.T @ z / (z.shape[0] - 1)
    vals, vecs = np.linalg.eigh(corr)
    return vecs[:, int(np.argmax(vals))].copy(), dropped


def _pca_loadings(x: ArrayLike) -> FloatArray:
    return pca_weights(x)[0]


#: Weights computed from the data of a parent's children (units × children → one weight each).
DATA_DRIVEN: dict[str, Callable[[ArrayLike], FloatArray]] = {
    "entropy": entropy_weights,
    "critic": critic_weights,
    "pca": _pca_loadings,
}
#: Every weighting method by its recipe name: the framework's own weights, equal, AHP, data-driven.
METHODS = ("manual", "equal", "ahp", *DATA_DRIVEN)
