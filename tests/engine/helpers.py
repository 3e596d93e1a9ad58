"""Tiny frameworks and data sets written out by hand, so expected numbers can be worked by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nevindex.dataset import Dataset
from nevindex.framework import framework_from_mapping

TINY_YAML = """
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

TINY_CSV = """unit,name,region,a,b,c
U1,Unit one,north,1,10,5
U2,Unit two,north,2,20,
U3,Unit three,south,3,30,7
U4,Unit four,south,5,0,9
"""


def tiny_framework(**changes):
    import yaml

    data = yaml.safe_load(TINY_YAML)
    data.update(changes)
    return framework_from_mapping(data)


def write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def matrix_dataset(values: np.ndarray, codes: list[str], units: list[str] | None = None,
                   attributes: dict | None = None) -> Dataset:
    units = units or [f"U{i}" for i in range(values.shape[0])]
    return Dataset(tuple(units), tuple(codes), (2024,), values[None, :, :], tuple(units), attributes or {})
