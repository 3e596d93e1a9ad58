"""The steps before weighting: denominate, screen, impute, treat, normalise; each records its choices in the log."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from nevindex.build._checks import with_names
from nevindex.dataset import Dataset
from nevindex.errors import ComputationError, DataError, KernelError, MethodologyError, RecipeError
from nevindex.framework import Framework
from nevindex.methods import denominate as den_kernels
from nevindex.methods import impute as imp_kernels
from nevindex.methods import normalise as norm_kernels
from nevindex.methods import screen as screen_kernels
from nevindex.methods import treat as treat_kernels
from nevindex.recipe import NORMALISE_PARAMS, TREAT_METHODS, NormaliseSpec, Recipe, nearest
from nevindex.result import LogEntry, TreatmentRecord

Array = NDArray[np.float64]


def denominate(framework: Framework, dataset: Dataset, recipe: Recipe, raw_panel: Array,
                unit_rows: NDArray[np.intp], log: list[LogEntry]) -> Array:
    targets = [(j, ind) for j, ind in enumerate(framework.indicators) if ind.denominator]
    if recipe.denominate.method == "none" or not targets:
        log.append(LogEntry("denominate", {"method": "none" if targets else "no denominators"}))
        return raw_panel.copy()
    out = raw_panel.copy()
    cols = [j for j, _ in targets]
    den = dataset.panel([ind.denominator for _, ind in targets])[:, unit_rows, :]  # type: ignore[misc]
    scale = np.array([ind.scale for _, ind in targets])
    units = tuple(dataset.units[i] for i in unit_rows)
    codes = tuple(ind.code for _, ind in targets)
    for t in range(out.shape[0]):
        out[t][:, cols] = with_names(lambda t=t: den_kernels.denominate(raw_panel[t][:, cols], den[t], scale),
                                 units, framework, "denominate", codes)
    log.append(LogEntry("denominate", {ind.code: {"by": ind.denominator, "scale": ind.scale} for _, ind in targets}))
    return out


def screen(recipe: Recipe, matrix: Array, units: tuple[str, ...], log: list[LogEntry]) -> NDArray[np.bool_]:
    spec = recipe.screen
    if spec.method == "none":
        log.append(LogEntry("screen", {"method": "none"}))
        return np.ones(len(units), dtype=bool)
    keep = screen_kernels.screen_units(
        matrix,
        min_observed=spec.min_observed,
        min_nonzero=spec.min_nonzero,
        force_keep=[units.index(u) for u in spec.force_keep if u in units],
        force_drop=[units.index(u) for u in spec.force_drop if u in units],
    )
    dropped = [u for u, k in zip(units, keep, strict=True) if not k]
    log.append(LogEntry("screen", {"method": spec.method, "min_observed": spec.min_observed,
                                   "min_nonzero": spec.min_nonzero, "dropped": dropped, "kept": int(keep.sum())}))
    if not keep.any():
        raise DataError(f"screening dropped every unit (min_observed={spec.min_observed})",
                        hint="lower screen.min_observed")
    return keep


def impute(framework: Framework, recipe: Recipe, dataset: Dataset, panel: Array, t: int, rows: NDArray[np.intp],
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
        groups, names = imp_kernels.group_codes([dataset.attribute(spec.group or "")[i] for i in rows])
        out, empty = imp_kernels.impute_group(current, groups, stat=spec.method.split("_")[0])
        details |= {"group": spec.group, "groups_without_data": [(names[g], int(c)) for g, c in empty]}
    elif spec.method in ("mean_row", "median_row"):
        level = spec.level if spec.level is not None else 2
        groups = indicator_groups(framework, level)
        names = sorted(set(groups))
        direction = np.array([ind.direction for ind in framework.indicators], dtype=float)
        out = imp_kernels.impute_row(current, np.array([names.index(g) for g in groups]),
                                     stat=spec.method.split("_")[0], directions=direction,
                                     normalise_first=spec.normalise_first)
        details |= {"level": level, "normalise_first": spec.normalise_first, "groups": names}
    elif spec.method == "locf":
        out = imp_kernels.impute_locf(panel, max_gap=spec.max_gap)[t]
        details["max_gap"] = spec.max_gap
    else:  # linear
        out = imp_kernels.impute_linear(panel, np.asarray(dataset.years, dtype=float))[t]
    details |= {"filled": int((np.isnan(current) & ~np.isnan(out)).sum()), "gaps_left": int(np.isnan(out).sum())}
    log.append(LogEntry("impute", details))
    return out


def indicator_groups(framework: Framework, level: int) -> list[str]:
    """Each indicator's group at ``level``: its ancestor at that level (in an unbalanced tree, the
    first ancestor at or above it)."""
    if level > framework.max_level:
        raise RecipeError(f"impute.level {level} is above the index (level {framework.max_level})",
                          column="impute.level", hint=f"use a level from 2 to {framework.max_level}")
    groups = []
    for code in framework.indicator_codes:
        node = code
        while framework.levels[node] < level:
            node = framework.nodes[node].parent  # type: ignore[assignment]
        groups.append(node)
    return groups


def treat_settings(framework: Framework, recipe: Recipe) -> dict[str, dict[str, Any]]:
    """The treatment settings of every indicator that is treated, in framework order: the
    recipe's, with the indicator's own ``params.treat`` on top (``method: none`` leaves it out)."""
    spec = recipe.treat
    if spec.method == "none":
        return {}
    defaults = {"skew_max": spec.skew_max, "kurt_max": spec.kurt_max, "winmax": spec.winmax,
                "log_fallback": spec.log_fallback}
    out: dict[str, dict[str, Any]] = {}
    for ind in framework.indicators:
        own = dict(ind.params.get("treat", {}))
        method = own.pop("method", spec.method)
        if method not in TREAT_METHODS:
            raise MethodologyError(f"indicator '{ind.code}': unknown treat method '{method}'",
                                   hint=f"treat methods: {', '.join(TREAT_METHODS)}")
        unknown = [k for k in own if k not in defaults]
        if unknown:
            hint = nearest(unknown[0], defaults)
            raise MethodologyError(f"indicator '{ind.code}': unknown treat parameter '{unknown[0]}'",
                                   hint=f"did you mean '{hint}'?" if hint else f"parameters: {', '.join(defaults)}")
        if ind.code not in spec.skip and method != "none":
            out[ind.code] = defaults | own
    return out


def treat(framework: Framework, recipe: Recipe, matrix: Array, units: tuple[str, ...],
          log: list[LogEntry]) -> tuple[Array, list[TreatmentRecord]]:
    spec = recipe.treat
    out = matrix.copy()
    if spec.method == "none":
        log.append(LogEntry("treat", {"method": "none"}))
        return out, []
    settings = treat_settings(framework, recipe)
    codes = tuple(settings)
    cols = [framework.indicator_codes.index(c) for c in codes]
    per_column = {k: [settings[c][k] for c in codes] for k in ("skew_max", "kurt_max", "winmax", "log_fallback")}
    treated, outcomes = with_names(lambda: treat_kernels.treat_matrix(matrix[:, cols], **per_column), units,
                                   framework, "treat", codes)
    out[:, cols] = treated
    records = [TreatmentRecord.from_outcome(code, o, units) for code, o in zip(codes, outcomes, strict=True)]
    log.append(LogEntry("treat", {"method": spec.method, "skew_max": spec.skew_max, "kurt_max": spec.kurt_max,
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
