from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nevindex.dataset import load_dataset
from nevindex.errors import DataError


def test_wide_csv_reads_units_names_groups_and_numbers(tiny_csv, write, tmp_path):
    data = load_dataset(write(tmp_path, "d.csv", tiny_csv))
    assert data.units == ("U1", "U2", "U3", "U4")
    assert data.names[0] == "Unit one"
    assert data.columns == ("a", "b", "c")
    assert data.attribute("region") == ("north", "north", "south", "south")
    assert data.years == (0,) and not data.is_panel
    assert np.isnan(data.matrix(["c"])[1, 0]) and data.matrix(["a"])[:, 0].tolist() == [1, 2, 3, 5]


def test_same_content_same_hash_across_formats(tiny_csv, write, tmp_path):
    csv = load_dataset(write(tmp_path, "d.csv", tiny_csv))
    frame = pd.read_csv(tmp_path / "d.csv")
    frame.to_excel(tmp_path / "d.xlsx", index=False)
    frame.to_parquet(tmp_path / "d.parquet")
    assert load_dataset(tmp_path / "d.xlsx").sha256() == csv.sha256()
    assert load_dataset(tmp_path / "d.parquet").sha256() == csv.sha256()
    assert csv.with_value("U1", "a", 1.5).sha256() != csv.sha256()


def test_values_are_read_only(tiny_csv, write, tmp_path):
    data = load_dataset(write(tmp_path, "d.csv", tiny_csv))
    with pytest.raises(ValueError):
        data.values[0, 0, 0] = 9


def test_tidy_with_units_table_and_provenance(write, tmp_path):
    obs = write(tmp_path, "obs.csv", "brand_id,year,indicator_id,value,unit,source_url\n"
                "x,2023,sales,10,units,http://a\nx,2024,sales,12,units,http://b\ny,2024,sales,,units,\n")
    units = write(tmp_path, "brands.csv", "brand_id,name,country\nx,Brand X,CN\ny,Brand Y,DE\nz,Brand Z,US\n")
    data = load_dataset(obs, units_file=units)
    assert data.units == ("x", "y", "z") and data.years == (2023, 2024)
    assert data.names == ("Brand X", "Brand Y", "Brand Z")
    assert data.attribute("country") == ("CN", "DE", "US")
    assert data.matrix(["sales"], 2024)[:, 0][0] == 12
    assert np.isnan(data.matrix(["sales"], 2023)[1, 0])
    prov = data.provenance
    assert list(prov["unit"]) == ["x", "x"] and list(prov["source_url"]) == ["http://a", "http://b"]
    assert list(prov["unit_of_measure"]) == ["units", "units"]


def test_panel_wide(asem_dir):
    data = load_dataset(asem_dir / "ASEM_iData_p.csv")
    assert data.years == (2018, 2019, 2020, 2021, 2022)
    assert data.values.shape == (5, 51, 53)
    assert "EurAsia_group" in data.attributes
    assert int(np.isnan(data.panel([c for c in data.columns if c not in ("Area", "Energy", "GDP", "Population")])).sum()) == 315


@pytest.mark.parametrize(
    "text, message, row, column",
    [
        ("unit,a\nU1,1\nU1,2\n", "duplicate unit 'U1'", 3, "unit"),
        ("unit,a\nU1,1\nU2,abc\n", "'abc' is not a number", 3, "a"),
        ("unit,a,a\nU1,1,2\n", "duplicate column header 'a'", 1, None),
        ("country,a\nU1,1\n", "cannot find the unit code column", None, None),
        ("unit,year,a\nU1,2020,1\nU1,20x0,2\n", "'20x0' is not a year", 3, "year"),
        ("unit,year,a\nU1,2020,1\nU1,2020,2\n", "duplicate unit 'U1' for year 2020", 3, "unit"),
    ],
)
def test_bad_data_names_file_row_and_column(write, tmp_path, text, message, row, column):
    path = write(tmp_path, "bad.csv", text)
    with pytest.raises(DataError, match=message) as info:
        load_dataset(path, numeric={"a"})
    err = info.value
    assert err.file == str(path) and err.row == row and err.column == column


def test_missing_empty_and_undecodable_files(write, tmp_path):
    with pytest.raises(DataError, match="file not found"):
        load_dataset(tmp_path / "nope.csv")
    with pytest.raises(DataError, match="empty|no data rows"):
        load_dataset(write(tmp_path, "empty.csv", ""))
    with pytest.raises(DataError, match="no data rows"):
        load_dataset(write(tmp_path, "header.csv", "unit,a\n"))
    (tmp_path / "latin1.csv").write_bytes("unit,a\nM\xfcnchen,1\n".encode("latin-1"))
    with pytest.raises(DataError, match="UTF-8"):
        load_dataset(tmp_path / "latin1.csv")
    with pytest.raises(DataError, match="unknown file type"):
        load_dataset(write(tmp_path, "data.json", "{}"))


def test_tidy_unit_missing_from_units_table(write, tmp_path):
    obs = write(tmp_path, "obs.csv", "brand_id,year,indicator_id,value\nq,2024,s,1\n")
    units = write(tmp_path, "brands.csv", "brand_id,name\nx,X\n")
    with pytest.raises(DataError, match="unit 'q' in the data is not in the units table"):
        load_dataset(obs, units_file=units)
