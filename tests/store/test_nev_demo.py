"""The shipped NEV demonstration editions go through the store: stored, verified, compared."""

from __future__ import annotations

import numpy as np

from nevindex.nev.data import load_nev_dataset
from nevindex.nev.edition import edition_framework, nev_dataset, nev_framework
from nevindex.store import editions as ed


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
    change = ed.compare(store, "nev-2023", "nev-2024")
    assert len(change.units) >= 20
    assert set(change.group_parts().columns) >= {"tangible", "quality", "innovation", "service", "intangible"}
    assert np.allclose(change.parts.sum(axis=1), change.total, rtol=0, atol=1e-9)
    assert change.data_parts is not None
    assert np.allclose(change.data_total + change.method_total, change.total, rtol=0, atol=1e-9)
    files = ed.export_edition(store, "nev-2024", tmp_path / "open")
    import pandas as pd

    long = pd.read_csv(tmp_path / "open" / "edition-nev-2024.csv")
    observed = long[(long["kind"] == "indicator") & long["raw"].notna()]
    assert observed["source"].notna().all()  # every value shown carries its source (derived ones too)
    assert "edition-nev-2024.json" in files
