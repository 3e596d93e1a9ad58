"""Issue 16, item 14: a methodology whose weights are all zero at a node built with exit 0 and no scores.
Now it is refused on load, naming the node: by the engine, and by ``edition create`` (SQLite, PostgreSQL)
before anything is stored."""

from __future__ import annotations

import pytest
import yaml

from nevindex.cli import main
from nevindex.errors import MethodologyError
from nevindex.framework import framework_from_mapping
from nevindex.store import editions as ed

from .conftest import FRAMEWORK_YAML


def _methodology(**weights: float) -> dict:
    data = yaml.safe_load(FRAMEWORK_YAML)
    for node in (*data["aggregates"], *data["indicators"]):
        if node["code"] in weights:
            node["weight"] = weights[node["code"]]
    return data


@pytest.mark.parametrize(("weights", "node", "children"), [
    ({"sales": 0, "revenue": 0}, "tangible", "'sales', 'revenue'"),       # a pillar
    ({"tangible": 0, "quality": 0}, "Index", "'tangible', 'quality'"),   # the index itself
])
def test_all_zero_weights_under_a_node_are_refused_naming_it(weights, node, children):
    with pytest.raises(MethodologyError, match=rf"every child of '{node}' has weight 0 \({children}\), so '{node}' "
                                               "cannot be scored"):
        framework_from_mapping(_methodology(**weights))


def test_one_positive_weight_is_enough_and_a_weight_set_is_checked_too():
    framework_from_mapping(_methodology(sales=0))  # revenue still counts
    data = _methodology()
    data["weight_sets"] = {"no-quality": {"recalls": 0, "rating": 0}}
    with pytest.raises(MethodologyError, match=r"every child of 'quality' has weight 0 in weight set 'no-quality'"):
        framework_from_mapping(data)


def test_edition_create_refuses_it_and_stores_nothing(store, files, tmp_path, capsys, monkeypatch):
    data = ed.import_data(store, files["data"], units_file=files["units"])
    zero = tmp_path / "zero.yaml"
    zero.write_text(yaml.safe_dump(_methodology(recalls=0, rating=0), allow_unicode=True), encoding="utf-8")
    before = ed.counts(store)
    monkeypatch.setenv("NEVINDEX_DB", store.url)
    code = main(["edition", "create", "--year", "2024", "-f", str(zero), "-d", str(data.id)])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 2, err
    assert "every child of 'quality' has weight 0 ('recalls', 'rating')" in err and "Traceback" not in err
    assert ed.counts(store) == before
