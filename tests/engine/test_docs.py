"""The examples in docs/engine.md are real: they load and validate."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
import yaml

from nevindex.errors import DeprecatedSettingWarning
from nevindex.framework import framework_from_yaml
from nevindex.recipe import recipe_from_mapping

DOC = (Path(__file__).resolve().parents[2] / "docs" / "engine.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```yaml\n(.*?)```", DOC, flags=re.S)


@pytest.fixture(autouse=True)
def _current_names():
    """The documentation shows the current names only (the old ones are listed in a table)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecatedSettingWarning)
        yield


def test_framework_example_validates():
    fw = framework_from_yaml(BLOCKS[0])
    assert fw.root == "Index" and fw.nodes["a"].params["normalise"]["method"] == "goalposts"
    assert fw.rating(45) == "B"


def test_recipe_examples_validate():
    for block in BLOCKS[1:]:
        recipe = recipe_from_mapping(yaml.safe_load(block))
        assert recipe.sha256()
