"""Objects ↔ rows: a Dataset as observations, a Result as result rows, and the hash of those rows.

Pure functions (no session): the same conversion is used to store a build and to check a rebuild,
so "bit for bit" means the same rows, compared through :func:`rows_sha256`. Missing numbers are
stored as NULL (SQLite cannot store NaN) and read back as NaN. The result rows and their hash are
the engine's own (:mod:`nevindex.result`: ``Result.content_sha256`` is the same hash), re-exported here.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from nevindex.dataset import Dataset
from nevindex.result import INDICATOR_FIELDS, UNIT_FIELDS, canonical, field_value, result_rows, rows_sha256

__all__ = ["INDICATOR_FIELDS", "UNIT_FIELDS", "canonical", "dataset_from_rows", "dataset_sha256",
           "dataset_structure", "field_value", "nan", "observation_rows", "result_rows", "rows_frame",
           "rows_sha256", "ROUNDING", "result_differences", "rounding_only"]


_PROV_FIXED = ("year", "unit", "column", "value", "row")


def nan(value: float | None) -> float:
    return math.nan if value is None else float(value)


# --- data sets ---------------------------------------------------------------------------------


def dataset_structure(ds: Dataset) -> dict[str, Any]:
    prov_cols = [] if ds.provenance is None else [c for c in ds.provenance.columns if c not in _PROV_FIXED]
    return {"units": list(ds.units), "columns": list(ds.columns), "years": list(ds.years),
            "names": list(ds.names), "attributes": {k: list(v) for k, v in ds.attributes.items()},
            "source": ds.source, "provenance_columns": prov_cols if ds.provenance is not None else None}


def observation_rows(ds: Dataset) -> list[dict[str, Any]]:
    """One row per observed cell, with the source row and source columns where the file had them."""
    lookup: dict[tuple[int, str, str], tuple[int | None, str | None]] = {}
    if ds.provenance is not None:
        extra = [c for c in ds.provenance.columns if c not in _PROV_FIXED]
        for rec in ds.provenance.to_dict("records"):
            source = {c: (None if _blank(rec.get(c)) else str(rec[c])) for c in extra}
            row = rec.get("row")
            lookup[(int(rec["year"]), str(rec["unit"]), str(rec["column"]))] = (
                None if _blank(row) else int(row), json.dumps(source, ensure_ascii=False, sort_keys=True))
    t_idx, u_idx, c_idx = np.nonzero(~np.isnan(ds.values))
    rows = []
    for t, u, c in zip(t_idx.tolist(), u_idx.tolist(), c_idx.tolist(), strict=True):
        key = (ds.years[t], ds.units[u], ds.columns[c])
        row, source = lookup.get(key, (None, None))
        rows.append({"year": key[0], "unit": key[1], "indicator": key[2], "value": float(ds.values[t, u, c]),
                     "row": row, "source": source})
    return rows


def dataset_sha256(ds: Dataset, rows: Sequence[Mapping[str, Any]]) -> str:
    """Hash of everything stored of a data set: its content (``Dataset.sha256``) and the provenance
    of every observation (source row and columns), so a corrected source is a new data set."""
    h = hashlib.sha256(ds.sha256().encode())
    canon = [[r["year"], r["unit"], r["indicator"], r["row"], r["source"]] for r in rows]
    h.update(json.dumps(canon, ensure_ascii=False, separators=(",", ":")).encode())
    return h.hexdigest()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def dataset_from_rows(structure: Mapping[str, Any], observations: Iterable[Any]) -> Dataset:
    """Rebuild the Dataset exactly as imported (its sha256 equals the stored one)."""
    units, columns, years = structure["units"], structure["columns"], [int(y) for y in structure["years"]]
    ui = {u: i for i, u in enumerate(units)}
    ci = {c: i for i, c in enumerate(columns)}
    yi = {y: i for i, y in enumerate(years)}
    values = np.full((len(years), len(units), len(columns)), np.nan)
    prov_cols = structure.get("provenance_columns")
    prov: list[dict[str, Any]] = []
    for obs in observations:
        values[yi[obs.year], ui[obs.unit], ci[obs.indicator]] = obs.value
        if prov_cols is not None:
            source = json.loads(obs.source) if obs.source else {}
            prov.append({"year": obs.year, "unit": obs.unit, "column": obs.indicator, "value": obs.value,
                         "row": obs.row, **{c: source.get(c) for c in prov_cols}})
    provenance = pd.DataFrame(prov) if prov_cols is not None and prov else None
    attributes = {k: tuple(v) for k, v in structure["attributes"].items()}
    return Dataset(tuple(units), tuple(columns), tuple(years), values, tuple(structure["names"]), attributes,
                   provenance, structure.get("source"))


# --- result rows as frames ----------------------------------------------------------------

def rows_frame(rows: Sequence[Any], fields: Sequence[str]) -> pd.DataFrame:
    """ORM rows or dicts as a DataFrame with NaN for missing numbers."""
    data = [{f: (row[f] if isinstance(row, Mapping) else getattr(row, f)) for f in fields} for row in rows]
    frame = pd.DataFrame(data, columns=list(fields))
    for f in fields:
        if f in ("score", "rank", "coverage", "raw", "imputed", "treated", "normalised"):
            frame[f] = pd.to_numeric(frame[f], errors="coerce").astype(float)
    return frame


#: Largest difference between a stored and a rebuilt number, relative to max(1, |value|), that verify
#: reads as the rounding of another machine's floating point rather than a changed number.
ROUNDING = 1e-9


def result_differences(stored_units: Sequence[Any], stored_inds: Sequence[Any],
                       unit_rows: Sequence[Mapping[str, Any]],
                       ind_rows: Sequence[Mapping[str, Any]]) -> Iterator[tuple[str, Any, Any]]:
    """Every difference between stored result rows (row objects or mappings) and rebuilt ones, in
    order, as (where, stored, rebuilt): a cell ("unit 'bolt' node 'Index' score"), or a row only one
    side has, as (what is wrong, None, None)."""
    for fields, stored, fresh, key in ((UNIT_FIELDS, stored_units, unit_rows, "node"),
                                       (INDICATOR_FIELDS, stored_inds, ind_rows, "indicator")):
        by_key = {(field_value(r, "unit"), field_value(r, key)): r for r in stored}
        for row in fresh:
            old = by_key.get((row["unit"], row[key]))
            if old is None:
                yield f"unit '{row['unit']}' {key} '{row[key]}' is missing from the store", None, None
                continue
            for f in fields:
                a, b = field_value(old, f), field_value(row, f)
                if canonical(a) != canonical(b):
                    yield f"unit '{row['unit']}' {key} '{row[key]}' {f}", a, b
        if len(by_key) != len(fresh):
            yield f"the store has {len(by_key)} {key} rows, the rebuild {len(fresh)}", None, None


def rounding_only(stored_units: Sequence[Any], stored_inds: Sequence[Any], unit_rows: Sequence[Mapping[str, Any]],
                  ind_rows: Sequence[Mapping[str, Any]]) -> tuple[float, str] | None:
    """(largest difference, where) when the rebuilt rows differ from the stored ones only in finite
    floats, each by less than :data:`ROUNDING` of its scale: another machine's floating point. None when
    anything else differs (a row, a rank, a rating, a missing value, or a number by more)."""
    largest, where = 0.0, ""
    for place, a, b in result_differences(stored_units, stored_inds, unit_rows, ind_rows):
        if not (isinstance(a, float) and isinstance(b, float) and math.isfinite(a) and math.isfinite(b)):
            return None
        gap = abs(a - b)
        if gap > ROUNDING * max(1.0, abs(a), abs(b)):
            return None
        if gap > largest:
            largest, where = gap, place
    return largest, where
