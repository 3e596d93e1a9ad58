"""Server-rendered pages (Jinja2, autoescaped), in English at ``/`` and Chinese at ``/zh/``.

Pages work without JavaScript (filters and the what-if panel are plain GET forms); ``static/app.js``
enhances them (instant sort/filter, what-if through the API). The same render functions serve the
static export (:mod:`nevindex.web.site`), with :class:`Links` pointing at files instead of routes.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from nevindex.errors import DataError, NevIndexError
from nevindex.web import access, auth, charts, uploads
from nevindex.web.i18n import DEFAULT, LANGUAGES, lang_prefix, split_lang, translate
from nevindex.web.service import LATEST, EditionView, Portal, RankingQuery, num, ranking_page

HERE = Path(__file__).parent
router = APIRouter(include_in_schema=False)
admin_router = APIRouter(include_in_schema=False)


@cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["fmt"] = fmt
    env.filters["slug"] = slug
    env.filters["cell"] = cell
    return env


def fmt(value: Any, digits: int = 1) -> str:
    """A number for display ("—" when missing)."""
    f = num(value)
    if f is None:
        return "—"
    if digits == 0 or (abs(f) >= 1000 and float(f).is_integer()):
        return f"{f:,.0f}"
    return f"{f:,.{digits}f}"


def cell(value: Any) -> str:
    """A table cell of an audit table: whole numbers without decimals, others to 3 decimals."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        f = num(value)
        if f is None:
            return "—"
        return f"{int(f)}" if float(f).is_integer() else f"{f:.3f}"
    return str(value)


def slug(code: str) -> str:
    """A unit or edition code as one safe URL path segment (and file name in the static export)."""
    out = quote(str(code), safe="")
    return out.replace(".", "%2E") if out.strip(".") == "" or out.startswith(".") else out


def file_slug(code: str) -> str:
    """A code as a file/folder name of the static export: itself when plainly safe, else a hash."""
    text = str(code)
    if SAFE_NAME.fullmatch(text) and ".." not in text:
        return text
    return "u-" + hashlib.sha256(text.encode()).hexdigest()[:16]


SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


@dataclass(frozen=True)
class Links:
    """Every URL a page links to; ``static`` switches to the file layout of the static export."""

    lang: str = DEFAULT
    static: bool = False

    def _p(self, path: str) -> str:
        return lang_prefix(self.lang) + path

    def slug(self, code: str) -> str:
        return file_slug(code) if self.static else slug(code)

    def home(self) -> str:
        return self._p("/")

    def edition(self, label: str) -> str:
        return self._p(f"/editions/{self.slug(label)}/")

    def brand(self, label: str, code: str) -> str:
        return self._p(f"/editions/{self.slug(label)}/brands/{self.slug(code)}/")

    def compare(self, label: str | None = None, brands: tuple[str, ...] = ()) -> str:
        query = urlencode([("edition", label)] * (label is not None) + [("brands", b) for b in brands])
        return self._p("/compare/") + (f"?{query}" if query else "")

    def methodology(self, label: str | None = None) -> str:
        return self._p("/methodology/") + (f"?{urlencode({'edition': label})}" if label and not self.static else "")

    def downloads(self) -> str:
        return self._p("/downloads/")

    def about(self) -> str:
        return self._p("/about/")

    def download(self, label: str, fmt: str) -> str:
        if self.static:
            return f"/data/{self.slug(label)}/edition-{self.slug(label)}.{fmt}"
        return f"/api/v1/editions/{slug(label)}/download.{fmt}"

    def asset(self, name: str) -> str:
        return f"/static/{name}"

    def api(self, path: str) -> str:
        return f"/api/v1{path}"

    def admin(self, path: str = "/") -> str:
        return self._p("/admin" + path)

    def switch(self, lang: str, path: str, query: str = "") -> str:
        """The same page in ``lang`` (``path`` without a language prefix)."""
        return lang_prefix(lang) + path + (f"?{query}" if query and not self.static else "")


@dataclass
class Page:
    """What every template gets: language, links, text, the signed-in user and the CSRF token."""

    lang: str
    links: Links
    path: str  # without the language prefix
    query: str = ""
    user: str | None = None
    csrf: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def t(self, key: str, **values: Any) -> str:
        return translate(self.lang, key, **values)

    def name(self, names: Any, fallback: str = "") -> str:
        """The name in the page's language, else English, else ``fallback``."""
        if isinstance(names, dict):
            return names.get(self.lang) or names.get("en") or fallback
        if names is not None and hasattr(names, "get"):
            return names.get(self.lang) or fallback
        return fallback

    def context(self) -> dict[str, Any]:
        other = [(lang, self.links.switch(lang, self.path, self.query)) for lang in LANGUAGES if lang != self.lang]
        return {"page": self, "t": self.t, "name": self.name, "lang": self.lang, "links": self.links,
                "other_langs": other, "user": self.user, "csrf": self.csrf, "csrf_field": auth.CSRF_FIELD,
                "static_site": self.links.static, **self.extra}


def render(page: Page, template: str, **values: Any) -> str:
    return environment().get_template(template).render(**page.context(), **values)


def _page(request: Request, **extra: Any) -> Page:
    lang, path = split_lang(request.url.path)
    session = access.session_of(request)
    return Page(lang=lang, links=Links(lang), path=path, query=request.url.query,
                user=session.user if session else None, csrf=session.csrf if session else None, extra=extra)


def _html(text: str | bytes, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers={"Cache-Control": "no-store"})


def _anonymous_page(request: Request, page: Page, view: EditionView, name: str, make: Any) -> HTMLResponse:
    """Pages of published editions for visitors who are not signed in are rendered once and reused
    (the edition is immutable; the key carries its result hash and the full query; such pages
    hold no per-visitor data: no form with a CSRF token)."""
    if page.user is not None or view.info.status != "published":
        return _html(make())
    key = ("page", name, page.lang, view.info.id, view.info.result_sha256, request.url.path, request.url.query)
    body = _portal(request).cache.peek(key)
    if body is None:
        body = make().encode()
        _portal(request).cache.put(key, body)
    response = _html(body)
    response.headers["x-nevindex-cacheable"] = "1"
    return response


def _portal(request: Request) -> Portal:
    return request.app.state.portal  # type: ignore[no-any-return]


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    page = _page(request)
    return _html(render(page, "error.html", status=status, message=message), status)


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
    radar = charts.radar(labels, [by_code.get(e, {}).get("score") for e in view.elements],
                         reference=[prof["medians"].get(e) for e in view.elements],
                         maximum=max([100.0, *(v for v in (by_code.get(e, {}).get("score") for e in view.elements)
                                               if v is not None and math.isfinite(v))]),
                         title=translate(lang, "radar_title"))
    hist = portal.history(code)
    history_svg = charts.history([p["year"] for p in hist["points"]], [p["score"] for p in hist["points"]],
                                 [p["rank"] for p in hist["points"]], title=translate(lang, "history_title"))
    whatif = portal.whatif(view.info.label, code, changes) if changes else None
    element_labels = [{"code": e, "name": label} for e, label in zip(view.elements, labels, strict=True)]
    return {"view": view, "meta": view.meta(), "p": prof, "radar": radar, "history": hist,
            "element_labels": element_labels,
            "history_svg": history_svg, "whatif": whatif, "changes": changes or {}}


def translate_name(names: Any, lang: str) -> str:
    return (names.get(lang) if names is not None else None) or (names.en if names is not None else "")


def compare_context(portal: Portal, view: EditionView, codes: tuple[str, ...]) -> dict[str, Any]:
    comparison = portal.compare(view.info.label, codes) if len(codes) >= 2 else None
    return {"view": view, "meta": view.meta(), "comparison": comparison, "chosen": codes}


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
    page = _page(request)
    portal = _portal(request)
    try:
        view = portal.view(edition)
    except NevIndexError as exc:
        if edition == LATEST and exc.status_code == 404:
            return _html(render(page, "empty.html"), 200)
        raise
    query = _query(group, element, rating, q, sort)
    return _anonymous_page(request, page, view, "home",
                           lambda: render(page, "home.html", **ranking_context(portal, view, page.lang, query)))


@router.get("/editions/{edition}/brands/{brand}/", response_class=HTMLResponse)
def brand_page(request: Request, edition: str, brand: str) -> Response:
    page = _page(request)
    portal = _portal(request)
    view = portal.view(edition)
    changes = _whatif_changes(request)
    if changes:
        return _html(render(page, "brand.html", **brand_context(portal, view, brand, page.lang, changes)))
    return _anonymous_page(request, page, view, "brand",
                           lambda: render(page, "brand.html", **brand_context(portal, view, brand, page.lang)))


@router.get("/brands/{brand}/", response_class=HTMLResponse)
def latest_brand(request: Request, brand: str) -> Response:
    page = _page(request)
    view = _portal(request).view(LATEST)
    return RedirectResponse(page.links.brand(view.info.label, brand), status_code=307)


def _whatif_changes(request: Request) -> dict[str, float] | None:
    """``w.<indicator>=value`` query parameters of the no-JavaScript what-if form (blank = unchanged)."""
    changes: dict[str, float] = {}
    for key, value in request.query_params.multi_items():
        if not key.startswith("w.") or not value.strip():
            continue
        try:
            changes[key[2:]] = float(value.replace(",", ""))
        except ValueError:
            raise DataError(f"'{value}' is not a number", column=key[2:]) from None
    return changes or None


@router.get("/compare/", response_class=HTMLResponse)
def compare_page(request: Request, edition: str | None = None,
                 brands: Annotated[list[str], Query()] = []) -> Response:  # noqa: B006
    page = _page(request)
    portal = _portal(request)
    view = portal.view(edition or LATEST)
    codes = tuple(dict.fromkeys(b for b in brands if b))
    return _html(render(page, "compare.html", **compare_context(portal, view, codes)))


@router.get("/methodology/", response_class=HTMLResponse)
def methodology_page(request: Request, edition: str | None = None) -> Response:
    page = _page(request)
    portal = _portal(request)
    view = portal.view(edition or LATEST)
    return _html(render(page, "methodology.html", view=view, meta=view.meta(),
                        m=portal.methodology(view.info.label), ind=portal.indicators(view.info.label)))


@router.get("/downloads/", response_class=HTMLResponse)
def downloads_page(request: Request) -> Response:
    page = _page(request)
    return _html(render(page, "downloads.html", editions=_portal(request).editions()))


@router.get("/about/", response_class=HTMLResponse)
def about_page(request: Request) -> Response:
    page = _page(request)
    return _html(render(page, "about.html", editions=_portal(request).editions()))


# --- admin pages -------------------------------------------------------------------------------


def _back(request: Request, path: str = "/", message: str | None = None) -> RedirectResponse:
    lang, _ = split_lang(request.url.path)
    target = lang_prefix(lang) + "/admin" + path + (f"?{urlencode({'msg': message})}" if message else "")
    return RedirectResponse(target, status_code=303)


@admin_router.get("/admin/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    existing = access.session_of(request)
    session = existing or auth.SessionData.new()
    page = _page(request)
    page.csrf = session.csrf
    response = _html(render(page, "admin/login.html", error=None))
    if existing is None:
        access.set_session(request, response, session)
    return response


@admin_router.post("/admin/login", response_class=HTMLResponse)
async def login(request: Request, username: Annotated[str, Form(max_length=100)],
                password: Annotated[str, Form(max_length=1000)]) -> Response:
    session = access.session_of(request)
    form = await request.form()
    sent = form.get(auth.CSRF_FIELD)
    if not auth.csrf_ok(session, sent if isinstance(sent, str) else None):
        raise auth.ForbiddenError("missing or wrong CSRF token; reload the sign-in page and try again")
    limiter: auth.LoginLimiter = request.app.state.limiter
    client = access.client_address(request)
    try:
        limiter.check(client, username)
    except auth.RateLimitedError as exc:
        page = _page(request)
        return _html(render(page, "admin/login.html", error=str(exc)), 429)
    if not auth.verify_user(request.app.state.store.engine, username, password):
        limiter.failed(client, username)
        page = _page(request)
        return _html(render(page, "admin/login.html", error=page.t("login_failed")), 401)
    limiter.succeeded(client, username)
    response = _back(request)
    access.set_session(request, response, auth.SessionData.new(user=username.strip()))  # new CSRF token too
    return response


@admin_router.post("/admin/logout")
async def logout(request: Request, user: Annotated[str, Depends(access.form_admin)]) -> Response:
    response = RedirectResponse(lang_prefix(split_lang(request.url.path)[0]) + "/", status_code=303)
    access.clear_session(response)
    return response


@admin_router.get("/admin/", response_class=HTMLResponse)
def dashboard(request: Request, msg: Annotated[str | None, Query(max_length=300)] = None) -> Response:
    page = _page(request)
    if page.user is None:
        return RedirectResponse(page.links.admin("/login"), status_code=303)
    portal = _portal(request)
    return _html(render(page, "admin/dashboard.html", editions=portal.all_editions(), datasets=portal.datasets(),
                        message=msg, max_upload=request.app.state.settings.max_upload_bytes))


@admin_router.post("/admin/import")
async def admin_import(request: Request, user: Annotated[str, Depends(access.form_admin)],
                       file: Annotated[UploadFile, File()], units: Annotated[UploadFile | None, File()] = None,
                       label: Annotated[str | None, Form(max_length=200)] = None) -> Response:
    info = await uploads.import_upload(request, user, file, units, label)
    return _back(request, message=f"imported data set '{info['label']}' ({info['observations']} observations)")


@admin_router.post("/admin/editions")
async def admin_create(request: Request, user: Annotated[str, Depends(access.form_admin)],
                       year: Annotated[int, Form(ge=1900, le=2200)], dataset: Annotated[str, Form(max_length=200)],
                       label: Annotated[str | None, Form(max_length=200)] = None,
                       methodology: Annotated[str | None, Form(max_length=200)] = None) -> Response:
    info = _portal(request).create_edition(year=year, dataset=dataset, methodology=methodology,
                                           label=label or None, actor=user)
    return _back(request, message=f"created draft edition '{info['label']}'")


@admin_router.post("/admin/editions/{edition}/build")
async def admin_build(request: Request, edition: str, user: Annotated[str, Depends(access.form_admin)]) -> Response:
    _portal(request).build_edition(edition, actor=user)
    return _back(request, message=f"built edition '{edition}'")


@admin_router.post("/admin/editions/{edition}/audit")
async def admin_run_audit(request: Request, edition: str,
                          user: Annotated[str, Depends(access.form_admin)]) -> Response:
    _portal(request).audit_edition(edition, actor=user)
    return _back(request, f"/editions/{slug(edition)}/audit", message=f"audited edition '{edition}'")


@admin_router.get("/admin/editions/{edition}/audit", response_class=HTMLResponse)
def admin_audit(request: Request, edition: str, msg: Annotated[str | None, Query(max_length=300)] = None) -> Response:
    page = _page(request)
    if page.user is None:
        return RedirectResponse(page.links.admin("/login"), status_code=303)
    portal = _portal(request)
    info = portal.edition_info(edition, allow_draft=True)
    return _html(render(page, "admin/audit.html", edition=info, audit=portal.audit(edition, allow_draft=True),
                        message=msg))


@admin_router.post("/admin/editions/{edition}/publish")
async def admin_publish(request: Request, edition: str, user: Annotated[str, Depends(access.form_admin)]) -> Response:
    _portal(request).publish(edition, actor=user)
    return _back(request, message=f"published edition '{edition}'")


__all__ = ["router", "admin_router", "Links", "Page", "render", "error_page", "Markup"]
