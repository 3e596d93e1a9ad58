"""The engine and the audit are cheap to import: heavy libraries load only where they are used."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("scipy", "matplotlib", "SALib", "sqlalchemy", "openpyxl", "weasyprint", "fastapi")


def test_engine_and_audit_modules_load_no_heavy_library() -> None:
    code = ("import sys\n"
            "import nevindex.build, nevindex.inputs, nevindex.audit, nevindex.audit.files, nevindex.audit.sensitivity\n"
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_charts_load_matplotlib_when_drawn(small) -> None:
    from nevindex.audit import run_audit

    code = ("import sys\nfrom nevindex.audit.run import AuditResult\n"
            "assert 'matplotlib' not in sys.modules\n"
            "import nevindex.audit.charts\nprint('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"
    files = run_audit(small.framework, small.dataset, small.recipe).charts()
    assert any(name.endswith(".svg") for name in files)
