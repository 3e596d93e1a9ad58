"""The merged data-set version: the previous one plus the approved submitted values (pure).

Each merged value replaces the cell it is for and carries its provenance: the submission, who
submitted it and when, the evidence, who reviewed it, when and why. Where a public source had a
value for the cell, the reviewer's choice wins and the public value and its source stay in the
provenance beside it (``public_value``, ``public_source``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from nevindex.dataset import Dataset
from nevindex.errors import DataError
from nevindex.store.submissions import SubmissionInfo, ValueInfo

__all__ = ["PROVENANCE", "merged_dataset"]

#: Provenance columns a merged value fills (beside ``source_title``, ``source_url``, ``excerpt``).
PROVENANCE = ("collection", "submission", "submitted_by", "submitted_at", "evidence", "reviewed_by", "reviewed_at",
              "review_comment", "public_value", "public_source")
_FIXED = ("year", "unit", "column", "value", "row")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _public(rows: pd.DataFrame, old: float) -> tuple[float | None, str | None]:
    """The public value of a cell and its source, also when the cell was itself merged before."""
    if math.isnan(old):
        return None, None
    if rows.empty:
        return old, None
    rec = rows.iloc[-1].to_dict()
    if rec.get("collection") == "submission":  # merged earlier: keep what the public source said then
        public = rec.get("public_value")
        return (None if _blank(public) else float(public)), (None if _blank(rec.get("public_source"))
                                                            else str(rec["public_source"]))
    source = {k: v for k, v in rec.items() if k not in _FIXED and k not in PROVENANCE and not _blank(v)}
    return old, json.dumps(source, ensure_ascii=False, sort_keys=True, default=str) if source else None


def merged_dataset(ds: Dataset, approved: Sequence[tuple[SubmissionInfo, ValueInfo]]) -> Dataset:
    """``ds`` with every approved value written into its cell (a new column for a raw indicator no
    public source had), each with its provenance."""
    columns = list(ds.columns) + list(dict.fromkeys(v.indicator for _, v in approved if v.indicator not in ds.columns))
    values = np.full((len(ds.years), len(ds.units), len(columns)), np.nan)
    values[:, :, : len(ds.columns)] = ds.values
    prov = ds.provenance.copy() if ds.provenance is not None else pd.DataFrame(columns=list(_FIXED))
    for column in PROVENANCE:
        if column not in prov.columns:
            prov[column] = None
    prov = prov.astype({c: object for c in PROVENANCE})
    added = []
    for sub, value in sorted(approved, key=lambda pair: (pair[0].id, pair[1].id)):
        if sub.brand not in ds.units or value.year not in ds.years:
            raise DataError(f"submission #{sub.id}: brand '{sub.brand}' {value.year} is not in the data set "
                            f"(units {len(ds.units)}, years {', '.join(map(str, ds.years))})")
        t, u, c = ds.years.index(value.year), ds.units.index(sub.brand), columns.index(value.indicator)
        here = (prov["year"] == value.year) & (prov["unit"] == sub.brand) & (prov["column"] == value.indicator)
        public, public_source = _public(prov[here], float(values[t, u, c]))
        prov = prov[~here]
        added = [a for a in added if (a["year"], a["unit"], a["column"]) != (value.year, sub.brand, value.indicator)]
        values[t, u, c] = value.value
        review = value.decision
        evidence = value.evidence or ""
        added.append({
            "year": value.year, "unit": sub.brand, "column": value.indicator, "value": value.value, "row": None,
            "unit_of_measure": value.unit_of_measure,
            "source_title": f"brand submission #{sub.id} ({sub.brand}, edition {sub.edition}) by {sub.submitted_by}, "
                            f"reviewed by {review.reviewer if review else '?'}",
            "source_url": evidence if evidence.startswith(("https://", "http://")) else None,
            "excerpt": value.note, "collection": "submission", "submission": str(sub.id),
            "submitted_by": sub.submitted_by, "submitted_at": sub.submitted_at.isoformat(timespec="seconds"),
            "evidence": value.evidence, "reviewed_by": review.reviewer if review else None,
            "reviewed_at": review.at.isoformat(timespec="seconds") if review else None,
            "review_comment": review.comment if review else None,
            "public_value": None if public is None else repr(public), "public_source": public_source})
    extra = pd.DataFrame(added)
    for column in prov.columns:
        if column not in extra.columns:
            extra[column] = None
    merged = pd.concat([prov, extra[[c for c in extra.columns]]], ignore_index=True) if len(prov) else extra
    return Dataset(ds.units, tuple(columns), ds.years, values, ds.names, ds.attributes, merged, ds.source)
