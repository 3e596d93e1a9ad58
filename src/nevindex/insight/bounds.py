"""The goalposts (normalisation bounds) of each indicator, in the units a reader knows.

A goalpost on a log indicator ("3 … 7 log10(vehicles)") means nothing to a reader; "1,000 … 10 million
vehicles" does. :func:`bounds` turns the methodology file's per-indicator goalposts into natural units,
with the number of brands that have a value, for the report's methodology chapter and the portal's
methodology page. :func:`natural` does the same for one value (e.g. a brand's "6.63 log10(vehicles)"
→ "4.27 million vehicles"). Pure functions of the framework; no I/O.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from babel.numbers import format_compact_decimal

from nevindex.framework import Framework, meta_text
from nevindex.i18n.numbers import LOCALES

__all__ = ["Bound", "bounds", "format_natural", "natural", "natural_text", "natural_unit"]

#: "log10(vehicles)", "log10（辆）": the unit inside is the natural one.
_LOG = re.compile(r"^\s*log10\s*[(（]\s*(?P<unit>.*?)\s*[)）]\s*$")
#: Units that carry a multiplier: the value is folded into the base unit ("USD million" → × 10⁶ "USD").
_MULTIPLIERS = (("USD million", 1e6, "USD"), ("百万美元", 1e6, "美元"))


@dataclass(frozen=True)
class Bound:
    """One indicator's goalposts. ``lower``/``upper`` are in natural units (``unit``), ``None`` when the
    indicator is not normalised on goalposts; ``log`` says the score runs on the log of the value."""

    indicator: str
    name: str
    unit: str
    direction: int
    lower: float | None
    upper: float | None
    n: int | None
    log: bool = False
    scored_unit: str = ""  # the unit the score is computed on, as in the methodology file


def natural_unit(unit: str) -> tuple[str, bool]:
    """The natural unit of an indicator unit and whether the indicator is its log10."""
    match = _LOG.match(unit or "")
    return (match.group("unit"), True) if match else (unit or "", False)


def natural(value: float, unit: str) -> tuple[float, str]:
    """A value in its natural unit: ``10**value`` for a log10 unit, multipliers folded in."""
    base, is_log = natural_unit(unit)
    x = 10.0 ** value if is_log and math.isfinite(value) else float(value)
    for name, factor, folded in _MULTIPLIERS:
        if base == name:
            return x * factor, folded
    return x, base


def natural_text(value: float | None, unit: str, lang: str = "en", digits: int = 3) -> str:
    """A value as a reader writes it: "4.27 million vehicles", "427万辆", "1,000 vehicles", "−20 percent".

    Large numbers are compact (Babel's long compact form) with ``digits`` significant figures."""
    if value is None or not math.isfinite(value):
        return "—"
    return format_natural(*natural(value, unit), lang=lang, digits=digits)


def format_natural(x: float, base: str, lang: str = "en", digits: int = 3) -> str:
    """A value already in natural units (e.g. a :class:`Bound`'s ``lower``), formatted as
    :func:`natural_text` does."""
    if not math.isfinite(x):
        return "—"
    if abs(x) >= (10_000 if lang == "zh" else 1_000_000):  # 万 in Chinese, million in English
        exponent = int(math.floor(math.log10(abs(x))))
        group = exponent - exponent % (4 if lang == "zh" else 3)
        fraction = max(0, digits - 1 - (exponent - group))
        text = format_compact_decimal(x, format_type="long" if lang != "zh" else "short", locale=LOCALES[lang],
                                      fraction_digits=fraction)
    else:
        text = _plain(x, lang)
    if not base:
        return text
    if lang == "zh" or base in ("%",):
        return f"{text}{base}"
    return f"{text} {base}"


def _plain(x: float, lang: str) -> str:
    from babel.numbers import format_decimal

    digits = 0 if abs(x) >= 100 or float(x).is_integer() else (1 if abs(x) >= 10 else 2)
    return format_decimal(round(x, digits), format=f"#,##0{'.' + '#' * digits if digits else ''}",
                          locale=LOCALES[lang]).replace("-", "−")


def bounds(framework: Framework, counts: Mapping[str, int] | None = None, lang: str = "en") -> list[Bound]:
    """Every indicator's goalposts in natural units, in framework order, with the number of brands that
    have a value (``counts``: indicator → n, e.g. observed values in an edition; ``None`` if not given)."""
    out = []
    for ind in framework.indicators:
        scored_unit = str(meta_text(ind.meta, "unit", lang) or ind.unit or "")
        params = (ind.params or {}).get("normalise", {}) or {}
        goalposts = params.get("method") == "goalposts" and "lower" in params and "upper" in params
        _, is_log = natural_unit(scored_unit)
        lower = natural(float(params["lower"]), scored_unit)[0] if goalposts else None
        upper = natural(float(params["upper"]), scored_unit)[0] if goalposts else None
        unit = natural(1.0, scored_unit)[1]
        out.append(Bound(indicator=ind.code, name=ind.name.get(lang), unit=unit, direction=int(ind.direction),
                         lower=lower, upper=upper, n=None if counts is None else int(counts.get(ind.code, 0)),
                         log=is_log, scored_unit=scored_unit))
    return out
