"""A unit's profile: where it stands (index, elements, every indicator), against whom, and its history.

Pure functions of a :class:`~nevindex.result.Result` (plus the audit's optional
:class:`~nevindex.intervals.RankIntervals` and the Results of earlier editions), so the report, the
portal and the CLI all show the same numbers.
Ranks of indicators are ranks among the scored units on the normalised score (direction applied,
ties at the minimum rank, missing values unranked).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from nevindex.errors import DataError
from nevindex.insight._common import (
    RankedRecord,
    check_group_column,
    element_of,
    elements,
    node_name,
    unit_row,
)
from nevindex.insight.levers import LeverSet, levers
from nevindex.insight.peers import Peers, similar_units
from nevindex.insight.plan import Plan, plan_to_rank
from nevindex.insight.standing import Standing, StrengthsWeaknesses, strengths_weaknesses
from nevindex.insight.whatif import WhatIf
from nevindex.intervals import RankIntervals
from nevindex.methods.rank import rank_desc
from nevindex.result import Result
from nevindex.values import finite_or_none

__all__ = ["HistoryPoint", "IndicatorLine", "NodeLine", "Profile", "RankInterval", "Standing",
           "StrengthsWeaknesses", "history_points", "indicator_lines", "n_ranked", "node_lines", "profile",
           "profiles", "rank_interval", "strengths_weaknesses"]


@dataclass(frozen=True)
class NodeLine(RankedRecord):
    """An aggregate (element, pillar, …) of the unit."""

    code: str
    name: str
    level: int
    parent: str | None
    score: float
    rank: float
    n_ranked: int


@dataclass(frozen=True)
class IndicatorLine(RankedRecord):
    code: str
    name: str
    element: str
    parent: str
    direction: int
    measure: str | None
    weight: float
    raw: float  # the reported value (NaN: not reported)
    value: float  # the value normalised (after denominating, imputing, treating)
    year: int | None
    source: dict[str, Any] | None
    imputed: bool
    normalised: float
    rank: float
    n_ranked: int


@dataclass(frozen=True)
class RankInterval:
    low: float
    high: float
    median: float | None = None
    source: str = "audit"

    def to_dict(self) -> dict[str, Any]:
        return {"low": finite_or_none(self.low), "high": finite_or_none(self.high), "median": finite_or_none(self.median), "source": self.source}


@dataclass(frozen=True)
class HistoryPoint(RankedRecord):
    year: int
    label: str
    score: float
    rank: float
    n_units: int  # brands in that edition's table, ranked or not
    rating: str | None
    elements: dict[str, float]
    n_ranked: int = 0  # brands with a rank in that edition: what "rank 3 of n" counts


@dataclass(frozen=True)
class Profile(RankedRecord):
    unit: str
    name: str
    framework: str
    version: str
    edition: str  # the edition's label (its year when built from files)
    year: int
    n_units: int  # brands in the edition's table, ranked or not
    score: float
    rank: float
    rating: str | None
    rating_description: str | None
    rank_interval: RankInterval | None
    elements: tuple[NodeLine, ...]
    aggregates: tuple[NodeLine, ...]  # every aggregate below the root, top-down
    indicators: tuple[IndicatorLine, ...]
    standing: tuple[StrengthsWeaknesses, ...]  # against all units, then against the peer group
    history: tuple[HistoryPoint, ...]
    peers: Peers | None
    levers: LeverSet | None
    plan: Plan | None
    hashes: dict[str, str]
    #: every node's names by language ({code: {"en": …, "zh": …}}), for the bilingual report and portal
    names: dict[str, dict[str, str | None]]
    n_ranked: int = 0  # brands with a rank (rated): what "rank 3 of n" counts


def n_ranked(result: Result) -> int:
    """How many units the edition ranks: the n of "rank k of n" (unrated units have no rank)."""
    return int(np.isfinite(np.asarray(result.rank, dtype=float)).sum())


# --- pieces --------------------------------------------------------------------------------


def _indicator_ranks(result: Result, mask: np.ndarray | None = None) -> np.ndarray:
    x = np.asarray(result.normalised)
    if mask is not None:
        x = np.where(mask[:, None], x, np.nan)
    return rank_desc(x, axis=0)


def _aggregate_ranks(result: Result, mask: np.ndarray | None = None) -> np.ndarray:
    if mask is None:
        return np.asarray(result.ranks)
    return rank_desc(np.where(mask[:, None], np.asarray(result.scores), np.nan), axis=0)


def _source_lookup(result: Result) -> dict[tuple[str, str], dict[str, Any]] | None:
    prov = result.dataset.provenance
    if prov is None or prov.empty:
        return None
    rows = prov[prov["year"] == result.year] if "year" in prov.columns else prov
    return {"__frame__": rows}  # type: ignore[dict-item]


def _source_of(lookup: Any, unit: str, code: str, raw: float) -> tuple[dict[str, Any] | None, int | None]:
    """Source fields of one cell from the dataset's provenance (matched on unit, else on the value)."""
    if lookup is None:
        return None, None
    frame: pd.DataFrame = lookup["__frame__"]
    cells = frame[frame["column"] == code]
    hit = cells[cells["unit"] == unit] if "unit" in cells.columns else cells.iloc[0:0]
    if hit.empty and not math.isnan(raw):
        # some tidy files carry their own "unit" (of measure) column, which then shadows the unit code
        by_value = cells[cells["value"] == raw]
        hit = by_value if len(by_value) == 1 else hit
    if hit.empty:
        return None, None
    rec = hit.iloc[0].to_dict()
    year = rec.get("year")
    fields = {k: v for k, v in rec.items() if k not in ("year", "column", "value", "row")
              and v is not None and not (isinstance(v, float) and math.isnan(v))}
    if "unit" in fields and fields["unit"] == unit:
        fields.pop("unit")
    return fields or None, (int(year) if year is not None and not pd.isna(year) else None)


def indicator_lines(result: Result, unit: str) -> tuple[IndicatorLine, ...]:
    row = unit_row(result, unit)
    fw = result.framework
    ranks = _indicator_ranks(result)
    n = (~np.isnan(np.asarray(result.normalised))).sum(axis=0)
    raw = np.asarray(result.raw)[result.all_units.index(result.units[row])]
    lookup = _source_lookup(result)
    lines = []
    for j, ind in enumerate(fw.indicators):
        source, year = _source_of(lookup, result.units[row], ind.code, float(raw[j]))
        meta_source = ind.meta.get("source") if ind.meta else None
        if source is None and meta_source:
            source = {"source": meta_source}
        if year is None:
            year = result.year if result.year else (ind.meta or {}).get("year")
        lines.append(IndicatorLine(
            code=ind.code, name=node_name(fw, ind.code), element=element_of(fw, ind.code), parent=ind.parent or "",
            direction=ind.direction, measure=ind.unit, weight=float(result.weights.get(ind.code, math.nan)),
            raw=float(raw[j]), value=float(result.treated[row, j]), year=int(year) if year else None,
            source=source, imputed=bool(result.imputed_mask[row, j]), normalised=float(result.normalised[row, j]),
            rank=float(ranks[row, j]), n_ranked=int(n[j])))
    return tuple(lines)


def node_lines(result: Result, unit: str) -> tuple[NodeLine, ...]:
    """Every aggregate below the root, top-down."""
    row = unit_row(result, unit)
    fw = result.framework
    n = (~np.isnan(np.asarray(result.scores))).sum(axis=0)
    return tuple(NodeLine(c, node_name(fw, c), fw.levels[c], fw.nodes[c].parent, float(result.scores[row, k]),
                          float(result.ranks[row, k]), int(n[k]))
                 for k, c in enumerate(fw.display_order) if c != fw.root)


def rank_interval(intervals: RankIntervals | None, unit: str) -> RankInterval | None:
    """The unit's rank interval from the audit's :class:`~nevindex.intervals.RankIntervals`, or None
    when there are none, the unit has none, or its bounds are NaN (an unrated unit: no "nan–nan"
    interval reaches a reader)."""
    if intervals is None:
        return None
    if not isinstance(intervals, RankIntervals):
        raise TypeError(f"rank intervals must be a nevindex.intervals.RankIntervals or None, not "
                        f"{type(intervals).__name__} (read them with nevindex.store.queries.rank_intervals, "
                        "AuditResult.intervals_by_unit() or RankIntervals.from_frame)")
    found = intervals.get(unit)
    if found is None or not (math.isfinite(found.low) and math.isfinite(found.high)):
        return None
    return RankInterval(found.low, found.high, found.median)


def history_points(result: Result, unit: str, history: Sequence[Any] = (),
                   label: str | None = None) -> tuple[HistoryPoint, ...]:
    """The unit's index, rank and element scores in each earlier edition and this one, by year.

    ``history`` holds Results or (label, Result) pairs; editions where the unit is absent are skipped.
    ``label`` names this edition (default: its year)."""
    fw = result.framework
    code = result.units[unit_row(result, unit)]
    points = []
    for item in [*history, (label or str(result.year), result)]:
        label, res = item if isinstance(item, tuple) else (str(item.year), item)
        if code not in res.units:
            continue
        i = res.units.index(code)
        els = {e: float(res.score(e)[i]) for e in elements(res.framework) if e in res.framework.nodes}
        score = float(res.index[i])
        points.append(HistoryPoint(int(res.year), label, score, float(res.rank[i]), len(res.units),
                                   fw.rating(score) if not math.isnan(score) else None, els, n_ranked(res)))
    return tuple(sorted(points, key=lambda p: p.year))


def _rating_description(result: Result, label: str | None) -> str | None:
    for band in result.framework.ratings:
        if band.label == label and band.description is not None:
            return band.description.get("en")
    return None


def profile(result: Result, unit: str, *, peers: str | None = None, intervals: RankIntervals | None = None,
            history: Sequence[Any] = (), edition: str | None = None, top: int = 5, n_similar: int = 5,
            lever_step: str = "next", lever_size: float = 0.1, target_rank: int | None = None,
            with_levers: bool = True, engine: WhatIf | None = None) -> Profile:
    """Everything the report, the portal and ``nevindex profile`` show about one unit.

    Parameters
    ----------
    result
        The built edition (:func:`nevindex.build.build`).
    unit
        The unit's code or name (case-insensitive; a near miss is answered with "did you mean").
    peers
        A group column of the data (e.g. ``country``): strengths and weaknesses are also taken
        against that group, and ``lever_step="leader"`` steps towards the group's leader.
    intervals
        The audit's rank intervals, a :class:`~nevindex.intervals.RankIntervals` (from
        :func:`nevindex.store.queries.rank_intervals`, ``AuditResult.intervals_by_unit()`` or
        ``RankIntervals.from_frame`` of a ``rank_intervals.csv``); None: no interval. Anything else
        is a TypeError.
    history
        Earlier editions, as Results or ``(label, Result)`` pairs (oldest first); editions without
        the unit are skipped. This edition is added last.
    edition
        This edition's label (default: its year).
    top
        How many strengths, weaknesses and levers to keep.
    n_similar
        How many most similar units to list.
    lever_step, lever_size
        The step of each improvement lever: ``next`` (up to the next better unit's value, the
        default), ``median`` (up to the median, of the peer group with ``peers``), ``range`` (a share
        of the indicator's range), ``sd`` (standard deviations) or ``leader`` (up to the peer
        group's leader), and the size of ``range`` and ``sd`` steps.
    target_rank
        When given, the cheapest plan that reaches this rank (``Profile.plan``); a unit without a
        rank (not rated) cannot have one: DataError, raised before anything is computed.
    with_levers
        False skips the levers (the slowest part) when only the standing is wanted.
    engine
        A shared :class:`~nevindex.insight.whatif.WhatIf` of ``result``, to profile many units
        without rebuilding its lookups (what :func:`profiles` does).

    Returns
    -------
    Profile
        Frozen; ``to_dict()`` gives the JSON the API serves. Raises NotFoundError for an unknown
        unit and DataError for an unknown peer group column.
    """
    row = unit_row(result, unit)
    code = result.units[row]
    fw = result.framework
    check_group_column(result, peers)
    interval = rank_interval(intervals, code)
    score = float(result.index[row])
    if target_rank is not None and not math.isfinite(float(result.rank[row])):
        raise DataError(f"{result.unit_names()[row]} ({code}) is not rated in this edition, so it has no rank to "
                        f"raise to {target_rank}", hint="a plan to a target rank needs a rated brand; leave out "
                        "--target-rank to see what it lacks")
    rating = fw.rating(score) if not math.isnan(score) else None
    nodes = node_lines(result, code)
    els = tuple(n for n in nodes if n.parent == fw.root)
    standing = [strengths_weaknesses(result, code, top=top)]
    if peers is not None:
        standing.append(strengths_weaknesses(result, code, peers=peers, top=top))
    return Profile(
        unit=code, name=result.unit_names()[row], framework=fw.framework.code, version=str(fw.framework.version),
        edition=edition or str(result.year), year=result.year, n_units=len(result.units), score=score, rank=float(result.rank[row]), rating=rating,
        rating_description=_rating_description(result, rating), rank_interval=interval,
        elements=els, aggregates=nodes, indicators=indicator_lines(result, code), standing=tuple(standing),
        history=history_points(result, code, history, edition), peers=similar_units(result, code, n_similar, within=None),
        levers=levers(result, code, step=lever_step, size=lever_size,  # type: ignore[arg-type]
                      peers=peers if lever_step in ("leader", "median") else None, engine=engine)
        if with_levers and math.isfinite(score) else None,
        plan=plan_to_rank(result, code, target_rank) if target_rank is not None else None,
        hashes=dict(result.hashes),
        names={c: {"en": n.name.en, "zh": n.name.zh} for c, n in fw.nodes.items()}, n_ranked=n_ranked(result))


def profiles(result: Result, units: Sequence[str] | None = None, **options: Any) -> list[Profile]:
    """Profiles of many units (default: every scored unit), e.g. for the portal's static pages."""
    engine = WhatIf(result)
    return [profile(result, u, engine=engine, **options) for u in (units if units is not None else result.units)]
