"""Values and changes in plain units, for levers and plans: "+3.2 percentage points", "4.27 million
vehicles", "×1.26".

A methodology states each indicator's unit of measurement (``unit:``). A change of a percentage is
in percentage points, not "percent"; a value on a log10 scale (``log10(vehicles)``) is shown in its
natural unit (10 to the value) and a change of it as a factor. Pure functions, no locale state.
"""

from __future__ import annotations

import math
import re

from nevindex.i18n import numbers

__all__ = ["plain_change", "plain_value"]

_LOG = re.compile(r"^log10\((?P<inner>.+)\)$")
_PERCENT = re.compile(r"^(percent|per cent|%)(?P<rest>.*)$")


def _sig(x: float, digits: int = 3) -> str:
    """``x`` with about ``digits`` significant digits, grouped ("4,270", "0.0521", "12.5")."""
    if x == 0 or not math.isfinite(x):
        return numbers.number(x, 0)
    decimals = max(0, digits - 1 - int(math.floor(math.log10(abs(x)))))
    return numbers.number(x, min(decimals, 6))


def _natural(x: float, inner: str) -> str:
    for scale, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(x) >= scale:
            return f"{_sig(x / scale)} {word} {inner}"
    return f"{_sig(x)} {inner}"


def plain_value(value: float, measure: str | None) -> str:
    """A raw value with its unit, as a reader says it ("5.18 %", "4.27 million vehicles")."""
    if value is None or not math.isfinite(value):
        return numbers.DASH
    m = (measure or "").strip()
    log = _LOG.match(m)
    if log:
        return _natural(10.0 ** value, log.group("inner"))
    pct = _PERCENT.match(m)
    if pct:
        return f"{_sig(value)} %{pct.group('rest')}"
    return f"{_sig(value)} {m}".strip()


def plain_change(value: float, new_value: float, measure: str | None) -> str:
    """The change from ``value`` to ``new_value`` in plain units ("+3.2 percentage points", "×1.26")."""
    if value is None or new_value is None or not (math.isfinite(value) and math.isfinite(new_value)):
        return numbers.DASH
    delta = new_value - value
    m = (measure or "").strip()
    if _LOG.match(m):
        return f"×{_sig(10.0 ** delta)}"
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    size = _sig(abs(delta))
    pct = _PERCENT.match(m)
    if pct:
        return f"{sign}{size} percentage points{pct.group('rest')}"
    return f"{sign}{size} {m}".strip()
