"""Expert-panel statistics on a brands × experts matrix of scores (NaN = not rated).

- Consensus per brand: median, or the trimmed mean (``scipy.stats.trim_mean``: ⌊trim·m⌋ scores cut
  at each end) of the m scores the brand received.
- Agreement per criterion, on the brands every expert rated: Kendall's W corrected for ties and
  ICC(2,k) — two-way random effects, absolute agreement, mean of k raters (Shrout & Fleiss 1979;
  McGraw & Wong's ICC(A,k)) — with its 95 % interval, both computed by pingouin.
- Distance from consensus per expert: the mean, over the brands they rated, of |score − consensus
  of the other experts| (leave-one-out, same rule), as a share of the scale's range.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

__all__ = ["Agreement", "consensus", "leave_one_out_deviation", "agreement"]


@dataclass(frozen=True)
class Agreement:
    """Agreement of one criterion; NaN with ``note`` when the complete block is too small."""

    brands: int
    raters: int
    kendall_w: float
    icc2k: float
    icc2k_low: float
    icc2k_high: float
    note: str = ""


def consensus(scores: NDArray[np.float64], method: str, trim: float | None = None) -> NDArray[np.float64]:
    """Per row (brand) of ``scores``: median or trimmed mean of its present values (NaN if none)."""
    scores = np.asarray(scores, dtype=np.float64)
    out = np.full(scores.shape[0], np.nan)
    for b, row in enumerate(scores):
        present = row[~np.isnan(row)]
        if present.size:
            out[b] = np.median(present) if method == "median" else stats.trim_mean(present, trim or 0.0)
    return out


def leave_one_out_deviation(scores: NDArray[np.float64], method: str, trim: float | None = None
                            ) -> NDArray[np.float64]:
    """Per column (expert): mean |score − consensus of the other experts| over the brands they rated
    with at least one other expert (NaN if none)."""
    scores = np.asarray(scores, dtype=np.float64)
    out = np.full(scores.shape[1], np.nan)
    for e in range(scores.shape[1]):
        others = consensus(np.delete(scores, e, axis=1), method, trim)
        rated = ~np.isnan(scores[:, e]) & ~np.isnan(others)
        if rated.any():
            out[e] = float(np.mean(np.abs(scores[rated, e] - others[rated])))
    return out


def agreement(scores: NDArray[np.float64]) -> Agreement:
    """Kendall's W and ICC(2,k) on the brands (rows) that every expert (column) rated."""
    scores = np.asarray(scores, dtype=np.float64)
    complete = scores[~np.isnan(scores).any(axis=1)]
    n, k = complete.shape
    if n < 2 or k < 2:
        return Agreement(n, k, np.nan, np.nan, np.nan, np.nan,
                         "needs at least 2 brands rated by every expert, and at least 2 experts")
    if np.all(complete == complete[0, 0]):
        return Agreement(n, k, np.nan, np.nan, np.nan, np.nan, "every score is the same: agreement is undefined")
    import pingouin as pg

    long = pd.DataFrame({"brand": np.repeat(np.arange(n), k), "expert": np.tile(np.arange(k), n),
                         "score": complete.reshape(-1)})
    saved = pg.options.get("round.column.CI95")
    pg.options["round.column.CI95"] = None  # pingouin rounds the interval to 2 decimals by default
    try:
        with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
            warnings.simplefilter("ignore")
            icc = pg.intraclass_corr(data=long, targets="brand", raters="expert", ratings="score").set_index("Type")
            ties_everywhere = all(np.unique(complete[:, e]).size == 1 for e in range(k))
            w = np.nan if ties_everywhere else float(
                pg.friedman(data=long, dv="score", within="brand", subject="expert")["W"].iloc[0])
    finally:
        pg.options["round.column.CI95"] = saved
    row = icc.loc["ICC(A,k)"] if "ICC(A,k)" in icc.index else icc.loc["ICC2k"]
    low, high = (float(v) for v in row["CI95"])
    note = "" if np.isfinite(w) else "each expert gave every brand the same score: Kendall's W is undefined"
    return Agreement(n, k, w, float(row["ICC"]), low, high, note)
