"""The shipped NEV demonstration data (a copy of the sourced nev-brands data set), as a Dataset.

Observations are tidy rows with a source each; brands.csv names the units; fx_rates.csv holds
sourced annual-average exchange rates, which become data columns (``fx_per_usd_<ccy>``, the same
value for every unit of a year, with the rate's source as provenance) so that a currency
conversion is a declared derivation like any other. A currency/year without a sourced rate has
no column value, so converted amounts there stay missing.
"""

from __future__ import annotations

import atexit
import math
from contextlib import ExitStack
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from nevindex.dataset import Dataset, load_dataset, read_table

__all__ = ["DATA_DIR", "DATA_PACKAGE", "FILES", "FX_PREFIX", "attach_fx_rates", "data_file", "fx_column",
           "fx_rates_table", "load_nev_dataset", "observations_table"]


DATA_PACKAGE = "nevindex"
DATA_DIR = "demo/nev-brands"
FILES = ("observations.csv", "brands.csv", "fx_rates.csv", "indicators.csv", "README.md")
FX_PREFIX = "fx_per_usd_"


_EXTRACTED = ExitStack()  # keeps files extracted from a zipped install alive until exit
atexit.register(_EXTRACTED.close)


def data_file(name: str) -> Path:
    """Path of one shipped file (a real file even when the package is imported from a zip)."""
    ref = resources.files(DATA_PACKAGE).joinpath(f"{DATA_DIR}/{name}")
    path = Path(_EXTRACTED.enter_context(resources.as_file(ref)))
    if not path.exists():
        raise FileNotFoundError(f"shipped data file missing: {DATA_DIR}/{name}")
    return path


def fx_column(currency: str) -> str:
    return FX_PREFIX + currency.lower()


def fx_rates_table(path: str | Path | None = None) -> pd.DataFrame:
    """Sourced annual-average rates (currency units per USD) as printed; empty ``per_usd`` = none."""
    frame = read_table(path or data_file("fx_rates.csv"))
    frame["row"] = range(2, len(frame) + 2)
    frame["per_usd"] = pd.to_numeric(frame["per_usd"].replace("", None), errors="raise")
    frame["year"] = frame["year"].astype(int)
    return frame


def attach_fx_rates(dataset: Dataset, rates: pd.DataFrame, *, file: str = "fx_rates.csv") -> Dataset:
    """Add one column per currency with its sourced rate in each year that has one."""
    currencies = sorted(set(rates["currency"]))  # a currency without any sourced rate gets a column of gaps
    rates = rates[rates["per_usd"].notna()]
    values = np.full((len(dataset.years), len(dataset.units), len(currencies)), np.nan)
    rows = []
    for rec in rates.to_dict("records"):
        if rec["year"] not in dataset.years or (isinstance(rec["per_usd"], float) and math.isnan(rec["per_usd"])):
            continue
        t, c = dataset.years.index(rec["year"]), currencies.index(rec["currency"])
        values[t, :, c] = rec["per_usd"]
        for unit in dataset.units:
            rows.append({"year": rec["year"], "unit": unit, "column": fx_column(rec["currency"]),
                         "value": float(rec["per_usd"]), "row": rec["row"],
                         "unit_of_measure": f"{rec['currency']} per USD (annual average)",
                         "source_url": rec["source_url"], "source_title": rec["source_title"],
                         "excerpt": rec["excerpt"], "notes": f"{file} row {rec['row']}"})
    return dataset.with_columns([fx_column(c) for c in currencies], values, pd.DataFrame(rows))


@lru_cache(maxsize=1)
def load_nev_dataset() -> Dataset:
    """The shipped observations with brand names/attributes and the sourced FX rates attached."""
    data = load_dataset(data_file("observations.csv"), units_file=data_file("brands.csv"))
    return attach_fx_rates(data, fx_rates_table())


def observations_table() -> pd.DataFrame:
    return pd.read_csv(data_file("observations.csv"), dtype={"value": float})
