"""The layers hold: import-linter checks the contracts of pyproject.toml (``[tool.importlinter]``) on the
source tree, function-level imports included; the README draws the same layers (../shared/DESIGN.md draws
the intent: collect between nev and store)."""

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


def test_the_readme_draws_the_contracts_layers():
    import re
    import tomllib

    layers = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    contract = next(c for c in layers if c["id"] == "layers")["layers"]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"function-level imports included:\n\n  ```\n(.*?)\n  ```", readme, re.S)
    assert block, "README: the layer drawing after 'function-level imports included:'"
    assert [line.strip() for line in block.group(1).splitlines()] == contract
