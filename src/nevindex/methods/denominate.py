"""Denominate: turn totals into ratios (per capita, per sale, ...) so units of different size compare."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nevindex.errors import KernelError
from nevindex.methods._common import as_float

__all__ = ["denominate"]


def denominate(
    x: ArrayLike, denominators: ArrayLike, scale: float | ArrayLike = 1.0
) -> NDArray[np.float64]:
    """Return ``x / denominators * scale``.

    A zero denominator under a present value has no meaningful ratio, so it is an error naming
    the cells rather than a silent ±inf. A missing denominator makes the ratio missing.
    ``scale`` is a scalar or one value per column (last axis).
    """
    xv = as_float(x, min_ndim=1)
    den = np.broadcast_to(np.asarray(denominators, dtype=np.float64), xv.shape)
    zero = (den == 0) & ~np.isnan(xv)
    if zero.any():
        idx = np.argwhere(zero)
        units = sorted({int(i[-2]) for i in idx}) if xv.ndim >= 2 else [int(i[0]) for i in idx]
        cols = sorted({int(i[-1]) for i in idx}) if xv.ndim >= 2 else []
        raise KernelError("denominator is zero where the value is present", units=units, columns=cols)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = xv / den * np.asarray(scale, dtype=np.float64)
    return out
