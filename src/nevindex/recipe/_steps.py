"""The settings of each step. Every step has a ``method``; the optional steps (denominate, screen,
impute, treat) are switched off with ``method: none``. Method names and their parameters come from
the kernels' own registries, so a method added there is valid here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import (
    Field,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from nevindex.methods import aggregate as agg_kernels
from nevindex.methods import impute as imp_kernels
from nevindex.methods import weights as weight_kernels
from nevindex.methods.normalise import METHOD_PARAMS as NORMALISE_PARAMS
from nevindex.validation import StrictModel, nearest

DENOMINATE_METHODS = ("divide", "none")
SCREEN_METHODS = ("coverage", "none")
IMPUTE_METHODS = ("none", *imp_kernels.METHODS)
TREAT_METHODS = ("winsorise", "none")
NORMALISE_METHODS = tuple(NORMALISE_PARAMS)
WEIGHT_METHODS = weight_kernels.METHODS
DATA_DRIVEN_WEIGHTS = tuple(weight_kernels.DATA_DRIVEN)
AGGREGATE_METHODS = tuple(agg_kernels.AGGREGATORS)
#: Parameters of each aggregator besides values and weights (the kernels' own table).
AGGREGATE_PARAMS: dict[str, frozenset[str]] = agg_kernels.METHOD_PARAMS
#: How a missing child enters its parent (the kernels' own table): ``reweight`` (skipped with its
#: weight), ``median`` or ``lower_quartile`` (that child's quantile over the units that have it).
MISSING_CHILDREN = tuple(agg_kernels.MISSING)


def check_method(method: str, valid: tuple[str, ...], setting: str) -> str:
    if method not in valid:
        hint = nearest(method, valid)
        raise ValueError(f"unknown method '{method}' for {setting}" + (f"; did you mean '{hint}'?" if hint else "")
                         + f" Valid: {', '.join(valid)}")
    return method


def _check_params(method: str, params: Mapping[str, Any], table: Mapping[str, frozenset[str]], setting: str) -> None:
    for name in params:
        if name not in table[method]:
            hint = nearest(name, table[method])
            valid = ", ".join(sorted(table[method])) or "none"
            raise ValueError(f"unknown parameter '{name}' for {setting} method '{method}'"
                             + (f"; did you mean '{hint}'?" if hint else "") + f" Valid: {valid}")


Share = Field(default=None, ge=0.0, le=1.0)


def _method_in(valid: tuple[str, ...], setting: str) -> Any:
    """A field validator of ``method`` against the step's method names."""
    return field_validator("method")(lambda method: check_method(method, valid, setting))


class DenominateSpec(StrictModel):
    """``divide``: each indicator that names a denominator becomes ``x / denominator × scale``."""

    method: str = "divide"

    _method = _method_in(DENOMINATE_METHODS, "denominate")


class ScreenSpec(StrictModel):
    """``coverage``: drop units with too little data (shares in 0…1) before anything is imputed."""

    method: str = "coverage"
    #: Share of the unit's indicator values that must be observed.
    min_observed: float = Field(default=0.0, ge=0.0, le=1.0)
    #: Share of the unit's indicator values that must be observed and non-zero.
    min_nonzero: float | None = Share
    force_keep: tuple[str, ...] = ()
    force_drop: tuple[str, ...] = ()

    _method = _method_in(SCREEN_METHODS, "screen")


class ImputeSpec(StrictModel):
    method: str = "none"
    #: Unit group column of the data (``*_group`` methods).
    group: str | None = None
    #: Framework level whose aggregates group the indicators (``*_row`` methods; default 2).
    level: int | None = Field(default=None, ge=2)
    #: ``*_row``: min-max every column onto [0, 1] with its direction before taking a row's mean.
    normalise_first: bool = True
    #: ``locf``: carry a value at most this many years.
    max_gap: int | None = Field(default=None, ge=1)

    _method = _method_in(IMPUTE_METHODS, "impute")

    @model_validator(mode="after")
    def _group_needed(self) -> ImputeSpec:
        if self.method.endswith("_group") and not self.group:
            raise ValueError(f"impute method '{self.method}' needs 'group' (a group column of the data)")
        if self.level is not None and not self.method.endswith("_row"):
            raise ValueError(f"impute 'level' groups indicators for mean_row/median_row, not for '{self.method}'")
        return self


class TreatSpec(StrictModel):
    """``winsorise``: skew/kurtosis test, stepwise winsorisation, log fallback (COINr ``Treat``)."""

    method: str = "none"
    skew_max: float = 2.0
    kurt_max: float = 3.5
    winmax: int = Field(default=5, ge=0)
    log_fallback: bool = True
    skip: tuple[str, ...] = ()

    _method = _method_in(TREAT_METHODS, "treat")


class NormaliseSpec(StrictModel):
    method: str = "minmax"
    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _valid(self) -> NormaliseSpec:
        check_method(self.method, NORMALISE_METHODS, "normalise")
        _check_params(self.method, self.params, NORMALISE_PARAMS, "normalise")
        return self


class AHPSpec(StrictModel):
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


class WeightsSpec(StrictModel):
    """How weights are found. Data-driven methods (entropy, CRITIC, PCA) compute the weights of the
    nodes at ``levels`` and of the ``nodes`` named (default: every level), each parent's children
    from their values; every other weight stays the framework's (or the named ``set``'s)."""

    method: str = "manual"
    set: str | None = None
    ahp: dict[str, AHPSpec] = Field(default_factory=dict)
    on_inconsistent: Literal["error", "warn"] = "error"
    levels: tuple[int, ...] | None = None
    nodes: tuple[str, ...] | None = None
    #: Negative data-driven weights (PCA loadings): used as they are and warned about (``as_is``,
    #: as COINr), made positive (``abs``), or refused (``error``).
    sign: Literal["as_is", "abs", "error"] = "as_is"

    _method = _method_in(WEIGHT_METHODS, "weights")

    @model_validator(mode="after")
    def _consistent(self) -> WeightsSpec:
        if self.method == "ahp" and not self.ahp:
            raise ValueError("weights method 'ahp' needs 'ahp': {node code: {order, matrices}}")
        if (self.levels is not None or self.nodes is not None) and self.method not in DATA_DRIVEN_WEIGHTS:
            raise ValueError(f"weights 'levels' and 'nodes' choose where data-driven weights "
                             f"({', '.join(DATA_DRIVEN_WEIGHTS)}) apply, not '{self.method}'")
        return self


class MethodChoice(StrictModel):
    """How one node (or level) is aggregated, and when it has too little data to be scored.

    ``min_present``: share of the node's children that must have a value when it is aggregated
    (imputed values count). ``min_observed``: share of the indicators under the node that must be
    *observed* (before imputation), so a unit rated on too little evidence is shown as not rated
    rather than silently scored. ``missing``: how a missing child enters (``reweight``: skipped
    with its weight; ``median`` / ``lower_quartile``: replaced by that child's median or lower
    quartile over the units that have it). Unset, each falls back to the recipe-wide ``aggregate``
    value (``missing``: ``reweight``).
    """

    method: str = "arithmetic"
    params: dict[str, Any] = Field(default_factory=dict)
    min_present: float | None = Share
    min_observed: float | None = Share
    missing: str | None = None

    @field_validator("missing")
    @classmethod
    def _missing_known(cls, value: str | None) -> str | None:
        return None if value is None else check_method(value, MISSING_CHILDREN, "aggregate missing")

    @model_serializer(mode="wrap")
    def _omit_unset_missing(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
        # an unset ``missing`` is left out of JSON (hashes, stored methodologies), so recipes written
        # before the setting keep their hashes; Python dumps keep it, so it can be addressed
        data = handler(self)
        if info.mode_is_json() and isinstance(data, dict) and data.get("missing", "") is None:
            data.pop("missing")
        return data

    @property
    def missing_children(self) -> str:
        """The effective treatment of missing children."""
        return self.missing or "reweight"

    @model_validator(mode="after")
    def _valid(self) -> MethodChoice:
        check_method(self.method, AGGREGATE_METHODS, "aggregate")
        _check_params(self.method, self.params, AGGREGATE_PARAMS, "aggregate")
        if self.method == "generalised" and "p" not in self.params:
            raise ValueError("aggregate method 'generalised' needs parameter 'p' (p ≠ 0)")
        return self


class AggregateSpec(MethodChoice):
    """Default method for every node, overridden per level, then per node."""

    by_level: dict[int, MethodChoice] = Field(default_factory=dict)
    by_node: dict[str, MethodChoice] = Field(default_factory=dict)

    def choice_for(self, code: str, level: int) -> MethodChoice:
        """The node's own choice, else its level's, else the default; the shares fall back to the
        recipe-wide ones."""
        if code in self.by_node:
            choice = self.by_node[code]
        elif level in self.by_level:
            choice = self.by_level[level]
        else:
            choice = MethodChoice(method=self.method, params=self.params)
        shares = {k: getattr(self, k) for k in ("min_present", "min_observed", "missing")
                  if getattr(choice, k) is None and getattr(self, k) is not None}
        return choice.model_copy(update=shares) if shares else choice
