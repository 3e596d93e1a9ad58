"""Static export of the public site: every page of every published edition as plain files.

Any web server or CDN can host the folder (directory-style URLs: ``/editions/<label>/`` is
``editions/<label>/index.html``). Pages come from the same templates and context functions as the
live portal, with links pointing at files; downloads are the edition's open data (CSV, XLSX,
JSON, the methodology YAML) plus ``ranking.json``, and, given a renderer, the annual reports. The what-if panel needs the engine and is replaced by a note. The
whole tree is written aside and moved in at once (:func:`nevindex.io.write_all`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from nevindex.errors import NevIndexError
from nevindex.io import write_all
from nevindex.web.i18n import LANGUAGES, lang_prefix
from nevindex.web.pages import brand_context, compare_context, ranking_context
from nevindex.web.reports import FORMATS as REPORT_FORMATS
from nevindex.web.reports import LANGS as REPORT_LANGS
from nevindex.web.reports import Renderer
from nevindex.web.reports import file_name as report_file
from nevindex.web.service import Portal, RankingQuery
from nevindex.web.templating import HERE, WEBFONTS, Links, Page, file_slug, render

__all__ = ["export_site"]


def _text(content: str) -> Callable[[Path], None]:
    return lambda p: p.write_text(content, encoding="utf-8")


def _bytes(content: bytes) -> Callable[[Path], None]:
    return lambda p: p.write_bytes(content)


def export_site(portal: Portal, out: str | Path, reports: Renderer | None = None) -> list[str]:
    """Write the public site of every published edition to ``out``; return the files written.

    With ``reports`` (a report renderer, see :mod:`nevindex.web.reports`), each edition's annual
    report goes to ``reports/<label>/report-<lang>.<pdf|html>`` with the webfonts in ``fonts/``
    beside it, and the Downloads page offers them."""
    editions = portal.editions()
    if not editions:
        raise NevIndexError("no published edition to export; publish one first")
    views = {e["label"]: portal.view(e["label"]) for e in editions}
    latest = views[editions[0]["label"]]
    files: dict[str, Callable[[Path], None]] = {}

    def page(lang: str, path: str, template: str, **context: object) -> None:
        pg = Page(lang=lang, links=Links(lang, static=True), path=path)
        rel = (lang_prefix(lang) + path).lstrip("/")
        files[(rel + "index.html") if rel.endswith("/") or not rel else rel] = _text(render(pg, template, **context))

    everything = RankingQuery(limit=10_000)
    for lang in LANGUAGES:
        page(lang, "/", "home.html", **ranking_context(portal, latest, lang, everything))
        for label, view in views.items():
            page(lang, f"/editions/{file_slug(label)}/", "home.html", **ranking_context(portal, view, lang, everything))
            for row in view.rows:
                page(lang, f"/editions/{file_slug(label)}/brands/{file_slug(row['code'])}/", "brand.html",
                     **brand_context(portal, view, row["code"], lang))
        page(lang, "/compare/", "compare.html", **compare_context(portal, latest, ()))
        page(lang, "/methodology/", "methodology.html", view=latest, meta=latest.meta(),
             m=portal.methodology(latest.info.label), ind=portal.indicators(latest.info.label),
             goalposts=portal.goalposts(latest.info.label, lang))
        page(lang, "/downloads/", "downloads.html", editions=editions, reports=reports is not None)
        page(lang, "/about/", "about.html", editions=editions)
    for lang in LANGUAGES:
        pg = Page(lang=lang, links=Links(lang, static=True), path="/404.html")
        files[(lang_prefix(lang) + "/404.html").lstrip("/")] = _text(
            render(pg, "error.html", status=404, message=pg.t("not_found")))

    for label, view in views.items():
        folder = f"data/{file_slug(label)}"
        data = portal.open_data_files(label)
        for fmt in ("csv", "xlsx", "json"):
            files[f"{folder}/edition-{file_slug(label)}.{fmt}"] = _bytes(data[f"edition-{label}.{fmt}"])
        files[f"{folder}/edition-{file_slug(label)}-methodology.yaml"] = _bytes(data[f"edition-{label}-methodology.yaml"])
        if "receipt.json" in data:  # the signed receipt (nevindex edition verify --receipt)
            files[f"{folder}/receipt.json"] = _bytes(data["receipt.json"])
        files[f"{folder}/ranking.json"] = _text(json.dumps({"edition": view.meta(), "items": view.rows},
                                                           ensure_ascii=False, allow_nan=False))
    if reports is not None:
        for label in views:
            folder = f"reports/{file_slug(label)}"
            for lang in REPORT_LANGS:
                for fmt in REPORT_FORMATS:
                    files[f"{folder}/{report_file(lang, fmt)}"] = _bytes(reports(portal.store, label, lang, fmt))
            for font in sorted(WEBFONTS.glob("*.woff2")):  # the HTML report links fonts/ beside it
                files[f"{folder}/fonts/{font.name}"] = _bytes(font.read_bytes())
    files["data/editions.json"] = _text(json.dumps({"editions": editions}, ensure_ascii=False))
    for asset in sorted((HERE / "static").iterdir()):
        if asset.is_file():
            files[f"static/{asset.name}"] = _bytes(asset.read_bytes())
    for font in sorted(WEBFONTS.glob("*.woff2")):  # app.css loads them from fonts/ beside it
        files[f"static/fonts/{font.name}"] = _bytes(font.read_bytes())
    write_all(out, files)
    return sorted(files)
