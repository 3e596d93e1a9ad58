"""Chinese text of the shipped methodology (KEY_zh next to the English) and its use in the zh report."""

from __future__ import annotations

import html as htmllib
import re
from html.parser import HTMLParser
from importlib.resources import files

import pytest

from nevindex.errors import MethodologyError
from nevindex.framework import framework_from_mapping, load_framework, meta_text
from nevindex.nev.edition import FRAMEWORK_FILE  # the current methodology: the demo report uses it
from nevindex.report.render import render_html

pytestmark = pytest.mark.slow  # end to end: a whole report rendered

SHIPPED = files("nevindex.frameworks") / FRAMEWORK_FILE
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def shipped():
    return load_framework(str(SHIPPED))


class FrameworkTable(HTMLParser):
    """Cell texts of each body row of the report's ``table.framework``."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._in_table = self._in_body = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "table" and "framework" in classes:
            self._in_table = True
        elif self._in_table and tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append([])
        elif self._in_body and tag == "td":
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._in_table:
            self._in_table = self._in_body = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def framework_rows(page: str) -> dict[str, list[str]]:
    parser = FrameworkTable()
    parser.feed(page)
    # first cell: "name code" -> key by the code (last word)
    return {row[0].split()[-1]: row for row in parser.rows}


def test_every_shipped_indicator_has_chinese_justification_and_unit(shipped):
    for ind in shipped.indicators:
        just, unit = ind.meta.get("justification_zh"), ind.meta.get("unit_zh")
        assert isinstance(just, str) and CJK.search(just) and len(just) >= 15, ind.code
        assert isinstance(unit, str) and unit.strip(), ind.code
        assert not re.search(r"[A-Za-z]{4,}", unit.replace("log10", "")), (ind.code, unit)  # no English words left
        assert just != ind.meta["justification"] and unit != ind.unit, ind.code  # really translated


def test_shipped_method_notes_and_coverage_reason_are_translated(shipped):
    meta = shipped.framework.meta
    assert set(meta["method_notes_zh"]) == set(meta["method_notes"])
    assert all(CJK.search(text) for text in meta["method_notes_zh"].values())
    assert CJK.search(meta["coverage"]["reason_zh"])


def test_meta_text_prefers_the_translation_and_falls_back_to_english():
    meta = {"justification": "why", "justification_zh": "为何", "source": "src", "dimension": {"en": "Legal", "zh": "法律"}}
    assert meta_text(meta, "justification", "zh") == "为何"
    assert meta_text(meta, "justification", "en") == "why"
    assert meta_text(meta, "source", "zh") == "src"
    assert meta_text(meta, "dimension", "zh") == "法律"
    assert meta_text(meta, "missing", "zh", "-") == "-"


def _mapping(meta: dict, fw_meta: dict | None = None) -> dict:
    return {"framework": {"code": "t", "version": "1", "name": "T", "meta": fw_meta or {}},
            "aggregates": [{"code": "idx", "name": "Index"}],
            "indicators": [{"code": "a", "name": "A", "parent": "idx", "meta": meta}]}


@pytest.mark.parametrize("meta, fw_meta", [
    ({"justification": "why", "justification_zh": ""}, None),
    ({"justification": "why", "justification_zh": 3}, None),
    ({}, {"method_notes": {"impute": "none"}, "method_notes_zh": {"imputes": "不插补"}}),  # typo in a note name
    ({}, {"method_notes": "text", "method_notes_zh": {"impute": "不插补"}}),
    ({}, {"coverage": {"reason": "r", "reason_zh": "  "}}),
])
def test_bad_translations_are_rejected(meta, fw_meta):
    with pytest.raises(MethodologyError, match="_zh"):
        framework_from_mapping(_mapping(meta, fw_meta))


@pytest.fixture(scope="module")
def demo():
    from nevindex.report.sources import from_demo

    return from_demo(2024)


@pytest.fixture(scope="module")
def pages(demo):
    return {lang: render_html(demo.model(lang)) for lang in ("en", "zh")}


def test_zh_report_framework_table_is_chinese(pages, shipped, demo):
    rows = framework_rows(pages["zh"])
    # the edition's indicators: the file's, less those the year cannot score (suspended)
    assert set(rows) == set(demo.result.framework.indicator_codes) and set(rows) <= set(shipped.indicator_codes)
    for ind in (i for i in shipped.indicators if i.code in rows):
        cells = rows[ind.code]
        assert cells[2] == ind.meta["unit_zh"], ind.code
        assert cells[-1] == ind.meta["justification_zh"], ind.code
    text = htmllib.unescape(pages["zh"])
    for note in shipped.framework.meta["method_notes_zh"].values():
        assert note in text
    assert shipped.framework.meta["coverage"]["reason_zh"] in text
    assert shipped.framework.meta["method_notes"]["impute"].split()[0] + " Gaps" not in text


def test_en_report_keeps_the_english(pages, shipped):
    rows = framework_rows(pages["en"])
    for ind in (i for i in shipped.indicators if i.code in rows):
        assert rows[ind.code][2] == ind.unit and rows[ind.code][-1] == " ".join(ind.meta["justification"].split())
    assert not CJK.search(" ".join(" ".join(r) for r in rows.values()))


def test_untranslated_indicator_falls_back_to_english(models, result):
    """The fixture framework has no unit_zh: the zh report shows its English unit (and its {en, zh}
    justification mappings still resolve to Chinese)."""
    ind = {x.code: x for x in models["zh"].indicators}
    for node in result.framework.indicators:
        assert "unit_zh" not in node.meta and ind[node.code].unit == node.unit
        just = node.meta.get("justification")
        assert ind[node.code].justification == (just.get("zh") or just["en"] if isinstance(just, dict) else str(just or ""))
