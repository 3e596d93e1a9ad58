"""Small shared helpers for the kernels: input coercion and NaN-aware column statistics."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nevindex.errors import KernelError

FloatArray = NDArray[np.float64]


def as_float(x: ArrayLike, *, min_ndim: int = 2, name: str = "x") -> FloatArray:
    """Copy to a float64 array so no kernel can ever write into the caller's data."""
    arr = np.array(x, dtype=np.float64, copy=True)
    if arr.ndim < min_ndim:
        raise KernelError(f"{name} must have at least {min_ndim} dimensions, got shape {arr.shape}")
    return arr


def column_param(value: ArrayLike, n_cols: int, name: str) -> FloatArray:
    """Broadcast a scalar-or-per-column parameter to shape (n_cols,) so formulas stay vectorised."""
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        return np.full(n_cols, float(arr))
    if arr.shape[-1] != n_cols:
        raise KernelError(f"{name} has {arr.shape[-1]} entries but there are {n_cols} columns")
    return arr


def check_direction(direction: ArrayLike, n_cols: int) -> FloatArray:
    """Directions are ±1 per column; anything else is a silent sign error waiting to happen."""
    d = column_param(direction, n_cols, "direction")
    bad = np.flatnonzero(~np.isin(d, (-1.0, 1.0)))
    if bad.size:
        raise KernelError("direction must be +1 or -1", columns=bad.tolist())
    return d


def bad_columns(mask: NDArray[np.bool_]) -> list[int]:
    """Columns (last axis) where a condition holds in any sample, for error messages."""
    m = np.asarray(mask)
    return np.flatnonzero(m.reshape(-1, m.shape[-1]).any(axis=0)).tolist()
