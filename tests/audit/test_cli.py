"""``nevindex audit`` on files: tables, workbook, charts; errors exit 2 with the culprit named."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from nevindex.cli import main

from .conftest import small_dataset, small_framework


def _files(tmp_path):
    fw = small_framework()
    (tmp_path / "fw.yaml").write_text(fw.to_yaml(), encoding="utf-8")
    small_dataset().to_frame().reset_index().rename(columns={"unit": "code"}).assign(
        region=lambda f: ["north" if i % 2 else "south" for i in range(len(f))]).to_csv(tmp_path / "data.csv",
                                                                                      index=False)
    (tmp_path / "recipe.yaml").write_text("normalise: {method: minmax, params: {lower: 1, upper: 100}}\n")
    (tmp_path / "spec.yaml").write_text(
        "runs: 64\nseed: 3\nfactors:\n  - address: aggregate.method\n    alternatives: [arithmetic, geometric]\n"
        "weight_noise:\n  - level: 1\nsensitivity: {n: 16, bootstrap: 50}\n")
    return ["--framework", str(tmp_path / "fw.yaml"), "--data", str(tmp_path / "data.csv"),
            "--recipe", str(tmp_path / "recipe.yaml")]


@pytest.mark.slow  # end to end: the whole audit command with its charts and workbook
def test_cli_audit_writes_tables_and_charts(tmp_path) -> None:
    args = _files(tmp_path)
    out = tmp_path / "out"
    assert main(["audit", *args, "--spec", str(tmp_path / "spec.yaml"), "--out", str(out)]) == 0
    for name in ("statistics", "correlations", "consistency", "rank_intervals", "sensitivity"):
        assert (out / f"{name}.csv").exists(), name
    for name in ("runs", "weight_sets", "run_scores", "run_ranks"):  # per-run tables: Parquet by default
        assert (out / f"{name}.parquet").exists() and not (out / f"{name}.csv").exists(), name
    for chart in ("rank_intervals", "correlations", "sensitivity"):
        assert (out / "charts" / f"{chart}.svg").read_text().lstrip().startswith(("<?xml", "<svg"))
        assert (out / "charts" / f"{chart}.png").read_bytes()[:4] == b"\x89PNG"
    sheets = pd.read_excel(out / "audit.xlsx", sheet_name=None)
    assert {"statistics", "rank_intervals", "sensitivity"} <= set(sheets)
    assert not {"runs", "weight_sets", "run_scores", "run_ranks"} & set(sheets)  # not a table to read
    intervals = pd.read_csv(out / "rank_intervals.csv")
    assert len(intervals) == 12 and (intervals.q05_rank <= intervals.q95_rank).all()
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 64 and list(runs.columns) == ["run", "aggregate.method", "weight_set", "mean_abs_rank_shift"]
    scores = pd.read_parquet(out / "run_scores.parquet")
    assert scores.shape == (64, 13) and scores.dtypes.iloc[1:].eq("float64").all()
    summary = json.loads((out / "audit.json").read_text())
    assert summary["uncertainty"]["runs"] == 64 and summary["sensitivity"]["n"] == 16


def test_cli_audit_without_spec_and_runs_override(tmp_path) -> None:
    args = _files(tmp_path)
    assert main(["audit", *args, "--out", str(tmp_path / "a"), "--no-charts"]) == 0
    assert (tmp_path / "a" / "statistics.csv").exists() and not (tmp_path / "a" / "rank_intervals.csv").exists()
    assert main(["audit", *args, "--spec", str(tmp_path / "spec.yaml"), "--runs", "10", "--out",
                 str(tmp_path / "b"), "--no-charts"]) == 0
    assert len(pd.read_parquet(tmp_path / "b" / "runs.parquet")) == 10


def test_cli_audit_per_run_tables_as_csv_on_request(tmp_path) -> None:
    args = _files(tmp_path)
    out = tmp_path / "csv"
    assert main(["audit", *args, "--spec", str(tmp_path / "spec.yaml"), "--out", str(out), "--no-charts",
                 "--per-run", "csv"]) == 0
    parquet = tmp_path / "pq"
    assert main(["audit", *args, "--spec", str(tmp_path / "spec.yaml"), "--out", str(parquet), "--no-charts"]) == 0
    for name in ("runs", "weight_sets", "run_scores", "run_ranks"):
        pd.testing.assert_frame_equal(pd.read_csv(out / f"{name}.csv"), pd.read_parquet(parquet / f"{name}.parquet"),
                                      check_exact=True)
    assert not list(out.glob("*.parquet"))


def test_cli_audit_unknown_per_run_format_exits_2(tmp_path, capsys) -> None:
    args = _files(tmp_path)
    assert main(["audit", *args, "--out", str(tmp_path / "x"), "--per-run", "xlsx"]) == 2
    err = capsys.readouterr().err
    assert "--per-run" in err and "parquet" in err and not (tmp_path / "x").exists()


def test_cli_audit_error_exits_2_naming_the_address(tmp_path, capsys) -> None:
    args = _files(tmp_path)
    (tmp_path / "bad.yaml").write_text("factors:\n  - address: treat.enabld\n    alternatives: [true]\n")
    out = tmp_path / "out"
    assert main(["audit", *args, "--spec", str(tmp_path / "bad.yaml"), "--out", str(out)]) == 2
    assert "treat.enabld" in capsys.readouterr().err
    assert not out.exists()  # refused before the output folder is made


def test_cli_audit_files_are_reproducible_and_out_must_be_a_folder(tmp_path, capsys) -> None:
    args = _files(tmp_path)
    spec = ["--spec", str(tmp_path / "spec.yaml"), "--no-charts"]
    assert main(["audit", *args, *spec, "--out", str(tmp_path / "a")]) == 0
    assert main(["audit", *args, *spec, "--out", str(tmp_path / "b")]) == 0
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert "run_scores.parquet" in names and names == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in names:
        if name != "audit.json":  # it records the seconds the work took
            assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    (tmp_path / "file").write_text("x")
    assert main(["audit", *args, "--out", str(tmp_path / "file")]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
