"""An edition as open data: one long table (CSV, XLSX) and JSON, with the inputs that made it.

Long format, one row per unit and indicator or aggregate: the year of the data, the raw value,
whether it was imputed, the normalised score, the aggregate score, the rank and the source of
the value as imported. Text that a spreadsheet would run as a formula is neutralised in CSV and
XLSX (nevindex.io); JSON keeps values exactly as stored.

Every file is a pure function of an :class:`EditionContent`: the methodology text, the recipe, the
data set exactly as stored (``-dataset.json``) and the stored result rows (``-results.json``), plus
the edition's record. So a reader holding the files and the edition's receipt can recompute each
hash the receipt signs, and regenerate every other file to compare (``nevindex edition verify
--receipt receipt.json --export DIR``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from nevindex.dataset import Dataset
from nevindex.framework import Framework
from nevindex.io import safe_frame, write_all, write_csv
from nevindex.result import INDICATOR_FIELDS, UNIT_FIELDS, field_value
from nevindex.store import codec
from nevindex.store.receipts import HASHES

__all__ = ["EditionContent", "LONG_COLUMNS", "OBSERVATION_FIELDS", "edition_meta", "file_names", "long_table",
           "open_data_writers", "source_text", "sources_of", "write_open_data", "write_xlsx_streaming"]

#: The columns of a stored observation, as ``-dataset.json`` lists them.
OBSERVATION_FIELDS = ("year", "unit", "indicator", "value", "row", "source")


@dataclass(frozen=True)
class EditionContent:
    """What an edition's open data are made of: read from the store (export), or back from the files."""

    meta: dict[str, Any]  # edition_meta()
    framework: Framework
    methodology_yaml: str
    recipe_json: str
    structure: Mapping[str, Any]  # the data set's units, columns, years, names, attributes
    observations: Sequence[Any]  # stored order; attributes OBSERVATION_FIELDS
    unit_rows: Sequence[Any]  # the stored result rows (attributes or keys UNIT_FIELDS)
    indicator_rows: Sequence[Any]
    built: Dataset  # the data as built (derivations applied): where derived values come from

    @property
    def label(self) -> str:
        return str(self.meta["edition"]["label"])


def edition_meta(*, label: str, year: int, status: str, published_at: str | None, corrects: str | None,
                 correction_reason: str | None, data_year: int, methodology: Mapping[str, Any],
                 dataset: Mapping[str, Any], hashes: Mapping[str, str | None],
                 package_version: str | None) -> dict[str, Any]:
    """The edition's record in the open data (JSON document, XLSX sheet "edition")."""
    return {"edition": {"label": label, "year": year, "status": status, "published_at": published_at,
                        "corrects": corrects, "correction_reason": correction_reason},
            "data_year": data_year,
            "methodology": {"code": methodology["code"], "version": methodology["version"]},
            "dataset": {"label": dataset["label"], "source_name": dataset.get("source_name")},
            "hashes": {name: hashes.get(name) for name in HASHES}, "package_version": package_version,
            "licence_note": "open data; cite the edition label and hashes.result_sha256",
            "check": "nevindex edition verify --receipt receipt.json --export <this folder>"}


def file_names(label: str) -> dict[str, str]:
    """The open-data files of edition ``label`` by role."""
    stem = f"edition-{label}"
    return {"csv": f"{stem}.csv", "xlsx": f"{stem}.xlsx", "json": f"{stem}.json",
            "observations": f"{stem}-observations.csv", "methodology": f"{stem}-methodology.yaml",
            "recipe": f"{stem}-recipe.json", "dataset": f"{stem}-dataset.json", "results": f"{stem}-results.json",
            "readme": f"{stem}-README.md"}


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


def _rows_document(rows: Sequence[Any], fields: Sequence[str], value: Callable[[Any, str], Any]) -> dict[str, Any]:
    return {"fields": list(fields), "rows": [[value(r, f) for f in fields] for r in rows]}


def _frames(content: EditionContent) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The long table, the wide score table and the observations table of the content."""
    fw, meta = content.framework, content.meta
    year = int(meta["data_year"])
    fallback = meta["dataset"].get("source_name") or meta["dataset"]["label"]
    sources, notes = sources_of(content.built.provenance, year, fallback)
    observed = {(o.unit, o.indicator) for o in content.observations if o.year == year}
    observations = pd.DataFrame(
        [{"year": o.year, "unit": o.unit, "indicator": o.indicator, "value": o.value, "row": o.row,
          "source": source_text(o.source, fallback)} for o in content.observations],
        columns=["year", "unit", "indicator", "value", "row", "source"])
    names = dict(zip(content.structure["units"], content.structure["names"], strict=True))
    scores = codec.rows_frame(content.unit_rows, UNIT_FIELDS)
    long = long_table(content.label, year, fw, names, scores, codec.rows_frame(content.indicator_rows,
                                                                               INDICATOR_FIELDS),
                      sources, observed, fallback, notes)
    wide = scores.pivot(index="unit", columns="node", values="score")[list(fw.display_order)]
    ranks = scores.pivot(index="unit", columns="node", values="rank")[list(fw.display_order)]
    wide = wide.join(ranks.add_suffix("_rank")).reset_index()
    wide.insert(1, "unit_name", [names.get(u, u) for u in wide["unit"]])
    wide = wide.sort_values([f"{fw.root}_rank", "unit"], na_position="last").reset_index(drop=True)
    return long, wide, observations


def _json_text(document: Any, indent: int | None = 1) -> str:
    return json.dumps(document, ensure_ascii=False, indent=indent, allow_nan=False, default=str) + "\n"


def open_data_writers(content: EditionContent) -> dict[str, Callable[[Path], None]]:
    """A writer per open-data file (name → write(path)); the same content gives the same files."""
    long, wide, observations = _frames(content)
    meta = content.meta
    names = file_names(content.label)
    records = [{k: _jsonable(v) for k, v in r.items()} for r in long.to_dict("records")]
    meta_frame = pd.DataFrame([{"key": k, "value": json.dumps(v, ensure_ascii=False, default=str)
                                if isinstance(v, (dict, list)) else v} for k, v in _flat(meta).items()])
    dataset = {"label": meta["dataset"]["label"], "source_name": meta["dataset"].get("source_name"),
               "structure": dict(content.structure),
               **_rows_document(content.observations, OBSERVATION_FIELDS, getattr)}
    results = {"unit_results": _rows_document(content.unit_rows, UNIT_FIELDS, field_value),
               "indicator_results": _rows_document(content.indicator_rows, INDICATOR_FIELDS, field_value)}

    def text(body: str) -> Callable[[Path], None]:
        return lambda p: p.write_text(body, encoding="utf-8")

    return {
        names["csv"]: lambda p: write_csv(long, p),
        # (the observations go to their own CSV only: an XLSX of every input row is slow and rarely wanted)
        names["xlsx"]: lambda p: write_xlsx_streaming({"data": long, "scores": wide, "edition": meta_frame}, p),
        names["json"]: text(_json_text({**meta, "records": records})),
        names["observations"]: lambda p: write_csv(observations, p),
        names["methodology"]: text(content.methodology_yaml),
        names["recipe"]: text(json.dumps(json.loads(content.recipe_json), indent=2) + "\n"),
        names["dataset"]: text(_json_text(dataset, indent=None)),
        names["results"]: text(_json_text(results, indent=None)),
        names["readme"]: text(readme(content.label, meta)),
    }


def write_open_data(out: str | Path, content: EditionContent, extra: Mapping[str, bytes] | None = None) -> list[str]:
    """Write every file at once (nothing in ``out`` changes unless all were written); ``extra``: more
    files by name (the receipt)."""
    writers = open_data_writers(content)
    for name, data in (extra or {}).items():
        writers[name] = lambda p, d=data: p.write_bytes(d)
    write_all(out, writers)
    return sorted(writers)


#: Printed at the top of the README of every NEV index export (the shipped editions are demonstrations).
DEMO_LABEL = "Demonstration edition built from public sources; not an official rating."


def readme(label: str, meta: dict[str, Any]) -> str:
    """What the export is, what each file holds, how to cite it and how to check it."""
    edition, methodology, hashes = meta["edition"], meta["methodology"], meta["hashes"]
    names = file_names(label)
    lines = [f"# Open data of edition {edition['label']} ({edition['year']})", ""]
    if methodology.get("code") == "nev":
        lines += [f"**{DEMO_LABEL}**", ""]
    lines += [f"Methodology {methodology['code']} {methodology['version']} (methodology_sha256 "
              f"{hashes['methodology_sha256']}), data set {meta['dataset']['label']} (dataset_sha256 "
              f"{hashes['dataset_sha256']}), status {edition['status']}, result_sha256 {hashes['result_sha256']}.", "",
              "| file | content |", "|---|---|",
              f"| `{names['csv']}` | one row per brand and node: raw value, score, rank and source of every number |",
              f"| `{names['xlsx']}` | the same as sheets: data, scores (one row per brand), edition |",
              f"| `{names['json']}` | the edition's metadata and hashes, and every record |",
              f"| `{names['observations']}` | every observation as imported, with its source |",
              f"| `{names['methodology']}` | the methodology the edition was built with |",
              f"| `{names['recipe']}` | every method choice of the build |",
              f"| `{names['dataset']}` | the data set exactly as stored (recomputes dataset_sha256) |",
              f"| `{names['results']}` | every stored result row, exactly (recomputes result_sha256) |",
              "| `receipt.json` | the edition's signed receipt, when it is published |", "",
              f"Cite the edition label and result_sha256; {meta.get('licence_note', 'open data')}.", "",
              "Check these files against the receipt (no database needed): "
              "`nevindex edition verify --receipt receipt.json --export .` in this folder.", ""]
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
