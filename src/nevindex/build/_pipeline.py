"""``build(framework, dataset, recipe) -> Result``: the whole pipeline, one plain function."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from nevindex import __version__
from nevindex.build import _steps as steps
from nevindex.build._checks import check_inputs, check_not_all_missing, with_names
from nevindex.build._steps import normalise_matrix
from nevindex.build._tree import aggregate_tree
from nevindex.build._weights import resolve_weights
from nevindex.dataset import Dataset
from nevindex.errors import DataError
from nevindex.framework import Framework
from nevindex.methods.rank import rank_desc
from nevindex.recipe import Recipe
from nevindex.result import LogEntry, Result

Array = NDArray[np.float64]


def build(framework: Framework, dataset: Dataset, recipe: Recipe | None = None, *, year: int | None = None) -> Result:
    """Compute every step of the index for one year of data.

    Parameters
    ----------
    framework
        The methodology: the tree of indicators and aggregates, their directions and weights.
    dataset
        The data: units × indicators (× years), with unit groups and provenance.
    recipe
        Every method choice (default: the framework's own recipe).
    year
        The year of data to build (default: the latest year of ``dataset``). A year inside an old
        recipe is still honoured when this is not given.

    Returns
    -------
    Result
        Every intermediate data set, the scores and ranks of every aggregate, the weights used,
        the log of each choice and the hashes of the inputs; immutable.

    Raises
    ------
    DataError, RecipeError, MethodologyError, ComputationError
        Inputs that cannot build, named by file, setting, unit or indicator.
    """
    recipe = recipe if recipe is not None else framework.recipe
    log: list[LogEntry] = []
    check_inputs(framework, dataset, recipe)
    year = dataset.years[dataset.year_index(year if year is not None else recipe.year)]
    codes = framework.indicator_codes
    present = dataset.units_present(year)
    all_units = tuple(u for u, p in zip(dataset.units, present, strict=True) if p)
    if not all_units:
        raise DataError(f"no unit has data for year {year}", file=dataset.source)
    unit_rows = np.flatnonzero(present)
    log.append(LogEntry("select", {"year": year, "units": len(all_units), "indicators": len(codes)}))

    raw_panel = dataset.panel(codes)[:, unit_rows, :]
    t = dataset.years.index(year)
    denominated_panel = steps.denominate(framework, dataset, recipe, raw_panel, unit_rows, log)
    raw, denominated = raw_panel[t], denominated_panel[t]
    check_not_all_missing(codes, denominated, year, dataset.source)

    keep = steps.screen(recipe, denominated, all_units, log)
    units = tuple(u for u, k in zip(all_units, keep, strict=True) if k)
    screened_panel = denominated_panel[:, keep, :]
    screened = screened_panel[t]
    check_not_all_missing(codes, screened, year, dataset.source, after="screening")

    imputed = steps.impute(framework, recipe, dataset, screened_panel, t, unit_rows[keep], log)
    imputed_mask = np.isnan(screened) & ~np.isnan(imputed)
    treated, treatment = steps.treat(framework, recipe, imputed, units, log)
    normalised = normalise_matrix(framework, recipe.normalise, treated, year=year)
    log.append(LogEntry("normalise", {"method": recipe.normalise.method, "params": dict(recipe.normalise.params),
                                      "overrides": {i.code: i.params["normalise"] for i in framework.indicators
                                                    if "normalise" in i.params}}))

    weights = resolve_weights(framework, recipe, normalised, units, log, observed=~np.isnan(screened))
    choices = {code: recipe.aggregate.choice_for(code, framework.levels[code]) for code in framework.aggregate_codes}
    node_scores = with_names(lambda: aggregate_tree(framework, normalised, weights, choices,
                                                    observed=~np.isnan(screened)),
                             units, framework, "aggregate")
    log.append(LogEntry("aggregate", {code: c.model_dump(exclude_none=True) for code, c in choices.items()}))
    order = framework.display_order
    scores = np.stack([node_scores[c] for c in order], axis=1) if order else np.empty((len(units), 0))
    ranks = rank_desc(scores.T).T
    log.append(LogEntry("rank", {"ties": "minimum", "on": "full precision"}))

    return Result(
        framework=framework,
        dataset=dataset,
        recipe=recipe,
        year=year,
        all_units=all_units,
        units=units,
        raw=raw,
        denominated=denominated,
        screened=screened,
        imputed=imputed,
        imputed_mask=imputed_mask,
        treated=treated,
        normalised=normalised,
        scores=scores,
        ranks=ranks,
        weights=weights,
        treatment=tuple(treatment),
        log=tuple(log),
        hashes={
            "framework": framework.sha256(),
            "data": dataset.sha256(),
            "recipe": recipe.sha256(),
            "package": __version__,
        },
    )
