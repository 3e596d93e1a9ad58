from __future__ import annotations

import pytest

from nevindex.errors import MethodologyError
from nevindex.framework import framework_from_yaml, load_framework


def test_tree_views_follow_the_file(tiny_framework):
    fw = tiny_framework()
    assert fw.root == "Index"
    assert fw.children["P1"] == ("a", "b")
    assert fw.levels == {"a": 1, "b": 1, "c": 1, "P1": 2, "P2": 2, "Index": 3}
    assert fw.aggregation_order == ("P1", "P2", "Index")
    assert fw.display_order == ("Index", "P1", "P2")
    assert fw.indicators_under("Index") == ("a", "b", "c")
    assert fw.ancestors("a") == ("P1", "Index")
    assert fw.framework.name.get("zh") == "小指数"


def test_hash_ignores_formatting_but_not_content(tiny_yaml):
    one = framework_from_yaml(tiny_yaml)
    two = framework_from_yaml(tiny_yaml.replace("\n  - {code: a", "\n  # a comment\n  - {code: a"))
    three = framework_from_yaml(tiny_yaml.replace("weight: 2", "weight: 3"))
    assert one.sha256() == two.sha256() != three.sha256()


def test_yaml_round_trip(tiny_framework):
    """to_yaml writes the same methodology (equal settings) in today's vocabulary; its hash covers
    the author's own keys, so the written file has its own hash, which a second round trip keeps."""
    fw = tiny_framework()
    again = framework_from_yaml(fw.to_yaml())
    assert again == fw
    assert framework_from_yaml(again.to_yaml()).sha256() == again.sha256()


def test_named_weight_sets_apply_on_top(tiny_framework):
    fw = tiny_framework(weight_sets={"experts": {"P2": 5}})
    assert fw.weights_for("experts")["P2"] == 5 and fw.weights_for("experts")["P1"] == 2
    with pytest.raises(MethodologyError, match="weight set 'nope'"):
        fw.weights_for("nope")


def test_unbalanced_tree_levels(tiny_yaml):
    text = tiny_yaml.replace("{code: c, name: C, parent: P2, direction: 1}",
                             "{code: c, name: C, parent: Index, direction: 1}").replace(
        "  - {code: P2, name: Pillar two, parent: Index, weight: 1}\n", "")
    fw = framework_from_yaml(text)
    assert fw.levels["Index"] == 3 and fw.levels["c"] == 1


def test_asem_imeta_reads_four_levels(asem_dir):
    fw = load_framework(asem_dir / "ASEM_iMeta.csv")
    assert len(fw.indicators) == 49 and len(fw.aggregates) == 11
    assert fw.max_level == 4 and fw.root == "Index"
    assert sum(1 for i in fw.indicators if i.direction == -1) == 14
    assert sum(1 for i in fw.indicators if i.denominator) == 17
    assert {d.code for d in fw.denominators} == {"Area", "Energy", "GDP", "Population"}
    assert fw.nodes["LPI"].target == pytest.approx(4.11803135)


@pytest.mark.parametrize(
    "change, message",
    [
        (("{code: a, name: A,", "{code: 'a b', name: A,"), "no spaces"),
        (("{code: a, name: A,", "{code: 1a, name: A,"), "must start with a letter"),
        (("parent: P1, direction: 1}", "parent: P9, direction: 1}"), "names parent 'P9'"),
        (("direction: -1", "direction: 2"), "direction must be 1 or -1"),
        (("weight: 2", "weight: -2"), "must not be negative"),
        (("weight: 2", "weight: heavy"), "weight must be a number"),
        (("{code: c, name: C,", "{code: a, name: C,"), "duplicate code 'a'"),
        (("{code: Index, name: Index}", "{code: Index, name: Index, parent: P1}"), "cycle in the tree"),
        (("  - {code: P2, name: Pillar two, parent: Index, weight: 1}",
          "  - {code: P2, name: Pillar two, parent: Index, weight: 1}\n  - {code: P3, name: Empty, parent: Index}"),
         "'P3' has no children"),
        (("version: \"1.0\"", "version: \"1.0\"\n  colour: red"), "unknown setting 'colour'"),
        (("direction: -1}", "direction: -1, drection: 1}"), "unknown setting 'drection' \\(did you mean 'direction'"),
    ],
)
def test_bad_methodology_names_the_problem(tiny_yaml, write, tmp_path, change, message):
    old, new = change
    assert old in tiny_yaml
    path = write(tmp_path, "fw.yaml", tiny_yaml.replace(old, new, 1))
    with pytest.raises(MethodologyError, match=message) as info:
        load_framework(path)
    assert str(path) in str(info.value)


def test_missing_and_empty_and_broken_files(write, tmp_path):
    with pytest.raises(MethodologyError, match="file not found"):
        load_framework(tmp_path / "none.yaml")
    with pytest.raises(MethodologyError, match="empty"):
        load_framework(write(tmp_path, "empty.yaml", ""))
    with pytest.raises(MethodologyError, match="row 2"):
        load_framework(write(tmp_path, "broken.yaml", "a: [1,\nb: }"))
