"""Generate the tables of docs/methodology.md from the methodology file and the shipped data.

The chapter's prose is written by hand; everything a reviewer would check against the file
(indicators, derivations, method choices, bands, rules, rates, coverage counts, editions) sits
between ``<!-- BEGIN GENERATED: name -->`` and ``<!-- END GENERATED: name -->`` markers and is
rewritten by ``python -m nevindex.nev.docs [PATH]`` (``--check`` exits 1 if the file is stale),
so doc and file cannot drift apart; a test runs the check.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from nevindex.derive import input_columns
from nevindex.framework import Framework
from nevindex.i18n import numbers
from nevindex.nev import changes
from nevindex.nev.coherence import rated_coherence
from nevindex.nev.coverage import CoverageRules, elements_of, unscored_indicators
from nevindex.nev.data import fx_monthly_table, fx_proxy_rates, fx_rates_table
from nevindex.nev.edition import EDITIONS, build_edition, nev_dataset, nev_framework, observed_counts

__all__ = ["DEFAULT_PATH", "MARKER", "SECTIONS", "coverage_rules_section", "derivations_section",
           "editions_section", "fx_section", "indicators_section", "main", "ratings_section",
           "recipe_section", "render_sections", "update_document"]


DEFAULT_PATH = Path("docs/methodology.md")
MARKER = re.compile(r"(<!-- BEGIN GENERATED: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- END GENERATED: (?P=name) -->)",
                    re.DOTALL)


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ").strip()


def _table(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _element_and_pillar(fw: Framework, code: str) -> str:
    chain = [fw.nodes[a].name.en for a in reversed(fw.ancestors(code)) if a != fw.root]
    return " → ".join(chain)


def indicators_section(fw: Framework) -> str:
    data = nev_dataset()
    counts = {y: observed_counts(fw, data, y) for y in EDITIONS}
    unscored = {y: unscored_indicators(fw, counts[y]) for y in EDITIONS}
    dims = fw.framework.meta.get("dimensions", {})
    rows = []
    for ind in fw.indicators:
        gp = ind.params.get("normalise", {})
        goal = f"{numbers.general(gp['lower'])} … {numbers.general(gp['upper'])}" if "lower" in gp else ""
        dim = ind.meta.get("dimension", "")
        rows.append([f"`{ind.code}`", ind.name.en, ind.name.zh, _element_and_pillar(fw, ind.code),
                     dims.get(dim, {}).get("en", dim), ind.unit, "+1" if ind.direction > 0 else "−1", goal,
                     *(f"{counts[y][ind.code]}" + (" ◦" if ind.code in unscored[y] else "") for y in EDITIONS)])
    head = ["code", "name", "名称", "element → sub-pillar", "dimension", "unit", "dir.", "goalposts",
            *(f"n {y}" for y in EDITIONS)]
    table1 = _table(head, rows)
    table2 = _table(["code", "derivation", "justification", "source", "data year"],
                    [[f"`{i.code}`", i.meta.get("derivation", ""), i.meta.get("justification", ""),
                      i.meta.get("source", ""), i.meta.get("year", "")] for i in fw.indicators])
    n_units = len(data.units)
    return (f"Table 1 — indicators ({len(fw.indicators)}); *n YEAR* = brands (of {n_units}) with a value in that "
            "edition year after derivation; ◦ = not scored in that edition (shown as context: fewer than "
            f"{CoverageRules.from_framework(fw).min_indicator_units} brands, or an input ratio without its level).\n\n"
            + table1 +
            "\nTable 2 — derivation, justification, source and data year of each indicator.\n\n" + table2)


def _settings(spec: Mapping[str, Any]) -> str:
    skip = {"code", "op", "name", "unit", "note", "inputs", "input", "numerator", "denominator", "rate", "subtract",
            "cells"}
    parts = []
    for key, value in spec.items():
        if key not in skip:
            parts.append(f"{key}={value}")
    if "cells" in spec:
        parts.append("only " + ", ".join(f"{u} {'/'.join(map(str, ys))}" for u, ys in spec["cells"].items()))
    if spec.get("op") == "coalesce":
        for item in spec["inputs"]:
            if isinstance(item, Mapping) and "units" in item:
                parts.append(f"{item['column']} only for: {', '.join(item['units'])}")
    return "; ".join(parts)


def derivations_section(fw: Framework) -> str:
    def formula(spec: Mapping[str, Any]) -> str:
        op = spec["op"]
        if op == "ratio":
            pairs = [f"{n} / {d}" for n, d in zip(_list(spec["numerator"]), _list(spec["denominator"]), strict=True)]
            return " else ".join(pairs) + (f" × {numbers.general(spec['scale'])}" if spec.get("scale", 1) != 1 else "")
        if op == "convert_currency":
            return f"{spec['input']} / {spec['rate']}"
        if op == "growth":
            return f"(x_t / x_t−{spec.get('lag', 1)} − 1) × {numbers.general(spec.get('scale', 100))}, x = first of " + \
                ", ".join(_list(spec["input"]))
        if op == "log10":
            return f"log10({spec['input']})"
        if op == "sum":
            return " + ".join(_list(spec["inputs"])) + "".join(f" − {c}" for c in _list(spec.get("subtract", [])))
        if op == "product":
            return " × ".join(_list(spec["inputs"])) + (
                f" × {numbers.general(spec['scale'])}" if spec.get("scale", 1) != 1 else "")
        return "first present of " + ", ".join(input_columns(spec))

    rows = [[f"`{s['code']}`", s["op"], formula(s), _settings(s), s.get("unit", ""), s.get("note", "")]
            for s in fw.derived]
    return _table(["code", "op", "formula", "settings", "unit", "note"], rows)


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def recipe_section(fw: Framework) -> str:
    notes = fw.framework.meta.get("method_notes", {})
    r = fw.recipe
    rows = [
        ["derivations", "declared in `derived:` (see above)", notes.get("derivations", "")],
        *([["currency", "sourced annual rates; declared PROXY for 2024 (section 4)", notes["currency"]]]
          if "currency" in notes else []),
        *([["indicator rule", f"scored when ≥ {CoverageRules.from_framework(fw).min_indicator_units} brands have it",
            notes["indicator_rule"]]] if "indicator_rule" in notes else []),
        ["edition", "operating year Y, ranking editions of Y; indicators that cannot be scored suspended",
         notes.get("edition", "")],
        ["screen", f"method={r.screen.method}", notes.get("screen", "")],
        ["impute", f"method={r.impute.method}", notes.get("impute", "")],
        ["treat", f"method={r.treat.method}", notes.get("treat", "")],
        ["normalise", "goalposts per indicator (Table 1), scale 0–100, truncated", notes.get("normalise", "")],
        ["weights", f"method={r.weights.method}; every node weight "
                    f"{', '.join(sorted({numbers.general(n.weight) for n in fw.nodes.values()}))}", notes.get("weights", "")],
        ["aggregate", f"method={r.aggregate.method}; " + ("; ".join(
            f"{node}: min_present {numbers.general(c.min_present)}" + (f", missing {c.missing}" if c.missing else "")
            for node, c in r.aggregate.by_node.items()
            if c.min_present is not None) or f"min_present={r.aggregate.min_present}"), notes.get("aggregate", "")],
        *([["coherence", "correlations with the index among rated brands (section 7)", notes["coherence"]]]
          if "coherence" in notes else []),
        ["ratings", f"{len(fw.ratings)} bands (below)", notes.get("ratings", "")],
    ]
    return _table(["step", "choice", "reason"], rows)


def ratings_section(fw: Framework) -> str:
    bands = sorted(fw.ratings, key=lambda b: -b.min)
    rows, upper = [], None
    for band in bands:
        span = f"{numbers.general(band.min)} ≤ score" + (f" < {numbers.general(upper)}" if upper is not None else "")
        rows.append([f"**{band.label}**", span, band.description.en if band.description else "",
                     band.description.zh if band.description else ""])
        upper = band.min
    return _table(["rating", "index score", "meaning", "含义"], rows)


def coverage_rules_section(fw: Framework) -> str:
    spec = fw.framework.meta.get("coverage", {})
    rules = CoverageRules.from_framework(fw)
    index = f"≥ {rules.min_elements} of {len(elements_of(fw))} elements rated"
    if rules.min_unit_coverage > 0:
        index += f" and ≥ {rules.min_unit_coverage:.0%} of the edition's indicators observed"
    pairs = [f"`{i.code}` with `{i.meta['pair']}`" for i in fw.indicators if i.meta.get("kind") == "input_ratio"]
    rows = [*([["indicator scored", f"≥ {rules.min_indicator_units} brands with a value in the edition"]]
              if rules.min_indicator_units > 1 else []),
            *([["input ratio scored", "only with its level measure: " + "; ".join(pairs)]] if pairs else []),
            ["element rated", f"≥ {rules.min_element_indicators} of its scored indicators observed" + "".join(
                f"; {fw.nodes[e].name.en.lower()}: each of its sub-pillars "
                f"({', '.join(fw.nodes[c].name.en.lower() for c in fw.children[e])}) observed"
                for e in elements_of(fw) if (c := fw.recipe.aggregate.by_node.get(e)) and c.min_present == 1.0) + "".join(
                f"; {fw.nodes[e].name.en.lower()}: ≥ {math.ceil(c.min_present * len(fw.children[e]) - 1e-9)} of its "
                f"{len(fw.children[e])} sub-pillars observed, a missing one counted at its {c.missing.replace('_', ' ')}"
                for e in elements_of(fw) if (c := fw.recipe.aggregate.by_node.get(e)) and c.min_present is not None
                and c.min_present < 1.0 and c.missing_children != "reweight")],
            ["index rated", index + _missing_rule(fw)],
            ["reason", spec.get("reason", "")]]
    return _table(["rule", "condition"], rows)


def _missing_rule(fw: Framework) -> str:
    c = fw.recipe.aggregate.by_node.get(fw.root)
    if c is None or c.missing_children == "reweight":
        return "; a missing element is skipped with its weight"
    return f"; a missing element is counted at its {c.missing_children.replace('_', ' ')} over the brands that have it"


def missing_effect_section(fw: Framework) -> str:
    """Each edition's ranking under every treatment of a missing element (the rest unchanged)."""
    frame = changes.missing_effect(fw.framework.version)
    header = ["edition", "brand", *[f"{m} (rank, index)" for m in changes.MISSING_CHOICES]]
    rows = [[r["year"], r["name"].split(" (")[0], *[
        f"{r[f'rank_{m}']:.0f} ({r[f'index_{m}']:.1f})" if not math.isnan(r[f"rank_{m}"]) else "n.r."
        for m in changes.MISSING_CHOICES]] for r in frame.to_dict("records")]
    nominal = fw.recipe.aggregate.by_node[fw.root].missing_children
    return (f"The published ranking uses `{nominal}`; the audit's Monte Carlo varies the choice among these three, so "
            "the rank intervals include what it does.\n\n" + _table(header, rows))


def fx_section(fw: Framework) -> str:
    rates = fx_rates_table()
    rows = []
    for rec in rates.to_dict("records"):
        rate = rec["per_usd"]
        shown = "— (none)" if rate is None or (isinstance(rate, float) and math.isnan(rate)) else numbers.general(rate)
        rows.append([rec["year"], rec["currency"], shown, rec["source_title"], rec.get("notes") or ""])
    years_with = sorted({r[0] for r in rows if not str(r[2]).startswith("—")})
    missing = [y for y in EDITIONS if y not in years_with]
    text = _table(["year", "currency", "per USD", "source", "notes"], rows)
    if missing:
        text += (f"\nNo sourced annual rate exists for {', '.join(map(str, missing))}.\n")
    monthly = fx_monthly_table()
    proxies = fx_proxy_rates(monthly, rates)
    if not proxies.empty and any(c.startswith("usd_rate_") for c in (d["code"] for d in fw.derived)):
        spread = []
        for rec in proxies.to_dict("records"):
            months = monthly[(monthly["year"] == rec["year"]) & (monthly["currency"] == rec["currency"])]
            per_usd = [v if q == "per_usd" else 1 / v for v, q in zip(months["value"], months["quote"], strict=True)]
            spread.append([rec["year"], rec["currency"], f"{rec['per_usd']:.4f}", ", ".join(map(str, rec["months"])),
                           f"{min(per_usd):.4f} … {max(per_usd):.4f}",
                           f"{(max(per_usd) / rec['per_usd'] - 1) * 100:+.1f} % / {(min(per_usd) / rec['per_usd'] - 1) * 100:+.1f} %"])
        text += ("\nDeclared PROXY rates (fx_monthly.csv, used only where no annual average is sourced; every value "
                 "converted with one is flagged ‡):\n\n" + _table(
                     ["year", "currency", "proxy per USD", "months", "range of the months", "months vs proxy"], spread))
    return text


def editions_section(fw: Framework) -> str:
    rows, tops = [], []
    for year in EDITIONS:
        ed = build_edition(year)
        t = ed.table
        per_element = [int(t[f"{e}_rated"].sum()) for e in elements_of(fw)]
        rows.append([year, int((t["n_observed"] > 0).sum()), int(t["rated"].sum()), *per_element, ", ".join(ed.suspended) or "none",
                     int(t["imputed"].sum()), int((t["scope"] != "").sum())])
        rated = t[t["rated"]]
        tops.append(f"\n{year} edition, every rated brand:\n\n" + _table(
            ["rank", "brand", "index", "rating", *(fw.nodes[e].name.en for e in elements_of(fw))],
            [[numbers.rank(r["rank"]), r["name"] + (" †" if r["scope"] else "") + (" ‡" if r.get("proxy") else ""),
              numbers.number(r["index"]), r["rating"],
              *((f"{numbers.number(r[f'{e}_score'])} ({r[f'{e}_observed']}/{r[f'{e}_indicators']})" if r[f"{e}_rated"]
                 else f"n.r. ({r[f'{e}_observed']}/{r[f'{e}_indicators']})") for e in elements_of(fw))]
             for r in rated.to_dict("records")]))
    head = ["edition", "brands with data", "index rated", *(f"{e} rated" for e in elements_of(fw)),
            "indicators not scored", "imputed values", "brands with SCOPE inputs"]
    return _table(head, rows) + "".join(tops)



def changes_section(fw: Framework) -> str:
    """How each brand's 2024 rank moves from the previous methodology to this one (same data)."""
    year = max(EDITIONS)
    old = changes.previous_version(fw.framework.version)
    moves = changes.rank_moves(year, old, fw.framework.version)
    def shown(r: Mapping[str, Any], tag: str) -> str:
        return f"{r[f'rank_{tag}']:.0f} ({r[f'index_{tag}']:.1f} {r[f'rating_{tag}']})" if r[f"rated_{tag}"] else "n.r."

    rows = []
    for r in moves.to_dict("records"):
        if r["rated_old"] or r["rated_new"]:
            move = "—" if math.isnan(r["move"]) else (f"{r['move']:+.0f}" if r["move"] else "0")
            rows.append([r["name"].split(" (")[0], shown(r, "old"), shown(r, "new"), move])
    return (f"{year} edition, the same data under {old} and {fw.framework.version}: rank (index, rating) among rated "
            "brands; move in places (+ = up); n.r. = not rated.\n\n"
            + _table(["brand", old, fw.framework.version, "move"], rows))


#: Numbers in the generated Markdown: plain decimals, no thousands separator.
_plain = partial(numbers.number, grouping=False)


def proxy_effect_section(fw: Framework) -> str:
    year = max(EDITIONS)
    frame = changes.proxy_effect(year, fw.framework.version)
    rows = [[r["name"] + (" ‡" if r["proxy"] else ""), _plain(r["innovation_with"], 1),
             f"{_plain(r['index_with'], 1)} ({_plain(r['rank_with'], 0)})",
             _plain(r["innovation_without"], 1), f"{_plain(r['index_without'], 1)} ({_plain(r['rank_without'], 0)})"]
            for r in frame.to_dict("records")]
    return (f"{year} edition with and without the declared proxy rates: innovation score, index (rank) among rated "
            "brands; — = not rated.\n\n" + _table(["brand", "innovation", "index (rank)", "innovation without proxy",
                                                    "index (rank) without proxy"], rows))


def coherence_section(fw: Framework) -> str:
    parts = []
    for year in EDITIONS:
        ed = build_edition(year)
        table = rated_coherence(ed.result, ed.table)
        elements = table[table["kind"] == "element"]
        weak = table[(table["kind"] == "indicator") & (table["flag"] != "")]
        parts.append(f"\n{year} edition, {int(ed.table['rated'].sum())} rated brands: each element against the index"
                     "\n\n" + _table(["element", "Pearson r", "Spearman ρ", "n", "flag"], [
                         [fw.nodes[r["node"]].name.en, _plain(r["pearson"], 2), _plain(r["spearman"], 2), r["n"],
                          r["flag"] or ""] for r in elements.to_dict("records")]))
        parts.append("\nIndicators the index follows weakly or inversely among the rated brands (r < 0.3): " + (
            "; ".join(f"`{r['node']}` {_plain(r['pearson'], 2)} (n = {r['n']})" for r in weak.to_dict("records"))
            or "none") + ".\n")
    return "".join(parts).lstrip("\n")


def gaps_section(fw: Framework) -> str:
    rows = []
    for year in EDITIONS:
        ed = build_edition(year)
        gaps = changes.element_gaps(ed)
        two = gaps[gaps["elements_rated"] == CoverageRules.from_framework(fw).min_elements - 1]
        rows.append([year, int(ed.table["rated"].sum()), len(gaps),
                     "; ".join(f"{r['name'].split(' (')[0]} ({', '.join(r['rated'])})" for r in two.to_dict("records"))
                     or "none", int((gaps["elements_rated"] <= 1).sum())])
    return _table(["edition", "rated", "not rated", "one element short (the elements they have)",
                   "with one element or none"], rows)


SECTIONS: dict[str, Callable[[Framework], str]] = {
    "indicators": indicators_section,
    "derivations": derivations_section,
    "recipe": recipe_section,
    "ratings": ratings_section,
    "coverage-rules": coverage_rules_section,
    "fx-rates": fx_section,
    "editions": editions_section,
    "changes": changes_section,
    "proxy-effect": proxy_effect_section,
    "missing-effect": missing_effect_section,
    "coherence": coherence_section,
    "gaps": gaps_section,
}


def render_sections(framework: Framework | None = None) -> dict[str, str]:
    fw = framework or nev_framework()
    return {name: make(fw) for name, make in SECTIONS.items()}


def update_document(text: str, sections: Mapping[str, str]) -> str:
    """Replace every generated region's body; an unknown region name is an error."""
    def replace(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in sections:
            raise KeyError(f"unknown generated section '{name}'; known: {', '.join(sections)}")
        return match.group(1) + sections[name] + match.group(4)

    return MARKER.sub(replace, text)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    paths = [a for a in args if a != "--check"]
    path = Path(paths[0]) if paths else DEFAULT_PATH
    text = path.read_text(encoding="utf-8")
    new = update_document(text, render_sections())
    if check:
        if new != text:
            print(f"{path} is out of date: run python -m nevindex.nev.docs {path}")
            return 1
        print(f"{path} is up to date")
        return 0
    if new != text:
        from nevindex.io import write_text

        write_text(path, new)
        print(f"updated {path}")
    else:
        print(f"{path} already up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
