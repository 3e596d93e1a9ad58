"""What every server-rendered page shares: the Jinja2 environment and filters, links, the page
object with its language and text, and the small request helpers of the route modules.

The same :func:`render` serves the live portal (:mod:`nevindex.web.pages`, :mod:`nevindex.web.admin_pages`)
and the static export (:mod:`nevindex.web.site`), where :class:`Links` point at files instead of routes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape

from nevindex.i18n import numbers
from nevindex.web import access, auth
from nevindex.web._caching import NO_STORE
from nevindex.web.i18n import DEFAULT, LANGUAGES, lang_prefix, split_lang, translate
from nevindex.web.service import Portal, num

__all__ = ["HERE", "WEBFONTS", "Links", "Page", "environment", "error_page", "file_slug", "fmt", "html", "page_of", "portal_of",
           "render", "slug"]

HERE = Path(__file__).parent
#: The portal's webfonts (WOFF2 subsets of the vendored fonts, made by scripts/web_fonts.py), served at
#: /static/fonts/ and copied into the static export: Chinese renders on machines without CJK fonts.
WEBFONTS = HERE.parent / "fonts" / "web"


@cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["fmt"] = fmt
    env.filters["slug"] = slug
    env.filters["cell"] = numbers.cell
    env.filters["pct"] = pct
    return env


@pass_context
def fmt(context: Any, value: Any, digits: int = 1) -> str:
    """A number for display in the page's language ("—" when missing); large whole numbers (counts,
    sales) without decimals."""
    f = num(value)
    if f is not None and abs(f) >= 1000 and f.is_integer():
        digits = 0
    return numbers.number(f, digits, lang=context.get("lang", DEFAULT))


@pass_context
def pct(context: Any, share: Any) -> str:
    """A share (0–1) as a whole percentage in the page's language ("—" when missing)."""
    return numbers.percent(num(share), 0, lang=context.get("lang", DEFAULT))


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
        """The open-data file ``fmt`` (csv, xlsx, json, or methodology.yaml) of the edition."""
        sep = "-" if fmt == "methodology.yaml" else "."
        if self.static:
            return f"/data/{self.slug(label)}/edition-{self.slug(label)}{sep}{fmt}"
        return f"/api/v1/editions/{slug(label)}/download.{fmt}"

    def report(self, label: str, lang: str, fmt: str) -> str:
        """The edition's annual report (pdf or html) in ``lang``; the same path in the static export."""
        return f"/reports/{self.slug(label)}/report-{lang}.{fmt}"

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


def page_of(request: Request, **extra: Any) -> Page:
    lang, path = split_lang(request.url.path)
    session = access.session_of(request)
    return Page(lang=lang, links=Links(lang), path=path, query=request.url.query,
                user=session.user if session else None, csrf=session.csrf if session else None, extra=extra)


def html(text: str | bytes, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers={"Cache-Control": NO_STORE})


def portal_of(request: Request) -> Portal:
    return request.app.state.portal  # type: ignore[no-any-return]


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    page = page_of(request)
    return html(render(page, "error.html", status=status, message=message), status)
