"""Server-rendered public pages (Jinja2, autoescaped), in English at ``/`` and Chinese at ``/zh/``.

Pages work without JavaScript (filters and the what-if panel are plain GET forms); ``static/app.js``
enhances them (instant sort/filter, what-if through the API). The context functions are shared with
the static export (:mod:`nevindex.web.site`). The admin pages live in :mod:`nevindex.web.admin_pages`;
what every page shares, in :mod:`nevindex.web.templating`.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from nevindex.errors import NevIndexError
from nevindex.framework import meta_text
from nevindex.insight.bounds import natural_text
from nevindex.web import charts, report_routes
from nevindex.web._caching import etag_matches
from nevindex.web._units import natural_label, parse_amount
from nevindex.web.admin_pages import admin_router
from nevindex.web.i18n import translate
from nevindex.web.limits import GuardedRoute
from nevindex.web.service import LATEST, EditionView, Portal, RankingQuery, ranking_page
from nevindex.web.templating import (
    HERE,
    Links,
    Page,
    error_page,
    file_slug,
    html,
    page_of,
    portal_of,
    render,
    slug,
)

router = APIRouter(include_in_schema=False, route_class=GuardedRoute)

__all__ = ["HERE", "Links", "Markup", "Page", "admin_router", "brand_context", "compare_context", "error_page",
           "file_slug", "ranking_context", "render", "router", "slug"]


# --- what each page shows (shared with the static export) ----------------------------------------


def ranking_context(portal: Portal, view: EditionView, lang: str, query: RankingQuery) -> dict[str, Any]:
    return {"view": view, "meta": view.meta(), "ranking": ranking_page(view, query, lang), "query": query,
            "editions": portal.editions()}


def brand_context(portal: Portal, view: EditionView, code: str, lang: str,
                  changes: dict[str, float] | None = None) -> dict[str, Any]:
    prof = portal.brand(view.info.label, code)
    fw = view.framework
    labels = [translate_name(fw.nodes[e].name, lang) for e in view.elements]
    by_code = {e["code"]: e for e in prof["elements"]}
    radar = charts.element_chart(labels, [by_code.get(e, {}).get("score") for e in view.elements],
                                 reference=[prof["medians"].get(e) for e in view.elements],
                                 maximum=max([100.0, *(v for v in (by_code.get(e, {}).get("score") for e in view.elements)
                                                       if v is not None and math.isfinite(v))]),
                                 title=translate(lang, "radar_title"), missing_label=translate(lang, "no_data"))
    hist = portal.history(code)
    history_svg = charts.history([p["year"] for p in hist["points"]], [p["score"] for p in hist["points"]],
                                 [p["rank"] for p in hist["points"]], title=translate(lang, "history_title"))
    whatif = portal.whatif(view.info.label, code, changes, natural=True) if changes else None
    element_labels = [{"code": e, "name": label} for e, label in zip(view.elements, labels, strict=True)]
    # the what-if form speaks natural units: "4.27 million vehicles", not "6.63 log10(vehicles)"
    units = {i.code: str(meta_text(i.meta, "unit", lang) or i.unit or "") for i in fw.indicators}
    natural = {i["code"]: {"unit": natural_label(units[i["code"]]),
                           "value": natural_text(i["raw"], units[i["code"]], lang) if i.get("raw") is not None else None}
               for i in prof["indicators"]}
    return {"view": view, "meta": view.meta(), "p": prof, "radar": radar, "history": hist,
            "element_labels": element_labels, "natural": natural,
            "history_svg": history_svg, "whatif": whatif, "changes": changes or {}}


def translate_name(names: Any, lang: str) -> str:
    return (names.get(lang) if names is not None else None) or (names.en if names is not None else "")


def compare_context(portal: Portal, view: EditionView, codes: tuple[str, ...]) -> dict[str, Any]:
    comparison = portal.compare(view.info.label, codes) if len(codes) >= 2 else None
    return {"view": view, "meta": view.meta(), "comparison": comparison, "chosen": codes}


def _published_page(request: Request, page: Page, view: EditionView, ref: str, name: str, make: Any) -> Response:
    """Pages of published editions are rendered once, as for an anonymous visitor, and reused (the
    edition is immutable; the key carries its result hash and the full query; such pages hold no
    per-visitor data), with the ``ETag`` and ``Cache-Control: public`` that let a proxy keep them.
    A signed-in analyst gets the same page: the response cache dresses it with the user's bar and
    sends it ``no-store`` (:mod:`nevindex.web.personal`). ``make(page)`` renders for ``page``."""
    if view.info.status != "published":
        return html(make(page))
    portal = portal_of(request)
    headers = {**portal.http_cache(ref, view.info, request.app.state.settings.response_ttl), "Vary": "Cookie",
               "x-nevindex-cacheable": "1"}
    if page.user is None and etag_matches(request.headers.get("if-none-match"), headers["ETag"]):
        return Response(status_code=304, headers=headers)
    key = ("page", name, page.lang, view.info.id, view.info.result_sha256, headers["ETag"], request.url.path,
           request.url.query)
    body = portal.cache.peek(key)
    if body is None:
        body = make(replace(page, user=None, csrf=None)).encode()
        portal.cache.put(key, body)
    response = html(body)
    response.headers.update(headers)
    return response


# --- public pages --------------------------------------------------------------------------------


def _query(group: list[str], element: str | None, rating: list[str], q: str | None, sort: str) -> RankingQuery:
    return RankingQuery(group=tuple(g for g in group if g), element=element or None,
                        rating=tuple(r for r in rating if r), q=q or None, sort=sort or "rank", limit=10_000)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, group: Annotated[list[str], Query()] = [], element: str | None = None,  # noqa: B006
         rating: Annotated[list[str], Query()] = [], q: Annotated[str | None, Query(max_length=100)] = None,  # noqa: B006
         sort: str = "rank") -> Response:
    return edition_page(request, LATEST, group, element, rating, q, sort)


@router.get("/editions/{edition}/", response_class=HTMLResponse)
def edition_page(request: Request, edition: str, group: Annotated[list[str], Query()] = [],  # noqa: B006
                 element: str | None = None, rating: Annotated[list[str], Query()] = [],  # noqa: B006
                 q: Annotated[str | None, Query(max_length=100)] = None, sort: str = "rank") -> Response:
    page = page_of(request)
    portal = portal_of(request)
    try:
        view = portal.view(edition)
    except NevIndexError as exc:
        if edition == LATEST and exc.status_code == 404:
            return html(render(page, "empty.html"), 200)
        raise
    query = _query(group, element, rating, q, sort)
    return _published_page(request, page, view, edition, "home",
                           lambda p: render(p, "home.html", **ranking_context(portal, view, p.lang, query)))


@router.get("/editions/{edition}/brands/{brand}/", response_class=HTMLResponse)
def brand_page(request: Request, edition: str, brand: str) -> Response:
    page = page_of(request)
    portal = portal_of(request)
    view = portal.view(edition)
    changes = _whatif_changes(request)
    if changes:
        return html(render(page, "brand.html", **brand_context(portal, view, brand, page.lang, changes)))
    return _published_page(request, page, view, edition, "brand",
                           lambda p: render(p, "brand.html", **brand_context(portal, view, brand, p.lang)))


@router.get("/brands/{brand}/", response_class=HTMLResponse)
def latest_brand(request: Request, brand: str) -> Response:
    page = page_of(request)
    view = portal_of(request).view(LATEST)
    return RedirectResponse(page.links.brand(view.info.label, brand), status_code=307)


def _whatif_changes(request: Request) -> dict[str, float] | None:
    """``w.<indicator>=value`` query parameters of the no-JavaScript what-if form (blank = unchanged), in
    the indicators' natural units."""
    changes: dict[str, float] = {}
    for key, value in request.query_params.multi_items():
        if not key.startswith("w.") or not value.strip():
            continue
        changes[key[2:]] = parse_amount(value, key)  # natural units: "4.27 million", "427万"
    return changes or None


@router.get("/compare/", response_class=HTMLResponse)
def compare_page(request: Request, edition: str | None = None,
                 brands: Annotated[list[str], Query()] = []) -> Response:  # noqa: B006
    page = page_of(request)
    portal = portal_of(request)
    view = portal.view(edition or LATEST)
    codes = tuple(dict.fromkeys(b for b in brands if b))
    return html(render(page, "compare.html", **compare_context(portal, view, codes)))


@router.get("/methodology/", response_class=HTMLResponse)
def methodology_page(request: Request, edition: str | None = None) -> Response:
    page = page_of(request)
    portal = portal_of(request)
    view = portal.view(edition or LATEST)
    return html(render(page, "methodology.html", view=view, meta=view.meta(),
                        m=portal.methodology(view.info.label), ind=portal.indicators(view.info.label),
                        goalposts=portal.goalposts(view.info.label, page.lang)))


@router.get("/downloads/", response_class=HTMLResponse)
def downloads_page(request: Request) -> Response:
    page = page_of(request)
    return html(render(page, "downloads.html", editions=portal_of(request).editions(),
                        reports=request.app.state.reports.enabled))


@router.get("/about/", response_class=HTMLResponse)
def about_page(request: Request) -> Response:
    page = page_of(request)
    return html(render(page, "about.html", editions=portal_of(request).editions()))


# the annual report of a published edition, and the webfonts its HTML links from fonts/ beside it
router.get("/reports/{edition}/report-{lang}.{fmt}")(report_routes.public_report)
router.get("/reports/{edition}/fonts/{name}")(report_routes.report_font)
