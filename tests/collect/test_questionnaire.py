"""The questionnaire as written: one row per requested raw indicator, validated input cells, a locked
structure, the edition and methodology hidden in it, English or Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from nevindex.store import editions as ed
from nevindex.store import open_store
from nevindex.store import submissions as subs


@pytest.fixture(scope="module")
def made(tmp_path_factory, cli, make_store):
    folder = tmp_path_factory.mktemp("questionnaire")
    url = f"sqlite:///{folder / 'store.db'}"
    make_store(url, folder)
    for lang in ("en", "zh"):
        assert cli(url, "collect", "template", "--edition", "2024", "--brand", "acme", "--lang", lang, "--out",
                   str(folder / f"{lang}.xlsx")) == 0
    assert cli(url, "collect", "template", "--edition", "2024", "--out", str(folder / "any.xlsx")) == 0
    return url, folder


def test_rows_validation_and_locks(made) -> None:
    url, folder = made
    wb = load_workbook(folder / "en.xlsx")
    assert wb.sheetnames == ["Read me", "Questionnaire", "_nevindex"] and wb.security.lockStructure
    meta = wb["_nevindex"]
    assert meta.sheet_state == "veryHidden"
    with open_store(url) as store:
        sha = ed.get_edition(store, "2024").methodology_sha256
    values = {meta[f"A{i}"].value: meta[f"B{i}"].value for i in range(1, 8)}
    assert values == {"template": "nevindex collect template", "template_version": "1", "edition": "2024",
                      "methodology_sha256": sha, "brand": "acme", "language": "en", "codes": "sites,staff"}
    assert wb.defined_names["nevindex_methodology_sha256"].attr_text == "_nevindex!$B$4"
    ws = wb["Questionnaire"]
    assert [ws[f"{c}8"].value for c in "ABDE"] == ["sites", "Service sites", "sites", 2024]
    assert ws["C8"].value == "Sites that service the brand's cars at year end."
    assert [ws[f"J{r}"].value for r in (8, 9)] == ["required", "optional"]
    unlocked = {c.coordinate for row in ws.iter_rows(min_row=1, max_row=12, max_col=10) for c in row
                if not c.protection.locked}
    assert ws.protection.sheet and unlocked == {"G8", "H8", "I8", "G9", "H9", "I9"}
    checks = {str(dv.sqref): (dv.type, dv.operator, float(dv.formula1), float(dv.formula2) if dv.formula2 else None)
              for dv in ws.data_validations.dataValidation if dv.type == "decimal"}
    assert checks == {"G8": ("decimal", "between", 0.0, 100000.0), "G9": ("decimal", "between", 0.0, 1000000.0)}
    cover = wb["Read me"]
    text = " ".join(str(c.value) for row in cover.iter_rows() for c in row if c.value)
    assert "Do not add, remove or reorder rows or sheets" in text and "Brand: acme." in text


def test_chinese_questionnaire_reads_back(made, cli, fill) -> None:
    url, folder = made
    wb = load_workbook(folder / "zh.xlsx")
    assert wb.sheetnames == ["填写说明", "问卷", "_nevindex"]
    ws = wb["问卷"]
    assert (ws["A7"].value, ws["G7"].value, ws["B8"].value, ws["J8"].value) == ("代码", "填报值", "服务网点", "需要")
    filled = fill(folder / "zh.xlsx", folder / "zh-filled.xlsx", {"G8": 210, "H8": "年报.pdf"}, sheet="问卷")
    assert cli(url, "collect", "import", str(filled), "--submitted-by", "Acme 数据部") == 0
    with open_store(url) as store:
        info = subs.list_submissions(store)[-1]
    assert (info.brand, [v.value for v in info.values], info.values[0].cell) == ("acme", [210.0], "问卷!G8")


def test_a_questionnaire_for_any_brand(made) -> None:
    _, folder = made
    ws = load_workbook(folder / "any.xlsx")["Questionnaire"]
    assert ws["B3"].value is None and not ws["B3"].protection.locked
    assert ws["F8"].value is None  # no brand, so no last value to show
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1 and str(lists[0].sqref) == "B3" and lists[0].formula1 == "=_nevindex!$D$1:$D$3"


def test_an_edition_that_collects_nothing_by_submission(tmp_path: Path, capsys, cli, make_store) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    make_store(url, tmp_path)
    plain = tmp_path / "plain.yaml"
    plain.write_text((tmp_path / "mini.yaml").read_text().split("raw_indicators:")[0] + "recipe: {impute: {method: none}}\n")
    with open_store(url) as store:
        ed.create_edition(store, year=2024, methodology=plain, dataset="mini-data", label="plain", data_year=2024)
    assert cli(url, "collect", "template", "--edition", "plain", "--out", str(tmp_path / "q.xlsx")) == 2
    assert "collects nothing by submission" in " ".join(capsys.readouterr().err.split())
    assert not (tmp_path / "q.xlsx").exists()
