"""Target-rank plans: applied to the data and rebuilt, they reach the target; edge cases say why not."""

from __future__ import annotations

import numpy as np
import pytest

from nevindex.build import build
from nevindex.errors import DataError
from nevindex.insight import plan_to_rank
from nevindex.insight.levers import spread


def _apply(result, plan):
    data = result.dataset
    for change in plan.changes:
        data = data.with_value(plan.unit, change.indicator, change.new_value, result.year)
    return build(result.framework, data, result.recipe)


def _check_reached(result, plan):
    rebuilt = _apply(result, plan)
    i = rebuilt.units.index(plan.unit)
    assert rebuilt.rank[i] <= plan.target_rank
    assert rebuilt.rank[i] == plan.rank_after
    assert rebuilt.index[i] == pytest.approx(plan.index_after, abs=1e-12)
    # bounds: no value beyond the best observed one
    _, sd, best = spread(result)
    d = np.array([ind.direction for ind in result.framework.indicators])
    for c in plan.changes:
        j = result.framework.indicator_codes.index(c.indicator)
        assert (c.new_value - best[j]) * d[j] <= 1e-9
        assert c.change * d[j] > 0
        assert c.change_sd == pytest.approx(abs(c.change) / sd[j])
    assert plan.cost_sd == pytest.approx(sum(c.change_sd for c in plan.changes))


@pytest.mark.parametrize(("unit", "target"), [("AUT", 1), ("AUT", 5), ("GBR", 3), ("CHN", 10), ("MMR", 30)])
def test_asem_plan_applied_and_rebuilt_reaches_target(asem, unit, target):
    plan = plan_to_rank(asem, unit, target)
    assert plan.status == "reached" and plan.rank_before > target
    _check_reached(asem, plan)


@pytest.mark.parametrize("recipe", [{}, {"impute": {"method": "mean"}, "normalise": {"method": "rank"}},
                                    {"aggregate": {"method": "geometric"},
                                     "normalise": {"params": {"lower": 1, "upper": 100}}}])
def test_small_plans_reach_every_reachable_target(small_result, recipe):
    result = small_result(recipe)
    for unit in result.units:
        for target in range(1, int(result.rank[result.units.index(unit)])):
            plan = plan_to_rank(result, unit, target)
            assert plan.status in ("reached", "unreachable")
            if plan.status == "reached":
                _check_reached(result, plan)
            else:  # the all-out plan it shows, rebuilt, really falls short
                rebuilt = _apply(result, plan)
                assert rebuilt.rank[rebuilt.units.index(unit)] == plan.rank_after > target


def test_plan_is_no_dearer_than_the_best_single_indicator_plan(small_dataset, small_result):
    # with min-max + arithmetic and values within the observed range, the index is linear in each
    # indicator while bounds stay put, so the cheapest single-indicator route is found by bisection
    result = small_result()
    unit, target = "u6", 3
    plan = plan_to_rank(result, unit, target)
    assert plan.status == "reached"
    i = result.units.index(unit)
    _, sd, best = spread(result)
    d = np.array([ind.direction for ind in result.framework.indicators])
    raw = small_dataset().values[0, i, :4]
    singles = []
    for j, code in enumerate(result.framework.indicator_codes):
        if np.isnan(raw[j]):
            continue
        cap = (best[j] - raw[j]) * d[j] / sd[j]
        def rank_at(delta, j=j, code=code):
            data = result.dataset.with_value(unit, code, raw[j] + d[j] * delta * sd[j], result.year)
            return build(result.framework, data, result.recipe).rank[i]
        if cap <= 0 or rank_at(cap) > target:
            continue
        lo, hi = 0.0, cap
        for _ in range(40):
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if rank_at(mid) <= target else (mid, hi)
        singles.append(hi)
    assert singles, "the test needs at least one single-indicator route"
    assert plan.cost_sd <= min(singles) * (1 + 1e-3)


def test_first_ranked_unit_gets_no_plan_but_a_message(asem):
    first = asem.units[int(np.nanargmin(asem.rank))]
    plan = plan_to_rank(asem, first, 1)
    assert plan.status == "already" and plan.reached
    assert plan.changes == () and plan.cost_sd == 0
    assert "already ranks 1" in plan.message and "no plan" in plan.message
    assert plan.to_dict()["changes"] == []


def test_unit_above_target_gets_no_plan(small_result):
    result = small_result()
    plan = plan_to_rank(result, "u3", 4)  # u3 ranks 1
    assert plan.status == "already"


def _dominated(small_dataset, small_framework):
    # u3 is best on every indicator; u5 has no value of d, and with mean imputation its d stays at
    # the mean whatever it does, so within the observed bounds it cannot tie u3
    values = small_dataset().values[0].copy()
    values[2, :4] = [40, 90, 0.5, 9.5]
    values[4, 3] = np.nan
    fw = small_framework({"impute": {"method": "mean"}})
    return build(fw, small_dataset(values), fw.recipe)


def test_unreachable_target_is_said_so(small_dataset, small_framework):
    result = _dominated(small_dataset, small_framework)
    plan = plan_to_rank(result, "u5", 1)
    assert plan.status == "unreachable" and not plan.reached
    assert "unreachable" in plan.message
    rebuilt = _apply(result, plan)  # the plan shown is "everything at its best", and it falls short
    assert rebuilt.rank[result.units.index("u5")] == plan.rank_after > 1


def test_beyond_best_allows_more(small_dataset, small_framework):
    result = _dominated(small_dataset, small_framework)
    plan = plan_to_rank(result, "u5", 1, beyond_best=1.0)
    assert plan.status == "reached"
    rebuilt = _apply(result, plan)
    assert rebuilt.rank[result.units.index("u5")] == 1
    _, sd, best = spread(result)
    d = np.array([ind.direction for ind in result.framework.indicators])
    beyond = [(c.new_value - best[result.framework.indicator_codes.index(c.indicator)])
              * d[result.framework.indicator_codes.index(c.indicator)] for c in plan.changes]
    assert max(beyond) > 0  # it needed to go past the best observed value
    assert all(b <= sd[result.framework.indicator_codes.index(c.indicator)] * (1 + 1e-12)
               for b, c in zip(beyond, plan.changes, strict=True))


def test_bad_target(small_result):
    result = small_result()
    with pytest.raises(DataError):
        plan_to_rank(result, "u4", 0)
    with pytest.raises(DataError):
        plan_to_rank(result, "u4", 99)
