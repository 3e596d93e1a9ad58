"""Numbers at the edges: a value as a finite float, or None.

JSON has no NaN or infinity and SQL stores a missing number as NULL, so every edge (the store's
rows, the API's and the portal's JSON, the profiles' ``to_dict``) turns numbers into these two forms
with the same rule. Stdlib only: the lowest layer, usable from every other.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["finite_or_none", "rank_or_none"]


def finite_or_none(value: Any) -> float | None:
    """``value`` as a float; None where it is missing (None, NaN), infinite, or not a number at all."""
    if value is None or isinstance(value, str):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def rank_or_none(value: Any) -> int | None:
    """A rank as a whole number (Python's round: a tie rank such as 2.5 goes to the even 2), or None like
    :func:`finite_or_none`."""
    number = finite_or_none(value)
    return None if number is None else int(round(number))
