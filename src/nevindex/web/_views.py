"""One edition prepared for display: its Result, ranking rows and group columns, in JSON-safe form.

An :class:`EditionView` is built once per edition result (see :mod:`nevindex.web._editions`) and
shared by the API, the pages and the static export, so they all show the same numbers: the stored
ones, as published.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from nevindex.errors import NotFoundError
from nevindex.framework import Framework
from nevindex.intervals import RankIntervals
from nevindex.result import Result
from nevindex.values import finite_or_none as num
from nevindex.values import rank_or_none as rank_int
from nevindex.web._caching import Memo

#: Attribute columns that describe a unit rather than group it.
NOT_GROUPS = re.compile(r"^(name(_\w+)?|notes?|description|founded|url|website|source.*)$", re.IGNORECASE)

__all__ = ["NOT_GROUPS", "EditionView", "element_of", "group_columns", "names", "num", "rank_int", "ranking_rows"]


def names(value: Any) -> dict[str, str | None]:
    """``{"en": …, "zh": …}`` of a framework Names object (zh None when unknown)."""
    if value is None:
        return {"en": None, "zh": None}
    return {"en": value.en, "zh": value.zh}


def element_of(fw: Framework, code: str) -> str:
    """The element (child of the root) a node belongs to."""
    chain = (code, *fw.ancestors(code))
    return chain[-2] if len(chain) >= 2 else chain[-1]


@dataclass
class EditionView:
    """An edition with its Result and everything the pages show about it, in display-ready form."""

    info: Any  # store EditionInfo
    result: Result
    rows: list[dict[str, Any]]  # ranking rows, best first
    intervals: RankIntervals | None  # the audit's, as stored
    groups: dict[str, list[str]]  # group column -> sorted values
    cache: Memo = field(default_factory=lambda: Memo(512))

    @property
    def framework(self) -> Framework:
        return self.result.framework

    @property
    def key(self) -> tuple[int, str]:
        return (self.info.id, self.info.result_sha256 or "")

    @property
    def elements(self) -> tuple[str, ...]:
        return self.framework.children[self.framework.root]

    def meta(self) -> dict[str, Any]:
        fw = self.framework
        info = self.info
        return {
            "label": info.label, "year": info.year, "data_year": self.result.year, "status": info.status,
            "published_at": info.published_at.isoformat() if info.published_at else None,
            "methodology": {"code": fw.framework.code, "version": str(fw.framework.version),
                            "name": names(fw.framework.name), "sha256": info.methodology_sha256},
            "dataset": info.dataset, "result_sha256": info.result_sha256, "hashes": info.hashes,
            "corrects": info.corrects,
            "correction_reason": info.correction_reason, "n_units": len(self.result.units),
            "root": fw.root,
            "elements": [{"code": c, "name": names(fw.nodes[c].name)} for c in self.elements],
            "ratings": [{"label": b.label, "min": b.min,
                         "description": names(b.description) if b.description else None} for b in fw.ratings],
            "groups": self.groups, "has_intervals": self.intervals is not None,
        }

    def unit_names(self, code: str) -> dict[str, str | None]:
        return self.row(code)["name"]  # type: ignore[no-any-return]

    def row(self, code: str) -> dict[str, Any]:
        for row in self.rows:
            if row["code"] == code:
                return row
        raise NotFoundError(self._missing(code))

    def _missing(self, code: str) -> str:
        from nevindex.recipe import nearest

        hint = nearest(code, [r["code"] for r in self.rows])
        return (f"no brand '{code}' in edition '{self.info.label}'"
                + (f"; did you mean '{hint}'?" if hint else ""))


def group_columns(result: Result) -> list[str]:
    """Attribute columns that group units (country, segment, …): declared in the methodology's
    ``meta.groups``, else every attribute that is not a name, note or number and that has at most half
    as many distinct values as units (a grouping, not a near-unique label)."""
    declared = result.framework.framework.meta.get("groups")
    attrs = result.dataset.attributes
    if isinstance(declared, (list, tuple)):
        return [c for c in declared if c in attrs]
    out = []
    for col, values in attrs.items():
        present = [v for v in values if v not in (None, "")]
        if NOT_GROUPS.match(col) or not present:
            continue
        if all(_numberish(v) for v in present):
            continue
        if len(set(present)) <= len(present) / 2:  # a grouping, not a near-unique label
            out.append(col)
    return out


def _numberish(value: Any) -> bool:
    try:
        float(str(value))
        return True
    except ValueError:
        return False


def ranking_rows(result: Result, scores: pd.DataFrame | None,
                 intervals: RankIntervals | None, groups: Sequence[str]) -> list[dict[str, Any]]:
    """One row per scored unit (best first): names, groups, index, rank, rating, elements, interval.

    Scores, ranks, ratings and flags are the stored ones — the numbers as published (the
    methodology's coverage rules may withhold a rating); without stored rows (never for a built
    edition) the Result's numbers and the framework's bands are used."""
    fw = result.framework
    ds = result.dataset
    zh = ds.attribute("name_zh") if "name_zh" in ds.attributes else (None,) * len(ds.units)
    zh_of = dict(zip(ds.units, zh, strict=True))
    attrs = {c: dict(zip(ds.units, ds.attribute(c), strict=True)) for c in groups}
    stored: dict[str, dict[str, Any]] = {}
    published: dict[tuple[str, str], tuple[Any, Any]] = {}
    if scores is not None and len(scores):
        for rec in scores.to_dict("records"):
            published[(str(rec["unit"]), str(rec["node"]))] = (rec["score"], rec["rank"])
            if rec["node"] == fw.root:
                stored[str(rec["unit"])] = rec
    element_codes = fw.children[fw.root]
    col = {c: k for k, c in enumerate(fw.display_order)}
    unit_names = result.unit_names()
    cover = result.coverage()
    rows = []

    def score_rank(i: int, code: str, node: str) -> tuple[float | None, int | None]:
        if (code, node) in published:  # the numbers as published, whatever engine runs today
            value, rank = published[(code, node)]
            return num(value), rank_int(rank)
        return num(result.scores[i, col[node]]), rank_int(result.ranks[i, col[node]])

    for i, code in enumerate(result.units):
        score, rank = score_rank(i, code, fw.root)
        rec = stored.get(code)
        rating = (rec.get("rating") if rec is not None else (fw.rating(score) if score is not None else None))
        rating = rating if isinstance(rating, str) and rating else None
        interval = intervals.get(code) if intervals is not None else None
        rows.append({
            "code": code,
            "name": {"en": unit_names[i], "zh": zh_of.get(code) or None},
            "groups": {c: attrs[c].get(code) for c in groups},
            "score": score,
            "rank": rank,
            "rating": rating,
            "coverage": num(cover[i]) if cover is not None and np.ndim(cover) == 1 else None,
            "flags": (rec.get("flags") or "") if rec is not None else "",
            "elements": {e: dict(zip(("score", "rank"), score_rank(i, code, e), strict=True))
                         for e in element_codes},
            "interval": ({"low": rank_int(interval.low), "high": rank_int(interval.high)} if interval else None),
        })
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["code"]))
    return rows
