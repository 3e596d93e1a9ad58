"""``nevindex profile --edition``: a stored edition, its earlier published editions and audit intervals."""

from __future__ import annotations

import json

import pytest

from nevindex.build import build
from nevindex.cli import main
from nevindex.dataset import load_dataset
from nevindex.framework import load_framework
from nevindex.store import db as store_db
from nevindex.store import editions as ed
from nevindex.workflows import audit_edition

pytestmark = pytest.mark.slow  # end to end: editions through the store and the command


def test_profile_of_a_stored_edition(asem_dir, tmp_path, capsys):
    path = tmp_path / "store.db"
    store = store_db.open_store(f"sqlite:///{path}")
    panel = ed.import_data(store, asem_dir / "ASEM_iData_p.csv")
    meta = asem_dir / "ASEM_iMeta.csv"
    for year in (2020, 2021, 2022):
        ed.create_edition(store, year=year, methodology=meta, dataset=panel.id, label=f"asem-{year}")
        ed.build_edition(store, f"asem-{year}")
    for year in (2020, 2021):
        ed.publish(store, f"asem-{year}")
    audit, _ = audit_edition(store, "asem-2022", {"runs": 30, "seed": 5, "weight_noise": [{"level": 1}]})
    intervals = audit.rank_intervals().set_index("unit").loc["AUT"]
    store.close()

    assert main(["profile", "Austria", "--edition", "asem-2022", "--db", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    fw = load_framework(meta)
    data = load_dataset(asem_dir / "ASEM_iData_p.csv")
    expected = {y: build(fw, data, fw.recipe, year=y) for y in (2020, 2021, 2022)}
    i = expected[2022].units.index("AUT")
    assert out["edition"] == "asem-2022" and out["year"] == 2022
    assert out["score"] == expected[2022].index[i] and out["rank"] == expected[2022].rank[i]
    assert out["rank_interval"] == {"low": intervals["q05_rank"], "high": intervals["q95_rank"],
                                    "median": intervals["median_rank"], "source": "audit"}
    assert [(h["label"], h["year"]) for h in out["history"]] == [("asem-2020", 2020), ("asem-2021", 2021),
                                                                 ("asem-2022", 2022)]
    for h in out["history"]:
        res = expected[h["year"]]
        assert h["score"] == res.index[res.units.index("AUT")]

    assert main(["profile", "AUT", "--edition", "3", "--db", str(path), "--json"]) == 0  # by id
    assert json.loads(capsys.readouterr().out)["edition"] == "asem-2022"
    assert main(["profile", "AUT", "--edition", "asem-2030", "--db", str(path)]) == 2
    assert "asem-2030" in capsys.readouterr().err
