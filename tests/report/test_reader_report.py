"""What a new reader meets in the NEV demonstration report (issue 12 items 8, 9, 11, 13): Chinese that is
Chinese, no filler pages, cases and findings with content, a cover without internal jargon, an audit
annex that explains itself. End to end on the demonstration edition (brand orders are never assumed:
the methodology and data may change)."""

from __future__ import annotations

import math
import re
import statistics
from html import unescape

import pandas as pd
import pytest
from test_render import RankingTable, visible_text

from nevindex import __version__
from nevindex.report.render import render_html

pytestmark = pytest.mark.slow  # the demonstration edition built and rendered

pytest.importorskip("nevindex.nev.edition")


@pytest.fixture(scope="module")
def demo():
    from nevindex.report.sources import from_demo

    return from_demo(2024)


@pytest.fixture(scope="module")
def models(demo):
    return {lang: demo.model(lang) for lang in ("en", "zh")}


@pytest.fixture(scope="module")
def pages(models):
    return {lang: render_html(m) for lang, m in models.items()}


def _section(html: str, ident: str) -> str:
    start = html.index(f'id="{ident}"')
    end = html.find("<section", start + 1)
    return html[start:end if end > 0 else len(html)]


# --- item 8: the Chinese report is Chinese ----------------------------------------------------------


def test_score_and_rating_columns_do_not_say_the_same_thing(pages, models):
    for lang in ("en", "zh"):
        parser = RankingTable()
        parser.feed(pages[lang])
        unrated = [u.code for u in models[lang].units if not u.rated]
        assert unrated
        for code in unrated:
            cells = parser.rows[code]
            assert cells[2] != cells[3], (lang, code, cells)  # score cell vs rating cell


def test_chinese_brand_names_where_the_data_has_them(demo, models):
    ds = demo.result.dataset
    zh = dict(zip(ds.units, ds.attribute("name_zh"), strict=True))
    for u in models["zh"].units:
        if isinstance(zh.get(u.code), str) and zh[u.code]:
            assert u.name == zh[u.code]


def test_sources_column_names_publishers_not_formulas(pages):
    for lang in ("en", "zh"):
        annex = visible_text(_section(pages[lang], "data"))
        assert "derived (" not in annex and "by the methodology" not in annex
        assert "observations.csv" not in annex


def test_cronbach_rows_show_names_and_negative_alpha_is_explained(demo):
    fw = demo.result.framework
    sub = next(c for c in fw.aggregate_codes if c not in (fw.root, *fw.children[fw.root]))
    element = fw.children[fw.root][0]
    demo.audit_tables = {"consistency": pd.DataFrame({"aggregate": [sub, element],
                                                      "cronbach_alpha": [-0.4, 0.7],
                                                      "complete_rows": [6, 9]})}
    try:
        for lang in ("en", "zh"):
            annex = _section(render_html(demo.model(lang)), "audit")
            text = visible_text(annex)
            assert fw.nodes[sub].name.get(lang) in text
            assert f">{sub}<" not in annex
            assert ("negative" in text) if lang == "en" else ("负值" in text)
    finally:
        demo.audit_tables = None


def test_a_coherence_table_that_cannot_be_computed_is_said_not_swallowed(demo, monkeypatch):
    import nevindex.nev.coherence

    def broken(*args, **kwargs):
        raise ValueError("no rated brands")

    monkeypatch.setattr(nevindex.nev.coherence, "rated_coherence", broken)
    model = demo.model("en")
    assert model.availability.coherence == "failed:ValueError: no rated brands"
    assert "no rated brands" in visible_text(_section(render_html(model), "audit"))


# --- item 9: no filler ------------------------------------------------------------------------------


def test_unrated_brands_get_a_table_row_not_a_profile(pages, models):
    for lang in ("en", "zh"):
        html, model = pages[lang], models[lang]
        for u in model.units:
            assert (f'id="profile-{u.code}"' in html) == u.rated, u.code
            assert (f'id="unrated-{u.code}"' in html) == (not u.rated), u.code
        table = unescape(visible_text(_section(html, "unrated")))
        for u in model.units:
            if not u.rated:
                assert u.name in table


def test_profile_rank_is_out_of_the_rated_brands(pages, models):
    n = sum(u.rated for u in models["en"].units)
    assert f" of {n} with " in visible_text(pages["en"])
    assert f" of {len(models['en'].units)} with " not in visible_text(pages["en"])


def test_every_announced_case_rule_has_a_case(pages, models):
    for lang in ("en", "zh"):
        section = _section(pages[lang], "cases")
        rules = re.findall(r"<li>", section.split('class="case"')[0])
        cases = section.count('class="case"')
        assert len(rules) == cases == len(models[lang].cases) >= 2


def test_findings_compare_home_and_international_brands_per_element(models):
    model = models["en"]
    # by hand: median element score of Chinese and of international brands with data, n >= 3 each
    expected = {}
    for e in model.elements:
        cn = [u.elements[e.code] for u in model.units if u.country == "CN" and math.isfinite(u.elements[e.code])]
        other = [u.elements[e.code] for u in model.units
                 if u.country and u.country != "CN" and math.isfinite(u.elements[e.code])]
        if len(cn) >= 3 and len(other) >= 3 and abs(statistics.median(cn) - statistics.median(other)) >= 2:
            expected[e.name] = (statistics.median(cn), statistics.median(other), len(cn), len(other))
    assert expected
    text = " ".join(model.findings)
    for name, (a, b, na, nb) in expected.items():
        first, second = (a, b) if a > b else (b, a)
        n1, n2 = (na, nb) if a > b else (nb, na)
        assert f"{name} ({first:.1f} vs {second:.1f}; n = {n1} and {n2})" in text


def test_findings_say_what_sets_the_leaders_apart(models):
    model = models["en"]
    rated = sorted((u for u in model.units if u.rated), key=lambda u: u.rank)
    k = max(3, math.ceil(len(rated) / 3))
    gaps = {}
    for e in model.elements:
        top = [u.elements[e.code] for u in rated[:k] if math.isfinite(u.elements[e.code])]
        rest = [u.elements[e.code] for u in rated[k:] if math.isfinite(u.elements[e.code])]
        if len(top) >= 3 and len(rest) >= 3:
            gaps[e.name] = statistics.median(top) - statistics.median(rest)
    best = max(gaps, key=gaps.get)
    sentence = next(s for s in model.findings if s.startswith(f"What sets the top {k} apart"))
    assert f"is {best}:" in sentence and f"{gaps[best]:+.1f} points" in sentence
    assert not any("above the median" in s for s in model.findings)


# --- item 13: the cover speaks to a reader ----------------------------------------------------------


def test_cover_has_no_internal_jargon_and_the_colophon_names_the_software(pages, models):
    for lang in ("en", "zh"):
        cover = _section(pages[lang], "cover") if 'id="cover"' in pages[lang] else \
            pages[lang][pages[lang].index('<section class="cover">'):pages[lang].index("</section>")]
        text = visible_text(cover)
        fw = models[lang].framework
        assert "nevindex" not in text and f"{fw['code']} v" not in text
        assert fw["version"] in text  # the methodology version, in words
        assert f"nevindex {__version__}" in visible_text(_section(pages[lang], "data"))


# --- item 10: goalposts published, sizes in natural units -------------------------------------------


def test_goalposts_table_lists_every_goalposted_indicator_in_natural_units(demo, pages):
    fw = demo.result.framework
    posted = [ind for ind in fw.indicators if (ind.params or {}).get("normalise", {}).get("method") == "goalposts"]
    assert posted
    for lang in ("en", "zh"):
        table = pages[lang][pages[lang].index('id="goalposts"'):]
        table = table[:table.index("</table>")]
        rows = [r for r in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S) if "<td" in r]
        assert len(rows) == len(posted)
        for ind, row in zip(posted, rows, strict=True):
            gp = ind.params["normalise"]
            cells = [unescape(c).strip() for c in re.findall(r'<td class="num">(.*?)</td>', row, flags=re.S)]
            assert not any("log10" in c for c in cells), (ind.code, cells)  # goalposts in natural units
            if "log10" in ind.unit and "million" not in ind.unit and lang == "en":
                low = 10 ** gp["lower"]  # by hand: the goalpost on the log scale, exponentiated
                if low < 1e6:
                    assert cells[0] == f"{low:,.0f}", (ind.code, cells)
                unit_cell = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)[1]
                assert "log10" not in visible_text(unit_cell)


def test_profile_values_are_in_natural_units(pages):
    profiles = pages["en"][pages["en"].index('id="profiles"'):pages["en"].index('id="unrated"')]
    assert "log10(" not in visible_text(profiles)


# --- item 11: the audit annex explains itself -------------------------------------------------------


def test_weak_element_correlations_are_discussed_without_an_audit_run(pages, models):
    rc = models["en"].audit.index_coherence
    assert rc is not None and rc.rated == sum(u.rated for u in models["en"].units)
    annex = visible_text(_section(pages["en"], "audit"))
    assert "Coherence of the published ranking" in annex
    for code, _r, _rho, n, flag in rc.elements:
        assert n >= 5 or not flag  # fewer than 5 brands: never flagged
        if flag:
            name = models["en"].element(code).name
            assert f"{name} correlates" in annex
    assert not re.search(r"Not available:\s*<", _section(pages["en"], "audit"))


# --- item 9: no near-blank page (rendered and looked at, as a reader would) --------------------------


def _filled_share(png: bytes) -> float:
    """Share of the page's body height (header and footer bands excluded) down to its last inked row."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    width, height = image.size
    top, bottom = int(height * 0.07), int(height * 0.93)
    pixels = image.load()
    inked = [y for y in range(top, bottom) if any(pixels[x, y] < 200 for x in range(0, width, 2))]
    return (max(inked) - top) / (bottom - top) if inked else 0.0


@pytest.mark.skipif(__import__("shutil").which("pdftoppm") is None, reason="needs poppler's pdftoppm")
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_near_blank_page(models, lang, tmp_path):
    import subprocess

    from nevindex.report.render import render_pdf

    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render_pdf(models[lang]))
    subprocess.run(["pdftoppm", "-png", "-r", "30", str(pdf), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    shares = {p.name: _filled_share(p.read_bytes()) for p in pages[1:-1]}  # the cover and the last page may end early
    blank = {name: round(share, 2) for name, share in shares.items() if share < 0.3}
    assert not blank, blank
