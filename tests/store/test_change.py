"""What changed and why: contributions add up to the index, parts add up to the change, and the
data/methodology split adds up to the total — by hand on exact binary fractions, and as a property."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nevindex.build import build
from nevindex.dataset import Dataset
from nevindex.errors import DataError
from nevindex.framework import framework_from_mapping
from nevindex.insight.change import DROPPED, contributions, decompose, old_under_new, rank_news
from nevindex.intervals import RankIntervals, UnitInterval
from nevindex.store import editions as ed
from nevindex.workflows import compare_editions

from .conftest import FRAMEWORK_YAML

GOALPOSTS = {"normalise": {"method": "goalposts", "params": {"lower": 0, "upper": 1, "scale": 1}}}


def framework(weights: dict[str, float] | None = None, recipe: dict | None = None, **changes):
    data = yaml.safe_load(FRAMEWORK_YAML)
    for node in (*data["aggregates"], *data["indicators"]):
        if weights and node["code"] in weights:
            node["weight"] = weights[node["code"]]
        node["direction"] = 1 if "direction" in node else None
        node.pop("direction") if node["direction"] is None else None
    data["recipe"] = recipe if recipe is not None else GOALPOSTS
    data.update(changes)
    return framework_from_mapping(data)


CODES = ("sales", "revenue", "recalls", "rating")


def dataset(rows: list[list[float]], year: int = 2024) -> Dataset:
    units = tuple(f"u{i}" for i in range(len(rows)))
    return Dataset(units, CODES, (year,), np.array(rows, dtype=float)[None], units)


OLD = [[0.5, 0.25, 1.0, 0.5], [0.25, 0.75, 0.5, 0.5], [0.75, 0.5, 0.25, 0.25]]
NEW = [[0.75, 0.25, 0.5, 0.5], [0.25, 0.5, 0.5, 0.5], [0.75, np.nan, 0.25, 0.75]]


def test_contributions_by_hand():
    result = build(framework(), dataset(OLD))
    c = contributions(result)
    # u0: each indicator has effective weight 1/2 · 1/2 = 1/4
    assert c.values[0].tolist() == [0.125, 0.0625, 0.25, 0.125]
    assert c.values.sum(axis=1).tolist() == result.index.tolist()  # exact on binary fractions
    assert c.exact


def test_missing_value_moves_its_weight_to_its_siblings():
    result = build(framework(), dataset(NEW))
    c = contributions(result)
    # u2 lacks revenue: sales carries the whole tangible element (1/2), quality's two share the rest
    assert c.effective_weights[2].tolist() == [0.5, 0.0, 0.25, 0.25]
    assert c.values[2].tolist() == [0.375, 0.0, 0.0625, 0.1875]
    assert c.values[2].sum() == result.index[2]


def test_data_and_methodology_split_by_hand():
    old = build(framework(), dataset(OLD, 2023))
    v2 = framework({"quality": 3})  # quality counts three times as much in the new methodology
    new = build(v2, dataset(NEW))
    middle = old_under_new(old, new)
    assert middle.year == 2023 and middle.framework.sha256() == v2.sha256()
    change = decompose(old, new, middle)
    u0 = change.units.index("u0")
    # by hand, u0: old ½·(0.5+0.25)/2 + ½·(1+0.5)/2 = 0.5625; old under new ¼·0.375 + ¾·0.75 = 0.65625;
    # new ¼·(0.75+0.25)/2 + ¾·(0.5+0.5)/2 = 0.5. Effective weights: ¼ each (old), ⅛ and ⅜ (new).
    assert change.old_index[u0] == 0.5625 and middle.index[0] == 0.65625 and change.new_index[u0] == 0.5
    assert change.method_parts[u0].tolist() == [-0.0625, -0.03125, 0.125, 0.0625]
    assert change.data_parts[u0].tolist() == [0.03125, 0.0, -0.1875, 0.0]
    assert change.parts[u0].tolist() == [-0.03125, -0.03125, -0.0625, 0.0625]
    assert change.parts[u0].sum() == change.total[u0] == -0.0625
    assert change.method_total[u0] == 0.09375 and change.data_total[u0] == -0.15625
    groups = change.group_parts()
    assert groups.loc["u0", "tangible"] == -0.0625 and groups.loc["u0", "quality"] == 0.0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    old=st.lists(st.lists(st.one_of(st.integers(0, 400).map(lambda v: v / 4), st.just(np.nan)), min_size=4,
                          max_size=4), min_size=4, max_size=7),
    shift=st.integers(-80, 80).map(lambda v: v / 4),
    w=st.lists(st.floats(0.1, 10), min_size=6, max_size=6),
    method=st.sampled_from(["minmax", "zscore", "rank", "percentile_rank"]),
)
def test_parts_add_up_to_the_change(old, shift, w, method):
    data_old = np.array(old, dtype=float)
    data_new = data_old + shift * (np.arange(data_old.size).reshape(data_old.shape) % 7)
    for data in (data_old, data_new):
        # every indicator needs two distinct values (a constant column cannot be scaled)
        for j in range(4):
            col = data[:, j]
            if np.sum(~np.isnan(col)) < 2 or np.nanmax(col) == np.nanmin(col):
                data[:2, j] = [1.0, 2.0]
    weights = dict(zip(("tangible", "quality", *CODES), w, strict=True))
    fw_old = framework(recipe={"normalise": {"method": "minmax"}})
    fw_new = framework(weights, recipe={"normalise": {"method": method}})
    old_r, new_r = build(fw_old, dataset(data_old.tolist(), 2023)), build(fw_new, dataset(data_new.tolist()))
    change = decompose(old_r, new_r, old_under_new(old_r, new_r))
    scale = 1 + np.abs(change.old_index).max() + np.abs(change.new_index).max()
    assert np.all(np.abs(change.parts.sum(axis=1) - change.total) <= 1e-12 * scale)
    assert np.all(np.abs(change.data_total + change.method_total - change.total) <= 1e-12 * scale)
    assert np.all(np.abs(change.group_parts().sum(axis=1).to_numpy() - change.total) <= 1e-12 * scale)
    for r in (old_r, new_r):
        c = contributions(r)
        assert np.allclose(c.values.sum(axis=1), r.index, rtol=0, atol=1e-12 * scale)


def test_non_arithmetic_aggregation_still_adds_up_but_says_it_is_a_convention():
    recipe = {"normalise": {"method": "minmax", "params": {"lower": 1, "upper": 100}},
              "aggregate": {"method": "geometric"}}
    old_r = build(framework(recipe=recipe), dataset(OLD, 2023))
    new_r = build(framework(recipe=recipe), dataset(NEW))
    change = decompose(old_r, new_r)
    assert not change.exact and any("convention" in n for n in change.notes)
    assert np.allclose(change.parts.sum(axis=1), change.total, rtol=0, atol=1e-12)
    assert change.data_parts is None


def test_indicators_dropped_by_the_new_methodology_are_their_own_group():
    data = yaml.safe_load(FRAMEWORK_YAML)
    data["indicators"] = [i for i in data["indicators"] if i["code"] != "rating"]
    data["recipe"] = GOALPOSTS
    smaller = framework_from_mapping(data)
    old_r = build(framework(), dataset(OLD, 2023))
    new_r = build(smaller, dataset(NEW))
    change = decompose(old_r, new_r)
    assert change.groups[DROPPED] == ("rating",)
    assert np.allclose(change.group_parts().sum(axis=1), change.total, rtol=0, atol=1e-12)
    j = change.indicators.index("rating")
    assert change.parts[:, j].tolist() == (-contributions(old_r).values[:, 3]).tolist()


def test_indicators_new_in_the_methodology_count_as_data_in_the_split():
    data = yaml.safe_load(FRAMEWORK_YAML)
    data["indicators"].append({"code": "service", "name": "Service", "parent": "quality", "weight": 1})
    data["recipe"] = GOALPOSTS
    bigger = framework_from_mapping(data)
    old_r = build(framework(), dataset(OLD, 2023))
    rows = [r + [v] for r, v in zip(NEW, (0.5, 0.25, 1.0), strict=True)]
    units = tuple(f"u{i}" for i in range(3))
    new_ds = Dataset(units, (*CODES, "service"), (2024,), np.array(rows)[None], units)
    new_r = build(bigger, new_ds)
    middle = old_under_new(old_r, new_r)  # the old data have no 'service' column
    assert "service" not in middle.indicators and middle.indicators == old_r.indicators
    change = decompose(old_r, new_r, middle)
    assert any("service" in n for n in change.notes)
    j = change.indicators.index("service")
    assert (change.method_parts[:, j] == 0).all() and (change.data_parts[:, j] == change.parts[:, j]).all()
    assert np.allclose(change.data_total + change.method_total, change.total, rtol=0, atol=1e-12)


def test_rank_moves_inside_the_interval_are_not_news():
    old = np.array([1.0, 2.0, 3.0, 4.0])
    new = np.array([2.0, 1.0, 3.0, 4.0])
    assert np.isnan(rank_news(old, new)).all()
    wide = np.array([[1, 3], [1, 3], [2, 4], [3, 4]], dtype=float)
    assert rank_news(old, new, new_interval=wide).tolist() == [0, 0, 0, 0]
    narrow = np.array([[2, 2], [1, 1], [3, 3], [4, 4]], dtype=float)
    assert rank_news(old, new, new_interval=narrow).tolist() == [1, 1, 0, 0]
    # with both intervals: news only when they do not overlap
    old_iv = np.array([[1, 1], [2, 3], [3, 3], [4, 4]], dtype=float)
    assert rank_news(old, new, old_iv, narrow).tolist() == [1, 1, 0, 0]
    assert rank_news(old, new, old_interval=wide).tolist() == [0, 0, 0, 0]


def test_store_compare_uses_stored_inputs_and_audit_intervals(store, files, tmp_path, capsys, monkeypatch):
    data = ed.import_data(store, files["data"], units_file=files["units"])
    ed.create_edition(store, year=2023, methodology=files["framework"], dataset=data.id, label="2023")
    ed.create_edition(store, year=2024, methodology=files["framework_v2"], dataset=data.id, label="2024")
    for label in ("2023", "2024"):
        ed.build_edition(store, label)
    new_ranks = ed.edition_tables(store, "2024")["scores"].query("node == 'Index'").set_index("unit")["rank"]
    # the audit says every rank of 2024 could be anywhere from 1 to 4: no move is news
    wide = RankIntervals(tuple(UnitInterval(u, r, r, r, 1.0, 4.0, 10) for u, r in new_ranks.items()))
    ed.store_audit(store, "2024", {"rank_intervals": wide.to_frame()})
    for label in ("2023", "2024"):
        ed.publish(store, label)
    change = compare_editions(store, "2023", "2024")
    assert change.data_parts is not None and change.method_parts is not None
    assert np.allclose(change.data_total + change.method_total, change.total, rtol=0, atol=1e-12)
    assert np.allclose(change.parts.sum(axis=1), change.total, rtol=0, atol=1e-12)
    moved = change.old_rank != change.new_rank
    assert moved.any() and (change.news == 0).all()
    old_scores = ed.edition_tables(store, "2023")["scores"].query("node == 'Index'").set_index("unit")["score"]
    assert change.old_index.tolist() == old_scores.loc[list(change.units)].tolist()

    from nevindex.cli import main

    monkeypatch.setenv("NEVINDEX_DB", store.url)
    assert main(["edition", "compare", "2023", "2024", "--out", str(tmp_path / "cmp")]) == 0
    out = capsys.readouterr().out
    assert "inside │" in out and "NEWS │" not in out  # every move is inside its interval
    assert "[1–4]" in out  # the 2024 ranks are shown with their interval
    summary = pd.read_csv(tmp_path / "cmp" / "change_summary.csv")
    assert set(summary["unit"]) == set(change.units)
    parts = pd.read_csv(tmp_path / "cmp" / "change_by_indicator.csv")
    assert np.allclose(parts.groupby("unit")["part"].sum().loc[summary["unit"]].to_numpy(), summary["change"],
                       rtol=0, atol=1e-12)


def test_rank_intervals_round_trip_through_the_audit_table():
    frame = pd.DataFrame({"unit": ["a", "b"], "name": ["A", "B"], "nominal_rank": [1.0, 2.0],
                          "median_rank": [1.0, 2.5], "mean_rank": [1.2, 2.4], "q05_rank": [1.0, 1.0],
                          "q95_rank": [2.0, 3.5], "q05_score": [50.0, 40.0], "q95_score": [60.0, 55.0],
                          "runs_scored": [40, 38]})
    spec = {"runs": 40, "seed": 1}
    intervals = RankIntervals.from_tables({"rank_intervals": frame, "audit_spec": RankIntervals((), spec).spec_table()})
    assert intervals.bounds() == {"a": (1.0, 2.0), "b": (1.0, 3.5)}
    assert (intervals["b"].median, intervals["b"].mean, intervals["b"].runs, intervals["b"].width) == (2.5, 2.4, 38, 2.5)
    assert intervals.spec == spec and intervals.runs == 40
    assert RankIntervals.from_frame(intervals.to_frame(), spec) == intervals  # what is written reads back equal
    assert RankIntervals.from_tables({"statistics": pd.DataFrame({"unit": ["a"], "mean": [1.0]})}) is None
    with pytest.raises(DataError, match="lacks the column"):
        RankIntervals.from_frame(frame.drop(columns=["q95_rank"]))


def test_audit_of_an_edition_stores_intervals_that_compare_uses(store, files, tmp_path, capsys, monkeypatch):
    from nevindex.cli import main

    data = ed.import_data(store, files["data"], units_file=files["units"])
    for year in (2023, 2024):
        ed.create_edition(store, year=year, methodology=files["framework"], dataset=data.id)
        ed.build_edition(store, str(year))
    spec = tmp_path / "spec.yaml"
    spec.write_text("runs: 40\nseed: 1\nweight_noise:\n  - level: 1\n    f: 0.5\n", encoding="utf-8")
    monkeypatch.setenv("NEVINDEX_DB", store.url)
    for year in ("2023", "2024"):
        assert main(["edition", "audit", year, "--spec", str(spec)]) == 0
    assert "stored" in capsys.readouterr().out
    stored = ed.audit_tables(store, "2024")
    assert {"statistics", "rank_intervals"} <= set(stored)
    intervals = ed.rank_intervals(store, "2024")
    assert intervals.spec["runs"] == 40 and set(intervals) == set(stored["rank_intervals"]["unit"])
    lo, hi = zip(*intervals.bounds().values(), strict=True)
    assert all(a <= b for a, b in zip(lo, hi, strict=True))
    change = compare_editions(store, "2023", "2024")
    assert change.old_interval is not None and change.new_interval is not None
    expected = rank_news(change.old_rank, change.new_rank, change.old_interval, change.new_interval)
    assert change.news.tolist() == expected.tolist()
    ed.publish(store, "2024")
    assert main(["edition", "audit", "2024"]) == 2  # a published edition's audit cannot change
