"""A Result as files: results.csv, one CSV per set, treatment, weights, manifest and one XLSX."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from nevindex.io import write_all, write_csv, write_xlsx, xlsx_overflow
from nevindex.result import SETS, Result

__all__ = ["result_tables", "manifest", "write_result"]


def result_tables(result: Result) -> dict[str, pd.DataFrame]:
    """Every table of a result, keyed by the name its file and sheet get."""
    tables: dict[str, pd.DataFrame] = {"results": result.results_frame()}
    for name in (*SETS, "aggregated"):
        tables[name] = result.frame(name).reset_index()
    tables["imputed_flags"] = pd.DataFrame(result.imputed_mask, columns=list(result.indicators)).assign(
        unit=list(result.units))[["unit", *result.indicators]]
    tables["treatment"] = result.treatment_frame()
    tables["weights"] = result.weights_frame()
    return tables


def manifest(result: Result) -> dict[str, object]:
    return {
        "framework": {"code": result.framework.framework.code, "version": result.framework.framework.version},
        "year": result.year,
        "units": len(result.units),
        "hashes": dict(result.hashes),
        "result_sha256": result.content_sha256(),
        "log": result.log_records(),
    }


def write_result(result: Result, out: str | Path, notes: list[str] | None = None) -> list[str]:
    """Write every table; nothing in ``out`` changes unless all files were written.

    Tables too large for a worksheet (over 1,048,575 units) are written as CSV only: ``result.xlsx`` is
    left out, and why goes to ``manifest.json`` (``notes``) and to ``notes`` when given (the CLI prints it).
    """
    tables = result_tables(result)
    writers = {f"{name}.csv": (lambda path, f=frame: write_csv(f, path)) for name, frame in tables.items()}
    said: list[str] = []
    overflow = xlsx_overflow(tables)
    if overflow is None:
        writers["result.xlsx"] = lambda path: write_xlsx(tables, path)
    else:
        said.append(f"result.xlsx is not written: {overflow}; the CSV files hold every table")
    document = manifest(result) | ({"notes": said} if said else {})
    writers["manifest.json"] = lambda path: path.write_text(
        json.dumps(document, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    write_all(out, writers)
    if notes is not None:
        notes.extend(said)
    return sorted(writers)
