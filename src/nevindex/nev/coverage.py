"""Coverage honesty: how much evidence stands behind each score, and which scores are rated.

Pure functions. Before building, :func:`unscored_indicators` says which indicators an edition
cannot score: those without a value, those observed for fewer than ``min_indicator_units`` brands
(too little evidence to compare brands on; shown as context only), and input ratios (meta ``kind:
input_ratio``) whose paired level measure (meta ``pair``) is not scored, so that no element can rest
on an input ratio alone. Over a :class:`~nevindex.result.Result`, every brand row reports its share of
indicators observed; every element score reports how many of its indicators were observed
(k of n). An element with fewer than ``min_element_indicators`` observed is *not rated*; a brand
whose index rests on fewer than ``min_elements`` rated elements or on less than
``min_unit_coverage`` of the indicators is *not rated* either: it keeps its element scores but gets
no index score, rank or rating. Scores shown are always the engine's; ranks are re-counted among
rated brands only. Values resting on flagged inputs are listed per brand: ``SCOPE`` (a group
figure standing in for the brand) and ``PROXY`` (converted with a declared stand-in exchange rate).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from nevindex.derive import is_flagged
from nevindex.framework import Framework
from nevindex.i18n.plural import count
from nevindex.methods.rank import rank_desc
from nevindex.result import Result

__all__ = ["CoverageRules", "coverage_note", "coverage_table", "elements_of", "scope_flags"]


@dataclass(frozen=True)
class CoverageRules:
    min_element_indicators: int = 1
    min_elements: int = 3
    min_unit_coverage: float = 0.2
    min_indicator_units: int = 1  # an indicator is scored in an edition when at least this many brands have it

    @classmethod
    def from_framework(cls, framework: Framework) -> CoverageRules:
        spec: Mapping[str, Any] = framework.framework.meta.get("coverage", {}) or {}
        return cls(
            min_element_indicators=int(spec.get("min_element_indicators", cls.min_element_indicators)),
            min_elements=int(spec.get("min_elements", cls.min_elements)),
            min_unit_coverage=float(spec.get("min_unit_coverage", cls.min_unit_coverage)),
            min_indicator_units=int(spec.get("min_indicator_units", cls.min_indicator_units)),
        )


INPUT_RATIO = "input_ratio"
NO_VALUE = "no value"
EMPTY_AGGREGATE = "left without a scored indicator"


def unscored_indicators(framework: Framework, counts: Mapping[str, int],
                        rules: CoverageRules | None = None) -> dict[str, str]:
    """The indicators an edition cannot score, each with its reason, in framework order.

    ``counts`` holds, per indicator, how many brands have a value in the edition year. An input
    ratio (``meta.kind: input_ratio``) is scored only together with its level measure
    (``meta.pair``): a small denominator must never decide an element on its own."""
    rules = rules or CoverageRules.from_framework(framework)
    out: dict[str, str] = {}
    for code in framework.indicator_codes:
        n = int(counts.get(code, 0))
        if n == 0:
            out[code] = NO_VALUE
        elif n < rules.min_indicator_units:
            out[code] = f"{n} brand{'s' if n != 1 else ''}, needs {rules.min_indicator_units}"
    for ind in framework.indicators:
        pair = ind.meta.get("pair")
        if ind.code not in out and ind.meta.get("kind") == INPUT_RATIO and pair in out:
            out[ind.code] = f"input ratio without its level measure {pair}"
    return {code: out[code] for code in framework.indicator_codes if code in out}


def elements_of(framework: Framework) -> tuple[str, ...]:
    """The top pillars (declared in meta.elements, else the root's children)."""
    declared = framework.framework.meta.get("elements")
    return tuple(declared) if declared else framework.children[framework.root]


def flagged_indicators(result: Result, flag: str = "scope") -> dict[str, tuple[str, ...]]:
    """Per unit, the indicators whose value in the result's year rests on an input carrying
    ``flag`` (``scope`` or ``proxy``, see :data:`nevindex.derive.FLAGS`)."""
    prov = result.dataset.provenance
    if prov is None or prov.empty:
        return {}
    rows = prov[(prov["year"] == result.year) & prov["column"].isin(result.indicators)]
    flags: dict[str, list[str]] = {}
    for rec in rows.to_dict("records"):
        if is_flagged(rec, flag):
            flags.setdefault(str(rec["unit"]), []).append(str(rec["column"]))
    order = {c: i for i, c in enumerate(result.indicators)}
    return {u: tuple(sorted(set(c), key=order.__getitem__)) for u, c in flags.items()}


def scope_flags(result: Result) -> dict[str, tuple[str, ...]]:
    """Per unit, the indicators whose value rests on a scope-flagged input (a group figure)."""
    return flagged_indicators(result, "scope")


def coverage_table(result: Result, rules: CoverageRules | None = None) -> pd.DataFrame:
    """One row per unit with data in the year: coverage, element scores with k/n, rated flags,
    published rank (among rated brands) and rating."""
    fw = result.framework
    rules = rules or CoverageRules.from_framework(fw)
    observed = ~np.isnan(result.denominated)  # rows: result.all_units; before any imputation
    row_of = {u: i for i, u in enumerate(result.units)}
    names = dict(zip(result.dataset.units, result.dataset.names, strict=True))
    scope, proxy = scope_flags(result), flagged_indicators(result, "proxy")
    n_ind = len(result.indicators)
    records: list[dict[str, Any]] = []
    for a, unit in enumerate(result.all_units):
        r = row_of.get(unit)
        k_all = int(observed[a].sum())
        rec: dict[str, Any] = {
            "unit": unit, "name": names.get(unit, unit), "year": result.year,
            "n_indicators": n_ind, "n_observed": k_all, "coverage": k_all / n_ind if n_ind else 0.0,
            "imputed": int(result.imputed_mask[r].sum()) if r is not None else 0,
            "scope": " ".join(scope.get(unit, ())), "proxy": " ".join(proxy.get(unit, ())),
        }
        rated_elements = 0
        for element in elements_of(fw):
            codes = fw.indicators_under(element) if element in fw.nodes else ()
            cols = [result.indicators.index(c) for c in codes]
            k = int(observed[a, cols].sum()) if cols else 0
            score = float(result.score(element)[r]) if (r is not None and element in result.aggregates) else np.nan
            rated = bool(k >= rules.min_element_indicators and not np.isnan(score))
            rated_elements += rated
            rec |= {f"{element}_score": score if rated else np.nan, f"{element}_observed": k,
                    f"{element}_indicators": len(codes), f"{element}_rated": rated}
        index = float(result.index[r]) if r is not None else np.nan
        reasons = []
        if rated_elements < rules.min_elements:
            reasons.append(f"{rated_elements} of {len(elements_of(fw))} elements rated (needs {rules.min_elements})")
        if rec["coverage"] < rules.min_unit_coverage:
            reasons.append(f"coverage {rec['coverage']:.0%} (needs {rules.min_unit_coverage:.0%})")
        if np.isnan(index):
            reasons.append("no index score")
        rated = not reasons
        rec |= {"elements_rated": rated_elements, "engine_index": index,
                "index": index if rated else np.nan, "rated": rated,
                "status": "rated" if rated else "not rated: " + "; ".join(reasons)}
        records.append(rec)
    table = pd.DataFrame(records)
    table["rank"] = rank_desc(table["index"].to_numpy(dtype=float)) if len(table) else []
    table["rating"] = [fw.rating(s) if ok else None for s, ok in zip(table["index"], table["rated"], strict=True)]
    order = np.lexsort((-table["coverage"].to_numpy(), np.nan_to_num(table["rank"].to_numpy(), nan=np.inf)))
    return table.iloc[order].reset_index(drop=True)


def coverage_note(result: Result, table: pd.DataFrame, suspended: tuple[str, ...] = (),
                  rules: CoverageRules | None = None) -> str:
    """One line: how much of the edition rests on data, and what was not rated or not scored.
    The reasons for suspended indicators come from the edition framework's ``meta.edition``."""
    rules = rules or CoverageRules.from_framework(result.framework)
    share = float(np.mean(~np.isnan(result.denominated))) if result.denominated.size else 0.0
    rule = f"≥{rules.min_elements} of {len(elements_of(result.framework))} elements"
    if rules.min_unit_coverage > 0:
        rule += f" and ≥{rules.min_unit_coverage:.0%} of {len(result.indicators)} indicators observed"
    # a brand counts as "with data" when at least one scored indicator is observed (not 0 % coverage)
    with_data = int((table["n_observed"] > 0).sum())
    empty = len(table) - with_data
    without = f" ({empty} more listed with none of the scored indicators)" if empty else ""
    parts = [
        f"{result.year} edition: {count(with_data, 'brand')} with data{without}, {int(table['rated'].sum())} rated ({rule})",
        f"{count(len(result.indicators), 'indicator')} scored, {share:.0%} of their values observed, "
        f"{int(table['imputed'].sum())} imputed",
    ]
    reasons = (result.framework.framework.meta.get("edition") or {}).get("reasons") or {}
    by_reason: dict[str, list[str]] = {}
    for code in suspended:
        by_reason.setdefault(reasons.get(code, NO_VALUE), []).append(code)
    if by_reason.get(NO_VALUE):
        parts.append(f"suspended (no data in {result.year}): {', '.join(by_reason.pop(NO_VALUE))}")
    thin = [f"{c} ({why})" for why, codes in by_reason.items() for c in codes if why != EMPTY_AGGREGATE]
    if thin:
        parts.append(f"shown as context, not scored: {', '.join(thin)}")
    if by_reason.get(EMPTY_AGGREGATE):
        parts.append(f"{EMPTY_AGGREGATE}: {', '.join(by_reason[EMPTY_AGGREGATE])}")
    scoped = int((table["scope"] != "").sum())
    if scoped:
        parts.append(f"† {count(scoped, 'brand')} use{'s' if scoped == 1 else ''} group-level (SCOPE) figures")
    proxied = int((table["proxy"] != "").sum()) if "proxy" in table else 0
    if proxied:
        parts.append(f"‡ {count(proxied, 'brand')} ha{'s' if proxied == 1 else 've'} values converted with a PROXY exchange rate")
    return "; ".join(parts) + "."
