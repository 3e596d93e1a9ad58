"""The methodology file (the "standard"): a validated tree of indicators and aggregates.

A framework says *what* is measured and how it hangs together; a :class:`~nevindex.recipe.Recipe`
says *how* it is computed. A framework may embed its default recipe, so one versioned YAML file
is the whole methodology. Two readers produce the same :class:`Framework`: our YAML format and
COINr's ``iMeta`` table, so indices built with that tool can move here unchanged.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from nevindex.errors import DataError, MethodologyError
from nevindex.recipe import Recipe, recipe_from_mapping

CODE_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


class Names(BaseModel):
    """A label in English and, where known, Chinese."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    en: str
    zh: str | None = None

    def get(self, lang: str = "en") -> str:
        return (self.zh if lang == "zh" and self.zh else self.en) or ""


def _coerce_names(value: Any) -> Any:
    if isinstance(value, str):
        return {"en": value}
    return value


#: Suffix of a Chinese translation kept next to its English text in a ``meta`` dict
#: (``justification`` / ``justification_zh``, ``unit_zh`` for the node's ``unit`` field,
#: ``method_notes`` / ``method_notes_zh``). English stays the plain key, so every reader of the
#: English text (API, generated docs) is unchanged.
TRANSLATION_SUFFIX = "_zh"


def meta_text(meta: Mapping[str, Any] | None, key: str, lang: str = "en", default: Any = None) -> Any:
    """``meta[key]`` in ``lang``: the ``key_zh`` translation for Chinese when present, else the English
    ``meta[key]`` (else ``default``). An {en, zh} mapping value is resolved the same way."""
    meta = meta or {}
    if lang == "zh" and meta.get(key + TRANSLATION_SUFFIX):
        return meta[key + TRANSLATION_SUFFIX]
    value = meta.get(key, default)
    if isinstance(value, Mapping) and set(value) <= {"en", "zh"} and "en" in value:
        return value.get(lang) or value.get("en")
    return value


def _check_translations(meta: Mapping[str, Any], where: str = "meta") -> None:
    """Every ``*_zh`` entry is non-empty text, or a mapping of non-empty texts whose keys all exist in
    the English sibling mapping (so a typo in a note name cannot hide a translation)."""
    for key, value in meta.items():
        here = f"{where}.{key}"
        if isinstance(key, str) and key.endswith(TRANSLATION_SUFFIX) and len(key) > len(TRANSLATION_SUFFIX):
            base = meta.get(key[: -len(TRANSLATION_SUFFIX)])
            if isinstance(value, Mapping):
                if not isinstance(base, Mapping):
                    raise ValueError(f"{here} is a mapping but {key[:-3]} is not")
                extra = sorted(str(k) for k in value if k not in base)
                if extra:
                    raise ValueError(f"{here} translates {extra}, which {key[:-3]} does not have")
                for k, v in value.items():
                    if not isinstance(v, str) or not v.strip():
                        raise ValueError(f"{here}.{k} must be non-empty text")
            elif not isinstance(value, str) or not value.strip():
                raise ValueError(f"{here} must be non-empty text")
        elif isinstance(value, Mapping):
            _check_translations(value, here)


def _translations_are_text(meta: dict[str, Any]) -> dict[str, Any]:
    _check_translations(meta)
    return meta


class Node(BaseModel):
    """Any node of the tree; ``parent`` is None only for the root."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str
    name: Names
    parent: str | None = None
    weight: float = Field(default=1.0)
    meta: dict[str, Any] = Field(default_factory=dict)

    _names = field_validator("name", mode="before")(_coerce_names)
    _translations = field_validator("meta")(_translations_are_text)

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


class RatingBand(BaseModel):
    """A letter rating given to index scores at or above ``min``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str
    min: float
    description: Names | None = None

    _names = field_validator("description", mode="before")(_coerce_names)


class FrameworkInfo(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str
    version: str
    name: Names
    description: Names | None = None
    level_names: dict[int, Names] = Field(default_factory=dict)
    meta: dict[str, Any] = Field(default_factory=dict)

    _names = field_validator("name", "description", mode="before")(_coerce_names)
    _translations = field_validator("meta")(_translations_are_text)

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


class Framework(BaseModel):
    """The whole methodology: tree, metadata, named weight sets, default recipe, rating bands."""

    model_config = ConfigDict(extra="forbid", frozen=True)
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

    @field_validator("recipe", mode="before")
    @classmethod
    def _recipe(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return recipe_from_mapping(value, source="framework recipe")
        return value

    @model_validator(mode="after")
    def _check_tree(self) -> Framework:
        _validate_tree(self)
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

        def visit(code: str) -> int:
            if code not in level:
                level[code] = 1 + max(visit(c) for c in self.children[code])
            return level[code]

        for agg in self.aggregates:
            visit(agg.code)
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

    def sha256(self) -> str:
        """Hash of the methodology's content (independent of YAML formatting and comments)."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def to_yaml(self) -> str:
        data = self.model_dump(mode="json", exclude_defaults=True)
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _validate_tree(fw: Framework) -> None:
    """Structural rules that pydantic field checks cannot see: codes, parents, cycles, root."""
    seen: dict[str, str] = {}
    for kind, nodes in (("indicator", fw.indicators), ("aggregate", fw.aggregates),
                        ("denominator", fw.denominators)):
        for node in nodes:
            if node.code in seen:
                raise ValueError(f"duplicate code '{node.code}' ({seen[node.code]} and {kind})")
            seen[node.code] = kind
    if not fw.indicators:
        raise ValueError("the framework has no indicators")
    if not fw.aggregates:
        raise ValueError("the framework has no aggregates: add at least an index node")
    aggregate_codes = {a.code for a in fw.aggregates}
    for node in (*fw.indicators, *fw.aggregates):
        if node.parent is None:
            if isinstance(node, Indicator):
                raise ValueError(f"indicator '{node.code}' has no parent")
            continue
        if node.parent not in aggregate_codes:
            hint = _nearest(node.parent, aggregate_codes)
            raise ValueError(
                f"'{node.code}' names parent '{node.parent}', which is not an aggregate"
                + (f" (did you mean '{hint}'?)" if hint else "")
            )
    parent_of = {n.code: n.parent for n in (*fw.indicators, *fw.aggregates)}
    for start in parent_of:
        path = [start]
        current = parent_of[start]
        while current is not None:
            if current in path:
                cycle = " → ".join([*path[path.index(current):], current])
                raise ValueError(f"cycle in the tree: {cycle}")
            path.append(current)
            current = parent_of[current]
    roots = [a.code for a in fw.aggregates if a.parent is None]
    if len(roots) != 1:
        raise ValueError(f"the tree needs exactly one root aggregate (no parent); found {roots or 'none'}")
    has_child = {n.parent for n in (*fw.indicators, *fw.aggregates)}
    for agg in fw.aggregates:
        if agg.code not in has_child:
            raise ValueError(f"aggregate '{agg.code}' has no children")
    for ind in fw.indicators:
        if ind.denominator in aggregate_codes:
            raise ValueError(f"indicator '{ind.code}' is denominated by aggregate '{ind.denominator}'")
    for set_name, weights in fw.weight_sets.items():
        for code, w in weights.items():
            if code not in parent_of:
                raise ValueError(f"weight set '{set_name}' names unknown node '{code}'")
            if isinstance(w, bool) or not isinstance(w, (int, float)) or w < 0:
                raise ValueError(f"weight set '{set_name}': weight of '{code}' must be a non-negative number")


def _nearest(word: str, options: Iterable[str]) -> str | None:
    import difflib

    match = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return match[0] if match else None


# --- readers -------------------------------------------------------------------------------


def framework_from_mapping(data: Mapping[str, Any], *, source: str = "<framework>") -> Framework:
    """Validate a parsed YAML mapping, turning pydantic's errors into one readable sentence."""
    try:
        return Framework.model_validate(data)
    except ValidationError as exc:
        raise MethodologyError(_explain(exc, data), file=source) from None


def _explain(exc: ValidationError, data: Mapping[str, Any]) -> str:
    err = exc.errors()[0]
    loc = list(err["loc"])
    where = _describe_location(loc, data)
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        field = loc[-1]
        parent_loc = loc[:-1]
        allowed = _allowed_fields(parent_loc)
        hint = _nearest(str(field), allowed) if allowed else None
        msg = f"unknown setting '{field}'" + (f" (did you mean '{hint}'?)" if hint else "")
    return f"{where}: {msg}" if where else msg


def _allowed_fields(loc: list[Any]) -> list[str]:
    model: Any = Framework
    for part in loc:
        if isinstance(part, int):
            continue
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return []
        ann = field.annotation
        inner = getattr(ann, "__args__", ())
        candidates = [a for a in (ann, *inner) if isinstance(a, type) and issubclass(a, BaseModel)]
        if not candidates:
            return []
        model = candidates[0]
    return list(getattr(model, "model_fields", {}))


def _describe_location(loc: list[Any], data: Mapping[str, Any]) -> str:
    """Turn ('indicators', 3, 'direction') into "indicator 'nev_sales', setting 'direction'"."""
    if len(loc) >= 2 and loc[0] in ("indicators", "aggregates", "denominators") and isinstance(loc[1], int):
        items = data.get(loc[0]) or []
        code = items[loc[1]].get("code") if loc[1] < len(items) and isinstance(items[loc[1]], Mapping) else None
        label = f"{loc[0][:-1]} '{code}'" if code else f"{loc[0][:-1]} #{loc[1] + 1}"
        rest = [str(p) for p in loc[2:] if not isinstance(p, int)]
        return label + (f", setting '{'.'.join(rest)}'" if rest else "")
    return "setting '" + ".".join(str(p) for p in loc) + "'" if loc else ""


def load_framework(path: str | Path) -> Framework:
    """Read a methodology file: our YAML format, or a COINr-style iMeta table (.csv/.xlsx)."""
    path = Path(path)
    if not path.exists():
        raise MethodologyError("file not found", file=str(path), hint="check the path to the methodology file")
    if path.suffix.lower() in (".csv", ".xlsx", ".xls", ".parquet"):
        return framework_from_imeta(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MethodologyError(f"cannot read the file ({exc.__class__.__name__})", file=str(path)) from None
    return framework_from_yaml(text, source=str(path))


def framework_from_yaml(text: str, *, source: str = "<yaml>") -> Framework:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise MethodologyError(f"not valid YAML ({getattr(exc, 'problem', exc)})", file=source, row=row) from None
    if not isinstance(data, Mapping) or not data:
        raise MethodologyError(
            "the file is empty or not a mapping",
            file=source,
            hint="a methodology file needs 'framework', 'aggregates' and 'indicators' sections",
        )
    return framework_from_mapping(data, source=source)


IMETA_COLUMNS = ("Level", "iCode", "iName", "Direction", "Weight", "Parent", "Type")


def framework_from_imeta(path: str | Path, *, code: str | None = None, version: str = "1") -> Framework:
    """Read COINr's indicator metadata table (``iMeta``) into a framework.

    Rows of Type ``Indicator`` and ``Aggregate`` form the tree; ``Denominator`` rows become
    denominator columns; ``Group`` rows are data columns and need nothing here. ``Target`` becomes
    the indicator's target. COINr's explicit ``Level`` is checked against the tree's shape.
    """
    from nevindex.dataset import read_table

    path = Path(path)
    table = read_table(path)
    missing = [c for c in IMETA_COLUMNS if c not in table.columns]
    if missing:
        raise MethodologyError(f"missing iMeta column(s) {missing}", file=str(path),
                               hint=f"a COINr iMeta table has columns {list(IMETA_COLUMNS)}")

    def text(value: Any) -> str | None:
        return None if value is None or (isinstance(value, float) and value != value) or value == "" else str(value)

    def number(value: Any, row: int, column: str, default: float | None = None) -> float | None:
        if text(value) is None:
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise MethodologyError(f"'{value}' is not a number", file=str(path), row=row, column=column) from None

    indicators, aggregates, denominators = [], [], []
    declared_levels: dict[str, int] = {}
    for i, rec in enumerate(table.to_dict("records")):
        row = i + 2  # header is row 1
        kind = text(rec.get("Type"))
        icode = text(rec.get("iCode"))
        if kind is None or icode is None:
            raise MethodologyError("each row needs Type and iCode", file=str(path), row=row)
        node: dict[str, Any] = {"code": icode, "name": {"en": text(rec.get("iName")) or icode}}
        if kind in ("Indicator", "Aggregate"):
            node["parent"] = text(rec.get("Parent"))
            node["weight"] = number(rec.get("Weight"), row, "Weight", 1.0)
            level = number(rec.get("Level"), row, "Level")
            if level is not None:
                declared_levels[icode] = int(level)
        if kind == "Indicator":
            node["direction"] = number(rec.get("Direction"), row, "Direction", 1.0)
            node["unit"] = text(rec.get("Unit")) or ""
            node["denominator"] = text(rec.get("Denominator"))
            node["target"] = number(rec.get("Target"), row, "Target") if "Target" in rec else None
            indicators.append(node)
        elif kind == "Aggregate":
            aggregates.append(node)
        elif kind == "Denominator":
            node["meta"] = {"unit": text(rec.get("Unit")) or ""}
            denominators.append(node)
        elif kind in ("Group", "Other"):
            continue
        else:
            raise MethodologyError(f"unknown Type '{kind}'", file=str(path), row=row, column="Type",
                                   hint="Type is one of Indicator, Aggregate, Group, Denominator, Other")
    data = {
        "framework": {"code": code or path.stem, "version": version, "name": {"en": code or path.stem}},
        "aggregates": aggregates,
        "indicators": indicators,
        "denominators": denominators,
    }
    fw = framework_from_mapping(data, source=str(path))
    for icode, level in declared_levels.items():
        if fw.levels[icode] != level:
            raise MethodologyError(
                f"'{icode}' is declared at Level {level} but its children put it at level {fw.levels[icode]}",
                file=str(path), column="Level",
            )
    return fw


__all__ = [
    "Aggregate",
    "DataError",
    "Framework",
    "FrameworkInfo",
    "Indicator",
    "Names",
    "Node",
    "RatingBand",
    "framework_from_imeta",
    "framework_from_mapping",
    "framework_from_yaml",
    "load_framework",
]
