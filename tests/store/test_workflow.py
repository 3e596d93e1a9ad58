"""The whole workflow through the library and the CLI: import → create → build → publish → export."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from nevindex.build import build
from nevindex.dataset import load_dataset
from nevindex.errors import NevIndexError, NotFoundError
from nevindex.framework import load_framework
from nevindex.recipe import Recipe
from nevindex.store import editions as ed
from nevindex.store import open_store


def test_library_workflow_stores_every_number_and_its_provenance(store, files, tmp_path):
    data = ed.import_data(store, files["data"], units_file=files["units"], actor="tester")
    assert data.created and data.n_observations == 31  # 32 cells, one gap
    assert data.years == (2023, 2024) and data.units == 4
    again = ed.import_data(store, files["data"], units_file=files["units"])
    assert not again.created and again.id == data.id  # same content is stored once
    resourced = tmp_path / "resourced.csv"  # the same numbers with one source corrected: a new data set
    resourced.write_text(files["data"].read_text().replace("https://example.org/cyan/2023", "https://cyan.example"))
    other = ed.import_data(store, resourced, units_file=files["units"], actor="tester")
    assert other.created and other.id != data.id
    assert "https://cyan.example" in set(ed.get_dataset(store, other.id).provenance["source_url"])

    info = ed.create_edition(store, year=2024, methodology=files["framework"], dataset=data.id, actor="tester")
    assert (info.label, info.status, info.result_sha256) == ("mini-2024", "draft", None)  # <index>-<year>
    built = ed.build_edition(store, "2024", actor="tester")
    assert built.result_sha256 and built.status == "draft"

    # The stored numbers are those of a build on the files directly, bit for bit.
    fw = load_framework(files["framework"])
    ds = load_dataset(files["data"], units_file=files["units"])
    direct = build(fw, ds, fw.recipe, year=2024)
    tables = ed.edition_tables(store, "2024")
    scores = tables["scores"].set_index(["unit", "node"])
    for u, unit in enumerate(direct.units):
        for k, node in enumerate(direct.aggregates):
            assert scores.loc[(unit, node), "score"] == direct.scores[u, k]
            assert scores.loc[(unit, node), "rank"] == direct.ranks[u, k]
    inds = tables["indicators"].set_index(["unit", "indicator"])
    assert inds.loc[("dyna", "rating"), "imputed_flag"] == direct.imputed_mask[3, 3]
    assert np.isnan(inds.loc[("dyna", "rating"), "raw"])
    assert inds.loc[("bolt", "revenue"), "raw"] == 75.0

    published = ed.publish(store, "2024", actor="analyst")
    assert published.status == "published" and published.published_by == "analyst"
    assert [e.label for e in ed.list_editions(store)] == ["mini-2024"]
    assert ed.latest_published(store).label == "mini-2024"
    log = ed.activity(store)
    assert list(log["action"])[:4] == ["edition.publish", "edition.build", "edition.create", "methodology.import"]
    assert set(log["actor"]) == {"tester", "analyst"}

    # The stored data set rebuilds exactly as imported, provenance included.
    stored = ed.get_dataset(store, data.id)
    assert stored.sha256() == ds.sha256()
    assert set(stored.provenance["source_url"]) == set(ds.provenance["source_url"])


def test_export_is_open_data_with_sources_and_no_formulas(published_edition, store, files, tmp_path):
    published_edition(store, files)
    out = tmp_path / "open"
    written = ed.export_edition(store, "2024", out)
    assert "edition-2024.csv" in written and "edition-2024.xlsx" in written and "edition-2024.json" in written
    long = pd.read_csv(out / "edition-2024.csv")
    assert {"unit", "kind", "code", "year", "raw", "imputed", "normalised", "rank", "source"} <= set(long.columns)
    ind = long[long["kind"] == "indicator"].set_index(["unit", "code"])
    assert ind.loc[("bolt", "revenue"), "raw"] == 75.0
    assert ind.loc[("bolt", "revenue"), "year"] == 2024
    assert "bolt annual report 2024" in ind.loc[("bolt", "revenue"), "source"]
    assert "https://example.org/bolt/2024" in ind.loc[("bolt", "revenue"), "source"]
    assert ind.loc[("bolt", "revenue"), "notes"] == "SCOPE: group figure"  # scope flags travel with the value
    assert ind.loc[("dyna", "rating"), "source"] != ind.loc[("dyna", "rating"), "source"]  # a gap has no source
    # The formula-like source title is neutralised in CSV and XLSX, kept exactly in JSON.
    assert ind.loc[("acme", "sales"), "source"].startswith("'=HYPERLINK")
    xlsx = pd.read_excel(out / "edition-2024.xlsx", sheet_name="data")
    assert not any(str(v).startswith("=") for v in xlsx["source"].dropna())
    doc = json.loads((out / "edition-2024.json").read_text(encoding="utf-8"))
    sources = [r["source"] for r in doc["records"] if r["unit"] == "acme" and r["code"] == "sales"]
    assert sources[0].startswith("=HYPERLINK")
    assert doc["hashes"]["result_sha256"] == ed.get_edition(store, "2024").result_sha256
    agg = long[(long["kind"] == "aggregate") & (long["code"] == "Index")].sort_values("rank")
    assert list(agg["rank"]) == sorted(agg["rank"])  # ranking order
    assert len(agg) == 4 and len(ind) == 16


def test_draft_export_needs_flag_and_unknown_edition_is_named(store, files, tmp_path):
    data = ed.import_data(store, files["data"], units_file=files["units"])
    ed.create_edition(store, year=2024, methodology=files["framework"], dataset=data.id)
    ed.build_edition(store, "2024")
    with pytest.raises(NevIndexError, match="draft"):
        ed.export_edition(store, "2024", tmp_path / "x")
    assert ed.export_edition(store, "2024", tmp_path / "x", allow_draft=True)
    with pytest.raises(NotFoundError, match="no edition '2031'.*2024"):
        ed.get_edition(store, "2031")


def test_corrections_name_what_they_correct_and_need_a_reason(published_edition, store, files):
    first = published_edition(store, files)
    fixed = ed.import_data(store, files["data_fixed"], units_file=files["units"])
    with pytest.raises(NevIndexError, match="reason"):
        ed.create_edition(store, year=2024, methodology=files["framework"], dataset=fixed.id, corrects="2024")
    corr = ed.create_edition(store, year=2024, methodology=files["framework"], dataset=fixed.id, corrects="2024",
                             reason="Acme sales were mistyped")
    assert corr.label == "2024-r1" and corr.corrects == "2024" and corr.correction_reason == "Acme sales were mistyped"
    ed.build_edition(store, corr.label)
    ed.publish(store, corr.label)
    assert ed.latest_published(store, 2024).label == "2024-r1"
    # The corrected edition is untouched.
    assert ed.get_edition(store, "2024").result_sha256 == first.result_sha256
    ed.verify(store, "2024")


def test_recipe_is_stored_in_full_and_used_by_the_build(store, files):
    data = ed.import_data(store, files["data"], units_file=files["units"])
    recipe = Recipe().with_setting("normalise.method", "zscore")
    ed.create_edition(store, year=2023, methodology=files["framework"], dataset=data.id, recipe=recipe, label="z")
    ed.build_edition(store, "z")
    inputs = ed.edition_inputs(store, "z")
    assert inputs.recipe.normalise.method == "zscore" and inputs.year == 2023  # the data year, beside the recipe
    assert inputs.recipe.year is None and "year" not in inputs.recipe.model_dump()
    normalised = ed.edition_tables(store, "z")["indicators"].dropna(subset=["normalised"])
    # z-scores of each indicator have mean 0 over the units
    assert np.allclose(normalised.groupby("indicator")["normalised"].mean(), 0.0, atol=1e-12)


def test_open_store_refuses_an_unreachable_database():
    with pytest.raises(NevIndexError, match="cannot open the store"):
        open_store("postgresql+psycopg://nobody@127.0.0.1:1/none")


def test_cli_workflow(store_url, files, tmp_path, capsys, monkeypatch):
    from nevindex.cli import main

    monkeypatch.setenv("NEVINDEX_DB", store_url)

    def cli(*args):
        code = main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    def ok(*args):
        code, out, err = cli(*args)
        assert code == 0, err + out
        return out

    assert "revision" in ok("db", "upgrade")
    assert "imported data set 1" in ok("data", "import", str(files["data"]), "--units", str(files["units"]))
    ok("edition", "create", "--year", "2024", "-f", str(files["framework"]), "-d", "1", "--as", "cli-user")
    ok("edition", "build", "2024")
    assert "published edition 'mini-2024'" in ok("edition", "publish", "2024")
    code, _, err = cli("edition", "publish", "2024")
    assert code == 2 and "already published" in err
    assert "published" in ok("edition", "list")
    assert "Acme Motors" in ok("edition", "show", "2024")  # names, not codes
    assert "verified" in ok("edition", "verify", "2024")
    ok("edition", "export", "2024", "--out", str(tmp_path / "export"))
    assert (tmp_path / "export" / "edition-mini-2024.csv").exists()
    assert "edition.publish" in ok("db", "log")
    assert "observations" in ok("db", "status")
    code, _, err = cli("edition", "show", "1999")
    assert code == 2 and "no edition '1999'" in err


@pytest.mark.slow  # end to end: the installed command as a process
def test_cli_runs_as_a_program(run_cli, store_url, files):
    """One real process: the entry point, the environment variable and the exit code."""
    proc = run_cli(store_url, "data", "import", str(files["data"]), "--units", str(files["units"]))
    assert proc.returncode == 0, proc.stderr
    proc = run_cli(store_url, "edition", "build", "nope")
    assert proc.returncode == 2 and "no edition 'nope'" in proc.stderr
