"""The layers of docs/design.md hold: import-linter checks the contracts of pyproject.toml
(``[tool.importlinter]``) on the source tree, function-level imports included."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def lint_imports(*contracts: str) -> subprocess.CompletedProcess[str]:
    command = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    args = [arg for c in contracts for arg in ("--contract", c)]
    return subprocess.run([str(command), "--no-cache", "--no-logo", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


def test_every_module_imports_only_from_layers_below_its_own():
    proc = lint_imports("layers")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "nevindex layers (top to bottom) KEPT" in proc.stdout


def test_no_package_has_an_import_cycle_between_its_modules():
    proc = lint_imports("acyclic")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "KEPT" in proc.stdout
