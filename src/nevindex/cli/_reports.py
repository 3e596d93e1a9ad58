"""The report renderer the CLI hands to the portal and the static export (``web`` may not import
``report``: they are sibling layers, so the wiring lives here, above both)."""

from __future__ import annotations

from typing import Any

__all__ = ["portal_app", "render_report"]


def render_report(store: Any, label: str, lang: str, fmt: str) -> bytes:
    """The annual report of edition ``label`` (published or a built draft) as PDF or HTML bytes."""
    from nevindex.report import sources
    from nevindex.report.render import render_html, render_pdf
    from nevindex.store import editions as ed

    info = ed.get_edition(store, label)
    model = sources.from_store(info.year, url=store.url, edition=info.label).model(lang)
    return render_pdf(model) if fmt == "pdf" else render_html(model).encode("utf-8")


def portal_app() -> Any:
    """The portal with report rendering (the factory ``nevindex serve --workers N`` starts)."""
    from nevindex.web.app import create_app

    return create_app(reports=render_report)
