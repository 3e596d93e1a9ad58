"""The report model agrees with the Result, chooses cases by its documented rules, and degrades visibly."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from nevindex.report.model import ChangeView, build_model
from nevindex.report.sources import ReportInputs, audit_view, change_views


def test_units_carry_the_results_numbers(result, models):
    m = models["en"]
    assert [u.code for u in m.units] == [result.units[i] for i in np.argsort(result.rank, kind="stable")]
    for u in m.units:
        i = result.units.index(u.code)
        assert u.score == result.index[i] and u.rank == result.rank[i]
        for e in ("tangible", "quality", "innovation", "service", "intangible"):
            assert u.elements[e] == result.score(e)[i]
        assert u.rating == result.framework.rating(u.score)


def test_chinese_names_where_known(models):
    zh = {u.code: u.name for u in models["zh"].units}
    assert zh["byd"] == "比亚迪" and zh["bmw"] == "BMW"  # BMW has no Chinese name in the data


def test_element_leader_is_the_top_scorer(result, models):
    for e in models["en"].elements:
        assert e.leader == result.units[int(np.nanargmax(result.score(e.code)))]


def test_strengths_are_the_top_third_and_weaknesses_the_bottom_third(result, models):
    """The standing rule of nevindex.insight.standing (issue 12, item 3), worked by hand here."""
    codes = list(result.framework.indicator_codes)
    n = {c: int(np.isfinite(np.asarray(result.normalised)[:, j]).sum()) for j, c in enumerate(codes)}
    listed = 0
    for p in models["en"].profiles:
        for s in p.strengths:
            assert n[s.code] >= 5 and (n[s.code] - s.rank) / (n[s.code] - 1) >= 2 / 3 - 1e-9
        for s in p.weaknesses:
            assert n[s.code] >= 5 and (n[s.code] - s.rank) / (n[s.code] - 1) <= 1 / 3 + 1e-9
        listed += len(p.strengths) + len(p.weaknesses)
    assert listed > 0


def test_element_champion_rule(models):
    m = models["en"]
    champion = next(c for c in m.cases if c.rule == "element_champion")
    leads = []
    for e in m.elements:
        scores = sorted((u.elements[e.code] for u in m.units), reverse=True)
        leads.append(scores[0] - scores[1])
    assert champion.facts["lead"] == pytest.approx(max(leads))


def test_balanced_rule_picks_smallest_spread_in_top_third(models):
    m = models["en"]
    case = next(c for c in m.cases if c.rule == "balanced_profile")
    top = m.units[: math.ceil(len(m.units) / 3)]
    spreads = {u.code: max(u.elements.values()) - min(u.elements.values()) for u in top}
    champion = next(c.unit for c in m.cases if c.rule == "element_champion")
    spreads.pop(champion, None)  # a brand is featured once
    assert case.unit == min(spreads, key=spreads.get)


def test_missing_parts_are_reported_not_hidden(result):
    m = build_model(result, "en")
    assert m.availability.audit == "audit.not_run"
    assert m.availability.insight == "insight.not_run"
    assert any("uncertainty analysis has not been run" in f for f in m.findings)


def test_audit_tables_give_intervals_and_robustness(result):
    units = list(result.units)
    order = np.argsort(result.rank, kind="stable")
    frame = pd.DataFrame({"unit": units, "nominal_rank": result.rank, "median_rank": result.rank,
                          "q05_rank": np.maximum(1, result.rank - 1), "q95_rank": result.rank + 5})
    consistency = pd.DataFrame({"aggregate": ["index"], "cronbach_alpha": [0.81]})
    audit = audit_view({"rank_intervals": frame, "consistency": consistency}, result)
    m = build_model(result, "en", audit=audit)
    leader = m.units[0]
    assert leader.code == units[order[0]]
    assert leader.interval.high == leader.rank + 5
    assert m.availability.audit is None
    assert any("not robust" in f for f in m.findings)  # the leader's interval reaches rank 6


def test_change_from_the_decomposition(result, results):
    old = results[2023]
    units = tuple(u for u in result.units if u in old.units)
    old_index = np.array([old.index[old.units.index(u)] for u in units])
    new_index = np.array([result.index[result.units.index(u)] for u in units])
    delta = new_index - old_index
    parts = pd.DataFrame({"tangible": delta * 0.7, "quality": delta * 0.3, "innovation": 0.0, "service": 0.0,
                          "intangible": 0.0}, index=pd.Index(units, name="unit"))
    fake = SimpleNamespace(units=units, old_index=old_index, old_rank=np.arange(1, len(units) + 1, dtype=float),
                           group_parts=lambda which: parts, data_total=delta, method_total=np.zeros(len(units)))
    views = change_views(fake, result)
    m = build_model(result, "en", change=views, previous_year=2023)
    winner = max(m.units, key=lambda u: u.score - u.change.previous_score)
    gain = next(f for f in m.findings if f.startswith("The largest gain"))
    assert winner.name in gain and "Tangible element" in gain  # 70 % of every change is tangible
    case = next(c for c in m.cases if c.rule == "largest_gain")  # no audit: robustness not assessed
    assert case.unit == winner.code


def test_inputs_model_degrades_without_insight_and_store_modules(results):
    inputs = ReportInputs(result=results[2024], previous=results[2023])
    m = inputs.model("en")
    # whichever modules are installed, a missing part is named, never silently empty
    if m.profiles[0].levers is None:
        assert m.availability.insight
    if all(u.change is None for u in m.units):
        assert m.availability.change
    assert isinstance(ChangeView, type)


def test_intervals_follow_the_published_ranking_under_coverage_rules():
    from nevindex.report.model import AuditView, RankInterval
    from nevindex.report.sources import published_intervals

    # four units, "d" is not rated; in the runs "d" beats everyone, which must not push the rated down
    coverage = pd.DataFrame({"unit": ["a", "b", "c", "d"], "rated": [True, True, True, False],
                             "rank": [1.0, 2.0, 3.0, np.nan]})
    runs = pd.DataFrame({"run": [1, 2, 3, 4, 5], "a": [9, 9, 9, 5, 9], "b": [8, 8, 8, 8, 8],
                         "c": [1, 1, 1, 1, 1], "d": [99, 99, 99, 99, 99]})
    engine = {u: RankInterval(math.nan, math.nan, 2.0, 4.0) for u in "abcd"}  # all-unit ranks: useless here
    out = published_intervals(AuditView(intervals=engine), {"run_scores": runs}, coverage)
    # a: ranks 1,1,1,2,1 → 5th pct (linear) = 1, 95th = 1.8; c is always third
    assert out.intervals["a"].low == 1.0 and out.intervals["a"].high == pytest.approx(1.8)
    assert out.intervals["c"].low == out.intervals["c"].high == 3.0
    assert out.intervals["a"].nominal == 1.0 and "d" not in out.intervals
    # without per-run scores the audit's all-unit intervals are dropped, not shown as if comparable
    assert published_intervals(AuditView(intervals=engine), {}, coverage).intervals is None
