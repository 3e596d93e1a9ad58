"""Coherence of the published ranking: correlations with the index among the *rated* brands.

The audit correlates every node with its parent over every brand the engine scored; the index
publishes ranks for the rated brands only (nevindex.nev.coverage). This module applies the audit's
:func:`~nevindex.audit.index_coherence.index_coherence` to exactly those brands, so the table
describes the numbers that are published. Stored with every demo edition's audit (table
``index_coherence``), shown in the report's audit annex and quoted in docs/methodology.md.
"""

from __future__ import annotations

import pandas as pd

from nevindex.audit.index_coherence import index_coherence
from nevindex.nev.coverage import CoverageRules, coverage_table
from nevindex.result import Result

__all__ = ["TABLE", "rated_coherence"]

TABLE = "index_coherence"


def rated_coherence(result: Result, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each element's correlation with the index, and the index's with every indicator, among the
    brands the coverage rules rate (``table``: the edition's coverage table, computed if not given)."""
    table = table if table is not None else coverage_table(result, CoverageRules.from_framework(result.framework))
    rated = table.loc[table["rated"].astype(bool), "unit"].astype(str).tolist()
    return index_coherence(result, rated)
