"""One look for every static chart: the audit's chart files and the report's figures.

Readable in greyscale print: ink and five greys ordered by lightness, series told apart by hatching,
markers and line style as well as by shade, lightness-monotone colour maps for heatmaps. The vendored
fonts (``nevindex/fonts``, SIL OFL) are the charts' fonts everywhere; Chinese labels fall back from
NevSans to NevSans CJK SC glyph by glyph.

Text is drawn either as text (``text_as="text"``: the report, whose PDF embeds the same fonts, keeps
labels selectable and fast to draw) or as outlines (``"paths"``: stand-alone SVG/PNG files that must
look the same on a machine without our fonts). Output is deterministic: fixed hash salt, no dates.

matplotlib is imported on the first chart (:func:`pyplot`), not with this module. (The portal's tiny
inline charts are hand-written SVG, for the reasons given in :mod:`nevindex.web.charts`.)
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from nevindex.values import finite_or_none

if TYPE_CHECKING:
    from matplotlib.colors import Colormap
    from matplotlib.figure import Figure

__all__ = ["ACCENT", "FAMILIES", "FONT_DIR", "GREYS", "HATCHES", "INK", "MARKERS", "WIDTH", "colormap", "figure",
           "image_files", "pyplot", "rc", "BAR_PAD", "draw_heatmap", "draw_rank_intervals", "finite_or", "rank_axis"]

FONT_DIR = Path(__file__).with_name("fonts")

#: Ink and five greys: distinguishable in greyscale, ordered by lightness.
INK = "#1b2a3a"
ACCENT = "#c0392b"
GREYS = ("#1b2a3a", "#3f5873", "#6c87a3", "#a3b6c9", "#d5dee8")
HATCHES = ("", "///", "xxx", "\\\\\\", "---", "|||", "+++", "//")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
_MAPS = {"sequential": ["#f4f7fa", "#a3b6c9", "#3f5873", "#142030"],  # light → dark
         "diverging": ["#8e3b2e", "#f4f7fa", "#1b3a5f"]}  # −1 → +1; the sign is also printed in each cell

WIDTH = 6.6  # inches: the text width of an A4 page with the report's margins

#: Font families in order of preference, per language. Chinese puts the CJK family first: WeasyPrint
#: draws SVG text with the first family and lets the system pick fallbacks, which could otherwise be a
#: Japanese-style CJK font; our CJK subset carries Latin glyphs too.
FAMILIES = {"en": ["NevSans", "NevSans CJK SC"], "zh": ["NevSans CJK SC", "NevSans"]}

_RC: dict[str, Any] = {
    "font.size": 8.5,
    "axes.titlesize": 9.5,
    "axes.titleweight": "bold",
    "axes.labelsize": 8.5,
    "axes.edgecolor": "#55606b",
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "grid.color": "#d9dee3",
    "grid.linewidth": 0.5,
    "xtick.color": "#33404d",
    "ytick.color": "#33404d",
    "xtick.major.width": 0.5,
    "ytick.major.width": 0.5,
    "hatch.linewidth": 0.5,
    "hatch.color": "white",
    "legend.frameon": False,
    "legend.fontsize": 7.5,
    "text.parse_math": False,  # a "$" in a brand or unit name is text, not TeX
    "svg.hashsalt": "nevindex",
    "svg.image_inline": True,
    "figure.dpi": 72,
    "savefig.dpi": 150,
}


def rc(lang: str = "en", *, text_as: Literal["text", "paths"] = "text") -> dict[str, Any]:
    """The rcParams of every chart, for labels in ``lang`` and text drawn as text or as outlines."""
    return {**_RC, "font.family": FAMILIES.get(lang, FAMILIES["en"]),
            "svg.fonttype": "none" if text_as == "text" else "path"}


@cache
def pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend (no display), with our fonts registered."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    for path in sorted(FONT_DIR.glob("*.[ot]tf")):
        font_manager.fontManager.addfont(str(path))
    return plt


@cache
def colormap(kind: Literal["sequential", "diverging"]) -> Colormap:
    """The lightness-monotone map for values (``sequential``) or for correlations (``diverging``)."""
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list(f"nev_{kind}", _MAPS[kind])


@contextmanager
def figure(width: float, height: float, *, lang: str = "en", text_as: Literal["text", "paths"] = "text",
           **overrides: Any) -> Iterator[Figure]:
    """A figure of ``width`` × ``height`` inches in our style, closed when the block ends."""
    plt = pyplot()
    with plt.rc_context({**rc(lang, text_as=text_as), **overrides}):
        fig = plt.figure(figsize=(width, height))
        try:
            yield fig
        finally:
            plt.close(fig)


def image_files(fig: Figure, stem: str) -> dict[str, bytes]:
    """The figure as ``{stem}.svg`` and ``{stem}.png`` bytes (deterministic: no date in the SVG)."""
    out = {}
    for ext in ("svg", "png"):
        buf = io.BytesIO()
        fig.savefig(buf, format=ext, bbox_inches="tight", metadata={"Date": None} if ext == "svg" else {})
        out[f"{stem}.{ext}"] = buf.getvalue()
    return out


# --- the one rank-interval chart ------------------------------------------------------------------

#: Half the height of a certain rank's bar in the interval chart, in ranks.
BAR_PAD = 0.35


def finite_or(value: float | None, default: float) -> float:
    """``value`` as a float where it is finite, else ``default`` (where a chart places a missing value)."""
    number = finite_or_none(value)
    return default if number is None else number


def rank_axis(low: Sequence[float], high: Sequence[float], nominal: Sequence[float], n: int) -> tuple[float, float]:
    """The rank axis of the interval chart: ranks 1…n, widened so that every bar (±``BAR_PAD``) and dot
    lies inside it (an interval may reach a rank beyond the units drawn)."""
    values = [finite_or(v, 1.0) for v in (*low, *nominal)] + [1.0]
    tops = [finite_or(v, float(n)) for v in (*high, *nominal)] + [float(n)]
    return min(values) - BAR_PAD - 0.25, max(tops) + BAR_PAD + 0.25


def draw_rank_intervals(ax: Any, names: Sequence[str], nominal: Sequence[float], low: Sequence[float],
                        high: Sequence[float], median: Sequence[float] | None = None, *, xlabel: str = "",
                        nominal_label: str = "", median_label: str = "", interval_label: str = "") -> None:
    """Rank with its 5–95 % interval per unit, best on top: a grey bar from the 5th to the 95th
    percentile rank (±``BAR_PAD``, so a certain rank is a short bar), the nominal rank as a white dot,
    the median as a tick drawn over it. The audit's chart files and the report's figure both draw
    this, so a reader meets one encoding."""
    import numpy as np

    n = len(names)
    order = sorted(range(n), key=lambda i: (finite_or(nominal[i], 1e9), i))
    y = np.arange(n)[::-1]
    for pos, i in zip(y, order, strict=True):
        ax.plot([low[i] - BAR_PAD, high[i] + BAR_PAD], [pos, pos], color=GREYS[2], linewidth=3.2,
                solid_capstyle="butt", label=interval_label if pos == y[0] else None, zorder=2)
        ax.plot(nominal[i], pos, marker="o", markersize=4.5, color="white", markeredgecolor=INK,
                markeredgewidth=1.2, linestyle="none", label=nominal_label if pos == y[0] else None, zorder=3,
                gid=f"nominal-{i}")
        if median is not None:  # drawn over the dot and taller than it: visible when they coincide
            ax.plot(median[i], pos, marker="|", markersize=11, markeredgewidth=1.4, color=INK,
                    linestyle="none", label=median_label if pos == y[0] else None, zorder=4, gid=f"median-{i}")
    ax.set_yticks(y, [names[i] for i in order])
    ax.tick_params(axis="y", length=0)
    ax.set_xlim(*rank_axis(low, high, nominal, n))
    ax.invert_xaxis()
    ax.set_xlabel(xlabel)
    ax.xaxis.grid(True)
    ax.set_axisbelow(True)
    if nominal_label:
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=3)  # above: never over a bar


# --- the one annotated heatmap --------------------------------------------------------------------


def draw_heatmap(ax: Any, values: Any, *, vmin: float, vmax: float, diverging: bool,
                 label: Callable[[float, int, int], str | None], missing: str | None = None,
                 fontsize: float = 6.5) -> Any:
    """Cells in the style's map (``diverging`` for correlations: red −1, blue +1), each annotated with
    ``label(value, row, column)`` in white on dark cells and in ink on light ones; ``missing`` marks
    the empty cells (None: left blank). The audit's correlation files and the report's heatmaps both
    draw this. Returns the image (for a colour bar)."""
    import numpy as np

    data = np.asarray(values, dtype=float)
    image = ax.imshow(np.ma.masked_invalid(data), cmap=colormap("diverging" if diverging else "sequential"),
                      vmin=vmin, vmax=vmax, aspect="auto", interpolation="nearest")
    for r in range(data.shape[0]):
        for c in range(data.shape[1]):
            v = data[r, c]
            if not np.isfinite(v):
                if missing is not None:
                    ax.text(c, r, missing, ha="center", va="center", fontsize=fontsize, color="#7a8793")
                continue
            text = label(float(v), r, c)
            if text is None:
                continue
            shade = abs((v - vmin) / (vmax - vmin) * 2 - 1) if diverging else (v - vmin) / (vmax - vmin)
            ax.text(c, r, text, ha="center", va="center", fontsize=fontsize, color="white" if shade > 0.55 else INK,
                    linespacing=1.1)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return image
