"""Profiles: every number traceable to the Result; strengths and weaknesses agree with ranks."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from nevindex.build import build
from nevindex.dataset import Dataset
from nevindex.errors import DataError
from nevindex.insight import profile, strengths_weaknesses
from nevindex.insight.profile import history_points, indicator_lines, rank_interval
from nevindex.intervals import RankIntervals


def _rank_among(values, i):
    """1 + number of strictly better values (ties at the minimum), by hand."""
    v = values[~np.isnan(values)]
    return 1 + int(np.sum(v > values[i]))


def test_indicator_lines_trace_to_the_result(small_result):
    result = small_result({"impute": {"method": "mean"}})
    i = result.units.index("u5")
    lines = {x.code: x for x in indicator_lines(result, "u5")}
    assert lines["d"].imputed and math.isnan(lines["d"].raw)
    assert not lines["a"].imputed and lines["a"].raw == 15
    assert lines["c"].direction == -1 and lines["c"].measure == "days"
    for j, code in enumerate(result.framework.indicator_codes):
        col = np.asarray(result.normalised)[:, j]
        assert lines[code].normalised == col[i]
        assert lines[code].rank == _rank_among(col, i)
        assert lines[code].n_ranked == np.sum(~np.isnan(col))
        assert lines[code].element == ("E1" if code in "ab" else "E2")
        assert lines[code].year == 2024


def _all_standings(sw):
    return (sw.indicator_strengths, sw.indicator_weaknesses, sw.element_strengths, sw.element_weaknesses)


@pytest.mark.parametrize("unit", ["u1", "u2", "u3", "u4", "u5"])
def test_strengths_and_weaknesses_follow_the_standing_rule(small_result, unit):
    """A strength is in the top third of the scored units (percentile ≥ 66.7), a weakness in the bottom
    third; percentile = share of the other scored units it is ahead of, worked here by hand."""
    result = small_result()
    i = result.units.index(unit)
    sw = strengths_weaknesses(result, unit, top=10)
    expected_strong, expected_weak = set(), set()
    for j, c in enumerate(result.framework.indicator_codes):
        col = np.asarray(result.normalised)[:, j]
        if math.isnan(col[i]):
            continue
        n = int(np.sum(~np.isnan(col)))
        pct = 100 * (n - _rank_among(col, i)) / (n - 1)
        if n >= 5 and pct >= 200 / 3 - 1e-9:
            expected_strong.add(c)
        elif n >= 5 and pct <= 100 / 3 + 1e-9:
            expected_weak.add(c)
    assert {s.code for s in sw.indicator_strengths} == expected_strong
    assert {s.code for s in sw.indicator_weaknesses} == expected_weak
    for s in (*sw.indicator_strengths, *sw.indicator_weaknesses, *sw.element_strengths, *sw.element_weaknesses):
        assert s.percentile == pytest.approx(100 * (s.n - s.rank) / (s.n - 1))
    # best first, worst first
    assert [s.percentile for s in sw.indicator_strengths] == sorted((s.percentile for s in sw.indicator_strengths),
                                                                    reverse=True)
    assert [s.percentile for s in sw.indicator_weaknesses] == sorted(s.percentile for s in sw.indicator_weaknesses)
    assert "top third" in sw.rule and "bottom third" in sw.rule


def test_last_place_is_never_a_strength_nor_a_high_rank_a_weakness(small_result):
    """The contradictions of issue 12: "6/6" listed as a strength, "4/26" as a weakness."""
    result = small_result()
    for unit in result.units:
        sw = strengths_weaknesses(result, unit, top=10)
        assert all(s.rank <= 1 + (s.n - 1) / 3 for s in (*sw.indicator_strengths, *sw.element_strengths))
        assert all(s.rank >= 1 + 2 * (s.n - 1) / 3 for s in (*sw.indicator_weaknesses, *sw.element_weaknesses))


def test_strengths_against_peer_group_use_ranks_within_the_group(small_result):
    result = small_result()
    sw = strengths_weaknesses(result, "u4", peers="segment", top=1)
    assert sw.group == "y" and set(sw.members) == {"u3", "u4", "u5"} and sw.size == 3
    members = [result.units.index(u) for u in sw.members]
    i = result.units.index("u4")
    for s in (*sw.indicator_strengths, *sw.indicator_weaknesses):
        j = result.framework.indicator_codes.index(s.code)
        col = np.asarray(result.normalised)[members, j]
        assert s.rank == _rank_among(col, members.index(i))
        assert s.n == np.sum(~np.isnan(col))


def test_one_member_peer_group_is_handled(small_result):
    result = small_result()
    sw = strengths_weaknesses(result, "u6", peers="segment")
    assert sw.group == "solo" and sw.size == 1 and sw.members == ("u6",)
    assert all(part == () for part in _all_standings(sw))
    assert "has 1 of the 5 brands a standing needs" in sw.note
    nogroup = strengths_weaknesses(result, "u7", peers="segment")
    assert nogroup.group is None and "no value" in nogroup.note
    # the full profile still works and keeps the all-units view
    prof = profile(result, "u6", peers="segment")
    assert prof.standing[0].against == "all" and prof.standing[0].indicator_strengths
    assert prof.standing[1].note == sw.note
    with pytest.raises(DataError, match="did you mean 'segment'"):
        strengths_weaknesses(result, "u6", peers="segmnt")


def test_profile_scores_rating_and_json(small_dataset, small_framework):
    ratings = [{"label": "A", "min": 60, "description": "leading"}, {"label": "B", "min": 40},
               {"label": "C", "min": 0}]
    fw = small_framework(ratings=ratings)
    result = build(fw, small_dataset(), fw.recipe)
    for unit in result.units:
        p = profile(result, unit, target_rank=1)
        i = result.units.index(unit)
        assert p.score == result.index[i] and p.rank == result.rank[i]
        expected = "A" if p.score >= 60 else "B" if p.score >= 40 else "C"
        assert p.rating == expected
        assert p.rating_description == ("leading" if expected == "A" else None)
        assert [e.code for e in p.elements] == ["E1", "E2"]
        for e in p.elements:
            assert e.score == result.score(e.code)[i]
        text = json.dumps(p.to_dict(), allow_nan=False)  # NaN must have become null
        back = json.loads(text)
        assert back["rank"] == int(result.rank[i])
        assert back["plan"]["status"] == ("already" if result.rank[i] == 1 else "reached")
        assert back["names"]["E1"] == {"en": "Element one", "zh": None}
    u5 = profile(result, "u5").to_dict()
    d = next(x for x in u5["indicators"] if x["code"] == "d")
    assert d["raw"] is None and d["normalised"] is None and d["rank"] is None


def test_rank_intervals_are_the_audits_typed_record(small_result):
    audit = pd.DataFrame({"unit": ["u1", "u2"], "nominal_rank": [3.0, 1.0], "median_rank": [3.5, np.nan],
                          "q05_rank": [2.0, np.nan], "q95_rank": [6.0, np.nan]})  # the audit's rank_intervals table
    intervals = RankIntervals.from_frame(audit)
    iv = rank_interval(intervals, "u1")
    assert (iv.low, iv.high, iv.median) == (2.0, 6.0, 3.5)
    assert rank_interval(intervals, "u2") is None  # never scored: NaN bounds are no interval
    assert rank_interval(intervals, "u9") is None and rank_interval(None, "u1") is None
    result = small_result()
    assert profile(result, "u1", intervals=intervals).to_dict()["rank_interval"] == {
        "low": 2.0, "high": 6.0, "median": 3.5, "source": "audit"}
    assert profile(result, "u1").rank_interval is None


@pytest.mark.parametrize("wrong", [{"u1": (1, 4)}, {"u1": {"low": 1, "high": 3}},
                                   pd.DataFrame({"unit": ["u1"], "q05_rank": [1.0], "q95_rank": [4.0]})])
def test_other_shapes_of_intervals_are_refused(small_result, wrong):
    with pytest.raises(TypeError, match="must be a nevindex.intervals.RankIntervals or None"):
        profile(small_result(), "u1", intervals=wrong, with_levers=False)


def test_rank_interval_from_an_audit_run(small_dataset, small_framework):
    from nevindex.audit.run import run_audit

    fw = small_framework()
    audit = run_audit(fw, small_dataset(), fw.recipe, {"runs": 40, "seed": 1, "weight_noise": [{"level": 1}]})
    table = audit.rank_intervals().set_index("unit")
    for unit in ("u1", "u4"):
        iv = profile(audit.result, unit, intervals=audit.intervals_by_unit(), with_levers=False).rank_interval
        assert (iv.low, iv.high, iv.median) == tuple(table.loc[unit, ["q05_rank", "q95_rank", "median_rank"]])
        assert iv.low <= iv.high


def test_history_over_editions(small_dataset, small_framework, small_result):
    fw = small_framework()
    earlier_values = small_dataset().values[0].copy()
    earlier_values[0, 0] = 30.0
    earlier = build(fw, Dataset(("u1", "u2", "u3"), ("a", "b", "c", "d", "pop"), (2023,), earlier_values[None, :3],
                                ("U1", "U2", "U3")))
    current = small_result()
    points = history_points(current, "u1", [("2023 edition", earlier)])
    assert [p.year for p in points] == [2023, 2024] and points[0].label == "2023 edition"
    assert points[0].score == earlier.index[0] and points[0].n_units == 3
    assert points[1].score == current.index[0] and points[1].rank == current.rank[0]
    assert [p.year for p in history_points(current, "u5", [earlier])] == [2024]  # absent in 2023
    prof = profile(current, "u1", history=[earlier], edition="2024 edition")
    assert [h.label for h in prof.history] == ["2023", "2024 edition"] and prof.edition == "2024 edition"


def test_sources_from_provenance(small_dataset, small_framework):
    prov = pd.DataFrame({"year": [2024, 2024], "unit": ["u1", "u2"], "column": ["a", "a"], "value": [10.0, 20.0],
                         "row": [2, 3], "source_url": ["https://example.org/u1", "https://example.org/u2"]})
    base = small_dataset()
    data = Dataset(base.units, base.columns, base.years, base.values, base.names, base.attributes, prov)
    fw = small_framework()
    result = build(fw, data, fw.recipe)
    lines = {x.code: x for x in indicator_lines(result, "u2")}
    assert lines["a"].source == {"source_url": "https://example.org/u2"}
    assert lines["b"].source is None
    # a tidy file's own "unit" (of measure) column can shadow the unit code: matched on the value
    shadowed = prov.assign(unit=["units", "units"])
    data = Dataset(base.units, base.columns, base.years, base.values, base.names, base.attributes, shadowed)
    result = build(fw, data, fw.recipe)
    line = {x.code: x for x in indicator_lines(result, "u2")}["a"]
    assert line.source["source_url"] == "https://example.org/u2"


def test_profiles_of_every_unit_match_single_profiles(small_result):
    from nevindex.insight import profiles

    result = small_result({"impute": {"method": "mean"}})
    many = profiles(result, peers="segment")
    assert [p.unit for p in many] == list(result.units)
    for p in many:
        single = profile(result, p.unit, peers="segment")
        assert json.dumps(p.to_dict(), allow_nan=False) == json.dumps(single.to_dict(), allow_nan=False)


def test_rank_among_a_single_unit_is_neither_strength_nor_weakness(small_dataset, small_framework):
    values = small_dataset().values[0].copy()
    values[1, 3] = np.nan  # u2 lacks d, so within segment x only u1 has a value of d
    fw = small_framework()
    result = build(fw, small_dataset(values), fw.recipe)
    sw = strengths_weaknesses(result, "u1", peers="segment", top=2)
    listed = {s.code for s in (*sw.indicator_strengths, *sw.indicator_weaknesses)}
    assert listed == set() and "has 2 of the 5 brands" in sw.note  # a rank among two says nothing
