"""What the public portal and API read: rankings, profiles, history, comparisons, what-if, methodology,
downloads and audit tables of published editions.

Everything is computed from an :class:`~nevindex.web._views.EditionView` and returned as JSON-safe
dicts (the shapes of :mod:`nevindex.web.schemas`); the expensive answers are kept per view.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nevindex.build import build
from nevindex.errors import NotFoundError
from nevindex.framework import Framework
from nevindex.insight.bounds import bounds, format_natural, natural_text
from nevindex.result import Result
from nevindex.web._editions import EditionAccess
from nevindex.web._errors import ParameterError
from nevindex.web._plausible import plausible_range
from nevindex.web._ranking import RankingQuery, ranking_page
from nevindex.web._units import natural_label, to_scored
from nevindex.web._views import EditionView, element_of, names, num, rank_int

DOWNLOAD_TYPES = {"csv": "text/csv; charset=utf-8",
                  "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  "json": "application/json", "methodology.yaml": "application/yaml; charset=utf-8"}
MAX_WHATIF_CHANGES = 50
#: Per-run audit tables (stored by the store; reproducible from spec and seed): not served by the API.
PER_RUN_TABLES = frozenset({"run_scores", "run_ranks", "weight_sets"})

__all__ = ["DOWNLOAD_TYPES", "MAX_WHATIF_CHANGES", "PER_RUN_TABLES", "PortalReads"]


class PortalReads(EditionAccess):
    """The read side of the portal (no method here changes the store)."""

    def ranking(self, ref: str | None, query: RankingQuery, lang: str = "en") -> dict[str, Any]:
        view = self.view(ref)
        return {"edition_meta": view.meta(), **ranking_page(view, query, lang)}

    def brand(self, ref: str | None, code: str, *, peers: str | None = None) -> dict[str, Any]:
        """The brand's profile (insight), with names in both languages and its history."""
        view = self.view(ref)
        view.row(code)  # 404 with a hint before any work
        if peers is not None and peers not in view.groups:
            raise ParameterError(f"unknown peer group column '{peers}'", parameter="peers",
                            hint="group columns: " + (", ".join(view.groups) or "none"))
        return view.cache.get(("brand", code, peers), lambda: self._brand(view, code, peers))

    def _brand(self, view: EditionView, code: str, peers: str | None) -> dict[str, Any]:
        from nevindex.insight.profile import profile

        earlier = [self.view(e.label) for e in self._ed.history_editions(self.store, view.info.id)[:-1]]
        history = [(v.info.label, v.result) for v in earlier if code in v.result.units]
        prof = profile(view.result, code, peers=peers, intervals=view.intervals, history=history,
                       edition=view.info.label)
        data = prof.to_dict()
        fw = view.framework
        data["brand_names"] = view.unit_names(code)
        data["row"] = view.row(code)
        # one key per thing: ``names`` (every node, both languages) and ``elements`` (the root's
        # children); the aggregates below the elements are ``sub_aggregates`` (``aggregates`` repeated
        # the elements and ``node_names`` repeated ``names``: both dropped, see docs/portal.md)
        element_codes = set(view.elements)
        data["sub_aggregates"] = [a for a in data.pop("aggregates") if a["code"] not in element_codes]
        data["edition"] = view.info.label
        peer_rows = (data.get("peers") or {}).get("rows") or []
        data["peer_names"] = {r["unit"]: view.unit_names(r["unit"]) for r in peer_rows}
        data["indicator_meta"] = {i.code: {"direction": i.direction, "unit": i.unit, "element": element_of(fw, i.code)}
                                  for i in fw.indicators}
        data["medians"] = {e: num(np.nanmedian(view.result.score(e))) if np.isfinite(view.result.score(e)).any()
                           else None for e in view.elements}
        return data

    def history(self, code: str) -> dict[str, Any]:
        """The brand's stored index, rank and rating over the latest edition's history, oldest first
        (:func:`nevindex.store.queries.brand_history`: the CLI and the report read the same)."""
        points = self._ed.brand_history(self.store, code)
        if not points:
            raise NotFoundError(f"no brand '{code}' in any published edition")
        views = {p.label: self.view(p.label) for p in points}
        # n_units: brands in the edition's ranking table; n_ranked: those with a rank ("rank 3 of n")
        return {"brand": code, "name": views[points[-1].label].row(code)["name"], "points": [
            {"edition": p.label, "year": p.year, "score": num(p.score), "rank": rank_int(p.rank),
             "n_units": len(views[p.label].rows), "n_ranked": p.n_ranked, "rating": p.rating,
             "elements": {e: num(v) for e, v in p.elements.items()}} for p in points]}

    def compare(self, ref: str | None, codes: Sequence[str]) -> dict[str, Any]:
        """Two to four brands side by side: index, rank, rating, elements, every indicator."""
        unique = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
        if not 2 <= len(unique) <= 4:
            raise ParameterError(f"compare needs 2 to 4 different brands, got {len(unique)}", parameter="brands")
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
                               "element": element_of(fw, ind.code), "values": values})
        return {"edition": view.info.label, "elements": [{"code": e, "name": names(fw.nodes[e].name)}
                                                          for e in view.elements],
                "brands": rows, "indicators": indicators}

    def whatif(self, ref: str | None, code: str, changes: Mapping[str, float], *, natural: bool = False) -> dict[str, Any]:
        """Rebuild the edition with the brand's indicator values changed; its new scores and rank.

        Everything else (other brands, methodology, recipe) is as published, so the difference is
        the effect of the changes alone, with normalisation bounds and aggregation honoured. With
        ``natural`` the values are in natural units (vehicles, not log10 vehicles) and converted."""
        view = self.view(ref)
        view.row(code)
        res = view.result
        fw = view.framework
        if not changes:
            raise ParameterError("give at least one indicator value to change", parameter="changes")
        if len(changes) > MAX_WHATIF_CHANGES:
            raise ParameterError(f"at most {MAX_WHATIF_CHANGES} changes at once", parameter="changes")
        data = res.dataset
        for ind, value in changes.items():
            if ind not in fw.indicator_codes:
                from nevindex.recipe import nearest

                hint = nearest(ind, fw.indicator_codes)
                raise ParameterError(f"unknown indicator '{ind}'", parameter="changes",
                                hint=f"did you mean '{hint}'?" if hint else None)
            if value is None or not math.isfinite(float(value)):
                raise ParameterError(f"the new value of '{ind}' must be a finite number", parameter=f"changes.{ind}",
                                     status=422)
            typed = float(value)
            if natural:
                value = to_scored(typed, fw.nodes[ind].unit or "", f"changes.{ind}")
            low, high = _plausible(res, ind)
            if not low <= float(value) <= high:
                unit = fw.nodes[ind].unit or ""
                shown = (f"{typed:g} is outside the plausible range of '{ind}' ({natural_label(unit) or 'no unit'}): "
                         f"{natural_text(low, unit)} to {natural_text(high, unit)}") if natural else (
                    f"{typed:g} is outside the plausible range of '{ind}' ({_unit(fw, ind)}): {low:g} to {high:g}")
                raise ParameterError(
                    shown, parameter=f"changes.{ind}", status=422,
                    hint="the range spans the values of this edition and the methodology's goalposts, "
                         "widened by ten times their width on each side")
            data = data.with_value(code, ind, float(value), year=res.year)
        new = build(fw, data, res.recipe, year=res.year)
        i_old = res.units.index(code)
        if code not in new.units:
            raise ParameterError(f"with these values brand '{code}' is screened out of the build", parameter="changes")
        i = new.units.index(code)
        col = {c: k for k, c in enumerate(fw.display_order)}
        score = num(new.index[i])
        return {
            "edition": view.info.label, "brand": code, "changes": {k: float(v) for k, v in changes.items()},
            "units": "natural" if natural else "scored",
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
            {"code": i.code, "name": names(i.name), "parent": i.parent, "element": element_of(fw, i.code),
             "element_name": names(fw.nodes[element_of(fw, i.code)].name),
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
            "recipe": {"year": view.result.year, "impute": rec.impute.method, "treat": rec.treat.method != "none",
                       "normalise": rec.get("normalise.method"), "weights": rec.get("weights.method"),
                       "aggregate": rec.get("aggregate.method")},
            "method_notes": notes if isinstance(notes, dict) else None,
            "method_notes_zh": notes_zh if isinstance(notes_zh, dict) else None,
            "ratings": view.meta()["ratings"], "tree": tree,
            "goalposts": self.goalposts(ref, "en"),  # natural units; the page asks for its language
        }

    def goalposts(self, ref: str | None, lang: str = "en") -> list[dict[str, Any]]:
        """Every indicator's goalposts in natural units (:func:`nevindex.insight.bounds.bounds`), with
        the text of each bound in ``lang``, the bound that scores 0 and the one that scores 100, and the
        number of brands with a value in this edition."""
        view = self.view(ref)
        res = view.result
        raw = np.asarray(res.raw, dtype=float)[[res.all_units.index(u) for u in res.units]]  # the scored brands
        counts = {c: int(np.isfinite(raw[:, j]).sum()) for j, c in enumerate(res.framework.indicator_codes)}
        out = []
        for b in bounds(res.framework, counts, lang=lang):
            lo = format_natural(b.lower, b.unit, lang) if b.lower is not None else None
            hi = format_natural(b.upper, b.unit, lang) if b.upper is not None else None
            worst, best = (lo, hi) if b.direction >= 0 else (hi, lo)
            out.append({"indicator": b.indicator, "name": b.name, "unit": b.unit, "scored_unit": b.scored_unit,
                        "log": b.log, "direction": b.direction, "lower": num(b.lower), "upper": num(b.upper),
                        "score_0_at": worst, "score_100_at": best, "n": b.n})
        return out

    def download(self, ref: str | None, fmt: str) -> tuple[bytes, str, str]:
        """(content, media type, file name) of the edition's open data in ``fmt`` (csv, xlsx, json)."""
        if fmt not in DOWNLOAD_TYPES:
            raise ParameterError(f"unknown download format '{fmt}'", parameter="format",
                                 hint="formats: " + ", ".join(DOWNLOAD_TYPES))
        view = self.view(ref)
        files = view.cache.get("opendata", lambda: self._open_data(view.info.id))
        name = f"edition-{view.info.label}{'-' if fmt == 'methodology.yaml' else '.'}{fmt}"
        return files[name], DOWNLOAD_TYPES[fmt], name

    def receipt(self, ref: str | None) -> dict[str, Any]:
        """The signed receipt of a published edition (as the store holds it; 404 if it has none)."""
        return self._ed.stored_receipt(self.store, self.published_info(ref).id)  # type: ignore[no-any-return]

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

def _plausible(res: Result, indicator: str) -> tuple[float, float]:
    j = res.framework.indicator_codes.index(indicator)
    norm = res.framework.nodes[indicator].params.get("normalise") or {}
    goalposts = ((norm.get("lower"), norm.get("upper")) if norm.get("method") == "goalposts" else None)
    return plausible_range(np.asarray(res.raw[:, j], dtype=float).tolist(), goalposts)


def _unit(fw: Framework, indicator: str) -> str:
    return fw.nodes[indicator].unit or "no unit"


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
