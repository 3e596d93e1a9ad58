"""Coverage honesty: k/n per element, rules for rating, ranks among rated brands, scope flags."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from nevindex.build import build
from nevindex.dataset import Dataset
from nevindex.framework import framework_from_mapping
from nevindex.nev.coverage import CoverageRules, coverage_note, coverage_table, unscored_indicators
from nevindex.nev.data import load_nev_dataset
from nevindex.nev.edition import build_edition, edition_framework

nan = float("nan")


def _framework(extra_indicator: bool = False):
    gp = {"normalise": {"method": "goalposts", "lower": 0, "upper": 10, "scale": 100}}
    indicators = [
        {"code": "i1", "name": "i1", "parent": "E1", "params": gp},
        {"code": "i2", "name": "i2", "parent": "E1", "params": gp},
        {"code": "i3", "name": "i3", "parent": "E2", "params": gp},
        {"code": "i4", "name": "i4", "parent": "E3", "params": gp},
    ]
    if extra_indicator:
        indicators.append({"code": "i5", "name": "i5", "parent": "E4", "params": gp})
    aggregates = [{"code": "idx", "name": "index"}] + [
        {"code": e, "name": e, "parent": "idx"} for e in ("E1", "E2", "E3", *(["E4"] if extra_indicator else []))]
    return framework_from_mapping({
        "framework": {"code": "t", "version": "1", "name": "test",
                      "meta": {"coverage": {"min_element_indicators": 1, "min_elements": 2, "min_unit_coverage": 0.5}}},
        "aggregates": aggregates, "indicators": indicators,
        "recipe": {"screen": {"method": "none"}},
        "ratings": [{"label": "A", "min": 60}, {"label": "B", "min": 40}, {"label": "C", "min": 0}],
    })


def _data(with_i5: bool = False) -> Dataset:
    rows = {"a": [10, 0, 5, nan], "b": [nan, nan, 10, 10], "c": [5, nan, nan, nan], "d": [2, 4, nan, 6]}
    units = tuple(rows)
    values = np.array([[rows[u] + ([nan] if with_i5 else []) for u in units]], dtype=float)
    columns = ("i1", "i2", "i3", "i4", *(("i5",) if with_i5 else ()))
    prov = pd.DataFrame([
        {"year": 2024, "unit": "d", "column": "i4", "value": 6.0, "row": 2, "notes": "SCOPE: group figure"},
        {"year": 2024, "unit": "a", "column": "i1", "value": 10.0, "row": 3, "notes": "company figure"},
    ])
    return Dataset(units, columns, (2024,), values, tuple(u.upper() for u in units), {}, prov, "test")


def test_counts_rules_and_published_ranks_by_hand():
    fw = _framework()
    result = build(fw, _data())
    table = coverage_table(result).set_index("unit")
    # element scores (goalposts 0..10 → 0..100, mean of present children) and k/n
    assert table.loc["a", "E1_score"] == 50 and table.loc["a", "E1_observed"] == 2 and table.loc["a", "E1_indicators"] == 2
    assert table.loc["a", "E2_score"] == 50 and not table.loc["a", "E3_rated"] and table.loc["a", "E3_observed"] == 0
    assert math.isnan(table.loc["a", "E3_score"])
    assert table.loc["d", "E1_score"] == pytest.approx(30) and table.loc["d", "E3_score"] == pytest.approx(60)
    # coverage shares
    assert table.loc["a", "coverage"] == 0.75 and table.loc["b", "coverage"] == 0.5 and table.loc["c", "coverage"] == 0.25
    # rules: c has one element and 25 % coverage → not rated, though the engine scored it
    assert not table.loc["c", "rated"] and math.isnan(table.loc["c", "index"])
    assert table.loc["c", "engine_index"] == 50 and pd.isna(table.loc["c", "rating"])
    assert "1 of 3 elements rated (needs 2)" in table.loc["c", "status"] and "coverage 25%" in table.loc["c", "status"]
    # rated brands: index = engine's, ranks counted among rated brands only
    assert table.loc["b", "index"] == 100 and table.loc["a", "index"] == 50 and table.loc["d", "index"] == pytest.approx(45)
    assert table.loc["b", "rank"] == 1 and table.loc["a", "rank"] == 2 and table.loc["d", "rank"] == 3
    assert math.isnan(table.loc["c", "rank"])
    assert (table.loc["b", "rating"], table.loc["a", "rating"], table.loc["d", "rating"]) == ("A", "B", "B")
    # scope flags come from the notes of the values used
    assert table.loc["d", "scope"] == "i4" and table.loc["a", "scope"] == ""
    # rows: rated by rank first, then not rated
    assert coverage_table(result)["unit"].tolist() == ["b", "a", "d", "c"]


def test_stricter_rules_rate_fewer_brands():
    result = build(_framework(), _data())
    strict = coverage_table(result, CoverageRules(min_element_indicators=2, min_elements=1, min_unit_coverage=0.0))
    strict = strict.set_index("unit")
    # only E1 has two indicators; with k ≥ 2 required, b's E2/E3 (one indicator each) are not rated
    assert not strict.loc["b", "rated"] and strict.loc["a", "rated"] and strict.loc["d", "rated"]
    assert not strict.loc["a", "E2_rated"] and strict.loc["a", "E1_rated"]


def test_note_reports_rated_count_and_suspensions():
    result = build(_framework(), _data())
    note = coverage_note(result, coverage_table(result), ("i9",))
    assert "4 brands with data, 3 rated" in note and "suspended (no data in 2024): i9" in note
    assert "1 brand uses group-level (SCOPE) figures" in note


def test_edition_framework_suspends_indicators_without_data_and_empty_aggregates():
    fw = _framework(extra_indicator=True)
    data = _data(with_i5=True)
    edition_fw, suspended = edition_framework(fw, data, 2024)
    assert suspended == ("i5", "E4")
    assert "i5" not in edition_fw.indicator_codes and "E4" not in edition_fw.aggregate_codes
    assert edition_fw.framework.meta["edition"]["suspended"] == ["i5", "E4"]
    same, none = edition_framework(_framework(), _data(), 2024)
    assert none == () and same is not None


@pytest.mark.parametrize("year", [2023, 2024])
def test_shipped_editions_obey_their_rules(year):
    edition = build_edition(year)
    result, table, rules = edition.result, edition.table, edition.rules
    fw = result.framework
    data = result.dataset
    rated = table[table["rated"]]
    assert len(rated) >= 5
    assert sorted(rated["rank"].tolist()) == list(range(1, len(rated) + 1))
    assert (rated["elements_rated"] >= rules.min_elements).all() and (rated["coverage"] >= rules.min_unit_coverage).all()
    unrated = table[~table["rated"]]
    assert unrated["index"].isna().all() and unrated["rating"].isna().all() and unrated["rank"].isna().all()
    matrix = data.matrix(fw.indicator_codes, year)
    for rec in table.to_dict("records"):
        u = data.units.index(rec["unit"])
        assert rec["n_observed"] == int(np.isfinite(matrix[u]).sum())
        for element in ("tangible", "quality", "innovation", "service", "intangible"):
            cols = [fw.indicator_codes.index(c) for c in fw.indicators_under(element)]
            assert rec[f"{element}_observed"] == int(np.isfinite(matrix[u, cols]).sum())
            if rec[f"{element}_rated"]:
                r = result.units.index(rec["unit"])
                assert rec[f"{element}_score"] == result.score(element)[r]
        if rec["rated"]:
            assert rec["rating"] == fw.rating(rec["index"])
    assert table["imputed"].sum() == 0  # the methodology never imputes


def test_editions_score_exactly_the_indicators_with_five_brands(nev):
    """An indicator is scored in an edition iff at least 5 brands have a value (counted here from the
    derived data) and, for an input ratio, its level measure is scored too; the rest is listed."""
    fw, data = nev
    for year in (2023, 2024):
        edition = build_edition(year)
        counts = {c: int(np.isfinite(data.matrix([c], year)).sum()) for c in fw.indicator_codes}
        expected = {c for c, n in counts.items() if n >= 5}
        expected -= {i.code for i in fw.indicators if i.meta.get("kind") == "input_ratio" and i.meta["pair"] not in expected}
        assert set(edition.result.framework.indicator_codes) == expected, year
        reasons = edition.result.framework.framework.meta["edition"]["reasons"]
        for code in set(fw.indicator_codes) - expected:
            assert code in edition.suspended and code in edition.note
            assert reasons[code] == ("no value" if counts[code] == 0 else f"{counts[code]} brand{'s' * (counts[code] != 1)}, needs 5"), code
    # 2023 has no 2022 revenue: revenue growth has no value at all
    assert build_edition(2023).result.framework.framework.meta["edition"]["reasons"]["revenue_growth"] == "no value"


def test_an_input_ratio_is_not_scored_without_its_level_measure():
    fw = framework_from_mapping({
        "framework": {"code": "t", "version": "1", "name": "t",
                      "meta": {"coverage": {"min_indicator_units": 2, "min_elements": 1}}},
        "aggregates": [{"code": "idx", "name": "i"}, {"code": "E", "name": "e", "parent": "idx"}],
        "indicators": [{"code": "ratio", "name": "r", "parent": "E", "meta": {"kind": "input_ratio", "pair": "level"}},
                       {"code": "level", "name": "l", "parent": "E"}, {"code": "other", "name": "o", "parent": "E"}],
    })
    assert unscored_indicators(fw, {"ratio": 9, "level": 1, "other": 0}) == {
        "ratio": "input ratio without its level measure level", "level": "1 brand, needs 2", "other": "no value"}
    assert unscored_indicators(fw, {"ratio": 9, "level": 2, "other": 2}) == {}


@pytest.mark.parametrize("year", [2023, 2024])
def test_no_rated_element_rests_on_input_ratios_alone(editions, year):
    edition = editions[year]
    result, fw = edition.result, edition.result.framework
    ratios = {i.code for i in fw.indicators if i.meta.get("kind") == "input_ratio"}
    observed = ~np.isnan(result.denominated)
    checked = 0
    for rec in edition.table.to_dict("records"):
        a = result.all_units.index(rec["unit"])
        for element in ("tangible", "quality", "innovation", "service", "intangible"):
            if not rec[f"{element}_rated"]:
                continue
            seen = {c for c in fw.indicators_under(element) if observed[a, result.indicators.index(c)]}
            assert seen - ratios, (rec["unit"], element, seen)
            checked += bool(seen & ratios)
    assert checked >= 5  # the rule is exercised: several rated elements do contain an input ratio


def test_a_brand_with_r_and_d_intensity_but_no_r_and_d_level_gets_no_innovation_score():
    """Take away BYD's 2024 exchange rate: its R&D intensity remains, its USD spend cannot be computed,
    and the pair rule leaves its innovation unscored (the engine's min_present) and not rated."""
    raw = load_nev_dataset()
    t, u = raw.years.index(2024), raw.units.index("byd")
    values = raw.values.copy()
    values[t, u, raw.columns.index("fx_proxy_per_usd_cny")] = np.nan
    changed = Dataset(raw.units, raw.columns, raw.years, values, raw.names, raw.attributes, raw.provenance, raw.source)
    edition = build_edition(2024, dataset=changed)
    row = edition.table.set_index("unit").loc["byd"]
    r = edition.result
    assert not np.isnan(r.raw[r.all_units.index("byd"), r.indicators.index("rd_intensity")])
    assert np.isnan(r.raw[r.all_units.index("byd"), r.indicators.index("rd_spend_log")])
    assert not row["innovation_rated"] and np.isnan(r.score("innovation")[r.units.index("byd")])
    assert edition.table.set_index("unit").loc["nio", "innovation_rated"]  # the others keep theirs


def test_units_dropped_by_engine_screening_are_listed_as_not_rated():
    fw = _framework()
    recipe = fw.recipe.with_settings({"screen.method": "coverage", "screen.min_observed": 0.5})
    result = build(fw, _data(), recipe)
    assert "c" not in result.units and "c" in result.all_units
    table = coverage_table(result).set_index("unit")
    assert not table.loc["c", "rated"] and table.loc["c", "E1_observed"] == 1
    assert math.isnan(table.loc["c", "E1_score"]) and "no index score" in table.loc["c", "status"]
    assert table.loc["b", "rank"] == 1 and table.loc["a", "rank"] == 2


def test_build_edition_on_changed_raw_data_rederives_and_rescores(raw_value):
    """A what-if on one observed figure flows through the derivation into the scores."""
    raw = load_nev_dataset()
    base = build_edition(2024).table.set_index("unit")
    # double XPeng's 2024 revenue: net margin and R&D intensity halve, so its tangible/innovation scores move
    changed = raw.with_value("xpeng", "revenue_cny", raw.values[raw.years.index(2024), raw.units.index("xpeng"),
                                                                 raw.columns.index("revenue_cny")] * 2, 2024)
    what_if = build_edition(2024, dataset=changed)
    result = what_if.result
    row = result.units.index("xpeng")
    margin = result.raw[result.all_units.index("xpeng"), result.indicators.index("net_margin")]
    assert margin == pytest.approx(raw_value("xpeng", 2024, "net_income_cny") / (2 * raw_value("xpeng", 2024, "revenue_cny"))
                                   * 100, rel=1e-12)
    assert what_if.table.set_index("unit").loc["xpeng", "tangible_score"] != base.loc["xpeng", "tangible_score"]
    assert result.score("innovation")[row] < base.loc["xpeng", "innovation_score"]  # 15.8 % halves to 7.9 %, below the 10 % cap


def test_engine_applies_the_coverage_rules_so_ranks_agree():
    # The published table and the engine agree: a brand is rated exactly when the engine scores
    # its index, and the published rank is the engine's rank (insight, audit and report use it).
    from nevindex.nev.edition import build_edition

    for year in (2023, 2024):
        edition = build_edition(year)
        result, table = edition.result, edition.table.set_index("unit")
        for i, unit in enumerate(result.units):
            assert bool(table.loc[unit, "rated"]) == (not np.isnan(result.index[i])), (year, unit)
            if table.loc[unit, "rated"]:
                assert table.loc[unit, "rank"] == result.rank[i]
