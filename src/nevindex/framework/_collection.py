"""How each raw indicator is collected: public sources, brand submissions, a survey or a panel.

A raw indicator is a data column as it is observed (``nev_sales``), before any derivation. The
methodology declares those that are not simply read from public sources, so that a questionnaire
can ask brands for exactly the figures the methodology requests (``collection: submission``), and
a survey or panel value names the spec and the statistic it is computed by. A column that is not
declared is collected from public sources (the default).
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from nevindex.framework._names import Names, coerce_names
from nevindex.validation import StrictModel, nearest

__all__ = ["COLLECTIONS", "Bounds", "Computed", "RawIndicator", "validate_raw_indicators"]

#: The ways a raw indicator may be collected.
COLLECTIONS = ("public", "submission", "survey", "panel")
#: The statistics a survey or a panel spec computes (nevindex.collect), by collection.
STATISTICS = {"survey": ("mean", "top_box", "share", "nps"), "panel": ("median", "trimmed_mean")}


class Bounds(StrictModel):
    """A closed interval; either end may be open (None)."""

    min: float | None = None
    max: float | None = None

    @field_validator("min", "max", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(float(value)):
            raise ValueError(f"a bound must be a finite number, got {value!r}")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Bounds:
        if self.min is not None and self.max is not None and self.min >= self.max:
            raise ValueError(f"min {self.min} must be below max {self.max}")
        return self

    def contains(self, value: float) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)


class Computed(StrictModel):
    """Which spec computes a survey or panel indicator, and with which statistic."""

    spec: str  # the survey's or panel's code (survey.code / panel.code of its spec file)
    statistic: str
    item: str | None = None  # the survey item or panel criterion it reads

    @field_validator("spec")
    @classmethod
    def _spec_named(cls, spec: str) -> str:
        if not spec.strip():
            raise ValueError("computed.spec names the survey or panel spec (its code)")
        return spec


class RawIndicator(StrictModel):
    """One raw data column and how it is collected."""

    code: str
    name: Names | None = None
    definition: Names | None = None
    unit: str = ""
    collection: Literal["public", "submission", "survey", "panel"] = "public"
    #: Whether a submitted value needs evidence (a URL or a document) to be accepted.
    evidence: Literal["required", "optional"] = "optional"
    #: Hard bounds: a value outside is refused at import (and the questionnaire's cell validates it).
    bounds: Bounds = Field(default_factory=Bounds)
    #: Plausible range: a value outside is a warning for the reviewer (default: the scored
    #: indicator's own goalposts, when the raw column is scored directly).
    goalposts: Bounds | None = None
    computed: Computed | None = None

    _names = field_validator("name", "definition", mode="before")(coerce_names)

    @field_validator("collection", mode="before")
    @classmethod
    def _known_collection(cls, value: Any) -> Any:
        if value not in COLLECTIONS:
            hint = nearest(value, COLLECTIONS)
            raise ValueError(f"collection '{value}' is not one of {', '.join(COLLECTIONS)}"
                             + (f" (did you mean '{hint}'?)" if hint else ""))
        return value

    @model_validator(mode="after")
    def _computed_fits(self) -> RawIndicator:
        if self.collection in STATISTICS:
            if self.computed is None:
                raise ValueError(f"a {self.collection} indicator says how it is computed: add computed: "
                                 "{spec: <spec code>, statistic: ...}")
            allowed = STATISTICS[self.collection]
            if self.computed.statistic not in allowed:
                hint = nearest(self.computed.statistic, allowed)
                raise ValueError(f"computed.statistic '{self.computed.statistic}' is not a {self.collection} "
                                 f"statistic ({', '.join(allowed)})" + (f"; did you mean '{hint}'?" if hint else ""))
        elif self.computed is not None:
            raise ValueError(f"computed is for survey and panel indicators, not {self.collection} ones")
        return self


def validate_raw_indicators(fw: Any) -> None:
    """Rules across the list: one entry per code, and no raw entry for an aggregate or a derived column."""
    seen: set[str] = set()
    aggregates = {a.code for a in fw.aggregates}
    derived = {str(spec.get("code")) for spec in fw.derived}
    for raw in fw.raw_indicators:
        if raw.code in seen:
            raise ValueError(f"raw indicator '{raw.code}' is declared twice")
        seen.add(raw.code)
        if raw.code in aggregates or raw.code in derived:
            what = "an aggregate" if raw.code in aggregates else "a derived column"
            raise ValueError(f"raw indicator '{raw.code}' is {what}: only observed data columns are collected")
