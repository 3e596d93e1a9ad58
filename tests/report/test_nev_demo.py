"""The NEV demonstration edition (nevindex.nev): the published ranking under the coverage rules."""

from __future__ import annotations

import math

import pytest
from test_render import RankingTable, visible_text

from nevindex.report.render import render_html

pytestmark = pytest.mark.slow  # end to end: a whole report rendered

edition = pytest.importorskip("nevindex.nev.edition")


@pytest.fixture(scope="module")
def demo():
    from nevindex.report.sources import from_demo

    return from_demo(2024)


def test_ranking_is_the_published_one(demo):
    table = demo.coverage.set_index("unit")
    model = demo.model("en")
    page = render_html(model)
    parser = RankingTable()
    parser.feed(page)
    assert set(parser.rows) == set(table.index)
    for unit, cells in parser.rows.items():
        row = table.loc[unit]
        if row["rated"]:
            assert cells[0] == f"{row['rank']:.0f}" and cells[2] == f"{row['index']:.1f}"
            assert cells[3] == row["rating"]
        else:
            assert cells[0] == "–" and cells[2] == "n.r."
    rated = [u for u in model.units if u.rated]
    assert [u.code for u in rated] == list(table[table["rated"]].sort_values("rank").index)
    assert all(not math.isfinite(u.score) for u in model.units if not u.rated)


def test_chinese_names_and_methods_from_the_methodology(demo):
    page = visible_text(render_html(demo.model("zh")))
    assert "比亚迪" in page and "蔚来" in page
    assert "全球新能源汽车品牌评价指数" in page
    assert "才给出指数得分、排名与评级" in page  # the coverage rule, in Chinese
