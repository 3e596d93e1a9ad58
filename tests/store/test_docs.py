"""The Python example of docs/editions.md runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "editions.md"


@pytest.mark.slow  # end to end: the documented example builds, publishes and compares editions
def test_library_example_runs(tmp_path, monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) == 1
    monkeypatch.setenv("NEVINDEX_DB", str(tmp_path / "docs.db"))
    namespace: dict = {}
    exec(compile(blocks[0], str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    assert set(namespace["by_element"].columns) >= {"tangible", "quality", "innovation", "service", "intangible"}
    assert (namespace["summary"]["change"] - namespace["by_element"].sum(axis=1).to_numpy()).abs().max() < 1e-9
