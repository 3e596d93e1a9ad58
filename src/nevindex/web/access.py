"""Request-level access rules: who is signed in, and the checks every admin route runs.

Admin API: a bearer token, or the session cookie *plus* the session's CSRF token in
``X-CSRF-Token``. Admin forms: the session cookie plus the CSRF token as a form field.
Anything else is refused (401 without credentials, 403 with a missing or wrong CSRF token).
"""

from __future__ import annotations

from fastapi import Request, Response

from nevindex.web import auth

__all__ = ["api_admin", "clear_session", "client_address", "current_user", "ensure_session", "form_admin",
           "session_of", "set_session"]


def session_of(request: Request) -> auth.SessionData | None:
    cached = getattr(request.state, "session", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    session = auth.read_session(request.app.state.signer, request.cookies.get(auth.SESSION_COOKIE))
    request.state.session = session
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
    """Dependency of every admin API route: the acting user, or 401/403."""
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        user = auth.token_user(request.app.state.signer, token.strip()) if scheme.lower() == "bearer" else None
        if user is None or not auth.user_exists(request.app.state.store.engine, user):
            raise auth.AuthError("the bearer token is invalid or expired; get one from POST /api/v1/auth/token")
        return user
    session = session_of(request)
    if session is None or session.user is None:
        raise auth.AuthError("sign in first: send 'Authorization: Bearer <token>' (POST /api/v1/auth/token)")
    if not auth.csrf_ok(session, request.headers.get(auth.CSRF_HEADER)):
        raise auth.ForbiddenError("missing or wrong CSRF token (send the X-CSRF-Token header)")
    _still_a_user(request, session.user)
    return session.user


async def form_admin(request: Request) -> str:
    """Dependency of every admin form handler: signed in, and the form's CSRF token matches."""
    session = session_of(request)
    if session is None or session.user is None:
        raise auth.AuthError("sign in first")
    form = await request.form()
    sent = form.get(auth.CSRF_FIELD)
    if not auth.csrf_ok(session, sent if isinstance(sent, str) else None):
        raise auth.ForbiddenError("missing or wrong CSRF token; reload the page and try again")
    _still_a_user(request, session.user)
    return session.user


def _still_a_user(request: Request, user: str) -> None:
    if not auth.user_exists(request.app.state.store.engine, user):
        raise auth.AuthError("this account no longer exists; sign in again")
