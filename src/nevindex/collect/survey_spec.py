"""The survey spec: the respondent file's columns, the items and their scales, the indicators.

Every indicator is a weighted mean of one derived score per respondent (see ``docs/collection.md``):
``mean`` of the answer; ``top_box`` and ``share`` as 0/100 indicators; ``nps`` as +100 for a
promoter (9–10), −100 for a detractor (0–6) and 0 for a passive. That one form gives one
estimator, one standard error and one bootstrap for all four.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from nevindex.collect._spec import Scale, StrictModel, Study, check_code, fmt_number, load
from nevindex.recipe import nearest

__all__ = ["Statistic", "NPS_SCALE", "SurveyColumns", "Item", "Indicator", "SurveySpec", "load_survey_spec"]

Statistic = Literal["mean", "top_box", "share", "nps"]
NPS_SCALE = tuple(float(v) for v in range(11))


class SurveyColumns(StrictModel):
    """Column names in the respondent file; ``weight`` may be omitted for a self-weighting sample."""

    respondent: str
    brand: str
    market: str | None = None
    weight: str | None = None


class Item(StrictModel):
    """A question: its column (default: the item's name), its scale, codes that mean 'no answer'."""

    scale: Scale
    column: str | None = None
    missing_codes: list[float] = Field(default_factory=list)

    @model_validator(mode="after")
    def _codes_off_scale(self) -> Item:
        clash = [c for c in self.missing_codes if c in self.scale.allowed]
        if clash:
            raise ValueError(f"missing code {fmt_number(clash[0])} is also an answer on the scale")
        return self


class Indicator(StrictModel):
    code: str
    item: str
    statistic: Statistic
    #: ``top_box``: how many of the highest answers count (top-2-box on 1–5 = 4 or 5).
    k: int | None = None
    #: ``share``: the answers whose share is the indicator.
    answers: list[float] | None = None
    #: Only respondents in these markets (default: all).
    markets: list[str] | None = None
    unit: str | None = None

    _code = field_validator("code")(lambda v: check_code(v, "indicator code"))

    @field_validator("answers", mode="before")
    @classmethod
    def _one_answer(cls, value: object) -> object:
        return [value] if isinstance(value, (int, float)) and not isinstance(value, bool) else value

    @model_validator(mode="after")
    def _parameters(self) -> Indicator:
        needs = {"top_box": "k", "share": "answers"}
        for statistic, key in needs.items():
            given = getattr(self, key) is not None
            if given and self.statistic != statistic:
                raise ValueError(f"'{key}' belongs to statistic {statistic}, not {self.statistic}")
            if not given and self.statistic == statistic:
                raise ValueError(f"statistic {statistic} needs '{key}'")
        if self.markets is not None and not self.markets:
            raise ValueError("'markets' must list at least one market (or be left out for all)")
        return self


class SurveySpec(StrictModel):
    survey: Study
    columns: SurveyColumns
    items: dict[str, Item]
    indicators: list[Indicator]
    #: A brand whose Kish effective sample (of the respondents who answered) is below this gets
    #: a missing value with the reason, not a number.
    minimum_effective_n: float = Field(ge=2)

    @model_validator(mode="after")
    def _coherent(self) -> SurveySpec:
        if not self.indicators:
            raise ValueError("'indicators' must list at least one indicator")
        codes = [i.code for i in self.indicators]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(f"indicator code '{dupes[0]}' is declared twice")
        if any(i.markets for i in self.indicators) and self.columns.market is None:
            raise ValueError("an indicator selects 'markets' but columns.market is not declared")
        fixed = [c for c in (self.columns.respondent, self.columns.brand, self.columns.market,
                             self.columns.weight) if c]
        for name in self.items:
            if self.item_column(name) in fixed:
                raise ValueError(f"item '{name}' reads column '{self.item_column(name)}', which is also "
                                 "a respondent, brand, market or weight column")
        for position, ind in enumerate(self.indicators):
            _check_indicator(ind, self.items, position)
        return self

    def item_column(self, name: str) -> str:
        return self.items[name].column or name

    @property
    def indicator_codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.indicators)


def _check_indicator(ind: Indicator, items: dict[str, Item], position: int) -> None:
    where = f"indicators.{position} ({ind.code})"
    if ind.item not in items:
        hint = nearest(ind.item, items)
        raise ValueError(f"{where}: unknown item '{ind.item}'" + (f"; did you mean '{hint}'?" if hint else "")
                         + f" Items: {', '.join(items)}")
    scale = items[ind.item].scale
    if ind.statistic == "nps" and scale.allowed != NPS_SCALE:
        raise ValueError(f"{where}: NPS needs a 0–10 scale; item '{ind.item}' has {scale.describe()}")
    if ind.statistic == "top_box" and ind.k is not None and not 1 <= ind.k < len(scale.allowed):
        raise ValueError(f"{where}: k = {ind.k} must be between 1 and {len(scale.allowed) - 1} "
                         f"(the scale has {len(scale.allowed)} answers)")
    if ind.statistic == "share" and ind.answers is not None:
        off = [a for a in ind.answers if a not in scale.allowed]
        if off or not ind.answers:
            raise ValueError(f"{where}: answer {fmt_number(off[0]) if off else '(none)'} is not on the scale "
                             f"of item '{ind.item}' ({scale.describe()})")


def load_survey_spec(path: str | Path) -> SurveySpec:
    """Read and validate a survey spec (YAML); errors name the setting and suggest the nearest key."""
    return load(SurveySpec, path, what="survey spec")
