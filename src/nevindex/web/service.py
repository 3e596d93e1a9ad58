"""The portal's only door to the data: editions from the store, profiles from insight, what-if by
the engine. Routes and templates call this module and nothing below it.

Published editions are immutable, so everything derived from one (its Result, ranking rows,
profiles, open-data files) is computed once and cached, keyed by the edition's id *and* its
result hash: a rebuilt draft gets a new hash and therefore fresh values, never stale ones.
"""

from __future__ import annotations

import math
import re
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from nevindex.audit.spec import DEFAULT_RUNS, default_spec
from nevindex.build import build
from nevindex.errors import DataError, NevIndexError, NotFoundError
from nevindex.framework import Framework
from nevindex.result import Result
from nevindex.values import finite_or_none as num
from nevindex.values import rank_or_none as rank_int

T = TypeVar("T")

LATEST = "latest"
#: Attribute columns that describe a unit rather than group it.
NOT_GROUPS = re.compile(r"^(name(_\w+)?|notes?|description|founded|url|website|source.*)$", re.IGNORECASE)
DOWNLOAD_TYPES = {"csv": "text/csv; charset=utf-8",
                  "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  "json": "application/json"}
SORT_KEYS = ("rank", "score", "name", "rating", "country")
MAX_WHATIF_CHANGES = 50
#: Per-run audit tables (stored by the store; reproducible from spec and seed): not served by the API.
PER_RUN_TABLES = frozenset({"run_scores", "run_ranks", "weight_sets"})
#: Seconds a resolved public edition reference ("latest", a label) is reused without asking the store.
REF_TTL = 2.0


class LRU:
    """A small thread-safe least-recently-used cache of computed values."""

    def __init__(self, size: int = 256):
        self.size, self._data, self._lock = size, OrderedDict[Any, Any](), threading.Lock()

    def get(self, key: Any, make: Callable[[], T]) -> T:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]  # type: ignore[no-any-return]
        value = make()
        with self._lock:
            self._data[key] = value
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return value

    def peek(self, key: Any) -> Any:
        with self._lock:
            return self._data.get(key)

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


# --- one edition, prepared for display ---------------------------------------------------------


@dataclass
class EditionView:
    """An edition with its Result and everything the pages show about it, in display-ready form."""

    info: Any  # store EditionInfo
    result: Result
    rows: list[dict[str, Any]]  # ranking rows, best first
    intervals: dict[str, tuple[float, float]] | None
    groups: dict[str, list[str]]  # group column -> sorted values
    cache: LRU = field(default_factory=lambda: LRU(512))

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
            "dataset": info.dataset, "result_sha256": info.result_sha256, "corrects": info.corrects,
            "correction_reason": info.correction_reason, "n_units": len(self.result.units),
            "root": fw.root,
            "elements": [{"code": c, "name": names(fw.nodes[c].name)} for c in self.elements],
            "ratings": [{"label": b.label, "min": b.min,
                         "description": names(b.description) if b.description else None} for b in fw.ratings],
            "groups": self.groups, "has_intervals": self.intervals is not None,
        }

    def unit_names(self, code: str) -> dict[str, str | None]:
        for row in self.rows:
            if row["code"] == code:
                return row["name"]
        raise NotFoundError(self._missing(code))

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


def names(value: Any) -> dict[str, str | None]:
    """``{"en": …, "zh": …}`` of a framework Names object (zh None when unknown)."""
    if value is None:
        return {"en": None, "zh": None}
    return {"en": value.en, "zh": value.zh}


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
                 intervals: Mapping[str, tuple[float, float]] | None, groups: Sequence[str]) -> list[dict[str, Any]]:
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
        lo_hi = intervals.get(code) if intervals else None
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
            "interval": ({"low": rank_int(lo_hi[0]), "high": rank_int(lo_hi[1])} if lo_hi else None),
        })
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["code"]))
    return rows


# --- ranking queries -------------------------------------------------------------------------


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
            raise DataError(f"unknown element '{query.element}'", column="element",
                            hint="elements: " + ", ".join(fw.aggregate_codes))
    for item in query.group:
        column, sep, value = item.partition(":")
        if not sep:
            raise DataError(f"group filter '{item}' must be column:value", column="group",
                            hint="e.g. " + (f"{next(iter(view.groups))}:…" if view.groups else "country:CN"))
        if column not in view.groups:
            raise DataError(f"unknown group column '{column}'", column="group",
                            hint="group columns: " + (", ".join(view.groups) or "none"))
        rows = [r for r in rows if str(r["groups"].get(column)) == value]
    if query.rating:
        labels = {b.label for b in fw.ratings}
        bad = [r for r in query.rating if r not in labels]
        if bad:
            raise DataError(f"unknown rating '{bad[0]}'", column="rating", hint="ratings: " + ", ".join(
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
        raise DataError(f"unknown sort key '{sort}'", column="sort",
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
    if element is not None and key == "rank" or key == "rank":
        present.sort(key=lambda r: (value(r), r["code"]), reverse=desc)
    elif key == "score":
        present.sort(key=lambda r: (value(r), r["code"]), reverse=not desc)  # best first by default
    else:
        present.sort(key=lambda r: (value(r), r["code"]), reverse=desc)
    return present + missing


# --- the portal --------------------------------------------------------------------------------


class Portal:
    """Read and administer editions in one store; the only object routes talk to."""

    def __init__(self, store: Any):
        from nevindex.store import editions as ed

        self.store = store
        self._ed = ed
        self._views = LRU(16)
        self._refs: dict[str, tuple[float, Any]] = {}
        #: bumped on every publication: response caches keyed by it forget "latest" at once
        self.generation = 0
        self.cache = LRU(1024)  # serialised API answers and anonymous pages of published editions

    # -- editions ---------------------------------------------------------------------------

    def editions(self, *, include_drafts: bool = False) -> list[dict[str, Any]]:
        """Editions newest first (published only, unless asked; the public list is reused for ``REF_TTL``)."""
        if not include_drafts:
            hit = self._refs.get("\0editions")
            if hit is not None and hit[0] > time.monotonic():
                return list(hit[1])
            listed = self._editions(False)
            self._refs["\0editions"] = (time.monotonic() + REF_TTL, listed)
            return list(listed)
        return self._editions(True)

    def _editions(self, include_drafts: bool) -> list[dict[str, Any]]:
        out = []
        for info in reversed(self._ed.list_editions(self.store)):
            if info.published or include_drafts:
                out.append(_info_dict(info))
        return out

    def edition_info(self, ref: str | None, *, allow_draft: bool = False) -> Any:
        if ref in (None, "", LATEST):
            info = self._ed.latest_published(self.store)
            if info is None:
                raise NotFoundError("no edition has been published yet")
            return info
        try:
            info = self._ed.get_edition(self.store, ref)
        except NotFoundError:
            raise NotFoundError(f"no edition '{ref}'") from None
        if not info.published and not allow_draft:
            raise NotFoundError(f"no published edition '{ref}'")
        return info

    def recent_info(self, ref: str | None) -> Any:
        """The published edition ``ref`` resolved less than ``REF_TTL`` seconds ago, else None (no I/O)."""
        hit = self._refs.get(ref or LATEST)
        return hit[1] if hit is not None and hit[0] > time.monotonic() else None

    def published_info(self, ref: str | None) -> Any:
        """A published edition's info, resolved at most every ``REF_TTL`` seconds (the hot path)."""
        key = ref or LATEST
        now = time.monotonic()
        hit = self._refs.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        info = self.edition_info(ref)
        if len(self._refs) > 1000:
            self._refs.clear()
        self._refs[key] = (now + REF_TTL, info)
        return info

    def view(self, ref: str | None, *, allow_draft: bool = False) -> EditionView:
        info = self.edition_info(ref, allow_draft=True) if allow_draft else self.published_info(ref)
        if info.result_sha256 is None:
            raise NevIndexError(f"edition '{info.label}' has not been built yet")
        return self._views.get((info.id, info.result_sha256), lambda: self._make_view(info))

    def _make_view(self, info: Any) -> EditionView:
        result = self._ed.rebuild(self.store, info.id)
        tables = self._ed.edition_tables(self.store, info.id)
        typed = self._ed.rank_intervals(self.store, info.id)
        intervals = typed.bounds() if typed is not None else None
        groups = group_columns(result)
        rows = ranking_rows(result, tables.get("scores"), intervals, groups)
        values = {c: sorted({str(r["groups"][c]) for r in rows if r["groups"].get(c) not in (None, "")})
                  for c in groups}
        return EditionView(info=info, result=result, rows=rows, intervals=intervals, groups=values)

    def published_views(self) -> list[EditionView]:
        """Every published edition, oldest first."""
        return [self.view(e["label"]) for e in reversed(self.editions())]

    # -- reading ----------------------------------------------------------------------------

    def ranking(self, ref: str | None, query: RankingQuery, lang: str = "en") -> dict[str, Any]:
        view = self.view(ref)
        return {"edition_meta": view.meta(), **ranking_page(view, query, lang)}

    def brand(self, ref: str | None, code: str, *, peers: str | None = None) -> dict[str, Any]:
        """The brand's profile (insight), with names in both languages and its history."""
        view = self.view(ref)
        view.row(code)  # 404 with a hint before any work
        if peers is not None and peers not in view.groups:
            raise DataError(f"unknown peer group column '{peers}'", column="peers",
                            hint="group columns: " + (", ".join(view.groups) or "none"))
        return view.cache.get(("brand", code, peers), lambda: self._brand(view, code, peers))

    def _brand(self, view: EditionView, code: str, peers: str | None) -> dict[str, Any]:
        from nevindex.insight.profile import profile

        history = [(v.info.label, v.result) for v in self.published_views()
                   if v.info.year < view.info.year and code in v.result.units]
        prof = profile(view.result, code, peers=peers, intervals=view.intervals, history=history,
                       edition=view.info.label)
        data = prof.to_dict()
        fw = view.framework
        data["brand_names"] = view.unit_names(code)
        data["row"] = view.row(code)
        data["node_names"] = {c: names(n.name) for c, n in fw.nodes.items()}
        data["edition"] = view.info.label
        peer_rows = (data.get("peers") or {}).get("rows") or []
        data["peer_names"] = {r["unit"]: view.unit_names(r["unit"]) for r in peer_rows}
        data["indicator_meta"] = {i.code: {"direction": i.direction, "unit": i.unit, "element": _element(fw, i.code)}
                                  for i in fw.indicators}
        data["medians"] = {e: num(np.nanmedian(view.result.score(e))) if np.isfinite(view.result.score(e)).any()
                           else None for e in view.elements}
        return data

    def history(self, code: str) -> dict[str, Any]:
        """The brand's index, rank and rating in every published edition (oldest first)."""
        points = []
        name = None
        for view in self.published_views():
            try:
                row = view.row(code)
            except NotFoundError:
                continue
            name = row["name"]
            points.append({"edition": view.info.label, "year": view.info.year, "score": row["score"],
                           "rank": row["rank"], "n_units": len(view.rows), "rating": row["rating"],
                           "elements": {e: v["score"] for e, v in row["elements"].items()}})
        if not points:
            raise NotFoundError(f"no brand '{code}' in any published edition")
        return {"brand": code, "name": name, "points": points}

    def compare(self, ref: str | None, codes: Sequence[str]) -> dict[str, Any]:
        """Two to four brands side by side: index, rank, rating, elements, every indicator."""
        unique = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
        if not 2 <= len(unique) <= 4:
            raise DataError(f"compare needs 2 to 4 different brands, got {len(unique)}", column="brands")
        view = self.view(ref)
        rows = [view.row(c) for c in unique]
        fw = view.framework
        res = view.result
        indicators = []
        for ind in fw.indicators:
            j = fw.indicator_codes.index(ind.code)
            values = []
            for c in unique:
                i = res.units.index(c)
                values.append({"raw": num(res.raw[res.all_units.index(c), j]), "normalised": num(res.normalised[i, j]),
                               "imputed": bool(res.imputed_mask[i, j])})
            indicators.append({"code": ind.code, "name": names(ind.name), "unit": ind.unit,
                               "element": _element(fw, ind.code), "values": values})
        return {"edition": view.info.label, "elements": [{"code": e, "name": names(fw.nodes[e].name)}
                                                          for e in view.elements],
                "brands": rows, "indicators": indicators}

    def whatif(self, ref: str | None, code: str, changes: Mapping[str, float]) -> dict[str, Any]:
        """Rebuild the edition with the brand's indicator values changed; its new scores and rank.

        Everything else (other brands, methodology, recipe) is as published, so the difference is
        the effect of the changes alone, with normalisation bounds and aggregation honoured."""
        view = self.view(ref)
        view.row(code)
        res = view.result
        fw = view.framework
        if not changes:
            raise DataError("give at least one indicator value to change", column="changes")
        if len(changes) > MAX_WHATIF_CHANGES:
            raise DataError(f"at most {MAX_WHATIF_CHANGES} changes at once", column="changes")
        data = res.dataset
        for ind, value in changes.items():
            if ind not in fw.indicator_codes:
                from nevindex.recipe import nearest

                hint = nearest(ind, fw.indicator_codes)
                raise DataError(f"unknown indicator '{ind}'", column="changes",
                                hint=f"did you mean '{hint}'?" if hint else None)
            if value is None or not math.isfinite(float(value)):
                raise DataError(f"the new value of '{ind}' must be a finite number", column="changes")
            data = data.with_value(code, ind, float(value), year=res.year)
        new = build(fw, data, res.recipe)
        i_old = res.units.index(code)
        if code not in new.units:
            raise DataError(f"with these values brand '{code}' is screened out of the build", column="changes")
        i = new.units.index(code)
        col = {c: k for k, c in enumerate(fw.display_order)}
        score = num(new.index[i])
        return {
            "edition": view.info.label, "brand": code, "changes": {k: float(v) for k, v in changes.items()},
            "before": {"score": num(res.index[i_old]), "rank": rank_int(res.rank[i_old]),
                       "rating": view.row(code)["rating"],
                       "elements": {e: num(res.scores[i_old, col[e]]) for e in view.elements}},
            "after": {"score": score, "rank": rank_int(new.rank[i]),
                      "rating": fw.rating(score) if score is not None else None,
                      "elements": {e: num(new.scores[i, col[e]]) for e in view.elements}},
            "n_units": len(new.units),
        }

    def indicators(self, ref: str | None) -> dict[str, Any]:
        view = self.view(ref)
        fw = view.framework
        return {"edition": view.info.label, "indicators": [
            {"code": i.code, "name": names(i.name), "parent": i.parent, "element": _element(fw, i.code),
             "element_name": names(fw.nodes[_element(fw, i.code)].name),
             "weight": num(view.result.weights.get(i.code, i.weight)), "direction": i.direction, "unit": i.unit,
             "denominator": i.denominator, "normalise": (i.params.get("normalise") or {}).get("method"),
             "dimension": i.meta.get("dimension"), "justification": i.meta.get("justification"),
             "justification_zh": i.meta.get("justification_zh"), "unit_zh": i.meta.get("unit_zh"),
             "source": i.meta.get("source")}
            for i in fw.indicators]}

    def methodology(self, ref: str | None) -> dict[str, Any]:
        view = self.view(ref)
        fw = view.framework
        rec = view.result.recipe
        tree = _tree(fw, view.result)
        notes = fw.framework.meta.get("method_notes")
        notes_zh = fw.framework.meta.get("method_notes_zh")
        return {
            "edition": view.info.label,
            "framework": {"code": fw.framework.code, "version": str(fw.framework.version),
                          "name": names(fw.framework.name),
                          "description": names(fw.framework.description) if fw.framework.description else None,
                          "sha256": view.info.methodology_sha256},
            "recipe": {"year": rec.year, "impute": rec.get("impute.method"), "treat": bool(rec.get("treat.enabled")),
                       "normalise": rec.get("normalise.method"), "weights": rec.get("weights.method"),
                       "aggregate": rec.get("aggregate.method")},
            "method_notes": notes if isinstance(notes, dict) else None,
            "method_notes_zh": notes_zh if isinstance(notes_zh, dict) else None,
            "ratings": view.meta()["ratings"], "tree": tree,
        }

    def download(self, ref: str | None, fmt: str) -> tuple[bytes, str, str]:
        """(content, media type, file name) of the edition's open data in ``fmt`` (csv, xlsx, json)."""
        if fmt not in DOWNLOAD_TYPES:
            raise DataError(f"unknown download format '{fmt}'", column="format", hint="formats: csv, xlsx, json")
        view = self.view(ref)
        files = view.cache.get("opendata", lambda: self._open_data(view.info.id))
        name = f"edition-{view.info.label}.{fmt}"
        return files[name], DOWNLOAD_TYPES[fmt], name

    def open_data_files(self, ref: str | None) -> dict[str, bytes]:
        view = self.view(ref)
        return view.cache.get("opendata", lambda: self._open_data(view.info.id))

    def _open_data(self, edition_id: int) -> dict[str, bytes]:
        with tempfile.TemporaryDirectory(prefix="nevindex-export-") as tmp:
            written = self._ed.export_edition(self.store, edition_id, tmp)
            return {name: (Path(tmp) / name).read_bytes() for name in written}

    def audit(self, ref: str | None, *, allow_draft: bool = False) -> dict[str, Any]:
        """The edition's stored audit tables (records; the per-run tables only by name) and rank intervals."""
        info = self.edition_info(ref, allow_draft=allow_draft)
        tables = self._ed.audit_tables(self.store, info.id)
        typed = self._ed.rank_intervals(self.store, info.id)
        intervals = typed.bounds() if typed is not None else None
        return {"edition": info.label, "status": info.status,
                "tables": {name: _records(frame) for name, frame in tables.items() if name not in PER_RUN_TABLES},
                "per_run_tables": sorted(name for name in tables if name in PER_RUN_TABLES),
                "rank_intervals": ({u: {"low": rank_int(lo), "high": rank_int(hi)} for u, (lo, hi) in intervals.items()}
                                   if intervals else None)}

    # -- administration -----------------------------------------------------------------------

    def all_editions(self) -> list[dict[str, Any]]:
        return self.editions(include_drafts=True)

    def datasets(self) -> list[dict[str, Any]]:
        return [{"id": d.id, "label": d.label, "sha256": d.sha256, "observations": d.n_observations,
                 "units": d.units, "columns": d.columns, "years": list(d.years)}
                for d in reversed(self._ed.list_datasets(self.store))]

    def import_data(self, path: Path, *, label: str, units_file: Path | None, actor: str) -> dict[str, Any]:
        info = self._ed.import_data(self.store, path, label=label, units_file=units_file, actor=actor)
        return {"id": info.id, "label": info.label, "sha256": info.sha256, "observations": info.n_observations,
                "units": info.units, "columns": info.columns, "years": list(info.years), "created": info.created}

    def create_edition(self, *, year: int, dataset: str, methodology: str | None, label: str | None,
                       actor: str) -> dict[str, Any]:
        meth: Any = methodology_source(methodology)
        info = self._ed.create_edition(self.store, year=year, methodology=meth, dataset=dataset, label=label,
                                       actor=actor)
        return _info_dict(info)

    def build_edition(self, ref: str, *, actor: str) -> dict[str, Any]:
        self._require_draft(ref)
        return _info_dict(self._ed.build_edition(self.store, ref, actor=actor))

    def audit_edition(self, ref: str, *, actor: str, runs: int = DEFAULT_RUNS) -> dict[str, Any]:
        """Run the statistical audit of a built draft (with rank intervals) and store its tables."""
        self._require_draft(ref)
        inputs = self._ed.edition_inputs(self.store, ref)
        from nevindex.workflows import audit_edition

        audit_edition(self.store, ref, default_spec(inputs.framework, runs=runs), actor=actor)
        return self.audit(ref, allow_draft=True)

    def publish(self, ref: str, *, actor: str) -> dict[str, Any]:
        info = self._ed.publish(self.store, ref, actor=actor)
        self._refs.clear()
        self.cache.clear()  # "latest" now means another edition
        self.generation += 1
        return _info_dict(info)

    def _require_draft(self, ref: str) -> None:
        self.edition_info(ref, allow_draft=True)  # 404 for unknown editions; the store refuses published ones


# --- small helpers -------------------------------------------------------------------------------


def methodology_source(methodology: str | None) -> Any:
    """A stored methodology id, or the shipped NEV methodology (the default)."""
    if methodology and methodology.strip().isdigit():
        return int(methodology)
    if methodology not in (None, "", "nev", "nev-2025"):
        raise DataError(f"unknown methodology '{methodology}'", column="methodology",
                        hint="give a stored methodology id or 'nev-2025' (the shipped one)")
    from nevindex.nev.edition import nev_framework

    return nev_framework()


def _info_dict(info: Any) -> dict[str, Any]:
    return {"label": info.label, "year": info.year, "status": info.status, "methodology": info.methodology,
            "dataset": info.dataset, "built": info.result_sha256 is not None, "result_sha256": info.result_sha256,
            "corrects": info.corrects, "created_by": info.created_by,
            "created_at": info.created_at.isoformat() if info.created_at else None,
            "published_at": info.published_at.isoformat() if info.published_at else None}


def _element(fw: Framework, code: str) -> str:
    chain = (code, *fw.ancestors(code))
    return chain[-2] if len(chain) >= 2 else chain[-1]


def _tree(fw: Framework, result: Result) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def visit(code: str, depth: int = 0) -> None:
        node = fw.nodes[code]
        out.append({"code": code, "name": names(node.name), "parent": node.parent, "level": fw.levels[code],
                    "depth": depth,
                    "weight": num(result.weights.get(code, node.weight)),
                    "kind": "indicator" if code in fw.indicator_codes else "aggregate"})
        for child in fw.children.get(code, ()):
            visit(child, depth + 1)

    visit(fw.root)
    return out


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for rec in frame.to_dict("records"):
        out.append({str(k): (num(v) if isinstance(v, (float, np.floating)) else
                             (v.item() if hasattr(v, "item") else v)) for k, v in rec.items()})
    return out


