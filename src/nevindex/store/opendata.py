"""An edition as open data: one long table (CSV, XLSX) and JSON, with the inputs that made it.

Long format, one row per unit and indicator or aggregate: the year of the data, the raw value,
whether it was imputed, the normalised score, the aggregate score, the rank and the source of
the value as imported. Text that a spreadsheet would run as a formula is neutralised in CSV and
XLSX (nevindex.io); JSON keeps values exactly as stored.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from nevindex.framework import Framework
from nevindex.io import safe_frame, write_all, write_csv

__all__ = ["LONG_COLUMNS", "long_table", "source_text", "sources_of", "write_open_data",
           "write_xlsx_streaming"]


LONG_COLUMNS = ["edition", "unit", "unit_name", "kind", "code", "name", "name_zh", "level", "year", "raw",
                "imputed", "normalised", "score", "rank", "rating", "coverage", "flags", "source", "notes"]
_FIXED = ("year", "unit", "column", "value", "row")


def source_text(source: str | dict[str, Any] | None, fallback: str) -> str:
    """A readable source for one value: its source columns (title, address, …), or the file."""
    if not source:
        return fallback
    if isinstance(source, str):
        source = json.loads(source)
    present = {k: v for k, v in source.items() if not _blank(v) and k not in _FIXED}
    picked = [str(v) for k, v in present.items() if "source" in k.lower()]
    return " | ".join(picked) if picked else fallback


def _blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def sources_of(provenance: pd.DataFrame | None, year: int, fallback: str
               ) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], str]]:
    """Source text and notes of every value of ``year`` in a dataset's provenance (derived values
    included: the methodology's derivations record their inputs and their sources)."""
    sources: dict[tuple[str, str], str] = {}
    notes: dict[tuple[str, str], str] = {}
    if provenance is None or provenance.empty:
        return sources, notes
    for rec in provenance[provenance["year"] == year].to_dict("records"):
        key = (str(rec["unit"]), str(rec["column"]))
        sources[key] = source_text(rec, fallback)
        if not _blank(rec.get("notes")):
            notes[key] = str(rec["notes"])
    return sources, notes


def long_table(label: str, year: int, framework: Framework, names: dict[str, str], scores: pd.DataFrame,
               indicators: pd.DataFrame, sources: dict[tuple[str, str], str], observed: set[tuple[str, str]],
               fallback_source: str, notes: dict[tuple[str, str], str] | None = None) -> pd.DataFrame:
    """The open-data table from stored rows (``edition_tables``) and the sources of the data year."""
    nodes = framework.nodes
    rows: list[dict[str, Any]] = []
    order = {c: k for k, c in enumerate(framework.display_order)}
    for rec in sorted(scores.to_dict("records"), key=lambda r: (order.get(r["node"], 0), _rank_key(r["rank"]),
                                                                str(r["unit"]))):
        node = nodes[rec["node"]]
        rows.append({"edition": label, "unit": rec["unit"], "unit_name": names.get(rec["unit"], rec["unit"]),
                     "kind": "aggregate", "code": rec["node"], "name": node.name.en, "name_zh": node.name.zh,
                     "level": rec["level"], "year": year, "raw": math.nan, "imputed": None, "normalised": math.nan,
                     "score": rec["score"], "rank": rec["rank"], "rating": rec["rating"], "coverage": rec["coverage"],
                     "flags": rec["flags"], "source": "", "notes": None})
    levels = framework.levels
    for rec in indicators.to_dict("records"):
        node = nodes[rec["indicator"]]
        key = (rec["unit"], rec["indicator"])
        if key in sources:
            source = sources[key]
        elif key in observed:
            source = fallback_source
        else:
            source = "imputed" if rec["imputed_flag"] else ""
        rows.append({"edition": label, "unit": rec["unit"], "unit_name": names.get(rec["unit"], rec["unit"]),
                     "kind": "indicator", "code": rec["indicator"], "name": node.name.en, "name_zh": node.name.zh,
                     "level": levels[rec["indicator"]], "year": year, "raw": rec["raw"],
                     "imputed": bool(rec["imputed_flag"]), "normalised": rec["normalised"], "score": math.nan,
                     "rank": rec["rank"], "rating": None, "coverage": math.nan, "flags": rec["flags"],
                     "source": source, "notes": (notes or {}).get(key)})
    return pd.DataFrame(rows, columns=LONG_COLUMNS)


def _rank_key(rank: Any) -> float:
    return math.inf if rank is None or (isinstance(rank, float) and math.isnan(rank)) else float(rank)


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return _jsonable(value.item())
    return value


def write_open_data(out: str | Path, long: pd.DataFrame, wide: pd.DataFrame, meta: dict[str, Any],
                    methodology_yaml: str, recipe_json: str, observations: pd.DataFrame) -> list[str]:
    """Write every file at once (nothing in ``out`` changes unless all were written)."""
    stem = f"edition-{meta['edition']['label']}"
    records = [{k: _jsonable(v) for k, v in r.items()} for r in long.to_dict("records")]
    document = {**meta, "records": records}
    meta_frame = pd.DataFrame([{"key": k, "value": json.dumps(v, ensure_ascii=False, default=str)
                                if isinstance(v, (dict, list)) else v} for k, v in _flat(meta).items()])
    writers = {
        f"{stem}.csv": lambda p: write_csv(long, p),
        # (the observations go to their own CSV only: an XLSX of every input row is slow and rarely wanted)
        f"{stem}.xlsx": lambda p: write_xlsx_streaming({"data": long, "scores": wide, "edition": meta_frame}, p),
        f"{stem}.json": lambda p: p.write_text(json.dumps(document, ensure_ascii=False, indent=1, allow_nan=False,
                                                          default=str), encoding="utf-8"),
        f"{stem}-observations.csv": lambda p: write_csv(observations, p),
        f"{stem}-methodology.yaml": lambda p: p.write_text(methodology_yaml, encoding="utf-8"),
        f"{stem}-recipe.json": lambda p: p.write_text(json.dumps(json.loads(recipe_json), indent=2) + "\n",
                                                      encoding="utf-8"),
        f"{stem}-README.md": lambda p: p.write_text(readme(stem, meta), encoding="utf-8"),
    }
    write_all(out, writers)
    return sorted(writers)


#: Printed at the top of the README of every NEV index export (the shipped editions are demonstrations).
DEMO_LABEL = "Demonstration edition built from public sources; not an official rating."


def readme(stem: str, meta: dict[str, Any]) -> str:
    """What the export is, what each file holds and how to cite it."""
    edition, methodology = meta["edition"], meta["methodology"]
    lines = [f"# Open data of edition {edition['label']} ({edition['year']})", ""]
    if methodology.get("code") == "nev":
        lines += [f"**{DEMO_LABEL}**", ""]
    lines += [f"Methodology {methodology['code']} {methodology['version']} (sha256 {methodology['sha256']}), "
              f"data set {meta['dataset']['label']} (sha256 {meta['dataset']['sha256']}), status {edition['status']}, "
              f"result sha256 {meta['result_sha256']}.", "",
              "| file | content |", "|---|---|",
              f"| `{stem}.csv` | one row per brand and node: raw value, score, rank and source of every number |",
              f"| `{stem}.xlsx` | the same as sheets: data, scores (one row per brand), edition |",
              f"| `{stem}.json` | the edition's metadata and every record |",
              f"| `{stem}-observations.csv` | every observation as imported, with its source |",
              f"| `{stem}-methodology.yaml` | the methodology the edition was built with |",
              f"| `{stem}-recipe.json` | every method choice of the build |", "",
              f"Cite the edition label and result_sha256; {meta.get('licence_note', 'open data')}.", ""]
    return "\n".join(lines)


def _flat(meta: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in meta.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def write_xlsx_streaming(sheets: dict[str, pd.DataFrame], path: Path) -> None:
    """Like :func:`nevindex.io.write_xlsx` (formula-safe text), in openpyxl's streaming mode: an
    edition of hundreds of brands has tens of thousands of rows, which pandas' writer is slow at."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for name, frame in sheets.items():
        sheet = book.create_sheet(title=name[:31])
        safe = safe_frame(frame)
        sheet.append([str(c) for c in safe.columns])
        for row in safe.itertuples(index=False, name=None):
            sheet.append([_cell(v) for v in row])
    book.save(path)


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
