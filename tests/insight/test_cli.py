"""``nevindex profile`` on files (the --edition form needs the store)."""

from __future__ import annotations

import json

import pytest

from nevindex.cli import main


@pytest.fixture
def files(asem_dir):
    return ["--framework", str(asem_dir / "ASEM_iMeta.csv"), "--data", str(asem_dir / "ASEM_iData.csv")]


def test_profile_json(capsys, files):
    assert main(["profile", "Austria", *files, "--peers", "EurAsia_group", "--target-rank", "5", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["unit"] == "AUT" and out["plan"]["target_rank"] == 5
    assert out["plan"]["rank_after"] <= 5
    assert out["standing"][1]["against"] == "EurAsia_group" and out["standing"][1]["group"] == "Europe"
    assert len(out["indicators"]) == 49


def test_profile_text(capsys, files):
    assert main(["profile", "CHN", *files, "--target-rank", "40", "--step", "sd", "--size", "0.5"]) == 0
    text = capsys.readouterr().out
    assert "China (CHN)" in text and "Top levers" in text and "target 40" in text


def test_profile_errors(capsys, files, tmp_path, monkeypatch):
    assert main(["profile", "Atlantis", *files]) == 2
    assert "no unit 'Atlantis'" in capsys.readouterr().err
    monkeypatch.setenv("NEVINDEX_DB", str(tmp_path / "empty.db"))  # no store: nothing published to default to
    assert main(["profile", "AUT"]) == 2
    assert "--edition" in capsys.readouterr().err
    assert main(["profile", "AUT", *files, "--peers", "continent"]) == 2
    assert "no group column 'continent'" in capsys.readouterr().err


def test_profile_with_audit_intervals_file(capsys, files, asem_dir, tmp_path):
    from nevindex.audit.run import run_audit
    from nevindex.dataset import load_dataset
    from nevindex.framework import load_framework

    fw = load_framework(asem_dir / "ASEM_iMeta.csv")
    audit = run_audit(fw, load_dataset(asem_dir / "ASEM_iData.csv"), fw.recipe,
                      {"runs": 30, "seed": 3, "weight_noise": [{"level": 1}]})
    table = audit.rank_intervals()
    table.to_csv(tmp_path / "rank_intervals.csv", index=False)
    assert main(["profile", "KOR", *files, "--intervals", str(tmp_path / "rank_intervals.csv"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    row = table.set_index("unit").loc["KOR"]
    assert out["rank_interval"]["low"] == row["q05_rank"] and out["rank_interval"]["high"] == row["q95_rank"]
