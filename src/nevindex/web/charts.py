"""Small inline SVG charts for the portal: the five-element radar and a score history line.

Why not the report's matplotlib charts: the portal's charts must be tiny, styled by the page's CSS
(colours, dark mode, print), carry no ``<style>`` element (the CSP forbids inline styles) and
render in microseconds for every brand page. These are pure functions: numbers and already
translated, *unescaped* labels in, SVG text out (every label is escaped here).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

from nevindex.i18n import numbers

__all__ = ["history", "radar"]


def _f(x: float) -> str:
    return f"{x:.1f}"


def radar(labels: Sequence[str], values: Sequence[float | None], *, reference: Sequence[float | None] | None = None,
          maximum: float = 100.0, title: str = "", size: int = 320) -> Markup:
    """A radar with one axis per label; ``values`` solid, ``reference`` (e.g. the median) dashed.

    Missing values sit at the centre and are marked with an open circle."""
    n = len(labels)
    if n < 3:
        raise ValueError("a radar needs at least three axes")
    width = size + 140  # room for long axis labels left and right
    cx, cy = width / 2, size / 2
    radius = size / 2 - 48
    top = maximum if maximum > 0 else 1.0

    def point(i: int, v: float | None) -> tuple[float, float]:
        frac = 0.0 if v is None or not math.isfinite(v) else min(max(v / top, 0.0), 1.0)
        angle = -math.pi / 2 + 2 * math.pi * i / n
        return cx + radius * frac * math.cos(angle), cy + radius * frac * math.sin(angle)

    parts = [f'<svg class="chart radar" viewBox="0 0 {width} {size}" role="img" aria-labelledby="radar-title" '
             f'xmlns="http://www.w3.org/2000/svg"><title id="radar-title">{escape(title)}</title>']
    for ring in (0.25, 0.5, 0.75, 1.0):
        pts = " ".join(f"{_f(x)},{_f(y)}" for x, y in (point(i, ring * top) for i in range(n)))
        parts.append(f'<polygon class="grid" points="{pts}"/>')
    for i, label in enumerate(labels):
        x, y = point(i, top)
        parts.append(f'<line class="axis" x1="{_f(cx)}" y1="{_f(cy)}" x2="{_f(x)}" y2="{_f(y)}"/>')
        lx, ly = cx + (x - cx) * 1.18, cy + (y - cy) * 1.14
        anchor = "middle" if abs(lx - cx) < 8 else ("start" if lx > cx else "end")
        parts.append(f'<text class="label" x="{_f(lx)}" y="{_f(ly + 4)}" text-anchor="{anchor}">{escape(label)}</text>')
    if reference is not None:
        pts = " ".join(f"{_f(x)},{_f(y)}" for x, y in (point(i, v) for i, v in enumerate(reference)))
        parts.append(f'<polygon class="reference" points="{pts}"/>')
    pts = " ".join(f"{_f(x)},{_f(y)}" for x, y in (point(i, v) for i, v in enumerate(values)))
    parts.append(f'<polygon class="series" points="{pts}"/>')
    for i, v in enumerate(values):
        x, y = point(i, v)
        missing = v is None or not math.isfinite(v)
        parts.append(f'<circle class="{"missing" if missing else "dot"}" cx="{_f(x)}" cy="{_f(y)}" r="3.5"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def history(years: Sequence[int], scores: Sequence[float | None], ranks: Sequence[float | None], *,
            title: str = "", width: int = 420, height: int = 200) -> Markup:
    """Index score over editions (line and dots), each dot labelled with its rank ("#3")."""
    pad_l, pad_r, pad_t, pad_b = 40, 16, 16, 28
    finite = [s for s in scores if s is not None and math.isfinite(s)]
    lo = min(finite, default=0.0)
    hi = max(finite, default=1.0)
    lo, hi = math.floor(min(lo, hi - 1) / 10) * 10, math.ceil(max(hi, lo + 1) / 10) * 10
    n = len(years)

    def x(i: int) -> float:
        return pad_l + (width - pad_l - pad_r) * (0.5 if n == 1 else i / (n - 1))

    def y(v: float) -> float:
        return pad_t + (height - pad_t - pad_b) * (1 - (v - lo) / (hi - lo))

    parts = [f'<svg class="chart history" viewBox="0 0 {width} {height}" role="img" aria-labelledby="history-title" '
             f'xmlns="http://www.w3.org/2000/svg"><title id="history-title">{escape(title)}</title>']
    for v in (lo, (lo + hi) / 2, hi):
        parts.append(f'<line class="grid" x1="{pad_l}" x2="{width - pad_r}" y1="{_f(y(v))}" y2="{_f(y(v))}"/>'
                     f'<text class="tick" x="{pad_l - 6}" y="{_f(y(v) + 4)}" text-anchor="end">{numbers.general(v)}</text>')
    pts = [(x(i), y(s)) for i, s in enumerate(scores) if s is not None and math.isfinite(s)]
    if len(pts) > 1:
        parts.append('<polyline class="series" points="' + " ".join(f"{_f(a)},{_f(b)}" for a, b in pts) + '"/>')
    for i, (year, s, r) in enumerate(zip(years, scores, ranks, strict=True)):
        parts.append(f'<text class="tick" x="{_f(x(i))}" y="{height - 8}" text-anchor="middle">{int(year)}</text>')
        if s is None or not math.isfinite(s):
            continue
        parts.append(f'<circle class="dot" cx="{_f(x(i))}" cy="{_f(y(s))}" r="4"/>')
        if r is not None and math.isfinite(r):
            parts.append(f'<text class="value" x="{_f(x(i))}" y="{_f(y(s) - 9)}" text-anchor="middle">#{int(r)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
