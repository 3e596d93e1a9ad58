"""An audit as files: small tables as CSV and one workbook, per-run tables as Parquet, charts.

The per-run tables (one row per run: the design, the weight sets, every unit's score and rank)
are data for programs, not for reading: 10,000 runs of a 50-unit index are over a million cells,
which cost seconds as CSV and tens of seconds in a workbook. They are written as Parquet (typed,
compressed, read by pandas, R ``arrow`` and DuckDB), or as CSV when asked. The tables a person
opens (statistics, correlations, rank intervals, sensitivity…) are CSV and sheets of
``audit.xlsx``. Nothing is written unless every file is: :func:`nevindex.io.write_all`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from nevindex.audit.run import AuditResult
from nevindex.errors import NevIndexError
from nevindex.io import write_all, write_csv, write_xlsx, xlsx_overflow

__all__ = ["PER_RUN_TABLES", "PerRunFormat", "audit_files", "write_audit"]

#: Tables with one row per run; everything else has a row per indicator, node, unit or factor.
PER_RUN_TABLES = ("runs", "weight_sets", "run_scores", "run_ranks")
PerRunFormat = Literal["parquet", "csv"]


def _parquet(frame: pd.DataFrame, path: Path) -> None:
    """zstd-compressed Parquet; dictionary encoding only for text columns (trying it on a million
    distinct floats costs more than the whole write)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    text = [str(c) for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, compression="zstd",
                   use_dictionary=text or False)


def audit_files(result: AuditResult, *, per_run: PerRunFormat = "parquet", charts: bool = True,
                xlsx: bool = True) -> dict[str, Callable[[Path], None]]:
    """``{file name: writer}`` for every file of the audit (see :func:`write_audit`)."""
    if per_run not in ("parquet", "csv"):
        raise NevIndexError(f"unknown format '{per_run}' for the per-run tables; use parquet or csv")
    tables = result.tables()
    writers: dict[str, Callable[[Path], None]] = {}
    small: dict[str, pd.DataFrame] = {}
    for name, frame in tables.items():
        if name in PER_RUN_TABLES and per_run == "parquet":
            writers[f"{name}.parquet"] = lambda path, f=frame: _parquet(f, path)
        else:
            writers[f"{name}.csv"] = lambda path, f=frame: write_csv(f, path)
        if name not in PER_RUN_TABLES:
            small[name] = frame
    overflow = xlsx_overflow(small) if xlsx else None
    if xlsx and overflow is None:
        writers["audit.xlsx"] = lambda path: write_xlsx(small, path)
    summary: dict[str, Any] = result.summary() | {
        "files": {"per_run": per_run, "per_run_tables": [n for n in PER_RUN_TABLES if n in tables],
                  "workbook_sheets": list(small) if xlsx and overflow is None else [],
                  **({"workbook_note": f"audit.xlsx is not written: {overflow}; the CSV files hold every table"}
                     if overflow else {})}}
    writers["audit.json"] = lambda path: path.write_text(
        json.dumps(summary, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    if charts:
        for name, blob in result.charts().items():
            writers[f"charts/{name}"] = lambda path, b=blob: path.write_bytes(b)
    return writers


def write_audit(result: AuditResult, out: str | Path, *, per_run: PerRunFormat = "parquet", charts: bool = True,
                xlsx: bool = True) -> list[str]:
    """Write the audit into folder ``out``, all files or none; returns the file names.

    Parameters
    ----------
    result
        The audit, from :func:`nevindex.audit.run_audit`.
    out
        Folder to write into (created if needed); other files in it are left alone.
    per_run
        ``"parquet"`` (default) or ``"csv"`` for the per-run tables ``runs``, ``weight_sets``,
        ``run_scores``, ``run_ranks``.
    charts
        Also write ``charts/*.svg`` and ``charts/*.png``.
    xlsx
        Also write ``audit.xlsx`` with one sheet per table that is not per run.
    """
    if Path(out).exists() and not Path(out).is_dir():
        raise NevIndexError(f"{out} is a file, not a folder: choose another --out")
    writers = audit_files(result, per_run=per_run, charts=charts, xlsx=xlsx)
    write_all(out, writers)
    return list(writers)
