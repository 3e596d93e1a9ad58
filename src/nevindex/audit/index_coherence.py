"""Coherence with the index, on the units a publication actually ranks.

The audit's :mod:`~nevindex.audit.coherence` correlates every node with its parent over every
scored unit. A published ranking may rate only some of them (coverage rules), and the question a
reviewer asks of it is narrower: among the rated units, does each element move with the index,
and which indicators does the index follow? This table answers it: one row per element (against
the index) and per indicator (the index against it), with Pearson r, Spearman ρ, the number of
units behind each (pairwise complete) and the METHODS.md flag (negative, or below 0.3).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from nevindex.audit.coherence import WEAK, node_values, pearson, spearman
from nevindex.result import Result

__all__ = ["COLUMNS", "index_coherence"]

COLUMNS = ["node", "kind", "level", "parent", "pearson", "spearman", "n", "flag"]


def _flag(r: float) -> str:
    if np.isnan(r):
        return ""
    return "negative" if r < 0 else ("weak" if r < WEAK else "")


def index_coherence(result: Result, units: Iterable[str] | None = None) -> pd.DataFrame:
    """Correlations with the root (the index) among ``units`` (default: every scored unit).

    Rows: the index itself (``kind`` = ``index``; ``n`` = units with an index score), each child of
    the root (``element``), then every indicator (``indicator``, its parent named). Values are those
    the index is built from (normalised indicators, aggregate scores); ``n`` counts the units with
    both values present."""
    fw = result.framework
    values = node_values(result)
    keep = np.ones(len(result.units), dtype=bool)
    if units is not None:
        chosen = set(units)
        keep = np.array([u in chosen for u in result.units])
    index = values[fw.root][keep]
    rows = [{"node": fw.root, "kind": "index", "level": fw.levels[fw.root], "parent": None, "pearson": np.nan,
             "spearman": np.nan, "n": int(np.isfinite(index).sum()), "flag": ""}]
    nodes = [(c, "element") for c in fw.children[fw.root]] + [(c, "indicator") for c in fw.indicator_codes]
    for code, kind in nodes:
        x = values[code][keep]
        r, n = pearson(x, index)
        rho, _ = spearman(x, index)
        rows.append({"node": code, "kind": kind, "level": fw.levels[code], "parent": fw.nodes[code].parent,
                     "pearson": r, "spearman": rho, "n": n, "flag": _flag(r)})
    return pd.DataFrame(rows, columns=COLUMNS)
