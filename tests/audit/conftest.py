"""Small fixtures: a two-pillar index over 12 units with a few gaps, and the ASEM index."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nevindex.dataset import Dataset
from nevindex.framework import Framework, framework_from_mapping
from nevindex.inputs import Inputs, load_inputs


def small_framework() -> Framework:
    return framework_from_mapping({
        "framework": {"code": "T", "version": "1", "name": "Test index"},
        "aggregates": [
            {"code": "Index", "name": "Index"},
            {"code": "P1", "name": "Pillar 1", "parent": "Index", "weight": 2},
            {"code": "P2", "name": "Pillar 2", "parent": "Index", "weight": 1},
        ],
        "indicators": [
            {"code": "a", "name": "a", "parent": "P1"},
            {"code": "b", "name": "b", "parent": "P1", "weight": 2},
            {"code": "c", "name": "c", "parent": "P1", "direction": -1},
            {"code": "d", "name": "d", "parent": "P2"},
            {"code": "e", "name": "e", "parent": "P2", "weight": 0.5},
        ],
    })


def small_dataset(seed: int = 3, units: int = 12) -> Dataset:
    rng = np.random.default_rng(seed)
    values = rng.lognormal(mean=1.0, sigma=0.8, size=(1, units, 5))
    values[0, 0, 4] = 60.0  # an outlier, so treatment has something to do
    values[0, 2, 1] = np.nan
    values[0, 5, 3] = np.nan
    codes = tuple(f"U{i:02d}" for i in range(units))
    groups = tuple("north" if i % 2 else "south" for i in range(units))
    return Dataset(units=codes, columns=("a", "b", "c", "d", "e"), years=(2024,), values=values,
                   names=tuple(f"Unit {i}" for i in range(units)), attributes={"region": groups})


@pytest.fixture
def small() -> Inputs:
    fw = small_framework()
    recipe = fw.recipe.with_settings({"normalise.params": {"lower": 1, "upper": 100}})
    return Inputs(fw, small_dataset(), recipe)


@pytest.fixture(scope="session")
def asem(asem_dir: Path) -> Inputs:
    inputs = load_inputs(asem_dir / "ASEM_iMeta.csv", asem_dir / "ASEM_iData.csv")
    recipe = inputs.recipe.with_settings({"normalise.params": {"lower": 1, "upper": 100}})
    return Inputs(inputs.framework, inputs.dataset, recipe)
