"""Small inline SVG charts for the portal: the element radar (bars below three elements) and a score
history line.

Why not the report's matplotlib charts: the portal's charts must be tiny, styled by the page's CSS
(colours, dark mode, print), carry no ``<style>`` element (the CSP forbids inline styles) and
render in microseconds for every brand page. These are pure functions: numbers and already
translated, *unescaped* labels in, SVG text out (every label is escaped here).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

from nevindex.i18n import numbers

__all__ = ["bars", "element_chart", "history", "radar", "text_width", "wrap"]


def _f(x: float) -> str:
    return f"{x:.1f}"


def text_width(text: str, font_px: float = 11.0) -> float:
    """Estimated width of ``text`` in px: full-width (CJK) characters one em, others 0.6 em.

    An estimate on the generous side, used to size the viewBox so that no label is clipped."""
    return sum(font_px if unicodedata.east_asian_width(c) in "WF" else 0.6 * font_px for c in text)


def wrap(label: str, width: int = 14) -> list[str]:
    """``label`` in at most two lines of about ``width`` characters, broken at a space."""
    if len(label) <= width or " " not in label:
        return [label]
    words = label.split(" ")
    best = min(range(1, len(words)), key=lambda k: abs(len(" ".join(words[:k])) - len(" ".join(words[k:]))))
    return [" ".join(words[:best]), " ".join(words[best:])]


def _present(v: float | None) -> bool:
    return v is not None and math.isfinite(v)


def element_chart(labels: Sequence[str], values: Sequence[float | None], *,
                  reference: Sequence[float | None] | None = None, maximum: float = 100.0, title: str = "",
                  missing_label: str = "") -> Markup:
    """The element chart of a brand page: a radar from three elements up, bars below (any tree that
    builds must render; a radar of one or two axes is a line, not a shape)."""
    if len(labels) >= 3:
        return radar(labels, values, reference=reference, maximum=maximum, title=title, missing_label=missing_label)
    return bars(labels, values, reference=reference, maximum=maximum, title=title, missing_label=missing_label)


def radar(labels: Sequence[str], values: Sequence[float | None], *, reference: Sequence[float | None] | None = None,
          maximum: float = 100.0, title: str = "", size: int = 320, missing_label: str = "") -> Markup:
    """A radar with one axis per label; ``values`` solid, ``reference`` (e.g. the median) dashed.

    A missing value is left out, as in the PDF: its axis is labelled ``missing_label``, the line
    breaks there and the area is not filled (a fill would claim a score of 0)."""
    n = len(labels)
    if n < 3:
        raise ValueError("a radar needs at least three axes; use bars() (or element_chart()) below three")
    cx = cy = 0.0
    radius = size / 2 - 48
    top = maximum if maximum > 0 else 1.0

    def point(i: int, v: float, scale: float = 1.0) -> tuple[float, float]:
        frac = min(max(v / top, 0.0), 1.0) * scale
        angle = -math.pi / 2 + 2 * math.pi * i / n
        return cx + radius * frac * math.cos(angle), cy + radius * frac * math.sin(angle)

    body: list[str] = []
    for ring in (0.25, 0.5, 0.75, 1.0):
        pts = " ".join(f"{_f(x)},{_f(y)}" for x, y in (point(i, ring * top) for i in range(n)))
        body.append(f'<polygon class="grid" points="{pts}"/>')
    box = [-radius, -radius, radius, radius]  # min x, min y, max x, max y of everything drawn
    for i, label in enumerate(labels):
        x, y = point(i, top)
        body.append(f'<line class="axis" x1="{_f(cx)}" y1="{_f(cy)}" x2="{_f(x)}" y2="{_f(y)}"/>')
        lx, ly = point(i, top, 1.16)
        anchor = "middle" if abs(lx - cx) < 8 else ("start" if lx > cx else "end")
        missing = not _present(values[i])
        lines = wrap(label) + ([f"({missing_label})"] if missing and missing_label else [])
        top_y = ly + 4 - (len(lines) - 1) * 13 * (1.0 if ly < cy - 8 else 0.5 if abs(ly - cy) <= 8 else 0.0)
        spans = "".join(f'<tspan x="{_f(lx)}" y="{_f(top_y + k * 13)}">{escape(line)}</tspan>'
                        for k, line in enumerate(lines))
        body.append(f'<text class="label{" missing-label" if missing else ""}" text-anchor="{anchor}">{spans}</text>')
        w = max(text_width(line) for line in lines)
        left = lx - (w if anchor == "end" else w / 2 if anchor == "middle" else 0)
        box = [min(box[0], left), min(box[1], top_y - 11), max(box[2], left + w), max(box[3], top_y + 13 * (len(lines) - 1) + 4)]
    if reference is not None:
        body += _outline(n, reference, point, "reference", fill=False)
    body += _outline(n, values, point, "series", fill=all(_present(v) for v in values))
    for i, v in enumerate(values):
        if _present(v):
            x, y = point(i, float(v))  # type: ignore[arg-type]
            body.append(f'<circle class="dot" cx="{_f(x)}" cy="{_f(y)}" r="3.5"/>')
    pad = 6
    x0, y0, w, h = box[0] - pad, box[1] - pad, box[2] - box[0] + 2 * pad, box[3] - box[1] + 2 * pad
    head = (f'<svg class="chart radar" viewBox="{_f(x0)} {_f(y0)} {_f(w)} {_f(h)}" role="img" '
            f'aria-labelledby="radar-title" xmlns="http://www.w3.org/2000/svg"><title id="radar-title">{escape(title)}</title>')
    return Markup(head + "".join(body) + "</svg>")


def _outline(n: int, values: Sequence[float | None], point: Callable[..., tuple[float, float]], cls: str, *,
             fill: bool) -> list[str]:
    """The closed outline of ``values`` (a filled polygon when ``fill``), else the runs of present
    values between the missing ones as open polylines (a lone present value is just its dot)."""
    if all(_present(v) for v in values):
        pts = " ".join(f"{_f(x)},{_f(y)}" for x, y in (point(i, float(v)) for i, v in enumerate(values)))  # type: ignore[arg-type]
        return [f'<polygon class="{cls}{"" if fill else " open"}" points="{pts}"/>']
    first_missing = next(i for i, v in enumerate(values) if not _present(v))
    order = [(first_missing + 1 + k) % n for k in range(n)]  # start after a gap: runs never wrap
    runs: list[list[int]] = [[]]
    for i in order:
        if _present(values[i]):
            runs[-1].append(i)
        elif runs[-1]:
            runs.append([])
    out = []
    for run in runs:
        if len(run) >= 2:
            pts = " ".join(f"{_f(x)},{_f(y)}" for x, y in (point(i, float(values[i])) for i in run))  # type: ignore[arg-type]
            out.append(f'<polyline class="{cls} open" points="{pts}"/>')
    return out


def bars(labels: Sequence[str], values: Sequence[float | None], *, reference: Sequence[float | None] | None = None,
         maximum: float = 100.0, title: str = "", missing_label: str = "", width: int = 420) -> Markup:
    """Horizontal bars, one per label, with the reference (median) as a tick: for one or two elements."""
    top = maximum if maximum > 0 else 1.0
    label_w = min(max([text_width(x) for x in labels] + [40.0]) + 10, width * 0.45)
    bar_l, bar_r, row = label_w, width - 44, 30
    height = row * len(labels) + 26
    parts = [f'<svg class="chart bars" viewBox="0 0 {width} {height}" role="img" aria-labelledby="radar-title" '
             f'xmlns="http://www.w3.org/2000/svg"><title id="radar-title">{escape(title)}</title>']
    for k, label in enumerate(labels):
        y = 6 + k * row
        v = values[k]
        parts.append(f'<text class="label" x="{_f(bar_l - 8)}" y="{_f(y + 15)}" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect class="grid" x="{_f(bar_l)}" y="{_f(y + 4)}" width="{_f(bar_r - bar_l)}" height="16"/>')
        if _present(v):
            w = (bar_r - bar_l) * min(max(float(v) / top, 0.0), 1.0)  # type: ignore[arg-type]
            parts.append(f'<rect class="bar" x="{_f(bar_l)}" y="{_f(y + 4)}" width="{_f(w)}" height="16"/>'
                         f'<text class="value" x="{_f(bar_l + w + 4)}" y="{_f(y + 16)}">{numbers.general(float(v))}</text>')  # type: ignore[arg-type]
        else:
            parts.append(f'<text class="tick missing-label" x="{_f(bar_l + 4)}" y="{_f(y + 16)}">{escape(missing_label)}</text>')
        ref = reference[k] if reference is not None else None
        if _present(ref):
            x = bar_l + (bar_r - bar_l) * min(max(float(ref) / top, 0.0), 1.0)  # type: ignore[arg-type]
            parts.append(f'<line class="reference" x1="{_f(x)}" x2="{_f(x)}" y1="{_f(y + 1)}" y2="{_f(y + 23)}"/>')
    for frac in (0.0, 0.5, 1.0):
        x = bar_l + (bar_r - bar_l) * frac
        parts.append(f'<text class="tick" x="{_f(x)}" y="{height - 4}" text-anchor="middle">{numbers.general(top * frac)}</text>')
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
