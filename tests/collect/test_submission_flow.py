"""Submissions after a good import: warnings stored with the values, review value by value, merge into a
new data-set version (a draft takes it; a published edition gets a correction), provenance kept."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from nevindex.collect.plausibility import warnings_for
from nevindex.store import editions as ed
from nevindex.store import open_store
from nevindex.store import submissions as subs

EVIDENCE = "https://example.org/acme/sites-2024"


@pytest.fixture(scope="module")
def base(tmp_path_factory, cli, make_store):
    folder = tmp_path_factory.mktemp("flow")
    url = f"sqlite:///{folder / 'store.db'}"
    make_store(url, folder)
    for edition, brand in (("2024", "acme"), ("2023", "bolt")):
        assert cli(url, "collect", "template", "--edition", edition, "--brand", brand, "--out",
                   str(folder / f"{edition}-{brand}.xlsx")) == 0
    return folder


@pytest.fixture
def mini(base: Path, tmp_path: Path):
    for path in base.iterdir():
        shutil.copy(path, tmp_path / path.name)
    return f"sqlite:///{tmp_path / 'store.db'}", tmp_path


@pytest.fixture
def submit(cli, fill):
    """``submit(url, folder, cells, template="2024-acme.xlsx")``: import the template with ``cells`` filled in
    as Acme data office; returns the submission's id."""
    def _submit(url: str, folder: Path, cells: dict, template: str = "2024-acme.xlsx") -> int:
        assert cli(url, "collect", "import", str(fill(folder / template, folder / "filled.xlsx", cells)),
                   "--submitted-by", "Acme data office") == 0
        with open_store(url) as store:
            return subs.list_submissions(store)[-1].id
    return _submit


def test_plausibility_limits_by_hand() -> None:
    assert warnings_for(150, last=100) == ()  # +50 % is not beyond ±50 %
    assert warnings_for(150.01, last=100) == ("change +50% against the last edition's 100 (beyond ±50%)",)
    assert warnings_for(49, last=100) == ("change -51% against the last edition's 100 (beyond ±50%)",)
    assert warnings_for(105, public=100) == ()  # 5 % is not more than 5 %
    assert warnings_for(94, public=100) == ("differs from the public value 100 by -6.0% (more than 5%)",)
    assert warnings_for(3, last=0) == ("change from 0 against the last edition's 0 (beyond ±50%)",)
    assert warnings_for(2001, goalposts=(0, 2000)) == ("outside the goalposts [0, 2000]",)
    assert warnings_for(-1, goalposts=(0, None)) == ("outside the goalposts [0, ∞]",)
    assert warnings_for(10, last=float("nan"), public=None, goalposts=(None, None)) == ()


def test_the_template_shows_the_last_published_value(mini) -> None:
    from openpyxl import load_workbook

    _, folder = mini
    ws = load_workbook(folder / "2024-acme.xlsx")["Questionnaire"]
    # edition 2023 (published, data year 2023) had acme's sites 100 and staff 40
    assert [(ws[f"A{r}"].value, ws[f"F{r}"].value, ws[f"E{r}"].value) for r in (8, 9)] == [
        ("sites", 100, 2024), ("staff", 40, 2024)]
    assert ws.protection.sheet and not ws["G8"].protection.locked and ws["A8"].protection.locked


def test_warnings_are_stored_with_the_pending_submission(mini, submit) -> None:
    url, folder = mini
    sid = submit(url, folder, {"G8": 2500, "H8": EVIDENCE, "G9": 50})
    with open_store(url) as store:
        info = subs.get_submission(store, sid)
        data = ed.get_dataset(store, "mini-data")
    sites, staff = info.values
    assert (info.status, sites.status, sites.public_value, sites.last_value) == ("pending", "pending", 200, 100)
    # 2500 against 100: +2400 %; against the public 200: +1150 %; above the goalposts 0–2000 of the scored indicator
    assert sites.warnings == ("change +2400% against the last edition's 100 (beyond ±50%)",
                              "outside the goalposts [0, 2000]",
                              "differs from the public value 200 by +1150.0% (more than 5%)")
    assert staff.warnings == () and staff.public_value is None and staff.last_value == 40  # 50 vs 40: +25 %
    assert data.values[data.years.index(2024), data.units.index("acme"), data.columns.index("sites")] == 200


def test_review_merge_into_a_draft_keeps_both_values_in_the_provenance(mini, capsys, cli, submit) -> None:
    url, folder = mini
    sid = submit(url, folder, {"G8": 320, "H8": EVIDENCE, "I8": "all sites incl. partners", "G9": 50})
    assert cli(url, "collect", "merge", "--edition", "2024") == 2  # nothing approved yet
    assert cli(url, "collect", "review", str(sid), "--approve", "sites", "--reject", "staff", "--comment",
               "matches the network map", "--as", "Reviewer R") == 0
    assert cli(url, "collect", "merge", "--edition", "2024", "--as", "Merger M") == 0
    with open_store(url) as store:
        edition = ed.get_edition(store, "2024")
        merged = ed.get_dataset(store, edition.dataset_sha256)
        before = ed.get_dataset(store, "1")
        info = subs.get_submission(store, sid)
    assert edition.status == "draft" and edition.result_sha256 is None  # the draft must be built again
    t, u = merged.years.index(2024), merged.units.index("acme")
    assert merged.values[t, u, merged.columns.index("sites")] == 320  # the reviewer's choice wins
    assert before.values[t, u, before.columns.index("sites")] == 200  # the previous data set is unchanged
    assert merged.values[t, u, merged.columns.index("staff")] != merged.values[t, u, merged.columns.index("staff")]
    prov = merged.provenance
    row = prov[(prov.unit == "acme") & (prov.year == 2024) & (prov.column == "sites")]
    assert len(row) == 1
    rec = row.iloc[0]
    assert (rec.collection, rec.submission, rec.submitted_by, rec.evidence, rec.reviewed_by, rec.review_comment) == (
        "submission", str(sid), "Acme data office", EVIDENCE, "Reviewer R", "matches the network map")
    assert float(rec.public_value) == 200 and json.loads(rec.public_source)["source_title"] == "acme annual report 2024"
    assert rec.source_url == EVIDENCE and rec.excerpt == "all sites incl. partners"
    assert [v.status for v in info.values] == ["merged", "reject"] and info.status == "merged/rejected"
    # a merged value takes no further decision (library and database), and nothing is left to merge
    assert cli(url, "collect", "review", str(sid), "--reject", "sites", "--comment", "second thoughts") == 2
    assert "merged already" in " ".join(capsys.readouterr().err.split())
    assert cli(url, "collect", "merge", "--edition", "2024") == 2
    assert cli(url, "edition", "build", "2024") == 0


def test_merging_into_a_published_edition_makes_a_correction(mini, cli, submit) -> None:
    url, folder = mini
    sid = submit(url, folder, {"G8": 310, "H8": "network report 2023.pdf"}, template="2023-bolt.xlsx")
    assert cli(url, "collect", "review", str(sid), "--approve", "all", "--comment", "ok", "--as", "R") == 0
    with open_store(url) as store:
        published = ed.get_edition(store, "2023")
    assert cli(url, "collect", "merge", "--edition", "2023") == 0
    with open_store(url) as store:
        assert ed.get_edition(store, "2023") == published  # published editions never change
        ed.verify(store, "2023")
        correction = ed.get_edition(store, "2023-r1")
        data = ed.get_dataset(store, correction.dataset_sha256)
    assert (correction.status, correction.corrects) == ("draft", "2023")
    assert f"brand submissions #{sid} reviewed and merged" in correction.correction_reason
    assert data.values[data.years.index(2023), data.units.index("bolt"), data.columns.index("sites")] == 310
    assert cli(url, "edition", "build", "2023-r1") == 0 and cli(url, "edition", "publish", "2023-r1") == 0


def test_a_rejected_brand_may_submit_again(mini, cli, submit) -> None:
    url, folder = mini
    sid = submit(url, folder, {"G8": 320, "H8": EVIDENCE})
    assert cli(url, "collect", "review", str(sid), "--reject", "all", "--comment", "no source", "--as", "R") == 0
    assert submit(url, folder, {"G8": 210, "H8": EVIDENCE}) == sid + 1
