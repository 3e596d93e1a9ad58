"""Numbers for people: the one place where a value becomes text (portal, report, CLI, docs).

Separators and signs come from Babel's CLDR locale data for the page's language (English and
Chinese both group with "," and use "." today; another language gets its own). Rounding is
Python's: the float is rounded to ``digits`` first (correctly rounded, ties to even on the exact
binary value, as ``round`` and f-strings do), so the text never disagrees with ``round(x, digits)``
and never shows "-0.0". Missing values (None, NaN, ±inf) print as ``missing``.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

from nevindex.i18n import DEFAULT
from nevindex.values import finite_or_none

#: The dash shown for a missing number (the report passes its en dash, "–").
DASH = "—"
#: Babel locale of each language.
LOCALES = {"en": "en", "zh": "zh_Hans_CN"}

__all__ = ["DASH", "LOCALES", "cell", "general", "number", "percent", "rank", "signed"]


@cache
def _pattern(digits: int, grouping: bool, percent: bool = False) -> Any:
    from babel.numbers import parse_pattern

    body = ("#,##0" if grouping else "0") + ("." + "0" * digits if digits > 0 else "")
    return parse_pattern(body + ("%" if percent else ""))


@cache
def _locale(lang: str) -> Any:
    from babel import Locale

    return Locale.parse(LOCALES.get(lang, LOCALES[DEFAULT]))


def _decimal(value: float, digits: int) -> Decimal:
    """``value`` rounded to ``digits`` as Python prints it, as a Decimal (Babel's quantising then changes
    nothing); ``+ 0.0`` turns a rounded -0.0 into 0.0."""
    return Decimal(f"{round(value, digits) + 0.0:.{digits}f}")


def number(value: Any, digits: int = 1, *, lang: str = DEFAULT, grouping: bool = True,
           missing: str = DASH) -> str:
    """``value`` with ``digits`` decimals ("12,345.7"); text is shown as it is (a label in a number column)."""
    f = finite_or_none(value)
    if f is None:
        return value if isinstance(value, str) else missing
    return _pattern(digits, grouping).apply(_decimal(f, digits), _locale(lang))


def signed(value: Any, digits: int = 1, *, lang: str = DEFAULT, grouping: bool = True,
           missing: str = DASH) -> str:
    """A change: "+2.3", "-1.0", "0.0" (zero as rounded has no sign)."""
    text = number(value, digits, lang=lang, grouping=grouping, missing=missing)
    f = finite_or_none(value)
    if f is None or round(f, digits) <= 0:
        return text
    return "+" + text


def rank(value: Any, *, lang: str = DEFAULT, missing: str = DASH) -> str:
    """A rank or count: no decimals."""
    return number(value, 0, lang=lang, missing=missing)


def percent(value: Any, digits: int = 0, *, lang: str = DEFAULT, missing: str = DASH) -> str:
    """A share as a percentage: 0.915 → "92%" (the share × 100, rounded as :func:`number` does)."""
    f = finite_or_none(value)
    if f is None:
        return missing
    share = _decimal(f * 100, digits) / 100
    return _pattern(digits, True, percent=True).apply(share, _locale(lang))


def cell(value: Any, *, digits: int = 3, missing: str = DASH) -> str:
    """A cell of a statistics table: whole numbers without decimals, others to ``digits`` (no grouping)."""
    if value is None:
        return missing
    if isinstance(value, bool):
        return "true" if value else "false"
    if not isinstance(value, (int, float)):
        return str(value)
    f = finite_or_none(value)
    if f is None:
        return missing
    return number(f, 0 if f.is_integer() else digits, grouping=False)


def general(value: Any, *, missing: str = DASH) -> str:
    """Up to six significant digits, no trailing zeros ("3", "0.25", "1.5e+06"): settings and ranks in
    plain-text tables, where a fixed number of decimals would hide or invent precision."""
    f = finite_or_none(value)
    return missing if f is None else f"{f + 0.0:g}"

