"""The public portal, REST API and admin side (FastAPI). Entry point: :func:`create_app`."""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def create_app(db_url: str | None = None, **kwargs: Any) -> Any:
    """See :func:`nevindex.web.app.create_app` (imported lazily: FastAPI is only needed here)."""
    from nevindex.web.app import create_app as _create

    return _create(db_url, **kwargs)
