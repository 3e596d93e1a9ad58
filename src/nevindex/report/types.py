"""The report model's types: plain dataclasses of everything the report prints (no assembly here).

:mod:`nevindex.report.model` assembles them from an edition; :mod:`nevindex.report.findings` writes
sentences from them; :mod:`nevindex.report.sources` fills the views of optional inputs. Numbers stay
numbers (full precision); rounding happens in the templates.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["AuditView", "Availability", "Case", "ChangeView", "ElementInfo", "IndicatorInfo", "LeverView", "NodeInfo",
           "Profile", "RankInterval", "RatedCoherence", "ReportModel", "Standing", "UnitRow"]


# --- views of optional inputs (filled by nevindex.report.sources) ---------------------------------


@dataclass(frozen=True)
class RankInterval:
    nominal: float
    median: float
    low: float  # 5th percentile rank
    high: float  # 95th percentile rank


@dataclass(frozen=True)
class AuditView:
    """What the statistical audit says about the edition (any field may be missing)."""

    intervals: Mapping[str, RankInterval] | None = None
    #: (labels, matrix) of Pearson correlations between the index and its elements
    correlations: tuple[tuple[str, ...], Any] | None = None
    alpha: Mapping[str, float] | None = None  # Cronbach's alpha per aggregate
    sensitivity: Sequence[tuple[str, float, float]] | None = None  # (factor, S_i, S_Ti)
    flags: Sequence[tuple[str, str, str, float, int]] = ()  # (node, other, flag, pearson, n), n >= MIN_PAIRS
    runs: int | None = None
    seed: int | None = None
    index_coherence: RatedCoherence | None = None  # correlations with the index among the rated brands
    alpha_n: Mapping[str, int] | None = None  # brands (complete rows) behind each Cronbach's alpha
    varied: Sequence[tuple[str, tuple[str, ...]]] = ()  # (choice, its alternatives) the Monte Carlo runs varied
    weights_varied: bool = False  # the runs drew their own weights
    unflagged: int = 0  # pairs with a flag but fewer than MIN_PAIRS brands (not flagged)


@dataclass(frozen=True)
class RatedCoherence:
    """The audit's coherence table of the published ranking (nevindex.nev.coherence): per element
    (code, r, ρ, n, flag) against the index, and the indicators the index follows weakly (code, r, n)."""

    rated: int
    elements: Sequence[tuple[str, float, float, int, str]]
    weak: Sequence[tuple[str, float, int]]


@dataclass(frozen=True)
class LeverView:
    indicator: str
    step: float  # raw-unit change
    index_gain: float
    rank_gain: float  # places gained (positive = better)


@dataclass(frozen=True)
class ChangeView:
    """A unit's change since the previous edition, from the store's decomposition."""

    previous_score: float
    previous_rank: float
    contributions: Mapping[str, float]  # element code → points of index change
    data_part: float | None = None
    method_part: float | None = None


@dataclass(frozen=True)
class Availability:
    """Why a part is missing, printed in the report (None: available)."""

    audit: str | None = None
    insight: str | None = None
    change: str | None = None
    history: str | None = None
    coherence: str | None = None  # the published ranking's coherence table (computed when not stored)


# --- the model ------------------------------------------------------------------------------------


@dataclass
class NodeInfo:
    code: str
    name: str
    weight: float
    share: float  # share of the parent's weight
    description: str = ""


@dataclass
class IndicatorInfo(NodeInfo):
    element: str = ""
    unit: str = ""
    direction: int = 1
    dimension: str | None = None
    source: str = ""
    justification: str = ""
    observed: int = 0
    imputed: int = 0
    scored: int = 0
    sources: list[str] = field(default_factory=list)  # distinct sources in the data (first few)
    more_sources: int = 0  # how many more distinct sources there are


@dataclass
class ElementInfo(NodeInfo):
    indicators: list[IndicatorInfo] = field(default_factory=list)
    leader: str = ""  # unit code


@dataclass
class UnitRow:
    code: str
    name: str
    name_en: str
    score: float
    rank: float
    rating: str | None
    band: int  # 0 = best rating band
    coverage: float
    elements: dict[str, float]  # element code → score
    element_ranks: dict[str, float]
    interval: RankInterval | None = None
    change: ChangeView | None = None
    rated: bool = True  # False: below the methodology's coverage rules (no index score, rank or rating)
    scope: str = ""  # non-empty: some figures cover more than the brand (e.g. the group), per the coverage table
    country: str = ""  # ISO country code of the brand's home, when the data knows it
    observed: int = 0  # indicators with an observed value


@dataclass
class Standing:
    code: str
    name: str
    rank: float
    score: float
    raw: float = math.nan
    unit: str = ""
    imputed: bool = False


@dataclass
class Profile:
    unit: UnitRow
    strengths: list[Standing]
    weaknesses: list[Standing]
    levers: list[LeverView] | None
    history: list[tuple[int, float, float]]  # (year, score, rank)
    indicators: list[dict[str, Any]]  # per indicator: code, name, raw, imputed, normalised, rank


@dataclass
class Case:
    rule: str  # i18n key of the rule
    unit: str
    facts: dict[str, Any]
    text: str = ""


@dataclass
class ReportModel:
    lang: str
    year: int
    edition: dict[str, Any]
    framework: dict[str, Any]
    elements: list[ElementInfo]
    indicators: list[IndicatorInfo]
    units: list[UnitRow]  # in rank order
    median: dict[str, float]
    ratings: list[dict[str, Any]]
    methods: dict[str, Any]
    profiles: list[Profile]
    audit: AuditView | None
    availability: Availability
    imputed_cells: list[dict[str, Any]]
    coverage: float
    correlations: tuple[tuple[str, ...], Any]
    correlations_from_audit: bool
    correlation_n: Any = None  # brands with both scores behind each correlation (same shape)
    previous_year: int | None = None
    rules: dict[str, Any] | None = None  # coverage rules when the methodology has them
    cases: list[Case] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    bounds: list[Any] = field(default_factory=list)  # nevindex.insight.bounds.Bound per indicator

    def unit(self, code: str) -> UnitRow:
        return next(u for u in self.units if u.code == code)

    def element(self, code: str) -> ElementInfo:
        return next(e for e in self.elements if e.code == code)
