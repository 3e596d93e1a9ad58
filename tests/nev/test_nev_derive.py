"""Derivations: hand computations from the raw CSV numbers, and the operations on small panels."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nevindex.dataset import Dataset
from nevindex.derive import apply_derivations, validate_derivations
from nevindex.errors import DataError, MethodologyError

# --- the shipped methodology on the shipped data ----------------------------------------------


def test_net_margin_uses_the_same_currency_pair(cell_value, has_raw_value, raw_value, nev):
    _, data = nev
    assert cell_value(data, "byd", 2023, "net_margin") == pytest.approx(
        raw_value("byd", 2023, "net_income_cny") / raw_value("byd", 2023, "revenue_cny") * 100, rel=1e-12)
    assert cell_value(data, "tesla", 2024, "net_margin") == pytest.approx(
        raw_value("tesla", 2024, "net_income_usd") / raw_value("tesla", 2024, "revenue_usd") * 100, rel=1e-12)
    assert cell_value(data, "toyota", 2023, "net_margin") == pytest.approx(
        raw_value("toyota", 2023, "net_income_jpy") / raw_value("toyota", 2023, "revenue_jpy") * 100, rel=1e-12)
    assert cell_value(data, "bmw", 2024, "net_margin") == pytest.approx(
        raw_value("bmw", 2024, "net_income_eur") / raw_value("bmw", 2024, "revenue_eur") * 100, rel=1e-12)
    # Audi has a EUR profit but no EUR revenue: no pair, no margin (never a cross-currency ratio)
    assert has_raw_value("audi", 2023, "net_income_eur") and not has_raw_value("audi", 2023, "revenue_eur")
    assert math.isnan(cell_value(data, "audi", 2023, "net_margin"))


def test_rd_intensity_by_hand(cell_value, raw_value, nev):
    _, data = nev
    assert cell_value(data, "li-auto", 2024, "rd_intensity") == pytest.approx(
        raw_value("li-auto", 2024, "rd_expense_cny") / raw_value("li-auto", 2024, "revenue_cny") * 100, rel=1e-12)
    assert cell_value(data, "rivian", 2023, "rd_intensity") == pytest.approx(
        raw_value("rivian", 2023, "rd_expense_usd") / raw_value("rivian", 2023, "revenue_usd") * 100, rel=1e-12)
    assert cell_value(data, "mercedes-benz", 2024, "rd_intensity") == pytest.approx(
        raw_value("mercedes-benz", 2024, "rd_expense_eur") / raw_value("mercedes-benz", 2024, "revenue_eur") * 100, rel=1e-12)


def test_per_vehicle_rates_and_shares_by_hand(cell_value, has_raw_value, raw_value, nev):
    _, data = nev
    # Ford: total sales are known
    assert cell_value(data, "ford", 2023, "recall_rate") == pytest.approx(
        raw_value("ford", 2023, "us_recall_campaigns") / raw_value("ford", 2023, "total_sales") * 1e5, rel=1e-12)
    # Tesla has no total_sales, but brands.csv documents it as BEV-only: NEV sales are all sales
    assert not has_raw_value("tesla", 2024, "total_sales")
    assert cell_value(data, "tesla", 2024, "recall_rate") == pytest.approx(
        raw_value("tesla", 2024, "us_recall_campaigns") / raw_value("tesla", 2024, "nev_sales") * 1e5, rel=1e-12)
    # Kia has recalls but no sales figure of any kind: no rate
    assert math.isnan(cell_value(data, "kia", 2023, "recall_rate"))
    # Wuling (not documented NEV-only) has NEV sales but no total in 2024: no overseas share
    assert has_raw_value("wuling", 2024, "overseas_sales") and has_raw_value("wuling", 2024, "nev_sales")
    assert math.isnan(cell_value(data, "wuling", 2024, "overseas_share"))
    assert cell_value(data, "chery", 2024, "overseas_share") == pytest.approx(
        raw_value("chery", 2024, "overseas_sales") / raw_value("chery", 2024, "total_sales") * 100, rel=1e-12)
    assert cell_value(data, "nio", 2023, "energy_site_density") == pytest.approx(
        raw_value("nio", 2023, "energy_sites") / raw_value("nio", 2023, "nev_sales") * 1e4, rel=1e-12)
    assert cell_value(data, "hongqi", 2024, "nev_share") == pytest.approx(
        raw_value("hongqi", 2024, "nev_sales") / raw_value("hongqi", 2024, "total_sales") * 100, rel=1e-12)
    # BEV-only brands (brands.csv notes): NEV and BEV shares are their NEV/BEV sales over themselves
    assert cell_value(data, "tesla", 2023, "nev_share") == 100.0
    assert cell_value(data, "rivian", 2024, "bev_sales_share") == pytest.approx(
        raw_value("rivian", 2024, "bev_sales") / raw_value("rivian", 2024, "nev_sales") * 100, rel=1e-12)
    # Lucid sells only BEVs too, but brands.csv does not say so: no share is assumed
    assert has_raw_value("lucid", 2023, "nev_sales") and math.isnan(cell_value(data, "lucid", 2023, "nev_share"))
    # BEV share: the reported figure first, else BEV / total sales
    assert cell_value(data, "mercedes-benz", 2023, "bev_sales_share") == raw_value("mercedes-benz", 2023, "bev_share")
    assert cell_value(data, "audi", 2023, "bev_sales_share") == pytest.approx(
        raw_value("audi", 2023, "bev_sales") / raw_value("audi", 2023, "total_sales") * 100, rel=1e-12)


def test_growth_reported_first_else_computed(cell_value, has_raw_value, raw_value, nev):
    _, data = nev
    assert cell_value(data, "byd", 2024, "nev_growth") == raw_value("byd", 2024, "nev_sales_yoy")
    assert not has_raw_value("voyah", 2024, "nev_sales_yoy")
    assert cell_value(data, "voyah", 2024, "nev_growth") == pytest.approx(
        (raw_value("voyah", 2024, "nev_sales") / raw_value("voyah", 2023, "nev_sales") - 1) * 100, rel=1e-12)
    assert cell_value(data, "volvo", 2024, "revenue_growth") == pytest.approx(
        (raw_value("volvo", 2024, "revenue_sek") / raw_value("volvo", 2023, "revenue_sek") - 1) * 100, rel=1e-12)
    assert cell_value(data, "xpeng", 2024, "revenue_growth") == pytest.approx(
        (raw_value("xpeng", 2024, "revenue_cny") / raw_value("xpeng", 2023, "revenue_cny") - 1) * 100, rel=1e-12)
    # no 2022 data: no computed 2023 growth for anybody
    assert np.all(np.isnan(data.matrix(["revenue_growth"], 2023)))


def test_currency_conversion_uses_the_documented_rate_and_is_missing_without_one(cell_value, fx_rate, has_raw_value, raw_value, nev):
    _, data = nev
    cny_2023 = float(fx_rate(2023, "CNY"))
    assert cell_value(data, "byd", 2023, "rd_spend_usd") == pytest.approx(raw_value("byd", 2023, "rd_expense_cny") / cny_2023,
                                                                      rel=1e-12)
    assert cell_value(data, "byd", 2023, "rd_spend_log") == pytest.approx(
        math.log10(raw_value("byd", 2023, "rd_expense_cny") / cny_2023), rel=1e-12)
    # 2024: the CNY amount exists but no sourced rate → missing, not guessed
    assert has_raw_value("byd", 2024, "rd_expense_cny")
    assert math.isnan(cell_value(data, "byd", 2024, "rd_spend_usd"))
    # EUR: the source quotes USD per EUR, the data leave per_usd empty → never converted
    assert fx_rate(2023, "EUR") == "" and has_raw_value("mercedes-benz", 2024, "rd_expense_eur")
    assert math.isnan(cell_value(data, "mercedes-benz", 2024, "rd_spend_usd"))
    # USD reporters need no rate
    assert cell_value(data, "tesla", 2024, "rd_spend_usd") == raw_value("tesla", 2024, "rd_expense_usd")


def test_converted_values_record_the_rate_and_its_source(fx_rate, nev):
    _, data = nev
    prov = data.provenance.set_index(["year", "unit", "column"])
    for column in ("rd_expense_cny_usd", "rd_spend_usd", "rd_spend_log"):
        row = prov.loc[(2023, "byd", column)]
        assert row["fx_rate"] == float(fx_rate(2023, "CNY"))
        assert "federalreserve.gov" in row["source_url"]
    assert "rd_expense_cny[2023]=39580" in prov.loc[(2023, "byd", "rd_expense_cny_usd")]["inputs"]
    assert "fx_per_usd_cny[2023]=7.0809" in prov.loc[(2023, "byd", "rd_expense_cny_usd")]["inputs"]


def test_scope_flags_travel_to_derived_values(nev):
    _, data = nev
    prov = data.provenance.set_index(["year", "unit", "column"])
    # Geely Auto's 2024 total sales are group-level (SCOPE in notes): its NEV share is flagged
    flagged = prov.loc[(2024, "geely-auto", "nev_share")]
    assert bool(flagged["scope"]) and flagged["notes"].startswith("SCOPE:")
    assert "vehicles_sold[2024]" in flagged["notes"]
    assert bool(prov.loc[(2024, "geely-auto", "vehicles_sold")]["scope"])
    clean = prov.loc[(2024, "hongqi", "nev_share")]
    assert not bool(clean["scope"]) and pd.isna(clean["notes"])


def test_every_derived_cell_has_provenance_naming_its_inputs(nev):
    fw, data = nev
    prov = data.provenance
    for spec in fw.derived:
        column = data.panel([spec["code"]])[..., 0]
        n_values = int(np.isfinite(column).sum())
        rows = prov[prov["column"] == spec["code"]]
        assert len(rows) == n_values, spec["code"]
        assert rows["inputs"].str.len().gt(0).all(), spec["code"]
        assert (rows["derivation"] == spec["op"]).all()


# --- the operations on small hand-made panels ------------------------------------------------


def _panel(columns: dict[str, list[list[float]]], years=(2022, 2023), units=("a", "b", "c"),
           notes: dict[tuple[int, str, str], str] | None = None) -> Dataset:
    codes = list(columns)
    values = np.stack([np.array(columns[c], dtype=float) for c in codes], axis=2)
    rows = [{"year": y, "unit": u, "column": c, "value": values[t, i, j], "row": 2, "source_url": f"http://s/{c}",
             "notes": (notes or {}).get((y, u, c))}
            for t, y in enumerate(years) for i, u in enumerate(units) for j, c in enumerate(codes)
            if not np.isnan(values[t, i, j])]
    return Dataset(tuple(units), tuple(codes), tuple(years), values, tuple(units), {}, pd.DataFrame(rows), "test")


class _Fw:
    def __init__(self, derived):
        self.derived = tuple(derived)


nan = float("nan")


def test_ratio_tries_pairs_in_order_and_scales():
    data = _panel({"n1": [[1, nan, 3], [2, 2, nan]], "d1": [[4, 5, nan], [8, 8, 8]],
                   "n2": [[nan, 6, 9], [nan, nan, 5]], "d2": [[10, 12, 18], [1, 1, 10]]})
    out = apply_derivations(_Fw([{"code": "r", "op": "ratio", "numerator": ["n1", "n2"],
                                  "denominator": ["d1", "d2"], "scale": 100}]), data)
    r = out.panel(["r"])[..., 0]
    # a: n1/d1; b: n1 missing → n2/d2; c: d1 missing → n2/d2
    assert r[0].tolist() == [25.0, 50.0, 50.0]
    assert r[1, 0] == 25.0 and r[1, 1] == 25.0 and r[1, 2] == 50.0


def test_ratio_zero_denominator_is_an_error_naming_unit_and_year():
    data = _panel({"n": [[1, 1, 1], [1, 1, 1]], "d": [[1, 0, 1], [1, 1, 1]]})
    with pytest.raises(DataError, match=r"'r'.*'d' is zero for unit 'b' in 2022"):
        apply_derivations(_Fw([{"code": "r", "op": "ratio", "numerator": "n", "denominator": "d"}]), data)


def test_coalesce_with_a_unit_restriction():
    data = _panel({"x": [[1, nan, nan], [nan, nan, 3]], "y": [[7, 8, 9], [7, 8, 9]]})
    out = apply_derivations(_Fw([{"code": "z", "op": "coalesce",
                                  "inputs": ["x", {"column": "y", "units": ["b"]}]}]), data)
    z = out.panel(["z"])[..., 0]
    assert z[0, 0] == 1 and z[0, 1] == 8 and math.isnan(z[0, 2])
    assert math.isnan(z[1, 0]) and z[1, 1] == 8 and z[1, 2] == 3


def test_growth_needs_the_previous_year_and_a_positive_base():
    data = _panel({"s": [[100, 0, nan], [150, 10, 5]]}, years=(2022, 2023))
    g = apply_derivations(_Fw([{"code": "g", "op": "growth", "input": "s"}]), data).panel(["g"])[..., 0]
    assert np.all(np.isnan(g[0]))                 # no 2021 in the data
    assert g[1, 0] == pytest.approx(50.0)         # 150/100 − 1
    assert math.isnan(g[1, 1]) and math.isnan(g[1, 2])  # base 0, base missing
    gap = _panel({"s": [[100, 1, 1], [150, 1, 1]]}, years=(2021, 2023))
    g2 = apply_derivations(_Fw([{"code": "g", "op": "growth", "input": "s"}]), gap).panel(["g"])[..., 0]
    assert np.all(np.isnan(g2))                   # 2022 is not in the data: no growth for 2023


def test_convert_currency_divides_by_the_rate_and_keeps_gaps():
    data = _panel({"amt": [[708.09, 100, nan], [10, 10, 10]], "fx": [[7.0809, 7.0809, 7.0809], [nan, nan, nan]]})
    out = apply_derivations(_Fw([{"code": "usd", "op": "convert_currency", "input": "amt", "rate": "fx"}]), data)
    usd = out.panel(["usd"])[..., 0]
    assert usd[0, 0] == pytest.approx(100.0) and usd[0, 1] == pytest.approx(100 / 7.0809)
    assert math.isnan(usd[0, 2]) and np.all(np.isnan(usd[1]))
    row = out.provenance.set_index(["year", "unit", "column"]).loc[(2022, "a", "usd")]
    assert row["fx_rate"] == 7.0809 and row["fx_rate_column"] == "fx"


def test_log10_of_a_non_positive_value_is_an_error():
    data = _panel({"v": [[10, 100, nan], [1000, -1, 1]]})
    with pytest.raises(DataError, match=r"log10 of the non-positive value -1 \(unit 'b', 2023\)"):
        apply_derivations(_Fw([{"code": "l", "op": "log10", "input": "v"}]), data)
    ok = _panel({"v": [[10, 100, nan], [1000, 1, 1]]})
    assert apply_derivations(_Fw([{"code": "l", "op": "log10", "input": "v"}]), ok).panel(["l"])[0, :2, 0].tolist() \
        == [1.0, 2.0]


def test_scope_flag_from_notes_is_propagated():
    data = _panel({"n": [[1, 1, 1], [1, 1, 1]], "d": [[2, 2, 2], [2, 2, 2]]},
                  notes={(2022, "a", "d"): "SCOPE: group figure"})
    out = apply_derivations(_Fw([{"code": "r", "op": "ratio", "numerator": "n", "denominator": "d"},
                                 {"code": "r2", "op": "log10", "input": "r"}]), data)
    prov = out.provenance.set_index(["year", "unit", "column"])
    assert bool(prov.loc[(2022, "a", "r")]["scope"]) and bool(prov.loc[(2022, "a", "r2")]["scope"])
    assert not bool(prov.loc[(2022, "b", "r")]["scope"]) and not bool(prov.loc[(2023, "a", "r2")]["scope"])


@pytest.mark.parametrize(("spec", "message"), [
    ({"code": "r", "op": "ratio", "numerator": "n", "denominator": "missing_col"},
     r"derivation 'r' \(ratio\): input column 'missing_col' is not in the data"),
    ({"code": "r", "op": "divide", "input": "n"}, r"derivation 'r': unknown op 'divide'"),
    ({"code": "r", "op": "ratio", "numerator": "n"}, r"derivation 'r' \(ratio\): missing setting 'denominator'"),
    ({"code": "r", "op": "log10", "input": "n", "base": 2}, r"derivation 'r' \(log10\): unknown setting 'base'"),
    ({"code": "n", "op": "log10", "input": "d"}, r"code 'n' already names a data column"),
    ({"code": "r", "op": "coalesce", "inputs": ["n", {"column": "d", "units": ["zz"]}]}, r"unit 'zz' is not in the data"),
])
def test_validation_errors_name_the_derivation_and_the_problem(spec, message):
    data = _panel({"n": [[1, 1, 1], [1, 1, 1]], "d": [[2, 2, 2], [2, 2, 2]]})
    with pytest.raises(MethodologyError, match=message):
        apply_derivations(_Fw([spec]), data)


def test_later_derivations_may_use_earlier_ones_but_not_the_reverse():
    validate_derivations([{"code": "a", "op": "log10", "input": "x"}, {"code": "b", "op": "log10", "input": "a"}], ["x"])
    with pytest.raises(MethodologyError, match="input column 'b'"):
        validate_derivations([{"code": "a", "op": "log10", "input": "b"}, {"code": "b", "op": "log10", "input": "x"}],
                             ["x"])


@settings(max_examples=60, deadline=None)
@given(
    num=st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=3, max_size=3),
    den=st.lists(st.floats(1.0, 1e7, allow_nan=False), min_size=3, max_size=3),
    factor=st.floats(1e-3, 1e4),
)
def test_a_same_currency_ratio_does_not_depend_on_the_currency(num, den, factor):
    """Expressing both figures in another currency (one factor) leaves the ratio unchanged."""
    spec = [{"code": "m", "op": "ratio", "numerator": "n", "denominator": "d", "scale": 100}]
    base = apply_derivations(_Fw(spec), _panel({"n": [num, num], "d": [den, den]}))
    scaled = apply_derivations(_Fw(spec), _panel({"n": [[v * factor for v in num]] * 2,
                                                  "d": [[v * factor for v in den]] * 2}))
    np.testing.assert_allclose(scaled.panel(["m"]), base.panel(["m"]), rtol=1e-9, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False)), min_size=6, max_size=6),
       st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False)), min_size=6, max_size=6))
def test_coalesce_keeps_every_observed_first_input(first, second):
    a = [[nan if v is None else v for v in first[:3]], [nan if v is None else v for v in first[3:]]]
    b = [[nan if v is None else v for v in second[:3]], [nan if v is None else v for v in second[3:]]]
    out = apply_derivations(_Fw([{"code": "c", "op": "coalesce", "inputs": ["a", "b"]}]), _panel({"a": a, "b": b}))
    c, av, bv = out.panel(["c"])[..., 0], np.array(a), np.array(b)
    assert np.array_equal(c[~np.isnan(av)], av[~np.isnan(av)])
    assert np.array_equal(c[np.isnan(av)], bv[np.isnan(av)], equal_nan=True)
