"""ASEM built once for the insight tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from nevindex.build import build
from nevindex.dataset import load_dataset
from nevindex.framework import load_framework
from nevindex.result import Result


@pytest.fixture(scope="session")
def asem(asem_dir: Path) -> Result:
    return build(load_framework(asem_dir / "ASEM_iMeta.csv"), load_dataset(asem_dir / "ASEM_iData.csv"))
