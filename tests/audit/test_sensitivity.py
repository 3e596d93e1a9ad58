"""Sobol' indices through the same estimator path as the audit."""

from __future__ import annotations

import numpy as np
import pytest

from nevindex.audit import run_audit
from nevindex.audit.sensitivity import sobol_indices, unit_sample


def test_ishigami_indices_close_to_analytic() -> None:
    names = ["x1", "x2", "x3"]
    u = unit_sample(names, names, 4096, seed=2024)
    assert u.shape == (4096 * 5, 3)
    x = -np.pi + 2 * np.pi * u
    a, b = 7.0, 0.1
    y = np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])
    table = sobol_indices(names, names, y, bootstrap=200, seed=1).set_index("factor")
    # analytic values: V = a²/8 + bπ⁴/5 + b²π⁸/18 + 1/2
    v = a**2 / 8 + b * np.pi**4 / 5 + b**2 * np.pi**8 / 18 + 0.5
    v1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * np.pi**8 * (1 / 18 - 1 / 50)
    s1 = [v1 / v, v2 / v, 0.0]
    st = [(v1 + v13) / v, v2 / v, v13 / v]
    assert s1 == pytest.approx([0.314, 0.442, 0.0], abs=1e-3)
    np.testing.assert_allclose(table["S1"], s1, atol=0.03)
    np.testing.assert_allclose(table["ST"], st, atol=0.03)
    assert np.all(table["S1_low"] <= table["S1"]) and np.all(table["S1"] <= table["S1_high"])


def test_grouped_variables_give_one_index_per_group() -> None:
    names, groups = ["a", "b1", "b2"], ["A", "B", "B"]
    u = unit_sample(names, groups, 1024, seed=3)
    assert u.shape == (1024 * 4, 3)
    y = u[:, 0] + u[:, 1] + u[:, 2]  # additive: S1 = ST = 1/3 for A, 2/3 for the group B
    table = sobol_indices(names, groups, y, bootstrap=100, seed=3).set_index("factor")
    assert list(table.index) == ["A", "B"]
    np.testing.assert_allclose(table["S1"], [1 / 3, 2 / 3], atol=0.03)
    np.testing.assert_allclose(table["ST"], [1 / 3, 2 / 3], atol=0.03)


def test_audit_sensitivity_single_factor_and_inert_noise(small) -> None:
    spec = {"seed": 4, "runs": 10,
            "factors": [{"address": "normalise.method", "alternatives": ["minmax", "rank"]}],
            "weight_noise": [{"level": 2, "f": 0.0}],
            "sensitivity": {"n": 32, "bootstrap": 100}}
    audit = run_audit(small.framework, small.dataset, small.recipe, spec)
    sens = audit.sensitivity
    assert sens.evaluation.design.runs == 32 * (2 + 2)
    table = sens.indices.set_index("factor")
    assert table.loc["weights level 2", "ST"] == 0.0  # f = 0 changes nothing
    assert table.loc["normalise.method", "ST"] == pytest.approx(1.0, abs=0.15)
    assert table.loc["normalise.method", "S1"] == pytest.approx(1.0, abs=0.3)
    again = run_audit(small.framework, small.dataset, small.recipe, spec).sensitivity.indices
    assert again.equals(sens.indices)
