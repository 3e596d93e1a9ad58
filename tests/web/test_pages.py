"""Server-rendered pages: both languages, accessibility basics, no-JavaScript filters and what-if,
escaping of hostile names in pages and exports, and the static export."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from nevindex.web import charts
from nevindex.web.pages import file_slug, slug

from .fixtures import BRANDS, FORMULA_NAME, SCRIPT_NAME, VALUES, expected_scores, ranks_of

PAGES = ["/", "/editions/t2023/", "/editions/t2024/brands/alpha/", "/editions/t2024/brands/xss/",
         "/compare/?brands=alpha&brands=xss", "/methodology/", "/downloads/", "/about/", "/admin/login"]


class Form(HTMLParser):
    """Collects what the accessibility checks need: controls, labels, lang, links, scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.labels: set[str] = set()
        self.html_lang: str | None = None
        self.links: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.inline_script = False
        self.styles_inline: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.controls.append(a)
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"] or "")
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")
        if tag == "script":
            self.scripts.append(a)
        if "style" in a:
            self.styles_inline.append(tag)
        if any(k.startswith("on") for k in a):
            self.styles_inline.append(f"{tag} event handler")

    def handle_data(self, data: str) -> None:
        if self.scripts and self.scripts[-1].get("src") is None and data.strip():
            self.inline_script = True


def parse(html: str) -> Form:
    form = Form()
    form.feed(html)
    return form


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pages_render_accessibly_in_both_languages(client, path, lang) -> None:  # noqa: ANN001
    url = path if lang == "en" else "/zh" + path
    r = client.get(url)
    assert r.status_code == 200, (url, r.text[:300])
    assert r.headers["content-type"].startswith("text/html")
    page = parse(r.text)
    assert page.html_lang == ("en" if lang == "en" else "zh-Hans")
    assert 'class="skip" href="#main"' in r.text and 'id="main"' in r.text
    for control in page.controls:
        assert control.get("id") in page.labels, f"{url}: control {control} has no label"
    # the language switch leads to the same page in the other language
    other = "/zh" + path.split("?")[0] if lang == "en" else path.split("?")[0]
    assert any(link.split("?")[0] == other for link in page.links), (url, other)
    # CSP-compatible: only external scripts, no inline handlers or style attributes
    assert page.scripts and all(s.get("src") == "/static/app.js" for s in page.scripts)
    assert not page.inline_script and not page.styles_inline, page.styles_inline


def test_chinese_pages_use_chinese_names(client) -> None:  # noqa: ANN001
    zh = client.get("/zh/").text
    assert ">阿尔法</a>" in zh and ">伽马</a>" in zh and "质量要素" in zh
    assert "排名" in zh
    en = client.get("/").text
    assert ">Alpha Motors</a>" in en and ">阿尔法</a>" not in en
    brand = client.get("/zh/editions/t2024/brands/gamma/").text
    assert "<h1>伽马" in brand and "Gamma EV" in brand  # the other name alongside


def test_home_filters_work_without_javascript(client) -> None:  # noqa: ANN001
    html = client.get("/", params={"group": "country:DE"}).text
    rows = re.findall(r'<tr data-rank="[^"]*" data-name="([^"]*)"', html)
    assert sorted(rows) == sorted(b[0] for c, b in BRANDS.items() if b[2] == "DE")
    html = client.get("/", params={"q": "beta"}).text
    assert re.findall(r'<tr data-rank="[^"]*" data-name="([^"]*)"', html) == ["Beta Cars"]
    html = client.get("/", params={"sort": "-rank"}).text
    ranks = [int(x) for x in re.findall(r'<tr data-rank="(\d+)"', html)]
    assert ranks == sorted(ranks, reverse=True) and len(ranks) == len(BRANDS)
    r = client.get("/", params={"element": "nope"})
    assert r.status_code == 400 and "unknown element" in r.text


def test_ranking_page_shows_hand_computed_order(client) -> None:  # noqa: ANN001
    html = client.get("/editions/t2024/").text
    names = re.findall(r'<tr data-rank="[^"]*" data-name="([^"]*)"', html)
    expected = ranks_of(expected_scores(2024))
    order = sorted(expected, key=expected.get)
    import html as h

    assert [h.unescape(n) for n in names] == [BRANDS[c][0] for c in order]


def test_brand_page_what_if_without_javascript(client) -> None:  # noqa: ANN001
    r = client.get("/editions/t2024/brands/delta/", params={"w.sales": "500"})
    assert r.status_code == 200
    table = {c: list(v) for c, v in VALUES[2024].items()}
    table["delta"][0] = 500
    after = expected_scores(2024, table)["delta"]
    assert f"{after:,.2f}" in r.text
    bad = client.get("/editions/t2024/brands/delta/", params={"w.sales": "lots"})
    assert bad.status_code == 400 and "is not a number" in bad.text


def test_unknown_brand_page_is_404_html(client) -> None:  # noqa: ANN001
    r = client.get("/editions/t2024/brands/nobody/")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "no brand" in r.text
    r = client.get("/brands/alpha/", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "/editions/t2024/brands/alpha/"


def test_hostile_names_are_escaped_in_every_page(client) -> None:  # noqa: ANN001
    for path in PAGES[:5] + ["/zh/", "/zh/editions/t2024/brands/xss/", "/compare/?brands=xss&brands=formula"]:
        html = client.get(path).text
        assert SCRIPT_NAME not in html, path
        assert "<script>alert" not in html
    html = client.get("/editions/t2024/brands/xss/").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    html = client.get("/editions/t2024/brands/formula/").text
    assert "=HYPERLINK(&#34;x&#34;)" in html  # markupsafe escapes " as &#34;


def test_hostile_names_are_neutralised_in_csv_and_xlsx(client) -> None:  # noqa: ANN001
    csv = client.get("/api/v1/editions/t2024/download.csv").text
    frame = pd.read_csv(io.StringIO(csv))
    names = set(frame["unit_name"])
    assert "'" + FORMULA_NAME in names and FORMULA_NAME not in names
    assert SCRIPT_NAME in names  # text in a CSV is data; only formulas are neutralised
    xlsx = client.get("/api/v1/editions/t2024/download.xlsx").content
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    cells = {c.value for row in book["data"].iter_rows() for c in row if isinstance(c.value, str)}
    assert "'" + FORMULA_NAME in cells and FORMULA_NAME not in cells
    assert not any(c.data_type == "f" for row in book["data"].iter_rows() for c in row)


def test_slugs_keep_paths_safe() -> None:
    assert slug("alpha") == "alpha"
    assert slug("../etc") == "%2E%2E%2Fetc"
    assert "/" not in slug("a/b") and slug("..") == "%2E%2E"
    assert file_slug("nev-2024") == "nev-2024"
    for hostile in ("..", "../x", "a/b", SCRIPT_NAME, ".hidden", "x" * 300):
        out = file_slug(hostile)
        assert "/" not in out and not out.startswith(".") and len(out) <= 100


def test_radar_and_history_svg() -> None:
    svg = charts.radar(["<b>A</b>", "B", "C"], [100.0, None, 50.0], maximum=100.0, title="t<i>")
    assert "<b>" not in svg and "&lt;b&gt;A&lt;/b&gt;" in svg and "t&lt;i&gt;" in svg
    # the missing value is left out (as in the PDF): no marker, no dot at the centre
    assert 'class="missing"' not in svg and svg.count('class="dot"') == 2
    # the full-score point sits on the outer ring: at the top, radius (320 / 2 - 48) above the centre (0, 0)
    m = re.search(r'<circle class="dot" cx="([-\d.]+)" cy="([-\d.]+)"', svg)
    assert m and float(m.group(1)) == pytest.approx(0.0, abs=0.1)
    assert float(m.group(2)) == pytest.approx(-(160 - 48), abs=0.1)
    with pytest.raises(ValueError):
        charts.radar(["a", "b"], [1, 2])
    hist = charts.history([2023, 2024], [50.0, 60.0], [3, 1], title="h")
    assert hist.count('class="dot"') == 2 and "#3" in hist and "#1" in hist


def test_static_export(read_app, tmp_path: Path) -> None:  # noqa: ANN001
    from nevindex.web.site import export_site

    out = tmp_path / "site"
    files = export_site(read_app.state.portal, out)
    for name in ("index.html", "zh/index.html", "editions/t2023/index.html", "editions/t2024/brands/alpha/index.html",
                 "zh/editions/t2024/brands/gamma/index.html", "compare/index.html", "methodology/index.html",
                 "downloads/index.html", "about/index.html", "404.html", "static/app.js", "static/app.css",
                 "data/t2024/edition-t2024.csv", "data/t2024/edition-t2024.xlsx", "data/t2024/edition-t2024.json",
                 "data/t2024/ranking.json"):
        assert (out / name).is_file(), name
        assert name in files
    assert not (out / "editions" / "d2024").exists(), "drafts are not exported"
    home = (out / "index.html").read_text()
    assert 'href="/editions/t2024/brands/alpha/"' in home and "/api/" not in home
    downloads = (out / "downloads" / "index.html").read_text()
    assert 'href="/data/t2024/edition-t2024.csv"' in downloads
    # every internal link of every page points at an exported file
    for page in out.rglob("*.html"):
        for href in re.findall(r'href="(/[^"#?]*)', page.read_text()):
            target = out / href.lstrip("/")
            assert target.is_file() or (target / "index.html").is_file(), (page, href)
    for page in out.rglob("*.html"):
        assert SCRIPT_NAME not in page.read_text()
    csv = (out / "data/t2024/edition-t2024.csv").read_text()
    assert "'" + FORMULA_NAME.replace('"', '""') in csv


def test_methodology_page_shows_chinese_justification_unit_and_notes(client):
    """The Chinese page uses the methodology's *_zh texts where they exist, English where they do not."""
    zh = client.get("/zh/methodology/").text
    en = client.get("/methodology/").text
    assert "因为销量" in zh and "because sales" not in zh  # translated justification replaces the English
    assert "<td>辆</td>" in zh and "<td>辆</td>" not in en  # translated unit
    assert "because recalls" in zh  # no translation: English fallback
    assert "此处不插补" in zh and "No imputation here" not in zh and "Equal weights here" in zh
    assert "because sales" in en and "No imputation here" in en and "因为销量" not in en
    assert "<dt>插补</dt>" in zh and "<dt>Imputation</dt>" in en  # note headings from the catalogue


def test_indicators_api_carries_translations(client):
    rows = {r["code"]: r for r in client.get("/api/v1/editions/t2024/indicators").json()["indicators"]}
    assert rows["sales"]["justification_zh"] == "因为销量" and rows["sales"]["unit_zh"] == "辆"
    assert rows["recalls"]["justification_zh"] is None and rows["recalls"]["justification"] == "because recalls"
