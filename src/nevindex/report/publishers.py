"""Who published the numbers behind each indicator: the Sources column of the data annex.

A derived value's provenance row says "derived (ratio) by the methodology from net_income_eur,
revenue_eur" — a formula, not a source. The publishers are those of the observed inputs it rests on,
found by following the row's ``inputs`` ("net_income_eur[2024]=…; revenue_eur[2024]=…") back to
observed rows. A publisher is the name in a source title's closing parentheses ("… (TMTPost via
fishai.com.cn)" → "TMTPost via fishai.com.cn"), else the web site of its URL. Pure functions of the
provenance table.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlparse

import pandas as pd

__all__ = ["publisher", "publishers_by_column"]

_TRAILING = re.compile(r"\(([^()]+)\)\s*$")
_INPUT = re.compile(r"([A-Za-z_][\w]*)\[(\d{4})\]=")


def publisher(title: Any, url: Any = None) -> str:
    """The publisher of one observed value ("" when neither title nor URL says)."""
    text = str(title).strip() if isinstance(title, str) else ""
    match = _TRAILING.search(text)
    if match:
        return re.split(r"[,;]", match.group(1))[0].strip()
    for one in str(url or "").split("; "):
        host = urlparse(one.strip()).netloc
        if host:
            return host.removeprefix("www.")
    return ""


def _is_derived(record: Mapping[str, Any]) -> bool:
    return isinstance(record.get("inputs"), str) and bool(record.get("derivation")) \
        and isinstance(record.get("derivation"), str)


def publishers_by_column(provenance: pd.DataFrame | None, year: int, units: Iterable[str]) -> dict[str, list[str]]:
    """Per column: the distinct publishers behind its values for ``units`` in ``year``, most frequent
    first (ties alphabetical); derived columns list the publishers of the inputs they rest on."""
    if provenance is None or provenance.empty:
        return {}
    rows: dict[tuple[int, str, str], dict[str, Any]] = {}
    for rec in provenance.to_dict("records"):
        rows[(int(rec["year"]), str(rec["unit"]), str(rec["column"]))] = rec

    def behind(key: tuple[int, str, str], depth: int = 0) -> list[str]:
        rec = rows.get(key)
        if rec is None or depth > 12:
            return []
        if _is_derived(rec):
            out: list[str] = []
            for column, y in _INPUT.findall(rec["inputs"]):
                out += behind((int(y), key[1], column), depth + 1)
            return out
        name = publisher(rec.get("source_title"), rec.get("source_url"))
        return [name] if name else []

    wanted = set(map(str, units))
    counts: dict[str, Counter[str]] = {}
    for key in rows:
        if key[0] == year and key[1] in wanted:
            counts.setdefault(key[2], Counter()).update(set(behind(key)))
    return {column: sorted(c, key=lambda p: (-c[p], p.casefold())) for column, c in counts.items()}
