"""The weight of every node within its parent, by the recipe's weighting method."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from nevindex.build._checks import with_names
from nevindex.build._tree import observed_shares
from nevindex.errors import KernelError, RecipeError
from nevindex.framework import Framework
from nevindex.methods import aggregate as agg_kernels
from nevindex.methods import weights as weight_kernels
from nevindex.recipe import Recipe, WeightsSpec
from nevindex.result import LogEntry
from nevindex.validation import nearest

Array = NDArray[np.float64]


def resolve_weights(framework: Framework, recipe: Recipe, normalised: Array, units: tuple[str, ...],
                    log: list[LogEntry] | None = None, *, observed: NDArray[np.bool_] | None = None) -> dict[str, float]:
    """Weight of every node within its parent, by the recipe's weighting method.

    Data-driven methods work bottom-up on the values the build aggregates: a chosen parent's
    children are weighted from their normalised values (indicators) or scores (aggregates), and
    each score is computed with the weights already found below it, exactly as the build will
    (``observed`` serves ``min_observed``). Parents not chosen by ``weights.levels``/``nodes`` keep
    the framework's weights.
    """
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
    elif spec.method in weight_kernels.DATA_DRIVEN:
        _data_driven(framework, recipe, normalised, units, observed, weights, details)
    if log is not None:
        log.append(LogEntry("weights", details))
    return weights


def data_driven_parents(framework: Framework, spec: WeightsSpec) -> tuple[str, ...]:
    """The aggregates whose children get data-driven weights: every one by default; with
    ``levels: [L]`` those at level L + 1 (their children are the level-L nodes of a balanced
    tree); with ``nodes``, the parents of the nodes listed, which must be whole groups of siblings."""
    if spec.levels is None and spec.nodes is None:
        return framework.aggregation_order
    chosen: set[str] = set()
    for level in spec.levels or ():
        if not 1 <= level < framework.max_level:
            raise RecipeError(f"weights.levels: no weighted nodes at level {level}", column="weights.levels",
                              hint=f"levels with weights: 1 to {framework.max_level - 1}")
        chosen |= {a for a in framework.aggregate_codes if framework.levels[a] == level + 1}
    named = set(spec.nodes or ())
    for code in spec.nodes or ():
        node = framework.nodes.get(code)
        if node is None or node.parent is None:
            hint = nearest(code, [c for c in framework.nodes if c != framework.root])
            raise RecipeError(f"weights.nodes: '{code}' is not a weighted node of the framework",
                              column="weights.nodes", hint=f"did you mean '{hint}'?" if hint else None)
        missing = [k for k in framework.children[node.parent] if k not in named]
        if missing:
            raise RecipeError(f"weights.nodes lists '{code}' but not its siblings {', '.join(map(repr, missing))}: "
                              "data-driven weights are found for a whole group of siblings at once",
                              column="weights.nodes")
        chosen.add(node.parent)
    return tuple(a for a in framework.aggregation_order if a in chosen)


def _signed(w: Array, spec: WeightsSpec, node: str, kids: tuple[str, ...], details: dict[str, Any]) -> Array:
    """Apply the sign policy to one parent's data-driven weights.

    The sign of a whole PCA vector is arbitrary and cancels in every mean (they use w/Σw), so the
    vector is first oriented to a positive sum; what the policy judges is then each weight's sign.
    """
    total = float(np.sum(w))
    # A sum that cancels to rounding noise (two children loading ±1/√2) would divide every score by
    # ~1e-17: refuse it as zero, whichever side of 0 the last bit of the arithmetic falls on.
    if abs(total) <= 1e-9 * float(np.sum(np.abs(w))):
        raise RecipeError(f"weights ({spec.method}) of the children of '{node}' sum to zero, so they cannot be "
                          "used", column="weights.method", hint="use sign: abs, or another method")
    if total < 0:
        w = -w
    negative = [k for k, e in zip(kids, w, strict=True) if e < 0]
    if not negative:
        return w
    if spec.sign == "abs":
        return np.abs(w)
    message = (f"weights ({spec.method}) of the children of '{node}': negative effective weight for "
               f"{', '.join(negative)}")
    if spec.sign == "error":
        raise RecipeError(message, column="weights.sign", hint="sign: abs uses their absolute values; "
                          "sign: as_is uses them as they are (as COINr does)")
    details.setdefault("warnings", []).append(message + " (used as it is, as COINr does; sign: abs or error to change)")
    return w


def _data_driven(framework: Framework, recipe: Recipe, normalised: Array, units: tuple[str, ...],
                 observed: NDArray[np.bool_] | None, weights: dict[str, float], details: dict[str, Any]) -> None:
    spec = recipe.weights
    parents = data_driven_parents(framework, spec)
    details |= {"parents": list(parents), "sign": spec.sign}
    kernel = weight_kernels.DATA_DRIVEN[spec.method]
    values = {c: normalised[:, j] for j, c in enumerate(framework.indicator_codes)}
    shares = observed_shares(framework, observed if observed is not None else ~np.isnan(normalised))
    top = max((framework.levels[p] for p in parents), default=0)
    for node in framework.aggregation_order:
        if framework.levels[node] > top:
            break  # nothing above the highest chosen parent is needed
        kids = framework.children[node]
        x = np.stack([values[k] for k in kids], axis=1)
        if node in parents:
            w = with_names(lambda x=x: kernel(x), units, framework, f"weights ({spec.method}) of '{node}'", kids)
            weights.update(dict(zip(kids, map(float, _signed(np.asarray(w), spec, node, kids, details)), strict=True)))
        if framework.levels[node] == top:
            continue  # no chosen parent above needs this score
        choice = recipe.aggregate.choice_for(node, framework.levels[node])
        score = with_names(lambda x=x, kids=kids, c=choice: agg_kernels.aggregate(
            x, np.array([weights[k] for k in kids]), c.method, min_present=c.min_present, negative_weights=True,
            missing=c.missing_children, **c.params), units, framework, f"aggregate '{node}'", kids)
        values[node] = score if choice.min_observed is None else np.where(shares[node] < choice.min_observed,
                                                                          np.nan, score)
