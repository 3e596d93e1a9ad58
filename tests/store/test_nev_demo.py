"""The shipped NEV demonstration editions go through the store: stored, verified, compared."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd
import pytest

from nevindex.nev.data import load_nev_dataset
from nevindex.nev.edition import edition_framework, nev_dataset, nev_framework
from nevindex.store import editions as ed
from nevindex.workflows import compare_editions

pytestmark = pytest.mark.slow  # end to end: the NEV editions through the store and the command


def test_nev_demo_editions_store_verify_and_compare(store, tmp_path):
    data = ed.store_dataset(store, load_nev_dataset(), label="nev-brands-demo")
    for year in (2023, 2024):
        fw, _ = edition_framework(nev_framework(), nev_dataset(), year)
        info = ed.create_edition(store, year=year, methodology=fw, dataset=data.id, label=f"nev-{year}",
                                 data_year=year)
        assert info.methodology_sha256 == fw.sha256()  # the stored YAML rebuilds the very same methodology
        ed.build_edition(store, f"nev-{year}")
        ed.publish(store, f"nev-{year}")
        ed.verify(store, f"nev-{year}")
    change = compare_editions(store, "nev-2023", "nev-2024")
    # a change of index is defined for the brands rated (given an index) in both editions
    rated = [{u for u, s in zip(r.units, r.index, strict=True) if not np.isnan(s)}
             for r in (ed.rebuild(store, "nev-2023"), ed.rebuild(store, "nev-2024"))]
    assert set(change.units) == rated[0] & rated[1] and len(change.units) >= 5
    assert set(change.group_parts().columns) >= {"tangible", "quality", "innovation", "service", "intangible"}
    assert np.allclose(change.parts.sum(axis=1), change.total, rtol=0, atol=1e-9)
    assert change.data_parts is not None
    assert np.allclose(change.data_total + change.method_total, change.total, rtol=0, atol=1e-9)
    files = ed.export_edition(store, "nev-2024", tmp_path / "open")
    long = pd.read_csv(tmp_path / "open" / "edition-nev-2024.csv")
    observed = long[(long["kind"] == "indicator") & long["raw"].notna()]
    assert observed["source"].notna().all()  # every value shown carries its source (derived ones too)
    assert "edition-nev-2024.json" in files


def test_nev_workflow_from_the_command_line(store_url, capsys, monkeypatch, tmp_path):
    """The analyst's yearly steps on the shipped files: import with FX rates, an edition per year
    (2023 lacks an indicator: suspended and recorded), publish, compare."""
    from nevindex.cli import main
    from nevindex.nev.data import data_file
    from nevindex.nev.edition import framework_path
    from nevindex.store import open_store

    monkeypatch.setenv("NEVINDEX_DB", store_url)
    folder = data_file("observations.csv").parent
    with resources.as_file(framework_path()) as fw:
        assert main(["data", "import", str(folder / "observations.csv"), "--units", str(folder / "brands.csv"),
                     "--fx-rates", str(folder / "fx_rates.csv")]) == 0
        for year in ("2023", "2024"):
            assert main(["edition", "create", "--year", year, "-f", str(fw), "-d", "1", "--suspend-empty"]) == 0
            assert main(["edition", "build", year]) == 0
            assert main(["edition", "publish", year]) == 0
    capsys.readouterr()
    assert main(["edition", "compare", "2023", "2024", "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert "revenue_growth" in out  # the note on the indicator 2023 lacked
    store = open_store(store_url)
    try:
        # the same numbers as the NEV package's own demo editions
        for year in (2023, 2024):
            fw23, suspended = edition_framework(nev_framework(), nev_dataset(), year)
            stored = ed.edition_inputs(store, str(year))
            assert stored.framework.sha256() == fw23.sha256()
            assert stored.dataset.sha256() == nev_dataset().sha256()
        assert "revenue_growth" in ed.edition_inputs(store, "2023").framework.framework.meta["edition"]["suspended"]
    finally:
        store.close()
