"""Issue 12 item 15: the portal serves its own CJK webfont (a WOFF2 subset made from the vendored font),
offline, in the pages, the static export and the HTML report, covering every Chinese character we print."""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

PKG = Path(__file__).resolve().parents[2] / "src" / "nevindex"
WEB = PKG / "fonts" / "web"
SHARED_BRANDS = Path("/work/shared/data/nev-brands/brands.csv")
CJK_FONTS = ("NevSansCJKsc-Regular.woff2", "NevSansCJKsc-Bold.woff2")
LATIN_FONTS = ("NevSans-Regular.woff2", "NevSans-Bold.woff2")


def wide(text: str) -> set[str]:
    return {c for c in text if unicodedata.east_asian_width(c) in "WF" or 0x2E80 <= ord(c)}


def printed_cjk() -> set[str]:
    """Every CJK character of the catalogues (portal and report), templates, shipped methodologies and
    the data's printed columns (brand name_zh, source titles; the shared data's name_zh too)."""
    texts = [p.read_text(encoding="utf-8") for d in ("web/i18n", "web/templates", "report/i18n", "report/templates")
             for p in (PKG / d).rglob("*") if p.is_file()]
    texts += [p.read_text(encoding="utf-8") for p in (PKG / "frameworks").glob("*.yaml")]
    texts.append((PKG / "web" / "static" / "app.js").read_text(encoding="utf-8"))
    for path in (PKG / "demo").rglob("*.csv"):
        with path.open(encoding="utf-8", newline="") as fh:
            texts += [v for row in csv.DictReader(fh) for k, v in row.items() if k not in {"excerpt", "notes"} and v]
    if SHARED_BRANDS.exists():
        with SHARED_BRANDS.open(encoding="utf-8") as fh:
            texts += [row["name_zh"] for row in csv.DictReader(fh)]
    return set().union(*(wide(t) for t in texts))


@pytest.mark.parametrize("name", CJK_FONTS)
def test_every_printed_chinese_character_is_in_the_webfont(name) -> None:  # noqa: ANN001
    cmap = TTFont(WEB / name).getBestCmap()
    chars = printed_cjk()
    assert len(chars) > 500  # the NEV methodology, the catalogues and 60-odd brand names
    missing = sorted(c for c in chars if ord(c) not in cmap)
    assert not missing, f"rerun scripts/web_fonts.py: {''.join(missing)!r}"
    assert all(ord(c) in cmap for c in "0123456789.,%()-–，。、：；（）")  # digits and punctuation


def test_the_chinese_link_and_every_brand_name_zh_are_covered() -> None:
    cmap = TTFont(WEB / CJK_FONTS[0]).getBestCmap()
    assert all(ord(c) in cmap for c in "中文")
    with (PKG / "demo" / "nev-brands" / "brands.csv").open(encoding="utf-8") as fh:
        names = [row["name_zh"] for row in csv.DictReader(fh) if row["name_zh"]]
    assert len(names) >= 30 and all(ord(c) in cmap for n in names for c in n)


def test_webfonts_are_small_woff2() -> None:
    for name in CJK_FONTS + LATIN_FONTS:
        data = (WEB / name).read_bytes()
        assert data[:4] == b"wOF2", name
        assert len(data) < 400_000, f"{name}: {len(data)} bytes; a page must not download megabytes"
    assert (PKG / "fonts" / "OFL.txt").exists()


def test_pages_link_the_webfont_and_it_is_served(client) -> None:  # noqa: ANN001
    css = client.get("/static/app.css").text
    urls = re.findall(r'url\("([^"]+\.woff2)"\)', css)
    assert {u.rsplit("/", 1)[-1] for u in urls} == set(CJK_FONTS + LATIN_FONTS)
    assert re.search(r'font-family:\s*"NevSans", "NevSans CJK SC"', css)
    for url in urls:
        r = client.get("/static/" + url)  # relative to /static/app.css
        assert r.status_code == 200 and r.content[:4] == b"wOF2", url
        assert r.content == (WEB / url.rsplit("/", 1)[-1]).read_bytes()
    for path in ("/", "/zh/"):
        assert 'href="/static/app.css"' in client.get(path).text


def test_the_static_export_carries_the_webfont(read_app, tmp_path) -> None:  # noqa: ANN001
    from nevindex.web.site import export_site

    export_site(read_app.state.portal, tmp_path / "site")
    css = (tmp_path / "site" / "static" / "app.css").read_text(encoding="utf-8")
    for url in re.findall(r'url\("([^"]+\.woff2)"\)', css):
        assert (tmp_path / "site" / "static" / url).read_bytes()[:4] == b"wOF2"


def test_the_html_report_links_the_webfont() -> None:
    from nevindex.report.render import font_css

    css = font_css(False)
    for name in CJK_FONTS + LATIN_FONTS:
        assert f'url("fonts/{name}") format("woff2")' in css  # beside the HTML (portal, static export)
        assert (WEB / name).exists()
    assert "file://" not in css  # a served page may not load file URLs (console errors)
