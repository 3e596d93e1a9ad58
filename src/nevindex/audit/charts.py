"""Audit charts (rank intervals, correlation heatmap, sensitivity indices) as SVG and PNG files.

In the style of every chart (:mod:`nevindex.plotstyle`), with text drawn as outlines so the files look
the same anywhere; deterministic, so the same audit gives the same files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nevindex.plotstyle import GREYS, INK, draw_heatmap, draw_rank_intervals, figure, image_files

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["heatmap_chart", "rank_interval_chart", "sensitivity_chart"]

MID, LIGHT = GREYS[2], GREYS[3]


def rank_interval_chart(intervals: pd.DataFrame, *, title: str = "Rank intervals", max_units: int = 80,
                        stem: str = "rank_intervals") -> dict[str, bytes]:
    """Units by nominal rank, best on top: the 5th–95th percentile rank as a bar, the nominal rank as a
    dot, the median as a tick (:func:`nevindex.plotstyle.draw_rank_intervals`, the report's encoding)."""
    data = intervals.dropna(subset=["nominal_rank"]).sort_values("nominal_rank").head(max_units)
    n = len(data)
    with figure(7.0, 0.9 + 0.2 * n, text_as="paths") as fig:
        ax = fig.add_subplot()
        draw_rank_intervals(ax, [str(u) for u in data["unit"]], data["nominal_rank"].tolist(),
                            data["q05_rank"].tolist(), data["q95_rank"].tolist(), data["median_rank"].tolist(),
                            xlabel="rank (1 = best)", nominal_label="nominal", median_label="median",
                            interval_label="5th–95th percentile")
        shown = f" (top {n} of {len(intervals)})" if len(intervals) > n else ""
        ax.set_title(title + shown, loc="left", pad=18)
        return image_files(fig, stem)


def heatmap_chart(matrix: pd.DataFrame, *, title: str = "Correlations", stem: str = "correlations",
                  annotate_max: int = 700) -> dict[str, bytes]:
    """A correlation matrix on [−1, 1] in the diverging map (red = −1, blue = +1) with the values."""
    values = matrix.to_numpy(dtype=float)
    rows, cols = values.shape
    annotate = rows * cols <= annotate_max

    def label(v: float, r: int, c: int) -> str | None:
        return f"{v:.2f}".replace("0.", ".").replace("-.", "−.") if annotate else None

    with figure(min(14.0, 1.6 + 0.55 * cols), min(20.0, 1.2 + 0.22 * rows), text_as="paths") as fig:
        ax = fig.add_subplot()
        image = draw_heatmap(ax, values, vmin=-1, vmax=1, diverging=True, label=label, fontsize=6)
        ax.set_xticks(range(cols))
        ax.set_xticklabels(matrix.columns, rotation=90)
        ax.set_yticks(range(rows))
        ax.set_yticklabels(matrix.index, fontsize=7 if rows > 30 else 8)
        fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02, label="correlation")
        ax.set_title(title, loc="left")
        return image_files(fig, stem)


def sensitivity_chart(indices: pd.DataFrame, *, title: str = "Sensitivity of the ranking",
                      stem: str = "sensitivity") -> dict[str, bytes]:
    """First-order (dark) and total (light, hatched) indices per factor, with bootstrap intervals."""
    import numpy as np

    n = len(indices)
    with figure(max(5.0, 1.1 * n + 2), 3.6, text_as="paths") as fig:
        ax = fig.add_subplot()
        ax.yaxis.grid(True)
        ax.set_axisbelow(True)
        x = np.arange(n)
        width = 0.38
        for off, key, colour, hatch, label in ((-width / 2, "S1", MID, None, "first order S_i"),
                                               (width / 2, "ST", LIGHT, "///", "total S_Ti")):
            v = indices[key].to_numpy(dtype=float)
            err = np.vstack([np.clip(v - indices[f"{key}_low"], 0, None), np.clip(indices[f"{key}_high"] - v, 0, None)])
            ax.bar(x + off, v, width, color=colour, edgecolor=INK, linewidth=0.6, hatch=hatch, label=label,
                   yerr=err, error_kw={"elinewidth": 0.8, "capsize": 2, "ecolor": INK})
        ax.set_xticks(x)
        ax.set_xticklabels(indices["factor"], rotation=20, ha="right")
        ax.axhline(0, color=INK, linewidth=0.6)
        ax.set_ylabel("share of variance of the mean |rank shift|")
        ax.set_title(title, loc="left")
        ax.legend()
        return image_files(fig, stem)
