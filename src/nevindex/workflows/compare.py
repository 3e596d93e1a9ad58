"""Compare two stored editions: what changed for each unit and why (data or methodology)."""

from __future__ import annotations

from dataclasses import replace

from nevindex.build import build
from nevindex.errors import NevIndexError
from nevindex.insight.change import Change, decompose, old_under_new
from nevindex.store import codec
from nevindex.store import editions as ed
from nevindex.store._session import find_edition, require
from nevindex.store._stored import inputs_of, load_dataset
from nevindex.store.db import Store

__all__ = ["compare_editions"]


def compare_editions(store: Store, old_ref: int | str, new_ref: int | str, *, split: bool = True) -> Change:
    """What changed between two built editions and why (see :mod:`nevindex.insight.change`).

    Both are rebuilt from their stored inputs (and checked against their stored result hash); the
    old data are rebuilt under the new methodology to split data from methodology; rank intervals
    come from each edition's stored audit when it has them.
    """
    results = []
    notes: list[str] = []
    for ref in (old_ref, new_ref):
        with store.read() as s:
            edition = require(find_edition(s, ref), built="nothing to compare")
            raw = load_dataset(s, edition.dataset)
            inputs = inputs_of(s, edition, raw)
            expected, label = edition.result_sha256, edition.label
        result = build(inputs.framework, inputs.dataset, inputs.recipe, year=inputs.year)
        if codec.rows_sha256(*codec.result_rows(result)) != expected:
            notes.append(f"edition '{label}' does not rebuild to its stored results; run verify")
        results.append((result, raw))
    (old, old_raw), (new, _) = results
    middle = None
    if split:
        try:
            middle = old_under_new(old, new, dataset=old_raw)
        except NevIndexError as exc:
            notes.append(f"the old data cannot be built under the new methodology ({exc}); "
                         "no data/methodology split")
    old_iv, new_iv = ed.rank_intervals(store, old_ref), ed.rank_intervals(store, new_ref)
    change = decompose(old, new, middle, old_interval=old_iv.bounds() if old_iv else None,
                       new_interval=new_iv.bounds() if new_iv else None)
    return replace(change, notes=(*change.notes, *notes)) if notes else change
