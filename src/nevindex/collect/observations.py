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
