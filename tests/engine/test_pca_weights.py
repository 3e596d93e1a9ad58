"""PCA weights at chosen levels (COINr get_PCA(Level = L, by_groups = TRUE)) and the sign policy."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nevindex.build import build
from nevindex.dataset import load_dataset
from nevindex.errors import KernelError, RecipeError
from nevindex.framework import framework_from_mapping, load_framework
from nevindex.methods.aggregate import aggregate
from nevindex.recipe import recipe_from_mapping


def _pc1_by_svd(x: np.ndarray) -> np.ndarray:
    """PC1 loadings the way R's prcomp(center, scale) finds them: SVD of the standardised data."""
    x = x[~np.isnan(x).any(axis=1)]
    z = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    v = np.linalg.svd(z, full_matrices=False)[2][0]
    return v if v.sum() > 0 else -v  # the sign of a component is arbitrary; orient to a positive sum


def _three_children(matrix_dataset):
    fw = framework_from_mapping({
        "framework": {"code": "P", "version": "1", "name": "PCA"},
        "aggregates": [{"code": "Index", "name": "Index"}, {"code": "P1", "name": "P1", "parent": "Index"},
                       {"code": "P2", "name": "P2", "parent": "Index"}],
        "indicators": [{"code": c, "name": c, "parent": "P1"} for c in "abc"]
                      + [{"code": "d", "name": "d", "parent": "P2"}, {"code": "e", "name": "e", "parent": "P2"}],
    })
    a = np.array([1.0, -1, 1, -1])
    b = np.array([1.0, 1, -1, -1])  # uncorrelated with a, same variance
    c = -(a + b)  # r(a, c) = r(b, c) = −1/√2
    d = np.array([1.0, 2, 4, 3])
    e = np.array([2.0, 1, 3, 5])
    return fw, matrix_dataset(np.column_stack([a + 5, b + 5, c + 5, d, e]), list("abcde"))


def test_pc1_of_a_constructed_group_by_hand(matrix_dataset):
    # R = [[1, 0, −c], [0, 1, −c], [−c, −c, 1]], c = 1/√2: R·(1, 1, −√2) = 2·(1, 1, −√2), the largest
    # eigenvalue (the others are 1 and 0), so PC1 = (1, 1, −√2)/2
    fw, ds = _three_children(matrix_dataset)
    res = build(fw, ds, recipe_from_mapping({"weights": {"method": "pca", "levels": [1]}}))
    assert [res.weights[k] for k in "abc"] == pytest.approx([0.5, 0.5, -math.sqrt(2) / 2], abs=1e-12)
    assert res.weights["P1"] == res.weights["P2"] == 1.0  # level 2 keeps the framework's weights
    # a_amean: Σ w x / Σ w with the signed weights
    w = np.array([0.5, 0.5, -math.sqrt(2) / 2])
    expected = res.normalised[:, :3] @ w / w.sum()
    assert res.score("P1") == pytest.approx(expected, abs=1e-12)
    assert res.index == pytest.approx((res.score("P1") + res.score("P2")) / 2, abs=1e-12)
    warnings = next(e for e in res.log if e.step == "weights").details["warnings"]
    assert len(warnings) == 1 and "'P1'" in warnings[0] and "for c" in warnings[0]


def test_sign_policies(matrix_dataset):
    fw, ds = _three_children(matrix_dataset)
    res = build(fw, ds, recipe_from_mapping({"weights": {"method": "pca", "levels": [1], "sign": "abs"}}))
    assert [res.weights[k] for k in "abc"] == pytest.approx([0.5, 0.5, math.sqrt(2) / 2], abs=1e-12)
    assert "warnings" not in next(e for e in res.log if e.step == "weights").details
    with pytest.raises(RecipeError, match="negative effective weight for c"):
        build(fw, ds, recipe_from_mapping({"weights": {"method": "pca", "levels": [1], "sign": "error"}}))


def test_asem_level_2_equals_pc1_of_the_nominal_pillar_scores(asem_dir):
    fw = load_framework(asem_dir / "ASEM_iMeta.csv")
    ds = load_dataset(asem_dir / "ASEM_iData.csv")
    nominal = build(fw, ds)  # COINr's "Aggregated" data set: the level-2 scores with the nominal weights
    res = build(fw, ds, recipe_from_mapping({"weights": {"method": "pca", "levels": [2]}}))
    for parent in ("Conn", "Sust"):
        kids = fw.children[parent]
        x = np.column_stack([nominal.score(k) for k in kids])
        np.testing.assert_allclose([res.weights[k] for k in kids], _pc1_by_svd(x), rtol=1e-10, atol=1e-12)
        # the rebuilt parent: Σ w x / Σ w over the unchanged pillar scores
        w = np.array([res.weights[k] for k in kids])
        np.testing.assert_allclose(res.score(parent), x @ w / w.sum(), rtol=1e-12)
    others = [c for c in fw.nodes if fw.levels[c] != 2 and c != fw.root]
    assert all(res.weights[c] == nominal.weights[c] for c in others)  # every other level unchanged
    np.testing.assert_array_equal(res.normalised, nominal.normalised)
    assert res.index == pytest.approx((res.score("Conn") + res.score("Sust")) / 2, rel=1e-12)


def test_asem_pca_below_the_index_builds_as_coinr_would_and_says_so(asem_dir):
    """Today's failure ("weights must be finite and non-negative") is gone: signed loadings are
    used as they are, and the log names every negative effective weight."""
    fw = load_framework(asem_dir / "ASEM_iMeta.csv")
    ds = load_dataset(asem_dir / "ASEM_iData.csv")
    res = build(fw, ds, recipe_from_mapping({"weights": {"method": "pca", "levels": [1, 2]}}))
    negative = {k for k, w in res.weights.items() if w < 0}
    warned = " ".join(next(e for e in res.log if e.step == "weights").details["warnings"])
    assert negative and all(k in warned for k in negative)
    assert np.isfinite(res.index).all()


def test_asem_pca_at_the_index_cancels_and_is_refused(asem_dir):
    """ASEM's two top pillars correlate negatively, so PC1 loads them ±1/√2: the weights sum to zero
    (to the last bit or to 1e-17, by BLAS) and a mean divided by that sum is meaningless."""
    fw = load_framework(asem_dir / "ASEM_iMeta.csv")
    ds = load_dataset(asem_dir / "ASEM_iData.csv")
    with pytest.raises(RecipeError, match="children of 'Index' sum to zero"):
        build(fw, ds, recipe_from_mapping({"weights": {"method": "pca"}}))
    signs_dropped = build(fw, ds, recipe_from_mapping({"weights": {"method": "pca", "sign": "abs"}}))
    assert signs_dropped.weights["Conn"] == pytest.approx(signs_dropped.weights["Sust"])


def test_nodes_must_be_whole_sibling_groups_and_levels_must_exist(asem_dir):
    fw = load_framework(asem_dir / "ASEM_iMeta.csv")
    ds = load_dataset(asem_dir / "ASEM_iData.csv")
    with pytest.raises(RecipeError, match="not its siblings 'Sust'"):
        build(fw, ds, recipe_from_mapping({"weights": {"method": "pca", "nodes": ["Conn"]}}))
    both = build(fw, ds, recipe_from_mapping({"weights": {"method": "pca", "nodes": ["Conn", "Sust"]}}))
    by_level = build(fw, ds, recipe_from_mapping({"weights": {"method": "pca", "levels": [3]}}))
    assert both.weights == by_level.weights and both.weights["Conn"] != 1.0
    with pytest.raises(RecipeError, match="no weighted nodes at level 4"):
        build(fw, ds, recipe_from_mapping({"weights": {"method": "pca", "levels": [4]}}))
    with pytest.raises(RecipeError, match="did you mean 'Physical'"):
        build(fw, ds, recipe_from_mapping({"weights": {"method": "pca", "nodes": ["Physicl"]}}))
    with pytest.raises(RecipeError, match="data-driven"):
        recipe_from_mapping({"weights": {"method": "equal", "levels": [2]}})


def test_signed_weights_in_the_kernels_by_hand():
    x = np.array([[10.0, 20.0, 30.0], [1.0, 2.0, 3.0]])
    w = np.array([1.0, 1.0, -1.0])  # Σ w = 1
    assert aggregate(x, w, "arithmetic", negative_weights=True) == pytest.approx([10 + 20 - 30, 1 + 2 - 3])
    assert aggregate(x, w, "geometric", negative_weights=True) == pytest.approx([10 * 20 / 30, 1 * 2 / 3])
    with pytest.raises(KernelError, match="non-negative"):
        aggregate(x, w, "arithmetic")  # off by default
    with pytest.raises(KernelError, match="non-negative"):
        aggregate(x, w, "copeland", negative_weights=True)
    gap = np.array([[10.0, np.nan, 40.0]])  # present weights 1 − 1 = 0: no mean
    with pytest.raises(KernelError, match="sum to zero") as err:
        aggregate(gap, w, "arithmetic", negative_weights=True)
    assert err.value.units == [0]


def test_a_group_whose_pc1_sums_to_zero_is_refused(matrix_dataset):
    # e = 10 − d: R = [[1, −1], [−1, 1]], PC1 = (1, −1)/√2, whose weights sum to zero
    fw, ds = _three_children(matrix_dataset)
    values = ds.values.copy()
    values[0, :, 4] = 10 - values[0, :, 3]
    from dataclasses import replace

    with pytest.raises(RecipeError, match="children of 'P2' sum to zero"):
        build(fw, replace(ds, values=values), recipe_from_mapping({"weights": {"method": "pca", "levels": [1]}}))
