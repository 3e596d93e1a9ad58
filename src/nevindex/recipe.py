"""A Recipe holds every method choice of a build, so a build is ``f(framework, data, recipe)``.

Settings have dotted addresses (``"normalise.method"``, ``"treat.enabled"``,
``"aggregate.by_level.2.method"``) so what-if and uncertainty analysis can change one choice
and rebuild. Unknown methods, parameters or addresses are refused with the nearest valid name.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from nevindex.errors import RecipeError
from nevindex.io import read_yaml_mapping
from nevindex.methods.normalise import METHOD_PARAMS

NORMALISE_METHODS = tuple(METHOD_PARAMS)
AGGREGATE_METHODS = ("arithmetic", "geometric", "harmonic", "generalised", "copeland")
IMPUTE_METHODS = ("none", "mean", "median", "mean_group", "median_group", "locf", "linear")
WEIGHT_METHODS = ("manual", "equal", "ahp", "entropy", "critic", "pca")

#: Parameters each normaliser takes (besides data and direction): the kernels' own table.
NORMALISE_PARAMS: dict[str, frozenset[str]] = METHOD_PARAMS
AGGREGATE_PARAMS: dict[str, frozenset[str]] = {
    "arithmetic": frozenset(),
    "geometric": frozenset(),
    "harmonic": frozenset(),
    "generalised": frozenset({"p"}),
    "copeland": frozenset(),
}


def nearest(word: str, options: Any) -> str | None:
    """The closest valid name, for "did you mean …?" hints."""
    match = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.5)
    return match[0] if match else None


def _check_method(method: str, valid: tuple[str, ...], setting: str) -> str:
    if method not in valid:
        hint = nearest(method, valid)
        raise ValueError(
            f"unknown method '{method}' for {setting}"
            + (f"; did you mean '{hint}'?" if hint else "")
            + f" Valid: {', '.join(valid)}"
        )
    return method


def _check_params(method: str, params: Mapping[str, Any], table: dict[str, frozenset[str]], setting: str) -> None:
    for name in params:
        if name not in table[method]:
            hint = nearest(name, table[method])
            valid = ", ".join(sorted(table[method])) or "none"
            raise ValueError(
                f"unknown parameter '{name}' for {setting} method '{method}'"
                + (f"; did you mean '{hint}'?" if hint else "")
                + f" Valid: {valid}"
            )


class _Step(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DenominateSpec(_Step):
    enabled: bool = True


class ScreenSpec(_Step):
    """Drop units with too little data (shares in 0…1) before anything is imputed."""

    enabled: bool = True
    min_coverage: float = Field(default=0.0, ge=0.0, le=1.0)
    min_nonzero: float | None = Field(default=None, ge=0.0, le=1.0)
    force_keep: tuple[str, ...] = ()
    force_drop: tuple[str, ...] = ()


class ImputeSpec(_Step):
    method: str = "none"
    group: str | None = None
    max_gap: int | None = Field(default=None, ge=1)

    @field_validator("method")
    @classmethod
    def _method(cls, m: str) -> str:
        return _check_method(m, IMPUTE_METHODS, "impute")

    @model_validator(mode="after")
    def _group_needed(self) -> ImputeSpec:
        if self.method.endswith("_group") and not self.group:
            raise ValueError(f"impute method '{self.method}' needs 'group' (a group column of the data)")
        return self


class TreatSpec(_Step):
    """Outlier treatment (skew/kurtosis test, stepwise winsorisation, log fallback)."""

    enabled: bool = False
    skew_max: float = 2.0
    kurt_max: float = 3.5
    winmax: int = Field(default=5, ge=0)
    log_fallback: bool = True
    skip: tuple[str, ...] = ()


class NormaliseSpec(_Step):
    method: str = "minmax"
    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _valid(self) -> NormaliseSpec:
        _check_method(self.method, NORMALISE_METHODS, "normalise")
        _check_params(self.method, self.params, NORMALISE_PARAMS, "normalise")
        return self


class AHPSpec(_Step):
    """Pairwise comparisons of one node's children, in ``order``; one matrix per expert."""

    order: tuple[str, ...]
    matrices: tuple[tuple[tuple[float, ...], ...], ...]

    @field_validator("matrices", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        # one matrix (list of rows of numbers) or a list of matrices
        if isinstance(value, (list, tuple)) and value and all(
            isinstance(r, (list, tuple)) and r and not isinstance(r[0], (list, tuple)) for r in value
        ):
            return [value]
        return value


class WeightsSpec(_Step):
    method: str = "manual"
    set: str | None = None
    ahp: dict[str, AHPSpec] = Field(default_factory=dict)
    on_inconsistent: Literal["error", "warn"] = "error"

    @field_validator("method")
    @classmethod
    def _method(cls, m: str) -> str:
        return _check_method(m, WEIGHT_METHODS, "weights")

    @model_validator(mode="after")
    def _ahp_needs_matrices(self) -> WeightsSpec:
        if self.method == "ahp" and not self.ahp:
            raise ValueError("weights method 'ahp' needs 'ahp': {node code: {order, matrices}}")
        return self


class MethodChoice(_Step):
    method: str = "arithmetic"
    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _valid(self) -> MethodChoice:
        _check_method(self.method, AGGREGATE_METHODS, "aggregate")
        _check_params(self.method, self.params, AGGREGATE_PARAMS, "aggregate")
        if self.method == "generalised" and "p" not in self.params:
            raise ValueError("aggregate method 'generalised' needs parameter 'p' (p ≠ 0)")
        return self


class AggregateSpec(MethodChoice):
    """Default method for every node, overridden per level, then per node."""

    by_level: dict[int, MethodChoice] = Field(default_factory=dict)
    by_node: dict[str, MethodChoice] = Field(default_factory=dict)
    threshold: float | None = Field(default=None, ge=0.0, le=1.0)

    def choice_for(self, code: str, level: int) -> MethodChoice:
        if code in self.by_node:
            return self.by_node[code]
        if level in self.by_level:
            return self.by_level[level]
        return MethodChoice(method=self.method, params=self.params)


class Recipe(_Step):
    """Every method choice of one build. The default is a plain, documented baseline."""

    year: int | None = None
    denominate: DenominateSpec = Field(default_factory=DenominateSpec)
    screen: ScreenSpec = Field(default_factory=ScreenSpec)
    impute: ImputeSpec = Field(default_factory=ImputeSpec)
    treat: TreatSpec = Field(default_factory=TreatSpec)
    normalise: NormaliseSpec = Field(default_factory=NormaliseSpec)
    weights: WeightsSpec = Field(default_factory=WeightsSpec)
    aggregate: AggregateSpec = Field(default_factory=AggregateSpec)

    def sha256(self) -> str:
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()

    def get(self, address: str) -> Any:
        """Value at a dotted address, e.g. ``recipe.get("normalise.method")``."""
        node: Any = self.model_dump(mode="python")
        for part in _split(address):
            node = _descend(node, part, address)
        return node

    def with_setting(self, address: str, value: Any) -> Recipe:
        """A new recipe with one setting changed (validated like a file)."""
        return self.with_settings({address: value})

    def with_settings(self, settings: Mapping[str, Any]) -> Recipe:
        data: dict[str, Any] = self.model_dump(mode="python")
        for address, value in settings.items():
            parts = _split(address)
            node = data
            for part in parts[:-1]:
                nxt = _descend(node, part, address, create=True)
                node = nxt
            last = parts[-1]
            if isinstance(node, dict) and last not in node and not _open_mapping(parts[:-1]):
                hint = nearest(last, node)
                raise RecipeError(
                    f"unknown setting address '{address}'" + (f"; did you mean '{'.'.join([*parts[:-1], hint])}'?" if hint else "")
                )
            node[last] = value
        return recipe_from_mapping(data, source="recipe")

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.model_dump(mode="json", exclude_defaults=True), sort_keys=False)


# Mappings whose keys are free (node codes, levels, parameter names), not fixed settings.
_OPEN = {("normalise", "params"), ("aggregate", "params"), ("aggregate", "by_level"),
         ("aggregate", "by_node"), ("weights", "ahp")}


def _open_mapping(parts: list[str]) -> bool:
    return tuple(parts[:2]) in _OPEN or (len(parts) >= 3 and parts[0] == "aggregate" and parts[1] in ("by_level", "by_node"))


def _split(address: str) -> list[str]:
    parts = [p for p in str(address).split(".") if p]
    if not parts:
        raise RecipeError("empty setting address")
    return parts


def _descend(node: Any, part: str, address: str, create: bool = False) -> Any:
    if isinstance(node, dict):
        for key in (part, _as_int(part)):
            if key is not None and key in node:
                return node[key]
        if create:
            node[part] = {}
            return node[part]
        hint = nearest(part, node)
        raise RecipeError(f"unknown setting address '{address}'" + (f" ('{part}': did you mean '{hint}'?)" if hint else ""))
    raise RecipeError(f"unknown setting address '{address}' ('{part}' is inside a value, not a section)")


def _as_int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def recipe_from_mapping(data: Mapping[str, Any] | None, *, source: str = "<recipe>") -> Recipe:
    """Validate a recipe mapping; errors name the setting and suggest the nearest valid one."""
    try:
        return Recipe.model_validate(dict(data or {}))
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            parent = _model_at(list(err["loc"])[:-1])
            hint = nearest(err["loc"][-1], getattr(parent, "model_fields", {})) if parent else None
            msg = "unknown setting" + (f"; did you mean '{hint}'?" if hint else "")
        raise RecipeError(msg, file=source, column=loc or None) from None


def _model_at(loc: list[Any]) -> Any:
    model: Any = Recipe
    for part in loc:
        fields = getattr(model, "model_fields", None)
        if not fields or part not in fields:
            return None
        ann = fields[part].annotation
        candidates = [a for a in (ann, *getattr(ann, "__args__", ())) if isinstance(a, type) and issubclass(a, BaseModel)]
        model = candidates[0] if candidates else None
    return model


def load_recipe(path: str | Path) -> Recipe:
    data = read_yaml_mapping(path, what="recipe", error=RecipeError)
    if "recipe" in data and isinstance(data["recipe"], Mapping) and len(data) == 1:
        data = data["recipe"]
    return recipe_from_mapping(data, source=str(path))
