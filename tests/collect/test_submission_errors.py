"""Every hard error of `nevindex collect import`: exit 2, the sheet and the cell named, nothing stored."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from nevindex.store import editions as ed
from nevindex.store import open_store

GOOD = {"G8": 320, "H8": "https://example.org/acme/sites-2024", "G9": 95}


@pytest.fixture(scope="module")
def mini_base(tmp_path_factory, cli, make_store):
    """The mini store and acme's questionnaire, made once; each test works on a copy."""
    base = tmp_path_factory.mktemp("mini")
    url = f"sqlite:///{base / 'store.db'}"
    make_store(url, base)
    assert cli(url, "collect", "template", "--edition", "2024", "--brand", "acme", "--out",
               str(base / "template.xlsx")) == 0
    return base


@pytest.fixture
def mini(mini_base: Path, tmp_path: Path):
    for name in ("store.db", "template.xlsx", "mini.yaml", "data.csv"):
        shutil.copy(mini_base / name, tmp_path / name)
    return f"sqlite:///{tmp_path / 'store.db'}", tmp_path / "template.xlsx", tmp_path


@pytest.fixture
def refused(cli, stored_state, capsys):
    """``refused(url, path, *extra)``: the import of ``path`` exits 2 and stores nothing; returns its message."""
    def _refused(url: str, path: Path, *extra: str) -> str:
        before = stored_state(url)
        assert cli(url, "collect", "import", str(path), "--submitted-by", "Acme data office", *extra) == 2
        assert stored_state(url) == before == (0, 1, 0)  # no submission, no data set, no log entry
        return " ".join(capsys.readouterr().err.split())  # rich wraps long lines
    return _refused


def test_a_good_questionnaire_is_stored(mini, cli, fill, stored_state) -> None:
    url, template, tmp = mini
    assert cli(url, "collect", "import", str(fill(template, tmp / "ok.xlsx", GOOD)), "--submitted-by", "Acme") == 0
    assert stored_state(url) == (1, 1, 1)


@pytest.mark.parametrize("cells, where, what", [
    # a changed template: a header, a row added below the template's, an indicator row moved
    ({"H7": "Proof"}, "sheet 'Questionnaire', cell H7", "header 'Proof' is not the template's"),
    ({"A10": "extra", "G10": 5}, "sheet 'Questionnaire', cell A10", "is not in the template"),
    ({"A8": "staff", "A9": "sites", "D8": "people", "D9": "sites"}, "sheet 'Questionnaire', cell A8",
     "'staff' is where the template had 'sites'"),
    ({"B3": "bolt"}, "sheet 'Questionnaire', cell B3", "was made for brand 'acme'"),
    # text or a formula in a number cell
    ({"G8": "about 320"}, "sheet 'Questionnaire', cell G8", "holds text 'about 320', not a number"),
    ({"G8": "=300+20"}, "sheet 'Questionnaire', cell G8", "holds a formula"),
    ({"G8": "320"}, "sheet 'Questionnaire', cell G8", "holds text '320'"),
    # a unit or year that is not the methodology's
    ({"D8": "branches"}, "sheet 'Questionnaire', cell D8", "unit 'branches' of 'sites' is not the methodology's 'sites'"),
    ({"E9": 2023}, "sheet 'Questionnaire', cell E9", "year '2023' of 'staff' is not the reference year 2024"),
    # an unknown indicator
    ({"A8": "sitez"}, "sheet 'Questionnaire', cell A8", "unknown indicator 'sitez' (did you mean 'sites'?)"),
    # outside the hard bounds
    ({"G8": -5}, "sheet 'Questionnaire', cell G8", "'sites' = -5 is outside its hard bounds [0, 100000]"),
    ({"G9": 2_000_000}, "sheet 'Questionnaire', cell G9", "outside its hard bounds [0, 1e+06]"),
    # missing evidence where the methodology requires it (sites: required; staff: optional)
    ({"H8": None}, "sheet 'Questionnaire', cell H8", "'sites' needs evidence"),
    # the hidden sheet: another template version
    ({"_nevindex!B2": "0"}, "sheet '_nevindex', cell B2", "template version '0'"),
])
def test_hard_error_names_sheet_and_cell_and_stores_nothing(mini, cells, where, what, fill, refused) -> None:
    url, template, tmp = mini
    message = refused(url, fill(template, tmp / "bad.xlsx", {**GOOD, **cells}))
    assert f"{where}: " in message and what in message, message


def test_a_missing_hidden_sheet_is_a_changed_template(mini, refused) -> None:
    url, template, tmp = mini
    wb = load_workbook(template)
    wb.security.lockStructure = False
    del wb["_nevindex"]
    wb.save(tmp / "bad.xlsx")
    assert "sheet '_nevindex' (hidden, written by the template) is missing" in refused(url, tmp / "bad.xlsx")


def test_another_edition(mini, fill, refused) -> None:
    url, template, tmp = mini
    message = refused(url, fill(template, tmp / "bad.xlsx", GOOD), "--edition", "2023")
    assert "sheet '_nevindex', cell B3: the questionnaire is for edition '2024', not '2023'" in message


def test_an_edition_the_store_does_not_have(mini, tmp_path, fill, refused) -> None:
    url, template, tmp = mini
    other = f"sqlite:///{tmp_path / 'other.db'}"
    with open_store(other) as store:  # another store: its only edition is labelled differently
        info = ed.import_data(store, tmp / "data.csv", label="mini-data")
        ed.create_edition(store, year=2024, methodology=tmp / "mini.yaml", dataset=info.id, label="2024-draft")
    message = refused(other, fill(template, tmp / "bad.xlsx", GOOD))
    assert "sheet '_nevindex', cell B3: the questionnaire is for edition '2024', which this store does not have" in message


def test_another_methodology(mini, tmp_path, fill, mini_framework, refused) -> None:
    """The same edition label in a store whose methodology differs (another version of the bounds)."""
    url, template, tmp = mini
    other = f"sqlite:///{tmp_path / 'other.db'}"
    changed = tmp / "mini-v2.yaml"
    changed.write_text(mini_framework.replace("max: 100000", "max: 50000"), encoding="utf-8")
    with open_store(other) as store:
        info = ed.import_data(store, tmp / "data.csv", label="mini-data")
        ed.create_edition(store, year=2024, methodology=changed, dataset=info.id, label="2024", data_year=2024)
    message = refused(other, fill(template, tmp / "bad.xlsx", GOOD))
    assert "sheet '_nevindex', cell B4: the questionnaire was made for methodology" in message
    assert "but edition '2024' uses" in message


def test_a_duplicated_brand(mini, capsys, cli, fill, stored_state) -> None:
    """A second questionnaire of a brand whose first one still awaits review."""
    url, template, tmp = mini
    assert cli(url, "collect", "import", str(fill(template, tmp / "one.xlsx", GOOD)), "--submitted-by", "Acme") == 0
    before = stored_state(url)
    assert cli(url, "collect", "import", str(fill(template, tmp / "two.xlsx", GOOD)), "--submitted-by", "Acme") == 2
    message = " ".join(capsys.readouterr().err.split())
    assert "sheet 'Questionnaire', cell B3: brand 'acme' already has submission #1 for edition '2024'" in message
    assert stored_state(url) == before == (1, 1, 1)


def test_an_unknown_brand_in_an_open_questionnaire(mini, cli, fill, refused) -> None:
    url, _, tmp = mini
    template = tmp / "any.xlsx"
    assert cli(url, "collect", "template", "--edition", "2024", "--out", str(template)) == 0
    message = refused(url, fill(template, tmp / "bad.xlsx", {**GOOD, "B3": "acne"}))
    assert "sheet 'Questionnaire', cell B3: unknown brand 'acne' in edition '2024' (did you mean 'acme'?)" in message


def test_an_oversized_file(mini, fill, refused) -> None:
    url, template, tmp = mini
    big = fill(template, tmp / "big.xlsx", GOOD)
    with big.open("ab") as handle:  # a workbook padded beyond the limit (2 MiB)
        handle.write(b"\0" * (2 * 1024 * 1024))
    message = refused(url, big)
    assert "more than the 2,097,152 a questionnaire may have" in message


def test_several_problems_are_listed_together(mini, fill, refused) -> None:
    url, template, tmp = mini
    message = refused(url, fill(template, tmp / "bad.xlsx", {"G8": "lots", "G9": -1}))
    assert message.count("sheet 'Questionnaire'") == 2 and "2 problems" in message
    assert "correct the cells named and import the file again" in message


def test_a_changed_template_asks_for_a_fresh_one(mini, fill, refused) -> None:
    url, template, tmp = mini
    message = refused(url, fill(template, tmp / "bad.xlsx", {**GOOD, "A10": "extra"}))
    assert "fill in a fresh questionnaire (`nevindex collect template`) without changing its structure" in message
