"""Route handlers of the annual report (registered on the pages', admin pages' and admin API's routers): the public download of a published edition's report (rendered once,
then kept; see :mod:`nevindex.web.reports`), the webfonts beside it, and the analysts' render action.

The HTML report is a document of its own (inline CSS, inline SVG charts), so it gets its own
Content-Security-Policy: inline styles, data images and our fonts, and nothing that runs.
``/reports/<label>/fonts/`` serves the portal's webfonts where the report's ``fonts/`` links point.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from nevindex.errors import NotFoundError
from nevindex.web import access
from nevindex.web._caching import NO_STORE, etag_matches
from nevindex.web.i18n import lang_prefix, split_lang
from nevindex.web.reports import FORMATS, ReportFiles
from nevindex.web.templating import WEBFONTS, portal_of, slug

#: The HTML report's policy: its inline <style> and data: images, fonts from here, no script, no forms.
REPORT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src 'self'; base-uri 'none'; "
              "form-action 'none'; frame-ancestors 'none'")

__all__ = ["REPORT_CSP", "admin_render", "admin_report", "api_render", "public_report", "report_font",
           "report_response"]


def _files(request: Request) -> ReportFiles:
    return request.app.state.reports  # type: ignore[no-any-return]


def report_response(content: bytes, label: str, lang: str, fmt: str, headers: dict[str, str]) -> Response:
    name = f"report-{label}-{lang}.{fmt}"
    disposition = "inline" if fmt == "html" else "attachment"
    extra = {"Content-Security-Policy": REPORT_CSP} if fmt == "html" else {}
    return Response(content, media_type=FORMATS[fmt],
                    headers={**headers, **extra, "Content-Disposition": f'{disposition}; filename="{name}"'})


async def public_report(request: Request, edition: str, lang: str, fmt: str) -> Response:
    """A published edition's report (404 for drafts, and where the portal renders no reports)."""
    portal = portal_of(request)
    files = _files(request)
    info = await run_in_threadpool(portal.published_info, edition)
    headers = portal.http_cache(edition, info, request.app.state.settings.response_ttl)
    if etag_matches(request.headers.get("if-none-match"), headers["ETag"]):
        return Response(status_code=304, headers=headers)
    content = await run_in_threadpool(files.get, portal.store, info, lang, fmt)
    return report_response(content, info.label, lang, fmt, headers)


def report_font(edition: str, name: str) -> Response:
    """The webfonts the HTML report links from ``fonts/`` beside it (the same files as /static/fonts/)."""
    fonts = {p.name: p for p in WEBFONTS.glob("*.woff2")}
    if name not in fonts:
        raise NotFoundError(f"no font '{name}'")
    return Response(fonts[name].read_bytes(), media_type="font/woff2",
                    headers={"Cache-Control": "public, max-age=86400"})


def _render(request: Request, edition: str) -> tuple[Any, list[str]]:
    portal = portal_of(request)
    info = portal.edition_info(edition, allow_draft=True)
    return info, _files(request).render_all(portal.store, info)


async def admin_render(request: Request, edition: str, user: Annotated[str, Depends(access.form_admin)]) -> Response:
    """Render the edition's report (both languages, PDF and HTML), drafts included; back to the dashboard."""
    info, done = await run_in_threadpool(_render, request, edition)
    lang, _ = split_lang(request.url.path)
    message = f"rendered the report of '{info.label}': {', '.join(done)}"
    return RedirectResponse(lang_prefix(lang) + "/admin/?" + urlencode({"msg": message}), status_code=303)


def admin_report(request: Request, edition: str, lang: str, fmt: str,
                 user: Annotated[str, Depends(access.require_signed_in)]) -> Response:
    """A rendered report of any edition, drafts included (analysts only; never cached)."""
    portal = portal_of(request)
    info = portal.edition_info(edition, allow_draft=True)
    content = _files(request).get(portal.store, info, lang, fmt)
    return report_response(content, info.label, lang, fmt, {"Cache-Control": NO_STORE})


async def api_render(request: Request, edition: str, user: Annotated[str, Depends(access.api_admin)]) -> Any:
    info, done = await run_in_threadpool(_render, request, edition)
    return {"edition": info.label, "files": done,
            "links": [f"/admin/editions/{slug(info.label)}/{name}" for name in done]}
