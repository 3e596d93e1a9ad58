"""Security headers on every response, as plain ASGI middleware (cheap: no request body buffering).

The CSP allows scripts and styles only from our own origin (the vendored files in ``static/``): no
inline scripts, no remote assets, no framing by other sites. Inline SVG charts carry only
attributes, never ``<style>`` or ``<script>``, so they work under this policy.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]

__all__ = ["CSP", "HEADERS", "SecurityHeaders"]

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)


class SecurityHeaders:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Message]],
                       send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                given = message.get("headers", [])
                # a route may set a stricter or document-specific CSP (the HTML report): keep it
                own_csp = [(k, v) for k, v in given if k.lower() == b"content-security-policy"][:1]
                headers = [(k, v) for k, v in given if k.lower() not in _NAMES]
                headers.extend(own_csp or HEADERS[:1])
                headers.extend(HEADERS[1:])
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


_NAMES = {k for k, _ in HEADERS}
