"""Render the report model to HTML (self-contained: inline CSS and SVG) or PDF (WeasyPrint).

Templates and CSS are looked up first in a user folder (``templates=``, the CLI's ``--templates``),
then in the package, so a user restyles the report by copying one file and editing it.
The PDF embeds our vendored fonts (``@font-face`` with file URLs); the HTML links the same families as
WOFF2 webfonts (``fonts/`` beside it), then the reader's system fonts.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from nevindex import __version__
from nevindex.errors import NevIndexError
from nevindex.insight.bounds import format_natural, natural_text, natural_unit
from nevindex.insight.standing import strongest_and_weakest
from nevindex.report import charts
from nevindex.report.chartjobs import Jobs, resolve
from nevindex.report.i18n import Catalogue, fmt_number, fmt_percent, fmt_rank, fmt_signed, load_catalogue
from nevindex.report.model import DIMENSIONS, ReportModel

__all__ = ["DIMENSION_ALIASES", "FONT_DIR", "FONT_FACES", "WEB_FONT_FACES", "PACKAGE_TEMPLATES", "RENDERERS", "TemplateError",
           "chart_html", "charts_for", "context", "dimension_key", "environment", "font_css", "render_html",
           "render_pdf", "unit_html"]


PACKAGE_TEMPLATES = Path(__file__).with_name("templates")
FONT_DIR = charts.FONT_DIR
FONT_FACES = (  # family, weight, style, file
    ("NevSans", "normal", "normal", "NevSans-Regular.ttf"),
    ("NevSans", "bold", "normal", "NevSans-Bold.ttf"),
    ("NevSans", "normal", "italic", "NevSans-Italic.ttf"),
    ("NevSans CJK SC", "normal", "normal", "NevSansCJKsc-Regular.otf"),
    ("NevSans CJK SC", "bold", "normal", "NevSansCJKsc-Bold.otf"),
)
#: Aliases accepted in an indicator's ``meta.dimension`` for the five ISO 20671 dimensions.
DIMENSION_ALIASES = {
    "legal": "legal", "law": "legal",
    "customer": "customer", "customers": "customer", "stakeholder": "customer", "stakeholders": "customer",
    "customer_stakeholder": "customer", "customer_and_stakeholders": "customer",
    "market": "market",
    "economic_political": "economic_political", "economic": "economic_political", "political": "economic_political",
    "economic_and_political": "economic_political", "environment": "economic_political",
    "financial": "financial", "finance": "financial",
}


class TemplateError(NevIndexError):
    """A (user) template failed to render."""


#: The webfonts (WOFF2 subsets, scripts/web_fonts.py) the HTML report links from ``fonts/`` beside the HTML
#: (the portal and the static export put them there; a browser refuses file URLs from a served page).
WEB_FONT_FACES = (("NevSans", "normal", "NevSans-Regular.woff2"), ("NevSans", "bold", "NevSans-Bold.woff2"),
                  ("NevSans CJK SC", "normal", "NevSansCJKsc-Regular.woff2"),
                  ("NevSans CJK SC", "bold", "NevSansCJKsc-Bold.woff2"))


def font_css(embed: bool) -> str:
    """@font-face rules for our fonts: file URLs of the full fonts (for WeasyPrint), or the WOFF2
    webfonts from ``fonts/`` beside the HTML (for browsers: Chinese without CJK system fonts)."""
    if not embed:
        return "\n".join(
            f'@font-face {{ font-family: "{family}"; font-weight: {weight}; font-style: normal; font-display: swap; '
            f'src: url("fonts/{file}") format("woff2"); }}'
            for family, weight, file in WEB_FONT_FACES)
    return "\n".join(
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; font-style: {style}; '
        f'src: url("{(FONT_DIR / file).resolve().as_uri()}"); }}'
        for family, weight, style, file in FONT_FACES)


def environment(templates: str | Path | None = None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if templates is not None:
        folder = Path(templates)
        if not folder.is_dir():
            raise NevIndexError(f"templates folder '{folder}' does not exist")
        loaders.append(jinja2.FileSystemLoader(str(folder)))
    loaders.append(jinja2.FileSystemLoader(str(PACKAGE_TEMPLATES)))
    env = jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), autoescape=jinja2.select_autoescape(
        enabled_extensions=("html", "j2"), default=True), undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True)
    env.filters.update(num=_in_lang(fmt_number), signed=_in_lang(fmt_signed), rank=_in_lang(fmt_rank),
                       pct=_in_lang(fmt_percent))
    return env


def _in_lang(formatter: Callable[..., str]) -> Callable[..., str]:
    """A number filter that formats in the report's language (the template's ``m.lang``)."""

    @jinja2.pass_context
    def apply(context: Any, value: Any, *args: Any) -> str:
        model = context.get("m")
        return formatter(value, *args, lang=getattr(model, "lang", "en"))

    return apply


def dimension_key(value: Any) -> str | None:
    if value is None:
        return None
    return DIMENSION_ALIASES.get(str(value).strip().lower().replace(" ", "_").replace("-", "_"))


def _methods_text(model: ReportModel, cat: Catalogue) -> list[str]:
    m, t = model.methods, cat.t

    def pick(section: str, method: str, **values: Any) -> str:
        key = f"methods.{section}.{method}"
        return t(key, **values) if key in cat else t(f"methods.{section}.other", method=method)

    params = m["normalise_params"]
    out = [pick("normalise", m["normalise"], l=fmt_number(params.get("lower", 0), 0),
                u=fmt_number(params.get("upper", 100), 0))]
    out.append(pick("impute", m["impute"], group=m["impute_group"] or ""))
    out.append(t("methods.treat_on", skew=fmt_number(m["skew_max"]), kurt=fmt_number(m["kurt_max"]),
                 winmax=m["winmax"]) if m["treat"] else t("methods.treat_off"))
    out.append(pick("weights", m["weights"]))
    out.append(pick("aggregate", m["aggregate"]))
    for level, method in sorted(m["aggregate_by_level"].items()):
        out.append(t("methods.by_level", level=level, method=method))
    for rule in m["aggregate_missing"]:
        where = "_node" if "node" in rule else "_level" if "level" in rule else ""
        out.append(t(f"methods.missing.{rule['how']}{where}", **rule))
    if m["min_present"]:
        out.append(t("methods.threshold", pct=fmt_percent(m["min_present"])))
    if model.rules:
        r = model.rules
        out.append(t("methods.coverage", k=r.get("min_element_indicators", 1), e=r.get("min_elements", 3),
                     n=len(model.elements), share=fmt_percent(r.get("min_unit_coverage", 0))))
    if m["screen"]:
        out.append(t("methods.screen", pct=fmt_percent(m["min_observed"])))
    out.append(t("methods.ranks"))
    return out


def _dimensions(model: ReportModel, cat: Catalogue) -> list[dict[str, Any]]:
    groups: dict[str, list[str]] = {d: [] for d in DIMENSIONS}
    other: list[str] = []
    for x in model.indicators:
        key = dimension_key(x.dimension)
        (groups[key] if key else other).append(x.name)
    rows = [{"name": cat.t(f"dimension.{d}"), "indicators": names} for d, names in groups.items()]
    if other:
        rows.append({"name": cat.t("system.no_dimension"), "indicators": other})
    return rows


def _charts(model: ReportModel, cat: Catalogue, jobs: Jobs) -> dict[str, Any]:
    """Every chart of the report as a recorded job (drawn together by :func:`charts_for`)."""
    t = cat.t
    units = model.units
    names = [u.name for u in units]
    rated = [u for u in units if u.rated]
    band_labels = [b["label"] for b in model.ratings] + [t("common.not_rated")]
    out: dict[str, Any] = {
        "ranking": jobs.add(charts.ranking_bars, [u.name for u in rated], [u.score for u in rated],
                                       bands=[u.band for u in rated] if model.ratings else None,
                                       band_labels=band_labels, title=t("ranking.chart_title"),
                                       xlabel=t("col.score")),
        "heatmap": jobs.add(charts.heatmap, names, [e.name for e in model.elements],
                                  [[u.elements[e.code] for e in model.elements] for u in units],
                                  title=t("element.heatmap_title")),
    }
    with_interval = [u for u in units if u.interval is not None]
    out["intervals"] = jobs.add(charts.rank_intervals,
        [u.name for u in with_interval], [u.rank for u in with_interval], [u.interval.low for u in with_interval],  # type: ignore[union-attr]
        [u.interval.high for u in with_interval], [u.interval.median for u in with_interval],  # type: ignore[union-attr]
        alt=t("ranking.intervals_title"), xlabel=t("col.rank"), nominal_label=t("col.rank"),
        median_label=t("audit.median"), interval_label="5–95%") if with_interval else None
    out["elements"] = {}
    for e in model.elements:
        scored = [u for u in units if math.isfinite(u.elements[e.code])]
        out["elements"][e.code] = jobs.add(charts.ranking_bars, [u.name for u in scored], [u.elements[e.code] for u in scored],
                                                      title=t("element.chart_title", element=e.name),
                                                      xlabel=t("col.score")) if scored else None
    labels, matrix = model.correlations
    out["correlations"] = jobs.add(charts.heatmap, list(labels), list(labels), matrix, title=t("audit.correlation_title"),
                                         vmin=-1, vmax=1, digits=2, diverging=True, lower_triangle=True,
                                         counts=model.correlation_n)
    axes = [e.name for e in model.elements]
    reference = [model.median[e.code] for e in model.elements]
    out["radar"] = {u.code: jobs.add(charts.radar, axes, [u.elements[e.code] for e in model.elements], reference,
                                         series_label=t("profile.radar_brand", brand=u.name),
                                         reference_label=t("profile.radar_median"),
                                         missing_label=t("profile.no_data"))
                    for u in units if u.rated}  # unrated brands get a table row, not a profile
    out["waterfall"] = {}
    for u in units:
        if u.change is not None and u.change.contributions and math.isfinite(u.score):
            steps = [(e.name, u.change.contributions.get(e.code, 0.0)) for e in model.elements]
            rest = (u.score - u.change.previous_score) - sum(v for _, v in steps)
            if abs(rest) > 1e-9:  # e.g. an element that entered or left: shown, never hidden
                steps.append((t("profile.other_change"), rest))
            out["waterfall"][u.code] = jobs.add(charts.waterfall,
                str(model.previous_year), u.change.previous_score, steps, str(model.year), u.score,
                title="", alt=t("profile.history"),
                ylabel=t("col.score"), up_label=t("profile.gain"), down_label=t("profile.loss"), width=3.9,
                height=1.6)
    out["history"] = {}
    for p in model.profiles:
        if not p.unit.rated:
            continue
        points = [(y, s) for y, s, _ in p.history if math.isfinite(s)]
        if len(points) > 1:
            out["history"][p.unit.code] = jobs.add(charts.history, [y for y, _ in points], [(t("col.index"), [s for _, s in points])],
                                                         ylabel=t("col.score"))
    return out


def charts_for(model: ReportModel) -> dict[str, Any]:
    """The report's charts as SVG text, drawn once per model (HTML and PDF of one model share them)."""
    cached = getattr(model, "_charts_cache", None)
    if cached is not None and cached[0] == model.lang:
        return cached[1]
    jobs = Jobs(model.lang)
    with charts.language(model.lang):
        recorded = _charts(model, load_catalogue(model.lang), jobs)
        drawn = resolve(recorded, jobs.run())
    object.__setattr__(model, "_charts_cache", (model.lang, drawn))
    return drawn


def _toc(model: ReportModel, cat: Catalogue) -> list[dict[str, Any]]:
    t = cat.t
    entry = lambda id_, key, children=(), kind="": {"id": id_, "title": t(key), "children": list(children), "kind": kind}  # noqa: E731
    return [
        entry("summary", "section.summary"),
        entry("system", "section.system"),
        entry("ranking", "section.ranking"),
        entry("elements", "section.elements",
              [{"id": f"element-{e.code}", "title": e.name} for e in model.elements]),
        entry("profiles", "section.profiles",
              [{"id": f"profile-{u.code}", "title": u.name} for u in model.units if u.rated]
              + ([{"id": "unrated", "title": t("unrated.title")}] if any(not u.rated for u in model.units) else []),
              kind="profiles"),
        entry("cases", "section.cases"),
        entry("audit", "section.audit"),
        entry("data", "section.data"),
    ]


def chart_html(svg: str | None, *, as_image: bool) -> Markup:
    """Inline SVG for the HTML; an <img> with a data URI for WeasyPrint, which then parses the chart as
    one image instead of styling every SVG element as part of the HTML tree (3–4× faster)."""
    if not svg:
        return Markup("")
    if not as_image:
        return Markup(svg)
    size = re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    title = re.search(r"<title>(.*?)</title>", svg)
    style = f' style="width: {size.group(1)}pt; height: {size.group(2)}pt"' if size else ""
    data = base64.b64encode(svg.encode()).decode()
    return Markup(f'<img class="chart" alt="{title.group(1) if title else ""}"{style} '
                  f'src="data:image/svg+xml;base64,{data}">')


def context(model: ReportModel, *, embed_fonts: bool, env: jinja2.Environment) -> dict[str, Any]:
    cat = load_catalogue(model.lang)
    node_names = dict(model.framework.get("node_names", {}))  # every node: sub-pillars too (Cronbach rows)
    node_names |= {e.code: e.name for e in model.elements} | {x.code: x.name for x in model.indicators}
    node_names[model.framework["root"]] = model.framework["root_name"]
    indicator_names = {x.code: x.name for x in model.indicators}
    env.filters["indicator_name"] = lambda code: indicator_names.get(code, code)
    env.filters["node_name"] = lambda code: node_names.get(code, code)
    env.filters["weak_item"] = lambda w: f"{indicator_names.get(w[0], w[0])} {fmt_number(w[1], 2, lang=model.lang)} (n = {w[2]})"
    env.filters["chart"] = lambda svg: chart_html(svg, as_image=embed_fonts)
    env.filters["unit"] = unit_html
    env.filters["natural"] = lambda value, unit: natural_text(value, unit, model.lang)
    env.filters["natural_value"] = lambda value, unit: format_natural(value, "", model.lang)

    def dimension_name(value: Any) -> str:
        key = dimension_key(value)
        return cat.t(f"dimension.{key}") if key else (str(value) if value else cat.t("system.no_dimension"))

    scored = {e.code: sum(math.isfinite(v.element_ranks[e.code]) for v in model.units) for e in model.elements}

    def profile_elements(u: Any) -> dict[str, Any] | None:
        """Strongest and weakest element by standing (nevindex.insight.standing: percentile, ties by score)."""
        pair = strongest_and_weakest((e.code, u.element_ranks[e.code], scored[e.code], u.elements[e.code])
                                     for e in model.elements)
        if pair is None:
            return None
        names = {e.code: e.name for e in model.elements}
        return {"best": names[pair[0]], "best_rank": u.element_ranks[pair[0]], "weak": names[pair[1]],
                "weak_rank": u.element_ranks[pair[1]], "best_n": scored[pair[0]], "weak_n": scored[pair[1]]}

    def lever_step(p: Any, lever: Any) -> str:
        """A lever's step as a reader reads it: on a log indicator the value it leads to in natural
        units ("→ 4.27 million vehicles"), else the signed step and its unit."""
        unit = indicator_units_all.get(lever.indicator, "")
        if natural_unit(unit)[1]:
            raw = next((x["raw"] for x in p.indicators if x["code"] == lever.indicator), math.nan)
            return "→ " + natural_text(raw + lever.step, unit, model.lang)
        return f"{fmt_signed(lever.step, lang=model.lang)} {unit}".strip()

    indicator_units_all = {x.code: x.unit for x in model.indicators}

    def note_title(key: str) -> str:
        """A method note's heading: ``note.<key>`` from the catalogue, else the key as words."""
        return cat.t(f"note.{key}") if f"note.{key}" in cat else key.replace("_", " ").capitalize()

    rules = [c.rule for c in model.cases]  # announce only the rules that found a brand
    css, _, _ = env.loader.get_source(env, "report.css")  # type: ignore[union-attr]
    return {
        "m": model, "t": cat.t, "messages": cat.messages, "sep": " " if model.lang == "en" else "", "version": __version__, "css": css, "font_css": font_css(embed_fonts),
        "charts": charts_for(model), "toc": _toc(model, cat), "dimensions": _dimensions(model, cat),
        "methods_text": _methods_text(model, cat), "reason": cat.reason, "dimension_name": dimension_name,
        "element_names": {e.code: e.name for e in model.elements}, "indicator_names": indicator_names,
        "indicator_units": {x.code: x.unit for x in model.indicators},
        "node_names": node_names,
        "element_missing": {e.code: [u.name for u in model.units if not math.isfinite(u.elements[e.code])]
                            for e in model.elements}, "profile_elements": profile_elements, "case_rules": rules,
        "note_title": note_title, "lever_step": lever_step,
    }


def unit_html(unit: str) -> Markup:
    """A unit that breaks only before a parenthesis: "log10（百万美元）" → "log10" / "（百万美元）", never
    inside a CJK word (which would break anywhere). Pieces with spaces (English) wrap normally."""
    pieces = [p for p in re.split(r"(?=[（(])", unit or "") if p]
    return Markup("").join(Markup('<span class="nw">{}</span>').format(p) if " " not in p.strip() else p
                           for p in pieces)


def render_html(model: ReportModel, *, templates: str | Path | None = None, embed_fonts: bool = False) -> str:
    env = environment(templates)
    try:
        return env.get_template("report.html.j2").render(**context(model, embed_fonts=embed_fonts, env=env))
    except (jinja2.TemplateError, NevIndexError) as exc:
        where = f" (line {exc.lineno} of {exc.name})" if isinstance(exc, jinja2.TemplateSyntaxError) else ""
        raise TemplateError(f"report template failed: {exc}{where}") from exc


def render_pdf(model: ReportModel, *, templates: str | Path | None = None) -> bytes:
    import logging

    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    html = render_html(model, templates=templates, embed_fonts=True)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # its CSS warnings are not the user's
    fonts = FontConfiguration()
    base = Path(templates) if templates is not None else PACKAGE_TEMPLATES
    document = HTML(string=html, base_url=str(base.resolve())).render(font_config=fonts)
    return document.write_pdf()


RENDERERS: dict[str, Callable[..., Any]] = {"html": render_html, "pdf": render_pdf}
