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


def test_profile_errors(capsys, files):
    assert main(["profile", "Atlantis", *files]) == 2
    assert "no unit 'Atlantis'" in capsys.readouterr().err
    assert main(["profile", "AUT"]) == 2
    assert "--edition" in capsys.readouterr().err
    assert main(["profile", "AUT", *files, "--peers", "continent"]) == 2
    assert "no group column 'continent'" in capsys.readouterr().err
