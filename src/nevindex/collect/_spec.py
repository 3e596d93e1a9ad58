"""What survey and panel specs share: strict models, scales, source metadata, and readable errors.

A spec is a small YAML file validated with pydantic, by the rule every settings file follows
(:mod:`nevindex.validation`): unknown keys are errors with the key's path and the nearest valid name,
so ``minimum_efective_n`` says ``did you mean 'minimum_effective_n'?`` instead of being ignored. Spec
models are strict besides: a value is not coerced across types.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from nevindex.errors import DataError
from nevindex.framework import CODE_PATTERN
from nevindex.io import read_yaml_mapping
from nevindex.validation import StrictModel as SettingsModel
from nevindex.validation import validate as validate_settings

M = TypeVar("M", bound=BaseModel)


class SpecError(DataError):
    """A survey or panel spec is wrong: names the file and the setting (``indicators.2.item``)."""

    where_label = "setting"


class StrictModel(SettingsModel):
    """A spec model: the settings rule, and values are not coerced across types."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def check_code(code: str, what: str) -> str:
    if not CODE_PATTERN.match(code):
        raise ValueError(f"{what} '{code}' must start with a letter or '_' and contain only letters, digits, "
                         "'_', '.', '-'")
    return code


class Source(StrictModel):
    """Where the numbers come from, copied into every observation's provenance."""

    title: str | None = None
    url: str | None = None
    organisation: str | None = None
    fieldwork: str | None = None


class Study(StrictModel):
    """A survey's or panel's identity: code, title, the year of the indicators it produces, source."""

    code: str
    title: str
    year: int
    source: Source = Source()
    #: Set by ``nevindex synth``: every observation is then marked synthetic.
    synthetic: bool = False

    _code = field_validator("code")(lambda v: check_code(v, "code"))


class Scale(StrictModel):
    """Allowed answers: the integers ``min``…``max``, or an explicit list of ``values`` (codes)."""

    min: int | None = None
    max: int | None = None
    values: list[float] | None = None
    #: Optional labels of the codes (documentation; shown in method descriptions).
    labels: dict[int, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_form(self) -> Scale:
        if self.values is not None:
            if self.min is not None or self.max is not None:
                raise ValueError("give either 'min' and 'max' or 'values', not both")
            if len(self.values) < 2 or len(set(self.values)) != len(self.values):
                raise ValueError("'values' must list at least two different answers")
        elif self.min is None or self.max is None:
            raise ValueError("a scale needs 'min' and 'max' (integers) or a list of 'values'")
        elif self.max <= self.min:
            raise ValueError(f"scale max {self.max} must be above min {self.min}")
        unknown = [k for k in self.labels if float(k) not in self.allowed]
        if unknown:
            raise ValueError(f"label for {unknown[0]}, which is not on the scale")
        return self

    @property
    def allowed(self) -> tuple[float, ...]:
        """Every valid answer, ascending."""
        if self.values is not None:
            return tuple(sorted(float(v) for v in self.values))
        assert self.min is not None and self.max is not None
        return tuple(float(v) for v in range(self.min, self.max + 1))

    @property
    def low(self) -> float:
        return self.allowed[0]

    @property
    def high(self) -> float:
        return self.allowed[-1]

    def describe(self) -> str:
        if self.values is None:
            return f"{self.min}–{self.max}"
        return ", ".join(fmt_number(v) for v in self.allowed)


def fmt_number(value: float) -> str:
    """A scale code as people write it: 3, not 3.0."""
    return str(int(value)) if float(value).is_integer() else str(value)


def validate(model: type[M], data: Mapping[str, Any], *, source: str | None) -> M:
    """``model`` validated from ``data``, the first problem raised as a SpecError naming the setting."""
    return validate_settings(model, data, error=SpecError, source=source)


def load(model: type[M], path: str | Path, *, what: str) -> M:
    """Read and validate a spec file."""
    data = read_yaml_mapping(path, what=what, error=SpecError)
    return validate(model, data, source=str(path))
