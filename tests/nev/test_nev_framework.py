"""The shipped methodology files are complete and consistent with the shipped data; 2025.1 never changes."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from nevindex.derive import validate_derivations
from nevindex.framework import load_framework, meta_text
from nevindex.nev.data import load_nev_dataset
from nevindex.nev.edition import CURRENT, METHODOLOGIES, framework_path, nev_framework

#: SHA-256 of nev-2025.yaml as published with the 2025.1 editions: the earlier version is kept unchanged,
#: but for three recipe settings written since in their current names (same meaning; docs/engine.md)
NEV_2025_SHA256 = "dbcc9c2bb0d11177b8ff1847cc92da1b3f0663831c5efbbb298c6da77b75dab8"
NEV_2025_RENAMED = (
    ("  screen: {method: none}            #", "  screen: {enabled: false}          #"),
    ("  treat: {method: none}             #", "  treat: {enabled: false}           #"),
    ("nev_index: {min_present: 0.6, min_observed: 0.2}   #", "nev_index: {threshold: 0.6, min_observed: 0.2}   #"),
)

ELEMENTS = {"tangible", "quality", "innovation", "service", "intangible"}
DIMENSIONS = {"legal", "customer_stakeholder", "market", "economic_political", "financial"}


def test_the_current_methodology_is_2026_1_and_2025_1_is_kept_byte_for_byte(nev):
    fw, _ = nev
    assert CURRENT == "2026.1" and list(METHODOLOGIES) == ["2025.1", "2026.1"]
    assert fw.framework.version == "2026.1" and fw.framework.meta["previous_version"] == "2025.1"
    assert nev_framework("2025.1").framework.version == "2025.1"
    text = framework_path("2025.1").read_text(encoding="utf-8")
    for current, published in NEV_2025_RENAMED:
        assert text.count(current) == 1
        text = text.replace(current, published)
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == NEV_2025_SHA256


@pytest.mark.parametrize("version", list(METHODOLOGIES))
def test_shipped_framework_loads_and_has_the_five_elements_under_the_root(version):
    fw = nev_framework(version)
    assert fw.framework.meta["synthetic"] is False
    assert set(fw.children[fw.root]) == ELEMENTS
    assert fw.max_level == 4
    assert all(fw.levels[e] == 3 for e in ELEMENTS)
    # the same file loads from its path through the public reader
    assert load_framework(str(framework_path(version))).sha256() == fw.sha256()


def test_every_input_ratio_is_capped_and_scored_only_with_its_level_in_one_sub_pillar(nev):
    fw, _ = nev
    ratios = [i for i in fw.indicators if i.meta.get("kind") == "input_ratio"]
    assert {i.code for i in ratios} == {"rd_intensity", "energy_site_density"}
    for ind in ratios:
        level = fw.nodes[ind.meta["pair"]]
        assert level.parent == ind.parent and level.meta.get("kind") != "input_ratio", ind.code
        assert fw.recipe.aggregate.by_node[ind.parent].min_present == 1.0, ind.code  # both or neither
        assert str(level.unit).startswith("log10"), ind.code  # a level on a log scale
    assert fw.nodes["rd_intensity"].params["normalise"]["upper"] == 10  # capped at 10 % of revenue


def test_each_survey_is_its_own_indicator_on_its_own_goalposts(nev):
    fw, _ = nev
    surveys = {i.code: i for i in fw.indicators if i.meta.get("survey")}
    assert len({i.meta["survey"] for i in surveys.values()}) == len(surveys) >= 8
    assert {fw.nodes[i.parent].meta.get("element") or fw.ancestors(i.code)[-2] for i in surveys.values()} >= {
        "quality", "service"}
    for code in ("jdp_us_iqs_pp100", "jdp_cn_iqs_pp100", "jdp_us_vds_pp100"):
        assert surveys[code].direction == -1  # problems per 100 vehicles: fewer is better


def test_every_element_has_a_coherence_note_in_both_languages(nev):
    fw, _ = nev
    for lang in ("en", "zh"):
        notes = meta_text(fw.framework.meta, "coherence_notes", lang)
        assert set(notes) == ELEMENTS and all(len(v) > (60 if lang == "en" else 30) for v in notes.values()), lang


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
    for step in ("screen", "impute", "treat", "normalise", "weights", "aggregate", "ratings", "derivations",
                 "currency", "indicator_rule", "coherence"):
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


def test_the_declared_uncertainty_factors_resolve_and_join_the_standing_audit(nev):
    """The methodology calls the treatment of missing elements a judgement: the standing audit varies it."""
    from nevindex.audit.spec import default_spec, resolve_variables, spec_from_mapping

    fw, _ = nev
    spec = default_spec(fw, runs=4)
    addresses = [f["address"] for f in spec["factors"]]
    assert addresses == ["aggregate.by_node.nev_index.missing", "aggregate.by_node.tangible.missing"]
    variables = resolve_variables(spec_from_mapping(spec), fw, fw.recipe)
    assert {"missing elements", "missing tangible sub-pillar"} <= set(variables.factor_names)
    # the nominal choice is one of the alternatives, and it is the published one
    for factor in spec["factors"]:
        assert fw.recipe.get(factor["address"]) == "lower_quartile" in factor["alternatives"]
