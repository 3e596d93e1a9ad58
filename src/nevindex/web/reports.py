"""The annual report of an edition (PDF and HTML, English and Chinese) as portal downloads.

Why injected: the report is its own layer beside the web (``web | report`` may not import each
other), so the CLI that starts the portal passes a *renderer* — ``render(store, label, lang, fmt)``
returning the file's bytes (:mod:`nevindex.cli._reports`). Without one (a bare ``create_app()``)
the report routes answer 404 and the Downloads page does not offer reports.

A rendered report is kept on disk, keyed by the edition's result hash (a published edition never
changes, so each file is rendered at most once; a rebuilt draft gets a new key). Renders run one at a
time (a PDF takes seconds of CPU), and the public side renders only published editions; analysts
render drafts from the admin side.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from nevindex.errors import NotFoundError
from nevindex.io import write_bytes
from nevindex.web._errors import ParameterError

#: ``render(store, edition label, lang, fmt) -> bytes``
Renderer = Callable[[Any, str, str, str], bytes]
FORMATS = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}
LANGS = ("en", "zh")
ENV = "NEVINDEX_REPORTS_DIR"

__all__ = ["ENV", "FORMATS", "LANGS", "Renderer", "ReportFiles", "default_folder", "file_name"]


def default_folder() -> Path:
    """``NEVINDEX_REPORTS_DIR``, else ``<user cache dir>/nevindex/reports``."""
    value = os.environ.get(ENV, "").strip()
    if value:
        return Path(value)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("nevindex", appauthor=False)) / "reports"


def file_name(lang: str, fmt: str) -> str:
    return f"report-{lang}.{fmt}"


def check(lang: str, fmt: str) -> None:
    if lang not in LANGS:
        raise ParameterError(f"no report in language '{lang}'", parameter="lang", hint="languages: en, zh")
    if fmt not in FORMATS:
        raise ParameterError(f"no report format '{fmt}'", parameter="format", hint="formats: pdf, html")


class ReportFiles:
    """Rendered reports on disk, one folder per edition result, rendered on first request."""

    def __init__(self, renderer: Renderer | None, folder: str | Path | None = None) -> None:
        self.renderer = renderer
        self.folder = Path(folder) if folder is not None else default_folder()
        self._one_at_a_time = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.renderer is not None

    def path(self, info: Any, lang: str, fmt: str) -> Path:
        key = (info.result_sha256 or "unbuilt")[:16]
        return self.folder / f"{info.id}-{key}" / file_name(lang, fmt)

    def get(self, store: Any, info: Any, lang: str, fmt: str) -> bytes:
        """The report's bytes, rendered now if this edition result has none yet."""
        check(lang, fmt)
        if self.renderer is None:
            raise NotFoundError("this portal does not render reports (start it with `nevindex serve`)")
        if info.result_sha256 is None:
            raise NotFoundError(f"edition '{info.label}' has not been built yet: build it before its report")
        target = self.path(info, lang, fmt)
        if target.exists():
            return target.read_bytes()
        with self._one_at_a_time:
            if not target.exists():  # rendered by another request while this one waited
                write_bytes(target, self.renderer(store, info.label, lang, fmt))
        return target.read_bytes()

    def render_all(self, store: Any, info: Any, *, langs: Iterable[str] = LANGS,
                   formats: Iterable[str] = tuple(FORMATS)) -> list[str]:
        """Render (or find) every language and format of the edition's report; the file names."""
        done = []
        for lang in langs:
            for fmt in formats:
                self.get(store, info, lang, fmt)
                done.append(file_name(lang, fmt))
        return done

    def rendered(self, info: Any) -> list[str]:
        """The report files already on disk for this edition result."""
        if info.result_sha256 is None:
            return []
        return [file_name(lang, fmt) for lang in LANGS for fmt in FORMATS if self.path(info, lang, fmt).exists()]
