"""Row-wise imputation (COINr Impute(impute_by = "row", group_level = L, normalise_first = TRUE))
through build(), against a cell-by-cell computation written out from the definition."""

from __future__ import annotations

import numpy as np
import pytest

from nevindex.build import build
from nevindex.dataset import load_dataset
from nevindex.errors import RecipeError
from nevindex.framework import load_framework
from nevindex.recipe import recipe_from_mapping


def _by_hand(fw, screened: np.ndarray, level: int, stat, normalise_first: bool) -> dict[tuple[int, int], float]:
    codes = fw.indicator_codes
    group = {}
    for c in codes:
        node = c
        while fw.levels[node] < level:
            node = fw.nodes[node].parent
        group[c] = node
    d = {c: fw.nodes[c].direction for c in codes}
    out = {}
    for u in range(screened.shape[0]):
        for j, c in enumerate(codes):
            if not np.isnan(screened[u, j]):
                continue
            ys = []
            for k, other in enumerate(codes):
                v = screened[u, k]
                if group[other] != group[c] or np.isnan(v):
                    continue
                if normalise_first:
                    col = screened[:, k] * d[other]
                    lo, hi = np.nanmin(col), np.nanmax(col)
                    ys.append((v * d[other] - lo) / (hi - lo))
                else:
                    ys.append(v)
            if not ys:
                continue
            y = stat(ys)
            if normalise_first:
                col = screened[:, j] * d[c]
                lo, hi = np.nanmin(col), np.nanmax(col)
                y = (y * (hi - lo) + lo) * d[c]
            out[(u, j)] = y
    return out


@pytest.mark.parametrize("method,stat", [("mean_row", np.mean), ("median_row", np.median)])
@pytest.mark.parametrize("level", [2, 3])
@pytest.mark.parametrize("normalise_first", [True, False])
def test_asem_row_imputation_equals_the_definition(asem_dir, method, stat, level, normalise_first):
    fw = load_framework(asem_dir / "ASEM_iMeta.csv")
    ds = load_dataset(asem_dir / "ASEM_iData.csv")
    recipe = recipe_from_mapping({"impute": {"method": method, "level": level, "normalise_first": normalise_first}})
    res = build(fw, ds, recipe)
    expected = _by_hand(fw, res.screened, level, stat, normalise_first)
    assert len(expected) == int(np.isnan(res.screened).sum())  # ASEM: every unit has peers in each pillar
    for (u, j), value in expected.items():
        assert res.imputed[u, j] == pytest.approx(value, rel=1e-12, abs=1e-12)
    observed = ~np.isnan(res.screened)
    np.testing.assert_array_equal(res.imputed[observed], res.screened[observed])
    entry = next(e for e in res.log if e.step == "impute").details
    assert entry["level"] == level and entry["filled"] == len(expected) and entry["gaps_left"] == 0


def test_row_imputation_differs_from_column_imputation(asem_dir):
    """Not the column mean under another name: a unit's own profile moves its imputed values."""
    fw = load_framework(asem_dir / "ASEM_iMeta.csv")
    ds = load_dataset(asem_dir / "ASEM_iData.csv")
    row = build(fw, ds, recipe_from_mapping({"impute": {"method": "mean_row"}}))
    col = build(fw, ds, recipe_from_mapping({"impute": {"method": "mean"}}))
    gaps = np.isnan(row.screened)
    assert not np.allclose(row.imputed[gaps], col.imputed[gaps])


def test_row_imputation_settings_are_checked(asem_dir):
    fw = load_framework(asem_dir / "ASEM_iMeta.csv")
    ds = load_dataset(asem_dir / "ASEM_iData.csv")
    with pytest.raises(RecipeError, match="above the index"):
        build(fw, ds, recipe_from_mapping({"impute": {"method": "mean_row", "level": 5}}))
    with pytest.raises(RecipeError, match="mean_row/median_row"):
        recipe_from_mapping({"impute": {"method": "mean", "level": 2}})
