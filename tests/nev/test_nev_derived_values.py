"""Every derived value of methodology 2026.1 equals a hand computation from the raw CSV numbers, for two
brands (or one declared cell and one brand the declaration leaves out), and the earlier 2025.1 keeps its
own documented policy on the same data."""

from __future__ import annotations

import math
from statistics import mean

import pytest

log10 = math.log10

#: the derivations of nev-2026.yaml (a test checks the list against the file)
CODES = ("nev_sales_sum", "nev_units", "bev_sales_nev_only", "bev_units", "nev_sales_log", "bev_sales_log",
         "nev_growth_calc", "nev_growth", "nev_share_of_sales", "bev_sales_share", "nev_share", "overseas_nev_sales",
         "overseas_nev_sales_log", "net_margin",
         "revenue_growth", "recall_rate", "rd_intensity", "usd_rate_cny", "usd_rate_eur", "usd_rate_jpy",
         "rd_expense_cny_usd", "rd_expense_eur_usd", "rd_expense_jpy_usd", "rd_spend_usd", "rd_spend_log",
         "energy_sites_log", "energy_site_density", "bf_nev_value", "interbrand_nev_value", "kantar_nev_value",
         "kantar_cn_nev_value", "bf_nev_value_log", "interbrand_nev_value_log", "kantar_nev_value_log",
         "kantar_cn_nev_value_log")


@pytest.fixture(scope="module")
def proxy(fx_monthly):
    """The 2024 proxies by hand: the mean of the monthly averages (EUR, quoted USD per EUR: inverted)."""
    return {"CNY": mean(v for v, _ in fx_monthly(2024, "CNY")), "JPY": mean(v for v, _ in fx_monthly(2024, "JPY")),
            "EUR": 1 / mean(v for v, _ in fx_monthly(2024, "EUR"))}


@pytest.fixture(scope="module")
def hand(raw_value, fx_rate, proxy):
    """derivation code → [(brand, year, expected)], written from the CSVs by hand."""
    raw = raw_value
    CNY_2024, JPY_2024, EUR_2024 = proxy["CNY"], proxy["JPY"], proxy["EUR"]

    def rate(year, currency):
        return fx_rate(year, currency)

    def _nev(brand, year):
        return raw(brand, year, "nev_sales")

    def share(brand, year, sales="nev_sales"):
        """NEV share in percent; ``sales="bev_sales"`` where only BEV sales are reported (the lower bound)."""
        return raw(brand, year, sales) / raw(brand, year, "total_sales") * 100

    # the part of a brand value attributable to NEVs: value × share / 100
    tesla_bf = raw("tesla", 2024, "bf_brand_value") * share("tesla", 2024) / 100
    toyota_bf = raw("toyota", 2024, "bf_brand_value") * share("toyota", 2024, "bev_sales") / 100
    bmw_ib = raw("bmw", 2024, "interbrand_value") * share("bmw", 2024) / 100
    byd_kantar = raw("byd", 2023, "kantar_brand_value") * share("byd", 2023) / 100
    audi_kantar = raw("audi", 2024, "kantar_brand_value") * share("audi", 2024, "bev_sales") / 100
    byd_kantar_cn = raw("byd", 2024, "kantar_cn_brand_value") * share("byd", 2024) / 100

    return {

        "nev_sales_sum": [("volvo", 2024, raw("volvo", 2024, "bev_sales") + raw("volvo", 2024, "phev_sales")),
                          ("toyota", 2023, raw("toyota", 2023, "bev_sales") + raw("toyota", 2023, "phev_sales")),
                          ("bmw", 2024, math.nan)],  # BEV and PHEV on different bases: not declared
        "nev_units": [("byd", 2024, _nev("byd", 2024)),
                      ("volvo", 2024, raw("volvo", 2024, "bev_sales") + raw("volvo", 2024, "phev_sales"))],
        "bev_sales_nev_only": [("li-auto", 2023, raw("li-auto", 2023, "nev_sales") - raw("li-auto", 2023, "phev_sales")),
                               ("byd", 2023, math.nan)],  # BYD's PHEV row is passenger cars only: not declared
        "bev_units": [("tesla", 2024, raw("tesla", 2024, "bev_sales")), ("li-auto", 2023, 0.0)],
        "nev_sales_log": [("byd", 2024, log10(_nev("byd", 2024))),
                          ("volvo", 2024, log10(raw("volvo", 2024, "bev_sales") + raw("volvo", 2024, "phev_sales")))],
        "bev_sales_log": [("tesla", 2024, log10(raw("tesla", 2024, "bev_sales"))),
                          ("ford", 2023, log10(raw("ford", 2023, "bev_sales")))],
        "nev_growth_calc": [("byd", 2024, (_nev("byd", 2024) / _nev("byd", 2023) - 1) * 100),
                            ("voyah", 2024, (_nev("voyah", 2024) / _nev("voyah", 2023) - 1) * 100)],
        "nev_growth": [("byd", 2024, raw("byd", 2024, "nev_sales_yoy")),  # the company's own figure first
                       ("voyah", 2024, (_nev("voyah", 2024) / _nev("voyah", 2023) - 1) * 100)],
        "nev_share_of_sales": [("hongqi", 2024, _nev("hongqi", 2024) / raw("hongqi", 2024, "total_sales") * 100),
                               ("volvo", 2024, (raw("volvo", 2024, "bev_sales") + raw("volvo", 2024, "phev_sales"))
                                / raw("volvo", 2024, "total_sales") * 100),
                               ("toyota", 2024, math.nan)],  # no PHEV figure for 2024: no NEV sales
        # NEV share, else the BEV share (its lower bound) where PHEV sales are not reported
        "nev_share": [("hongqi", 2024, share("hongqi", 2024)), ("toyota", 2024, share("toyota", 2024, "bev_sales")),
                      ("porsche", 2024, math.nan)],  # neither NEV nor BEV sales in 2024
        "bev_sales_share": [("byd", 2024, raw("byd", 2024, "bev_sales") / raw("byd", 2024, "total_sales") * 100),
                            ("li-auto", 2023, 0.0)],
        # overseas sales only where their scope is NEVs alone (BYD); Chery's row is all powertrains
        "overseas_nev_sales": [("byd", 2024, raw("byd", 2024, "overseas_sales")), ("chery", 2024, math.nan)],
        "overseas_nev_sales_log": [("byd", 2024, log10(raw("byd", 2024, "overseas_sales"))),
                                   ("byd", 2023, log10(raw("byd", 2023, "overseas_sales"))),
                                   ("toyota", 2024, math.nan)],
        "net_margin": [("byd", 2023, raw("byd", 2023, "net_income_cny") / raw("byd", 2023, "revenue_cny") * 100),
                       ("volvo", 2023, raw("volvo", 2023, "net_income_sek") / raw("volvo", 2023, "revenue_sek") * 100)],
        "revenue_growth": [("volvo", 2024, (raw("volvo", 2024, "revenue_sek") / raw("volvo", 2023, "revenue_sek") - 1) * 100),
                           ("xpeng", 2024, (raw("xpeng", 2024, "revenue_cny") / raw("xpeng", 2023, "revenue_cny") - 1) * 100)],
        "recall_rate": [("ford", 2024, raw("ford", 2024, "us_recall_campaigns") / raw("ford", 2024, "total_sales") * 1e5),
                        ("tesla", 2024, raw("tesla", 2024, "us_recall_campaigns") / raw("tesla", 2024, "total_sales") * 1e5)],
        "rd_intensity": [("li-auto", 2024, raw("li-auto", 2024, "rd_expense_cny") / raw("li-auto", 2024, "revenue_cny") * 100),
                         ("toyota", 2024, raw("toyota", 2024, "rd_expense_jpy") / raw("toyota", 2024, "revenue_jpy") * 100)],
        "usd_rate_cny": [("byd", 2023, float(rate(2023, "CNY"))), ("byd", 2024, CNY_2024)],
        "usd_rate_eur": [("mercedes-benz", 2024, EUR_2024), ("mercedes-benz", 2023, math.nan)],  # 2023: no per-USD rate
        "usd_rate_jpy": [("toyota", 2023, float(rate(2023, "JPY"))), ("toyota", 2024, JPY_2024)],
        "rd_expense_cny_usd": [("byd", 2023, raw("byd", 2023, "rd_expense_cny") / float(rate(2023, "CNY"))),
                               ("nio", 2024, raw("nio", 2024, "rd_expense_cny") / CNY_2024)],
        "rd_expense_eur_usd": [("mercedes-benz", 2024, raw("mercedes-benz", 2024, "rd_expense_eur") / EUR_2024),
                               ("bmw", 2024, math.nan)],  # BMW reports no R&D figure
        "rd_expense_jpy_usd": [("toyota", 2023, raw("toyota", 2023, "rd_expense_jpy") / float(rate(2023, "JPY"))),
                               ("toyota", 2024, raw("toyota", 2024, "rd_expense_jpy") / JPY_2024)],
        "rd_spend_usd": [("tesla", 2024, raw("tesla", 2024, "rd_expense_usd")),
                         ("byd", 2024, raw("byd", 2024, "rd_expense_cny") / CNY_2024)],
        "rd_spend_log": [("rivian", 2023, log10(raw("rivian", 2023, "rd_expense_usd"))),
                         ("xpeng", 2024, log10(raw("xpeng", 2024, "rd_expense_cny") / CNY_2024))],
        "energy_sites_log": [("nio", 2024, log10(raw("nio", 2024, "energy_sites"))),
                             ("xpeng", 2023, log10(raw("xpeng", 2023, "energy_sites")))],
        "energy_site_density": [("nio", 2023, raw("nio", 2023, "energy_sites") / _nev("nio", 2023) * 1e4),
                                ("li-auto", 2024, raw("li-auto", 2024, "energy_sites") / _nev("li-auto", 2024) * 1e4)],
        "bf_nev_value": [("tesla", 2024, tesla_bf), ("toyota", 2024, toyota_bf)],
        "interbrand_nev_value": [("bmw", 2024, bmw_ib),
                                 ("kia", 2023, math.nan)],  # Kia reports neither NEV nor BEV sales for 2023
        "kantar_nev_value": [("byd", 2023, byd_kantar), ("audi", 2024, audi_kantar)],
        "kantar_cn_nev_value": [("byd", 2024, byd_kantar_cn),
                                ("xiaomi", 2025, math.nan)],  # a 2025 value, but no 2025 sales in the data
        "bf_nev_value_log": [("tesla", 2024, log10(tesla_bf)), ("toyota", 2024, log10(toyota_bf))],
        "interbrand_nev_value_log": [("bmw", 2024, log10(bmw_ib)), ("kia", 2023, math.nan)],
        "kantar_nev_value_log": [("byd", 2023, log10(byd_kantar)), ("audi", 2024, log10(audi_kantar))],
        "kantar_cn_nev_value_log": [("byd", 2024, log10(byd_kantar_cn)), ("xiaomi", 2025, math.nan)],
    }


def test_every_derivation_of_the_methodology_has_hand_computations(nev, hand):
    fw, _ = nev
    assert {d["code"] for d in fw.derived} == set(CODES) == set(hand)
    assert all(len(cases) >= 2 for cases in hand.values())


@pytest.mark.parametrize("code", CODES)
def test_derived_value_equals_the_hand_computation(nev, hand, cell_value, code):
    _, data = nev
    for brand, year, expected in hand[code]:
        got = cell_value(data, brand, year, code)
        if math.isnan(expected):
            assert math.isnan(got), (code, brand, year, got)
        else:
            assert got == pytest.approx(expected, rel=1e-12, abs=1e-12), (code, brand, year)


def test_the_declared_sums_rest_on_rows_whose_notes_say_same_basis(raw_notes, raw_value):
    """The cells of nev_sales_sum are a judgement from the notes; pin the notes it rests on."""
    notes, raw = raw_notes, raw_value
    assert "Same source as the existing bev_sales/total_sales rows" in notes("volvo", 2024, "phev_sales")
    assert "same basis as the existing 2023 bev_sales" in notes("toyota", 2023, "phev_sales")
    assert "NOT the annual-report delivery basis" in notes("bmw", 2023, "phev_sales")
    assert "do NOT combine" in notes("volkswagen", 2024, "phev_sales")
    assert raw("li-auto", 2023, "phev_sales") == raw("li-auto", 2023, "nev_sales")  # EREV-only in 2023


def test_proxy_converted_values_carry_the_flag_and_sourced_ones_do_not(nev, proxy):
    _, data = nev
    prov = data.provenance.set_index(["year", "unit", "column"])
    proxied = prov.loc[(2024, "byd", "rd_spend_log")]
    assert bool(proxied["proxy"]) and "PROXY" in proxied["notes"]
    assert proxied["fx_rate"] == pytest.approx(proxy["CNY"], rel=1e-12)
    assert not bool(prov.loc[(2023, "byd", "rd_spend_log")]["proxy"])  # the sourced 2023 annual average
    assert not bool(prov.loc[(2024, "tesla", "rd_spend_log")]["proxy"])  # reported in USD


def test_the_proxy_rate_names_its_months_and_sources(nev, proxy):
    _, data = nev
    prov = data.provenance.set_index(["year", "unit", "column"])
    row = prov.loc[(2024, "nio", "fx_proxy_per_usd_cny")]
    assert row["notes"].startswith("PROXY: mean of the 6 sourced monthly averages of 2024 (months 4, 5, 6, 10, 11, 12")
    assert "federalreserve.gov" in row["source_url"] and "alfred.stlouisfed.org" in row["source_url"]
    assert row["value"] == pytest.approx(proxy["CNY"], rel=1e-12)


def test_a_rate_is_attached_only_to_brands_with_data_in_that_year(has_raw_value, cell_value, fx_rate, proxy):
    from nevindex.nev.data import load_nev_dataset

    data = load_nev_dataset()
    assert not has_raw_value("xiaomi", 2023, "total_sales")  # Xiaomi's first car was sold in 2024
    assert math.isnan(cell_value(data, "xiaomi", 2023, "fx_per_usd_cny"))
    assert cell_value(data, "xiaomi", 2024, "fx_proxy_per_usd_cny") == pytest.approx(proxy["CNY"], rel=1e-12)
    assert cell_value(data, "byd", 2023, "fx_per_usd_cny") == float(fx_rate(2023, "CNY"))


def test_2025_1_keeps_its_own_currency_policy_on_the_new_data(nev_2025, has_raw_value, cell_value, raw_value,
                                                              fx_rate):
    """The earlier methodology never uses a proxy: 2024 non-USD R&D spend stays missing under it."""
    fw, data = nev_2025
    assert fw.framework.version == "2025.1"
    assert has_raw_value("byd", 2024, "rd_expense_cny") and math.isnan(cell_value(data, "byd", 2024, "rd_spend_usd"))
    assert cell_value(data, "byd", 2023, "rd_spend_usd") == pytest.approx(
        raw_value("byd", 2023, "rd_expense_cny") / float(fx_rate(2023, "CNY")), rel=1e-12)
