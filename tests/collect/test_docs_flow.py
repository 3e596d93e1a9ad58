"""docs/collection.md, "The whole flow, worked", runs as written and produces what it says; `nevindex demo`
still publishes only public-source data."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from nevindex.cli import main
from nevindex.store import editions as ed
from nevindex.store import open_store
from nevindex.store import submissions as subs

REPO = Path(__file__).resolve().parents[2]
DOC = (REPO / "docs" / "collection.md").read_text(encoding="utf-8")
FLOW = DOC.split("## The whole flow, worked", 1)[1]
COMMANDS = re.search(r"```bash\n(.*?)```", FLOW, flags=re.S).group(1).strip().splitlines()


@pytest.mark.slow
def test_the_whole_flow_runs_and_matches_its_description(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("NEVINDEX_DB", url)
    for line in COMMANDS:
        args = [a.replace("docs/", f"{REPO}/docs/") if a.startswith("docs/") else a for a in shlex.split(line)]
        if args[0] == "python":
            subprocess.run([sys.executable, *args[1:]], check=True)
            continue
        assert args[0] == "nevindex"
        assert main(args[1:]) == 0, line
    with open_store(url) as store:
        sets = {d.label: d.n_observations for d in ed.list_datasets(store)}
        info = subs.get_submission(store, 1)
        edition = ed.get_edition(store, "synthetic-2025")
        data = ed.get_dataset(store, edition.dataset_sha256)
    assert sets == {"synthetic-primary-2025": 90, "synthetic-primary-2025+submissions": 92}  # "90", "92"
    assert [v.indicator for v in info.values] == ["syn_service_centres", "syn_charging_sites"]
    assert all(v.warnings == () for v in info.values) and info.status == "merged"  # "no warning"
    assert edition.status == "draft" and edition.result_sha256 is not None  # built, not published
    # every value of the edition is marked synthetic: the survey's and panel's rows, and the brand's figures
    prov = data.provenance
    synthetic = (prov["synthetic"] == "yes") | prov["excerpt"].fillna("").str.startswith("SYNTHETIC")
    assert len(prov) == 92 and synthetic.all()
    t, u = data.years.index(2025), data.units.index("syn-b03")
    assert data.values[t, u, data.columns.index("syn_service_centres")] == 420  # the figure the script enters
    assert "figures match the evidence" in " ".join(prov[prov["collection"] == "submission"]["review_comment"])


def test_the_demo_publishes_public_sources_only() -> None:
    """The demo editions are built on the shipped, sourced data: nothing submitted, surveyed or synthetic."""
    from nevindex.nev.data import load_nev_dataset
    from nevindex.nev.edition import METHODOLOGIES, nev_framework

    prov = load_nev_dataset().provenance
    assert "collection" not in prov.columns and "synthetic" not in prov.columns
    assert prov["source_url"].notna().mean() > 0.9  # sourced values
    for version in METHODOLOGIES:
        assert {r.collection for r in nev_framework(version).raw_indicators} <= {"public"}
