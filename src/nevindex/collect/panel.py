"""Expert panels → consensus values per brand and criterion, with agreement and far-off raters flagged.

``read_panel`` checks the ratings file (one row per expert, brand, criterion, score);
:func:`estimate_panel` computes, per criterion, the consensus of every brand, the agreement of
the experts and each expert's distance from the others; :meth:`PanelEstimate.observations` lays
the values out for ``nevindex data import`` with that provenance.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from nevindex.collect._spec import fmt_number
from nevindex.collect._table import Problems, check_codes, read_columns, repeated, sorted_codes
from nevindex.collect.observations import observation_frame
from nevindex.collect.panel_spec import PanelSpec
from nevindex.collect.panel_stats import Agreement, agreement, consensus, leave_one_out_deviation
from nevindex.recipe import nearest

__all__ = ["PanelData", "read_panel", "PanelEstimate", "estimate_panel"]


@dataclass(frozen=True, eq=False)
class PanelData:
    """Checked ratings: ``scores[c]`` is brands × experts for criterion ``criteria[c]`` (NaN = not rated)."""

    file: str
    sha256: str
    brands: tuple[str, ...]
    experts: tuple[str, ...]
    criteria: tuple[str, ...]
    scores: NDArray[np.float64]  # criteria × brands × experts


def read_panel(path: str | Path, spec: PanelSpec, *, known_brands: Collection[str] | None = None) -> PanelData:
    """Read and check a ratings file (CSV, XLSX, SPSS .sav); raise a DataError naming the cells at fault."""
    cols = spec.columns
    table = read_columns(path, text=[cols.expert, cols.brand, cols.criterion], numbers=[cols.score])
    problems = Problems(table.file, table.first_row)
    problems.add(np.flatnonzero(table.text[cols.expert] == ""), cols.expert, "empty expert id")
    check_codes(table, cols.brand, "brand", problems, known_brands)
    criterion = table.text[cols.criterion]
    declared = list(spec.criteria)
    unknown = np.flatnonzero(~pd.Series(criterion).isin(declared).to_numpy())
    problems.add(unknown, cols.criterion, lambda i: _unknown_criterion(criterion[i], declared))
    score = table.numbers[cols.score]
    problems.add(np.flatnonzero(np.isnan(score)), cols.score,
                 "empty score (leave the row out if the expert did not rate this brand)")
    off = np.flatnonzero(~np.isnan(score) & ~np.isin(score, np.asarray(spec.scale.allowed)))
    problems.add(off, cols.score, lambda i: f"score {fmt_number(score[i])} is off the scale ({spec.scale.describe()})")
    expert, brand = table.text[cols.expert], table.text[cols.brand]
    again, first = repeated(np.char.add(np.char.add(expert.astype(str), "\x1f"),
                                        np.char.add(np.char.add(brand.astype(str), "\x1f"), criterion.astype(str))))
    earlier = dict(zip(again.tolist(), first.tolist(), strict=True))
    problems.add(again, cols.expert, lambda i: f"expert '{expert[i]}' rated brand '{brand[i]}' on '{criterion[i]}' "
                                               f"twice (also on row {table.row(earlier[i])})")
    problems.raise_if_any("correct these cells in the ratings file (or the spec), then run again")
    brands, b_idx = sorted_codes(brand)
    experts, e_idx = sorted_codes(expert)
    c_idx = np.array([declared.index(c) for c in criterion], dtype=np.intp)
    scores = np.full((len(declared), len(brands), len(experts)), np.nan)
    scores[c_idx, b_idx, e_idx] = score
    return PanelData(table.file, table.sha256, brands, experts,
                     tuple(declared), scores)


def _unknown_criterion(name: str, declared: list[str]) -> str:
    hint = nearest(name, declared)
    return f"unknown criterion '{name}'" + (f"; did you mean '{hint}'?" if hint else "") + \
        f" (the spec declares {', '.join(declared)})"


@dataclass(frozen=True, eq=False)
class PanelEstimate:
    spec: PanelSpec
    data: PanelData
    consensus: NDArray[np.float64]      # brands × criteria
    raters: NDArray[np.int64]           # brands × criteria
    agreement: tuple[Agreement, ...]    # one per criterion
    deviation: NDArray[np.float64]      # criteria × experts, share of the scale range
    flagged: NDArray[np.bool_]          # criteria × experts

    @property
    def suppressed(self) -> NDArray[np.bool_]:
        return self.raters < self.spec.minimum_raters

    def agreement_table(self) -> pd.DataFrame:
        rows = [{"criterion": c, "indicator": self.spec.criteria[c].indicator, "brands": a.brands,
                 "raters": a.raters, "kendall_w": a.kendall_w, "icc2k": a.icc2k, "icc2k_ci_low": a.icc2k_low,
                 "icc2k_ci_high": a.icc2k_high, "note": a.note} for c, a in zip(self.data.criteria, self.agreement,
                                                                                   strict=True)]
        return pd.DataFrame(rows)

    def rater_table(self) -> pd.DataFrame:
        """criterion × expert: brands rated, distance from the leave-one-out consensus, flag."""
        span = self.spec.scale.high - self.spec.scale.low
        c, e = np.meshgrid(np.arange(len(self.data.criteria)), np.arange(len(self.data.experts)), indexing="ij")
        rated = (~np.isnan(self.data.scores)).sum(axis=1)
        return pd.DataFrame({
            "criterion": np.asarray(self.data.criteria, dtype=object)[c.ravel()],
            "expert": np.asarray(self.data.experts, dtype=object)[e.ravel()],
            "brands_rated": rated.ravel(),
            "mean_abs_deviation": (self.deviation * span).ravel(),
            "deviation_share": self.deviation.ravel(),
            "flagged": np.where(self.flagged.ravel(), "yes", "no"),
        })

    def observations(self) -> pd.DataFrame:
        spec, data = self.spec, self.data
        g, k = len(data.brands), len(data.criteria)
        experts = np.full((g, k), "", dtype=object)
        low, high = np.full((g, k), np.nan), np.full((g, k), np.nan)
        reasons = np.full((g, k), "", dtype=object)
        for c in range(k):
            for b in range(g):
                rated = ~np.isnan(data.scores[c, b])
                experts[b, c] = ";".join(np.asarray(data.experts)[rated])
                if rated.any():
                    low[b, c], high[b, c] = data.scores[c, b, rated].min(), data.scores[c, b, rated].max()
                if self.suppressed[b, c]:
                    reasons[b, c] = (f"rated by {self.raters[b, c]} expert(s), below the minimum "
                                     f"{spec.minimum_raters}")
        per_criterion = {
            "kendall_w": [a.kendall_w for a in self.agreement], "icc2k": [a.icc2k for a in self.agreement],
            "icc2k_ci_low": [a.icc2k_low for a in self.agreement],
            "icc2k_ci_high": [a.icc2k_high for a in self.agreement],
            "agreement_brands": [a.brands for a in self.agreement],
            "agreement_raters": [a.raters for a in self.agreement],
            "agreement_note": [a.note for a in self.agreement],
            "flagged_experts": [";".join(np.asarray(data.experts)[self.flagged[c]]) for c in range(k)],
        }
        method = f"{spec.consensus.describe()} of expert scores ({spec.scale.describe()})"
        return observation_frame(
            brands=data.brands, indicators=[spec.criteria[c].indicator for c in data.criteria],
            units=[spec.criteria[c].unit or f"panel score ({spec.scale.describe()})" for c in data.criteria],
            year=spec.panel.year, values=np.where(self.suppressed, np.nan, self.consensus), reasons=reasons,
            collection="panel", source=spec.panel.source, title=spec.panel.title,
            methods=[f"{method}, criterion '{c}'" for c in data.criteria],
            statistics={"panel": np.full((g, k), spec.panel.code, dtype=object), "n_experts": self.raters,
                        "experts": experts, "score_min": low, "score_max": high,
                        **{name: np.tile(np.asarray(v, dtype=object), (g, 1)) for name, v in per_criterion.items()}},
            input_file=data.file, input_sha256=data.sha256, synthetic=spec.panel.synthetic)


def estimate_panel(spec: PanelSpec, data: PanelData) -> PanelEstimate:
    """Consensus, raters, agreement and far-off experts for every criterion."""
    method, trim = spec.consensus.method, spec.consensus.trim
    span = spec.scale.high - spec.scale.low
    values = np.stack([consensus(s, method, trim) for s in data.scores], axis=1)
    raters = (~np.isnan(data.scores)).sum(axis=2).T.astype(np.int64)
    deviation = np.stack([leave_one_out_deviation(s, method, trim) for s in data.scores]) / span
    with np.errstate(invalid="ignore"):
        flagged = deviation > spec.flag_deviation
    return PanelEstimate(spec, data, values, raters, tuple(agreement(s) for s in data.scores), deviation, flagged)
