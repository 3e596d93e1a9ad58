"""Fixtures of the NEV index tests: the shipped methodologies and data, raw values straight from the
shipped CSVs for hand computations, and (session-scoped, built once) the editions and the demo store."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

import pytest

from nevindex.nev.data import data_file


@pytest.fixture(scope="session")
def nev():
    """The current methodology and the shipped data with its derivations."""
    from nevindex.nev.edition import nev_dataset, nev_framework

    return nev_framework(), nev_dataset()


@pytest.fixture(scope="session")
def nev_2025():
    """The earlier methodology 2025.1 and the shipped data with its derivations."""
    from nevindex.nev.edition import nev_dataset, nev_framework

    return nev_framework("2025.1"), nev_dataset("2025.1")


@lru_cache(maxsize=1)
def _observations() -> dict[tuple[str, int, str], dict[str, str]]:
    with data_file("observations.csv").open(encoding="utf-8", newline="") as handle:
        return {(r["brand_id"], int(r["year"]), r["indicator_id"]): r for r in csv.DictReader(handle)}


@lru_cache(maxsize=1)
def _rates() -> dict[tuple[int, str], str]:
    with data_file("fx_rates.csv").open(encoding="utf-8", newline="") as handle:
        return {(int(r["year"]), r["currency"]): r["per_usd"] for r in csv.DictReader(handle)}


@lru_cache(maxsize=1)
def _monthly() -> tuple[dict[str, str], ...]:
    with data_file("fx_monthly.csv").open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


def _raw_value(brand: str, year: int, indicator: str) -> float:
    """The value as written in observations.csv (KeyError if there is none)."""
    return float(_observations()[(brand, year, indicator)]["value"])


def _has_raw_value(brand: str, year: int, indicator: str) -> bool:
    return (brand, year, indicator) in _observations()


def _raw_notes(brand: str, year: int, indicator: str) -> str:
    return _observations()[(brand, year, indicator)]["notes"]


def _fx_rate(year: int, currency: str) -> str:
    return _rates()[(year, currency)]


def _fx_monthly(year: int, currency: str) -> list[tuple[float, str]]:
    return [(float(r["value"]), r["quote"]) for r in _monthly() if int(r["year"]) == year and r["currency"] == currency]


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
def raw_notes():
    """``raw_notes(brand, year, indicator)``: the notes of that row of observations.csv."""
    return _raw_notes


@pytest.fixture(scope="session")
def fx_rate():
    """``fx_rate(year, currency)``: the per-USD rate as written in fx_rates.csv."""
    return _fx_rate


@pytest.fixture(scope="session")
def fx_monthly():
    """``fx_monthly(year, currency)``: (value, quote) of every monthly average in fx_monthly.csv."""
    return _fx_monthly


@pytest.fixture(scope="session")
def cell_value():
    """``cell_value(dataset, unit, year, column)``: one cell of a Dataset."""
    return _cell_value


@pytest.fixture(scope="session")
def editions():
    """The current methodology's demonstration editions, by year."""
    from nevindex.nev.edition import demo_editions

    return demo_editions()


@pytest.fixture(scope="session")
def demo_store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store holding every demo edition of every shipped methodology, as `nevindex demo` leaves it."""
    from nevindex.nev.publish import publish_demo_editions
    from nevindex.store.db import open_store

    path: Path = tmp_path_factory.mktemp("nev-demo-store") / "store.db"
    with open_store(f"sqlite:///{path}") as store:
        publish_demo_editions(store)
    return f"sqlite:///{path}"


@pytest.fixture()
def demo_store(demo_store_url: str):
    from nevindex.store.db import open_store

    with open_store(demo_store_url) as store:
        yield store
