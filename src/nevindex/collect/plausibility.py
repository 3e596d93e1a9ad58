"""Plausibility warnings on a submitted value: stored with it for the reviewer, never a refusal.

Three checks, each against what the store knew at import: a change of more than ±50 % against the
last edition's value, a value outside the indicator's goalposts (its plausible range), and a
difference of more than 5 % from the public value of the same brand, indicator and year.
"""

from __future__ import annotations

import math

__all__ = ["CHANGE_LIMIT", "PUBLIC_LIMIT", "warnings_for"]

#: Relative change against the last edition beyond which a value is flagged.
CHANGE_LIMIT = 0.5
#: Relative difference from a public value beyond which a value is flagged.
PUBLIC_LIMIT = 0.05


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _relative(value: float, reference: float) -> float:
    """(value − reference) / |reference|; infinite when the reference is 0 and the value is not."""
    if reference == 0:
        return 0.0 if value == 0 else math.copysign(math.inf, value)
    return (value - reference) / abs(reference)


def warnings_for(value: float, *, last: float | None = None, public: float | None = None,
                 goalposts: tuple[float | None, float | None] = (None, None)) -> tuple[str, ...]:
    """The warnings a reviewer sees beside ``value`` (empty when nothing looks odd)."""
    out = []
    if _finite(last):
        change = _relative(value, last)  # type: ignore[arg-type]
        if abs(change) > CHANGE_LIMIT:
            shown = "from 0" if math.isinf(change) else f"{change:+.0%}"
            out.append(f"change {shown} against the last edition's {last:g} (beyond ±{CHANGE_LIMIT:.0%})")
    low, high = goalposts
    if (low is not None and value < low) or (high is not None and value > high):
        out.append(f"outside the goalposts [{'−∞' if low is None else f'{low:g}'}, "
                   f"{'∞' if high is None else f'{high:g}'}]")
    if _finite(public):
        gap = _relative(value, public)  # type: ignore[arg-type]
        if abs(gap) > PUBLIC_LIMIT:
            shown = "from 0" if math.isinf(gap) else f"{gap:+.1%}"
            out.append(f"differs from the public value {public:g} by {shown} (more than {PUBLIC_LIMIT:.0%})")
    return tuple(out)
