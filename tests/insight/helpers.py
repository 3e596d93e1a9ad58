"""Small hand-made editions for the insight tests."""

from __future__ import annotations

from typing import Any

import numpy as np

from nevindex.build import build
from nevindex.dataset import Dataset
from nevindex.framework import Framework, framework_from_mapping
from nevindex.result import Result


def small_framework(recipe: dict[str, Any] | None = None, ratings: list[dict[str, Any]] | None = None,
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


UNITS = ("u1", "u2", "u3", "u4", "u5", "u6", "u7")
VALUES = np.array([
    # a     b     c     d    pop
    [10.0, 50.0, 3.0, 7.0, 5.0],
    [20.0, 40.0, 5.0, 6.0, 8.0],
    [35.0, 80.0, 2.0, 2.0, 4.0],
    [5.0, 20.0, 9.0, 9.0, 10.0],
    [15.0, 60.0, 4.0, np.nan, 3.0],
    [25.0, 30.0, 6.0, 5.0, 6.0],
    [0.0, 70.0, 1.0, 4.0, 9.0],
])
SEGMENT = ("x", "x", "y", "y", "y", "solo", None)


def small_dataset(values: np.ndarray = VALUES) -> Dataset:
    return Dataset(UNITS, ("a", "b", "c", "d", "pop"), (2024,), values[None], tuple(u.upper() for u in UNITS),
                   {"segment": SEGMENT})


def small_result(recipe: dict[str, Any] | None = None, denominator: bool = False, **kw: Any) -> Result:
    fw = small_framework(recipe, denominator=denominator, **kw)
    return build(fw, small_dataset(), fw.recipe)


def rebuild_with(result: Result, unit: str, code: str, value: float) -> Result:
    data = result.dataset.with_value(unit, code, value, result.year)
    return build(result.framework, data, result.recipe)

