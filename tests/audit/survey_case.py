"""A small index with three survey-based indicators and two public ones, built from arrays.

Brands differ in a latent quality spaced evenly on the answer scale, so with a huge sample every
brand's survey estimates are far apart compared with their standard errors, and with 30
respondents they are not. The data set holds the survey's own weighted estimates.
"""

from __future__ import annotations

import numpy as np

from nevindex.audit.sampling import RespondentScores
from nevindex.dataset import Dataset
from nevindex.framework import Framework, framework_from_mapping

SURVEY_CODES = ("cx_sat", "cx_t2b", "cx_nps")


def framework() -> Framework:
    return framework_from_mapping({
        "framework": {"code": "S", "version": "1", "name": "Survey test index"},
        "aggregates": [
            {"code": "Index", "name": "Index"},
            {"code": "CX", "name": "Customer experience", "parent": "Index"},
            {"code": "PUB", "name": "Public data", "parent": "Index"},
        ],
        "indicators": [
            {"code": "cx_sat", "name": "satisfaction", "parent": "CX"},
            {"code": "cx_t2b", "name": "top-2 box", "parent": "CX"},
            {"code": "cx_nps", "name": "NPS", "parent": "CX"},
            {"code": "p1", "name": "public 1", "parent": "PUB"},
            {"code": "p2", "name": "public 2", "parent": "PUB"},
        ],
    })


def weighted_means(group: np.ndarray, scores: np.ndarray, weights: np.ndarray, brands: int) -> np.ndarray:
    """Σwy/Σw per brand and column over the respondents counted (hand-written, not the package's)."""
    out = np.empty((brands, scores.shape[1]))
    for b in range(brands):
        for k in range(scores.shape[1]):
            keep = (group == b) & ~np.isnan(scores[:, k])
            out[b, k] = np.sum(weights[keep] * scores[keep, k]) / np.sum(weights[keep])
    return out


def respondents(per_brand: int, brands: int = 8, seed: int = 0, *, suppress: bool = False) -> RespondentScores:
    """``suppress``: the last brand's NPS is not published (as below the minimum sample)."""
    rng = np.random.default_rng(seed)
    units = tuple(f"B{b:02d}" for b in range(brands))
    quality = np.linspace(-1.0, 1.0, brands)
    group = np.repeat(np.arange(brands), per_brand)
    n = group.size
    eta = quality[group] + rng.normal(0.0, 1.0, n)
    sat = np.clip(np.rint(3.0 + eta), 1, 5)
    rec = np.clip(np.rint(7.0 + 2.0 * eta), 0, 10)
    nps = 100.0 * ((rec >= 9).astype(float) - (rec <= 6))
    sat[rng.random(n) < 0.05] = np.nan  # some did not answer
    t2b = np.where(np.isnan(sat), np.nan, 100.0 * (sat >= 4))
    scores = np.column_stack([sat, t2b, nps])
    weights = rng.lognormal(0.0, 0.3, n)
    estimates = weighted_means(group, scores, weights, brands)
    if suppress:
        estimates[-1, 2] = np.nan
    return RespondentScores(units, SURVEY_CODES, group, scores, weights, estimates, source="responses.csv")


#: A public order of six brands unlike the survey's, under which arithmetic and geometric means
#: rank four brands differently while no two index scores come within 1.5 points (0–100 scale).
SHUFFLED = (3, 5, 0, 4, 1, 2)


def dataset(sample: RespondentScores, year: int = 2025, seed: int = 1, *, gaps: bool = False,
            public_order: tuple[int, ...] | None = None) -> Dataset:
    """The survey estimates plus two public indicators that also follow brand order, with noise
    (``public_order``: in that order instead, with small fixed offsets); ``gaps``: one public
    value missing too."""
    rng = np.random.default_rng(seed)
    g = len(sample.units)
    trend = np.linspace(10.0, 20.0, g)
    public = np.column_stack([trend + rng.normal(0, 1.0, g), trend * 3 + rng.normal(0, 3.0, g)])
    if public_order is not None:
        order = np.asarray(public_order, dtype=float)
        offsets = np.resize([0.3, -0.2, 0.1, 0.4, -0.3, 0.2], g)
        public = np.column_stack([10 + 2 * order, 30 + 6 * order + offsets])
    if gaps:
        public[1, 0] = np.nan
    values = np.concatenate([sample.estimates, public], axis=1)[None]
    return Dataset(units=sample.units, columns=(*SURVEY_CODES, "p1", "p2"), years=(year,), values=values,
                   names=tuple(f"Brand {u}" for u in sample.units), attributes={"region": tuple("ab"[i % 2] for i in range(g))})
