"""How far a what-if value may go: a plausible range per indicator, so ``1e9`` or ``-50`` for an
R&D intensity is refused (422 naming the indicator) instead of silently clamped by normalisation.

The range is the hull of the values the edition observed and of the methodology's goalposts
(when it has them), widened by ten times that width on each side; a quantity that is never
negative in the data or the goalposts stays at 0 or above. Generous on purpose: it catches typos,
signs and units off by orders of magnitude, not ambitious targets (four times the best brand's
sales is allowed).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

__all__ = ["WIDEN", "plausible_range"]

#: How many widths of the observed hull a value may lie beyond it.
WIDEN = 10.0


def plausible_range(observed: Iterable[float], goalposts: tuple[float, float] | None = None) -> tuple[float, float]:
    """``(low, high)`` a new value must lie in (both inclusive); ``(-inf, inf)`` with nothing to go by."""
    finite = [float(v) for v in observed if v is not None and math.isfinite(float(v))]
    if goalposts is not None:
        finite += [float(g) for g in goalposts if g is not None and math.isfinite(float(g))]
    if not finite:
        return (-math.inf, math.inf)
    lo, hi = min(finite), max(finite)
    width = hi - lo if hi > lo else max(abs(hi), 1.0)
    low = lo - WIDEN * width
    if lo >= 0:
        low = max(low, 0.0)
    return (low, hi + WIDEN * width)
