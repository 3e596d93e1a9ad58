"""Store fixtures: a fresh store per test on each backend (``store`` opens ``store_url``, which is in
tests/conftest.py), small hand-made methodology and data files written per test, and the steps the
store tests share.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from nevindex.store import editions as ed
from nevindex.store import open_store

REPO = Path(__file__).resolve().parents[2]

FRAMEWORK_YAML = """
framework:
  code: MINI
  version: "1.0"
  name: {en: Mini brand index, zh: 迷你品牌指数}
aggregates:
  - {code: Index, name: Index}
  - {code: tangible, name: {en: Tangible, zh: 有形要素}, parent: Index, weight: 1}
  - {code: quality, name: {en: Quality, zh: 质量要素}, parent: Index, weight: 1}
indicators:
  - {code: sales, name: Sales, parent: tangible, weight: 1, direction: 1}
  - {code: revenue, name: Revenue, parent: tangible, weight: 1, direction: 1}
  - {code: recalls, name: Recalls, parent: quality, weight: 1, direction: -1}
  - {code: rating, name: Rating, parent: quality, weight: 1, direction: 1}
"""

# Version 2 of the methodology: quality counts three times as much.
FRAMEWORK_V2_YAML = FRAMEWORK_YAML.replace('version: "1.0"', 'version: "2.0"').replace(
    "parent: Index, weight: 1}\nindicators", "parent: Index, weight: 3}\nindicators")

UNITS_CSV = """code,name,country
acme,Acme Motors,CN
bolt,Bolt Cars,DE
cyan,Cyan EV,US
dyna,Dyna Auto,CN
"""

# Tidy observations with their sources; 2024 differs from 2023 and one value is a formula-like text.
DATA_ROWS = {
    2023: {"acme": (100, 50, 4, 3.5), "bolt": (80, 70, 2, 4.0), "cyan": (60, 40, 6, 3.0), "dyna": (40, 30, 1, 4.5)},
    2024: {"acme": (120, 55, 3, 3.5), "bolt": (70, 75, 2, 4.5), "cyan": (90, 45, 5, 3.0), "dyna": (45, 35, 2, None)},
}


def data_csv(years: tuple[int, ...] = (2023, 2024), bump: float = 0.0) -> str:
    lines = ["brand,year,indicator,value,source_title,source_url,notes"]
    names = ("sales", "revenue", "recalls", "rating")
    for year in years:
        for unit, values in DATA_ROWS[year].items():
            for name, value in zip(names, values, strict=True):
                if value is None:
                    continue
                title = "=HYPERLINK(\"http://evil\")" if (unit, name, year) == ("acme", "sales", 2024) else \
                    f"{unit} annual report {year}"
                v = value + (bump if name == "sales" and unit == "acme" else 0)
                note = "SCOPE: group figure" if (unit, name) == ("bolt", "revenue") else ""
                lines.append(f"{unit},{year},{name},{v},\"{title.replace(chr(34), chr(34) * 2)}\","
                             f"https://example.org/{unit}/{year},{note}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, content in (("framework.yaml", FRAMEWORK_YAML), ("framework_v2.yaml", FRAMEWORK_V2_YAML),
                          ("units.csv", UNITS_CSV), ("data.csv", data_csv()),
                          ("data_fixed.csv", data_csv(bump=1.0))):
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        out[name.split(".")[0]] = path
    return out


@pytest.fixture
def store(store_url: str):
    st = open_store(store_url)
    yield st
    st.close()


def _published_edition(store, files, label: str = "2024", year: int = 2024, framework: str = "framework"):
    """Import, create, build and publish an edition of the mini index; returns its info."""
    data = ed.import_data(store, files["data"], units_file=files["units"], actor="tester")
    ed.create_edition(store, year=year, methodology=files[framework], dataset=data.id, label=label, actor="tester")
    ed.build_edition(store, label, actor="tester")
    return ed.publish(store, label, actor="analyst")


def _cli_env(url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env["NEVINDEX_DB"] = url
    env.update(extra)
    return env


def _run_cli(url: str, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nevindex", *args], env=_cli_env(url, **extra), cwd=REPO,
                          capture_output=True, text=True, timeout=300)


def _kill_when_paused(url: str, point: str, marker: Path, *args: str) -> int:
    """Run a CLI command that pauses half-way through its transaction, then SIGKILL it there."""
    entry = Path(__file__).with_name("pause_entry.py")  # the CLI with a checkpoint that stops at ``point``
    proc = subprocess.Popen([sys.executable, str(entry), point, str(marker), *args], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_cli_env(url))
    deadline = time.monotonic() + 120
    while not marker.exists():
        if proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"the command ended before pausing (rc {proc.returncode}):\n{out}\n{err}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("the command never reached its pause point")
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    return proc.returncode


# --- steps shared by the store tests, as fixtures ---------------------------------------------


@pytest.fixture(scope="session")
def published_edition():
    """``published_edition(store, files, label="2024", year=2024, framework="framework")``: import, create,
    build and publish an edition of the mini index; returns its info."""
    return _published_edition


def _drop_guards(store) -> None:
    """What a database owner can do by hand: drop (SQLite) or disable (PostgreSQL) every nevindex trigger."""
    with store.engine.begin() as conn:
        if store.engine.dialect.name == "postgresql":
            tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).scalars()
            for table in list(tables):
                conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        else:
            names = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                      "AND name LIKE 'nevindex%'")).scalars()
            for name in list(names):
                conn.execute(text(f"DROP TRIGGER {name}"))


@pytest.fixture(scope="session")
def drop_guards():
    """``drop_guards(store)``: remove every database guard of the store, as its owner could."""
    return _drop_guards


@pytest.fixture(scope="session")
def run_cli():
    """``run_cli(url, *args, **env)``: the nevindex command as a process on the store at ``url``."""
    return _run_cli


@pytest.fixture(scope="session")
def cli_env():
    """``cli_env(url, **env)``: the environment of a nevindex process on the store at ``url``."""
    return _cli_env


@pytest.fixture(scope="session")
def kill_when_paused():
    """``kill_when_paused(url, point, marker, *args)``: run a command that stops at the store's checkpoint
    ``point`` (tests/store/pause_entry.py), SIGKILL it there; returns its exit code."""
    return _kill_when_paused
