"""The portal application: ``create_app(db_url=...)`` wires the store, auth, API, pages and static files.

One process serves the public site, the open-data API and the admin side. Errors from the
library (the NevIndexError family) become JSON ``{"error": {...}}`` with the error's status on the
API and a short HTML page elsewhere; request validation errors are 422 with the field named.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from nevindex.errors import NevIndexError
from nevindex.web import auth, limits
from nevindex.web._errors import one_line, problem
from nevindex.web.cache import ResponseCache
from nevindex.web.personal import Personaliser
from nevindex.web.security import SecurityHeaders
from nevindex.web.service import Portal

HERE = Path(__file__).parent
WEBFONTS = HERE.parent / "fonts" / "web"  # as nevindex.web.templating.WEBFONTS (not imported: it loads Jinja)
API_PREFIX = "/api/v1"
#: Default limit of one uploaded file (data files are small tables); ``NEVINDEX_MAX_UPLOAD_MB`` changes it.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
UPLOAD_ENV = "NEVINDEX_MAX_UPLOAD_MB"


@dataclass
class Settings:
    secure_cookies: bool = False
    #: bytes of one uploaded file; an upload request holds at most two (data and units table)
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    #: bytes of any other request body (forms, JSON)
    max_body_bytes: int = limits.MAX_BODY_BYTES
    login_attempts: int = 5
    login_window: float = 300.0
    #: seconds an anonymous read of published data is served from memory, and proxies may keep "latest"
    response_ttl: float = 5.0

    @property
    def max_request_bytes(self) -> int:
        """Bytes of a whole upload request: two files and the form around them."""
        return 2 * self.max_upload_bytes + limits.FORM_OVERHEAD


def upload_limit_from_env() -> int:
    """``NEVINDEX_MAX_UPLOAD_MB`` (megabytes, may be fractional) in bytes, else the default."""
    text = os.environ.get(UPLOAD_ENV, "").strip()
    if not text:
        return MAX_UPLOAD_BYTES
    try:
        megabytes = float(text)
    except ValueError:
        megabytes = -1.0
    if not 0 < megabytes <= 10_000:
        raise NevIndexError(f"{UPLOAD_ENV}={text!r} is not a size in megabytes; give a number from 0.01 to 10000")
    return int(megabytes * 1024 * 1024)


def create_app(db_url: str | None = None, *, store: Any = None, secure_cookies: bool | None = None,
               max_upload_bytes: int | None = None, login_attempts: int = 5,
               login_window: float = 300.0, response_ttl: float = 5.0, session_check_ttl: float = 1.0,
               reports: Any = None, reports_dir: str | Path | None = None) -> FastAPI:
    """The portal on the store at ``db_url`` (default: ``NEVINDEX_DB`` / the user's data directory).

    ``secure_cookies`` marks cookies Secure (HTTPS only); default from ``NEVINDEX_SECURE_COOKIES``.
    ``max_upload_bytes`` limits one uploaded file; default from ``NEVINDEX_MAX_UPLOAD_MB`` (20 MB).
    ``response_ttl`` bounds how long an anonymous read of published data is served from memory, and how
    long a proxy may serve "latest" without revalidating (named editions: an hour; see ``_caching``).
    ``session_check_ttl`` is how long a signed-in visitor's public pages trust a session check (a session
    ended in another process shows there within that time; admin pages and actions always check).
    ``reports`` renders an edition's annual report (:data:`nevindex.web.reports.Renderer`; the CLI passes
    one); rendered files are kept in ``reports_dir`` (default ``NEVINDEX_REPORTS_DIR`` / the user cache)."""
    from nevindex.store.db import open_store
    from nevindex.web import admin_pages, api, pages
    from nevindex.web.reports import ReportFiles

    if max_upload_bytes is None:
        max_upload_bytes = upload_limit_from_env()
    if store is None:
        store = open_store(db_url)
    if secure_cookies is None:
        secure_cookies = os.environ.get("NEVINDEX_SECURE_COOKIES", "").lower() in ("1", "true", "yes")

    app = FastAPI(
        title="nevindex API",
        version="1",
        description="Open data of the Global NEV Brand Evaluation Index: editions, rankings, brand profiles, "
                    "history, comparisons, methodology, downloads and audit results. Read-only for everyone; "
                    "the admin endpoints need a bearer token from POST /api/v1/auth/token.",
        docs_url=None, redoc_url=None,  # the bundled UIs load from a CDN; the schema is at /api/v1/openapi.json
        openapi_url=f"{API_PREFIX}/openapi.json",
    )
    app.state.portal = Portal(store)
    app.state.store = store
    app.state.signer = auth.Signer(auth.load_secret(store.engine))
    app.state.limiter = auth.LoginLimiter(attempts=login_attempts, window=login_window)
    app.state.settings = Settings(secure_cookies=bool(secure_cookies), max_upload_bytes=max_upload_bytes,
                                  login_attempts=login_attempts, login_window=login_window,
                                  response_ttl=response_ttl)

    app.state.reports = ReportFiles(reports, reports_dir)
    app.include_router(api.router, prefix=API_PREFIX)
    app.include_router(api.admin_router, prefix=API_PREFIX)
    app.include_router(admin_pages.admin_router)
    app.include_router(admin_pages.admin_router, prefix="/zh")
    app.include_router(pages.router)
    app.include_router(pages.router, prefix="/zh")
    app.mount("/static/fonts", StaticFiles(directory=WEBFONTS), name="fonts")  # before /static: first match wins
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    portal: Portal = app.state.portal
    app.state.visitors = Personaliser(app.state, ttl=session_check_ttl)
    app.add_middleware(ResponseCache, ttl=response_ttl, generation=lambda: portal.generation,
                       visitors=app.state.visitors)
    app.add_middleware(SecurityHeaders)
    _error_handlers(app)
    return app


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_json(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": {"status": status, "message": message, **extra}}, status_code=status)


def _problem(err: dict[str, Any]) -> dict[str, str]:
    """One request validation error as ``{field, message}``: the parameter or JSON field by name
    (``changes.sales``, not ``body.0``), and a body that is not JSON said so."""
    loc = [str(p) for p in err.get("loc", ())]
    if err.get("type") == "json_invalid":
        position = loc[1] if len(loc) > 1 and loc[1].isdigit() else None
        detail = (err.get("ctx") or {}).get("error")
        return {"field": "body", "message": "the request body is not valid JSON"
                + (f" ({detail} at character {position})" if detail and position is not None else "")
                + "; send a JSON object with Content-Type: application/json"}
    kind = loc[0] if loc and loc[0] in ("query", "path", "body", "header", "cookie") else None
    where = ".".join(p for p in loc if p not in ("query", "body", "path", "header", "cookie")) or "body"
    noun = {"query": "query parameter", "path": "path parameter", "header": "header", "cookie": "cookie"}.get(
        kind or "", "field")
    return {"field": where, "message": f"{noun} '{where}': {err.get('msg', 'invalid')}"}


def _error_handlers(app: FastAPI) -> None:
    from nevindex.web.templating import error_page

    @app.exception_handler(NevIndexError)
    async def nevindex_error(request: Request, exc: NevIndexError) -> Any:
        status = getattr(exc, "status_code", 400)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 and _is_api(request) else None
        if _is_api(request):
            response = error_json(status, one_line(exc), **problem(exc))
            if headers:
                response.headers.update(headers)
            return response
        return error_page(request, status, one_line(exc))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Any:
        problems = [_problem(err) for err in exc.errors()]
        message = "; ".join(p["message"] for p in problems) or "invalid request"
        if _is_api(request):
            return error_json(422, message, problems=problems)
        return error_page(request, 422, message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        message = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404 and message == "Not Found":
            message = f"nothing at {request.url.path}"
        if _is_api(request) or exc.status_code == 405:
            return error_json(exc.status_code, message)
        return error_page(request, exc.status_code, message)


__all__ = ["API_PREFIX", "MAX_UPLOAD_BYTES", "UPLOAD_ENV", "HTMLResponse", "Settings", "create_app", "error_json",
           "upload_limit_from_env"]
