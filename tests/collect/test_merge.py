"""The merged data set (pure): the approved value replaces its cell, a new raw indicator becomes a column,
and the public value stays in the provenance even through a second merge of the same cell."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from nevindex.collect.merge import merged_dataset
from nevindex.dataset import Dataset
from nevindex.store.submissions import ReviewInfo, SubmissionInfo, ValueInfo

AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _pair(sid: int, brand: str, code: str, value: float) -> tuple[SubmissionInfo, ValueInfo]:
    review = ReviewInfo("approve", f"ok {sid}", "Reviewer", AT, None)
    v = ValueInfo(code, 2024, value, "sites", "https://example.org/e", "a note", "Questionnaire!G8", None, None, (),
                  id=sid * 10, submission_id=sid, reviews=(review,))
    return SubmissionInfo(sid, "2024", 1, brand, "x" * 64, "1", "q.xlsx", "y" * 64, f"Brand office {sid}", AT, (v,)), v


def _public() -> Dataset:
    values = np.array([[[200.0], [300.0]]])  # one year, two brands, one column
    prov = pd.DataFrame([{"year": 2024, "unit": "acme", "column": "sites", "value": 200.0, "row": 2,
                          "source_title": "acme report", "source_url": "https://example.org/acme"},
                         {"year": 2024, "unit": "bolt", "column": "sites", "value": 300.0, "row": 3,
                          "source_title": "bolt report", "source_url": "https://example.org/bolt"}])
    return Dataset(("acme", "bolt"), ("sites",), (2024,), values, ("Acme", "Bolt"), {}, prov, "public.csv")


def test_the_reviewed_value_wins_and_the_public_one_stays_beside_it() -> None:
    merged = merged_dataset(_public(), [_pair(1, "acme", "sites", 320.0), _pair(1, "bolt", "staff", 12.0)])
    assert merged.columns == ("sites", "staff")
    assert merged.values[0, 0, 0] == 320 and math.isnan(merged.values[0, 0, 1])  # acme: submitted; no staff
    assert merged.values[0, 1].tolist() == [300.0, 12.0]  # bolt: public sites kept, submitted staff added
    prov = merged.provenance.set_index(["unit", "column"])
    acme = prov.loc[("acme", "sites")]
    assert (acme.value, acme.collection, acme.submitted_by, acme.reviewed_by, acme.review_comment) == (
        320.0, "submission", "Brand office 1", "Reviewer", "ok 1")
    assert float(acme.public_value) == 200 and json.loads(acme.public_source) == {
        "source_title": "acme report", "source_url": "https://example.org/acme"}
    assert prov.loc[("bolt", "sites")].source_title == "bolt report"  # untouched
    assert pd.isna(prov.loc[("bolt", "staff")].public_value)  # no public value for a new column


def test_a_second_merge_keeps_the_original_public_value() -> None:
    once = merged_dataset(_public(), [_pair(1, "acme", "sites", 320.0)])
    twice = merged_dataset(once, [_pair(2, "acme", "sites", 330.0)])
    rows = twice.provenance[(twice.provenance.unit == "acme") & (twice.provenance.column == "sites")]
    assert len(rows) == 1
    assert (rows.iloc[0].value, rows.iloc[0].submission, float(rows.iloc[0].public_value)) == (330.0, "2", 200.0)
    assert "acme report" in rows.iloc[0].public_source
