"""Replaying a published design: a table of runs and a table of weight sets, checked cell by cell."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from nevindex.audit.spec._design import Design, ResolvedFactor, resolve_factor, weight_nodes
from nevindex.audit.spec._spec import IGNORED_COLUMNS, Factor, UncertaintySpec
from nevindex.dataset import read_table
from nevindex.errors import DataError, RecipeError
from nevindex.framework import Framework
from nevindex.io import load_yaml
from nevindex.recipe import Recipe
from nevindex.validation import nearest


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
        if not math.isfinite(w):  # negative only where data-driven weights were used as they are
            raise DataError(f"weight {w} must be a finite number", file=str(path), row=row,
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
        parsed = load_yaml(text)
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
        for row, cell in enumerate(frame[c], start=2):
            if _blank(cell):
                continue
            try:
                v = load_yaml(_id(cell)) if isinstance(cell, str) else cell
            except yaml.YAMLError:
                raise DataError(f"'{str(cell)[:40]}' is not a value", file=str(path), row=row, column=c,
                                hint="write a number, a word or a list such as [a, b]") from None
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
        values = list(factor.values)
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
