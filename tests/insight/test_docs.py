"""The example in docs/insight.md runs and says what the doc says."""

from __future__ import annotations

import re
from pathlib import Path

DOC = (Path(__file__).resolve().parents[2] / "docs" / "insight.md").read_text(encoding="utf-8")


def test_python_example_runs(asem_dir):
    block = re.findall(r"```python\n(.*?)```", DOC, flags=re.S)[0]
    code = block.replace('"../shared/testdata/asem"', repr(str(asem_dir)))
    scope: dict = {}
    exec(compile(code, "docs/insight.md", "exec"), scope)  # noqa: S102 - our own documentation
    p = scope["p"]
    assert p.unit == "AUT" and p.plan.status == "reached" and p.plan.rank_after <= 5
    shown = re.search(r'p\.plan\.message\s+# "(.*?) …"', block).group(1)
    assert p.plan.message.startswith(shown)
    assert len(p.levers.best(5)) == 5
