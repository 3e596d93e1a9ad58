"""The collect and synth command areas import no heavy library until a command runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "numpy", "scipy", "pingouin", "pyreadstat", "sqlalchemy")


def test_importing_the_areas_loads_no_heavy_library() -> None:
    code = ("import json, sys\nimport nevindex.cli.collect, nevindex.cli.synth\n"
            f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []
    # the probe sees a heavy import when there is one
    proc = subprocess.run([sys.executable, "-c", code.replace("nevindex.cli.synth", "nevindex.collect.survey")],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    assert "numpy" in json.loads(proc.stdout.strip().splitlines()[-1])
