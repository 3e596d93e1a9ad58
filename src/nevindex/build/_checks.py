"""Checks on the inputs of a build, and the translation of kernel errors (positions) into names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nevindex.dataset import Dataset
from nevindex.errors import ComputationError, DataError, KernelError, RecipeError
from nevindex.framework import Framework
from nevindex.recipe import Recipe, nearest

Array = NDArray[np.float64]


def check_inputs(framework: Framework, dataset: Dataset, recipe: Recipe) -> list[str]:
    """Raise on inputs that cannot build; return warnings for what is merely suspicious."""
    warnings: list[str] = []
    missing = [c for c in framework.indicator_codes if c not in dataset.columns]
    if missing:
        hint = nearest(missing[0], dataset.columns)
        raise DataError(
            f"indicator '{missing[0]}' of the framework has no data column"
            + (f" ({len(missing)} indicators missing in all)" if len(missing) > 1 else ""),
            file=dataset.source,
            hint=(f"did you mean '{hint}'? " if hint else "") + "add the column or remove the indicator",
        )
    if recipe.denominate.method != "none":
        for ind in framework.indicators:
            if ind.denominator is not None and ind.denominator not in dataset.columns:
                raise DataError(f"denominator '{ind.denominator}' of indicator '{ind.code}' has no data column",
                                file=dataset.source)
    used = set(framework.indicator_codes) | {i.denominator for i in framework.indicators if i.denominator} \
        | {d.code for d in framework.denominators}
    extra = [c for c in dataset.columns if c not in used]
    if extra:
        warnings.append(f"data columns not in the framework (ignored): {', '.join(extra)}")
    if recipe.impute.method.endswith("_group"):
        dataset.attribute(recipe.impute.group or "")
    for code in (*recipe.screen.force_keep, *recipe.screen.force_drop):
        if code not in dataset.units:
            hint = nearest(code, dataset.units)
            raise RecipeError(f"unit '{code}' in screen.force_keep/force_drop is not in the data"
                              + (f"; did you mean '{hint}'?" if hint else ""), column="screen")
    for node in recipe.aggregate.by_node:
        if node not in framework.children:
            raise RecipeError(f"aggregate.by_node names '{node}', which is not an aggregate of the framework",
                              column="aggregate.by_node")
    for code in recipe.treat.skip:
        if code not in framework.indicator_codes:
            raise RecipeError(f"treat.skip names unknown indicator '{code}'", column="treat.skip")
    if recipe.weights.set is not None:
        framework.weights_for(recipe.weights.set)
    return warnings


def check_not_all_missing(codes: tuple[str, ...], matrix: Array, year: int, source: str | None,
                           after: str | None = None) -> None:
    empty = np.all(np.isnan(matrix), axis=0)
    if empty.any():
        code = codes[int(np.flatnonzero(empty)[0])]
        raise DataError(f"indicator '{code}' has no values in year {year}" + (f" after {after}" if after else ""),
                        file=source, column=code,
                        hint="remove it from the framework for this edition, or supply data")


def with_names(compute: Any, units: tuple[str, ...], framework: Framework, step: str,
           columns: tuple[str, ...] | None = None) -> Any:
    """Run a kernel call, re-raising its positional KernelError with unit and column names."""
    try:
        return compute()
    except KernelError as exc:
        who = [units[i] for i in exc.units if i < len(units)]
        what = [columns[j] for j in exc.columns if columns and j < len(columns)]
        detail = ""
        if what:
            detail += f" indicator(s) {', '.join(map(repr, what))}"
        if who:
            detail += f" unit(s) {', '.join(map(repr, who[:5]))}" + (" …" if len(who) > 5 else "")
        raise ComputationError(f"{step}:{detail}: {exc.message}" if detail else f"{step}: {exc.message}") from None


@dataclass(frozen=True)
class Preflight:
    year: int
    units: tuple[str, ...]
    observed_share: float
    warnings: tuple[str, ...]


def preflight(framework: Framework, dataset: Dataset, recipe: Recipe, *, year: int | None = None) -> Preflight:
    """Checks on the data of the year to build, without computing the index: every indicator
    has values, and none that a range-based normaliser will scale is constant."""
    check_inputs(framework, dataset, recipe)
    year = dataset.years[dataset.year_index(year if year is not None else recipe.year)]
    present = dataset.units_present(year)
    units = tuple(u for u, p in zip(dataset.units, present, strict=True) if p)
    matrix = dataset.matrix(framework.indicator_codes, year)[present]
    check_not_all_missing(framework.indicator_codes, matrix, year, dataset.source)
    warnings = []
    for j, ind in enumerate(framework.indicators):
        column = matrix[:, j]
        observed = column[~np.isnan(column)]
        method = ind.params.get("normalise", {}).get("method", recipe.normalise.method)
        if observed.size and np.all(observed == observed[0]):
            message = f"indicator '{ind.code}' is constant in {year} (all values {observed[0]:g})"
            if method in ("minmax", "zscore", "distance_to_max", "percentile_rank") and not ind.denominator:
                raise DataError(message + f": normalise method '{method}' cannot scale it", file=dataset.source,
                                column=ind.code, hint="drop the indicator or use goalposts")
            warnings.append(message)
        if observed.size < 3:
            warnings.append(f"indicator '{ind.code}' has only {observed.size} value(s) in {year}")
    return Preflight(year, units, float(np.mean(~np.isnan(matrix))), tuple(warnings))
