"""Goalposts per indicator in natural units (issue 12 item 10): the methodology file's bounds on log
indicators are exponentiated, multipliers folded in, and values read as a reader writes them."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nevindex.framework import framework_from_mapping
from nevindex.insight.bounds import bounds, format_natural, natural, natural_text, natural_unit


def _framework():
    def ind(code, unit, lower=None, upper=None, direction=1, **meta):
        out = {"code": code, "name": {"en": code.title(), "zh": "指标" + code}, "parent": "E", "weight": 1,
               "direction": direction, "unit": unit, "meta": meta}
        if lower is not None:
            out["params"] = {"normalise": {"method": "goalposts", "lower": lower, "upper": upper, "scale": 100}}
        return out

    return framework_from_mapping({
        "framework": {"code": "B", "version": "1", "name": "Bounds"},
        "aggregates": [{"code": "Index", "name": "Index"}, {"code": "E", "name": "E", "parent": "Index", "weight": 1}],
        "indicators": [
            ind("sales", "log10(vehicles)", 3, 7, unit_zh="log10（辆）"),
            ind("value", "log10(USD million)", 2, 5, unit_zh="log10（百万美元）"),
            ind("growth", "percent", -20, 100, unit_zh="%"),
            ind("recalls", "campaigns per 100,000 vehicles", 0, 50, direction=-1),
            ind("other", "score"),
        ],
    })


def test_log_goalposts_are_exponentiated_and_multipliers_folded() -> None:
    rows = {b.indicator: b for b in bounds(_framework(), {"sales": 12, "value": 4})}
    assert (rows["sales"].lower, rows["sales"].upper, rows["sales"].unit) == (1_000, 10_000_000, "vehicles")
    assert rows["sales"].log and rows["sales"].scored_unit == "log10(vehicles)"
    # 10^2 USD million = 100 million USD; 10^5 USD million = 100 billion USD
    assert rows["value"].lower == pytest.approx(1e8) and rows["value"].upper == pytest.approx(1e11)
    assert rows["value"].unit == "USD"
    assert (rows["growth"].lower, rows["growth"].upper, rows["growth"].log) == (-20, 100, False)
    assert rows["recalls"].direction == -1
    assert rows["other"].lower is None and rows["other"].upper is None
    assert [rows[c].n for c in ("sales", "value", "growth")] == [12, 4, 0]


def test_counts_are_optional_and_order_is_the_framework_s() -> None:
    rows = bounds(_framework())
    assert [b.indicator for b in rows] == ["sales", "value", "growth", "recalls", "other"]
    assert all(b.n is None for b in rows)


def test_chinese_units_and_names() -> None:
    rows = {b.indicator: b for b in bounds(_framework(), lang="zh")}
    assert rows["sales"].unit == "辆" and rows["sales"].name == "指标sales"
    assert rows["value"].unit == "美元" and rows["value"].upper == pytest.approx(1e11)


def test_natural_text_reads_as_a_reader_writes() -> None:
    assert natural_text(math.log10(4.27e6), "log10(vehicles)") == "4.27 million vehicles"
    assert natural_text(math.log10(4.27e6), "log10（辆）", lang="zh") == "427万辆"
    assert natural_text(3, "log10(vehicles)") == "1,000 vehicles"
    assert natural_text(4.5, "log10(USD million)") == "31.6 billion USD"
    assert natural_text(-20, "percent") == "−20 percent"
    assert natural_text(float("nan"), "percent") == "—"
    assert format_natural(1e7, "vehicles") == "10 million vehicles"


def test_natural_unit() -> None:
    assert natural_unit("log10(sites)") == ("sites", True)
    assert natural_unit("log10（座）") == ("座", True)
    assert natural_unit("percent of revenue") == ("percent of revenue", False)


@given(st.floats(min_value=-3, max_value=9, allow_nan=False))
def test_natural_inverts_the_log(x: float) -> None:
    value, unit = natural(x, "log10(vehicles)")
    assert unit == "vehicles" and math.log10(value) == pytest.approx(x)
