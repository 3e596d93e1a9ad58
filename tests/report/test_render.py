"""HTML and PDF in both languages: complete, translated, self-contained, and true to the result."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader

from nevindex.report.i18n import load_catalogue
from nevindex.report.render import render_html

pytestmark = pytest.mark.slow  # end to end: the whole report rendered to HTML and PDF

KEY = re.compile(r"\b(?:report|cover|section|summary|finding|system|ranking|element|profile|cases|audit|data|col|"
                 r"direction|dimension|hash|methods|availability|common)\.[a-z_]+(?:\.[a-z_]+)*\b")
CJK = re.compile(r"[\u4e00-\u9fff]")


class RankingTable(HTMLParser):
    """Rows of <table id="ranking-table"> as lists of cell texts, keyed by data-unit."""

    def __init__(self):
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self._in, self._unit, self._cell = False, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and a.get("id") == "ranking-table":
            self._in = True
        elif self._in and tag == "tr" and "data-unit" in a:
            self._unit = a["data-unit"]
            self.rows[self._unit] = []
        elif self._in and self._unit and tag == "td":
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "table" and self._in:
            self._in = False
        elif tag == "td" and self._cell is not None:
            self.rows[self._unit].append(self._cell.strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def visible_text(html: str) -> str:
    html = re.sub(r"<(style|script|title)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_html_has_every_brand_and_no_leftovers(html, models, lang):
    text = visible_text(html[lang])
    for u in models[lang].units:
        assert u.name in text
    assert "{" not in text and "}" not in text  # no unfilled placeholder
    assert not KEY.findall(text)  # no raw catalogue key
    assert load_catalogue(lang).t("section.ranking") in text


def test_chinese_html_is_chinese(html):
    text = visible_text(html["zh"])
    assert len(CJK.findall(text)) > 500
    assert "Executive summary" not in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_html_is_self_contained(html, lang):
    page = html[lang]
    assert "<link" not in page and "<script" not in page
    assert not re.search(r"""(?:src|href)=["']?(?:https?:|//|file:)""", page)
    assert "<svg" in page and "<style>" in page


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_ranking_table_numbers_equal_the_result(html, result, lang):
    parser = RankingTable()
    parser.feed(html[lang])
    assert set(parser.rows) == set(result.units)
    for unit, cells in parser.rows.items():
        i = result.units.index(unit)
        assert cells[0] == f"{result.rank[i]:.0f}"
        assert cells[2] == f"{result.index[i]:.1f}"
        assert cells[3] == result.framework.rating(result.index[i])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pdf_text_names_every_brand(pdf, models, lang):
    text = pdf_text(pdf[lang])
    for u in models[lang].units:
        assert u.name in text, u.name
    assert not KEY.findall(text)
    assert not re.search(r"\{[a-z_]+\}", text)


def test_chinese_pdf_embeds_our_font_and_has_chinese_text(pdf):
    data = pdf["zh"]
    reader = PdfReader(io.BytesIO(data))
    fonts = set()
    for page in reader.pages:
        for font in (page.get("/Resources") or {}).get("/Font", {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
    assert any("NevSans-CJK-SC" in f for f in fonts), fonts
    assert not any("Noto" in f or "DejaVu" in f for f in fonts), fonts  # nothing from the system
    text = pdf_text(data)
    assert "新能源汽车品牌发展报告" in text and len(CJK.findall(text)) > 1000


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_count_within_bounds(pdf, models, lang):
    pages = len(PdfReader(io.BytesIO(pdf[lang])).pages)
    n = len(models[lang].units)
    # cover, contents, summary, system (2), ranking (2), elements (3), cases, annexes (2+) + a page per brand
    assert n + 10 <= pages <= n + 25


def test_pdf_has_a_linked_contents(pdf):
    reader = PdfReader(io.BytesIO(pdf["en"]))
    links = [a for page in reader.pages[:3] for a in (page.get("/Annots") or [])
             if a.get_object().get("/Subtype") == "/Link"]
    assert len(links) >= 8 + 12  # eight chapters and a profile per brand
    assert reader.outline  # bookmarks from the headings


def test_templates_can_be_overridden(models, tmp_path):
    (tmp_path / "report.css").write_text("html { color: #123456; } /* house style */", encoding="utf-8")
    (tmp_path / "_cases.html.j2").write_text("<section id='cases'><h1>{{ t('section.cases') }}</h1>"
                                             "<p>OUR OWN CASES</p></section>", encoding="utf-8")
    page = render_html(models["en"], templates=tmp_path)
    assert "house style" in page and "OUR OWN CASES" in page
    assert "The ranking" in page  # the other templates still come from the package
