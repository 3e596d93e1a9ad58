"""Plural agreement for messages in English: "1 indicator", "2 indicators", "1 year".

The CLI's messages are English only; the catalogues (``report/i18n``, ``web/i18n``) keep one message
per key, without CLDR plural forms, so one small helper is the one place that agrees a noun with its
count. Chinese has no plural forms, so the catalogues need none there. Babel's CLDR data say which
plural category a number takes (``one``/``other``), so "1" and "1.0" agree the same way.
"""

from __future__ import annotations

from functools import cache
from typing import Any

__all__ = ["count", "plural"]

#: Nouns whose plural is not noun + "s".
IRREGULAR = {"child": "children", "person": "people", "analysis": "analyses", "index": "indices",
             "entry": "entries", "copy": "copies", "category": "categories", "country": "countries"}


@cache
def _rule() -> Any:
    from babel import Locale

    return Locale.parse("en").plural_form


def plural(noun: str, n: float) -> str:
    """``noun`` as ``n`` asks for it in English ("indicator" / "indicators"); a phrase agrees on its last word."""
    if _rule()(abs(n)) == "one":
        return noun
    head, _, last = noun.rpartition(" ")
    word = IRREGULAR.get(last) or (last + "es" if last.endswith(("s", "x", "ch", "sh")) else last + "s")
    return f"{head} {word}" if head else word


def count(n: float, noun: str) -> str:
    """"1 indicator", "3 indicators", "1,200 brands" (the number grouped as every number is)."""
    from nevindex.i18n.numbers import number

    digits = 0 if float(n).is_integer() else 1
    return f"{number(n, digits)} {plural(noun, n)}"
