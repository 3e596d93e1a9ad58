"""Rank scores: 1 = best, ties share the best (minimum) rank, missing stays unranked."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["rank_desc"]


def rank_desc(scores: ArrayLike, axis: int = -1) -> NDArray[np.float64]:
    """Rank of ``−score`` along ``axis`` (units), ties at the minimum rank, NaN kept as NaN.

    Same as R ``rank(-score, ties.method = "min", na.last = "keep")``, vectorised over all other
    axes with one argsort, so thousands of Monte Carlo samples rank in one call. Ranks use full
    precision: scores equal only to within rounding are not tied.
    """
    s = np.moveaxis(np.asarray(scores, dtype=np.float64), axis, -1)
    key = -s  # NaN stays NaN and np.argsort puts it last
    # Any sort will do: tied scores all take the first position of their run, whatever their order.
    order = np.argsort(key, axis=-1)
    sk = np.take_along_axis(key, order, axis=-1)
    n = sk.shape[-1]
    pos = np.broadcast_to(np.arange(n), sk.shape)
    if n:
        new_run = np.ones(sk.shape, dtype=bool)
        new_run[..., 1:] = sk[..., 1:] != sk[..., :-1]
        start = np.maximum.accumulate(np.where(new_run, pos, 0), axis=-1)
    else:
        start = pos
    ranked_sorted = (start + 1).astype(np.float64)
    ranked_sorted[np.isnan(sk)] = np.nan
    out = np.empty_like(ranked_sorted)
    np.put_along_axis(out, order, ranked_sorted, axis=-1)
    return np.moveaxis(out, -1, axis)
