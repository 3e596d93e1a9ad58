"""The realistic lever steps, worked by hand on the small edition (issue 12, item 4)."""

from __future__ import annotations

import numpy as np
import pytest

from nevindex.insight.levers import levers


def test_next_step_reaches_the_next_better_value(small_result):
    # u4 has a = 5; the others have 10, 20, 35, 15, 25, 0, so the next better value is 10. Min-max 0..35
    # (bounds fixed): normalised a rises by 5/35·100, a weighs 1/3 in E1 and E1 half of the index.
    result = small_result()
    lv = {x.indicator: x for x in levers(result, "u4").levers}["a"]
    assert (lv.value, lv.new_value) == (5, 10)
    assert lv.index_change == pytest.approx(5 / 35 * 100 / 3 / 2, abs=1e-9)
    # c is lower-is-better: u4 has 9 days, the nearest better value is 6
    c = {x.indicator: x for x in levers(result, "u4").levers}["c"]
    assert (c.value, c.new_value) == (9, 6)


def test_the_leader_on_an_indicator_gets_no_lever_there(small_result):
    result = small_result()
    lv = {x.indicator: x for x in levers(result, "u3").levers}["a"]  # u3 has the largest a (35)
    assert lv.new_value == lv.value and "already the best" in lv.note


def test_median_step(small_result):
    result = small_result()
    by = {x.indicator: x for x in levers(result, "u4", step="median").levers}
    assert by["a"].new_value == pytest.approx(np.median([10, 20, 35, 5, 15, 25, 0]))
    assert by["d"].new_value == by["d"].value and "median" in by["d"].note  # u4 has the best d (9)
