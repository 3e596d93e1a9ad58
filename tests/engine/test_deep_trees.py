"""Issue 16, item 13: deep trees. On the main branch of the time a 2,000-level methodology crashed
(RecursionError) or ran for minutes, a 20,000-level one hung (the cycle check was cubic in the depth) and
YAML nested 5,000 levels crashed PyYAML (RecursionError). Now trees are walked iteratively, a tree deeper
than ``MAX_LEVELS`` (64) is refused naming the node, and YAML nesting over ``YAML_MAX_DEPTH`` (64) is
refused before PyYAML recurses."""

from __future__ import annotations

import pytest
import yaml

from nevindex import io
from nevindex.errors import MethodologyError, RecipeError
from nevindex.framework import framework_from_mapping, load_framework
from nevindex.framework._tree import MAX_LEVELS
from nevindex.recipe import load_recipe


def _chain(aggregates: int) -> dict:
    """A methodology whose aggregates form one chain L0 ← L1 ← … and two indicators under the last:
    ``aggregates + 1`` levels."""
    last = f"L{aggregates - 1}"
    return {"framework": {"code": "DEEP", "version": "1", "name": {"en": "Deep"}},
            "aggregates": [{"code": "L0", "name": "L0"}]
            + [{"code": f"L{i}", "name": f"L{i}", "parent": f"L{i - 1}", "weight": 1} for i in range(1, aggregates)],
            "indicators": [{"code": c, "name": c, "parent": last, "weight": 1, "direction": 1} for c in ("a", "b")]}


def test_a_tree_of_the_limit_is_accepted_and_its_levels_counted():
    framework = framework_from_mapping(_chain(MAX_LEVELS - 1))  # 63 aggregates + the indicators = 64 levels
    assert framework.max_level == MAX_LEVELS == 64
    assert framework.levels["L0"] == 64 and framework.levels["L62"] == 2
    assert framework.aggregation_order[0] == "L62" and framework.aggregation_order[-1] == "L0"


def test_one_level_more_is_refused_naming_the_node():
    with pytest.raises(MethodologyError, match=r"node 'a' is 65 levels down from the root: a methodology may have "
                                               r"at most 64 levels"):
        framework_from_mapping(_chain(MAX_LEVELS))


def test_a_2000_level_methodology_file_is_refused_not_a_recursion_error(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text(yaml.safe_dump(_chain(2_000)), encoding="utf-8")
    with pytest.raises(MethodologyError) as caught:
        load_framework(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: node 'L64' is 65 levels down from the root; 'a' is 2,001 down"), message


def test_a_20000_level_methodology_is_refused_naming_the_node():  # how fast: benchmarks/deep_trees.py
    data = _chain(20_000)
    with pytest.raises(MethodologyError, match=r"node 'L64' is 65 levels down from the root; 'a' is 20,001 down"):
        framework_from_mapping(data)


def test_a_cycle_in_a_20000_node_chain_is_found():  # how fast: benchmarks/deep_trees.py
    data = _chain(20_000)
    data["aggregates"][0]["parent"] = "L19999"  # no root: the chain closes on itself
    with pytest.raises(MethodologyError, match=r"cycle in the tree: L0 → L19999 → L19998"):
        framework_from_mapping(data)


def _nested_mapping(levels: int) -> str:
    return "framework: " + "{a: " * levels + "1" + "}" * levels + "\n"


@pytest.mark.parametrize("libyaml", [True, False], ids=["libyaml", "pure-python"])
def test_yaml_nested_5000_levels_is_refused_before_pyyaml_recurses(tmp_path, monkeypatch, libyaml):
    if not libyaml:
        monkeypatch.delattr(yaml, "CSafeLoader", raising=False)  # the pure-Python parser is the one that recursed
    elif not getattr(yaml, "__with_libyaml__", False):
        pytest.skip("PyYAML without libyaml")
    path = tmp_path / "nested.yaml"
    path.write_text(_nested_mapping(5_000), encoding="utf-8")
    with pytest.raises(MethodologyError, match=r"nested\.yaml, row 1: not valid YAML \(nested more than 64 levels "
                                               r"deep at line 1"):
        load_framework(path)
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("normalise:\n" + "  " * 1 + "method: " + "[" * 5_000 + "]" * 5_000 + "\n", encoding="utf-8")
    with pytest.raises(RecipeError, match=r"recipe\.yaml: cannot read the recipe"):
        load_recipe(recipe)


def test_yaml_nesting_up_to_the_limit_loads():
    assert io.YAML_MAX_DEPTH == 64
    text = "x: " + "[" * 63 + "1" + "]" * 63  # the mapping and 63 lists: 64 levels
    value = io.load_yaml(text)["x"]
    for _ in range(62):
        value = value[0]
    assert value == [1]
    with pytest.raises(io.YamlTooDeep, match="nested more than 64 levels deep at line 1"):
        io.load_yaml("x: " + "[" * 64 + "1" + "]" * 64)
