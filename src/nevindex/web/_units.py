"""Natural units in the what-if form: a reader types "4.27 million" vehicles, not "6.63" log10(vehicles).

:mod:`nevindex.insight.bounds` turns a scored value into its natural unit; :func:`to_scored` is its
inverse (log10 undone, multipliers such as "USD million" folded back), and :func:`parse_amount` reads
what a person types: "4,270,000", "4.27 million", "3k", "2 bn", "427万", "1.2亿".
"""

from __future__ import annotations

import math
import re

from nevindex.insight.bounds import natural, natural_unit
from nevindex.web._errors import ParameterError

__all__ = ["natural_label", "parse_amount", "to_scored"]

_WORDS = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "millions": 1e6, "bn": 1e9,
          "b": 1e9, "billion": 1e9, "billions": 1e9, "万": 1e4, "亿": 1e8, "千": 1e3, "百万": 1e6}
_AMOUNT = re.compile(r"^\s*([-+−]?\d+(?:\.\d*)?|[-+−]?\.\d+)(?:e([-+]?\d+))?\s*([a-z\u4e00-\u9fff]*)\s*%?\s*$", re.I)


def parse_amount(text: str, parameter: str) -> float:
    """A typed number with an optional multiplier word ("4.27 million", "427万"); thousands separators
    and a trailing % are ignored."""
    clean = text.replace(",", "").replace("，", "").replace("\u00a0", " ").strip()
    match = _AMOUNT.match(clean)
    word = (match.group(3) or "").lower() if match else ""
    if match is None or (word and word not in _WORDS):
        raise ParameterError(f"'{text}' is not a number", parameter=parameter,
                             hint="type e.g. 4270000, 4.27 million or 427万")
    value = float(match.group(1).replace("−", "-") + (f"e{match.group(2)}" if match.group(2) else ""))
    return value * _WORDS.get(word, 1.0)


def to_scored(value: float, unit: str, parameter: str) -> float:
    """A value in the indicator's natural unit, in the unit the index scores (``unit``)."""
    factor = natural(0.0, unit)[0] if natural_unit(unit)[1] else natural(1.0, unit)[0]
    # log units: natural(0) = 10**0 × multiplier = the multiplier; plain units: natural(1) = the multiplier
    if natural_unit(unit)[1]:
        if not value > 0:
            raise ParameterError(f"{value:g} must be above 0: this indicator scores the logarithm of the value",
                                 parameter=parameter, status=422)
        return math.log10(value / factor)
    return value / factor


def natural_label(unit: str) -> str:
    """The natural unit of an indicator's unit ("log10(USD million)" → "USD")."""
    return natural(1.0, unit)[1]
