"""The demonstration data ship inside the package, unchanged, with a source for every value."""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import numpy as np

from nevindex.nev.data import FILES, data_file, fx_column, load_nev_dataset

REPO = Path(__file__).resolve().parents[2]
ORIGIN = Path(os.environ.get("NEVINDEX_SHARED", REPO.parent / "shared")) / "data" / "nev-brands"


def _rows(name: str) -> list[dict[str, str]]:
    with data_file(name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_all_files_ship_and_match_the_origin_where_it_is_available():
    for name in FILES:
        shipped = data_file(name).read_bytes()
        assert shipped, name
        if (ORIGIN / name).exists():  # the team's shared copy; absent in a clean checkout
            assert shipped == (ORIGIN / name).read_bytes(), f"{name} differs from the origin"


def test_row_count_matches_the_readme():
    readme = data_file("README.md").read_text(encoding="utf-8")
    stated = int(re.search(r"\((\d+) rows\)", readme).group(1))
    assert len(_rows("observations.csv")) == stated


def test_every_shipped_observation_has_a_source():
    for row in _rows("observations.csv"):
        assert row["source_url"].startswith("http"), row
        assert row["source_title"].strip(), row
        assert row["excerpt"].strip(), row
        assert row["value"].strip(), row


def test_every_observed_cell_of_the_dataset_has_a_provenance_row_with_its_source():
    data = load_nev_dataset()
    prov = data.provenance
    observed = data.to_long()
    observed = observed[~observed["column"].str.startswith("fx_per_usd_")]
    assert len(observed) == len(_rows("observations.csv"))
    keyed = prov.set_index(["year", "unit", "column"])
    for rec in observed.to_dict("records"):
        row = keyed.loc[(rec["year"], rec["unit"], rec["column"])]
        assert row["value"] == rec["value"]
        assert str(row["source_url"]).startswith("http")
        assert row["unit_of_measure"]  # the unit of measure survived loading (it is named 'unit' in the CSV)


def test_fx_rates_become_columns_only_where_a_rate_is_sourced():
    data = load_nev_dataset()
    rates = {(int(r["year"]), r["currency"]): r["per_usd"] for r in _rows("fx_rates.csv")}
    t23, t24 = data.years.index(2023), data.years.index(2024)
    cny = data.values[:, :, data.columns.index(fx_column("CNY"))]
    assert np.all(cny[t23] == float(rates[(2023, "CNY")]))
    assert np.all(np.isnan(cny[t24]))  # no sourced 2024 rate
    eur = data.values[:, :, data.columns.index(fx_column("EUR"))]
    assert rates[(2023, "EUR")] == "" and np.all(np.isnan(eur))
