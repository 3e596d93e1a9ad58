"""``nevindex --help`` stays fast: importing the CLI, or asking it for help, loads none of the heavy
libraries (they are imported inside the commands that use them)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "scipy", "matplotlib", "sqlalchemy", "numpy")

PROBE = """
import json, sys
{action}
print(json.dumps(sorted(m for m in {heavy} if m in sys.modules)))
"""


def loaded_after(action: str) -> list[str]:
    code = PROBE.format(action=action, heavy=HEAVY)
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_importing_the_cli_loads_no_heavy_library():
    assert loaded_after("import nevindex.cli") == []


@pytest.mark.parametrize("argv", [["--help"], ["edition", "--help"], ["build", "--help"], ["report", "--help"]])
def test_help_loads_no_heavy_library(argv):
    action = ("from nevindex.cli import main\nimport io, contextlib\n"
              f"with contextlib.redirect_stdout(io.StringIO()): code = main({argv!r})\nassert code == 0, code")
    assert loaded_after(action) == []


def test_the_probe_sees_a_heavy_import():  # the test above could not pass by looking at the wrong thing
    assert loaded_after("import nevindex.store.db") == ["sqlalchemy"]


@pytest.mark.parametrize("package", ["audit", "collect", "insight", "nev", "report", "store", "workflows"])
def test_importing_a_package_loads_no_heavy_library(package):
    # packages hand out their names lazily (lazy_loader), so a command loads only what it uses
    assert loaded_after(f"import nevindex.{package}") == []
