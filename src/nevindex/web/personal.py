"""A signed-in analyst's copy of a published page: the cached anonymous page with the user's bar.

A published page is the same for everyone except three small parts of ``base.html`` (the sign-out
form with the session's CSRF token, the admin link, the footer's sign-in link), which the template
writes between ``<!--user:NAME-->`` and ``<!--/user:NAME-->`` markers from the macros of
``_user.html``. So the portal renders and caches only the anonymous page, and the response cache
(:mod:`nevindex.web.cache`) dresses it for a signed-in visitor by rendering those macros again for
that visitor and swapping them in. Data on a page cannot fake a marker: autoescaping turns ``<`` into
``&lt;``. The dressed copy is personal: ``no-store``, no ``ETag``, never stored.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from functools import partial
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import cookie_parser

from nevindex.web import access, auth
from nevindex.web._caching import Memo, TimedMemo
from nevindex.web.i18n import split_lang, translate
from nevindex.web.templating import Links, environment

__all__ = ["SLOTS", "Personaliser", "dress"]

#: The marked parts of a page, in the order ``base.html`` writes them.
SLOTS = ("tools", "nav", "footer")


def dress(body: bytes, lang: str, session: auth.SessionData) -> bytes:
    """``body`` (an anonymous page) with every marked part rendered for ``session``'s user."""
    parts = _parts(lang, session.user, session.csrf)
    out, at = [], 0
    for name, part in zip(SLOTS, parts, strict=True):
        start = body.find(b"<!--user:" + name.encode() + b"-->", at)
        end = body.find(b"<!--/user:" + name.encode() + b"-->", start)
        if start < 0 or end < 0:
            continue  # a page without this part (none of the portal's)
        start += len(name) + 12
        out += [body[at:start], part]
        at = end
    out.append(body[at:])
    return b"".join(out)


def _parts(lang: str, user: str | None, csrf: str) -> tuple[bytes, ...]:
    """The marked parts for one visitor (one session: its CSRF token is in the sign-out form)."""
    return _PARTS.get((lang, user, csrf), lambda: _render_parts(lang, user, csrf))


_PARTS = Memo(256)


def _render_parts(lang: str, user: str | None, csrf: str) -> tuple[bytes, ...]:
    macros = environment().get_template("_user.html").module
    links, t = Links(lang), partial(translate, lang)
    rendered = (macros.tools(user, csrf, auth.CSRF_FIELD, links, t),  # type: ignore[attr-defined]
                macros.nav(user, links, t, ""),  # type: ignore[attr-defined]
                macros.footer(user, links, t, False))  # type: ignore[attr-defined]
    return tuple(str(r).encode() for r in rendered)


class Personaliser:
    """Who a request is (for the response cache), and that visitor's copy of a cached page.

    What a session cookie means (signature, lifetime, the user's session version in the store) is
    checked once and then trusted for ``ttl`` seconds, so a signed-in analyst's public pages cost no
    store query each; :meth:`forget` (signing out through this process) ends that at once. Admin pages
    and actions never use this: they check the store on every request (:mod:`nevindex.web.access`)."""

    def __init__(self, state: Any, ttl: float = 1.0):
        self.state = state
        self._known = TimedMemo(ttl=ttl)

    async def visitor(self, scope: MutableMapping[str, Any]) -> auth.SessionData | None:
        """The signed-in session of the request's cookie, or None for anyone else (no cookie, another
        cookie, an anonymous, expired, forged or revoked session)."""
        header = _header(scope, b"cookie")
        cookie = cookie_parser(header).get(auth.SESSION_COOKIE) if header else None
        if not cookie:
            return None
        known = self._known.peek(cookie)
        if known is None:
            session = await run_in_threadpool(access.live_session, self.state, cookie)  # reads the store
            known = (session if session is not None and session.user is not None else None,)
            self._known.put(cookie, known)
        return known[0]  # type: ignore[no-any-return]

    def forget(self) -> None:
        self._known.clear()

    def dress(self, body: bytes, scope: MutableMapping[str, Any], session: auth.SessionData) -> bytes:
        return dress(body, split_lang(scope["path"])[0], session)


def _header(scope: MutableMapping[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None
