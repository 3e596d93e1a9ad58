"""Found by scripts/probe_cli.py: `audit --runs -3` without --spec exited 0, the setting silently ignored."""

from __future__ import annotations

import pytest

from nevindex.cli import main

FRAMEWORK = """\
framework: {code: T, version: "1", name: {en: T}}
aggregates:
  - {code: Index, name: Index}
indicators:
  - {code: a, name: A, parent: Index, direction: 1}
  - {code: b, name: B, parent: Index, direction: 1}
"""


@pytest.mark.parametrize(("args", "said"), [
    (["--runs", "-3"], "greater than or equal to 1"), (["--runs", "0"], "greater than or equal to 1"),  # never a number of runs
    (["--runs", "100"], "give them with --spec"), (["--seed", "4"], "give them with --spec"),  # no analysis to set
])
def test_runs_and_seed_without_a_spec_are_refused(tmp_path, capsys, args, said):
    (tmp_path / "fw.yaml").write_text(FRAMEWORK)
    (tmp_path / "d.csv").write_text("unit,a,b\nU1,1,2\nU2,2,1\nU3,3,3\n")
    code = main(["audit", "-f", str(tmp_path / "fw.yaml"), "-d", str(tmp_path / "d.csv"), "--out",
                 str(tmp_path / "out"), *args])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 2, err
    assert said in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()
