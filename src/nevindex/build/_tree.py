"""Aggregate the tree bottom-up, batch-first."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from nevindex.errors import KernelError
from nevindex.framework import Framework
from nevindex.methods import aggregate as agg_kernels
from nevindex.recipe import MethodChoice

Array = NDArray[np.float64]


def observed_shares(framework: Framework, observed: NDArray[np.bool_]) -> dict[str, Array]:
    """Share of each aggregate's indicators that are observed, per unit (``observed`` is units ×
    indicators, True where a value was observed before imputation)."""
    position = {c: j for j, c in enumerate(framework.indicator_codes)}
    return {node: observed[..., [position[c] for c in framework.indicators_under(node)]].mean(axis=-1)
            for node in framework.aggregate_codes}


def aggregate_tree(framework: Framework, normalised: Array, weights: Mapping[str, Any],
                   choices: Mapping[str, MethodChoice], min_present: float | None = None,
                   observed: NDArray[np.bool_] | None = None, *, negative_weights: bool = True) -> dict[str, Array]:
    """Scores of every aggregate, bottom-up. Batch-first: ``normalised`` is (units, indicators) or
    (S, units, indicators) and each weight a scalar or an (S,) array, so many variants aggregate in
    one pass.

    Work shared by the batch is done once. A node whose children have the same values and the
    same weights in every sample is computed once with the kernel ``build()`` uses, so it is equal
    to a single build to the last bit; shared children under weights that vary per sample take one
    matrix product (:func:`nevindex.methods.aggregate.aggregate_shared`, equal to rounding); children
    that differ per sample go through the broadcast kernel, as ``build()`` would run each sample.
    Every returned array has the full batch shape (broadcast views where the value is shared).

    ``observed`` (units × indicators, before imputation; default: the values present in
    ``normalised``) serves the nodes whose choice sets ``min_observed``. ``min_present`` is the
    share of present children for choices that carry none of their own (``choice_for`` already
    folds the recipe-wide one in). Weights may be negative (data-driven weights whose sign policy
    is ``as_is``; every other source is non-negative by construction) unless ``negative_weights``
    is False.
    """
    lead, n_units = normalised.shape[:-2], normalised.shape[-2]
    values: dict[str, Array] = {c: normalised[..., j] for j, c in enumerate(framework.indicator_codes)}
    shares: dict[str, Array] | None = None
    for node in framework.aggregation_order:
        kids = framework.children[node]
        w = _child_weights(weights, kids)  # (children,) or (S, children)
        choice = choices[node]
        method, own = choice.method, choice.min_present if choice.min_present is not None else min_present
        opts = {"min_present": own, "negative_weights": negative_weights, "missing": choice.missing_children,
                **choice.params}
        shared_data = not lead and all(values[k].ndim == 1 for k in kids)
        try:
            if shared_data and (w.ndim == 1 or bool(np.all(w == w[:1]))):
                x = np.stack([values[k] for k in kids], axis=-1)
                values[node] = agg_kernels.aggregate(x, w if w.ndim == 1 else w[0], method, **opts)
            elif shared_data:
                x = np.stack([values[k] for k in kids], axis=-1)
                values[node] = agg_kernels.aggregate_shared(x, w, method, **opts)
            else:
                batch = np.broadcast_shapes(lead, w.shape[:-1], *(values[k].shape[:-1] for k in kids))
                x = np.stack([np.broadcast_to(values[k], (*batch, n_units)) for k in kids], axis=-1)
                values[node] = agg_kernels.aggregate(x, np.broadcast_to(w, (*batch, len(kids))), method, **opts)
        except KernelError as exc:
            exc.message = f"node '{node}' ({choice.method}): {exc.message}" + (
                "; normalise onto a positive range such as [1, 100] (minmax lower: 1)"
                if choice.method in ("geometric", "harmonic") and "weights" not in exc.message
                and "normalise onto" not in exc.message else "")  # the kernel's own advice is said once
            exc.columns = []
            raise
        if choice.min_observed is not None:
            if shares is None:
                shares = observed_shares(framework, ~np.isnan(normalised) if observed is None else observed)
            values[node] = np.where(shares[node] < choice.min_observed, np.nan, values[node])
    full = np.broadcast_shapes(lead, *(np.shape(w) for w in weights.values()),
                               *(values[c].shape[:-1] for c in framework.aggregation_order))
    return {c: values[c] if values[c].shape[:-1] == full else np.broadcast_to(values[c], (*full, n_units))
            for c in framework.aggregation_order}


def _child_weights(weights: Mapping[str, Any], kids: tuple[str, ...]) -> Array:
    """The children's weights as (children,) when all are scalars, else (S, children)."""
    ws = [np.asarray(weights[k], dtype=np.float64) for k in kids]
    if all(w.ndim == 0 for w in ws):
        return np.stack(ws)
    batch = np.broadcast_shapes(*(w.shape for w in ws))
    return np.stack([np.broadcast_to(w, batch) for w in ws], axis=-1)
