"""Request bodies: who may send one, and how large it may be — decided before a byte of it is read.

FastAPI reads (and spools) a request body before it resolves a route's dependencies, so an admin
route's authentication would run only after an anonymous client had sent its whole upload.
:class:`GuardedRoute`, the route class of every router of the portal, therefore runs in front of
FastAPI's handler:

1. **who**: a route that depends on :func:`~nevindex.web.access.api_admin` is authenticated in full
   (bearer token, or session cookie plus CSRF header); one that depends on
   :func:`~nevindex.web.access.form_admin` needs a live signed-in session (its CSRF token is a field
   of the form, checked once the small form is read);
2. **announced length**: a ``Content-Length`` over the route's limit is refused (413);
3. **hard cap**: the body is then counted as it is read, so a chunked body, or one longer than it
   said, is cut off at the limit (413); the multipart parser closes its spooled files on the way out.

Limits (:class:`~nevindex.web.app.Settings`): a route that takes files allows two files of
``max_upload_bytes`` (``NEVINDEX_MAX_UPLOAD_MB``) and the form around them; every other body
``max_body_bytes``. Starlette's own body-limit middleware is not used: it answers 413 to any request
announcing too much, before authentication could say 401.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, MutableMapping
from typing import Any

from fastapi import params
from fastapi.concurrency import run_in_threadpool
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from nevindex.web import access

__all__ = ["FORM_OVERHEAD", "MAX_BODY_BYTES", "GuardedRoute", "body_limit", "too_large"]

#: Bytes of any request body that is not an upload: sign-in and admin forms, JSON (what-if, tokens).
MAX_BODY_BYTES = 64 * 1024
#: Bytes an upload request may add to its files: multipart framing and the small fields.
FORM_OVERHEAD = 64 * 1024

Handler = Callable[[Request], Coroutine[Any, Any, Response]]
Message = MutableMapping[str, Any]


class GuardedRoute(APIRoute):
    """An API route whose body is read only after the caller is known and its size is allowed."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()
        calls = _calls(self.dependant)
        takes_files = _takes_files(self.dependant)

        async def guarded(request: Request) -> Response:
            if access.api_admin in calls:
                await run_in_threadpool(access.api_admin, request)
            elif access.form_admin in calls:
                await run_in_threadpool(access.require_signed_in, request)
            limit = body_limit(request, takes_files)
            announced = request.headers.get("content-length")
            if announced is not None and announced.isdigit() and int(announced) > limit:
                raise too_large(request, limit)
            return await handler(Request(request.scope, _capped(request, limit)))

        return guarded


def body_limit(request: Request, takes_files: bool) -> int:
    settings = request.app.state.settings
    return int(settings.max_request_bytes if takes_files else settings.max_body_bytes)


def too_large(request: Request, limit: int) -> HTTPException:
    """413 with a sentence naming the limit and the setting behind it (an HTTPException, so that
    FastAPI's body reading passes it on instead of calling the body malformed)."""
    settings = request.app.state.settings
    message = f"the request body is larger than the limit of {limit:,} bytes"
    if limit == settings.max_request_bytes:
        message += (f": an upload holds at most two files of {settings.max_upload_bytes:,} bytes each "
                    "(set NEVINDEX_MAX_UPLOAD_MB to change it)")
    return HTTPException(413, detail=message)


def _capped(request: Request, limit: int) -> Callable[[], Awaitable[Message]]:
    """``request``'s receive, raising 413 once more than ``limit`` body bytes have arrived."""
    receive = request.receive
    seen = 0

    async def capped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise too_large(request, limit)
        return message

    return capped


def _calls(dependant: Dependant) -> set[Any]:
    found, todo = set(), [dependant]
    while todo:
        node = todo.pop()
        if node.call is not None:
            found.add(node.call)
        todo.extend(node.dependencies)
    return found


def _takes_files(dependant: Dependant) -> bool:
    return any(isinstance(field.field_info, params.File) for field in dependant.body_params)
