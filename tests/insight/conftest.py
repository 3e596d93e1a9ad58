"""Fixtures of the insight tests: ASEM built once, and a small hand-made edition whose numbers can be
worked by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nevindex.build import build
from nevindex.dataset import Dataset, load_dataset
from nevindex.framework import Framework, framework_from_mapping, load_framework
from nevindex.result import Result


@pytest.fixture(scope="session")
def asem(asem_dir: Path) -> Result:
    return build(load_framework(asem_dir / "ASEM_iMeta.csv"), load_dataset(asem_dir / "ASEM_iData.csv"))


def _small_framework(recipe: dict[str, Any] | None = None, ratings: list[dict[str, Any]] | None = None,
                    denominator: bool = False) -> Framework:
    """Index ← E1 (a, b), E2 (c, d); c lower-is-better; 'a' optionally per 'pop'."""
    ind = [
        {"code": "a", "name": "Indicator a", "parent": "E1", "weight": 1, "direction": 1, "unit": "count"},
        {"code": "b", "name": "Indicator b", "parent": "E1", "weight": 2, "direction": 1, "unit": "%"},
        {"code": "c", "name": "Indicator c", "parent": "E2", "weight": 1, "direction": -1, "unit": "days"},
        {"code": "d", "name": "Indicator d", "parent": "E2", "weight": 1, "direction": 1, "unit": "score"},
    ]
    if denominator:
        ind[0] |= {"denominator": "pop", "scale": 1000}
    return framework_from_mapping({
        "framework": {"code": "SMALL", "version": "1", "name": "Small"},
        "aggregates": [
            {"code": "Index", "name": "Index"},
            {"code": "E1", "name": "Element one", "parent": "Index", "weight": 1},
            {"code": "E2", "name": "Element two", "parent": "Index", "weight": 1},
        ],
        "indicators": ind,
        "denominators": [{"code": "pop", "name": "population"}] if denominator else [],
        "recipe": recipe or {},
        "ratings": ratings or [],
    })


_UNITS = ("u1", "u2", "u3", "u4", "u5", "u6", "u7")
_VALUES = np.array([
    # a     b     c     d    pop
    [10.0, 50.0, 3.0, 7.0, 5.0],
    [20.0, 40.0, 5.0, 6.0, 8.0],
    [35.0, 80.0, 2.0, 2.0, 4.0],
    [5.0, 20.0, 9.0, 9.0, 10.0],
    [15.0, 60.0, 4.0, np.nan, 3.0],
    [25.0, 30.0, 6.0, 5.0, 6.0],
    [0.0, 70.0, 1.0, 4.0, 9.0],
])
_SEGMENT = ("x", "x", "y", "y", "y", "solo", None)


def _small_dataset(values: np.ndarray = _VALUES) -> Dataset:
    return Dataset(_UNITS, ("a", "b", "c", "d", "pop"), (2024,), values[None], tuple(u.upper() for u in _UNITS),
                   {"segment": _SEGMENT})


def _small_result(recipe: dict[str, Any] | None = None, denominator: bool = False, **kw: Any) -> Result:
    fw = _small_framework(recipe, denominator=denominator, **kw)
    return build(fw, _small_dataset(), fw.recipe)


def _rebuild_with(result: Result, unit: str, code: str, value: float) -> Result:
    data = result.dataset.with_value(unit, code, value, result.year)
    return build(result.framework, data, result.recipe)


# --- the small hand-made edition: factories as session fixtures (hypothesis tests use them too) ---


@pytest.fixture(scope="session")
def small_framework():
    """``small_framework(recipe=None, ratings=None, denominator=False)``: Index ← E1 (a, b), E2 (c, d)."""
    return _small_framework


@pytest.fixture(scope="session")
def small_dataset():
    """``small_dataset(values=VALUES)``: seven units u1…u7 with a segment attribute, year 2024."""
    return _small_dataset


@pytest.fixture(scope="session")
def small_result():
    """``small_result(recipe=None, denominator=False, **framework options)``: the small edition built."""
    return _small_result


@pytest.fixture(scope="session")
def rebuild_with():
    """``rebuild_with(result, unit, code, value)``: the result rebuilt with one raw value changed."""
    return _rebuild_with


@pytest.fixture(scope="session")
def UNITS():  # noqa: N802 - the constant's name, as a fixture
    return _UNITS
