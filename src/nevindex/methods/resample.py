"""Resampling kernels: the stratified bootstrap of weighted means that survey sampling error needs.

A survey indicator is a weighted mean ``Σwy/Σw`` over the respondents of one group (a brand). Its
sampling distribution is approximated by resampling respondents *with replacement within their
group*, design weights travelling with their respondent, and recomputing the ratio: the
with-replacement bootstrap of a stratified single-stage sample (strata = groups). Here because
two layers need it: ``collect`` (survey statistics) and ``audit`` (the survey-sampling factor of
the uncertainty analysis), and only ``methods`` sits below both. Arrays in, arrays out.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["bootstrap_group_means"]


def bootstrap_group_means(group: NDArray[np.intp], y: NDArray[np.float64], w: NDArray[np.float64],
                          n_groups: int, replicates: int, rng: np.random.Generator, *,
                          memory_mb: float = 64.0) -> NDArray[np.float64]:
    """replicates × groups × indicators: weighted means after resampling respondents within each group.

    Each replicate draws, in every group of size nᵍ, nᵍ respondents with replacement (weights travel
    with their respondent) and recomputes Σwy/Σw over those who answered. Per group, all replicates
    are drawn at once: uniform draws become respondent indices, ``bincount`` turns them into how
    often each respondent was drawn (a multinomial count), and one matrix product of the counts
    with the respondents' (wy, w) gives every replicate's sums — no gather of respondent rows, no
    loop over replicates. Replicates are drawn in chunks of at most ``memory_mb``; each uniform
    consumes one draw of ``rng``, so the draws do not depend on the chunk size (the sums only to
    rounding: BLAS may order them by the chunk's shape). A replicate in which no drawn respondent
    answered is NaN.
    """
    y = np.asarray(y, dtype=np.float64)
    y = y[:, None] if y.ndim == 1 else y
    k = y.shape[1]
    valid = ~np.isnan(y)
    w = np.asarray(w, dtype=np.float64)
    wy = np.where(valid, w[:, None] * np.where(valid, y, 0.0), 0.0)
    wv = np.where(valid, w[:, None], 0.0)
    group = np.asarray(group, dtype=np.intp)
    order = np.argsort(group, kind="stable")
    block_all = np.concatenate([wy, wv], axis=1)[order]
    sizes = np.bincount(group, minlength=n_groups)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
    out = np.full((replicates, n_groups, k), np.nan)
    for g in np.flatnonzero(sizes > 0):
        m, block = int(sizes[g]), block_all[starts[g]:starts[g] + sizes[g]]
        chunk = max(1, int(memory_mb * 1e6 // (m * 32)))  # uniforms, indices, counts, float counts
        for b0 in range(0, replicates, chunk):
            bc = min(chunk, replicates - b0)
            draw = np.minimum((rng.random((bc, m)) * m).astype(np.intp), m - 1)
            draw += (np.arange(bc, dtype=np.intp) * m)[:, None]
            counts = np.bincount(draw.ravel(), minlength=bc * m).reshape(bc, m).astype(np.float64)
            sums = counts @ block
            with np.errstate(invalid="ignore", divide="ignore"):
                out[b0:b0 + bc, g] = np.where(sums[:, k:] > 0, sums[:, :k] / sums[:, k:], np.nan)
    return out
