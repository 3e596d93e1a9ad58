"""Shared helpers: raw values straight from the shipped CSVs, for hand computations."""

from __future__ import annotations

import csv
from functools import lru_cache

from nevindex.nev.data import data_file


@lru_cache(maxsize=1)
def _observations() -> dict[tuple[str, int, str], dict[str, str]]:
    with data_file("observations.csv").open(encoding="utf-8", newline="") as handle:
        return {(r["brand_id"], int(r["year"]), r["indicator_id"]): r for r in csv.DictReader(handle)}


@lru_cache(maxsize=1)
def _rates() -> dict[tuple[int, str], str]:
    with data_file("fx_rates.csv").open(encoding="utf-8", newline="") as handle:
        return {(int(r["year"]), r["currency"]): r["per_usd"] for r in csv.DictReader(handle)}


@lru_cache(maxsize=1)
def _monthly() -> list[dict[str, str]]:
    with data_file("fx_monthly.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def raw(brand: str, year: int, indicator: str) -> float:
    """The value as written in observations.csv (KeyError if there is none)."""
    return float(_observations()[(brand, year, indicator)]["value"])


def notes(brand: str, year: int, indicator: str) -> str:
    return _observations()[(brand, year, indicator)]["notes"]


def has_raw(brand: str, year: int, indicator: str) -> bool:
    return (brand, year, indicator) in _observations()


def rate(year: int, currency: str) -> str:
    return _rates()[(year, currency)]


def monthly(year: int, currency: str) -> list[tuple[float, str]]:
    """(value, quote) of every monthly average of fx_monthly.csv for the year and currency."""
    return [(float(r["value"]), r["quote"]) for r in _monthly() if int(r["year"]) == year and r["currency"] == currency]


def value(dataset, unit: str, year: int, column: str) -> float:
    return float(dataset.values[dataset.years.index(year), dataset.units.index(unit), dataset.columns.index(column)])
