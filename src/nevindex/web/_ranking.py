"""The ranking as asked for: filtered by group, rating and search text, sorted, paged.

Pure functions of an :class:`~nevindex.web._views.EditionView`; unknown filter values are refused
with the allowed ones named, so an API user can correct the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nevindex.web._errors import ParameterError
from nevindex.web._views import EditionView

SORT_KEYS = ("rank", "score", "name", "rating", "country")

__all__ = ["SORT_KEYS", "RankingQuery", "ranking_page"]


@dataclass(frozen=True)
class RankingQuery:
    """Filters, sort and page of a ranking request (validated by :func:`ranking_page`)."""

    group: tuple[str, ...] = ()  # "column:value"
    element: str | None = None
    rating: tuple[str, ...] = ()
    q: str | None = None
    sort: str = "rank"
    limit: int = 50
    offset: int = 0


def ranking_page(view: EditionView, query: RankingQuery, lang: str = "en") -> dict[str, Any]:
    """Filter, sort and page the ranking; unknown filters are refused with the allowed values."""
    fw = view.framework
    rows = view.rows
    if query.element is not None:
        if query.element not in fw.aggregate_codes:
            raise ParameterError(f"unknown element '{query.element}'", parameter="element",
                            hint="elements: " + ", ".join(fw.aggregate_codes))
    for item in query.group:
        column, sep, value = item.partition(":")
        if not sep:
            raise ParameterError(f"group filter '{item}' must be column:value", parameter="group",
                            hint="e.g. " + (f"{next(iter(view.groups))}:…" if view.groups else "country:CN"))
        if column not in view.groups:
            raise ParameterError(f"unknown group column '{column}'", parameter="group",
                            hint="group columns: " + (", ".join(view.groups) or "none"))
        rows = [r for r in rows if str(r["groups"].get(column)) == value]
    if query.rating:
        labels = {b.label for b in fw.ratings}
        bad = [r for r in query.rating if r not in labels]
        if bad:
            raise ParameterError(f"unknown rating '{bad[0]}'", parameter="rating", hint="ratings: " + ", ".join(
                b.label for b in fw.ratings))
        rows = [r for r in rows if r["rating"] in query.rating]
    if query.q:
        needle = query.q.casefold().strip()
        rows = [r for r in rows if needle in r["code"].casefold() or needle in (r["name"]["en"] or "").casefold()
                or needle in (r["name"]["zh"] or "").casefold()]
    rows = _sorted(rows, query.sort, query.element, lang)
    total = len(rows)
    page = rows[query.offset:query.offset + query.limit]
    return {"edition": view.info.label, "total": total, "offset": query.offset, "limit": query.limit,
            "sort": query.sort, "element": query.element, "items": [_with_element(r, query.element) for r in page]}


def _with_element(row: dict[str, Any], element: str | None) -> dict[str, Any]:
    if element is None:
        return row
    return {**row, "element": {"code": element, **row["elements"].get(element, {"score": None, "rank": None})}}


def _sorted(rows: list[dict[str, Any]], sort: str, element: str | None, lang: str) -> list[dict[str, Any]]:
    desc = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORT_KEYS:
        raise ParameterError(f"unknown sort key '{sort}'", parameter="sort",
                        hint="sort by " + ", ".join(SORT_KEYS) + " (prefix - for descending)")
    # ``rank``/``score`` sort by the element when one is chosen.
    if element is not None and key in ("rank", "score"):
        def value(r: dict[str, Any]) -> Any:
            return r["elements"].get(element, {}).get(key) if element in r["elements"] else None
    elif key == "name":
        def value(r: dict[str, Any]) -> Any:
            return (r["name"].get(lang) or r["name"]["en"] or r["code"]).casefold()
    elif key == "country":
        def value(r: dict[str, Any]) -> Any:
            return str(r["groups"].get("country") or "")
    else:
        def value(r: dict[str, Any]) -> Any:
            return r[key]
    present = [r for r in rows if value(r) is not None]
    missing = [r for r in rows if value(r) is None]
    # one rule for every key, as in SQL and every other API: ``key`` ascending, ``-key`` descending
    # (so ``-score`` is the top first); ties by code, missing values last either way
    present.sort(key=lambda r: r["code"])
    present.sort(key=value, reverse=desc)
    return present + missing
