"""`nevindex demo` runs as a user would run it and names ≥ 20 brands with five element scores each."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from nevindex.nev.data import data_file
from nevindex.nev.edition import build_edition

pytestmark = pytest.mark.slow  # end to end: the whole demo through the store, with the report

SRC = Path(__file__).resolve().parents[2] / "src"
CELL = re.compile(r"(?:\d{1,3}\.\d|n\.r\.)\s+\d+/\d+")  # "62.1 3/6" or "n.r. 0/1"


def _brand_names() -> list[str]:
    with data_file("brands.csv").open(encoding="utf-8", newline="") as handle:
        return [r["name"].split(" (")[0] for r in csv.DictReader(handle)]


def _run_demo(*args: str, timeout: int = 120) -> str:
    # a store of its own: another test's NEVINDEX_DB (a PostgreSQL schema since dropped) must not leak in
    env = {**os.environ, "PYTHONPATH": str(SRC), "COLUMNS": "80",
           "NEVINDEX_DB": str(Path(tempfile.mkdtemp(prefix="nevindex-demo-")) / "store.db")}
    done = subprocess.run([sys.executable, "-m", "nevindex", "demo", *args], capture_output=True, text=True,
                          env=env, timeout=timeout, cwd=SRC.parent)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_demo_prints_both_editions_with_20_brands_and_five_element_cells_each():
    out = _run_demo()
    sections = re.split(r"(?=Global NEV Brand Evaluation Index \d{4} \(methodology [\d.]+\))", out)
    editions = {m.group(1): s for s in sections if (m := re.match(r"Global NEV Brand Evaluation Index (\d{4}) ", s))}
    assert set(editions) == {"2023", "2024"}
    names = _brand_names()
    for year, text in editions.items():
        rows = [line for line in text.splitlines() if line.startswith("│")]
        named = {}
        for line in rows:
            cells = [c.strip() for c in line.strip("│").split("│")]
            brand = cells[1].rstrip(" †‡")
            if brand in names:
                element_cells = cells[4:9]
                assert all(CELL.fullmatch(c) or c == "suspended" for c in element_cells), line
                named[brand] = element_cells
        assert len(named) >= 20, f"{year}: only {len(named)} brands named"
        # the top of the ranking has an index score and a letter rating
        first = [c.strip() for c in rows[0].strip("│").split("│")]
        assert first[0] == "1" and re.fullmatch(r"\d{1,3}\.\d", first[2]) and re.fullmatch(r"A{1,3}|B{1,3}|C|D", first[3])
        assert f"coverage: {year} edition:" in text and "rated" in text
        rated = int(re.search(rf"coverage: {year} edition: \d+ brands with data(?: \([^)]*\))?, (\d+) rated", text).group(1))
        assert rated == int(build_edition(int(year)).table["rated"].sum())
        assert len([line for line in rows if re.match(r"│\s*\d+\s*│", line)]) == rated  # one ranked row each
    assert "n.r. = not rated" in out
    assert "Demonstration editions built from public sources; not an official rating." in out
    assert "nevindex edition compare nev-2024-v2025.1 nev-2024" in out  # the earlier methodology is kept


def test_demo_single_year_option():
    out = _run_demo("--year", "2024", "--top", "5")
    assert "Index 2024 (methodology" in out and "Index 2023 (methodology" not in out
    assert len([line for line in out.splitlines() if line.startswith("│")]) == 5


def test_demo_out_writes_each_edition_with_coverage_and_provenance(tmp_path):
    import pandas as pd

    from nevindex.nev.edition import build_edition

    _run_demo("--year", "2024", "--top", "3", "--out", str(tmp_path), "--no-report")
    folder = tmp_path / "2024"
    for name in ("results.csv", "raw.csv", "manifest.json", "coverage.csv", "coverage_note.txt", "provenance.csv"):
        assert (folder / name).exists(), name
    coverage = pd.read_csv(folder / "coverage.csv")
    expected = build_edition(2024).table
    assert coverage["unit"].tolist() == expected["unit"].tolist()
    assert coverage["rank"].equals(expected["rank"])
    prov = pd.read_csv(folder / "provenance.csv")
    assert (prov["year"] == 2024).all() and prov["source_url"].notna().all()
    assert {"nev_sales", "net_margin", "rd_intensity"} <= set(prov["column"])


def test_demo_goes_through_the_store_and_writes_the_report(tmp_path):
    db = tmp_path / "store.db"
    out = _run_demo("--year", "2024", "--top", "3", "--db", str(db), "--out", str(tmp_path / "out"), timeout=900)
    assert "nev-2024 published now" in out and "verified bit for bit" in out
    for lang in ("en", "zh"):
        assert (tmp_path / "out" / f"report-2024-{lang}.pdf").read_bytes()[:5] == b"%PDF-"
        assert "<html" in (tmp_path / "out" / f"report-2024-{lang}.html").read_text(encoding="utf-8")[:500].lower()
    again = _run_demo("--year", "2024", "--top", "3", "--db", str(db))
    assert "nev-2024 already published" in again  # the store keeps the published edition; nothing is redone
