"""Collect fixtures: the hand-made inputs of tests/collect/data/ (see its README.md) and the steps the
tests share: write a file, run the CLI in this process or as a process, make the mini submission store,
fill a questionnaire. The store on each backend (``store_url``) is in tests/conftest.py."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from nevindex.cli import main
from nevindex.store import editions as ed
from nevindex.store import open_store
from nevindex.store import submissions as subs

DATA = Path(__file__).with_name("data")
REPO = Path(__file__).resolve().parents[2]


def _read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


# --- the inputs, as text ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def survey_spec() -> str:
    """data/survey-spec.yaml: the owner survey of ``responses``."""
    return _read("survey-spec.yaml")


@pytest.fixture(scope="session")
def responses() -> str:
    """data/responses.csv: nine respondents of byd, nio and tiny."""
    return _read("responses.csv")


@pytest.fixture(scope="session")
def units() -> str:
    """data/units.csv: the brands of ``responses``."""
    return _read("units.csv")


@pytest.fixture(scope="session")
def panel_spec() -> str:
    """data/panel-spec.yaml: the expert panel of ``ratings``."""
    return _read("panel-spec.yaml")


@pytest.fixture(scope="session")
def ratings() -> str:
    """data/ratings.csv: experts A–D on brands b1–b4, criteria design and safety."""
    return _read("ratings.csv")


@pytest.fixture(scope="session")
def panel_scores(ratings: str) -> dict[str, dict[str, list[int]]]:
    """``ratings`` as criterion → expert → scores of the brands every expert rated on it (file order):
    design is {"A": [5, 6, 7], …, "D": [10, 1, 10]} on b1–b3."""
    rows = list(csv.DictReader(io.StringIO(ratings)))
    out: dict[str, dict[str, list[int]]] = {}
    for criterion in dict.fromkeys(r["criterion"] for r in rows):
        mine = [r for r in rows if r["criterion"] == criterion]
        experts = list(dict.fromkeys(r["expert"] for r in mine))
        brands = [b for b in dict.fromkeys(r["brand"] for r in mine)
                  if {r["expert"] for r in mine if r["brand"] == b} == set(experts)]
        score = {(r["expert"], r["brand"]): int(r["score"]) for r in mine}
        out[criterion] = {e: [score[e, b] for b in brands] for e in experts}
    return out


@pytest.fixture(scope="session")
def mini_framework() -> str:
    """data/mini-framework.yaml: the mini index whose raw indicators sites and staff are submitted."""
    return _read("mini-framework.yaml")


@pytest.fixture(scope="session")
def data_csv() -> str:
    """data/mini-data.csv: the data set of the mini index, data years 2023 and 2024."""
    return _read("mini-data.csv")


# --- steps ------------------------------------------------------------------------------------------


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def write() -> Callable[[Path, str, str], Path]:
    """``write(folder, name, text)``: the text as the file ``folder/name``; returns its path."""
    return _write


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[[list[Any]], tuple[int, str]]:
    """``run(args)``: ``nevindex args`` in this process; returns its exit code and what it printed
    (stdout then stderr)."""
    def _run(args: list[Any]) -> tuple[int, str]:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return code, captured.out + captured.err
    return _run


def _cli(url: str, *args: str) -> int:
    before = os.environ.get("NEVINDEX_DB")
    os.environ["NEVINDEX_DB"] = url
    try:
        return main(list(args))
    finally:
        if before is None:
            os.environ.pop("NEVINDEX_DB", None)
        else:
            os.environ["NEVINDEX_DB"] = before


@pytest.fixture(scope="session")
def cli() -> Callable[..., int]:
    """``cli(url, *args)``: ``nevindex args`` on the store at ``url``; the session's own store setting is
    put back after, so no later test (nor a command it starts) inherits a schema that its fixture has
    dropped."""
    return _cli


@pytest.fixture(scope="session")
def make_store(mini_framework: str, data_csv: str) -> Callable[[str, Path], dict[str, Path]]:
    """``make_store(url, folder)``: the mini store at ``url``, edition 2023 published (data year 2023),
    draft 2024 (data year 2024); its inputs are written to ``folder`` as mini.yaml and data.csv."""
    def _make_store(url: str, folder: Path) -> dict[str, Path]:
        folder.mkdir(parents=True, exist_ok=True)
        fw, data = _write(folder, "mini.yaml", mini_framework), _write(folder, "data.csv", data_csv)
        with open_store(url) as store:
            info = ed.import_data(store, data, label="mini-data", actor="tester")
            ed.create_edition(store, year=2023, methodology=fw, dataset=info.id, label="2023", data_year=2023,
                              actor="t")
            ed.build_edition(store, "2023", actor="tester")
            ed.publish(store, "2023", actor="analyst")
            ed.create_edition(store, year=2024, methodology=fw, dataset=info.id, label="2024", data_year=2024,
                              actor="t")
        return {"framework": fw, "data": data}
    return _make_store


def _fill(template: Path, out: Path, cells: dict[str, Any], sheet: str = "Questionnaire") -> Path:
    wb = load_workbook(template)
    for cell, value in cells.items():
        name, _, ref = cell.rpartition("!")
        wb[name or sheet][ref] = value
    wb.save(out)
    return out


@pytest.fixture(scope="session")
def fill() -> Callable[..., Path]:
    """``fill(template, out, cells, sheet="Questionnaire")``: the questionnaire with ``cells`` (e.g.
    {"G8": 320, "H8": "https://…"}, or "_nevindex!B2" for another sheet) set, saved as ``out``."""
    return _fill


def _stored_state(url: str) -> tuple[int, int, int]:
    with open_store(url) as store:
        n_subs = len(subs.list_submissions(store))
        n_data = len(ed.list_datasets(store))
        log = ed.activity(store, limit=1000)
    return n_subs, n_data, int((log["action"] == "submission.import").sum())


@pytest.fixture(scope="session")
def stored_state() -> Callable[[str], tuple[int, int, int]]:
    """``stored_state(url)``: (submissions, data sets, log entries about submissions), what an import
    must leave alone."""
    return _stored_state


def _run_process(url: str, *args: str, entry: Path | None = None) -> subprocess.Popen[str]:
    env = dict(os.environ, NEVINDEX_DB=url, PYTHONPATH=str(REPO / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    cmd = [sys.executable, str(entry)] if entry else [sys.executable, "-m", "nevindex"]
    return subprocess.Popen([*cmd, *args], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


@pytest.fixture(scope="session")
def run_process() -> Callable[..., subprocess.Popen[str]]:
    """``run_process(url, *args, entry=None)``: ``nevindex args`` (or the script ``entry`` with ``args``) as
    a process on the store at ``url``, started from the repository's root; its output is piped."""
    return _run_process


@pytest.fixture(scope="session")
def pause_entry() -> Path:
    """The CLI with a checkpoint that stops at a named point (tests/store/pause_entry.py)."""
    return REPO / "tests" / "store" / "pause_entry.py"

