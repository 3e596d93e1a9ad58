"""The uncertainty spec: which choices are uncertain, how weights are perturbed, how many runs.

A spec is YAML validated with pydantic. Factors name any recipe setting address
(``recipe.with_setting``) with a list of alternatives; weight noise perturbs node weights by
``w·(1 + U(−f, f))`` per level, parent or list of nodes. Instead of sampling, a spec may point
at an explicit design table (one row per run) and a table of weight sets, so a published audit
can be replayed run for run. Everything here is checked against the framework and recipe before
any number is computed, and errors name the factor, file, row or column at fault.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from nevindex.dataset import read_table
from nevindex.errors import DataError, NevIndexError, RecipeError
from nevindex.framework import Framework
from nevindex.io import read_yaml_mapping
from nevindex.recipe import Recipe, nearest

#: Default half-width of the multiplicative weight noise (METHODS.md: w·(1 + U(−f, f))).
DEFAULT_NOISE = 0.25
#: Design columns that are not factors: run numbers, weight set ids, and outputs of a previous
#: audit's ``runs`` table (so that table replays as it is).
IGNORED_COLUMNS = ("run", "weight_set", "mean_abs_rank_shift")
#: Smallest Saltelli base sample accepted (Sobol' sequences need a power of 2).
MIN_SENSITIVITY_N = 16


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Alternative(_Model):
    """One value an uncertain setting may take; ``params`` sets the sibling ``params`` of a
    ``*.method`` address, ``settings`` sets any other addresses together with it."""

    value: Any
    params: dict[str, Any] | None = None
    settings: dict[str, Any] = Field(default_factory=dict)
    label: str | None = None

    @property
    def name(self) -> str:
        return self.label if self.label is not None else value_label(self.value)


class Factor(_Model):
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


class WeightNoise(_Model):
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


class SensitivitySpec(_Model):
    """Saltelli design of ``n·(d+2)`` runs (d = number of factors); bootstrap intervals."""

    n: int = Field(default=64, ge=1)
    bootstrap: int = Field(default=1000, ge=10)
    conf_level: float = Field(default=0.95, gt=0.0, lt=1.0)
    seed: int | None = None


class UncertaintySpec(_Model):
    runs: int = Field(default=1000, ge=1)
    seed: int = 0
    factors: tuple[Factor, ...] = ()
    weight_noise: tuple[WeightNoise, ...] = ()
    #: Explicit design (CSV/XLSX, one row per run) and its weight sets table, for replay.
    design: str | None = None
    weight_sets: str | None = None
    sensitivity: SensitivitySpec | None = None
    #: Upper bound on memory for the batched evaluation (MB); runs are chunked to stay below it.
    memory_mb: float = Field(default=128.0, gt=0)
    #: Folder relative paths in the spec resolve against (the spec file's folder).
    base_dir: str | None = None

    @model_validator(mode="after")
    def _coherent(self) -> UncertaintySpec:
        labels = [f.label for f in self.factors] + [w.label for w in self.weight_noise]
        dupes = sorted({x for x in labels if labels.count(x) > 1})
        if dupes:
            raise ValueError(f"factor name '{dupes[0]}' is used twice; give one of them a 'name'")
        if self.design is not None and self.weight_noise:
            raise ValueError("'design' and 'weight_noise' exclude each other: a replayed design takes its "
                             "weights from 'weight_sets'")
        if self.weight_sets is not None and self.design is None:
            raise ValueError("'weight_sets' is only used with 'design'")
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
    try:
        return UncertaintySpec.model_validate(body)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = f"unknown setting '{err['loc'][-1]}'"
        raise RecipeError(msg, file=source, column=loc or None) from None


def load_spec(path: str | Path) -> UncertaintySpec:
    path = Path(path)
    data = read_yaml_mapping(path, what="uncertainty spec", error=RecipeError)
    return spec_from_mapping(data, source=str(path), base_dir=path.parent)


# --- resolved factors -------------------------------------------------------------------------


def value_label(value: Any) -> str:
    """How a setting value is written in design tables: YAML-style scalars, JSON otherwise."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (str, int, float)):
        return str(value)
    return json.dumps(value, sort_keys=True, default=str)


def _params_address(address: str) -> str | None:
    """The ``params`` sibling of a ``*.method`` address that has one (normalise, aggregate…)."""
    parts = address.split(".")
    if parts[-1] != "method":
        return None
    head = parts[:-1]
    if head in (["normalise"], ["aggregate"]) or (len(head) == 3 and head[0] == "aggregate"
                                                  and head[1] in ("by_level", "by_node")):
        return ".".join([*head, "params"])
    return None


def _nominal(recipe: Recipe, address: str) -> Any:
    try:
        return recipe.get(address)
    except NevIndexError:
        return _MISSING


_MISSING = object()


@dataclass(frozen=True)
class ResolvedFactor:
    """A categorical factor with each alternative turned into recipe settings."""

    name: str
    address: str
    labels: tuple[str, ...]
    settings: tuple[dict[str, Any], ...]

    @property
    def k(self) -> int:
        return len(self.labels)


def resolve_factor(factor: Factor, recipe: Recipe, *, source: str = "<spec>", index: int = 0) -> ResolvedFactor:
    """Turn alternatives into settings and check each one by applying it to the nominal recipe.

    A ``*.method`` alternative without ``params`` keeps the nominal params when it names the
    nominal method, and otherwise resets them to ``{}`` (params are method-specific).
    """
    settings_list = []
    nominal_method = _nominal(recipe, factor.address)
    params_addr = _params_address(factor.address)
    for alt in factor.alternatives:
        settings: dict[str, Any] = {factor.address: alt.value}
        if params_addr is not None:
            if alt.params is not None:
                settings[params_addr] = dict(alt.params)
            elif alt.value != nominal_method:
                settings[params_addr] = {}
        elif alt.params is not None:
            raise RecipeError(f"factor '{factor.label}': 'params' only applies to a '*.method' address "
                              "with parameters (normalise, aggregate)", file=source,
                              column=f"factors.{index}.alternatives")
        settings.update(alt.settings)
        try:
            recipe.with_settings(settings)
        except RecipeError as exc:
            raise RecipeError(f"factor '{factor.label}', alternative '{alt.name}': {exc.message}", file=source,
                              column=f"factors.{index}") from None
        settings_list.append(settings)
    return ResolvedFactor(factor.label, factor.address, tuple(a.name for a in factor.alternatives),
                          tuple(settings_list))


@dataclass(frozen=True)
class NoiseGroup:
    name: str
    f: float
    nodes: tuple[str, ...]


def weight_nodes(framework: Framework) -> tuple[str, ...]:
    """Every node that has a weight within a parent (all but the root), in tree order."""
    return tuple(c for c in (*framework.indicator_codes, *framework.aggregate_codes) if c != framework.root)


def resolve_noise(entries: tuple[WeightNoise, ...], framework: Framework, *, source: str = "<spec>") -> list[NoiseGroup]:
    nodes = weight_nodes(framework)
    taken: dict[str, str] = {}
    groups = []
    for i, entry in enumerate(entries):
        where = f"weight_noise.{i}"
        if entry.level is not None:
            members = tuple(c for c in nodes if framework.levels[c] == entry.level)
            if not members:
                levels = sorted({framework.levels[c] for c in nodes})
                raise RecipeError(f"weight noise: no weighted node at level {entry.level}", file=source, column=where,
                                  hint=f"levels with weights: {', '.join(map(str, levels))}")
        elif entry.parent is not None:
            if entry.parent not in framework.children:
                hint = nearest(entry.parent, framework.children)
                raise RecipeError(f"weight noise: '{entry.parent}' is not an aggregate of the framework",
                                  file=source, column=where, hint=f"did you mean '{hint}'?" if hint else None)
            members = framework.children[entry.parent]
        else:
            members = tuple(entry.nodes or ())
            for code in members:
                if code not in nodes:
                    hint = nearest(code, nodes)
                    raise RecipeError(f"weight noise: '{code}' is not a weighted node of the framework",
                                      file=source, column=where, hint=f"did you mean '{hint}'?" if hint else None)
            if not members:
                raise RecipeError("weight noise: empty 'nodes' list", file=source, column=where)
        for code in members:
            if code in taken:
                raise RecipeError(f"weight noise: the weight of '{code}' is perturbed twice "
                                  f"('{taken[code]}' and '{entry.label}')", file=source, column=where)
            taken[code] = entry.label
        groups.append(NoiseGroup(entry.label, entry.f, members))
    return groups


# --- the design ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Design:
    """Every run of an analysis: an alternative per factor and the weights to use.

    ``choices[r, j]`` indexes ``factors[j].labels``. The weight of node ``nodes[k]`` in run r is
    ``absolute[r, k]`` where that is not NaN (replayed weight sets), else the weight the run's
    recipe resolves to times ``multipliers[r, k]`` (sampled noise).
    """

    factors: tuple[ResolvedFactor, ...]
    nodes: tuple[str, ...]
    choices: NDArray[np.intp]
    multipliers: NDArray[np.float64]
    absolute: NDArray[np.float64]
    weight_set_ids: tuple[str | None, ...] | None = None

    @property
    def runs(self) -> int:
        return int(self.choices.shape[0])

    def settings(self, combo: tuple[int, ...]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for factor, a in zip(self.factors, combo, strict=True):
            out.update(factor.settings[a])
        return out

    def subset(self, rows: NDArray[np.intp] | slice) -> Design:
        ids = None if self.weight_set_ids is None else tuple(np.asarray(self.weight_set_ids, dtype=object)[rows])
        return Design(self.factors, self.nodes, self.choices[rows], self.multipliers[rows], self.absolute[rows], ids)


@dataclass(frozen=True)
class Variables:
    """The unit-cube inputs of a sampled design: one per factor, one per perturbed node weight.

    ``groups[v]`` names the factor each variable belongs to: a weight-noise entry is one factor
    made of one variable per node (SALib groups), so sensitivity indices are per entry.
    """

    factors: tuple[ResolvedFactor, ...]
    noise: tuple[NoiseGroup, ...]
    nodes: tuple[str, ...]

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.factors] + [f"{g.name}:{n}" for g in self.noise for n in g.nodes]

    @property
    def groups(self) -> list[str]:
        return [f.name for f in self.factors] + [g.name for g in self.noise for _ in g.nodes]

    @property
    def factor_names(self) -> list[str]:
        return [f.name for f in self.factors] + [g.name for g in self.noise]

    @property
    def count(self) -> int:
        return len(self.factors) + sum(len(g.nodes) for g in self.noise)

    def design(self, u: NDArray[np.float64]) -> Design:
        """Map unit-cube samples to runs. A categorical factor with k alternatives splits [0, 1)
        into k equal bins (alternative ⌊u·k⌋); a noise variable gives the multiplier 1 + f(2u − 1)."""
        u = np.asarray(u, dtype=np.float64).reshape(-1, self.count)
        runs = u.shape[0]
        choices = np.empty((runs, len(self.factors)), dtype=np.intp)
        for j, factor in enumerate(self.factors):
            choices[:, j] = np.clip(np.floor(u[:, j] * factor.k), 0, factor.k - 1).astype(np.intp)
        mult = np.ones((runs, len(self.nodes)))
        col = len(self.factors)
        index = {n: k for k, n in enumerate(self.nodes)}
        for g in self.noise:
            for node in g.nodes:
                mult[:, index[node]] = 1.0 + g.f * (2.0 * u[:, col] - 1.0)
                col += 1
        return Design(self.factors, self.nodes, choices, mult, np.full_like(mult, np.nan))


def resolve_variables(spec: UncertaintySpec, framework: Framework, recipe: Recipe, *,
                      source: str = "<spec>") -> Variables:
    factors = tuple(resolve_factor(f, recipe, source=source, index=i) for i, f in enumerate(spec.factors))
    noise = tuple(resolve_noise(spec.weight_noise, framework, source=source))
    return Variables(factors, noise, weight_nodes(framework))


def sampled_design(variables: Variables, runs: int, seed: int) -> Design:
    """Monte Carlo design: every variable drawn U[0, 1) from a seeded generator."""
    rng = np.random.default_rng(seed)
    return variables.design(rng.random((runs, variables.count)))


# --- replay tables ------------------------------------------------------------------------------


def load_weight_sets(path: Path, framework: Framework) -> dict[str, dict[str, float]]:
    """Weight sets from a table: long (``set, node, weight``) or wide (``set`` + one column per node)."""
    frame = read_table(path)
    cols = [str(c) for c in frame.columns]
    frame.columns = cols
    if "set" not in cols:
        raise DataError("a weight sets table needs a 'set' column", file=str(path),
                        hint="long form: set,node,weight; wide form: set,<node codes…>")
    nodes = set(weight_nodes(framework)) | {framework.root}
    sets: dict[str, dict[str, float]] = {}

    def put(set_id: Any, node: str, value: Any, row: int, column: str) -> None:
        if node not in nodes:
            hint = nearest(node, nodes)
            raise DataError(f"'{node}' is not a node of the framework", file=str(path), row=row, column=column,
                            hint=f"did you mean '{hint}'?" if hint else None)
        try:
            w = float(value)
        except (TypeError, ValueError):
            raise DataError(f"weight {value!r} is not a number", file=str(path), row=row, column=column) from None
        if not math.isfinite(w) or w < 0:
            raise DataError(f"weight {w} must be a finite non-negative number", file=str(path), row=row,
                            column=column)
        sets.setdefault(_id(set_id), {})[node] = w

    if "node" in cols and "weight" in cols:
        for i, rec in enumerate(frame.to_dict("records")):
            put(rec["set"], str(rec["node"]), rec["weight"], i + 2, "weight")
    else:
        for i, rec in enumerate(frame.to_dict("records")):
            for c in cols:
                if c != "set" and not _blank(rec[c]):
                    put(rec["set"], c, rec[c], i + 2, c)
    return sets


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, float) and math.isnan(cell)) or (isinstance(cell, str) and not cell.strip())


def _id(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell).strip()


def _match(cell: Any, factor: ResolvedFactor, address_values: list[Any]) -> int | None:
    text = _id(cell)
    if text in factor.labels:
        return factor.labels.index(text)
    try:
        parsed = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    for a, value in enumerate(address_values):
        if parsed == value and not (isinstance(parsed, bool) != isinstance(value, bool)):
            return a
    return None


def replay_design(spec: UncertaintySpec, framework: Framework, recipe: Recipe, *,
                  source: str = "<spec>") -> Design:
    """The explicit design: one row per run naming an alternative per factor and a weight set.

    Columns: an optional ``run``; ``weight_set`` (an id in the weight sets table; blank = the
    recipe's weights); one column per factor, named by the factor's name or address. A column
    that is a recipe setting address but not a declared factor becomes a factor whose
    alternatives are the values in the column.
    """
    assert spec.design is not None
    path = spec.path(spec.design)
    if not path.exists():
        raise DataError("design table not found", file=str(path), hint="check 'design' in the spec")
    frame = read_table(path)
    frame.columns = [str(c) for c in frame.columns]
    declared = {f.label: (i, f) for i, f in enumerate(spec.factors)}
    factors: list[ResolvedFactor] = []
    columns: list[str] = []
    for i, f in enumerate(spec.factors):
        if f.label not in frame.columns:
            raise DataError(f"the design has no column for factor '{f.label}'", file=str(path),
                            hint=f"columns: {', '.join(frame.columns)}")
        factors.append(resolve_factor(f, recipe, source=source, index=i))
        columns.append(f.label)
    for c in frame.columns:
        if c in IGNORED_COLUMNS or c in declared:
            continue
        try:
            recipe.get(c)
        except RecipeError:
            hint = nearest(c, [*declared, *IGNORED_COLUMNS])
            raise DataError(f"design column '{c}' is neither a factor of the spec nor a recipe setting address",
                            file=str(path), column=c, hint=f"did you mean '{hint}'?" if hint else None) from None
        values: list[Any] = []
        for cell in frame[c]:
            if _blank(cell):
                continue
            v = yaml.safe_load(_id(cell)) if isinstance(cell, str) else cell
            v = int(v) if isinstance(v, float) and v.is_integer() and isinstance(recipe.get(c), int) else v
            if v not in values:
                values.append(v)
        factors.append(resolve_factor(Factor(address=c, alternatives=values), recipe, source=str(path)))
        columns.append(c)
    runs = len(frame)
    if runs == 0:
        raise DataError("the design table has no rows", file=str(path))
    if "runs" in spec.model_fields_set and spec.runs != runs:
        raise RecipeError(f"runs = {spec.runs} but the design table has {runs} rows; remove 'runs' or make them agree",
                          file=source, column="runs")
    choices = np.empty((runs, len(factors)), dtype=np.intp)
    for j, (factor, c) in enumerate(zip(factors, columns, strict=True)):
        values = [s[factor.address] for s in factor.settings]
        for r, cell in enumerate(frame[c]):
            if _blank(cell):
                raise DataError(f"no alternative given for factor '{factor.name}'", file=str(path), row=r + 2, column=c)
            a = _match(cell, factor, values)
            if a is None:
                raise DataError(f"'{_id(cell)}' is not an alternative of factor '{factor.name}'", file=str(path),
                                row=r + 2, column=c, hint=f"alternatives: {', '.join(factor.labels)}")
            choices[r, j] = a
    nodes = weight_nodes(framework)
    absolute = np.full((runs, len(nodes)), np.nan)
    ids: list[str | None] = [None] * runs
    if "weight_set" in frame.columns:
        if spec.weight_sets is None:
            raise RecipeError("the design names weight sets but the spec gives no 'weight_sets' table",
                              file=source, column="weight_sets")
        sets = load_weight_sets(spec.path(spec.weight_sets), framework)
        index = {n: k for k, n in enumerate(nodes)}
        for r, cell in enumerate(frame["weight_set"]):
            if _blank(cell):
                continue
            set_id = _id(cell)
            if set_id not in sets:
                hint = nearest(set_id, sets)
                raise DataError(f"weight set '{set_id}' is not in the weight sets table {spec.weight_sets}",
                                file=str(path), row=r + 2, column="weight_set",
                                hint=f"did you mean '{hint}'?" if hint else f"{len(sets)} sets are defined")
            ids[r] = set_id
            for node, w in sets[set_id].items():
                if node in index:
                    absolute[r, index[node]] = w
    return Design(tuple(factors), nodes, choices, np.ones((runs, len(nodes))), absolute, tuple(ids))
