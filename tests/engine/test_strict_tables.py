"""Issue 16, items 12 and 14 (the ragged row): CSV and XLSX files are read by one strict reader
(``nevindex.tabular``) in data imports, methodology tables and surveys/panels.

On the main branch of the time: an XLSX formula cell without a cached value was read as missing (the
ranking changed without a word); a header written twice in an XLSX became a column ``a.1`` (the same CSV
was refused); a CSV whose rows were one field longer than the header shifted every column (pandas took
the first as an index) and was reported as anything but what it was."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from nevindex.collect.survey_data import read_survey
from nevindex.collect.survey_spec import load_survey_spec
from nevindex.dataset import read_table
from nevindex.errors import DataError
from nevindex.framework import load_framework
from nevindex.inputs import load_inputs
from nevindex.tabular import read_cells

from .conftest import _TINY_YAML, _write

HEADER = ["unit", "a", "b", "c"]
ROWS = [["U1", 1, 10, 5], ["U2", 2, 20, 6], ["U3", 3, 30, 7], ["U4", 5, 0, 9]]


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def _with_cached_values(path: Path, values: dict[str, str]) -> Path:
    """Give formula cells a cached value, as a spreadsheet program does on saving (openpyxl cannot)."""
    with zipfile.ZipFile(path) as source:
        entries = {name: source.read(name) for name in source.namelist()}
    sheet = entries["xl/worksheets/sheet1.xml"].decode()
    for cell, value in values.items():
        sheet, count = re.subn(rf'(<c r="{cell}"[^>]*>\s*<f>[^<]*</f>)\s*(<v\s*/>|<v>\s*</v>)?',
                               rf"\g<1><v>{value}</v>", sheet)
        assert count == 1, sheet
    entries["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as target:
        for name, data in entries.items():
            target.writestr(name, data)
    return path


def test_formula_cells_without_a_value_are_refused_naming_the_cells(tmp_path):
    rows = [HEADER, ["U1", 1, 10, "=B2*5"], ["U2", 2, 20, "=B3*3"], *ROWS[2:]]
    data = _xlsx(tmp_path / "data.xlsx", rows)
    framework = _write(tmp_path, "fw.yaml", _TINY_YAML)
    with pytest.raises(DataError, match=r"data\.xlsx: 2 formula cells have no computed value \(D2, D3\)"):
        load_inputs(framework, data)


def test_formula_cells_with_a_cached_value_are_read_as_that_value(tmp_path):
    rows = [HEADER, ["U1", 1, 10, "=B2*5"], ["U2", 2, 20, "=B3*3"], *ROWS[2:]]
    data = _with_cached_values(_xlsx(tmp_path / "data.xlsx", rows), {"D2": "5", "D3": "6"})
    cells = read_cells(data)
    assert cells["c"].tolist() == [5, 6, 7, 9]
    inputs = load_inputs(_write(tmp_path, "fw.yaml", _TINY_YAML), data)
    assert inputs.dataset.values[0, :, 2].tolist() == [5.0, 6.0, 7.0, 9.0]  # all 4 observed


def test_many_uncomputed_formula_cells_are_counted(tmp_path):
    rows = [HEADER, *[[f"U{i}", i, i, f"=B{i + 1}"] for i in range(1, 13)]]
    with pytest.raises(DataError, match=r"12 formula cells have no computed value \(D2, D3, D4, D5, D6 and 7 more\)"):
        read_table(_xlsx(tmp_path / "data.xlsx", rows))


def test_duplicate_headers_in_an_xlsx_are_refused_as_in_a_csv(tmp_path):
    rows = [["unit", "a", "b", "a"], *ROWS]
    with pytest.raises(DataError, match=r"data\.xlsx, row 1: duplicate column header 'a'"):
        read_table(_xlsx(tmp_path / "data.xlsx", rows))
    csv = _write(tmp_path, "data.csv", "unit,a,b,a\nU1,1,10,5\n")
    with pytest.raises(DataError, match=r"data\.csv, row 1: duplicate column header 'a'"):
        read_table(csv)


def test_a_methodology_table_with_a_duplicate_header_is_refused(tmp_path):
    rows = [["Level", "iCode", "iName", "Direction", "Weight", "Parent", "Type", "iName"],
            [1, "a", "A", 1, 1, "Index", "Indicator", "A again"], [2, "Index", "Index", None, 1, None, "Aggregate", None]]
    with pytest.raises(DataError, match=r"iMeta\.xlsx, row 1: duplicate column header 'iName'"):
        load_framework(_xlsx(tmp_path / "iMeta.xlsx", rows))


def test_a_csv_whose_rows_are_one_field_longer_names_the_row_and_the_extra_field(tmp_path):
    """pandas made the unit codes an index and shifted every column left by one."""
    text = "unit,a,b,c\n" + "".join(f"{u},{a},{b},{c},{i}\n" for i, (u, a, b, c) in enumerate(ROWS, start=1))
    data = _write(tmp_path, "data.csv", text)
    with pytest.raises(DataError) as caught:
        load_inputs(_write(tmp_path, "fw.yaml", _TINY_YAML), data)
    message = str(caught.value)
    assert message.startswith(f"{data}, row 2: 5 fields but the header "
                              "has 4: the extra field is '1'"), message
    assert "also rows 3, 4, 5" in message and "duplicate unit" not in message


def test_one_ragged_row_is_named_with_its_extra_fields(tmp_path):
    text = 'unit,a,b,c\nU1,1,10,5\n"U2, the second",2,20,6,,7\nU3,3,30,7\n'
    with pytest.raises(DataError, match=r"row 3: 6 fields but the header has 4: the extra fields are '' \(empty\), '7'"):
        read_table(_write(tmp_path, "data.csv", text))
    short = read_table(_write(tmp_path, "short.csv", "unit,a,b,c\nU1,1,10\n"))  # a short row: empty last cells
    assert short.loc[0, "c"] == ""


SPEC = """\
survey: {code: cx-test, title: Test owner survey, year: 2024, source: {title: Owner survey 2024}}
columns: {respondent: rid, brand: brand}
items:
  sat: {column: q_sat, scale: {min: 1, max: 5}}
indicators:
  - {code: cx_sat, item: sat, statistic: mean}
minimum_effective_n: 2
"""


def test_survey_files_go_through_the_same_reader(tmp_path):
    spec = load_survey_spec(_write(tmp_path, "spec.yaml", SPEC))
    ragged = _write(tmp_path, "r.csv", "rid,brand,q_sat\nr1,acme,5\nr2,acme,4,9\n")
    with pytest.raises(DataError, match=r"r\.csv, row 3: 4 fields but the header has 3: the extra field is '9'"):
        read_survey(ragged, spec)
    formula = _xlsx(tmp_path / "r.xlsx", [["rid", "brand", "q_sat"], ["r1", "acme", 5], ["r2", "acme", "=C2-1"]])
    with pytest.raises(DataError, match=r"r\.xlsx: 1 formula cell has no computed value \(C3\)"):
        read_survey(formula, spec)
    duplicate = _xlsx(tmp_path / "d.xlsx", [["rid", "brand", "q_sat", "q_sat"], ["r1", "acme", 5, 4]])
    with pytest.raises(DataError, match=r"d\.xlsx, row 1: duplicate column header 'q_sat'"):
        read_survey(duplicate, spec)
    good = _with_cached_values(formula, {"C3": "4"})
    data = read_survey(good, spec)
    assert data.n == 2
