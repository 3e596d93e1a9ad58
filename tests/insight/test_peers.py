"""Peers: nearest units on the element profile, by hand-computed Euclidean distance."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nevindex.insight import similar_units


def test_nearest_units_by_hand(small_result):
    result = small_result()
    e = np.stack([result.score("E1"), result.score("E2")], axis=1)
    i = result.units.index("u2")
    dist = np.sqrt(((e - e[i]) ** 2).sum(axis=1))
    peers = similar_units(result, "u2", n=3)
    assert peers.rows[0].unit == "u2" and peers.rows[0].distance == 0
    expected = [result.units[k] for k in np.argsort(dist) if k != i][:3]
    assert [r.unit for r in peers.rows[1:]] == expected
    for r in peers.rows[1:]:
        k = result.units.index(r.unit)
        assert r.distance == pytest.approx(dist[k], rel=0, abs=1e-12)  # x · len / shared: not bit for bit in general
        assert r.difference["E1"] == e[k, 0] - e[i, 0]
        assert r.difference["index"] == result.index[k] - result.index[i]
        assert r.rank == result.rank[k]
    assert "Euclidean" in peers.metric


def test_within_group_and_one_member_group(small_result):
    result = small_result()
    peers = similar_units(result, "u4", within="segment")
    assert {r.unit for r in peers.rows[1:]} == {"u3", "u5"} and peers.group == "y"
    solo = similar_units(result, "u6", within="segment")
    assert [r.unit for r in solo.rows] == ["u6"] and "only unit" in solo.note


def test_missing_element_score_uses_shared_elements_scaled(small_result):
    # threshold 0.6: u5 has one of E2's two indicators, so E2 is missing for it
    result = small_result({"aggregate": {"min_present": 0.6}})
    i = result.units.index("u5")
    assert math.isnan(result.score("E2")[i])
    peers = similar_units(result, "u5", n=6)
    e1 = result.score("E1")
    for r in peers.rows[1:]:
        k = result.units.index(r.unit)
        assert abs(r.distance - abs(e1[k] - e1[i]) * math.sqrt(2)) < 1e-12
    assert peers.to_dict()["rows"][0]["elements"]["E2"] is None


def test_units_sharing_too_few_elements_are_not_peers():
    from nevindex.build import build
    from nevindex.dataset import Dataset
    from nevindex.framework import framework_from_mapping

    fw = framework_from_mapping({
        "framework": {"code": "FOUR", "version": "1", "name": "Four"},
        "aggregates": [{"code": "Index", "name": "Index"}]
        + [{"code": f"E{k}", "name": f"E{k}", "parent": "Index"} for k in range(4)],
        "indicators": [{"code": f"x{k}", "name": f"x{k}", "parent": f"E{k}"} for k in range(4)],
    })
    nan = np.nan
    values = np.array([[50, 50, 50, 50], [50, nan, nan, nan], [51, 49, nan, nan], [10, 90, 20, 80],
                       [0, 0, 0, 0], [100, 100, 100, 100]], dtype=float)
    units = ("a", "b", "c", "d", "lo", "hi")
    result = build(fw, Dataset(units, ("x0", "x1", "x2", "x3"), (2024,), values[None], units))
    rows = {r.unit for r in similar_units(result, "a", n=9).rows}
    assert "b" not in rows  # one common element of a's four
    assert {"c", "d", "lo", "hi"} <= rows  # two or more in common
    # from b's side (one element of its own) one in common is enough
    assert "a" in {r.unit for r in similar_units(result, "b", n=9).rows}
