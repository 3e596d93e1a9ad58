"""A small store for brand submissions: a mini index whose 2023 edition is published and whose 2024
edition is a draft, with two raw indicators collected by submission (test values, not real data)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from nevindex.cli import main
from nevindex.store import editions as ed
from nevindex.store import open_store
from nevindex.store import submissions as subs

REPO = Path(__file__).resolve().parents[2]

FRAMEWORK = """
framework: {code: MINI, version: "1", name: {en: Mini index, zh: 迷你指数}}
aggregates:
  - {code: Index, name: Index}
  - {code: service, name: Service, parent: Index}
  - {code: quality, name: Quality, parent: Index}
  - {code: people, name: People, parent: Index}
indicators:
  - {code: sites, name: Service sites, parent: service, unit: sites,
     params: {normalise: {method: goalposts, lower: 0, upper: 2000, scale: 100}}}
  - {code: rating, name: Rating, parent: quality, unit: points,
     params: {normalise: {method: goalposts, lower: 0, upper: 5, scale: 100}}}
  - {code: staff, name: Service staff, parent: people, unit: people,
     params: {normalise: {method: goalposts, lower: 0, upper: 500, scale: 100}}}
raw_indicators:
  - code: sites
    name: {en: Service sites, zh: 服务网点}
    definition: {en: Sites that service the brand's cars at year end., zh: 年末为品牌车辆提供服务的网点。}
    unit: sites
    collection: submission
    evidence: required
    bounds: {min: 0, max: 100000}
  - {code: staff, name: Service staff, unit: people, collection: submission, bounds: {min: 0, max: 1000000}}
recipe:
  impute: {method: none}
  treat: {method: none}
  normalise: {method: goalposts, params: {lower: 0, upper: 100, scale: 100}}
  aggregate: {method: arithmetic}
"""

# brand, year, indicator, value (test values); acme's 2024 sites has a public value (200)
ROWS = [("acme", 2023, "sites", 100), ("bolt", 2023, "sites", 300), ("cyan", 2023, "sites", 50),
        ("acme", 2024, "sites", 200), ("bolt", 2024, "sites", 320), ("cyan", 2024, "sites", 60)]
ROWS += [(b, y, "rating", r) for y in (2023, 2024) for b, r in (("acme", 3.5), ("bolt", 4.0), ("cyan", 3.0))]
ROWS += [("acme", 2023, "staff", 40), ("bolt", 2023, "staff", 80), ("cyan", 2023, "staff", 10)]
ROWS += [("bolt", 2024, "staff", 90), ("cyan", 2024, "staff", 12)]


def data_csv() -> str:
    lines = ["brand_id,year,indicator_id,value,source_title,source_url"]
    lines += [f"{b},{y},{i},{v},{b} annual report {y},https://example.org/{b}/{y}" for b, y, i, v in ROWS]
    return "\n".join(lines) + "\n"


def make_store(url: str, folder: Path) -> dict[str, Path]:
    """The mini store: edition 2023 published (data year 2023), draft 2024 (data year 2024)."""
    folder.mkdir(parents=True, exist_ok=True)
    fw, data = folder / "mini.yaml", folder / "data.csv"
    fw.write_text(FRAMEWORK, encoding="utf-8")
    data.write_text(data_csv(), encoding="utf-8")
    with open_store(url) as store:
        info = ed.import_data(store, data, label="mini-data", actor="tester")
        ed.create_edition(store, year=2023, methodology=fw, dataset=info.id, label="2023", data_year=2023, actor="t")
        ed.build_edition(store, "2023", actor="tester")
        ed.publish(store, "2023", actor="analyst")
        ed.create_edition(store, year=2024, methodology=fw, dataset=info.id, label="2024", data_year=2024, actor="t")
    return {"framework": fw, "data": data}


def cli(url: str, *args: str) -> int:
    """``nevindex args`` on the store at ``url``; the session's own store setting is put back after, so
    no later test (nor a command it starts) inherits a schema that its fixture has dropped."""
    before = os.environ.get("NEVINDEX_DB")
    os.environ["NEVINDEX_DB"] = url
    try:
        return main(list(args))
    finally:
        if before is None:
            os.environ.pop("NEVINDEX_DB", None)
        else:
            os.environ["NEVINDEX_DB"] = before


def fill(template: Path, out: Path, cells: dict[str, Any], sheet: str = "Questionnaire") -> Path:
    """The questionnaire with ``cells`` (e.g. {"G8": 320, "H8": "https://…"}) set, saved as ``out``."""
    wb = load_workbook(template)
    for cell, value in cells.items():
        name, _, ref = cell.rpartition("!")
        wb[name or sheet][ref] = value
    wb.save(out)
    return out


def stored_state(url: str) -> tuple[int, int, int]:
    """(submissions, data sets, log entries about submissions): what an import must leave alone."""
    with open_store(url) as store:
        n_subs = len(subs.list_submissions(store))
        n_data = len(ed.list_datasets(store))
        log = ed.activity(store, limit=1000)
    return n_subs, n_data, int((log["action"] == "submission.import").sum())


def run_process(url: str, *args: str, entry: Path | None = None) -> subprocess.Popen[str]:
    env = dict(os.environ, NEVINDEX_DB=url, PYTHONPATH=str(REPO / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    cmd = [sys.executable, str(entry)] if entry else [sys.executable, "-m", "nevindex"]
    return subprocess.Popen([*cmd, *args], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
