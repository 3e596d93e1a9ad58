"""The shipped NEV demonstration data (a copy of the sourced nev-brands data set), as a Dataset.

Observations are tidy rows with a source each; brands.csv names the units. Exchange rates become
data columns, so that a currency conversion is a declared derivation like any other:

* ``fx_per_usd_<ccy>``: the sourced annual average of fx_rates.csv (currency units per USD);
* ``fx_proxy_per_usd_<ccy>``: for a year and currency *without* a sourced annual average, the
  mean of that year's sourced monthly averages in fx_monthly.csv — a declared stand-in whose
  provenance notes start with ``PROXY``, so the flag travels to every value converted with it.
  A methodology uses it only if it says so (2025.1 does not; 2026.1 does, for R&D spend in 2024).

A rate is attached to the brands that have an observation of their own in that year (the rate is
joined onto their figures), so a rate never makes a brand look "present" in a year it has no data.
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
from nevindex.errors import DataError

__all__ = ["DATA_DIR", "DATA_PACKAGE", "FILES", "FX_PREFIX", "attach_fx_rates", "data_file", "fx_column",
           "fx_rates_table", "load_nev_dataset", "observations_table"]


DATA_PACKAGE = "nevindex"
DATA_DIR = "demo/nev-brands"
FILES = ("observations.csv", "brands.csv", "fx_rates.csv", "fx_monthly.csv", "indicators.csv", "README.md")
FX_PREFIX = "fx_per_usd_"
PROXY_PREFIX = "fx_proxy_per_usd_"
MONTHLY_FILE = "fx_monthly.csv"


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


def proxy_column(currency: str) -> str:
    return PROXY_PREFIX + currency.lower()


def is_rate_column(column: str) -> bool:
    """A year-wide exchange-rate column (sourced or proxy), not a brand's own figure."""
    return column.startswith((FX_PREFIX, PROXY_PREFIX))


def _numbers(frame: pd.DataFrame, column: str, file: str | Path, *, whole: bool = False) -> pd.Series:
    """A rate file's column as numbers; a cell that is not one is refused by file, row and column."""
    if column not in frame.columns:
        raise DataError(f"the rate file has no column '{column}'", file=str(file), column=column,
                        hint="see the shipped fx_rates.csv / fx_monthly.csv for the expected columns")
    cells = frame[column].replace("", None)
    values = pd.to_numeric(cells, errors="coerce")
    bad = values.isna() & cells.notna() | (values.notna() & ~np.isfinite(values.astype(float)))
    if whole:
        bad |= values.isna() | (values.notna() & (values != values.round()))
    if bad.any():
        at = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"'{frame[column].iloc[at]}' is not {'a whole number' if whole else 'a number'}",
                        file=str(file), row=at + 2, column=column, hint="write the rate as a plain number, "
                        "e.g. 7.1884, or leave it empty where no rate was found")
    return values.astype(int) if whole else values


def fx_rates_table(path: str | Path | None = None) -> pd.DataFrame:
    """Sourced annual-average rates (currency units per USD) as printed; empty ``per_usd`` = none."""
    file = path or data_file("fx_rates.csv")
    frame = read_table(file)
    frame["row"] = range(2, len(frame) + 2)
    frame["per_usd"] = _numbers(frame, "per_usd", file)
    frame["year"] = _numbers(frame, "year", file, whole=True)
    return frame


def fx_monthly_table(path: str | Path | None = None) -> pd.DataFrame:
    """Sourced monthly-average rates as printed (``quote``: ``per_usd`` or ``usd_per_unit``)."""
    file = path or data_file(MONTHLY_FILE)
    frame = read_table(file)
    frame["row"] = range(2, len(frame) + 2)
    frame["value"] = _numbers(frame, "value", file)
    frame["year"] = _numbers(frame, "year", file, whole=True)
    frame["month"] = _numbers(frame, "month", file, whole=True)
    return frame


def fx_proxy_rates(monthly: pd.DataFrame, annual: pd.DataFrame, *, file: str = MONTHLY_FILE) -> pd.DataFrame:
    """One proxy per (year, currency) that has monthly averages but no sourced annual average: the
    arithmetic mean of the monthly averages as quoted, in currency units per USD (a ``usd_per_unit``
    quote is inverted after averaging, i.e. 1 / mean). Same columns as :func:`fx_rates_table`, plus
    ``months`` and a ``notes`` text starting with ``PROXY``."""
    sourced = {(int(r["year"]), r["currency"]) for r in annual.to_dict("records")
               if isinstance(r["per_usd"], float) and not math.isnan(r["per_usd"])}
    rows = []
    for (year, currency), group in monthly.groupby(["year", "currency"], sort=True):
        if (int(year), currency) in sourced:
            continue
        quotes = set(group["quote"])
        if len(quotes) != 1 or not quotes <= {"per_usd", "usd_per_unit"}:
            raise ValueError(f"{file}: {currency} {year} mixes or misnames quotes ({', '.join(sorted(quotes))})")
        mean = float(group["value"].mean())
        per_usd = mean if quotes == {"per_usd"} else 1.0 / mean
        months = sorted(int(m) for m in group["month"])
        row_list = ", ".join(str(r) for r in group["row"])
        how = "mean" if quotes == {"per_usd"} else "1 / mean of the USD-per-unit quotes"
        rows.append({
            "year": int(year), "currency": currency, "per_usd": per_usd, "row": None, "months": months,
            "source_url": "; ".join(dict.fromkeys(group["source_url"])),
            "source_title": "; ".join(dict.fromkeys(group["source_title"])),
            "excerpt": "; ".join(f"{int(m)}/{int(year)}: {v:g}" for m, v in zip(group["month"], group["value"],
                                                                                 strict=True)),
            "notes": (f"PROXY: {how} of the {len(months)} sourced monthly averages of {int(year)} (months "
                      f"{', '.join(map(str, months))}; {file} rows {row_list}); no sourced annual average"),
        })
    columns = ["year", "currency", "per_usd", "row", "months", "source_url", "source_title", "excerpt", "notes"]
    return pd.DataFrame(rows, columns=columns)


def attach_fx_rates(dataset: Dataset, rates: pd.DataFrame, *, file: str = "fx_rates.csv",
                    prefix: str = FX_PREFIX) -> Dataset:
    """Add one column per currency with its rate in each year that has one, for the brands with
    an observation of their own in that year. ``rates`` as :func:`fx_rates_table` (or
    :func:`fx_proxy_rates` with ``prefix=PROXY_PREFIX``); a ``notes`` column becomes the values'
    provenance notes (so ``PROXY`` flags travel)."""
    currencies = sorted(set(rates["currency"]))  # a currency without any rate gets a column of gaps
    own = [i for i, c in enumerate(dataset.columns) if not is_rate_column(c)]
    present = ~np.all(np.isnan(dataset.values[:, :, own]), axis=2)  # years × units
    rates = rates[rates["per_usd"].notna()]
    values = np.full((len(dataset.years), len(dataset.units), len(currencies)), np.nan)
    rows = []
    kind = "annual average" if prefix == FX_PREFIX else "PROXY"
    for rec in rates.to_dict("records"):
        if rec["year"] not in dataset.years or (isinstance(rec["per_usd"], float) and math.isnan(rec["per_usd"])):
            continue
        t, c = dataset.years.index(rec["year"]), currencies.index(rec["currency"])
        values[t, present[t], c] = rec["per_usd"]
        notes = rec.get("notes") if prefix != FX_PREFIX else None
        for u in np.flatnonzero(present[t]):
            rows.append({"year": rec["year"], "unit": dataset.units[u], "column": prefix + rec["currency"].lower(),
                         "value": float(rec["per_usd"]), "row": rec["row"],
                         "unit_of_measure": f"{rec['currency']} per USD ({kind})",
                         "source_url": rec["source_url"], "source_title": rec["source_title"],
                         "excerpt": rec["excerpt"], "notes": notes or f"{file} row {rec['row']}"})
    return dataset.with_columns([prefix + c.lower() for c in currencies], values, pd.DataFrame(rows))


def attach_rate_files(dataset: Dataset, annual: str | Path, monthly: str | Path | None = None) -> Dataset:
    """The sourced annual rates of ``annual`` and the proxies from ``monthly`` (default: the
    ``fx_monthly.csv`` beside ``annual``, when there is one) as rate columns."""
    annual = Path(annual)
    table = fx_rates_table(annual)
    out = attach_fx_rates(dataset, table, file=annual.name)
    monthly = Path(monthly) if monthly is not None else annual.with_name(MONTHLY_FILE)
    if monthly.exists():
        proxies = fx_proxy_rates(fx_monthly_table(monthly), table, file=monthly.name)
        out = attach_fx_rates(out, proxies, file=monthly.name, prefix=PROXY_PREFIX)
    return out


@lru_cache(maxsize=1)
def load_nev_dataset() -> Dataset:
    """The shipped observations with brand names/attributes and the rate columns attached."""
    data = load_dataset(data_file("observations.csv"), units_file=data_file("brands.csv"))
    return attach_rate_files(data, data_file("fx_rates.csv"), data_file(MONTHLY_FILE))


def observations_table() -> pd.DataFrame:
    return pd.read_csv(data_file("observations.csv"), dtype={"value": float})
