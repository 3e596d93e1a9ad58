"""The uncertainty spec as a validated model: factors, weight noise, runs, seed, replay tables."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator, model_validator

from nevindex.errors import RecipeError
from nevindex.io import read_yaml_mapping
from nevindex.validation import StrictModel, validate

#: Default half-width of the multiplicative weight noise (METHODS.md: w·(1 + U(−f, f))).
DEFAULT_NOISE = 0.25
#: Design columns that are not factors: run numbers, weight set ids, and outputs of a previous
#: audit's ``runs`` table (so that table replays as it is).
IGNORED_COLUMNS = ("run", "weight_set", "mean_abs_rank_shift")
#: Smallest Saltelli base sample accepted (Sobol' sequences need a power of 2).
MIN_SENSITIVITY_N = 16
#: Bootstrap replicates of the survey-sampling factor unless the spec says otherwise.
DEFAULT_REPLICATES = 1000


def value_label(value: Any) -> str:
    """How a setting value is written in design tables: YAML-style scalars, JSON otherwise."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (str, int, float)):
        return str(value)
    return json.dumps(value, sort_keys=True, default=str)


class Alternative(StrictModel):
    """One value an uncertain setting may take; ``params`` sets the sibling ``params`` of a
    ``*.method`` address, ``settings`` sets any other addresses together with it."""

    value: Any
    params: dict[str, Any] | None = None
    settings: dict[str, Any] = Field(default_factory=dict)
    label: str | None = None

    @property
    def name(self) -> str:
        return self.label if self.label is not None else value_label(self.value)


class Factor(StrictModel):
    address: str
    alternatives: tuple[Alternative, ...]
    name: str | None = None

    @field_validator("alternatives", mode="before")
    @classmethod
    def _scalars(cls, value: Any) -> Any:
        if value is None:
            return ()
        if not isinstance(value, (list, tuple)):
            raise ValueError("alternatives must be a list")
        return [v if isinstance(v, Mapping) and "value" in v else {"value": v} for v in value]

    @model_validator(mode="after")
    def _not_empty(self) -> Factor:
        if not self.alternatives:
            raise ValueError(f"factor '{self.label}' has no alternatives (give at least one)")
        names = [a.name for a in self.alternatives]
        if len(set(names)) != len(names):
            raise ValueError(f"factor '{self.label}' lists the same alternative twice (labels must be unique)")
        return self

    @property
    def label(self) -> str:
        return self.name or self.address


class WeightNoise(StrictModel):
    """Perturb the weights of the nodes at ``level``, of the children of ``parent``, or of ``nodes``."""

    level: int | None = None
    parent: str | None = None
    nodes: tuple[str, ...] | None = None
    f: float = Field(default=DEFAULT_NOISE, ge=0.0, lt=1.0)
    name: str | None = None

    @model_validator(mode="after")
    def _one_target(self) -> WeightNoise:
        given = [k for k in ("level", "parent", "nodes") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a weight_noise entry needs exactly one of 'level', 'parent' or 'nodes'")
        return self

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        if self.level is not None:
            return f"weights level {self.level}"
        if self.parent is not None:
            return f"weights in {self.parent}"
        return "weights of " + ",".join(self.nodes or ())


class SurveySampling(StrictModel):
    """Sampling error of the survey-based indicators as one factor: each run takes one of
    ``replicates`` bootstrap redraws of the respondents (with replacement within each brand, design
    weights kept) and uses the redrawn indicator values. The respondents come with the audit's
    input (``nevindex audit --survey … --survey-spec …``), not from the spec."""

    replicates: int = Field(default=DEFAULT_REPLICATES, ge=10)
    #: Only these survey indicators are redrawn (default: every survey indicator in the framework).
    indicators: tuple[str, ...] | None = None
    #: Seed of the bootstrap draws (default: the spec's ``seed``).
    seed: int | None = None
    name: str | None = None

    @field_validator("indicators")
    @classmethod
    def _some(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is not None and not value:
            raise ValueError("'indicators' must list at least one indicator (or be left out for all)")
        return value

    @property
    def label(self) -> str:
        return self.name or "survey sampling"


class SensitivitySpec(StrictModel):
    """Saltelli design of ``n·(d+2)`` runs (d = number of factors); bootstrap intervals."""

    n: int = Field(default=64, ge=1)
    bootstrap: int = Field(default=1000, ge=10)
    conf_level: float = Field(default=0.95, gt=0.0, lt=1.0)
    seed: int | None = None


class UncertaintySpec(StrictModel):
    runs: int = Field(default=1000, ge=1)
    seed: int = 0
    factors: tuple[Factor, ...] = ()
    weight_noise: tuple[WeightNoise, ...] = ()
    #: Explicit design (CSV/XLSX, one row per run) and its weight sets table, for replay.
    design: str | None = None
    weight_sets: str | None = None
    sensitivity: SensitivitySpec | None = None
    survey_sampling: SurveySampling | None = None
    #: Upper bound on memory for the batched evaluation (MB); runs are chunked to stay below it.
    memory_mb: float = Field(default=128.0, gt=0)
    #: Folder relative paths in the spec resolve against (the spec file's folder).
    base_dir: str | None = None

    @model_validator(mode="after")
    def _coherent(self) -> UncertaintySpec:
        labels = [f.label for f in self.factors] + [w.label for w in self.weight_noise]
        labels += [self.survey_sampling.label] if self.survey_sampling is not None else []
        dupes = sorted({x for x in labels if labels.count(x) > 1})
        if dupes:
            raise ValueError(f"factor name '{dupes[0]}' is used twice; give one of them a 'name'")
        if self.design is not None and self.weight_noise:
            raise ValueError("'design' and 'weight_noise' exclude each other: a replayed design takes its "
                             "weights from 'weight_sets'")
        if self.weight_sets is not None and self.design is None:
            raise ValueError("'weight_sets' is only used with 'design'")
        if self.design is not None and self.survey_sampling is not None:
            raise ValueError("'design' and 'survey_sampling' exclude each other: a replayed design has no "
                             "bootstrap replicates of the respondents")
        if self.design is not None and self.sensitivity is not None:
            raise ValueError("'sensitivity' needs a sampled design; remove 'design' or 'sensitivity'")
        return self

    def path(self, name: str) -> Path:
        p = Path(name)
        return p if p.is_absolute() or self.base_dir is None else Path(self.base_dir) / p


def spec_from_mapping(data: Mapping[str, Any] | None, *, source: str = "<spec>",
                      base_dir: str | Path | None = None) -> UncertaintySpec:
    """Validate a spec mapping; errors name the setting (``factors.1.alternatives``)."""
    body = dict(data or {})
    if "uncertainty" in body and len(body) == 1 and isinstance(body["uncertainty"], Mapping):
        body = dict(body["uncertainty"])
    if base_dir is not None:
        body.setdefault("base_dir", str(base_dir))
    return validate(UncertaintySpec, body, error=RecipeError, source=source)


def load_spec(path: str | Path) -> UncertaintySpec:
    path = Path(path)
    data = read_yaml_mapping(path, what="uncertainty spec", error=RecipeError)
    return spec_from_mapping(data, source=str(path), base_dir=path.parent)



#: The standing uncertainty analysis of an edition (portal, demo): fixed runs and seed, so the same
#: draft always gets the same rank intervals.
DEFAULT_RUNS = 1000
DEFAULT_SEED = 2026


def default_spec(framework: Any, *, runs: int = DEFAULT_RUNS, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Every weight below the root perturbed by ±25 % (uniform, each node its own draw), ``runs``
    Monte Carlo runs with a fixed seed, and the uncertain choices the methodology itself declares
    (``framework.meta.uncertainty.factors``, each with its alternatives), so a choice the methodology
    calls a judgement is varied wherever its rank intervals are computed. Analysts who need other
    factors write their own spec."""
    levels = sorted({framework.levels[c] for c in framework.nodes if c != framework.root})
    spec: dict[str, Any] = {"runs": runs, "seed": seed,
                            "weight_noise": [{"level": level, "f": 0.25} for level in levels]}
    declared = (framework.framework.meta.get("uncertainty") or {}).get("factors") or []
    if declared:
        spec["factors"] = [dict(f) for f in declared]
    return spec
