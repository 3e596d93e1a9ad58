"""The shipped methodology file is complete and consistent with the shipped data."""

from __future__ import annotations

import numpy as np

from nevindex.derive import validate_derivations
from nevindex.framework import load_framework
from nevindex.nev.data import load_nev_dataset
from nevindex.nev.edition import framework_path

ELEMENTS = {"tangible", "quality", "innovation", "service", "intangible"}
DIMENSIONS = {"legal", "customer_stakeholder", "market", "economic_political", "financial"}


def test_shipped_framework_loads_and_has_the_five_elements_under_the_root(nev):
    fw, _ = nev
    assert fw.framework.version == "2025.1"
    assert fw.framework.meta["synthetic"] is False
    assert set(fw.children[fw.root]) == ELEMENTS
    assert fw.max_level == 4
    assert all(fw.levels[e] == 3 for e in ELEMENTS)
    # the same file loads from its path through the public reader
    assert load_framework(str(framework_path())).sha256() == fw.sha256()


def test_every_indicator_carries_the_required_metadata(nev):
    fw, _ = nev
    for ind in fw.indicators:
        assert ind.name.en and ind.name.zh, ind.code
        assert ind.unit, ind.code
        assert ind.direction in (1, -1)
        assert ind.meta["element"] in ELEMENTS, ind.code
        # the element in meta is the element the indicator actually sits under
        assert ind.meta["element"] in fw.ancestors(ind.code), ind.code
        assert ind.meta["dimension"] in DIMENSIONS, ind.code
        for key in ("justification", "source", "year", "derivation"):
            assert isinstance(ind.meta.get(key), str) and ind.meta[key].strip(), (ind.code, key)
        assert ind.meta["justification"].count(". ") == 0, f"{ind.code}: justification should be one sentence"
        gp = ind.params["normalise"]
        assert gp["method"] == "goalposts" and gp["lower"] < gp["upper"], ind.code
    # every dimension and every element is used at least once
    assert {i.meta["dimension"] for i in fw.indicators} == DIMENSIONS
    assert {i.meta["element"] for i in fw.indicators} == ELEMENTS


def test_method_choices_and_coverage_rules_come_with_reasons(nev):
    fw, _ = nev
    notes = fw.framework.meta["method_notes"]
    for step in ("screen", "impute", "treat", "normalise", "weights", "aggregate", "ratings", "derivations"):
        assert len(notes[step]) > 40, step
    assert fw.recipe.impute.method == "none"
    assert fw.framework.meta["coverage"]["reason"]


def test_rating_bands_cover_the_whole_scale_in_order(nev):
    fw, _ = nev
    mins = [b.min for b in fw.ratings]
    assert mins == sorted(mins, reverse=True) and mins[-1] == 0
    assert fw.rating(100) == "AAA" and fw.rating(0) == "D"
    assert fw.rating(79.999) == "AA" and fw.rating(80) == "AAA"
    assert fw.rating(49.9) == "BB"


def test_derivations_validate_against_the_shipped_data_and_feed_every_indicator(nev):
    fw, data = nev
    raw = load_nev_dataset()
    validate_derivations(fw.derived, raw.columns, raw.units)  # raises on any unknown column
    derived_codes = {d["code"] for d in fw.derived}
    for code in fw.indicator_codes:
        assert code in derived_codes or code in raw.columns, code
        assert code in data.columns
    # every indicator has data in at least one edition year
    for code in fw.indicator_codes:
        column = data.panel([code])
        assert np.isfinite(column).any(), code
