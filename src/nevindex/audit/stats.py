"""Statistics per indicator and data availability, the first tables of a statistical audit.

Statistics follow METHODS.md ("Audit"): n, missing share, min, max, mean, median, sd (n − 1),
skew and excess kurtosis (Excel ``SKEW``/``KURT``, reused from :mod:`nevindex.methods.treat`),
and outliers. An indicator is flagged when its availability is below a threshold, when it
fails the treatment test (|skew| ≥ skew_max and kurt ≥ kurt_max), or when it has outliers by
the boxplot rule (beyond 1.5 IQR from the quartiles, numpy 'linear' quantiles).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from nevindex.methods.treat import kurtosis, skewness
from nevindex.result import Result

__all__ = ["MIN_AVAILABILITY", "indicator_stats", "availability_by_unit", "availability_by_group"]

#: Share of present values below which an indicator or unit is flagged (COINr's default 0.66).
MIN_AVAILABILITY = 0.66


def indicator_stats(result: Result, set_name: str = "screened", *, min_availability: float = MIN_AVAILABILITY,
                    iqr_factor: float = 1.5) -> pd.DataFrame:
    """One row per indicator of data set ``set_name`` (default: after denominating and screening,
    before imputation, so missing values are still missing)."""
    x = np.asarray(result.frame(set_name).to_numpy(dtype=float))
    present = ~np.isnan(x)
    n = present.sum(axis=0)
    rows = x.shape[0]
    skew_max, kurt_max = result.recipe.treat.skew_max, result.recipe.treat.kurt_max
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-missing columns give NaN statistics
        q1, median, q3 = np.nanquantile(x, [0.25, 0.5, 0.75], axis=0, method="linear")
        stats = {
            "min": np.nanmin(x, axis=0), "max": np.nanmax(x, axis=0), "mean": np.nanmean(x, axis=0),
            "median": median, "sd": np.nanstd(x, axis=0, ddof=1),
        }
    skew = np.asarray(skewness(x, axis=0), dtype=float)
    kurt = np.asarray(kurtosis(x, axis=0), dtype=float)
    iqr = q3 - q1
    with np.errstate(invalid="ignore"):
        high = present & (x > q3 + iqr_factor * iqr)
        low = present & (x < q1 - iqr_factor * iqr)
        zero_share = np.where(n > 0, ((x == 0) & present).sum(axis=0) / np.maximum(n, 1), np.nan)
    missing_share = 1 - n / rows if rows else np.full(x.shape[1], np.nan)
    unique = np.array([np.unique(x[present[:, j], j]).size for j in range(x.shape[1])])
    fails = (np.abs(skew) >= skew_max) & (kurt >= kurt_max)
    flags = []
    for j in range(x.shape[1]):
        f = []
        if 1 - missing_share[j] < min_availability:
            f.append("low availability")
        if fails[j]:
            f.append("skew and kurtosis")
        if high[:, j].any() or low[:, j].any():
            f.append("outliers")
        if unique[j] <= 1:
            f.append("constant")
        flags.append("; ".join(f))
    names = {i.code: i.name.en for i in result.framework.indicators}
    codes = list(result.indicators)
    return pd.DataFrame({
        "indicator": codes,
        "name": [names[c] for c in codes],
        "n": n,
        "missing_share": missing_share,
        **stats,
        "skew": skew,
        "kurt": kurt,
        "n_unique": unique,
        "zero_share": zero_share,
        "n_outliers_low": low.sum(axis=0),
        "n_outliers_high": high.sum(axis=0),
        "flag_availability": 1 - missing_share < min_availability,
        "flag_skew_kurt": fails,
        "flag_outliers": (high | low).any(axis=0),
        "flags": flags,
    })


def availability_by_unit(result: Result, set_name: str = "screened", *,
                         min_availability: float = MIN_AVAILABILITY) -> pd.DataFrame:
    """Per unit: indicators present, share present overall and within each aggregate."""
    frame = result.frame(set_name)
    present = ~np.isnan(frame.to_numpy(dtype=float))
    codes = list(result.indicators)
    fw = result.framework
    names = dict(zip(result.dataset.units, result.dataset.names, strict=True))
    out = pd.DataFrame({"unit": list(frame.index), "name": [names[u] for u in frame.index],
                        "n_present": present.sum(axis=1), "share": present.mean(axis=1)})
    out["flag_low_availability"] = out["share"] < min_availability
    for node in fw.display_order:
        cols = [codes.index(c) for c in fw.indicators_under(node)]
        out[f"share_{node}"] = present[:, cols].mean(axis=1)
    return out


def availability_by_group(result: Result, set_name: str = "screened") -> pd.DataFrame:
    """Per group of every unit group column (country, segment…): units and their availability."""
    by_unit = availability_by_unit(result, set_name)
    rows = []
    index = {u: i for i, u in enumerate(result.dataset.units)}
    for column, labels in result.dataset.attributes.items():
        groups = [labels[index[u]] for u in by_unit["unit"]]
        for g in sorted({str(x) for x in groups if x is not None}):
            share = by_unit["share"][[str(x) == g for x in groups]]
            rows.append({"group_column": column, "group": g, "units": int(share.size),
                         "mean_share": float(share.mean()), "min_share": float(share.min())})
    return pd.DataFrame(rows, columns=["group_column", "group", "units", "mean_share", "min_share"])
