"""A respondent file checked against its survey spec, as arrays ready for the estimators.

Every check runs over whole columns (no Python loop over respondents) and every problem is
reported by row and column: an answer off its scale, an unknown or empty brand, a duplicate or
empty respondent id, a missing, negative or infinite design weight.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from nevindex.collect._spec import fmt_number
from nevindex.collect._table import Problems, Table, check_codes, read_columns, repeated, sorted_codes
from nevindex.collect.survey_spec import SurveySpec
from nevindex.errors import DataError

__all__ = ["SurveyData", "read_survey", "indicator_scores"]

NPS_PROMOTER, NPS_DETRACTOR = 9.0, 6.0


@dataclass(frozen=True, eq=False)
class SurveyData:
    """Respondents of a checked file: brand index, design weight and answers (NaN = no answer)."""

    file: str
    sha256: str
    brands: tuple[str, ...]
    brand_index: NDArray[np.intp]
    weight: NDArray[np.float64]
    answers: dict[str, NDArray[np.float64]]
    markets: tuple[str, ...] = ()
    market_index: NDArray[np.intp] | None = None

    @property
    def n(self) -> int:
        return len(self.brand_index)


def read_survey(path: str | Path, spec: SurveySpec, *, known_brands: Collection[str] | None = None) -> SurveyData:
    """Read and check a respondent file (CSV, XLSX, SPSS .sav); raise a DataError naming the cells at fault.

    ``known_brands`` (a brand list or the store's units) makes any other brand code an error.
    """
    cols = spec.columns
    text = [c for c in (cols.respondent, cols.brand, cols.market) if c]
    numbers = ([cols.weight] if cols.weight else []) + [spec.item_column(i) for i in spec.items]
    table = read_columns(path, text=text, numbers=numbers)
    problems = Problems(table.file, table.first_row)
    _check_respondents(table, cols.respondent, problems)
    check_codes(table, cols.brand, "brand", problems, known_brands)
    if cols.market:
        check_codes(table, cols.market, "market", problems, None)
    if cols.weight:
        _check_weights(table, cols.weight, problems)
    for name, item in spec.items.items():
        column = spec.item_column(name)
        values = table.numbers[column]
        allowed = np.asarray([*item.scale.allowed, *item.missing_codes])
        off = np.flatnonzero(~np.isnan(values) & ~np.isin(values, allowed))
        missing = f"; no-answer codes: {', '.join(fmt_number(c) for c in item.missing_codes)}" \
            if item.missing_codes else ""
        scale = item.scale.describe()
        problems.add(off, column, lambda i, v=values, n=name, s=scale, m=missing:
                     f"answer {fmt_number(v[i])} is off the scale of item '{n}' ({s}{m})")
    problems.raise_if_any("correct these cells in the respondent file (or the spec), then run again")
    data = _arrays(table, spec)
    _check_selected_markets(spec, data)
    return data


def _check_selected_markets(spec: SurveySpec, data: SurveyData) -> None:
    """A market an indicator selects must occur in the file (a typo would silently empty the indicator)."""
    for ind in spec.indicators:
        absent = [m for m in ind.markets or () if m not in data.markets]
        if absent:
            raise DataError(f"no respondent is in market '{absent[0]}', which indicator '{ind.code}' selects",
                            file=data.file, column=spec.columns.market,
                            hint=f"markets in the file: {', '.join(data.markets)}; correct the spec's markets")


def _check_respondents(table: Table, column: str, problems: Problems) -> None:
    ids = table.text[column]
    problems.add(np.flatnonzero(ids == ""), column, "empty respondent id")
    again, first = repeated(ids)
    keep = ids[again] != ""
    earlier = dict(zip(again[keep].tolist(), first[keep].tolist(), strict=True))
    problems.add(again[keep], column, lambda i: f"duplicate respondent '{ids[i]}' (also on row {table.row(earlier[i])})")


def _check_weights(table: Table, column: str, problems: Problems) -> None:
    w = table.numbers[column]
    problems.add(np.flatnonzero(np.isnan(w)), column, "missing design weight")
    problems.add(np.flatnonzero(w < 0), column, lambda i: f"negative design weight {w[i]:g}")


def _arrays(table: Table, spec: SurveySpec) -> SurveyData:
    cols = spec.columns
    brands, brand_index = sorted_codes(table.text[cols.brand])
    weight = table.numbers[cols.weight] if cols.weight else np.ones(table.n_rows)
    answers = {}
    for name, item in spec.items.items():
        values = table.numbers[spec.item_column(name)].copy()
        if item.missing_codes:
            values[np.isin(values, np.asarray(item.missing_codes))] = np.nan
        answers[name] = values
    markets: tuple[str, ...] = ()
    market_index = None
    if cols.market:
        markets, market_index = sorted_codes(table.text[cols.market])
    return SurveyData(table.file, table.sha256, brands, brand_index,
                      weight.astype(np.float64), answers, markets, market_index)


def indicator_scores(spec: SurveySpec, data: SurveyData) -> NDArray[np.float64]:
    """respondents × indicators: each indicator's score per respondent (NaN = not counted).

    mean → the answer; top_box and share → 100 or 0; nps → +100 promoter, −100 detractor, 0 passive.
    Respondents outside an indicator's markets, who gave no answer, or whose weight is 0 are NaN.
    """
    scores = np.full((data.n, len(spec.indicators)), np.nan)
    for k, ind in enumerate(spec.indicators):
        answer = data.answers[ind.item]
        if ind.statistic == "mean":
            y = answer.copy()
        elif ind.statistic == "top_box":
            assert ind.k is not None
            top = spec.items[ind.item].scale.allowed[-ind.k:]
            y = 100.0 * np.isin(answer, np.asarray(top))
        elif ind.statistic == "share":
            assert ind.answers is not None
            y = 100.0 * np.isin(answer, np.asarray(ind.answers))
        else:  # nps
            y = 100.0 * ((answer >= NPS_PROMOTER).astype(float) - (answer <= NPS_DETRACTOR))
        y[np.isnan(answer) | (data.weight == 0)] = np.nan
        if ind.markets is not None:
            assert data.market_index is not None
            wanted = [data.markets.index(m) for m in ind.markets if m in data.markets]
            y[~np.isin(data.market_index, wanted)] = np.nan
        scores[:, k] = y
    return scores
