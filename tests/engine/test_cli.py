"""The CLI: a successful build writes every table; each bad input gets one clear message,
exit code 2, and leaves no output behind."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from nevindex.cli import main


def run(args, capsys):
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_build_writes_every_table(tmp_path, capsys, asem_dir):
    out = tmp_path / "out"
    code, text = run(["build", "--framework", asem_dir / "ASEM_iMeta.csv", "--data", asem_dir / "ASEM_iData.csv",
                      "--out", out], capsys)
    assert code == 0, text
    names = {p.name for p in out.iterdir()}
    assert {"results.csv", "raw.csv", "denominated.csv", "screened.csv", "imputed.csv", "treated.csv",
            "normalised.csv", "aggregated.csv", "treatment.csv", "weights.csv", "result.xlsx",
            "manifest.json"} <= names
    results = pd.read_csv(out / "results.csv")
    assert results.columns[0] == "unit" and results.columns[-1] == "rank" and len(results) == 51
    assert set(pd.ExcelFile(out / "result.xlsx").sheet_names) >= {"results", "normalised", "weights"}
    assert "Switzerland (CHE)" in text  # the leader, by name and code
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_validate_reports_ok_and_warns_on_extra_columns(tiny_csv, tiny_yaml, write, tmp_path, capsys):
    fw = write(tmp_path, "fw.yaml", tiny_yaml)
    data = write(tmp_path, "d.csv", tiny_csv.replace("a,b,c\n", "a,b,c,extra\n").replace("1,10,5\n", "1,10,5,1\n"))
    code, text = run(["validate", "-f", fw, "-d", data], capsys)
    assert code == 0, text
    assert "ok" in text and "not in the framework" in text and "extra" in text


# (methodology changes, data as a function of the tiny CSV or a fixed text or None, arguments, message)
BAD_CASES = {
    "missing data file": ({}, None, ["--data", "nowhere.csv"], "file not found"),
    "empty data file": ({}, "", [], "empty|no data rows"),
    "no unit column": ({}, lambda t: t.replace("unit,name", "who,label"), [], "cannot find the unit code column"),
    "duplicate unit": ({}, lambda t: t + "U1,Again,north,1,1,1\n", [], "row 6, column 'unit': duplicate unit 'U1'"),
    "non-numeric cell": ({}, lambda t: t.replace("2,20,", "2,twenty,"), [], "row 3, column 'b': 'twenty' is not a number"),
    "code with space": ({"{code: a, name: A,": "{code: 'a x', name: A,"}, lambda t: t, [], "no spaces"),
    "code with leading digit": ({"{code: a, name: A,": "{code: 9a, name: A,"}, lambda t: t, [], "start with a letter"),
    "duplicate code": ({"{code: c, name: C,": "{code: b, name: C,"}, lambda t: t, [], "duplicate code 'b'"),
    "unknown parent": ({"parent: P2, direction": "parent: P7, direction"}, lambda t: t, [], "parent 'P7'"),
    "cycle": ({"{code: Index, name: Index}": "{code: Index, name: Index, parent: P2}"}, lambda t: t, [], "cycle"),
    "indicator without data": ({"{code: c, name: C,": "{code: d, name: C,"}, lambda t: t, [],
                               "indicator 'd' of the framework has no data column"),
    "direction": ({"direction: -1": "direction: 0"}, lambda t: t, [], "direction must be 1 or -1"),
    "negative weight": ({"weight: 2": "weight: -1"}, lambda t: t, [], "must not be negative"),
    "non-numeric weight": ({"weight: 2": "weight: lots"}, lambda t: t, [], "weight must be a number"),
    "all-missing indicator": ({}, lambda t: t.replace(",5\n", ",\n").replace(",7\n", ",\n").replace(",9\n", ",\n"), [],
                              "indicator 'c' has no values"),
    "constant under minmax": ({}, lambda t: t.replace(",5\n", ",4\n").replace(",7\n", ",4\n").replace(",9\n", ",4\n"), [],
                              "'c'.*constant"),
    "geometric with zero": ({}, lambda t: t, ["--recipe", "geometric"], "geometric.*'U1'|'U1'.*geometric"),
    "AHP not reciprocal": ({}, lambda t: t, ["--recipe", "ahp_bad"], "recipro"),
    "AHP inconsistent": ({"  - {code: P2, name: Pillar two, parent: Index, weight: 1}\n": "",
                          "parent: P2, direction": "parent: P1, direction"}, lambda t: t, ["--recipe", "ahp_inconsistent"],
                         "inconsistent: CR"),
    "unknown method": ({}, lambda t: t, ["--recipe", "typo_method"], "did you mean 'minmax'"),
    "unknown parameter": ({}, lambda t: t, ["--recipe", "typo_param"], "did you mean 'upper'"),
    "unknown setting": ({}, lambda t: t, ["--recipe", "typo_setting"], "did you mean 'normalise'"),
}

RECIPES = {
    "geometric": "aggregate: {method: geometric}\n",
    "ahp_bad": "weights:\n  method: ahp\n  ahp:\n    Index: {order: [P1, P2], matrices: [[1, 3], [3, 1]]}\n",
    "ahp_inconsistent": "weights:\n  method: ahp\n  ahp:\n    P1: {order: [a, b, c], matrices: [[1, 9, 0.1111111111111111],"
                        " [0.1111111111111111, 1, 9], [9, 0.1111111111111111, 1]]}\n",
    "typo_method": "normalise: {method: minmaxx}\n",
    "typo_param": "normalise: {method: minmax, params: {uper: 10}}\n",
    "typo_setting": "normalize: {method: minmax}\n",
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_input_exits_2_with_a_clear_message_and_writes_nothing(tiny_csv, tiny_yaml, write, tmp_path, capsys, case):
    fw_changes, data, extra, message = BAD_CASES[case]
    data_text = data(tiny_csv) if callable(data) else data
    fw_text = tiny_yaml
    for old, new in fw_changes.items():
        assert old in fw_text
        fw_text = fw_text.replace(old, new, 1)
    fw = write(tmp_path, "fw.yaml", fw_text)
    args = ["build", "--framework", fw, "--out", tmp_path / "out"]
    if data_text is not None:
        args += ["--data", write(tmp_path, "data.csv", data_text)]
    extra = list(extra)
    if "--recipe" in extra:
        name = extra[extra.index("--recipe") + 1]
        extra[extra.index("--recipe") + 1] = write(tmp_path, f"{name}.yaml", RECIPES[name])
    if "--data" in extra:
        extra[extra.index("--data") + 1] = tmp_path / extra[extra.index("--data") + 1]
    code, text = run(args + extra, capsys)
    assert code == 2, text
    assert "Traceback" not in text
    import re

    assert re.search(message, text), text
    assert len(text.strip().splitlines()) <= 3, text
    assert not (tmp_path / "out").exists()


@pytest.mark.slow  # end to end: the command as a process
def test_real_process_exit_code_and_no_traceback(tiny_csv, tiny_yaml, write, tmp_path):
    fw = write(tmp_path, "fw.yaml", tiny_yaml.replace("direction: -1", "direction: 5"))
    data = write(tmp_path, "d.csv", tiny_csv)
    proc = subprocess.run([sys.executable, "-m", "nevindex", "validate", "-f", str(fw), "-d", str(data)],
                          capture_output=True, text=True, env={"PYTHONPATH": "src", "PATH": "/usr/bin:/bin"},
                          cwd=str(__import__("pathlib").Path(__file__).resolve().parents[2]))
    assert proc.returncode == 2
    assert "direction must be 1 or -1" in proc.stderr and "Traceback" not in proc.stderr


def test_usage_errors_exit_2(capsys):
    code, text = run(["build", "--framework"], capsys)
    assert code == 2
