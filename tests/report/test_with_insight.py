"""With the insight area (levers, change decomposition): the report shows their numbers unchanged.

Skipped only while nevindex.insight is not on this branch (it lands from the insight/store branches)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nevindex.report.render import render_html
from nevindex.report.sources import ReportInputs, change_views, decompose, lever_views

pytestmark = pytest.mark.slow  # end to end: a whole report rendered


def test_levers_are_the_largest_gains(result):
    levers_mod = pytest.importorskip("nevindex.insight.levers")
    views = lever_views(result)  # the report's default step: the next better brand's value
    table = levers_mod.all_levers(result, step="next")
    for i, unit in enumerate(table.units):
        gains = np.nan_to_num(table.index_change[i], nan=-np.inf)
        if views[unit]:
            assert views[unit][0].index_gain == pytest.approx(gains.max())
            assert all(a.index_gain >= b.index_gain for a, b in zip(views[unit], views[unit][1:], strict=False))
        else:
            assert not np.any(gains > 0)


def test_change_parts_add_up_and_reach_the_page(results):
    pytest.importorskip("nevindex.insight.change")
    old, new = results[2023], results[2024]
    views = change_views(decompose(old, new, None), new)
    for unit, view in views.items():
        i = new.units.index(unit)
        total = new.index[i] - view.previous_score
        assert sum(view.contributions.values()) == pytest.approx(total, abs=1e-9)
        if view.data_part is not None and view.method_part is not None:
            assert view.data_part + view.method_part == pytest.approx(total, abs=1e-9)
    model = ReportInputs(result=new, previous=old).model("en")
    assert model.availability.change is None
    page = render_html(model)
    assert "Since 2023" in page
    movers = [u for u in model.units if u.change and math.isfinite(u.score)]
    assert movers and 'aria-label="History"' in page  # the change waterfall is drawn
