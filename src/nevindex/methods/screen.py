"""Screen: decide which units have enough data to be ranked at all."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nevindex.errors import KernelError
from nevindex.methods._common import as_float

__all__ = ["screen_units"]


def _as_mask(sel: ArrayLike | Sequence[int] | None, n: int, name: str) -> NDArray[np.bool_]:
    """Accept either a boolean mask or a list of unit indices, the two ways callers hold a selection."""
    if sel is None:
        return np.zeros(n, dtype=bool)
    arr = np.asarray(sel)
    if arr.dtype == bool:
        if arr.shape != (n,):
            raise KernelError(f"{name} mask has shape {arr.shape}, expected ({n},)")
        return arr.copy()
    idx = arr.astype(np.int64).ravel()
    out_of_range = idx[(idx < -n) | (idx >= n)]
    if out_of_range.size:
        raise KernelError(f"{name} names unit indices outside 0..{n - 1}", units=out_of_range.tolist())
    mask = np.zeros(n, dtype=bool)
    mask[idx] = True
    return mask


def screen_units(
    x: ArrayLike,
    *,
    min_observed: float = 0.0,
    min_nonzero: float | None = None,
    force_keep: ArrayLike | Sequence[int] | None = None,
    force_drop: ArrayLike | Sequence[int] | None = None,
) -> NDArray[np.bool_]:
    """Keep-mask per unit (rows of a units × cols matrix).

    A unit is kept if its share of present (observed) values is >= ``min_observed`` and, when given, its share of
    non-zero present values among *all* columns is >= ``min_nonzero``. ``force_keep`` then wins over
    the thresholds and ``force_drop`` wins over everything; a unit in both is an error, since the
    intent is contradictory.
    """
    xv = as_float(x)
    if xv.ndim != 2:
        raise KernelError(f"screen_units expects units × columns, got shape {xv.shape}")
    n_units, n_cols = xv.shape
    present = ~np.isnan(xv)
    coverage = present.sum(axis=1) / n_cols if n_cols else np.zeros(n_units)
    keep = coverage >= min_observed
    if min_nonzero is not None:
        nonzero = (present & (xv != 0)).sum(axis=1) / n_cols if n_cols else np.zeros(n_units)
        keep &= nonzero >= min_nonzero
    fk = _as_mask(force_keep, n_units, "force_keep")
    fd = _as_mask(force_drop, n_units, "force_drop")
    both = np.flatnonzero(fk & fd)
    if both.size:
        raise KernelError("units are both force-kept and force-dropped", units=both.tolist())
    return (keep | fk) & ~fd
