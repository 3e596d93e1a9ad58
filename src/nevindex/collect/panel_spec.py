"""The expert-panel spec: the ratings file's columns, the scale, criteria → indicators, the consensus rule."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from nevindex.collect._spec import Scale, StrictModel, Study, check_code, load

__all__ = ["PanelColumns", "Consensus", "Criterion", "PanelSpec", "load_panel_spec"]


class PanelColumns(StrictModel):
    expert: str
    brand: str
    criterion: str
    score: str


class Consensus(StrictModel):
    """``median``, or ``trimmed_mean`` dropping the share ``trim`` of scores at each end (scipy's trim_mean)."""

    method: Literal["median", "trimmed_mean"]
    trim: float | None = Field(default=None, ge=0.0, lt=0.5)

    @model_validator(mode="after")
    def _trim(self) -> Consensus:
        if self.method == "trimmed_mean" and self.trim is None:
            raise ValueError("trimmed_mean needs 'trim', the share cut at each end (e.g. 0.2)")
        if self.method == "median" and self.trim is not None:
            raise ValueError("'trim' belongs to trimmed_mean, not median")
        return self

    def describe(self) -> str:
        if self.method == "median":
            return "median"
        return f"{self.trim:.0%} trimmed mean"


class Criterion(StrictModel):
    indicator: str
    unit: str | None = None

    _code = field_validator("indicator")(lambda v: check_code(v, "indicator code"))


class PanelSpec(StrictModel):
    panel: Study
    columns: PanelColumns
    scale: Scale
    consensus: Consensus
    #: A brand rated by fewer experts on a criterion gets a missing value with the reason.
    minimum_raters: int = Field(ge=1)
    #: An expert is flagged on a criterion when the mean absolute distance of their scores from the
    #: leave-one-out consensus exceeds this share of the scale's range.
    flag_deviation: float = Field(default=0.2, gt=0.0, le=1.0)
    criteria: dict[str, Criterion]

    @model_validator(mode="after")
    def _coherent(self) -> PanelSpec:
        if not self.criteria:
            raise ValueError("'criteria' must map at least one criterion to an indicator")
        codes = [c.indicator for c in self.criteria.values()]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(f"indicator code '{dupes[0]}' is given to two criteria")
        return self


def load_panel_spec(path: str | Path) -> PanelSpec:
    """Read and validate a panel spec (YAML); errors name the setting and suggest the nearest key."""
    return load(PanelSpec, path, what="panel spec")
