"""Honest labelling: every output of the demonstration editions says they are demonstrations built from
public sources and not an official rating — the report (PDF text and HTML, English and Chinese) on its
cover, its ranking page and every brand page; every portal page in both languages; the open-data README."""

from __future__ import annotations

import io
import re

import pytest

LABEL = {"en": "Demonstration edition built from public sources; not an official rating.",
         "zh": "基于公开来源编制的演示版本，并非官方评级。"}


@pytest.fixture(scope="module")
def report_inputs(demo_store_url):
    from nevindex.report import sources

    return sources.from_store(2024, url=demo_store_url)


@pytest.fixture(scope="module", params=["en", "zh"])
def rendered(request, report_inputs):
    """(lang, model, HTML of the whole report, PDF of the report with its first two brand pages only:
    the label is the same template line on every brand page, and the PDF of all 31 costs 10 s more)."""
    from dataclasses import replace

    from nevindex.report.render import render_html, render_pdf

    model = report_inputs.model(request.param)
    short = replace(model, profiles=model.profiles[:2])
    return request.param, model, render_html(model), (short, render_pdf(short))


def _sections(page: str, css_class: str) -> list[str]:
    """The HTML of each <section class="…css_class…"> of the report."""
    return re.findall(rf'<section class="[^"]*\b{css_class}\b[^"]*"[^>]*>(.*?)</section>', page, flags=re.S)


@pytest.mark.slow  # a whole report rendered
def test_the_html_report_labels_cover_ranking_and_every_brand_page(rendered):
    lang, model, page, _ = rendered
    label = LABEL[lang]
    (cover,) = _sections(page, "cover")
    assert label in cover
    ranking = re.search(r'<section class="chapter" id="ranking">(.*?)</section>', page, flags=re.S).group(1)
    assert label in ranking
    profiles = _sections(page, "profile")
    rated = [p for p in model.profiles if p.unit.rated]  # unrated brands are in one table, not on pages
    assert len(profiles) == len(rated) >= 10 and len(rated) < len(model.profiles)
    assert all(label in p for p in profiles)


@pytest.mark.slow  # a report rendered to PDF
def test_the_pdf_text_carries_the_label_on_cover_ranking_and_every_brand_page(rendered):
    from pypdf import PdfReader

    lang, _, _, (model, pdf) = rendered
    label = LABEL[lang]
    pages = [re.sub(r"\s+", "" if lang == "zh" else " ", p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages]
    wanted = re.sub(r"\s+", "" if lang == "zh" else " ", label)
    assert wanted in pages[0]  # the cover
    ranking_title = {"en": "The ranking", "zh": "排名"}[lang]
    ranking = [i for i, text in enumerate(pages) if text.lstrip().startswith(ranking_title) or f"{ranking_title}{wanted}" in text
               or f"{ranking_title} {wanted}" in text]
    assert ranking, "no ranking page with the label"
    # one label per brand page, one on the ranking page, one on the cover, nowhere else
    assert sum(text.count(wanted) for text in pages) == 2 + len(model.profiles)


@pytest.mark.slow  # the whole demo store built (every demo edition published)
def test_every_portal_page_shows_the_label_in_its_language(demo_store_url):
    from fastapi.testclient import TestClient

    from nevindex.web.app import create_app

    client = TestClient(create_app(demo_store_url))
    paths = ["/", "/editions/nev-2024/", "/editions/nev-2024-v2025.1/", "/editions/nev-2024/brands/byd/",
             "/compare/", "/methodology/", "/downloads/", "/about/", "/no-such-page/"]
    for lang, prefix in (("en", ""), ("zh", "/zh")):
        for path in paths:
            response = client.get(prefix + path)
            assert response.status_code in (200, 404), (prefix + path, response.status_code)
            assert LABEL[lang] in response.text, prefix + path


@pytest.mark.slow  # the whole demo store built (every demo edition published)
def test_the_open_data_readme_carries_the_label(demo_store, tmp_path):
    from nevindex.store import editions as ed

    files = ed.export_edition(demo_store, "nev-2024", tmp_path)
    readme = (tmp_path / "edition-nev-2024-README.md").read_text(encoding="utf-8")
    assert "edition-nev-2024-README.md" in files
    assert LABEL["en"] in readme and "nev 2026.1" in readme.replace("Methodology nev 2026.1", "nev 2026.1")
    for name in files:  # every file the README lists is in the export
        if name != "edition-nev-2024-README.md":
            assert f"`{name}`" in readme, name
