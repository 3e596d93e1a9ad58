"""The report model: everything the report prints, as plain dataclasses, assembled from an edition.

A Result is required; the rest is optional (previous editions, audit, insight, change
decomposition) so the report works with whatever is available and *says* what is missing
("audit not run for this edition") instead of leaving a section silently empty. The adapters in
:mod:`nevindex.report.sources` turn the other areas' outputs into the small views of
:mod:`nevindex.report.types` (re-exported here).

Numbers stay numbers here (full precision); rounding happens in the templates. Text that depends on
the language (names) is resolved here; sentences are generated in :mod:`nevindex.report.findings`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from nevindex.audit.coherence import pairwise
from nevindex.framework import meta_text
from nevindex.insight.bounds import bounds
from nevindex.methods.rank import rank_desc
from nevindex.report.findings import case_text, cases, findings
from nevindex.report.publishers import publishers_by_column
from nevindex.report.types import (
    AuditView,
    Availability,
    Case,
    ChangeView,
    ElementInfo,
    IndicatorInfo,
    LeverView,
    NodeInfo,
    Profile,
    RankInterval,
    RatedCoherence,
    ReportModel,
    Standing,
    UnitRow,
)
from nevindex.result import Result

__all__ = ["DIMENSIONS", "AuditView", "Availability", "Case", "ChangeView", "ElementInfo", "IndicatorInfo",
           "LeverView", "NodeInfo", "Profile", "RankInterval", "RatedCoherence", "ReportModel", "Standing", "UnitRow", "build_model",
           "element_of_indicator", "elements_of", "indicator_unit", "unit_display_names"]

#: Unit attribute holding the Chinese brand name (as in the NEV brands table).
ZH_NAME_ATTRIBUTES = ("name_zh", "zh_name", "name_cn")
#: Indicator meta keys the report reads (methodology file, ``meta:``).
META_ELEMENT, META_DIMENSION, META_SOURCE, META_JUSTIFICATION = "element", "dimension", "source", "justification"
#: Distinct sources listed per indicator in the data annex (the rest are counted).
SOURCES_SHOWN = 4
#: The five ISO 20671 output dimensions, in the standard's order.
DIMENSIONS = ("legal", "customer", "market", "economic_political", "financial")


# --- building ---------------------------------------------------------------------------------------


def unit_display_names(result: Result, lang: str) -> dict[str, str]:
    """Brand names in the report's language: the Chinese name where the data knows it."""
    ds = result.dataset
    names = dict(zip(ds.units, ds.names, strict=True))
    if lang == "zh":
        for attr in ZH_NAME_ATTRIBUTES:
            if attr in ds.attributes:
                for unit, zh in zip(ds.units, ds.attribute(attr), strict=True):
                    if zh:
                        names[unit] = str(zh)
                break
    return {u: names[u] for u in result.units}


def elements_of(result: Result) -> tuple[str, ...]:
    """The root's children: the five ISO 20671 elements in the NEV framework."""
    fw = result.framework
    return fw.children[fw.root]


def element_of_indicator(result: Result, code: str) -> str:
    fw = result.framework
    chain = (code, *fw.ancestors(code))
    elements = set(elements_of(result))
    return next((c for c in chain if c in elements), fw.nodes[code].parent or "")


def _share(result: Result, code: str) -> float:
    fw = result.framework
    parent = fw.nodes[code].parent
    if parent is None:
        return 1.0
    total = sum(result.weights[s] for s in fw.children[parent])
    return result.weights[code] / total if total else math.nan


def _bands(result: Result) -> list[dict[str, Any]]:
    fw = result.framework
    return [{"label": b.label, "min": b.min,
             "description": b.description.model_dump() if b.description is not None else None}
            for b in sorted(fw.ratings, key=lambda b: -b.min)]


def _sources_by_column(result: Result) -> dict[str, list[str]]:
    """The publishers behind each column's values in this edition (derived columns: their inputs')."""
    return publishers_by_column(result.dataset.provenance, result.year, result.units)


def _indicators(result: Result, lang: str) -> list[IndicatorInfo]:
    fw = result.framework
    sources = _sources_by_column(result)
    observed = np.sum(~np.isnan(result.screened), axis=0)
    imputed = np.sum(result.imputed_mask, axis=0)
    scored = np.sum(~np.isnan(result.normalised), axis=0)
    out = []
    for j, code in enumerate(fw.indicator_codes):
        ind = fw.nodes[code]
        meta = ind.meta or {}
        out.append(IndicatorInfo(
            code=code, name=ind.name.get(lang), weight=result.weights[code], share=_share(result, code),
            element=element_of_indicator(result, code), unit=indicator_unit(ind, lang),
            direction=getattr(ind, "direction", 1), dimension=meta.get(META_DIMENSION),
            source=_localised(meta.get(META_SOURCE), lang), justification=_localised(meta_text(meta, META_JUSTIFICATION, lang), lang),
            observed=int(observed[j]), imputed=int(imputed[j]), scored=int(scored[j]),
            sources=sources.get(code, [])[:SOURCES_SHOWN], more_sources=max(0, len(sources.get(code, [])) - SOURCES_SHOWN)))
    return out


def indicator_unit(ind: Any, lang: str) -> str:
    """The indicator's unit in ``lang`` (``meta.unit_zh`` for Chinese), else the English ``unit``."""
    return str(meta_text(getattr(ind, "meta", None), "unit", lang) or getattr(ind, "unit", "") or "")


def _localised(value: Any, lang: str) -> str:
    if isinstance(value, Mapping):
        return str(value.get(lang) or value.get("en") or "")
    return "" if value is None else str(value)


def _unit_rows(result: Result, lang: str, audit: AuditView | None, change: Mapping[str, ChangeView] | None,
               coverage: pd.DataFrame | None = None) -> list[UnitRow]:
    """One row per scored unit. With a coverage table (the NEV methodology's rules), the published
    index, rank and rating are the table's: brands below the rules keep element scores but are unrated."""
    fw = result.framework
    names = unit_display_names(result, lang)
    names_en = unit_display_names(result, "en")
    bands = [b["label"] for b in _bands(result)]
    elements = elements_of(result)
    cov = result.coverage()
    published = coverage.set_index("unit").to_dict("index") if coverage is not None else {}
    countries = dict(zip(result.dataset.units, result.dataset.attribute("country"), strict=True)) \
        if "country" in result.dataset.attributes else {}
    rows = []
    for i, unit in enumerate(result.units):
        raw_row = result.all_units.index(unit)
        observed = int(np.sum(np.isfinite(np.asarray(result.raw[raw_row], dtype=float))))
        score, rank = float(result.index[i]), float(result.rank[i])
        rating = fw.rating(score) if fw.ratings and math.isfinite(score) else None
        rated, share, scope = True, float(cov[i]), ""
        if unit in published:
            row = published[unit]
            rated = bool(row.get("rated", True))
            score = float(row["index"]) if rated else math.nan
            rank = float(row["rank"]) if rated else math.nan
            rating = str(row["rating"]) if rated and isinstance(row.get("rating"), str) and row["rating"] else None
            share = float(row.get("coverage", share))
            scope = str(row.get("scope") or "") if isinstance(row.get("scope"), str) else ""
        rows.append(UnitRow(
            code=unit, name=names[unit], name_en=names_en[unit], score=score, rank=rank,
            rating=rating, band=bands.index(rating) if rating in bands else len(bands),
            coverage=share,
            elements={e: float(result.score(e)[i]) for e in elements},
            element_ranks={e: float(result.ranks[i, result.aggregates.index(e)]) for e in elements},
            interval=(audit.intervals or {}).get(unit) if audit and rated else None,
            change=(change or {}).get(unit) if rated else None, rated=rated, scope=scope,
            country=str(countries.get(unit) or "") if isinstance(countries.get(unit), str) else "",
            observed=observed))
    rows.sort(key=lambda r: (not r.rated, r.rank if math.isfinite(r.rank) else math.inf, -r.coverage, r.name_en))
    return rows


def _standings(result: Result, unit: str, lines: list[dict[str, Any]], k: int = 3) -> tuple[list[Standing],
                                                                                          list[Standing]]:
    """The unit's strengths and weaknesses among all scored units, by the one rule of
    :mod:`nevindex.insight.standing` (top third / bottom third, n ≥ 5), so the report, the portal and
    ``nevindex profile`` list the same indicators."""
    from nevindex.insight.standing import strengths_weaknesses

    sw = strengths_weaknesses(result, unit, top=k)
    by_code = {x["code"]: x for x in lines}

    def view(items: Any) -> list[Standing]:
        return [Standing(s.code, by_code[s.code]["name"], s.rank, s.score, by_code[s.code]["raw"],
                         by_code[s.code]["unit"], by_code[s.code]["imputed"]) for s in items]

    return view(sw.indicator_strengths), view(sw.indicator_weaknesses)


def _profile_indicators(result: Result, i: int, lang: str) -> list[dict[str, Any]]:
    fw = result.framework
    ranks = rank_desc(result.normalised, axis=0)
    raw_row = result.all_units.index(result.units[i])
    return [{"code": c, "name": fw.nodes[c].name.get(lang), "unit": indicator_unit(fw.nodes[c], lang),
             "raw": float(result.raw[raw_row, j]), "imputed": bool(result.imputed_mask[i, j]),
             "normalised": float(result.normalised[i, j]), "rank": float(ranks[i, j])}
            for j, c in enumerate(fw.indicator_codes)]


def _imputed_cells(result: Result, names: Mapping[str, str], lang: str) -> list[dict[str, Any]]:
    fw = result.framework
    rows = np.argwhere(np.asarray(result.imputed_mask))
    return [{"unit": names[result.units[i]], "indicator": fw.nodes[fw.indicator_codes[j]].name.get(lang),
             "value": float(result.imputed[i, j])} for i, j in rows]


def _methods(result: Result, lang: str) -> dict[str, Any]:
    r = result.recipe
    by_level = {int(k): v.method for k, v in r.aggregate.by_level.items()}
    by_node = {k: v.method for k, v in r.aggregate.by_node.items()}
    # where a missing child is not simply skipped (median or lower quartile instead): recipe-wide, by level, by node
    agg = r.aggregate
    missing: list[dict[str, Any]] = [{"how": agg.missing}] if agg.missing_children != "reweight" else []
    missing += [{"how": v.missing, "level": int(k)} for k, v in sorted(agg.by_level.items())
                if v.missing_children != "reweight"]
    missing += [{"how": v.missing, "node": result.framework.nodes[k].name.get(lang)}
                for k, v in agg.by_node.items() if v.missing_children != "reweight"]
    return {
        "normalise": r.normalise.method, "normalise_params": dict(r.normalise.params),
        "aggregate": r.aggregate.method, "aggregate_by_level": by_level, "aggregate_by_node": by_node,
        "aggregate_missing": missing,
        "min_present": r.aggregate.min_present,
        "impute": r.impute.method, "impute_group": r.impute.group,
        "treat": r.treat.method != "none", "skew_max": r.treat.skew_max, "kurt_max": r.treat.kurt_max,
        "winmax": r.treat.winmax,
        "treated": [t.indicator for t in result.treatment if t.status in ("winsorised", "log")],
        "weights": r.weights.method, "weight_set": r.weights.set,
        "screen": r.screen.method != "none" and r.screen.min_observed > 0, "min_observed": r.screen.min_observed,
        "denominate": r.denominate.method != "none" and any(getattr(n, "denominator", None)
                                                   for n in result.framework.indicators),
        "screened_out": [u for u in result.all_units if u not in result.units],
    }


def _correlations(result: Result, lang: str) -> tuple[tuple[str, ...], Any]:
    """Pearson correlations of the index and its elements, pairwise complete (a display, not the audit)."""
    fw = result.framework
    codes = (fw.root, *elements_of(result))
    data = pd.DataFrame({c: np.asarray(result.score(c), dtype=float) for c in codes}, columns=list(codes))
    return tuple(fw.nodes[c].name.get(lang) for c in codes), pairwise(data)[0].to_numpy()


def build_model(result: Result, lang: str = "en", *, edition: Mapping[str, Any] | None = None,
                audit: AuditView | None = None, levers: Mapping[str, Sequence[LeverView]] | None = None,
                change: Mapping[str, ChangeView] | None = None, previous_year: int | None = None,
                history: Mapping[str, Sequence[tuple[int, float, float]]] | None = None,
                availability: Availability | None = None, coverage: pd.DataFrame | None = None,
                rules: Mapping[str, Any] | None = None) -> ReportModel:
    """Assemble the report model. Missing optional inputs are recorded in ``availability``."""
    fw = result.framework
    avail = availability or Availability()
    if audit is None and avail.audit is None:
        avail = _replace(avail, audit="audit.not_run")
    if levers is None and avail.insight is None:
        avail = _replace(avail, insight="insight.not_run")
    if change is None and avail.change is None:
        avail = _replace(avail, change="change.not_available")
    indicators = _indicators(result, lang)
    units = _unit_rows(result, lang, audit, change, coverage)
    elements = []
    for code in elements_of(result):
        node = fw.nodes[code]
        leader = min((u for u in units if math.isfinite(u.element_ranks[code])),
                     key=lambda u: (u.element_ranks[code], u.name_en), default=None)
        elements.append(ElementInfo(code=code, name=node.name.get(lang), weight=result.weights[code],
                                    share=_share(result, code),
                                    description=_localised((node.meta or {}).get("description"), lang),
                                    indicators=[x for x in indicators if x.element == code],
                                    leader=leader.code if leader else ""))
    median = {e.code: float(np.nanmedian([u.elements[e.code] for u in units])) for e in elements}
    rated_scores = [u.score for u in units if math.isfinite(u.score)]
    median[fw.root] = float(np.median(rated_scores)) if rated_scores else math.nan
    index_of = {u: i for i, u in enumerate(result.units)}
    profiles = []
    for row in units:
        i = index_of[row.code]
        lines = _profile_indicators(result, i, lang)
        best, worst = _standings(result, row.code, lines)
        hist = list((history or {}).get(row.code, ()))
        if not any(y == result.year for y, _, _ in hist):
            hist.append((result.year, row.score, row.rank))
        profiles.append(Profile(unit=row, strengths=best, weaknesses=worst,
                                levers=list(levers.get(row.code, ())) if levers is not None else None,
                                history=sorted(hist), indicators=lines))
    if audit is not None and audit.correlations is not None:
        corr, from_audit = audit.correlations, True
    else:
        corr, from_audit = _correlations(result, lang), False
    names = {u.code: u.name for u in units}
    info = fw.framework
    present = np.isfinite(np.column_stack([result.score(c) for c in (fw.root, *elements_of(result))]))
    corr_n = present.T.astype(int) @ present.astype(int)
    model = ReportModel(
        lang=lang, year=result.year,
        edition={"label": str(result.year), "status": "draft", **dict(edition or {})},
        framework={"code": info.code, "version": info.version, "name": info.name.get(lang),
                   "description": info.description.get(lang) if info.description else "",
                   "root": fw.root, "root_name": fw.nodes[fw.root].name.get(lang),
                   "node_names": {c: n.name.get(lang) for c, n in fw.nodes.items()},
                   "hashes": {**result.hashes, "result": result.content_sha256()},
                   "levels": {k: v.get(lang) for k, v in info.level_names.items()},
                   "method_notes": _method_notes(info.meta, lang),
                   "coherence_notes": dict(meta_text(info.meta, "coherence_notes", lang) or {})},
        elements=elements, indicators=indicators, units=units, median=median, ratings=_bands(result),
        methods=_methods(result, lang), profiles=profiles, audit=audit, availability=avail,
        imputed_cells=_imputed_cells(result, names, lang),
        coverage=float(np.mean(~np.isnan(result.screened))) if result.screened.size else 0.0,
        correlations=corr, correlations_from_audit=from_audit, correlation_n=corr_n, previous_year=previous_year,
        rules=dict(rules) if rules else None)
    model.bounds = bounds(fw, {x.code: x.observed for x in indicators}, lang)
    model.cases = cases(model)
    for case in model.cases:
        case.text = case_text(model, case)
    model.findings = findings(model)
    return model


def _method_notes(meta: Mapping[str, Any], lang: str) -> list[tuple[str, str]]:
    """The methodology file's own reasons for each choice (``framework.meta.method_notes``, Chinese in
    ``method_notes_zh``; the coverage rule's ``reason`` last): text in the report's language where it
    exists, else the English (a plain string counts as English)."""
    notes = meta.get("method_notes")
    if not isinstance(notes, Mapping):
        return []
    translated = meta.get("method_notes_zh") if lang == "zh" else None
    translated = translated if isinstance(translated, Mapping) else {}
    coverage = meta.get("coverage")
    items = list(notes.items())
    if isinstance(coverage, Mapping) and coverage.get("reason"):
        items.append(("coverage", meta_text(coverage, "reason", lang)))
    out = []
    for key, value in items:
        text = translated.get(key) or (value.get(lang) or value.get("en") if isinstance(value, Mapping) else value)
        if text:
            out.append((str(key), " ".join(str(text).split())))
    return out


def _replace(avail: Availability, **changes: str | None) -> Availability:
    from dataclasses import replace

    return replace(avail, **changes)
