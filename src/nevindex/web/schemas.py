"""Response and request models of the REST API: they document the API (OpenAPI) and check its output."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Audit", "Comparison", "CreateEdition", "DataSetInfo", "EditionList", "EditionMeta",
           "EditionSummary", "Element", "ErrorBody", "ErrorResponse", "History", "HistoryPoint",
           "IndicatorInfo", "Indicators", "Interval", "Methodology", "Model", "Names", "Profile",
           "Ranking", "RankingRow", "RatingBand", "ScoreRank", "Token", "TokenRequest", "WhatIf",
           "WhatIfRequest", "WhatIfSide"]


class Model(BaseModel):
    model_config = ConfigDict(extra="allow")


class Names(Model):
    en: str | None = Field(None, description="English name")
    zh: str | None = Field(None, description="Chinese name (null when not known)")


class ErrorBody(Model):
    status: int
    message: str = Field(description="What went wrong, in a sentence a person can act on")


class ErrorResponse(Model):
    error: ErrorBody


class EditionSummary(Model):
    label: str
    year: int
    status: str = Field(description="draft or published")
    methodology: str
    dataset: str
    built: bool
    result_sha256: str | None
    corrects: str | None = None
    published_at: str | None = None


class EditionList(Model):
    editions: list[EditionSummary]


class Element(Model):
    code: str
    name: Names


class RatingBand(Model):
    label: str
    min: float
    description: Names | None = None


class EditionMeta(Model):
    label: str
    year: int
    data_year: int
    status: str
    published_at: str | None
    methodology: dict[str, Any]
    dataset: str
    result_sha256: str | None
    hashes: dict[str, str | None] = Field(description="every hash of the edition by the name it has in the receipt, "
                                          "open data and report (docs/editions.md, 'Hashes')")
    n_units: int
    root: str
    elements: list[Element]
    ratings: list[RatingBand]
    groups: dict[str, list[str]] = Field(description="group columns and their values, for the group filter")
    has_intervals: bool = Field(description="whether the audit's rank intervals are available")


class ScoreRank(Model):
    score: float | None
    rank: int | None


class Interval(Model):
    low: int | None
    high: int | None


class RankingRow(Model):
    code: str
    name: Names
    groups: dict[str, str | None]
    score: float | None = Field(description="index score")
    rank: int | None
    rating: str | None
    coverage: float | None
    flags: str
    elements: dict[str, ScoreRank]
    interval: Interval | None = Field(description="5–95 % rank interval from the audit (null if not audited)")
    element: dict[str, Any] | None = Field(None, description="the chosen element's score and rank (element filter)")


class Ranking(Model):
    edition: str
    edition_meta: EditionMeta
    total: int = Field(description="rows matching the filters (before paging)")
    offset: int
    limit: int
    sort: str
    element: str | None
    items: list[RankingRow]


class Profile(Model):
    unit: str
    name: str
    brand_names: Names = Field(description="the brand's names in English and Chinese")
    edition: str
    year: int
    n_units: int
    n_ranked: int = Field(description="brands with a rank (rated): what 'rank 3 of n' counts")
    score: float | None
    rank: int | None
    rating: str | None
    rank_interval: dict[str, Any] | None
    elements: list[dict[str, Any]] = Field(description="the elements (children of the root): score, rank, n ranked")
    sub_aggregates: list[dict[str, Any]] = Field(description="every aggregate below the elements, top-down, "
                                                             "with its parent")
    indicators: list[dict[str, Any]] = Field(description="every indicator: raw value, unit, year, source, "
                                                         "imputed flag, normalised score and rank")
    standing: list[dict[str, Any]] = Field(description="strengths and weaknesses, against all and against peers")
    history: list[dict[str, Any]]
    peers: dict[str, Any] | None
    levers: dict[str, Any] | None = Field(description="improvement levers: effect of a stated step per indicator")
    names: dict[str, Names] = Field(description="every node's names (root, elements, aggregates, indicators)")


class HistoryPoint(Model):
    edition: str
    year: int
    score: float | None
    rank: int | None
    n_units: int
    n_ranked: int = Field(description="brands with a rank in that edition: what 'rank 3 of n' counts")
    rating: str | None
    elements: dict[str, float | None]


class History(Model):
    brand: str
    name: Names | None
    points: list[HistoryPoint]


class Comparison(Model):
    edition: str
    elements: list[Element]
    brands: list[RankingRow]
    indicators: list[dict[str, Any]]


class WhatIfRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    changes: dict[str, float] = Field(description="indicator code → new raw value for this brand",
                                      examples=[{"nev_sales": 500000}])
    units: Literal["scored", "natural"] = Field(
        "scored", description="'scored': values in the indicator's unit as the methodology scores it (log10 for "
                              "size measures); 'natural': in its natural unit (vehicles, USD), converted here")


class WhatIfSide(Model):
    score: float | None
    rank: int | None
    rating: str | None
    elements: dict[str, float | None]


class WhatIf(Model):
    edition: str
    brand: str
    changes: dict[str, float]
    before: WhatIfSide
    after: WhatIfSide
    n_units: int


class IndicatorInfo(Model):
    code: str
    name: Names
    parent: str | None
    element: str
    element_name: Names
    weight: float | None
    direction: int
    unit: str
    denominator: str | None = None
    normalise: str | None = None
    dimension: str | None = None
    justification: str | None = None
    justification_zh: str | None = None  # Chinese translations (methodology meta KEY_zh), None when absent
    unit_zh: str | None = None


class Indicators(Model):
    edition: str
    indicators: list[IndicatorInfo]


class Methodology(Model):
    edition: str
    framework: dict[str, Any]
    recipe: dict[str, Any]
    method_notes: dict[str, Any] | None
    method_notes_zh: dict[str, Any] | None = None
    ratings: list[RatingBand]
    tree: list[dict[str, Any]]


class Audit(Model):
    edition: str
    status: str
    tables: dict[str, list[dict[str, Any]]]
    per_run_tables: list[str] = Field(default_factory=list, description="stored per-run tables (not served here)")
    rank_intervals: dict[str, Interval] | None


class Token(Model):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class TokenRequest(BaseModel):
    username: str
    password: str


class CreateEdition(BaseModel):
    model_config = ConfigDict(extra="forbid")
    year: int = Field(ge=1900, le=2200)
    dataset: str = Field(description="label or id of an imported data set")
    methodology: str | None = Field(None, description="stored methodology id, or 'nev-2025' (default)")
    label: str | None = Field(None, max_length=200)


class DataSetInfo(Model):
    id: int
    label: str
    sha256: str
    observations: int
    units: int
    columns: int
    years: list[int]
