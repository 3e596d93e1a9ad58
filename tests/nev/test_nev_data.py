"""The demonstration data ship inside the package, unchanged, with a source for every value."""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import numpy as np
import pytest

from nevindex.nev.data import FILES, data_file, fx_column, is_rate_column, load_nev_dataset

REPO = Path(__file__).resolve().parents[2]
ORIGIN = Path(os.environ.get("NEVINDEX_SHARED", REPO.parent / "shared")) / "data" / "nev-brands"


def _rows(name: str) -> list[dict[str, str]]:
    with data_file(name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_all_files_ship_and_match_the_origin_where_it_is_available():
    shipped = data_file("README.md").parent
    names = {p.name for p in shipped.iterdir() if p.is_file()}
    assert names == set(FILES), "FILES must list exactly the shipped data files"
    for name in FILES:
        assert data_file(name).read_bytes(), name
    if ORIGIN.is_dir():  # the team's shared copy; absent in a clean checkout
        assert {p.name for p in ORIGIN.iterdir() if p.is_file()} == names, "run: python scripts/sync_demo_data.py"
        for name in FILES:
            assert data_file(name).read_bytes() == (ORIGIN / name).read_bytes(), (
                f"{name} differs from {ORIGIN}: run python scripts/sync_demo_data.py")


def test_the_sync_script_makes_a_folder_equal_to_its_source(tmp_path):
    """The one command that updates the package copy: copies, replaces and removes files, byte for byte."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("sync_demo_data", REPO / "scripts" / "sync_demo_data.py")
    sync = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sync)
    source, target = tmp_path / "source", tmp_path / "target"
    source.mkdir()
    target.mkdir()
    (source / "a.csv").write_bytes(b"x,y\n1,2\n")
    (source / "b.md").write_bytes("新\n".encode())
    (target / "a.csv").write_bytes(b"x,y\n1,3\n")
    (target / "old.csv").write_bytes(b"gone")
    assert sorted(sync.differences(source, target)) == ["differs: a.csv", "missing in the copy: b.md",
                                                         "not in the source: old.csv"]
    sync.sync(source, target)
    assert sync.differences(source, target) == []
    assert {p.name: p.read_bytes() for p in target.iterdir()} == {p.name: p.read_bytes() for p in source.iterdir()}


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
    observed = observed[~observed["column"].map(is_rate_column)]
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
    present23 = data.units_present(2023)
    assert np.all(cny[t23][present23] == float(rates[(2023, "CNY")]))
    assert np.all(np.isnan(cny[t24]))  # no sourced 2024 annual average (the proxy is a column of its own)
    eur = data.values[:, :, data.columns.index(fx_column("EUR"))]
    assert rates[(2023, "EUR")] == "" and np.all(np.isnan(eur))


def test_proxy_rates_exist_only_where_no_annual_average_is_sourced():
    from nevindex.nev.data import fx_monthly_table, fx_proxy_rates, fx_rates_table

    proxies = fx_proxy_rates(fx_monthly_table(), fx_rates_table())
    assert set(proxies["year"]) == {2024}  # 2023 has annual averages; fx_monthly.csv holds 2024 months only
    assert proxies["notes"].str.startswith("PROXY:").all()
    months = {r["currency"]: r["months"] for r in proxies.to_dict("records")}
    assert months["CNY"] == [4, 5, 6, 10, 11, 12] and months["EUR"] == [4, 5, 6]


@pytest.mark.parametrize(("text", "row", "column"), [
    ("year,currency,per_usd\n2024,EUR,abc\n", 2, "per_usd"),
    ("year,currency,per_usd\n2023,EUR,0.92\n2024,EUR,inf\n", 3, "per_usd"),
    ("year,currency,per_usd\n2023,EUR,0.92\n20x4,CNY,7.2\n", 3, "year"),
])
def test_a_bad_rate_file_is_refused_by_row_and_column_and_stores_nothing(tmp_path, capsys, text, row, column):
    from nevindex.cli import main
    from nevindex.nev.data import data_file

    rates = tmp_path / "fx_bad.csv"
    rates.write_text(text, encoding="utf-8")
    db = tmp_path / "store.db"
    code = main(["data", "import", str(data_file("observations.csv")), "--units", str(data_file("brands.csv")),
                 "--fx-rates", str(rates), "--db", f"sqlite:///{db}"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"fx_bad.csv, row {row}, column '{column}'" in err and "Traceback" not in err
    if db.exists():
        import sqlite3

        with sqlite3.connect(db) as con:
            assert con.execute("SELECT count(*) FROM datasets").fetchone()[0] == 0
