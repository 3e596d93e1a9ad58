"""Request-level access rules: who is signed in, and the checks every admin route runs.

Admin API: a bearer token, or the session cookie *plus* the session's CSRF token in
``X-CSRF-Token``. Admin forms: the session cookie plus the CSRF token as a form field.
Anything else is refused (401 without credentials, 403 with a missing or wrong CSRF token).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response

from nevindex.web import auth

__all__ = ["api_admin", "clear_session", "client_address", "current_user", "ensure_session", "form_admin", "live_session", "require_signed_in",
           "session_of", "set_session"]


def session_of(request: Request) -> auth.SessionData | None:
    """The visitor's session; a signed-in one whose session version is no longer current (signed out,
    new password, revoked, user removed) is the same visitor signed out."""
    cached = getattr(request.state, "session", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    session = live_session(request.app.state, request.cookies.get(auth.SESSION_COOKIE))
    request.state.session = session
    return session


def live_session(state: Any, cookie: str | None) -> auth.SessionData | None:
    """The session a cookie holds, checked against the store's session version of its user."""
    session = auth.read_session(state.signer, cookie)
    if session is not None and session.user is not None and \
            not auth.session_is_current(state.store.engine, session.user, session.version):
        return session.anonymous()
    return session


def current_user(request: Request) -> str | None:
    session = session_of(request)
    return session.user if session else None


def ensure_session(request: Request, response: Response) -> auth.SessionData:
    """The visitor's session, creating an anonymous one (for a form's CSRF token) when needed."""
    session = session_of(request)
    if session is None:
        session = auth.SessionData.new()
        set_session(request, response, session)
    return session


def set_session(request: Request, response: Response, session: auth.SessionData) -> None:
    request.state.session = session
    response.set_cookie(auth.SESSION_COOKIE, auth.write_session(request.app.state.signer, session),
                        max_age=auth.SESSION_SECONDS, httponly=True, samesite="strict",
                        secure=request.app.state.settings.secure_cookies, path="/")


def clear_session(response: Response) -> None:
    response.delete_cookie(auth.SESSION_COOKIE, path="/")


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def api_admin(request: Request) -> str:
    """Dependency of every admin API route: the acting user, or 401/403 (checked once per request)."""
    known = getattr(request.state, "admin_user", None)
    if known is not None:
        return known  # type: ignore[no-any-return]
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        claims = auth.token_user(request.app.state.signer, token.strip()) if scheme.lower() == "bearer" else None
        if claims is None or not auth.session_is_current(request.app.state.store.engine, *claims):
            raise auth.AuthError("the bearer token is invalid, expired or revoked; get one from POST /api/v1/auth/token")
        user = claims[0]
    else:
        session = session_of(request)
        if session is None or session.user is None:
            raise auth.AuthError("sign in first: send 'Authorization: Bearer <token>' (POST /api/v1/auth/token)")
        if not auth.csrf_ok(session, request.headers.get(auth.CSRF_HEADER)):
            raise auth.ForbiddenError("missing or wrong CSRF token (send the X-CSRF-Token header)")
        user = session.user
    request.state.admin_user = user
    return user


def require_signed_in(request: Request) -> str:
    """The signed-in user of the session cookie, or 401 (what an admin form needs before its body is read)."""
    session = session_of(request)
    if session is None or session.user is None:
        raise auth.AuthError("sign in first")
    return session.user


async def form_admin(request: Request) -> str:
    """Dependency of every admin form handler: signed in, and the form's CSRF token matches."""
    user = require_signed_in(request)
    form = await request.form()
    sent = form.get(auth.CSRF_FIELD)
    if not auth.csrf_ok(session_of(request), sent if isinstance(sent, str) else None):
        raise auth.ForbiddenError("missing or wrong CSRF token; reload the page and try again")
    return user
