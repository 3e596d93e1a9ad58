"""Wrong specs fail early with errors that name the thing at fault."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nevindex.audit import run_audit
from nevindex.audit.spec import resolve_variables, spec_from_mapping
from nevindex.errors import DataError, RecipeError


def test_unknown_setting_address(small) -> None:
    with pytest.raises(RecipeError, match="normalise.methd"):
        run_audit(small.framework, small.dataset, small.recipe,
                  {"factors": [{"address": "normalise.methd", "alternatives": ["minmax"]}]})


def test_unknown_method_names_factor_and_alternative(small) -> None:
    with pytest.raises(RecipeError, match="factor 'aggregate.method', alternative 'geometrc'"):
        run_audit(small.framework, small.dataset, small.recipe,
                  {"factors": [{"address": "aggregate.method", "alternatives": ["arithmetic", "geometrc"]}]})


def test_empty_alternatives() -> None:
    with pytest.raises(RecipeError, match="factor 'treat.enabled' has no alternatives"):
        spec_from_mapping({"factors": [{"address": "treat.enabled", "alternatives": []}]})


def test_design_naming_a_missing_weight_set(small, tmp_path) -> None:
    pd.DataFrame({"aggregate.method": ["arithmetic", "geometric"], "weight_set": ["A", "Z"]}).to_csv(
        tmp_path / "d.csv", index=False)
    pd.DataFrame({"set": ["A"], "node": ["a"], "weight": [2.0]}).to_csv(tmp_path / "w.csv", index=False)
    with pytest.raises(DataError) as err:
        run_audit(small.framework, small.dataset, small.recipe,
                  {"design": str(tmp_path / "d.csv"), "weight_sets": str(tmp_path / "w.csv")})
    text = str(err.value)
    assert "weight set 'Z'" in text and "row 3" in text and "d.csv" in text


def test_design_cell_that_is_not_an_alternative(small, tmp_path) -> None:
    pd.DataFrame({"aggregate.method": ["arithmetic", "median"]}).to_csv(tmp_path / "d.csv", index=False)
    with pytest.raises(RecipeError, match="median"):
        run_audit(small.framework, small.dataset, small.recipe, {"design": str(tmp_path / "d.csv")})
    pd.DataFrame({"aggregate.method": ["arithmetic"], "normalise.metod": ["rank"]}).to_csv(
        tmp_path / "e.csv", index=False)
    with pytest.raises(DataError, match="normalise.metod"):
        run_audit(small.framework, small.dataset, small.recipe, {"design": str(tmp_path / "e.csv")})


@pytest.mark.parametrize("n, message", [(8, "too small for the design"), (24, "power of 2")])
def test_sensitivity_n_too_small_or_not_a_power_of_two(small, n, message) -> None:
    spec = {"factors": [{"address": "aggregate.method", "alternatives": ["arithmetic", "geometric"]}],
            "sensitivity": {"n": n}}
    with pytest.raises(RecipeError, match=message):
        run_audit(small.framework, small.dataset, small.recipe, spec)


def test_sensitivity_n_must_cover_the_alternatives(small) -> None:
    """Nine alternatives need at least 18 base samples, so n = 16 is refused (the next power of 2 is 32)."""
    alternatives = [{"value": "minmax", "label": f"m{i}", "params": {"upper": 10 + i}} for i in range(9)]
    spec = {"factors": [{"address": "normalise.method", "alternatives": alternatives}], "sensitivity": {"n": 16}}
    with pytest.raises(RecipeError, match="n ≥ 32"):
        run_audit(small.framework, small.dataset, small.recipe, spec)


def test_weight_noise_errors(small) -> None:
    bad = [({"level": 7}, "no weighted node at level 7"),
           ({"parent": "P3"}, "'P3' is not an aggregate"),
           ({"nodes": ["a", "zz"]}, "'zz' is not a weighted node")]
    for entry, message in bad:
        with pytest.raises(RecipeError, match=message):
            resolve_variables(spec_from_mapping({"weight_noise": [entry]}), small.framework, small.recipe)
    with pytest.raises(RecipeError, match="perturbed twice"):
        resolve_variables(spec_from_mapping({"weight_noise": [{"level": 1}, {"parent": "P1"}]}),
                          small.framework, small.recipe)
    with pytest.raises(RecipeError, match="exactly one of"):
        spec_from_mapping({"weight_noise": [{"level": 1, "parent": "P1"}]})
    with pytest.raises(RecipeError, match="weight_noise.0.f"):
        spec_from_mapping({"weight_noise": [{"level": 1, "f": 1.5}]})


def test_unknown_spec_key_and_runs_mismatch(small, tmp_path) -> None:
    with pytest.raises(RecipeError, match="unknown setting 'run'"):
        spec_from_mapping({"run": 10})
    pd.DataFrame({"aggregate.method": ["arithmetic"] * 3}).to_csv(tmp_path / "d.csv", index=False)
    with pytest.raises(RecipeError, match="runs = 5 but the design table has 3 rows"):
        run_audit(small.framework, small.dataset, small.recipe, {"runs": 5, "design": str(tmp_path / "d.csv")})


def test_method_params_reset_unless_nominal(small) -> None:
    spec = spec_from_mapping({"factors": [{"address": "normalise.method", "alternatives": ["minmax", "zscore"]}]})
    factor = resolve_variables(spec, small.framework, small.recipe).factors[0]
    assert factor.settings[0] == {"normalise.method": "minmax"}  # nominal method keeps [1, 100]
    assert factor.settings[1] == {"normalise.method": "zscore", "normalise.params": {}}


def test_uniform_binning_of_categorical_factors(small) -> None:
    spec = spec_from_mapping({"factors": [
        {"address": "aggregate.method", "alternatives": ["arithmetic", "geometric"]},
        {"address": "normalise.method", "alternatives": ["minmax", "rank", "borda"]}],
        "weight_noise": [{"nodes": ["a"], "f": 0.2}]})
    v = resolve_variables(spec, small.framework, small.recipe)
    u = np.array([[0.0, 0.0, 0.0], [0.499, 0.333, 0.5], [0.5, 0.334, 0.75], [0.999, 0.667, 0.999999]])
    d = v.design(u)
    assert d.choices.tolist() == [[0, 0], [0, 0], [1, 1], [1, 2]]
    a = d.nodes.index("a")
    np.testing.assert_allclose(d.multipliers[:, a], [0.8, 1.0, 1.1, 1.2], atol=1e-6)
    assert np.all(np.delete(d.multipliers, a, axis=1) == 1.0)
