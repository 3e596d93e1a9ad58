"""The methodology as a validated model: the tree, its metadata, weight sets, recipe, rating bands."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cached_property
from typing import Any, Literal

import yaml
from pydantic import Field, field_validator, model_validator

from nevindex.canonical import methodology_sha256
from nevindex.errors import MethodologyError
from nevindex.framework._collection import RawIndicator, validate_raw_indicators
from nevindex.framework._names import Names
from nevindex.framework._names import coerce_names as _coerce_names
from nevindex.framework._translations import translations_are_text
from nevindex.framework._tree import validate_tree
from nevindex.recipe import Recipe, recipe_from_mapping
from nevindex.validation import StrictModel

CODE_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
#: Where a framework read from a mapping keeps that mapping (in the instance's ``__dict__``, beside the
#: cached views, so equality still compares the settings only).
SOURCE_KEY = "_source_mapping"


class Node(StrictModel):
    """Any node of the tree; ``parent`` is None only for the root."""

    code: str
    name: Names
    parent: str | None = None
    weight: float = Field(default=1.0)
    meta: dict[str, Any] = Field(default_factory=dict)

    _names = field_validator("name", mode="before")(_coerce_names)
    _translations = field_validator("meta")(translations_are_text)

    @field_validator("code")
    @classmethod
    def _code_is_clean(cls, code: str) -> str:
        if not CODE_PATTERN.match(code):
            raise ValueError(
                f"code '{code}' must start with a letter or '_' and contain no spaces "
                "(letters, digits, '_', '.', '-')"
            )
        return code

    @field_validator("weight", mode="before")
    @classmethod
    def _weight_is_number(cls, weight: Any) -> Any:
        if isinstance(weight, bool) or not isinstance(weight, (int, float)):
            raise ValueError(f"weight must be a number, got {weight!r}")
        if weight < 0:
            raise ValueError(f"weight must not be negative, got {weight}")
        return weight


class Aggregate(Node):
    """A pillar, sub-index or the index itself."""


class Indicator(Node):
    """A measured quantity; ``direction`` +1 means higher is better."""

    direction: Literal[1, -1] = 1
    unit: str = ""
    denominator: str | None = None
    scale: float = 1.0
    target: float | None = None
    #: Per-indicator method parameters keyed by step, e.g. ``{"normalise": {"method": "goalposts",
    #: "lower": 0, "upper": 100}, "treat": {"enabled": false}}``. They override the recipe's
    #: global choice for this indicator only.
    params: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @field_validator("direction", mode="before")
    @classmethod
    def _direction(cls, value: Any) -> Any:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"direction must be 1 or -1, got {value!r}") from None
        if number not in (1.0, -1.0):
            raise ValueError(f"direction must be 1 or -1, got {value!r}")
        return int(number)

    @field_validator("params")
    @classmethod
    def _known_steps(cls, params: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        allowed = {"normalise", "treat"}
        for step in params:
            if step not in allowed:
                raise ValueError(f"params has unknown step '{step}'; allowed: {sorted(allowed)}")
        return params


class RatingBand(StrictModel):
    """A letter rating given to index scores at or above ``min``."""

    label: str
    min: float
    description: Names | None = None

    _names = field_validator("description", mode="before")(_coerce_names)


class FrameworkInfo(StrictModel):
    code: str
    version: str
    name: Names
    description: Names | None = None
    level_names: dict[int, Names] = Field(default_factory=dict)
    meta: dict[str, Any] = Field(default_factory=dict)

    _names = field_validator("name", "description", mode="before")(_coerce_names)
    _translations = field_validator("meta")(translations_are_text)

    @field_validator("level_names", mode="before")
    @classmethod
    def _level_names(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {int(k): _coerce_names(v) for k, v in value.items()}
        return value

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, float)) else value


class Framework(StrictModel):
    """The whole methodology: tree, metadata, named weight sets, default recipe, rating bands."""

    framework: FrameworkInfo
    aggregates: tuple[Aggregate, ...]
    indicators: tuple[Indicator, ...]
    #: Data columns used only as denominators (not scored), with their metadata.
    denominators: tuple[Node, ...] = ()
    #: Named alternative weight sets: set name → {node code: weight}. Nodes not named keep
    #: their own weight.
    weight_sets: dict[str, dict[str, float]] = Field(default_factory=dict)
    recipe: Recipe = Field(default_factory=Recipe)
    ratings: tuple[RatingBand, ...] = ()
    #: Declared derivations (ratios, conversions) computed from data columns before building;
    #: interpreted by :mod:`nevindex.derive`.
    derived: tuple[dict[str, Any], ...] = ()
    #: How the raw data columns are collected (:mod:`nevindex.framework._collection`); a column not
    #: listed is collected from public sources.
    raw_indicators: tuple[RawIndicator, ...] = ()

    @field_validator("recipe", mode="before")
    @classmethod
    def _recipe(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return recipe_from_mapping(value, source="framework recipe")
        return value

    @model_validator(mode="after")
    def _check_tree(self) -> Framework:
        validate_tree(self)
        validate_raw_indicators(self)
        return self

    # --- derived views (cached; the model is frozen) ---------------------------------------
    @cached_property
    def nodes(self) -> dict[str, Node]:
        return {n.code: n for n in (*self.indicators, *self.aggregates)}

    @cached_property
    def indicator_codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.indicators)

    @cached_property
    def aggregate_codes(self) -> tuple[str, ...]:
        return tuple(a.code for a in self.aggregates)

    @cached_property
    def children(self) -> dict[str, tuple[str, ...]]:
        kids: dict[str, list[str]] = {a.code: [] for a in self.aggregates}
        for node in (*self.indicators, *self.aggregates):
            if node.parent is not None:
                kids[node.parent].append(node.code)
        return {k: tuple(v) for k, v in kids.items()}

    @cached_property
    def levels(self) -> dict[str, int]:
        """Level of each node: indicators are 1, an aggregate is one above its highest child."""
        level: dict[str, int] = {i.code: 1 for i in self.indicators}
        for agg in self.aggregates:  # iteratively, children first (an explicit stack, no recursion)
            stack = [agg.code]
            while stack:
                code = stack[-1]
                if code in level:
                    stack.pop()
                    continue
                pending = [c for c in self.children[code] if c not in level]
                if pending:
                    stack.extend(pending)
                else:
                    level[code] = 1 + max(level[c] for c in self.children[code])
                    stack.pop()
        return level

    @cached_property
    def root(self) -> str:
        return next(a.code for a in self.aggregates if a.parent is None)

    @cached_property
    def aggregation_order(self) -> tuple[str, ...]:
        """Aggregates bottom-up (children before parents), ties in file order."""
        pos = {a.code: i for i, a in enumerate(self.aggregates)}
        return tuple(sorted(pos, key=lambda c: (self.levels[c], pos[c])))

    @cached_property
    def display_order(self) -> tuple[str, ...]:
        """Aggregates top-down (root first), as results tables show them."""
        pos = {a.code: i for i, a in enumerate(self.aggregates)}
        return tuple(sorted(pos, key=lambda c: (-self.levels[c], pos[c])))

    @property
    def max_level(self) -> int:
        return self.levels[self.root]

    def indicators_under(self, code: str) -> tuple[str, ...]:
        """Indicator codes in the subtree of ``code`` (in framework order)."""
        if code in self.indicator_codes:
            return (code,)
        found: set[str] = set()
        stack = [code]
        while stack:
            for child in self.children.get(stack.pop(), ()):
                (found.add(child) if child in self.indicator_codes else stack.append(child))
        return tuple(c for c in self.indicator_codes if c in found)

    def ancestors(self, code: str) -> tuple[str, ...]:
        chain: list[str] = []
        parent = self.nodes[code].parent
        while parent is not None:
            chain.append(parent)
            parent = self.nodes[parent].parent
        return tuple(chain)

    def weights_for(self, weight_set: str | None = None) -> dict[str, float]:
        """Every node's weight within its parent, with a named set applied on top."""
        weights = {code: node.weight for code, node in self.nodes.items()}
        if weight_set is not None:
            if weight_set not in self.weight_sets:
                raise MethodologyError(
                    f"weight set '{weight_set}' is not defined",
                    hint=f"defined sets: {sorted(self.weight_sets) or 'none'}",
                )
            weights.update(self.weight_sets[weight_set])
        return weights

    def rating(self, score: float) -> str | None:
        """Letter rating of an index score from the framework's bands (None if no band fits)."""
        for band in sorted(self.ratings, key=lambda b: -b.min):
            if score >= band.min:
                return band.label
        return None

    def content(self) -> dict[str, Any]:
        """The methodology as its author gave it: the mapping it was read from (its own keys, old
        setting names included), else its settings that differ from the defaults. This is what its
        hash covers and what the store keeps, so neither changes when a release adds a setting."""
        source = self.__dict__.get(SOURCE_KEY)
        return source if source is not None else self.model_dump(mode="json", exclude_defaults=True)

    def sha256(self) -> str:
        """Hash of :meth:`content` (``nevindex.canonical``: independent of YAML formatting and comments,
        and of the settings later releases add)."""
        return methodology_sha256(self.content())

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Framework:
        """A copy; one with changed settings is no longer the mapping it was read from."""
        copy = super().model_copy(update=update, deep=deep)
        if update:
            copy.__dict__.pop(SOURCE_KEY, None)
        return copy

    def raw_indicator(self, code: str) -> RawIndicator:
        """How the raw column ``code`` is collected (a public column if the methodology does not say)."""
        for raw in self.raw_indicators:
            if raw.code == code:
                return raw
        return RawIndicator(code=code)

    def collected_by(self, collection: str) -> tuple[RawIndicator, ...]:
        """The raw indicators collected in one way (``submission``: what a questionnaire asks for)."""
        return tuple(r for r in self.raw_indicators if r.collection == collection)

    def to_yaml(self) -> str:
        data = self.model_dump(mode="json", exclude_defaults=True)
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
