"""The engine and the audit are cheap to import: heavy libraries load only where they are used."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("scipy", "matplotlib", "SALib", "sqlalchemy", "openpyxl", "weasyprint", "fastapi")


def test_engine_and_audit_modules_load_no_heavy_library() -> None:
    code = ("import sys\n"
            "import nevindex.build, nevindex.inputs, nevindex.audit, nevindex.audit.files, nevindex.audit.sensitivity\n"
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.slow  # a whole audit with its charts in a subprocess
def test_matplotlib_loads_when_the_charts_are_drawn(asem_dir) -> None:
    code = ("import sys\nfrom nevindex.inputs import load_inputs\nfrom nevindex.audit import run_audit\n"
            f"i = load_inputs(r'{asem_dir / 'ASEM_iMeta.csv'}', r'{asem_dir / 'ASEM_iData.csv'}')\n"
            "a = run_audit(i.framework, i.dataset, i.recipe)\n"
            "before = 'matplotlib' in sys.modules\nfiles = a.charts()\n"
            "print(before, 'matplotlib' in sys.modules, sorted(files)[0])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True", "correlations.png"]
