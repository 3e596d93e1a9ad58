"""The tidy observations surveys and panels produce: the format ``nevindex data import`` reads.

One row per brand and indicator: ``brand_id, year, indicator_id, value`` (empty when the value is
missing, with ``missing_reason`` saying why), the ``unit`` of measure, then provenance columns
that the store keeps with every observation: how it was collected, the source, the method, the
statistics behind the number, and the input file with its SHA-256.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nevindex.collect._spec import Source
from nevindex.io import atomic_path, write_csv

__all__ = ["KEY_COLUMNS", "observation_frame", "write_table", "combine_observations"]

#: Leading columns, in order, of every observations file.
KEY_COLUMNS = ("brand_id", "year", "indicator_id", "value", "unit")


def observation_frame(*, brands: Sequence[str], indicators: Sequence[str], units: Sequence[str],
                      year: int, values: np.ndarray, reasons: np.ndarray, collection: str, source: Source,
                      title: str, methods: Sequence[str], statistics: Mapping[str, np.ndarray],
                      input_file: str, input_sha256: str, synthetic: bool) -> pd.DataFrame:
    """brands × indicators arrays (``values``, ``reasons`` and each of ``statistics``) as tidy rows,
    brand-major; ``reasons`` is '' where a value is present."""
    g, k = len(brands), len(indicators)
    b_idx = np.repeat(np.arange(g), k)
    i_idx = np.tile(np.arange(k), g)
    title = source.title or title
    marker = "SYNTHETIC — not real data: " if synthetic and not title.upper().startswith("SYNTHETIC") else ""
    frame: dict[str, Any] = {
        "brand_id": np.asarray(brands, dtype=object)[b_idx],
        "year": np.full(g * k, year, dtype=np.int64),
        "indicator_id": np.asarray(indicators, dtype=object)[i_idx],
        "value": np.asarray(values, dtype=np.float64).reshape(-1),
        "unit": np.asarray(units, dtype=object)[i_idx],
        "collection": collection,
        "source_title": marker + title,
        "source_url": source.url or "",
        "source_organisation": source.organisation or "",
        "fieldwork": source.fieldwork or "",
        "method": np.asarray(methods, dtype=object)[i_idx],
        "missing_reason": np.asarray(reasons, dtype=object).reshape(-1),
    }
    for name, array in statistics.items():
        frame[name] = np.asarray(array).reshape(-1)
    frame.update({"input_file": Path(input_file).name, "input_sha256": input_sha256,
                  "synthetic": "yes" if synthetic else "no"})
    return pd.DataFrame(frame)


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write observations (or any table) as CSV, atomically: a reader or a crash never sees half a file."""
    path = Path(path)
    with atomic_path(path) as tmp:
        write_csv(frame, tmp)
    return path


def combine_observations(paths: Sequence[str | Path]) -> pd.DataFrame:
    """Several observations files as one table (the union of their columns, key columns first), so a
    survey's and a panel's values can be one data set. A brand, year and indicator in two files is an
    error naming both files and rows."""
    from nevindex.errors import DataError

    frames, seen = [], {}
    for path in paths:
        frame = pd.read_csv(path, dtype={"brand_id": str, "indicator_id": str}, keep_default_na=False,
                            na_values=[""])
        missing = [c for c in KEY_COLUMNS[:4] if c not in frame.columns]
        if missing:
            raise DataError(f"not an observations file: no column(s) {', '.join(missing)}", file=str(path))
        for row, key in enumerate(zip(frame["brand_id"], frame["year"], frame["indicator_id"], strict=True), start=2):
            if key in seen:
                first, first_row = seen[key]
                raise DataError(f"brand '{key[0]}' {key[1]} indicator '{key[2]}' is also in {first}, row {first_row}",
                                file=str(path), row=row)
            seen[key] = (str(path), row)
        frames.append(frame)
    if not frames:
        raise DataError("no observations file given")
    combined = pd.concat(frames, ignore_index=True, sort=False)
    lead = [c for c in KEY_COLUMNS if c in combined.columns]
    return combined[lead + [c for c in combined.columns if c not in lead]]
