"""``build(framework, dataset, recipe) -> Result``: the whole pipeline, one plain function.

Steps run in the order of METHODS.md (denominate → screen → impute → treat → normalise →
weights → aggregate → rank). The arithmetic lives in :mod:`nevindex.methods`; this module
chooses what to call on which columns, turns kernel errors (positions) into errors that name
units and indicators, and records every choice in the log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nevindex import __version__
from nevindex.dataset import Dataset
from nevindex.errors import ComputationError, DataError, KernelError, MethodologyError, RecipeError
from nevindex.framework import Framework
from nevindex.methods import aggregate as agg_kernels
from nevindex.methods import denominate as den_kernels
from nevindex.methods import impute as imp_kernels
from nevindex.methods import normalise as norm_kernels
from nevindex.methods import screen as screen_kernels
from nevindex.methods import treat as treat_kernels
from nevindex.methods import weights as weight_kernels
from nevindex.methods.rank import rank_desc
from nevindex.recipe import NORMALISE_PARAMS, MethodChoice, NormaliseSpec, Recipe, nearest
from nevindex.result import LogEntry, Result, TreatmentRecord

Array = NDArray[np.float64]


def build(framework: Framework, dataset: Dataset, recipe: Recipe | None = None) -> Result:
    """Compute every step for one year of data (the recipe's year, else the latest)."""
    recipe = recipe if recipe is not None else framework.recipe
    log: list[LogEntry] = []
    check_inputs(framework, dataset, recipe)
    year = dataset.years[dataset.year_index(recipe.year)]
    codes = framework.indicator_codes
    present = dataset.units_present(year)
    all_units = tuple(u for u, p in zip(dataset.units, present, strict=True) if p)
    if not all_units:
        raise DataError(f"no unit has data for year {year}", file=dataset.source)
    unit_rows = np.flatnonzero(present)
    log.append(LogEntry("select", {"year": year, "units": len(all_units), "indicators": len(codes)}))

    raw_panel = dataset.panel(codes)[:, unit_rows, :]
    t = dataset.years.index(year)
    denominated_panel = _denominate(framework, dataset, recipe, raw_panel, unit_rows, log)
    raw, denominated = raw_panel[t], denominated_panel[t]
    _check_not_all_missing(codes, denominated, year, dataset.source)

    keep = _screen(recipe, denominated, all_units, log)
    units = tuple(u for u, k in zip(all_units, keep, strict=True) if k)
    screened_panel = denominated_panel[:, keep, :]
    screened = screened_panel[t]
    _check_not_all_missing(codes, screened, year, dataset.source, after="screening")

    imputed = _impute(recipe, dataset, screened_panel, t, unit_rows[keep], log)
    imputed_mask = np.isnan(screened) & ~np.isnan(imputed)
    treated, treatment = _treat(framework, recipe, imputed, units, log)
    normalised = normalise_matrix(framework, recipe.normalise, treated, year=year)
    log.append(LogEntry("normalise", {"method": recipe.normalise.method, "params": dict(recipe.normalise.params),
                                      "overrides": {i.code: i.params["normalise"] for i in framework.indicators
                                                    if "normalise" in i.params}}))

    weights = resolve_weights(framework, recipe, normalised, units, log)
    choices = {code: recipe.aggregate.choice_for(code, framework.levels[code]) for code in framework.aggregate_codes}
    node_scores = _named(lambda: aggregate_tree(framework, normalised, weights, choices, recipe.aggregate.threshold,
                                                observed=~np.isnan(screened)),
                         units, framework, "aggregate")
    log.append(LogEntry("aggregate", {code: c.model_dump(exclude_none=True) for code, c in choices.items()}
                        | {"threshold": recipe.aggregate.threshold}))
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


# --- input checks --------------------------------------------------------------------------


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
    if recipe.denominate.enabled:
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


def _check_not_all_missing(codes: tuple[str, ...], matrix: Array, year: int, source: str | None,
                           after: str | None = None) -> None:
    empty = np.all(np.isnan(matrix), axis=0)
    if empty.any():
        code = codes[int(np.flatnonzero(empty)[0])]
        raise DataError(f"indicator '{code}' has no values in year {year}" + (f" after {after}" if after else ""),
                        file=source, column=code,
                        hint="remove it from the framework for this edition, or supply data")


def _named(compute: Any, units: tuple[str, ...], framework: Framework, step: str,
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


# --- steps -----------------------------------------------------------------------------------


def _denominate(framework: Framework, dataset: Dataset, recipe: Recipe, raw_panel: Array,
                unit_rows: NDArray[np.intp], log: list[LogEntry]) -> Array:
    targets = [(j, ind) for j, ind in enumerate(framework.indicators) if ind.denominator]
    if not recipe.denominate.enabled or not targets:
        log.append(LogEntry("denominate", {"enabled": False if targets else "no denominators"}))
        return raw_panel.copy()
    out = raw_panel.copy()
    cols = [j for j, _ in targets]
    den = dataset.panel([ind.denominator for _, ind in targets])[:, unit_rows, :]  # type: ignore[misc]
    scale = np.array([ind.scale for _, ind in targets])
    units = tuple(dataset.units[i] for i in unit_rows)
    codes = tuple(ind.code for _, ind in targets)
    for t in range(out.shape[0]):
        out[t][:, cols] = _named(lambda t=t: den_kernels.denominate(raw_panel[t][:, cols], den[t], scale),
                                 units, framework, "denominate", codes)
    log.append(LogEntry("denominate", {ind.code: {"by": ind.denominator, "scale": ind.scale} for _, ind in targets}))
    return out


def _screen(recipe: Recipe, matrix: Array, units: tuple[str, ...], log: list[LogEntry]) -> NDArray[np.bool_]:
    spec = recipe.screen
    if not spec.enabled:
        return np.ones(len(units), dtype=bool)
    keep = screen_kernels.screen_units(
        matrix,
        min_coverage=spec.min_coverage,
        min_nonzero=spec.min_nonzero,
        force_keep=[units.index(u) for u in spec.force_keep if u in units],
        force_drop=[units.index(u) for u in spec.force_drop if u in units],
    )
    dropped = [u for u, k in zip(units, keep, strict=True) if not k]
    log.append(LogEntry("screen", {"min_coverage": spec.min_coverage, "min_nonzero": spec.min_nonzero,
                                   "dropped": dropped, "kept": int(keep.sum())}))
    if not keep.any():
        raise DataError(f"screening dropped every unit (min_coverage={spec.min_coverage})",
                        hint="lower screen.min_coverage")
    return keep


def _impute(recipe: Recipe, dataset: Dataset, panel: Array, t: int, rows: NDArray[np.intp],
            log: list[LogEntry]) -> Array:
    spec = recipe.impute
    current = panel[t]
    if spec.method == "none":
        log.append(LogEntry("impute", {"method": "none", "gaps_left": int(np.isnan(current).sum())}))
        return current.copy()
    details: dict[str, Any] = {"method": spec.method}
    if spec.method == "mean":
        out = imp_kernels.impute_mean(current)
    elif spec.method == "median":
        out = imp_kernels.impute_median(current)
    elif spec.method in ("mean_group", "median_group"):
        labels = [dataset.attribute(spec.group or "")[i] for i in rows]
        names = sorted({g for g in labels if g is not None})
        groups = np.array([names.index(g) if g is not None else -1 for g in labels])
        out, empty = imp_kernels.impute_group(current, groups, stat=spec.method.split("_")[0])
        details |= {"group": spec.group, "groups_without_data": [(names[g], int(c)) for g, c in empty]}
    elif spec.method == "locf":
        out = imp_kernels.impute_locf(panel, max_gap=spec.max_gap)[t]
        details["max_gap"] = spec.max_gap
    else:  # linear
        out = imp_kernels.impute_linear(panel, np.asarray(dataset.years, dtype=float))[t]
    details |= {"filled": int((np.isnan(current) & ~np.isnan(out)).sum()), "gaps_left": int(np.isnan(out).sum())}
    log.append(LogEntry("impute", details))
    return out


def _treat(framework: Framework, recipe: Recipe, matrix: Array, units: tuple[str, ...],
           log: list[LogEntry]) -> tuple[Array, list[TreatmentRecord]]:
    spec = recipe.treat
    out = matrix.copy()
    if not spec.enabled:
        log.append(LogEntry("treat", {"enabled": False}))
        return out, []
    defaults = {"skew_max": spec.skew_max, "kurt_max": spec.kurt_max, "winmax": spec.winmax,
                "log_fallback": spec.log_fallback}
    cols: list[int] = []
    settings: list[dict[str, Any]] = []
    for j, ind in enumerate(framework.indicators):
        own = dict(ind.params.get("treat", {}))
        if ind.code in spec.skip or own.pop("enabled", True) is False:
            continue
        unknown = [k for k in own if k not in defaults]
        if unknown:
            raise MethodologyError(f"indicator '{ind.code}': unknown treat parameter '{unknown[0]}'",
                                   hint=f"did you mean '{nearest(unknown[0], defaults)}'?")
        cols.append(j)
        settings.append(defaults | own)
    codes = tuple(framework.indicator_codes[j] for j in cols)
    per_column = {k: [s[k] for s in settings] for k in defaults}
    treated, outcomes = _named(lambda: treat_kernels.treat_matrix(matrix[:, cols], **per_column), units, framework,
                               "treat", codes)
    out[:, cols] = treated
    records = [TreatmentRecord.from_outcome(code, o, units) for code, o in zip(codes, outcomes, strict=True)]
    log.append(LogEntry("treat", {"enabled": True, "skew_max": spec.skew_max, "kurt_max": spec.kurt_max,
                                  "winmax": spec.winmax, "log_fallback": spec.log_fallback,
                                  "treated": [r.indicator for r in records if r.status != "passed"]}))
    return out, records


def normalise_matrix(framework: Framework, spec: NormaliseSpec, matrix: Array, *, year: int | None = None,
                     units: tuple[str, ...] = ()) -> Array:
    """Normalise each indicator column with its own or the global method (batch axes allowed)."""
    groups: dict[str, tuple[str, dict[str, Any], list[int]]] = {}
    for j, ind in enumerate(framework.indicators):
        own = dict(ind.params.get("normalise", {}))
        method = own.pop("method", spec.method)
        params = own if "method" in ind.params.get("normalise", {}) else {**spec.params, **own}
        if method not in NORMALISE_PARAMS:
            raise MethodologyError(f"indicator '{ind.code}': unknown normalise method '{method}'",
                                   hint=f"did you mean '{nearest(method, NORMALISE_PARAMS)}'?")
        if method == "distance_to_target" and "target" not in params:
            if ind.target is None:
                raise MethodologyError(f"indicator '{ind.code}' has no target for distance_to_target",
                                       hint="set 'target' on the indicator or in normalise.params")
            params["target"] = ind.target
        bad = [k for k in params if k not in NORMALISE_PARAMS[method]]
        if bad:
            hint = nearest(bad[0], NORMALISE_PARAMS[method])
            raise RecipeError(f"unknown parameter '{bad[0]}' for normalise method '{method}' (indicator '{ind.code}')"
                              + (f"; did you mean '{hint}'?" if hint else ""), column="normalise.params")
        key = repr((method, sorted(params.items())))
        groups.setdefault(key, (method, params, []))[2].append(j)
    out = np.empty_like(matrix)
    direction = np.array([ind.direction for ind in framework.indicators], dtype=float)
    codes = framework.indicator_codes
    for method, params, cols in groups.values():
        try:
            out[..., cols] = norm_kernels.normalise(matrix[..., cols], direction[cols], method, params)
        except KernelError as exc:
            names = [codes[cols[c]] for c in exc.columns if c < len(cols)]
            which = f"indicator(s) {', '.join(map(repr, names))}" if names else "normalise"
            when = f" in year {year}" if year is not None else ""
            raise ComputationError(f"{which}{when}: {exc.message} (normalise method '{method}')") from None
    return out


def resolve_weights(framework: Framework, recipe: Recipe, normalised: Array, units: tuple[str, ...],
                    log: list[LogEntry] | None = None) -> dict[str, float]:
    """Weight of every node within its parent, by the recipe's weighting method."""
    spec = recipe.weights
    weights = framework.weights_for(spec.set)
    details: dict[str, Any] = {"method": spec.method, "set": spec.set}
    if spec.method == "equal":
        weights = dict.fromkeys(weights, 1.0)
    elif spec.method == "ahp":
        details["ahp"] = {}
        for node, ahp in spec.ahp.items():
            if node not in framework.children:
                raise RecipeError(f"weights.ahp names '{node}', which is not an aggregate", column="weights.ahp")
            kids = framework.children[node]
            if sorted(ahp.order) != sorted(kids):
                raise RecipeError(f"weights.ahp.{node}.order must list exactly the children of '{node}': "
                                  f"{', '.join(kids)}", column=f"weights.ahp.{node}.order")
            try:
                res = weight_kernels.ahp_weights(np.asarray(ahp.matrices, dtype=float))
            except KernelError as exc:
                raise RecipeError(f"AHP matrix of '{node}': {exc.message}", column=f"weights.ahp.{node}") from None
            if not res.consistent:
                message = (f"AHP matrix of '{node}' is inconsistent: CR = {res.cr:.3f} > 0.10; "
                           "revise the comparisons")
                if spec.on_inconsistent == "error":
                    raise RecipeError(message, column=f"weights.ahp.{node}")
                details.setdefault("warnings", []).append(message)
            weights.update(dict(zip(ahp.order, map(float, res.weights), strict=True)))
            details["ahp"][node] = {"cr": float(res.cr), "lambda_max": float(res.lambda_max)}
    elif spec.method in ("entropy", "critic", "pca"):
        # Data-driven weights are computed per parent on its children's values, bottom-up.
        values = {c: normalised[:, j] for j, c in enumerate(framework.indicator_codes)}
        choices = {code: recipe.aggregate.choice_for(code, framework.levels[code]) for code in framework.aggregate_codes}
        kernel = {"entropy": weight_kernels.entropy_weights, "critic": weight_kernels.critic_weights,
                  "pca": lambda x: weight_kernels.pca_weights(x)[0]}[spec.method]
        for node in framework.aggregation_order:
            kids = framework.children[node]
            x = np.stack([values[k] for k in kids], axis=1)
            w = _named(lambda x=x: kernel(x), units, framework, f"weights ({spec.method}) of '{node}'", kids)
            weights.update(dict(zip(kids, map(float, w), strict=True)))
            values[node] = _named(
                lambda x=x, w=w, node=node: agg_kernels.aggregate(
                    x, np.asarray(w), choices[node].method, threshold=choices[node].threshold,
                    **choices[node].params),
                units, framework, f"aggregate '{node}'", kids)
    if log is not None:
        log.append(LogEntry("weights", details))
    return weights


def observed_shares(framework: Framework, observed: NDArray[np.bool_]) -> dict[str, Array]:
    """Share of each aggregate's indicators that are observed, per unit (``observed`` is units ×
    indicators, True where a value was observed before imputation)."""
    position = {c: j for j, c in enumerate(framework.indicator_codes)}
    return {node: observed[..., [position[c] for c in framework.indicators_under(node)]].mean(axis=-1)
            for node in framework.aggregate_codes}


def aggregate_tree(framework: Framework, normalised: Array, weights: Mapping[str, Any],
                   choices: Mapping[str, MethodChoice], threshold: float | None = None,
                   observed: NDArray[np.bool_] | None = None) -> dict[str, Array]:
    """Scores of every aggregate, bottom-up. Batch-first: ``normalised`` may be (S, units, indicators)
    and each weight a scalar or an (S,) array, so many weight draws aggregate in one pass.

    ``observed`` (units × indicators, before imputation; default: the values present in
    ``normalised``) serves the nodes whose choice sets ``min_observed``. ``threshold`` is the
    recipe-wide data threshold for choices that carry none of their own.
    """
    values: dict[str, Array] = {c: normalised[..., j] for j, c in enumerate(framework.indicator_codes)}
    shares: dict[str, Array] | None = None
    for node in framework.aggregation_order:
        kids = framework.children[node]
        x = np.stack([values[k] for k in kids], axis=-1)
        w = np.stack([np.broadcast_to(np.asarray(weights[k], dtype=float), x.shape[:-2]) for k in kids], axis=-1)
        choice = choices[node]
        own = choice.threshold if choice.threshold is not None else threshold
        try:
            values[node] = agg_kernels.aggregate(x, w, choice.method, threshold=own, **choice.params)
        except KernelError as exc:
            exc.message = f"node '{node}' ({choice.method}): {exc.message}" + (
                "; normalise onto a positive range such as [1, 100] (minmax lower: 1)"
                if choice.method in ("geometric", "harmonic") else "")
            exc.columns = []
            raise
        if choice.min_observed is not None:
            if shares is None:
                shares = observed_shares(framework, ~np.isnan(normalised) if observed is None else observed)
            values[node] = np.where(shares[node] < choice.min_observed, np.nan, values[node])
    return {c: values[c] for c in framework.aggregation_order}


@dataclass(frozen=True)
class Preflight:
    year: int
    units: tuple[str, ...]
    observed_share: float
    warnings: tuple[str, ...]


def preflight(framework: Framework, dataset: Dataset, recipe: Recipe) -> Preflight:
    """Checks on the data of the year to build, without computing the index: every indicator
    has values, and none that a range-based normaliser will scale is constant."""
    check_inputs(framework, dataset, recipe)
    year = dataset.years[dataset.year_index(recipe.year)]
    present = dataset.units_present(year)
    units = tuple(u for u, p in zip(dataset.units, present, strict=True) if p)
    matrix = dataset.matrix(framework.indicator_codes, year)[present]
    _check_not_all_missing(framework.indicator_codes, matrix, year, dataset.source)
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
