"""Fixtures of the engine tests: a tiny framework and data set written out by hand, so expected numbers
can be worked by hand, and small factories around them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nevindex.dataset import Dataset
from nevindex.framework import framework_from_mapping

_TINY_YAML = """
framework:
  code: TINY
  version: "1.0"
  name: {en: Tiny index, zh: 小指数}
aggregates:
  - {code: Index, name: Index}
  - {code: P1, name: Pillar one, parent: Index, weight: 2}
  - {code: P2, name: Pillar two, parent: Index, weight: 1}
indicators:
  - {code: a, name: A, parent: P1, direction: 1}
  - {code: b, name: B, parent: P1, direction: -1}
  - {code: c, name: C, parent: P2, direction: 1}
"""

_TINY_CSV = """unit,name,region,a,b,c
U1,Unit one,north,1,10,5
U2,Unit two,north,2,20,
U3,Unit three,south,3,30,7
U4,Unit four,south,5,0,9
"""


def _tiny_framework(**changes):
    import yaml

    data = yaml.safe_load(_TINY_YAML)
    data.update(changes)
    return framework_from_mapping(data)


def _write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def _matrix_dataset(values: np.ndarray, codes: list[str], units: list[str] | None = None,
                   attributes: dict | None = None) -> Dataset:
    units = units or [f"U{i}" for i in range(values.shape[0])]
    return Dataset(tuple(units), tuple(codes), (2024,), values[None, :, :], tuple(units), attributes or {})


@pytest.fixture(scope="session")
def tiny_yaml() -> str:
    """The tiny methodology: Index ← P1 (a, b lower-is-better; weight 2), P2 (c)."""
    return _TINY_YAML


@pytest.fixture(scope="session")
def tiny_csv() -> str:
    """Four units of the tiny methodology, one value of c missing."""
    return _TINY_CSV


@pytest.fixture(scope="session")
def tiny_framework():
    """``tiny_framework(**top-level changes)``: the tiny methodology, validated."""
    return _tiny_framework


@pytest.fixture(scope="session")
def write():
    """``write(folder, name, text)``: a UTF-8 file; returns its path."""
    return _write


@pytest.fixture(scope="session")
def matrix_dataset():
    """``matrix_dataset(values, codes, units=None, attributes=None)``: a one-year Dataset of a units × codes matrix."""
    return _matrix_dataset
