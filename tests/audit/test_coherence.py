"""Correlations, Cronbach's α and PCA against hand computations and closed forms."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from scipy import stats as sps

from nevindex.audit.coherence import (
    correlation_matrix,
    correlations,
    cronbach_alpha,
    group_consistency,
    pca,
    pearson,
    spearman,
)
from nevindex.build import build


def test_pearson_by_hand() -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0])
    y = np.array([2.0, 4.0, 5.0, 4.0])
    # means 2.5 and 3.75; Σdxdy = 3.5, Σdx² = 5, Σdy² = 4.75
    r, n = pearson(x, y)
    assert n == 4
    assert r == pytest.approx(3.5 / math.sqrt(5 * 4.75), abs=1e-15)


def test_pearson_uses_pairwise_complete_rows() -> None:
    x = np.array([1.0, 2.0, np.nan, 3.0, 4.0])
    y = np.array([2.0, 4.0, 100.0, 5.0, 4.0])
    r, n = pearson(x, y)
    assert n == 4
    assert r == pytest.approx(3.5 / math.sqrt(5 * 4.75), abs=1e-15)


def test_spearman_with_ties_matches_average_ranks() -> None:
    x = np.array([1.0, 2.0, 2.0, 5.0, 7.0, 3.0])
    y = np.array([3.0, 1.0, 4.0, 4.0, 9.0, 2.0])
    # ranks of x: 1, 2.5, 2.5, 5, 6, 4 ; of y: 3, 1, 4.5, 4.5, 6, 2
    rx = np.array([1, 2.5, 2.5, 5, 6, 4])
    ry = np.array([3, 1, 4.5, 4.5, 6, 2])
    expected = np.corrcoef(rx, ry)[0, 1]
    assert spearman(x, y)[0] == pytest.approx(expected, abs=1e-14)
    assert spearman(x, y)[0] == pytest.approx(sps.spearmanr(x, y).statistic, abs=1e-14)


def test_cronbach_alpha_by_hand() -> None:
    rows = [[1, 2, 3], [2, 3, 3], [3, 3, 4], [4, 5, 6], [2, 1, 2]]
    cols = list(zip(*rows, strict=True))
    item_var = sum(statistics.variance(c) for c in cols)
    total_var = statistics.variance([sum(r) for r in rows])
    expected = 3 / 2 * (1 - item_var / total_var)
    assert cronbach_alpha(np.array(rows, dtype=float)) == pytest.approx(expected, abs=1e-14)


def test_cronbach_alpha_complete_rows_only_and_identical_items() -> None:
    x = np.array([[1.0, 1.0], [2.0, 2.0], [np.nan, 5.0], [4.0, 4.0]])
    assert cronbach_alpha(x) == pytest.approx(1.0, abs=1e-14)  # identical items: α = 1
    rows = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 5.0]])
    with_gap = np.vstack([rows, [[np.nan, 7.0]]])
    assert cronbach_alpha(with_gap) == cronbach_alpha(rows)


def test_pca_closed_forms() -> None:
    t = np.arange(10.0)
    shares, vecs = pca(np.column_stack([t, 3 * t + 1]))  # perfectly correlated
    assert shares == pytest.approx([1.0, 0.0], abs=1e-12)
    assert np.abs(vecs[:, 0]) == pytest.approx([2**-0.5, 2**-0.5], abs=1e-12)
    assert vecs[:, 0].sum() > 0
    a = np.array([1.0, -1.0, 1.0, -1.0])
    b = np.array([1.0, 1.0, -1.0, -1.0])  # uncorrelated with a
    shares, _ = pca(np.column_stack([a, b]))
    assert shares == pytest.approx([0.5, 0.5], abs=1e-12)


def test_correlation_table_relations_and_flags(small) -> None:
    res = build(small.framework, small.dataset, small.recipe)
    table = correlations(res)
    parents = table[table.relation == "parent"]
    assert set(parents.node) == {"a", "b", "c", "d", "e", "P1", "P2"}
    siblings = table[table.relation == "sibling"]
    assert {frozenset(p) for p in zip(siblings.node, siblings.other, strict=True)} == {
        frozenset(p) for p in [("a", "b"), ("a", "c"), ("b", "c"), ("d", "e"), ("P1", "P2")]}
    for _, row in table.iterrows():
        r, n = pearson(res.score(row.node), res.score(row.other))
        assert row.pearson == pytest.approx(r, abs=1e-15) and row.n == n
        if row.relation == "parent":
            assert (row.flag == "negative") == (r < 0)
            assert (row.flag == "weak") == (0 <= r < 0.3)
        else:
            assert (row.flag == "collinear") == (r > 0.92)


def test_flags_fire_on_constructed_data(small) -> None:
    ds = small.dataset
    values = ds.values.copy()
    values[0, :, 1] = values[0, :, 0] * 2 + 1  # b = 2a + 1: collinear siblings
    values[0, 2, 1] = np.nan
    values[0, :, 2] = values[0, :, 0]  # c has direction −1, so its normalised values oppose a
    from dataclasses import replace

    res = build(small.framework, replace(ds, values=values), small.recipe)
    table = correlations(res)
    pair = table[(table.relation == "sibling") & (table.node == "a") & (table.other == "b")].iloc[0]
    assert pair.flag == "collinear" and pair.pearson == pytest.approx(1.0, abs=1e-12)
    c_parent = table[(table.node == "c") & (table.relation == "parent")].iloc[0]
    assert c_parent.flag == "negative"


def test_consistency_and_matrix(small) -> None:
    res = build(small.framework, small.dataset, small.recipe)
    summary, loadings = group_consistency(res)
    p1 = summary.set_index("aggregate").loc["P1"]
    x = np.column_stack([res.score(c) for c in ("a", "b", "c")])
    complete = x[~np.isnan(x).any(axis=1)]
    assert p1.complete_rows == complete.shape[0] and p1.rows_dropped == 1
    assert p1.cronbach_alpha == pytest.approx(cronbach_alpha(complete), abs=1e-15)
    shares = loadings[loadings["aggregate"] == "P1"].drop_duplicates("component").variance_share.to_numpy()
    assert shares.sum() == pytest.approx(1.0) and np.all(np.diff(shares) <= 1e-12)
    m = correlation_matrix(res)
    assert list(m.columns) == ["Index", "P1", "P2"] and set(m.index) == {"a", "b", "c", "d", "e"}
    assert m.loc["d", "P2"] == pytest.approx(pearson(res.score("d"), res.score("P2"))[0])
