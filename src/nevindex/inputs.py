"""Load a framework, its data and a recipe from files in one call (what the CLI and API do)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nevindex.dataset import Dataset, load_dataset
from nevindex.framework import Framework, load_framework
from nevindex.recipe import Recipe, load_recipe

__all__ = ["Inputs", "numeric_columns", "load_inputs"]


@dataclass(frozen=True)
class Inputs:
    """What a build needs: the methodology, the data, the method choices and the year of data
    (None: the latest; pass it on as ``build(..., year=inputs.year)``)."""

    framework: Framework
    dataset: Dataset
    recipe: Recipe
    year: int | None = None


def numeric_columns(framework: Framework) -> set[str]:
    """Columns that must hold numbers: indicators, their denominators and declared denominators."""
    return (set(framework.indicator_codes) | {i.denominator for i in framework.indicators if i.denominator}
            | {d.code for d in framework.denominators})


def load_inputs(framework: str | Path | Framework, data: str | Path | Dataset, recipe: str | Path | Recipe | None = None,
                *, units_file: str | Path | None = None, year: int | None = None) -> Inputs:
    """Read (or take) a framework, its data and a recipe, checked as a build will use them.

    Parameters
    ----------
    framework
        A methodology file (YAML, or a COINr iMeta table) or a :class:`Framework`.
    data
        A data file (CSV, XLSX, Parquet; wide or tidy) or a :class:`Dataset`. The framework's
        declared derivations are applied to it.
    recipe
        A recipe file or :class:`Recipe`; default: the framework's own recipe.
    units_file
        For tidy data: the table of units (code, name, group columns).
    year
        The year of data to build (default: the latest); kept in ``Inputs.year``.

    Returns
    -------
    Inputs
        ``framework``, ``dataset``, ``recipe`` and ``year``.
    """
    fw = framework if isinstance(framework, Framework) else load_framework(framework)
    if isinstance(data, Dataset):
        ds = data
    else:
        ds = load_dataset(data, numeric=numeric_columns(fw) if not fw.derived else None, units_file=units_file)
    if fw.derived:
        from nevindex.derive import apply_derivations

        ds = apply_derivations(fw, ds)
    if recipe is None:
        rc = fw.recipe
    elif isinstance(recipe, Recipe):
        rc = recipe
    else:
        rc = load_recipe(recipe)
    return Inputs(fw, ds, rc, year if year is not None else rc.year)
