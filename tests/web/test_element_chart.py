"""Issue 12 item 16 and issue 16 item 5: the element chart of a brand page.

A missing element is left out (no point at the centre claiming 0, no filled area), long labels are
never clipped by the viewBox, and below three elements the page shows bars instead of a radar
(a brand page of a two-element index answered 500)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from .fixtures import ELEMENTS, FRAMEWORK, INDICATORS, write_inputs


def _viewbox(svg: str) -> tuple[float, float, float, float]:
    x, y, w, h = (float(v) for v in re.search(r'viewBox="([^"]+)"', svg).group(1).split())
    return x, y, w, h


def test_radar_leaves_a_missing_element_out() -> None:
    from nevindex.web import charts

    svg = str(charts.radar(["A", "B", "C", "D", "E"], [80, None, 60, 40, 20], reference=[50] * 5,
                           title="t", missing_label="no data"))
    assert 'class="series"' not in svg, "no filled area: it would claim a score of 0"
    dots = re.findall(r'<circle class="dot" cx="([-\d.]+)" cy="([-\d.]+)"', svg)
    assert len(dots) == 4  # one per present value, none for the missing one
    assert all(abs(float(x)) + abs(float(y)) > 1 for x, y in dots), "no dot at the centre"
    lines = re.findall(r'<polyline class="series open" points="([^"]+)"', svg)
    assert lines == [lines[0]] and len(lines[0].split()) == 4  # C, D, E, A: one run across the gap's far side
    assert "(no data)" in svg


def test_radar_without_missing_values_is_filled() -> None:
    from nevindex.web import charts

    svg = str(charts.radar(["A", "B", "C"], [80, 70, 60]))
    assert svg.count('<polygon class="series"') == 1


@pytest.mark.parametrize("label", ["Intangible elements", "Tangible elements of the brand", "无形要素与品牌价值"])
def test_radar_labels_fit_the_viewbox(label) -> None:  # noqa: ANN001
    """Every label's estimated extent (generous: 0.6 em per Latin letter, 1 em per hanzi) lies in the viewBox."""
    from nevindex.web import charts

    labels = [label] * 5
    svg = str(charts.radar(labels, [50] * 5))
    x0, y0, w, h = _viewbox(svg)
    for anchor, spans in re.findall(r'<text class="label[^"]*" text-anchor="(\w+)">(.*?)</text>', svg):
        for x, y, text in re.findall(r'<tspan x="([-\d.]+)" y="([-\d.]+)">([^<]*)</tspan>', spans):
            width = charts.text_width(text)
            left = float(x) - {"end": width, "middle": width / 2, "start": 0}[anchor]
            assert x0 <= left and left + width <= x0 + w, (text, anchor)
            assert y0 <= float(y) - 11 and float(y) <= y0 + h


def test_long_labels_are_wrapped() -> None:
    from nevindex.web import charts

    assert charts.wrap("Intangible elements") == ["Intangible", "elements"]
    assert charts.wrap("Quality") == ["Quality"]


def test_bars_below_three_elements() -> None:
    from nevindex.web import charts

    svg = str(charts.element_chart(["Tangible", "Intangible"], [80.0, None], reference=[50.0, 40.0],
                                   missing_label="no data"))
    assert 'class="chart bars"' in svg
    widths = [float(w) for w in re.findall(r'<rect class="bar" x="[-\d.]+" y="[-\d.]+" width="([-\d.]+)"', svg)]
    track = float(re.search(r'<rect class="grid" x="[-\d.]+" y="[-\d.]+" width="([-\d.]+)"', svg).group(1))
    assert widths == [pytest.approx(0.8 * track, abs=0.1)]  # 80 of 100; nothing drawn for the missing one
    assert "no data" in svg


def _store(folder: Path, framework: str, drop: tuple[str, str] | None = None):  # noqa: ANN202
    from nevindex.store import editions as ed
    from nevindex.store.db import open_store

    fw, data, units = write_inputs(folder / "inputs")
    fw.write_text(framework, encoding="utf-8")
    if drop is not None:
        lines = data.read_text(encoding="utf-8").splitlines()
        data.write_text("\n".join(x for x in lines if not x.startswith(f"{drop[0]},2024,{drop[1]},")) + "\n",
                        encoding="utf-8")
    store = open_store(f"sqlite:///{folder / 'store.db'}")
    ds = ed.import_data(store, data, label="d", units_file=units, actor="t")
    ed.create_edition(store, year=2024, methodology=fw, dataset=ds.id, label="e2024", data_year=2024, actor="t")
    ed.build_edition(store, "e2024", actor="t")
    ed.publish(store, "e2024", actor="t")
    return store


def two_elements() -> str:
    """The fixture methodology with only the first two elements (and their indicators)."""
    keep = ELEMENTS[:2]
    lines = [x for x in FRAMEWORK.splitlines()
             if not any(f"code: {e}," in x or f"parent: {e}," in x for e in ELEMENTS[2:])]
    text = "\n".join(lines)
    assert all(f"code: {e}," in text for e in keep) and "patents" not in text
    return text


def test_brand_page_of_a_two_element_index_renders(tmp_path) -> None:  # noqa: ANN001
    from nevindex.web.app import create_app

    client = TestClient(create_app(store=_store(tmp_path, two_elements())))
    for prefix in ("", "/zh"):
        r = client.get(f"{prefix}/editions/e2024/brands/alpha/")
        assert r.status_code == 200, r.text[:300]
        assert 'class="chart bars"' in r.text and 'class="chart radar"' not in r.text


def test_brand_page_leaves_a_missing_element_out(tmp_path) -> None:  # noqa: ANN001
    from nevindex.web.app import create_app

    client = TestClient(create_app(store=_store(tmp_path, FRAMEWORK, drop=("alpha", INDICATORS[2]))))
    html = client.get("/editions/e2024/brands/alpha/").text
    svg = re.search(r'<svg class="chart radar".*?</svg>', html, re.S).group(0)
    assert 'class="series"' not in svg and "(no data)" in svg
    assert len(re.findall(r'<circle class="dot"', svg)) == 4
