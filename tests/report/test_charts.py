"""Charts: valid SVG, deterministic, self-describing, no id clashes, greyscale cues, language fonts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np

from nevindex import plotstyle
from nevindex.report import charts

NAMES = ["BYD 比亚迪", "Tesla", "NIO 蔚来", "BMW"]


def all_charts() -> dict[str, str]:
    return {
        "ranking": charts.ranking_bars(NAMES, [80.0, 60.0, 55.5, float("nan")], bands=[0, 1, 1, 2],
                                       band_labels=["AAA", "AA", "A"], title="Index", xlabel="Score"),
        "radar": charts.radar(["a", "b", "c", "d", "e"], [10, 90, 50, 40, 30], [50] * 5, "Brand", "Median",
                              title="Radar"),
        "heatmap": charts.heatmap(NAMES, ["Tangible element", "Quality"], [[1, 2], [3, 4], [5, np.nan], [7, 8]],
                                  title="Heat", vmax=10),
        "corr": charts.heatmap(["x", "y"], ["x", "y"], [[1, -0.5], [-0.5, 1]], vmin=-1, vmax=1, digits=2,
                               diverging=True, lower_triangle=True, title="Corr"),
        "intervals": charts.rank_intervals(NAMES, [1, 2, 3, 4], [1, 1, 2, 3], [2, 4, 4, 4], [1, 2, 3, 4],
                                           title="Intervals", nominal_label="rank", median_label="median",
                                           interval_label="5–95%"),
        "waterfall": charts.waterfall("2023", 50.0, [("a", 3.0), ("b", -1.5)], "2024", 51.5, title="Change",
                                      up_label="gain", down_label="loss"),
        "history": charts.history([2023, 2024], [("Index", [50.0, 51.5])], title="History"),
    }


def test_every_chart_is_valid_svg_with_title():
    for name, svg in all_charts().items():
        root = ET.fromstring(svg)
        assert root.tag.endswith("svg"), name
        assert 'role="img"' in svg and "aria-label=" in svg
        assert root.find("{http://www.w3.org/2000/svg}title") is not None


def test_output_is_deterministic():
    assert all_charts() == all_charts()


def test_ids_do_not_clash_between_charts():
    seen: dict[str, str] = {}
    for name, svg in all_charts().items():
        for ident in re.findall(r'id="([^"]+)"', svg):
            assert ident not in seen, (ident, name, seen.get(ident))
            seen[ident] = name
        for ref in re.findall(r'(?:href|url\()"?#([^")]+)', svg):  # every reference resolves inside
            assert f'id="{ref}"' in svg, (name, ref)


def test_text_is_text_in_our_fonts_and_labels_survive():
    svg = all_charts()["ranking"]
    assert "比亚迪" in svg and "Tesla" in svg  # searchable, not outlines
    assert "'NevSans'" in svg and "sans-serif" in svg
    with charts.language("zh"):
        zh = charts.ranking_bars(NAMES, [1.0, 2.0, 3.0, 4.0])
    assert re.search(r"font-family: 'NevSans CJK SC', 'NevSans'", zh)


def test_ratings_differ_by_hatch_not_only_shade():
    svg = all_charts()["ranking"]
    assert svg.count("<pattern") >= 2  # two hatched bands (the best band is solid)


def test_missing_values_are_marked_not_drawn_as_zero():
    assert "–" in all_charts()["ranking"]  # the NaN score is labelled with a dash


def test_dollar_signs_are_text_not_mathtext():
    svg = charts.ranking_bars(["US$ brand", "A $x$ B"], [1.0, 2.0], title="Revenue (US$ million)")
    assert "A $x$ B" in svg and "US$ brand" in svg


# --- issue 12 item 13: labels whole, value labels clear of the bars, intervals inside the axis ------


def _group(svg: str, gid: str) -> str:
    match = re.search(rf'<g id="[^"]*-{re.escape(gid)}">(.*?)</g>', svg, flags=re.S)
    assert match, gid
    return match.group(1)


def test_a_latin_word_is_never_cut_into_syllables():
    svg = charts.waterfall("2023", 50.0, [("Tangible elements", 1.0), ("Innovation", 2.0)], "2024", 53.0,
                           width=3.9, height=1.9, alt="change")
    assert ">Innovation<" in svg  # one text run, not "Inno", "vati", "on"
    assert ">Inno<" not in svg
    assert charts._wrap("创新要素与研发投入", 9).count("\n") >= 1  # Chinese still wraps


def test_value_labels_keep_a_gap_from_the_bar_end():
    svg = charts.ranking_bars(["A", "B"], [80.0, 35.5])
    for i in (0, 1):
        bar = _group(svg, f"bar-{i}")
        right = max(float(x) for x in re.findall(r"[ML] ([\d.]+) [\d.]+", bar))
        text_x = float(re.search(r'<text[^>]* x="([\d.]+)"', _group(svg, f"value-{i}")).group(1))
        assert text_x - right >= 2.0, (i, text_x, right)  # points: the label never touches the bar


def test_rank_axis_holds_every_bar_and_dot():
    low, high, nominal = [1, 2, 5], [3, 7, 9], [1, 3, 6]  # 3 brands drawn, an interval reaching rank 9
    lo, hi = plotstyle.rank_axis(low, high, nominal, 3)
    assert lo < min(low) - plotstyle.BAR_PAD and hi > max(high) + plotstyle.BAR_PAD
    lo, hi = plotstyle.rank_axis([1, 1], [1, 2], [1, 2], 2)
    assert lo < 1 - plotstyle.BAR_PAD and hi > 2 + plotstyle.BAR_PAD


def test_median_tick_is_painted_over_the_nominal_dot():
    svg = charts.rank_intervals(["A", "B"], [2.0, 1.0], [1.0, 1.0], [3.0, 2.0], [2.0, 1.0], nominal_label="rank",
                                median_label="median", interval_label="5–95%")
    for i in (0, 1):  # median = nominal rank: the tick must be painted after (over) the dot
        assert svg.index(f"-median-{i}\"") > svg.index(f"-nominal-{i}\"")
