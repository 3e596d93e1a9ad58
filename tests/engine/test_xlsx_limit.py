"""Issue 16, item 11: ``build`` with more than 1,048,575 units crashed on the worksheet row limit and left an
empty output folder. Now the CSVs are written, the workbook is left out with a note (manifest and CLI).

A million-unit build is too slow for a test: the limit (``nevindex.io.XLSX_MAX_ROWS``) is lowered to 4 rows
(a header and 3 units); one test checks the real limit against openpyxl's."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest

from nevindex import io
from nevindex.cli import main

from .conftest import _TINY_CSV, _TINY_YAML, _write


@pytest.fixture
def tiny_files(tmp_path):
    return _write(tmp_path, "fw.yaml", _TINY_YAML), _write(tmp_path, "data.csv", _TINY_CSV)


def test_the_real_worksheet_limit_is_the_one_checked():
    """1,048,576 rows including the header, 16,384 columns: what openpyxl accepts and refuses."""
    from openpyxl.xml.constants import MAX_COLUMN, MAX_ROW

    assert (io.XLSX_MAX_ROWS, io.XLSX_MAX_COLUMNS) == (MAX_ROW, MAX_COLUMN) == (2**20, 2**14)
    sheet = openpyxl.Workbook().active
    sheet.cell(row=io.XLSX_MAX_ROWS, column=io.XLSX_MAX_COLUMNS, value=1)  # the last cell exists
    with pytest.raises(ValueError, match="Row numbers must be between 1 and 1048576"):
        sheet.cell(row=io.XLSX_MAX_ROWS + 1, column=1)
    # a header and 1,048,575 rows fit; one row more does not (pandas' own check would let it through)
    assert io.xlsx_overflow({"results": pd.DataFrame(index=range(1_048_575), columns=["a"])}) is None
    over = io.xlsx_overflow({"results": pd.DataFrame(index=range(1_048_576), columns=["a"])})
    assert over is not None and "1,048,576 rows" in over and "1,048,575 rows under the header" in over
    assert "16,385 columns" in io.xlsx_overflow({"wide": pd.DataFrame(columns=range(16_385))})


def test_build_over_the_row_limit_writes_the_csvs_and_says_why_no_workbook(tiny_files, tmp_path, capsys,
                                                                             monkeypatch):
    monkeypatch.setattr(io, "XLSX_MAX_ROWS", 4)  # room for 3 units; the tiny set has 4
    framework, data = tiny_files
    out = tmp_path / "out"
    code = main(["build", "-f", str(framework), "-d", str(data), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    names = {p.name for p in out.iterdir()}
    assert "result.xlsx" not in names
    assert {"results.csv", "raw.csv", "normalised.csv", "weights.csv", "manifest.json"} <= names
    assert len(pd.read_csv(out / "results.csv")) == 4  # every unit is in the CSV
    notes = json.loads((out / "manifest.json").read_text())["notes"]
    assert len(notes) == 1 and "result.xlsx is not written" in notes[0] and "3 rows under the header" in notes[0]
    printed = " ".join(captured.out.split())
    assert "note: result.xlsx is not written" in printed and "CSV files hold every table" in printed


def test_build_exactly_at_the_row_limit_still_writes_the_workbook(tiny_files, tmp_path, capsys, monkeypatch):
    framework, data = tiny_files
    first = tmp_path / "first"
    assert main(["build", "-f", str(framework), "-d", str(data), "--out", str(first)]) == 0
    longest = max(len(pd.read_csv(p)) for p in first.glob("*.csv"))
    monkeypatch.setattr(io, "XLSX_MAX_ROWS", longest + 1)  # the longest table and its header just fit
    out = tmp_path / "out"
    assert main(["build", "-f", str(framework), "-d", str(data), "--out", str(out)]) == 0
    book = openpyxl.load_workbook(out / "result.xlsx", read_only=True)
    assert max(sheet.max_row for sheet in book.worksheets) == longest + 1
    assert "notes" not in json.loads((out / "manifest.json").read_text())
    assert "note:" not in capsys.readouterr().out
    monkeypatch.setattr(io, "XLSX_MAX_ROWS", longest)  # one row fewer: no workbook
    assert main(["build", "-f", str(framework), "-d", str(data), "--out", str(tmp_path / "less")]) == 0
    assert not (tmp_path / "less" / "result.xlsx").exists()


def test_a_failed_build_leaves_no_empty_output_folder(tiny_files, tmp_path, capsys, monkeypatch):
    """What the crash did: the folder was made, the workbook failed, an empty folder stayed."""
    import nevindex.export as export

    def broken(sheets, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export, "write_xlsx", broken)
    framework, data = tiny_files
    out = tmp_path / "new" / "out"
    code = main(["build", "-f", str(framework), "-d", str(data), "--out", str(out)])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 2 and "No space left on device" in err and str(out) in err
    assert not (tmp_path / "new").exists()
