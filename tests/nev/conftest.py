"""Fixtures of the NEV index tests: the shipped framework and data, and raw values straight from the
shipped CSVs for hand computations."""

from __future__ import annotations

import csv
from functools import lru_cache

import pytest

from nevindex.nev.data import data_file


@pytest.fixture(scope="session")
def nev():
    """The shipped framework and the derived data set."""
    from nevindex.nev.edition import nev_dataset, nev_framework

    return nev_framework(), nev_dataset()


@lru_cache(maxsize=1)
def _observations() -> dict[tuple[str, int, str], dict[str, str]]:
    with data_file("observations.csv").open(encoding="utf-8", newline="") as handle:
        return {(r["brand_id"], int(r["year"]), r["indicator_id"]): r for r in csv.DictReader(handle)}


@lru_cache(maxsize=1)
def _rates() -> dict[tuple[int, str], str]:
    with data_file("fx_rates.csv").open(encoding="utf-8", newline="") as handle:
        return {(int(r["year"]), r["currency"]): r["per_usd"] for r in csv.DictReader(handle)}


def _raw_value(brand: str, year: int, indicator: str) -> float:
    """The value as written in observations.csv (KeyError if there is none)."""
    return float(_observations()[(brand, year, indicator)]["value"])


def _has_raw_value(brand: str, year: int, indicator: str) -> bool:
    return (brand, year, indicator) in _observations()


def _fx_rate(year: int, currency: str) -> str:
    return _rates()[(year, currency)]


def _cell_value(dataset, unit: str, year: int, column: str) -> float:
    return float(dataset.values[dataset.years.index(year), dataset.units.index(unit), dataset.columns.index(column)])


@pytest.fixture(scope="session")
def raw_value():
    """``raw_value(brand, year, indicator)``: the value as written in observations.csv (KeyError if none)."""
    return _raw_value


@pytest.fixture(scope="session")
def has_raw_value():
    """``has_raw_value(brand, year, indicator)``: whether observations.csv has that value."""
    return _has_raw_value


@pytest.fixture(scope="session")
def fx_rate():
    """``fx_rate(year, currency)``: the per-USD rate as written in fx_rates.csv."""
    return _fx_rate


@pytest.fixture(scope="session")
def cell_value():
    """``cell_value(dataset, unit, year, column)``: one cell of a Dataset."""
    return _cell_value
