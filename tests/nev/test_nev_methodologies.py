"""Both shipped methodologies live in the demo store, and `edition compare` across them attributes each
brand's change to data and to methodology."""

from __future__ import annotations

import numpy as np
import pytest

from nevindex.build import build
from nevindex.insight.change import _without
from nevindex.nev.changes import rank_moves
from nevindex.nev.edition import build_edition
from nevindex.nev.publish import demo_label, publish_demo_editions
from nevindex.store import editions as ed
from nevindex.workflows import compare_editions


def _engine_index(year: int, methodology: str) -> dict[str, float]:
    result = build_edition(year, methodology=methodology).result
    return {u: float(v) for u, v in zip(result.units, result.index, strict=True) if not np.isnan(v)}


@pytest.mark.slow  # the whole demo store built (every demo edition published)
def test_the_store_holds_every_year_under_both_methodologies(demo_store):
    infos = {e.label: e for e in ed.list_editions(demo_store)}
    for year in (2023, 2024):
        assert infos[demo_label(year)].methodology == "nev 2026.1" and infos[demo_label(year)].published
        assert infos[demo_label(year, "2025.1")].methodology == "nev 2025.1"
        # earlier version first: the newest edition of a year (what reports and the portal show) is the current one
        assert infos[demo_label(year, "2025.1")].id < infos[demo_label(year)].id
        assert infos[demo_label(year)].dataset_sha256 == infos[demo_label(year, "2025.1")].dataset_sha256
        # the current methodology's edition supersedes the earlier one: one current edition per year
        assert infos[demo_label(year)].corrects == demo_label(year, "2025.1") and infos[demo_label(year)].correction_reason
        assert ed.resolve_edition(demo_store, str(year)).label == demo_label(year)
        assert "index_coherence" in ed.audit_tables(demo_store, demo_label(year))


@pytest.mark.slow  # the whole demo store built (every demo edition published)
def test_same_year_compare_attributes_the_whole_change_to_the_methodology(demo_store):
    change = compare_editions(demo_store, "nev-2024-v2025.1", "nev-2024")
    old, new = _engine_index(2024, "2025.1"), _engine_index(2024, "2026.1")
    assert set(change.units) == set(old) & set(new) and len(change.units) >= 10
    summary = change.summary().set_index("unit")
    for unit in change.units:
        assert summary.loc[unit, "change"] == pytest.approx(new[unit] - old[unit], abs=1e-9)
        # the same data set and year: nothing is due to data, everything to the change of methodology
        assert summary.loc[unit, "data_part"] == pytest.approx(0.0, abs=1e-9)
        assert summary.loc[unit, "methodology_part"] == pytest.approx(new[unit] - old[unit], abs=1e-9)


@pytest.mark.slow  # the whole demo store built (every demo edition published)
def test_cross_year_compare_splits_each_brand_into_data_and_methodology(demo_store):
    change = compare_editions(demo_store, "nev-2023-v2025.1", "nev-2024")
    summary = change.summary().set_index("unit")
    old = _engine_index(2023, "2025.1")
    # the methodology part, by hand: the 2023 data under the 2024 edition's methodology, minus 2025.1's 2023 index
    new_edition = build_edition(2024)
    fw, recipe = new_edition.result.framework, new_edition.result.recipe
    data = new_edition.result.dataset  # derived data of every year (the 2026.1 derivations)
    empty = [c for c in fw.indicator_codes if not np.isfinite(data.matrix([c], 2023)).any()]
    if empty:
        fw, recipe = _without(fw, recipe, empty)
    middle = build(fw, data, recipe, year=2023)
    mid = {u: float(v) for u, v in zip(middle.units, middle.index, strict=True) if not np.isnan(v)}
    assert len(change.units) >= 10
    for unit in change.units:
        rec = summary.loc[unit]
        assert rec["data_part"] + rec["methodology_part"] == pytest.approx(rec["change"], abs=1e-9)
        assert rec["methodology_part"] == pytest.approx(mid[unit] - old[unit], abs=1e-9), unit
    assert not np.allclose(summary["data_part"], 0) and not np.allclose(summary["methodology_part"], 0)


@pytest.mark.slow  # the whole demo store built (every demo edition published)
def test_compare_from_the_command_line_writes_both_parts_for_every_brand(demo_store_url, tmp_path, capsys):
    import pandas as pd

    from nevindex.cli import main

    assert main(["edition", "compare", "nev-2024-v2025.1", "nev-2024", "--db", demo_store_url,
                 "--out", str(tmp_path)]) == 0
    assert "nev-2024-v2025.1 → nev-2024" in capsys.readouterr().out
    summary = pd.read_csv(tmp_path / "change_summary.csv").set_index("unit")
    old, new = _engine_index(2024, "2025.1"), _engine_index(2024, "2026.1")
    assert set(summary.index) == set(old) & set(new)
    for unit, rec in summary.iterrows():
        assert rec["methodology_part"] == pytest.approx(new[unit] - old[unit], abs=1e-9)
        assert rec["data_part"] == pytest.approx(0.0, abs=1e-9)


def test_demo_labels_keep_what_an_older_release_published():
    """Labels of the demo editions by (year, methodology version): a match of year, version and data
    is reused; a label an older release used for something else is left to it."""
    from types import SimpleNamespace

    from nevindex.errors import NevIndexError
    from nevindex.nev.publish import demo_labels

    def info(label, version, data):
        return SimpleNamespace(label=label, year=2024, methodology=f"nev {version}", dataset_sha256=data)

    versions = ("2025.1", "2026.1")
    assert demo_labels({}, "new", (2024,), versions) == {(2024, "2025.1"): "nev-2024-v2025.1",
                                                          (2024, "2026.1"): "nev-2024"}
    old = {"nev-2024": info("nev-2024", "2025.1", "old")}  # release 0.1.0's demo: other data
    assert demo_labels(old, "new", (2024,), versions) == {(2024, "2025.1"): "nev-2024-v2025.1",
                                                           (2024, "2026.1"): "nev-2024-v2026.1"}
    same = {"nev-2024": info("nev-2024", "2025.1", "new")}  # the same data and version: that edition
    assert demo_labels(same, "new", (2024,), versions)[(2024, "2025.1")] == "nev-2024"
    taken = {lab: info(lab, "2025.1", "old") for lab in ("nev-2024", "nev-2024-v2026.1")}
    with pytest.raises(NevIndexError, match="nev-2024 and nev-2024-v2026.1 that are not the demonstration"):
        demo_labels(taken, "new", (2024,), versions)


@pytest.mark.slow
def test_a_store_with_an_older_demo_under_the_current_label_keeps_it(tmp_path):
    """An older nevindex published nev-2024 with 2025.1: the demo must not claim it holds 2026.1, and must
    not change it; the current methodology's edition is published beside it, correcting it."""
    from nevindex.nev.data import load_nev_dataset
    from nevindex.nev.edition import CURRENT, edition_framework, nev_dataset, nev_framework
    from nevindex.store.db import open_store

    store = open_store(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        data = ed.store_dataset(store, load_nev_dataset(), label="nev-brands-demo")
        fw, _ = edition_framework(nev_framework("2025.1"), nev_dataset("2025.1"), 2024)
        ed.create_edition(store, year=2024, methodology=fw, dataset=data.id, label="nev-2024", data_year=2024)
        ed.build_edition(store, "nev-2024")
        old = ed.publish(store, "nev-2024")
        assert publish_demo_editions(store, years=(2024,)) == [f"nev-2024-v{CURRENT}"]
        infos = {e.label: e for e in ed.list_editions(store)}
        assert infos["nev-2024"].result_sha256 == old.result_sha256 and infos["nev-2024"].methodology == "nev 2025.1"
        new = infos[f"nev-2024-v{CURRENT}"]
        assert new.methodology == f"nev {CURRENT}" and new.corrects == "nev-2024"
        assert f"methodology {CURRENT} replaces" in new.correction_reason
        assert ed.resolve_edition(store, "2024").label == new.label
        assert publish_demo_editions(store, years=(2024,)) == []  # once
    finally:
        store.close()


def test_rank_moves_agree_with_the_two_published_rankings():
    moves = rank_moves(2024).set_index("unit")
    for version, tag in (("2025.1", "old"), ("2026.1", "new")):
        table = build_edition(2024, methodology=version).table.set_index("unit")
        for unit, row in table.iterrows():
            assert bool(moves.loc[unit, f"rated_{tag}"]) == bool(row["rated"])
            if row["rated"]:
                assert moves.loc[unit, f"rank_{tag}"] == row["rank"] and moves.loc[unit, f"index_{tag}"] == row["index"]
    both = moves[moves["rated_old"] & moves["rated_new"]]
    assert (both["move"] == both["rank_old"] - both["rank_new"]).all()
