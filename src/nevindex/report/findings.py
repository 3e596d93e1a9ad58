"""Generated text: the executive summary's key findings and the outstanding cases, from the model.

Cases are chosen by documented rules (docs/report.md, and printed in the report):
- ``largest_robust_gain``: the largest index gain among brands whose previous rank lies outside
  their current rank interval (needs the change decomposition and the audit); without an audit,
  ``largest_gain`` (the largest gain, marked "robustness not assessed");
- ``element_champion``: the largest lead of an element's leader over its runner-up;
- ``largest_fall``: the largest index loss, with the element that pulled it down most;
- ``balanced_profile``: among the top third by index, the smallest spread of element scores over the
  brand's scored elements (at least the coverage rule's number of elements).
Only rules that found a brand are announced in the report.
A brand is featured once; when a rule's pick is taken, its next candidate is used.
"""

from __future__ import annotations

import math
from typing import Any

from nevindex.insight.bounds import natural_text
from nevindex.report.contrasts import MIN_GAP, Contrast, home_vs_international, leaders_vs_rest
from nevindex.report.i18n import fmt_number, fmt_percent, fmt_rank, fmt_signed, load_catalogue
from nevindex.report.types import Case, ReportModel, UnitRow

__all__ = ["case_text", "cases", "findings"]


def _ranked(model: ReportModel) -> list[UnitRow]:
    return [u for u in model.units if math.isfinite(u.rank) and math.isfinite(u.score)]


def _main_contribution(model: ReportModel, unit: UnitRow) -> tuple[str, float]:
    """The element that moved the index most in the unit's direction of change."""
    assert unit.change is not None
    delta = unit.score - unit.change.previous_score
    parts = dict(unit.change.contributions)
    if not parts:
        return "", math.nan
    code = max(parts, key=lambda c: parts[c] * (1 if delta >= 0 else -1))
    return model.element(code).name if code in {e.code for e in model.elements} else code, parts[code]


def _comparable(units: list[UnitRow]) -> list[UnitRow]:
    """Brands with a change and a published score and rank in both editions (rated both years)."""
    return [u for u in units if u.change is not None and math.isfinite(u.change.previous_score)
            and math.isfinite(u.change.previous_rank)]


def _outside_interval(unit: UnitRow) -> bool | None:
    if unit.change is None or unit.interval is None:
        return None
    prev = unit.change.previous_rank
    return not (unit.interval.low <= prev <= unit.interval.high)


def cases(model: ReportModel) -> list[Case]:
    ranked = _ranked(model)
    taken: set[str] = set()
    out: list[Case] = []

    def pick(rule: str, candidates: list[tuple[UnitRow, dict]]) -> None:
        for unit, facts in candidates:
            if unit.code not in taken:
                taken.add(unit.code)
                out.append(Case(rule, unit.code, facts))
                return

    movers = [u for u in _comparable(ranked) if u.score > u.change.previous_score]  # type: ignore[union-attr]
    movers.sort(key=lambda u: (-(u.score - u.change.previous_score), u.name_en))  # type: ignore[union-attr]
    have_intervals = any(u.interval is not None for u in ranked)

    def move_facts(u: UnitRow) -> dict:
        element, part = _main_contribution(model, u)
        return {"delta": u.score - u.change.previous_score, "prev": u.change.previous_rank,  # type: ignore[union-attr]
                "rank": u.rank, "element": element, "part": part,
                "low": u.interval.low if u.interval else math.nan, "high": u.interval.high if u.interval else math.nan}

    if have_intervals:
        pick("largest_robust_gain", [(u, move_facts(u)) for u in movers if _outside_interval(u)])
    else:
        pick("largest_gain", [(u, move_facts(u)) for u in movers])

    champions = []
    for e in model.elements:
        by_score = sorted((u for u in ranked if math.isfinite(u.elements[e.code])),
                          key=lambda u: (-u.elements[e.code], u.name_en))
        if len(by_score) >= 2:
            lead = by_score[0].elements[e.code] - by_score[1].elements[e.code]
            champions.append((lead, e, by_score[0], by_score[1]))
    champions.sort(key=lambda c: (-c[0], c[1].code))
    pick("element_champion", [(u, {"element": e.name, "score": u.elements[e.code], "lead": lead,
                                   "second": second.name, "rank": u.rank, **_driver(model, u, e.code)})
                              for lead, e, u, second in champions])

    fallers = [u for u in _comparable(ranked) if u.score < u.change.previous_score]  # type: ignore[union-attr]
    fallers.sort(key=lambda u: ((u.score - u.change.previous_score), u.name_en))  # type: ignore[union-attr]
    pick("largest_fall", [(u, move_facts(u)) for u in fallers])

    top = ranked[: max(1, math.ceil(len(ranked) / 3))]
    need = int((model.rules or {}).get("min_elements", len(model.elements)))
    balanced = []
    for u in top:
        values = [v for v in u.elements.values() if math.isfinite(v)]
        if len(values) >= max(2, need):
            balanced.append((max(values) - min(values), u, min(values), max(values), len(values)))
    balanced.sort(key=lambda b: (b[0], b[1].rank))
    pick("balanced_profile", [(u, {"spread": spread, "min_score": lo, "max_score": hi, "rank": u.rank, "k": k})
                              for spread, u, lo, hi, k in balanced])
    return out


def _driver(model: ReportModel, unit: UnitRow, element: str) -> dict[str, Any]:
    """The indicator of ``element`` on which ``unit`` stands best: name, value in natural units, rank, n."""
    profile = next((p for p in model.profiles if p.unit.code == unit.code), None)
    codes = {x.code: x for x in model.indicators if x.element == element}
    lines = [x for x in (profile.indicators if profile else []) if x["code"] in codes and math.isfinite(x["rank"])]
    if not lines:
        return {"driver": "", "driver_value": "", "driver_rank": math.nan, "driver_n": 0}
    best = min(lines, key=lambda x: (x["rank"], -x["normalised"]))
    return {"driver": best["name"], "driver_value": natural_text(best["raw"], best["unit"], model.lang),
            "driver_rank": best["rank"], "driver_n": codes[best["code"]].scored}


def case_text(model: ReportModel, case: Case) -> str:
    cat = load_catalogue(model.lang)
    f = case.facts
    unit = model.unit(case.unit)
    values = {"brand": unit.name}
    for key, value in f.items():
        if key in ("prev", "rank", "low", "high", "driver_rank"):
            values[key] = fmt_rank(value)
        elif key in ("delta", "part", "lead"):
            # "gained 9.3 points", "lost 16.5 points": the verb carries the sign
            values[key] = fmt_number(abs(value)) if key in ("delta", "lead") else fmt_signed(value)
        elif isinstance(value, float):
            values[key] = fmt_number(value)
        else:
            values[key] = str(value)
    text = cat.t(f"cases.text.{case.rule}", **values)
    if f.get("driver"):
        text += ("" if model.lang == "zh" else " ") + cat.t("cases.driver", **values)
    return text


def _contrast_findings(model: ReportModel, t: Any) -> list[str]:
    """What sets the leaders apart (largest and smallest element gap) and where Chinese and
    international brands differ (per element, the medians of each group with their n)."""
    out = []
    names = {e.code: e.name for e in model.elements}
    k, gaps = leaders_vs_rest(model)
    if len(gaps) >= 2:
        big, small = gaps[0], gaps[-1]
        out.append(t("finding.leaders_apart", k=k, element=names[big.element], a=fmt_number(big.a),
                     b=fmt_number(big.b), gap=fmt_signed(big.gap), small=names[small.element],
                     small_gap=fmt_signed(small.gap)))
    home = home_vs_international(model)
    if home:
        ahead = [c for c in home if c.gap >= MIN_GAP]
        behind = [c for c in home if c.gap <= -MIN_GAP]
        level = [c for c in home if abs(c.gap) < MIN_GAP]

        def items(cs: list[Contrast], first_home: bool) -> str:
            return t("common.list_sep").join(
                t("finding.home_item", element=names[c.element], a=fmt_number(c.a if first_home else c.b),
                  b=fmt_number(c.b if first_home else c.a), n_a=c.n_a if first_home else c.n_b,
                  n_b=c.n_b if first_home else c.n_a) for c in sorted(cs, key=lambda c: -abs(c.gap)))

        if ahead:
            out.append(t("finding.home_ahead", items=items(ahead, True)))
        if behind:
            out.append(t("finding.home_behind", items=items(behind, False)))
        if level:
            out.append(t("finding.home_level", list=t("common.list_sep").join(names[c.element] for c in level),
                         gap=fmt_number(MIN_GAP, 0)))
    return out


def findings(model: ReportModel) -> list[str]:
    cat = load_catalogue(model.lang)
    t = cat.t
    ranked = _ranked(model)
    out: list[str] = []
    if len(ranked) >= 2:
        a, b = ranked[0], ranked[1]
        out.append(t("finding.leader", leader=a.name, year=model.year, score=fmt_number(a.score),
                     gap=fmt_number(a.score - b.score), second=b.name, score2=fmt_number(b.score)))
    out += _contrast_findings(model, t)
    if model.ratings:
        counts = [(band["label"], sum(u.rating == band["label"] for u in ranked)) for band in model.ratings]
        items = [t("finding.rating_item", label=label, n=n) for label, n in counts if n]
        if items:
            out.append(t("finding.ratings", distribution=t("common.list_sep").join(items)))
    leaders = []
    for e in model.elements:
        if e.leader:
            u = model.unit(e.leader)
            leaders.append(t("finding.element_item", element=e.name, brand=u.name, score=fmt_number(u.elements[e.code])))
    if leaders:
        out.append(t("finding.element_leaders", items=t("common.list_sep").join(leaders)))
    movers = _comparable(ranked)
    if movers:
        up = sum(u.rank < u.change.previous_rank for u in movers)  # type: ignore[union-attr]
        down = sum(u.rank > u.change.previous_rank for u in movers)  # type: ignore[union-attr]
        out.append(t("finding.moves", n=len(movers), up=up, down=down, same=len(movers) - up - down,
                     year=model.previous_year if model.previous_year is not None else ""))
        for key, best in (("gain", max(movers, key=lambda u: u.score - u.change.previous_score)),  # type: ignore[union-attr]
                          ("loss", min(movers, key=lambda u: u.score - u.change.previous_score))):  # type: ignore[union-attr]
            delta = best.score - best.change.previous_score  # type: ignore[union-attr]
            if (key == "gain") != (delta > 0):
                continue
            element, part = _main_contribution(model, best)
            sentence = t(f"finding.{key}", brand=best.name, delta=fmt_signed(delta), prev=fmt_rank(best.change.previous_rank),  # type: ignore[union-attr]
                         rank=fmt_rank(best.rank), element=element, part=fmt_signed(part))
            outside = _outside_interval(best)
            if outside is not None:
                sentence += " " + t("finding.move_robust" if outside else "finding.move_not_robust",
                                    low=fmt_rank(best.interval.low), high=fmt_rank(best.interval.high))  # type: ignore[union-attr]
            out.append(sentence)
    else:
        out.append(t("finding.no_change", reason=cat.reason(model.availability.change or "change.not_available")))
    with_interval = [u for u in ranked if u.interval is not None]
    if with_interval:
        width = 3
        narrow = sum((u.interval.high - u.interval.low) <= width for u in with_interval)  # type: ignore[union-attr]
        worst = max(with_interval, key=lambda u: (u.interval.high - u.interval.low, -u.rank))  # type: ignore[union-attr]
        out.append(t("finding.robust", n=narrow, total=len(with_interval), width=width, brand=worst.name,
                     low=fmt_rank(worst.interval.low), high=fmt_rank(worst.interval.high)))  # type: ignore[union-attr]
        lead = ranked[0]
        if lead.interval is not None:
            out.append(t("finding.top_robust") if lead.interval.high <= 1 else
                       t("finding.top_not_robust", high=fmt_rank(lead.interval.high)))
    else:
        out.append(t("finding.no_audit"))
    out.append(t("finding.coverage", pct=fmt_percent(model.coverage), imputed=len(model.imputed_cells)))
    return out
