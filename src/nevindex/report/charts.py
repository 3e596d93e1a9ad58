"""The report's charts: pure functions from data (already translated labels) to SVG text.

The style of every chart is :mod:`nevindex.plotstyle` (greyscale-readable, hatching and markers as well
as shade, lightness-monotone heatmaps that print their values).

Text stays text (``svg.fonttype = 'none'``) in our vendored font families: in the PDF the report's
``@font-face`` rules supply exactly the fonts matplotlib measured with, so layout is exact, chart labels
are selectable and searchable (brand names included), and WeasyPrint draws the charts about twice as
fast as with every glyph as an outline path. In the HTML the families fall back to the reader's sans-serif
fonts (a slightly different width at worst). Chinese labels work because both families are registered
with matplotlib and it falls back from NevSans to NevSans CJK SC glyph by glyph.

Output is deterministic: fixed hash salt, no date, ids prefixed per chart (several charts inline in one
HTML page must not share ids).
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from html import escape
from typing import TYPE_CHECKING

import numpy as np

from nevindex import plotstyle
from nevindex.plotstyle import FAMILIES, FONT_DIR, GREYS, HATCHES, INK, MARKERS, WIDTH, finite_or
from nevindex.report.i18n import fmt_number, fmt_signed

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["FONT_DIR", "heatmap", "history", "language", "radar", "rank_intervals", "ranking_bars", "waterfall"]

#: Gap between a bar's end and its value label, in points.
LABEL_GAP = 2.5

_LANG: ContextVar[str] = ContextVar("chart_lang", default="en")


@contextmanager
def language(lang: str) -> Iterator[None]:
    """Draw the charts made inside this block for a report in ``lang``."""
    token = _LANG.set(lang if lang in FAMILIES else "en")
    try:
        yield
    finally:
        _LANG.reset(token)


def _figure(width: float, height: float):  # noqa: ANN202 - a context manager of a Figure
    return plotstyle.figure(width, height, lang=_LANG.get())


def _patch(**kwargs):  # noqa: ANN003, ANN202 - a legend handle
    from matplotlib.patches import Patch

    return Patch(**kwargs)


def _svg(fig: Figure, title: str) -> str:
    """Serialise to an inline-ready <svg> element with unique ids, a title and an aria-label."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": "nevindex"}, bbox_inches="tight",
                pad_inches=0.04)
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    prefix = "c" + hashlib.sha1(text.encode()).hexdigest()[:8] + "-"
    ids = set(re.findall(r'id="([^"]+)"', text))
    text = re.sub(r'id="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', text)
    text = re.sub(r"#([A-Za-z_][\w.:-]*)([\")])",
                  lambda m: f"#{prefix}{m.group(1)}{m.group(2)}" if m.group(1) in ids else m.group(0), text)
    # scale with the page: keep the viewBox, let CSS decide the width
    text = re.sub(r'<svg ([^>]*?)width="([\d.]+)pt" height="([\d.]+)pt"',
                  lambda m: (f'<svg {m.group(1)}class="chart" role="img" aria-label="{escape(title)}" '
                             f'width="{m.group(2)}pt" height="{m.group(3)}pt"'), text, count=1)
    text = text.replace(">", f"><title>{escape(title)}</title>", 1)
    text = re.sub(r"(font-family: [^;\"]*'NevSans[^;\"]*)", r"\1, sans-serif", text)  # browsers without our fonts
    return text.strip()


# --- charts ---------------------------------------------------------------------------------------


def ranking_bars(names: Sequence[str], scores: Sequence[float], bands: Sequence[int] | None = None,
                 band_labels: Sequence[str] | None = None, title: str = "", xlabel: str = "") -> str:
    """Horizontal bars, best on top; ``bands`` (0 = best rating) sets shade *and* hatch."""
    n = len(names)
    order = sorted(range(n), key=lambda i: (-finite_or(scores[i], -1e9), i))
    with _figure(WIDTH, 0.6 + 0.2 * n) as fig:
        ax = fig.add_subplot()
        y = np.arange(n)[::-1]
        for pos, i in zip(y, order, strict=True):
            b = bands[i] if bands is not None else 0
            value = finite_or(scores[i], 0.0)
            ax.barh(pos, value, height=0.68, color=GREYS[b % len(GREYS)], hatch=HATCHES[b % len(HATCHES)],
                    edgecolor=INK if b >= 3 else "white", linewidth=0.4, gid=f"bar-{i}")
            ax.annotate(fmt_number(scores[i], grouping=False), (value, pos), xytext=(LABEL_GAP, 0),
                        textcoords="offset points", va="center", ha="left", fontsize=7.5, color=INK,
                        gid=f"value-{i}")
        ax.set_yticks(y, [names[i] for i in order])
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel(xlabel)
        ax.xaxis.grid(True)
        ax.set_axisbelow(True)
        ax.set_xlim(0, max([finite_or(s, 0.0) for s in scores] + [1.0]) * 1.15)  # room for the labels
        ax.set_ylim(-0.6, n - 0.4)
        if bands is not None and band_labels:
            used = sorted(set(bands))
            handles = [_patch(facecolor=GREYS[b % len(GREYS)], hatch=HATCHES[b % len(HATCHES)],
                                                edgecolor=INK if b >= 3 else "white", label=band_labels[b])
                       for b in used]
            ax.legend(handles=handles, loc="lower right")
        if title:
            ax.set_title(title, loc="left")
        return _svg(fig, title or xlabel)


def radar(axes_labels: Sequence[str], values: Sequence[float], reference: Sequence[float] | None = None,
          series_label: str = "", reference_label: str = "", title: str = "", vmax: float = 100.0,
          missing_label: str = "") -> str:
    """The five-element radar: the brand solid with markers, the reference (e.g. median) dashed.
    A missing element breaks the brand's line (no fill) and its axis label says so.

    Drawn on plain axes (not matplotlib's polar projection, whose circular clip path WeasyPrint
    mis-renders), as polygon rings, so grid and data share straight edges."""
    k = len(axes_labels)
    angles = np.pi / 2 - np.linspace(0, 2 * np.pi, k, endpoint=False)  # first axis on top, clockwise
    ux, uy = np.cos(angles), np.sin(angles)

    def xy(v: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
        r = np.clip(np.asarray(v, float), 0, vmax) / vmax  # NaN stays NaN: the line breaks there
        return np.append(r * ux, r[0] * ux[0]), np.append(r * uy, r[0] * uy[0])

    missing = [not math.isfinite(float(x)) for x in values]
    with _figure(2.9, 2.45) as fig:
        ax = fig.add_subplot()
        ax.set_aspect("equal")
        ax.axis("off")
        for ring in (0.25, 0.5, 0.75, 1.0):
            ax.plot(np.append(ring * ux, ring * ux[0]), np.append(ring * uy, ring * uy[0]), color="#d0d6dc",
                    linewidth=0.5 if ring < 1 else 0.8, zorder=1)
        for j in range(k):
            ax.plot([0, ux[j]], [0, uy[j]], color="#d0d6dc", linewidth=0.5, zorder=1)
            ha = "center" if abs(ux[j]) < 0.2 else ("left" if ux[j] > 0 else "right")
            va = "bottom" if uy[j] > 0.2 else ("top" if uy[j] < -0.2 else "center")
            label = axes_labels[j] + (f"\n({missing_label})" if missing[j] and missing_label else "")
            ax.text(1.1 * ux[j], 1.1 * uy[j], label, ha=ha, va=va, fontsize=7.5,
                    color="#8a949e" if missing[j] else INK)
        for ring in (0.25, 0.5, 0.75):
            ax.text(0.03, ring, f"{ring * vmax:.0f}", fontsize=5.5, color="#7a8793", ha="left", va="center")
        if reference is not None:
            ax.plot(*xy(reference), color=GREYS[2], linestyle="--", linewidth=1.0, marker="s", markersize=3,
                    label=reference_label, zorder=3)
        x, y = xy(values)
        if not any(missing):  # a filled area would claim a score of 0 on a missing element
            ax.fill(x, y, facecolor=GREYS[4], hatch="///", edgecolor=GREYS[3], linewidth=0, zorder=2)
        ax.plot(x, y, color=INK, linewidth=1.4, marker="o", markersize=4, label=series_label, zorder=4)
        ax.set_xlim(-1.45, 1.45)
        ax.set_ylim(-1.3, 1.25)
        if series_label or reference_label:
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.02), ncol=2)
        if title:
            ax.set_title(title)
        return _svg(fig, title or series_label)


def heatmap(row_labels: Sequence[str], col_labels: Sequence[str], values: Sequence[Sequence[float]],
            title: str = "", vmin: float = 0.0, vmax: float = 100.0, digits: int = 0,
            diverging: bool = False, lower_triangle: bool = False,
            counts: Sequence[Sequence[int]] | None = None) -> str:
    """Annotated heatmap (element scores by brand, or correlations with ``diverging=True``); ``counts``
    prints the n behind each cell under its value (e.g. brands with both scores)."""
    data = np.asarray(values, dtype=float)
    rows, cols = data.shape
    if lower_triangle:
        data = np.where(np.tril(np.ones_like(data, dtype=bool)), data, np.nan)
    cell = 0.34 if cols > 6 else 0.5
    width = min(WIDTH, 1.8 + cell * cols * (1.9 if cols <= 6 else 1.0))
    def label(v: float, r: int, c: int) -> str:
        text = fmt_number(v, digits, grouping=False)
        return text + (f"\nn = {int(counts[r][c])}" if counts is not None and r != c else "")

    with _figure(width, 0.9 + 0.24 * rows) as fig:
        ax = fig.add_subplot()
        plotstyle.draw_heatmap(ax, data, vmin=vmin, vmax=vmax, diverging=diverging, label=label,
                               missing=None if lower_triangle else "–", fontsize=6.5 if counts is None else 6)
        ax.set_xticks(range(cols), [_wrap(c, 14) for c in col_labels], rotation=35 if cols > 6 else 0,
                      ha="right" if cols > 6 else "center")
        ax.set_yticks(range(rows), [_wrap(r, 28) for r in row_labels])
        ax.xaxis.tick_top()
        if title:
            ax.set_title(title, loc="left", pad=28 if cols > 6 else 18)
        return _svg(fig, title)


def rank_intervals(names: Sequence[str], nominal: Sequence[float], low: Sequence[float],
                   high: Sequence[float], median: Sequence[float] | None = None, title: str = "",
                   xlabel: str = "", nominal_label: str = "", median_label: str = "",
                   interval_label: str = "", alt: str = "") -> str:
    """Rank with its 5–95 % interval per brand (best on top): a move inside the bar is not news
    (:func:`nevindex.plotstyle.draw_rank_intervals`, as the audit's chart files draw it)."""
    with _figure(WIDTH, 0.7 + 0.2 * len(names)) as fig:
        ax = fig.add_subplot()
        plotstyle.draw_rank_intervals(ax, names, nominal, low, high, median, xlabel=xlabel,
                                      nominal_label=nominal_label, median_label=median_label,
                                      interval_label=interval_label)
        if title:
            ax.set_title(title, loc="left")
        return _svg(fig, title or alt or xlabel)


def waterfall(start_label: str, start: float, steps: Sequence[tuple[str, float]], end_label: str,
              end: float, title: str = "", ylabel: str = "", up_label: str = "", down_label: str = "",
              width: float = WIDTH, height: float = 2.8, alt: str = "") -> str:
    """Score change from last edition to this one, step by step (element or indicator contributions).

    Gains are hatched one way and shaded, losses hatched the other way on white, totals solid, so the sign survives greyscale print."""
    labels = [start_label, *[s[0] for s in steps], end_label]
    levels = np.cumsum([start, *[d for _, d in steps]])
    lo, hi = float(min(levels.min(), end)), float(max(levels.max(), end))
    span = max(hi - lo, 1.0)
    floor = 0.0 if lo - 1.5 * span <= 0 else float(np.floor(lo - 1.5 * span))  # zoom on the changes
    with _figure(width, height) as fig:
        ax = fig.add_subplot()
        level = start
        ax.bar(0, start - floor, bottom=floor, color=GREYS[1], width=0.6)
        _above(ax, 0, start, fmt_number(start, grouping=False))
        for j, (_, delta) in enumerate(steps, start=1):
            up = delta >= 0
            ax.bar(j, abs(delta), bottom=level if up else level + delta, width=0.6,
                   color=GREYS[3] if up else "white", hatch="///" if up else "\\\\\\", edgecolor=INK,
                   linewidth=0.6)
            _above(ax, j, max(level, level + delta), fmt_signed(delta, grouping=False))
            ax.plot([j - 0.7, j - 0.3], [level] * 2, color="#8a949e", linewidth=0.5)
            level += delta
        ax.bar(len(labels) - 1, end - floor, bottom=floor, color=GREYS[0], width=0.6)
        _above(ax, len(labels) - 1, end, fmt_number(end, grouping=False))
        narrow = width < WIDTH
        ax.set_xticks(range(len(labels)), [_wrap(x, 9 if narrow else 14) for x in labels],
                      fontsize=6.5 if narrow else None)
        ax.set_ylim(floor, hi + 0.25 * span)
        ax.set_ylabel(ylabel)
        ax.yaxis.grid(True)
        ax.set_axisbelow(True)
        if up_label and down_label:
            handles = [_patch(facecolor=GREYS[3], hatch="///", edgecolor=INK, label=up_label),
                       _patch(facecolor="white", hatch="\\\\\\", edgecolor=INK, label=down_label)]
            ax.legend(handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2)
        if title:
            ax.set_title(title, loc="left")
        return _svg(fig, title or alt)


def history(years: Sequence[int], series: Sequence[tuple[str, Sequence[float]]], title: str = "",
            ylabel: str = "", invert: bool = False) -> str:
    """Scores (or ranks, ``invert=True``) over editions; series differ by marker and line style."""
    styles = ("-", "--", ":", "-.")
    with _figure(3.3, 2.2) as fig:
        ax = fig.add_subplot()
        for j, (label, values) in enumerate(series):
            ax.plot(years, values, color=GREYS[min(j, 3)], linestyle=styles[j % 4], marker=MARKERS[j % 8],
                    markersize=4, linewidth=1.2, label=label)
        ax.set_xticks(list(years), [str(y) for y in years])
        if len(years) == 1:
            ax.set_xlim(years[0] - 1, years[0] + 1)
        if invert:
            ax.invert_yaxis()
        ax.set_ylabel(ylabel)
        ax.yaxis.grid(True)
        if len(series) > 1:
            ax.legend(loc="best")
        if title:
            ax.set_title(title, loc="left")
        return _svg(fig, title or ylabel)


def _wrap(label: str, width: int) -> str:
    """Break long labels: Latin at spaces only (a word is never cut into syllables: "Innovation" stays
    whole); Chinese (no spaces, twice as wide) every width/2 characters."""
    wide = sum(2 if ord(ch) >= 0x2E80 else 1 for ch in label)
    if wide <= width:
        return label
    if " " in label or not any(ord(ch) >= 0x2E80 for ch in label):
        return "\n".join(textwrap.wrap(label, width, break_long_words=False, break_on_hyphens=False))
    step = max(2, width // 2)
    return "\n".join(label[i:i + step] for i in range(0, len(label), step)) if len(label) > step else label


def _above(ax, x: float, y: float, text: str) -> None:  # noqa: ANN001 - matplotlib Axes
    """A value label just above a bar end, a fixed gap away (never touching it)."""
    ax.annotate(text, (x, y), xytext=(0, LABEL_GAP), textcoords="offset points", ha="center", va="bottom", fontsize=7)


