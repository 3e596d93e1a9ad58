"""Indicator statistics and availability against hand computations."""

from __future__ import annotations

import math
import statistics
from dataclasses import replace

import numpy as np
import pytest

from nevindex.audit.stats import availability_by_group, availability_by_unit, indicator_stats
from nevindex.build import build


def _excel_skew(v: list[float]) -> float:
    n = len(v)
    m = statistics.fmean(v)
    s2 = sum((x - m) ** 2 for x in v)
    s3 = sum((x - m) ** 3 for x in v)
    g = math.sqrt(n) * s3 / s2**1.5
    return g * math.sqrt(n * (n - 1)) / (n - 2)


def test_statistics_by_hand(small) -> None:
    values = small.dataset.values.copy()
    col = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 100.0]
    values[0, :, 0] = col
    values[0, 3, 0] = np.nan  # drop the 4
    res = build(small.framework, replace(small.dataset, values=values), small.recipe)
    row = indicator_stats(res).set_index("indicator").loc["a"]
    present = [x for i, x in enumerate(col) if i != 3]
    assert row.n == 11 and row.missing_share == pytest.approx(1 / 12)
    assert row["min"] == 1.0 and row["max"] == 100.0
    assert row["mean"] == pytest.approx(statistics.fmean(present))
    assert row["median"] == statistics.median(present)
    assert row["sd"] == pytest.approx(statistics.stdev(present))
    assert row["skew"] == pytest.approx(_excel_skew(present))
    # quartiles (type 7) of the 11 values: 3.5 and 9.5 → fences −5.5 and 18.5: only 100 is out
    assert row.n_outliers_high == 1 and row.n_outliers_low == 0 and row.flag_outliers
    assert row.flag_skew_kurt == (abs(row["skew"]) >= 2 and row["kurt"] >= 3.5)
    assert "outliers" in row["flags"]


def test_availability(small) -> None:
    res = build(small.framework, small.dataset, small.recipe)
    by_unit = availability_by_unit(res).set_index("unit")
    assert by_unit.loc["U02", "n_present"] == 4 and by_unit.loc["U02", "share"] == pytest.approx(0.8)
    assert by_unit.loc["U02", "share_P1"] == pytest.approx(2 / 3) and by_unit.loc["U02", "share_P2"] == 1.0
    assert by_unit.loc["U05", "share_P2"] == pytest.approx(0.5)
    assert by_unit.loc["U00", "share_Index"] == 1.0
    groups = availability_by_group(res).set_index("group")
    # U02 (south) and U05 (north) each miss one value of five
    assert groups.loc["south", "units"] == 6
    assert groups.loc["south", "mean_share"] == pytest.approx((5 * 1 + 0.8) / 6)
    assert groups.loc["north", "min_share"] == pytest.approx(0.8)
