"""Improvement levers as realistic steps in plain units (issue 12, item 4)."""

from __future__ import annotations

import math

import pytest

from nevindex.insight.levers import levers
from nevindex.insight.units import plain_change, plain_value


@pytest.fixture(scope="module")
def result_2024():
    from nevindex.nev.edition import build_edition

    return build_edition(2024).result


def test_next_steps_on_the_nev_data_stay_inside_the_observed_values(result_2024):
    """No "net margin 5.2 → 39.8 %": every new value is a value another brand reported."""
    from nevindex.insight.levers import raw_matrix

    raw = raw_matrix(result_2024)
    for unit in ("byd", "tesla", "nio"):
        for lv in levers(result_2024, unit).levers:
            if math.isfinite(lv.new_value) and lv.new_value != lv.value:
                j = result_2024.framework.indicator_codes.index(lv.indicator)
                column = raw[:, j]
                assert lv.new_value in column
                better = column[(column - lv.value) * lv.direction > 0]
                assert lv.new_value == (better.min() if lv.direction > 0 else better.max())


def test_some_lever_of_a_rated_brand_moves_its_rank(result_2024):
    """"Every lever on every rated brand gains 0 places" must not hold."""
    moved = [lv for u in ("byd", "tesla", "li-auto") for lv in levers(result_2024, u).best(5)
             if lv.rank_after < lv.rank_before]
    assert moved


@pytest.mark.parametrize(("value", "new", "measure", "text"), [
    (5.18, 8.38, "percent", "+3.20 percentage points"),
    (6.8, 7.5, "percent of revenue", "+0.700 percentage points of revenue"),
    (6.0, 6.30103, "log10(vehicles)", "×2.00"),
    (3.0, 2.0, "problems per 100 vehicles", "−1.00 problems per 100 vehicles")])
def test_changes_are_in_plain_units(value, new, measure, text):
    assert plain_change(value, new, measure) == text


def test_log_values_are_shown_in_natural_units():
    assert plain_value(math.log10(4_270_000), "log10(vehicles)") == "4.27 million vehicles"
    assert plain_value(5.18, "percent") == "5.18 %"


@pytest.mark.slow  # the whole demo store built (every demo edition published)
def test_unrated_brand_has_no_levers_table_and_no_nan_interval(run, demo_store_url):
    from nevindex.nev.edition import build_edition

    result = build_edition(2024).result
    unit = next(u for u, r in zip(result.units, result.rank, strict=True) if math.isnan(r))
    code, out, err = run("profile", unit, "--edition", "nev-2024", "--db", demo_store_url)
    assert code == 0, err
    assert "nan" not in out
    assert "Top levers" not in out and "levers: none" in out and "is not rated" in out


@pytest.mark.slow  # the whole demo store built (every demo edition published)
def test_target_rank_for_an_unrated_brand_fails_before_printing(run, demo_store_url):
    from nevindex.nev.edition import build_edition

    result = build_edition(2024).result
    unit = next(u for u, r in zip(result.units, result.rank, strict=True) if math.isnan(r))
    code, out, err = run("profile", unit, "--edition", "nev-2024", "--target-rank", "3", "--db", demo_store_url)
    assert code == 2
    assert out == "" and "is not rated" in err and "Traceback" not in err


@pytest.mark.slow  # the whole demo store built (every demo edition published)
def test_cli_levers_show_the_rank_reached_and_plain_units(run, demo_store_url, result_2024):
    # the best-ranked brand one of whose levers moves it up, whatever the ranking is
    ranked = sorted((r, u) for u, r in zip(result_2024.units, result_2024.rank, strict=True) if r == r)
    rank, brand = next((r, u) for r, u in ranked if any(lv.rank_after < lv.rank_before
                                                        for lv in levers(result_2024, u).best(5)))
    code, out, err = run("profile", brand, "--edition", "nev-2024", "--target-rank", str(int(rank) - 1),
                         "--db", demo_store_url)
    assert code == 0, err
    table = out.split("Top levers")[1].split("Most similar")[0]
    assert "next better brand's value" in table
    assert " percent " not in table and "percentage points" in out
    assert "→" in table  # at least one lever moves the rank, and the rank reached is shown
    assert " sd" not in out.replace("standard deviations", "")
