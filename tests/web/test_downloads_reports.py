"""Issue 12 items 17 and 19: the Downloads page offers each edition's report (PDF and HTML, en and zh)
and its methodology file; the ranking says "n.r." for unrated brands and shows coverage; analysts pick
the methodology from a list and render an edition's report from the admin side (admin-only, CSRF)."""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from .fixtures import FRAMEWORK
from .test_auth import csrf_from, sign_in
from .test_element_chart import _store

API = "/api/v1"


class FakeRenderer:
    """Stands in for the report layer (tested in tests/report): records calls, returns marked bytes."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []

    def __call__(self, store, label: str, lang: str, fmt: str) -> bytes:  # noqa: ANN001
        self.calls.append((label, lang, fmt))
        if fmt == "html":
            return f'<!doctype html><html lang="{lang}"><style>body{{}}</style><p>{label} {lang}</p></html>'.encode()
        return f"%PDF-1.7 {label} {lang}".encode()


@pytest.fixture()
def renderer() -> FakeRenderer:
    return FakeRenderer()


@pytest.fixture()
def app_with_reports(seeded_folder: Path, tmp_path: Path, renderer: FakeRenderer):  # noqa: ANN201
    from nevindex.web.app import create_app

    shutil.copy(seeded_folder / "store.db", tmp_path / "store.db")
    return create_app(f"sqlite:///{tmp_path / 'store.db'}", reports=renderer, reports_dir=tmp_path / "reports")


def links(html: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', html)]


@pytest.mark.parametrize("prefix", ["", "/zh"])
def test_downloads_offer_reports_and_methodology(app_with_reports, renderer, prefix) -> None:  # noqa: ANN001
    client = TestClient(app_with_reports)
    page = links(client.get(f"{prefix}/downloads/").text)
    for label in ("t2023", "t2024"):
        for lang in ("en", "zh"):
            for fmt in ("pdf", "html"):
                assert f"/reports/{label}/report-{lang}.{fmt}" in page, (label, lang, fmt)
        assert f"{API}/editions/{label}/download.methodology.yaml" in page
    r = client.get("/reports/t2024/report-zh.pdf")
    assert r.status_code == 200 and r.content == b"%PDF-1.7 t2024 zh"
    assert r.headers["content-type"] == "application/pdf" and "attachment" in r.headers["content-disposition"]
    html = client.get("/reports/t2024/report-en.html")
    assert html.status_code == 200 and html.text.endswith("<p>t2024 en</p></html>")
    csp = html.headers["content-security-policy"]
    assert "style-src 'unsafe-inline'" in csp and "script-src" not in csp and "default-src 'none'" in csp
    methodology = yaml.safe_load(client.get(f"{API}/editions/t2024/download.methodology.yaml").text)
    assert methodology["framework"]["code"] == yaml.safe_load(FRAMEWORK)["framework"]["code"]


def test_a_report_is_rendered_once_and_kept(app_with_reports, renderer) -> None:  # noqa: ANN001
    client = TestClient(app_with_reports)
    for _ in range(3):
        assert client.get("/reports/t2023/report-en.pdf").status_code == 200
    assert renderer.calls == [("t2023", "en", "pdf")]
    fresh = TestClient(app_with_reports)  # kept on disk, not per client
    assert fresh.get("/reports/t2023/report-en.pdf").content == b"%PDF-1.7 t2023 en"
    assert renderer.calls == [("t2023", "en", "pdf")]


def test_the_report_fonts_sit_beside_the_report(app_with_reports) -> None:  # noqa: ANN001
    client = TestClient(app_with_reports)
    font = client.get("/reports/t2024/fonts/NevSansCJKsc-Regular.woff2")
    assert font.status_code == 200 and font.content[:4] == b"wOF2"
    assert client.get("/reports/t2024/fonts/..%2Fapp.py").status_code == 404


@pytest.mark.parametrize(("url", "status"), [
    ("/reports/d2024/report-en.pdf", 404),  # a draft is not public
    ("/reports/t2024/report-fr.pdf", 400), ("/reports/t2024/report-en.docx", 400),
])
def test_public_reports_refuse_drafts_and_unknown_kinds(app_with_reports, renderer, url, status) -> None:  # noqa: ANN001
    r = TestClient(app_with_reports).get(url)
    assert r.status_code == status
    assert renderer.calls == []


def test_without_a_renderer_no_report_is_offered(client) -> None:  # noqa: ANN001
    page = client.get("/downloads/").text
    assert "/reports/" not in page
    assert "download.methodology.yaml" in page  # the methodology file needs no renderer
    assert client.get("/reports/t2024/report-en.pdf").status_code == 404


@pytest.mark.slow  # end to end: the whole static site exported
def test_static_export_with_reports(app_with_reports, renderer, tmp_path) -> None:  # noqa: ANN001
    from nevindex.web.site import export_site

    out = tmp_path / "site"
    export_site(app_with_reports.state.portal, out, reports=renderer)
    for href in links((out / "downloads" / "index.html").read_text(encoding="utf-8")):
        if href.startswith(("/reports/", "/data/")):
            assert (out / href.lstrip("/")).is_file(), href
    assert (out / "reports" / "t2024" / "report-zh.pdf").read_bytes() == b"%PDF-1.7 t2024 zh"
    assert (out / "reports" / "t2024" / "fonts" / "NevSansCJKsc-Regular.woff2").read_bytes()[:4] == b"wOF2"
    assert yaml.safe_load((out / "data" / "t2024" / "edition-t2024-methodology.yaml").read_text(encoding="utf-8"))


# --- the ranking: n.r. and coverage -------------------------------------------------------------------


UNRATED = FRAMEWORK.replace("aggregate: {method: arithmetic}", "aggregate: {method: arithmetic, min_present: 0.9}")


def test_ranking_says_nr_for_unrated_brands_and_shows_coverage(tmp_path) -> None:  # noqa: ANN001
    from nevindex.web.app import create_app

    assert UNRATED != FRAMEWORK
    client = TestClient(create_app(store=_store(tmp_path, UNRATED, drop=("alpha", "patents"))))
    for prefix, nr, note in (("", "n.r.", "n.r. = not rated"), ("/zh", "未评级", "未评级：")):
        html = client.get(f"{prefix}/editions/e2024/").text
        row = re.search(r'<tr data-rank=""[^>]*data-search="alpha .*?</tr>', html, re.S).group(0)
        assert '<abbr class="nr"' in row and f">{nr}</abbr>" in row
        assert row.count('class="nr"') == 1, "only the rating column says it (not score, rank and rating each)"
        assert ">80%<" in row  # 4 of 5 indicators observed (CLDR writes 80% in English and Chinese)
        assert note in html
        rated = re.search(r'<tr data-rank="1".*?</tr>', html, re.S).group(0)
        assert "100%" in rated and 'class="nr"' not in rated
    assert "— in an element column" in client.get("/editions/e2024/").text


# --- admin: methodology list, render the report ------------------------------------------------------


def test_admin_picks_the_methodology_from_a_list(app_with_reports) -> None:  # noqa: ANN001
    client = TestClient(app_with_reports)
    csrf = sign_in(client)
    dash = client.get("/admin/").text
    select = re.search(r'<select id="ce-meth" name="methodology"[^>]*>(.*?)</select>', dash, re.S).group(1)
    values = re.findall(r'<option value="([^"]+)"', select)
    assert values[:2] == ["nev-2025", "nev-2026"] and "1" in values  # shipped ones, then the stored one
    assert re.search(r'<option value="nev-2026" selected>', select)
    r = client.post("/admin/editions", data={"year": "2024", "dataset": "1", "methodology": "1", "label": "p2024",
                                             "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    r = client.post("/admin/editions", data={"year": "2024", "dataset": "1", "methodology": "nev-1999",
                                             "csrf_token": csrf_from(client.get("/admin/").text)})
    assert r.status_code == 400 and "unknown methodology 'nev-1999'" in unescape(r.text)


def test_shipped_methodology_names_mean_their_version() -> None:
    from nevindex.web._admin import methodology_source

    assert str(methodology_source("nev-2025").framework.version) == "2025.1"
    assert str(methodology_source("nev-2026").framework.version) == "2026.1"


def test_admin_renders_a_drafts_report(app_with_reports, renderer) -> None:  # noqa: ANN001
    client = TestClient(app_with_reports)
    assert client.post("/admin/editions/d2024/report", follow_redirects=False).status_code == 401
    assert client.get("/admin/editions/d2024/report-en.pdf").status_code == 401
    csrf = sign_in(client)
    assert client.post("/admin/editions/d2024/report", data={"csrf_token": "x" + csrf}).status_code == 403
    assert renderer.calls == []
    r = client.post("/admin/editions/d2024/report", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and "rendered" in r.headers["location"]
    assert sorted(renderer.calls) == sorted(("d2024", lang, fmt) for lang in ("en", "zh") for fmt in ("pdf", "html"))
    dash = client.get("/admin/").text
    assert "/admin/editions/d2024/report-zh.pdf" in dash
    r = client.get("/admin/editions/d2024/report-zh.pdf")
    assert r.status_code == 200 and r.content == b"%PDF-1.7 d2024 zh" and r.headers["cache-control"] == "no-store"
    assert TestClient(app_with_reports).get("/reports/d2024/report-zh.pdf").status_code == 404  # still private
    assert len(renderer.calls) == 4


def test_admin_api_renders_the_report(app_with_reports, renderer) -> None:  # noqa: ANN001
    from .test_auth import bearer

    client = TestClient(app_with_reports)
    assert client.post(f"{API}/admin/editions/t2024/report").status_code == 401
    r = client.post(f"{API}/admin/editions/t2024/report", headers=bearer(client))
    assert r.status_code == 200 and len(r.json()["files"]) == 4
