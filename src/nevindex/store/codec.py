"""Objects ↔ rows: a Dataset as observations, a Result as result rows, and the hash of those rows.

Pure functions (no session): the same conversion is used to store a build and to check a rebuild,
so "bit for bit" means the same rows, compared through :func:`rows_sha256`. Missing numbers are
stored as NULL (SQLite cannot store NaN) and read back as NaN.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from nevindex.dataset import Dataset
from nevindex.methods.rank import rank_desc
from nevindex.result import Result
from nevindex.values import finite_or_none

__all__ = ["INDICATOR_FIELDS", "UNIT_FIELDS", "canonical", "dataset_from_rows", "dataset_sha256",
           "dataset_structure", "field_value", "nan", "observation_rows", "result_rows", "rows_frame",
           "rows_sha256"]


UNIT_FIELDS = ("unit", "node", "level", "score", "rank", "rating", "coverage", "flags")
INDICATOR_FIELDS = ("unit", "indicator", "raw", "imputed", "imputed_flag", "treated", "normalised", "rank", "flags")
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


# --- results -----------------------------------------------------------------------------------


def result_rows(result: Result) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every stored number of a build: unit × aggregate rows and unit × indicator rows."""
    fw = result.framework
    inds = result.indicators
    observed = ~np.isnan(result.screened)
    treated_high: dict[str, set[str]] = {r.indicator: set(r.high_units) for r in result.treatment}
    treated_low: dict[str, set[str]] = {r.indicator: set(r.low_units) for r in result.treatment}
    transformed = {r.indicator: r.transform for r in result.treatment if r.transform}
    root = fw.root
    unit_rows: list[dict[str, Any]] = []
    for k, node in enumerate(result.aggregates):
        under = [inds.index(i) for i in fw.indicators_under(node)]
        coverage = observed[:, under].mean(axis=1)
        imputed_any = result.imputed_mask[:, under].any(axis=1)
        for u, unit in enumerate(result.units):
            score = finite_or_none(result.scores[u, k])
            flags = [f for f, on in (("imputed", bool(imputed_any[u])), ("missing", score is None)) if on]
            unit_rows.append({"unit": unit, "node": node, "level": fw.levels[node], "score": score,
                              "rank": finite_or_none(result.ranks[u, k]),
                              "rating": fw.rating(score) if node == root and score is not None and fw.ratings else None,
                              "coverage": float(coverage[u]), "flags": " ".join(flags)})
    dropped = [u for u in result.all_units if u not in set(result.units)]
    for node in result.aggregates:
        for unit in dropped:
            unit_rows.append({"unit": unit, "node": node, "level": fw.levels[node], "score": None, "rank": None,
                              "rating": None, "coverage": None, "flags": "screened_out"})
    kept = {u: i for i, u in enumerate(result.units)}
    ind_ranks = rank_desc(result.normalised.T).T if result.normalised.size else result.normalised
    ind_rows: list[dict[str, Any]] = []
    for a, unit in enumerate(result.all_units):
        r = kept.get(unit)
        for j, code in enumerate(inds):
            if r is None:
                ind_rows.append({"unit": unit, "indicator": code, "raw": finite_or_none(result.raw[a, j]), "imputed": None,
                                 "imputed_flag": False, "treated": None, "normalised": None, "rank": None,
                                 "flags": "screened_out"})
                continue
            flags = []
            if result.imputed_mask[r, j]:
                flags.append("imputed")
            if unit in treated_high.get(code, ()):
                flags.append("winsorised_high")
            if unit in treated_low.get(code, ()):
                flags.append("winsorised_low")
            if code in transformed:
                flags.append(f"transformed:{transformed[code]}")
            ind_rows.append({"unit": unit, "indicator": code, "raw": finite_or_none(result.raw[a, j]),
                             "imputed": finite_or_none(result.imputed[r, j]), "imputed_flag": bool(result.imputed_mask[r, j]),
                             "treated": finite_or_none(result.treated[r, j]), "normalised": finite_or_none(result.normalised[r, j]),
                             "rank": finite_or_none(ind_ranks[r, j]), "flags": " ".join(flags)})
    return unit_rows, ind_rows


def canonical(value: Any) -> Any:
    if isinstance(value, float):
        return value.hex()
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    return value


def rows_sha256(unit_rows: Sequence[Mapping[str, Any]], indicator_rows: Sequence[Mapping[str, Any]]) -> str:
    """Hash of every stored number, bit for bit (floats by their exact hex form), order-independent."""
    h = hashlib.sha256()
    for fields, rows, key in ((UNIT_FIELDS, unit_rows, ("unit", "node")),
                              (INDICATOR_FIELDS, indicator_rows, ("unit", "indicator"))):
        canon = sorted(([canonical(field_value(r, f)) for f in fields] for r in rows),
                       key=lambda row: tuple(str(row[fields.index(k)]) for k in key))
        h.update(json.dumps(canon, separators=(",", ":"), ensure_ascii=False).encode())
    return h.hexdigest()


def field_value(row: Any, field: str) -> Any:
    value = row[field] if isinstance(row, Mapping) else getattr(row, field)
    if field in ("level",) and value is not None:
        return int(value)
    if field == "imputed_flag":
        return bool(value)
    if isinstance(value, (float, int, np.floating)) and field not in ("level",) and not isinstance(value, bool):
        return float(value)
    return value


def rows_frame(rows: Sequence[Any], fields: Sequence[str]) -> pd.DataFrame:
    """ORM rows or dicts as a DataFrame with NaN for missing numbers."""
    data = [{f: (row[f] if isinstance(row, Mapping) else getattr(row, f)) for f in fields} for row in rows]
    frame = pd.DataFrame(data, columns=list(fields))
    for f in fields:
        if f in ("score", "rank", "coverage", "raw", "imputed", "treated", "normalised"):
            frame[f] = pd.to_numeric(frame[f], errors="coerce").astype(float)
    return frame
