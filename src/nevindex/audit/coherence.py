"""Coherence of the framework: does each node move with its parent, and not duplicate a sibling?

Correlations (Pearson and Spearman, pairwise complete) of every node with its parent (from the
parent's side these are its children) and with each sibling, flagged per METHODS.md: a
correlation with the parent that is negative or below 0.3, siblings above 0.92 (collinear).
Flags use Pearson. Cronbach's α and PCA per aggregate on its children, complete rows only.
Node values are those the index is built from: normalised indicators and aggregate scores.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from nevindex.result import Result

__all__ = ["WEAK", "COLLINEAR", "pairwise", "pearson", "spearman", "node_values", "correlations",
           "correlation_matrix", "cronbach_alpha", "pca", "group_consistency"]

Array = NDArray[np.float64]
WEAK = 0.3
COLLINEAR = 0.92
#: Fewest pairs a correlation is computed on (below it: NaN).
MIN_PAIRS = 3


def pairwise(values: pd.DataFrame, method: str = "pearson") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Correlation of every two columns on the rows where both are present (Pearson r, or
    Spearman ρ: Pearson of the average ranks of those rows) and the number of such rows n;
    NaN where n < 3 or a column is constant on them."""
    present = values.notna().to_numpy(dtype=np.float64)
    n = pd.DataFrame(present.T @ present, index=values.columns, columns=values.columns).astype(int)
    return values.corr(method=method, min_periods=MIN_PAIRS), n


def _two(x: Array, y: Array, method: str) -> tuple[float, int]:
    r, n = pairwise(pd.DataFrame({"x": np.asarray(x, dtype=float), "y": np.asarray(y, dtype=float)}), method)
    return float(r.iloc[0, 1]), int(n.iloc[0, 1])


def pearson(x: Array, y: Array) -> tuple[float, int]:
    """Pearson r on the pairs where both are present, and the number of pairs."""
    return _two(x, y, "pearson")


def spearman(x: Array, y: Array) -> tuple[float, int]:
    """Spearman ρ: Pearson of average ranks on the pairs where both are present."""
    return _two(x, y, "spearman")


def node_values(result: Result) -> pd.DataFrame:
    """Units × nodes: normalised indicators and aggregate scores, what the index is built from."""
    fw = result.framework
    codes = (*fw.indicator_codes, *fw.aggregate_codes)
    return pd.DataFrame({c: np.asarray(result.score(c), dtype=float) for c in codes}, columns=list(codes))


def correlations(result: Result) -> pd.DataFrame:
    """One row per (node, parent) and per unordered pair of siblings."""
    fw = result.framework
    values = node_values(result)
    r, n = pairwise(values)
    rho, _ = pairwise(values, "spearman")
    rows = []
    for parent in reversed(fw.aggregation_order):  # top-down
        kids = fw.children[parent]
        for i, kid in enumerate(kids):
            for other, relation in ((parent, "parent"), *((o, "sibling") for o in kids[i + 1:])):
                p = float(r.at[kid, other])
                flag = ""
                if relation == "parent" and not np.isnan(p):
                    flag = "negative" if p < 0 else ("weak" if p < WEAK else "")
                elif relation == "sibling" and p > COLLINEAR:
                    flag = "collinear"
                rows.append({"node": kid, "other": other, "relation": relation, "level": fw.levels[kid],
                             "pearson": p, "spearman": float(rho.at[kid, other]), "n": int(n.at[kid, other]),
                             "flag": flag})
    return pd.DataFrame(rows, columns=["node", "other", "relation", "level", "pearson", "spearman", "n", "flag"])


def correlation_matrix(result: Result, method: str = "pearson") -> pd.DataFrame:
    """Every indicator (rows, grouped by parent) against every aggregate (columns, top-down)."""
    fw = result.framework
    r, _ = pairwise(node_values(result), method)
    rows = [c for parent in fw.aggregation_order for c in fw.children[parent] if c in fw.indicator_codes]
    table = r.loc[rows, list(fw.display_order)]
    return table.rename_axis(index="indicator", columns=None)


def _children_matrix(result: Result, node: str) -> tuple[Array, int]:
    x = np.stack([np.asarray(result.score(k), dtype=float) for k in result.framework.children[node]], axis=1)
    keep = ~np.isnan(x).any(axis=1)
    return x[keep], int((~keep).sum())


def cronbach_alpha(x: Array) -> float:
    """α = k/(k−1)·(1 − Σ var_j / var(Σ_j x_j)) on complete rows (variances with n − 1)."""
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x).any(axis=1)]
    k = x.shape[1]
    if k < 2 or x.shape[0] < 2:
        return float("nan")
    total = x.sum(axis=1).var(ddof=1)
    return float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total)) if total > 0 else float("nan")


def pca(x: Array) -> tuple[Array, Array]:
    """Variance shares (descending) and loadings (columns = components) of the standardised
    columns. A component's sign is arbitrary; we make its loadings sum to ≥ 0."""
    x = np.asarray(x, dtype=float)
    sd = x.std(axis=0, ddof=1)
    z = (x - x.mean(axis=0)) / np.where(sd > 0, sd, np.nan)
    corr = z.T @ z / (x.shape[0] - 1)
    vals, vecs = np.linalg.eigh(corr)
    order = np.argsort(vals)[::-1]
    vals, vecs = vals[order], vecs[:, order]
    vecs = vecs * np.where(vecs.sum(axis=0) < 0, -1.0, 1.0)
    return vals / vals.sum(), vecs


def group_consistency(result: Result) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per aggregate: children, complete rows, rows dropped, α, PC1 share;
    per aggregate × component × child: variance share and loading)."""
    fw = result.framework
    summary, loadings = [], []
    for node in reversed(fw.aggregation_order):
        kids = fw.children[node]
        x, dropped = _children_matrix(result, node)
        alpha = cronbach_alpha(x)
        shares = np.full(len(kids), np.nan)
        if len(kids) >= 2 and x.shape[0] >= 3 and np.all(x.std(axis=0, ddof=1) > 0):
            shares, vecs = pca(x)
            for c in range(len(kids)):
                for i, kid in enumerate(kids):
                    loadings.append({"aggregate": node, "component": c + 1, "variance_share": shares[c],
                                     "child": kid, "loading": vecs[i, c]})
        summary.append({"aggregate": node, "level": fw.levels[node], "children": len(kids),
                        "complete_rows": x.shape[0], "rows_dropped": dropped, "cronbach_alpha": alpha,
                        "pc1_share": shares[0], "components_over_1": int(np.sum(shares * len(kids) > 1))})
    return pd.DataFrame(summary), pd.DataFrame(
        loadings, columns=["aggregate", "component", "variance_share", "child", "loading"])
