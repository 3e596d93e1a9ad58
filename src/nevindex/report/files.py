"""Writing a report to disk: the HTML report links its webfonts from ``fonts/`` beside it, so the
file is never written without them (Chinese would be tofu on a machine without CJK system fonts)."""

from __future__ import annotations

from pathlib import Path

from nevindex.io import write_bytes, write_text
from nevindex.report.render import FONT_DIR, WEB_FONT_FACES

__all__ = ["write_html_report"]


def write_html_report(target: str | Path, html: str) -> list[Path]:
    """Write ``html`` to ``target`` and the WOFF2 webfonts it links to ``fonts/`` beside it (each file
    atomically); returns every path written."""
    target = Path(target)
    written = []
    for _family, _weight, name in WEB_FONT_FACES:
        font = target.parent / "fonts" / name
        data = (FONT_DIR / "web" / name).read_bytes()
        if not font.exists() or font.read_bytes() != data:
            write_bytes(font, data)
        written.append(font)
    write_text(target, html)
    return [target, *written]
