"""Derivations: the operations on small hand-made panels (the shipped values: test_nev_derived_values.py)."""

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


def test_sum_adds_and_subtracts_only_in_the_declared_cells():
    data = _panel({"bev": [[10, 20, nan], [1, 2, 3]], "phev": [[5, 7, 1], [4, nan, 3]]})
    spec = {"code": "nev", "op": "sum", "inputs": ["bev", "phev"], "cells": {"a": [2022, 2023], "b": [2023]}}
    nev_ = apply_derivations(_Fw([spec]), data).panel(["nev"])[..., 0]
    assert nev_[0, 0] == 15 and math.isnan(nev_[0, 1]) and math.isnan(nev_[0, 2])  # b not declared for 2022
    assert nev_[1, 0] == 5 and math.isnan(nev_[1, 1])  # b 2023 declared, but its PHEV figure is missing
    diff = apply_derivations(_Fw([{"code": "d", "op": "sum", "inputs": ["bev"], "subtract": ["phev"]}]), data)
    assert diff.panel(["d"])[0, :, 0].tolist()[:2] == [5.0, 13.0]  # no cells: every unit-year with both inputs
    row = diff.provenance.set_index(["year", "unit", "column"]).loc[(2022, "b", "d")]
    assert row["inputs"] == "bev[2022]=20; phev[2022]=7" and row["derivation"] == "sum"


def test_product_multiplies_where_every_input_is_present_and_scales():
    data = _panel({"value": [[200, 50, nan], [100, 40, 30]], "share": [[10, nan, 5], [100, 25, nan]]})
    spec = {"code": "nev_value", "op": "product", "inputs": ["value", "share"], "scale": 0.01}
    out = apply_derivations(_Fw([spec]), data)
    v = out.panel(["nev_value"])[..., 0]
    assert v[0, 0] == pytest.approx(20.0) and v[1, 0] == pytest.approx(100.0) and v[1, 1] == pytest.approx(10.0)
    assert math.isnan(v[0, 1]) and math.isnan(v[0, 2]) and math.isnan(v[1, 2])  # a missing input: no product
    row = out.provenance.set_index(["year", "unit", "column"]).loc[(2023, "b", "nev_value")]
    assert row["inputs"] == "value[2023]=40; share[2023]=25" and row["derivation"] == "product"


def test_proxy_flag_travels_like_the_scope_flag_and_both_can_be_set():
    data = _panel({"amt": [[100, 100, 100], [1, 1, 1]], "fx": [[7, 7, 7], [8, 8, 8]]},
                  notes={(2022, "a", "fx"): "PROXY: mean of monthly averages", (2022, "b", "amt"): "SCOPE: group"})
    out = apply_derivations(_Fw([{"code": "usd", "op": "convert_currency", "input": "amt", "rate": "fx"},
                                 {"code": "lg", "op": "log10", "input": "usd"}]), data)
    prov = out.provenance.set_index(["year", "unit", "column"])
    a, b, c = (prov.loc[(2022, u, "lg")] for u in "abc")
    assert bool(a["proxy"]) and not bool(a["scope"]) and "PROXY: derived from proxy-flagged input(s) usd[2022]" in a["notes"]
    assert bool(b["scope"]) and not bool(b["proxy"]) and b["notes"].startswith("SCOPE:")
    assert not bool(c["proxy"]) and not bool(c["scope"]) and pd.isna(c["notes"])


@pytest.mark.parametrize(("spec", "message"), [
    ({"code": "r", "op": "ratio", "numerator": "n", "denominator": "missing_col"},
     r"derivation 'r' \(ratio\): input column 'missing_col' is not in the data"),
    ({"code": "r", "op": "divide", "input": "n"}, r"derivation 'r': unknown op 'divide'"),
    ({"code": "r", "op": "ratio", "numerator": "n"}, r"derivation 'r' \(ratio\): missing setting 'denominator'"),
    ({"code": "r", "op": "log10", "input": "n", "base": 2}, r"derivation 'r' \(log10\): unknown setting 'base'"),
    ({"code": "n", "op": "log10", "input": "d"}, r"code 'n' already names a data column"),
    ({"code": "r", "op": "coalesce", "inputs": ["n", {"column": "d", "units": ["zz"]}]}, r"unit 'zz' is not in the data"),
    ({"code": "r", "op": "sum", "inputs": ["n", "d"], "cells": {"zz": [2022]}}, r"\(sum\): unit 'zz' is not in the data"),
    ({"code": "r", "op": "sum", "inputs": ["n"], "cells": {"a": 2022}}, r"'cells' maps each unit to a list of years"),
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
