"""build() against hand computations, invariants, and the ASEM data nobody here made."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nevindex.build import build
from nevindex.dataset import load_dataset
from nevindex.errors import ComputationError, RecipeError
from nevindex.export import write_result
from nevindex.framework import load_framework
from nevindex.inputs import load_inputs
from nevindex.recipe import Recipe, recipe_from_mapping


@pytest.fixture
def tiny(tiny_csv, tiny_framework, write, tmp_path):
    return tiny_framework(), load_dataset(write(tmp_path, "d.csv", tiny_csv))


def test_tiny_index_by_hand(tiny):
    fw, data = tiny
    res = build(fw, data, Recipe())
    # minmax onto [0, 100]: a = 1,2,3,5 → 0, 25, 50, 100
    assert res.normalised[:, 0] == pytest.approx([0, 25, 50, 100])
    # b has direction −1: −b = −10,−20,−30,0 → (−b + 30) / 30 · 100
    assert res.normalised[:, 1] == pytest.approx([200 / 3, 100 / 3, 0, 100])
    # c is missing for U2 and stays missing
    assert res.normalised[:, 2] == pytest.approx([0, np.nan, 50, 100], nan_ok=True)
    p1 = (res.normalised[:, 0] + res.normalised[:, 1]) / 2
    assert res.score("P1") == pytest.approx(p1)
    # Index = (2·P1 + 1·P2) / 3, skipping U2's missing P2 with its weight
    expected = [(2 * p1[0] + 0) / 3, p1[1], (2 * p1[2] + 50) / 3, (2 * p1[3] + 100) / 3]
    assert res.index == pytest.approx(expected)
    assert res.rank.tolist() == [4.0, 3.0, 2.0, 1.0]
    assert res.results_frame().columns.tolist() == ["unit", "Index", "P1", "P2", "rank"]


def test_result_is_immutable_and_carries_hashes(tiny):
    fw, data = tiny
    res = build(fw, data)
    for array in (res.raw, res.normalised, res.scores, res.ranks):
        with pytest.raises(ValueError):
            array[0, 0] = 1.0
    assert set(res.hashes) == {"framework", "data", "recipe", "package"}
    assert res.hashes["data"] == data.sha256()
    with pytest.raises(AttributeError):
        res.year = 1999  # type: ignore[misc]


def test_same_inputs_same_bytes(tmp_path, asem_dir):
    inputs = load_inputs(asem_dir / "ASEM_iMeta.csv", asem_dir / "ASEM_iData.csv",
                         recipe_from_mapping({"treat": {"method": "winsorise"}}))
    for out in ("one", "two"):
        write_result(build(inputs.framework, inputs.dataset, inputs.recipe), tmp_path / out)
    for name in ("results.csv", "normalised.csv", "treatment.csv", "weights.csv", "manifest.json", "result.xlsx"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_screening_drops_sparse_units_and_force_lists(tiny):
    fw, data = tiny
    res = build(fw, data, recipe_from_mapping({"screen": {"min_observed": 0.9}}))
    assert res.units == ("U1", "U3", "U4") and res.all_units == ("U1", "U2", "U3", "U4")
    res = build(fw, data, recipe_from_mapping({"screen": {"min_observed": 0.9, "force_keep": ["U2"],
                                                          "force_drop": ["U4"]}}))
    assert res.units == ("U1", "U2", "U3")
    with pytest.raises(RecipeError, match="did you mean 'U2'"):
        build(fw, data, recipe_from_mapping({"screen": {"force_keep": ["U22"]}}))


def test_imputation_by_group_mean_is_visible(tiny):
    fw, data = tiny
    res = build(fw, data, recipe_from_mapping({"impute": {"method": "mean_group", "group": "region"}}))
    # U2 (north) gets the north mean of c: only U1 = 5 observed
    assert res.imputed[1, 2] == 5 and res.imputed_mask[1, 2] and res.imputed_mask.sum() == 1
    assert np.array_equal(res.imputed[~res.imputed_mask], res.screened[~res.imputed_mask])


def test_per_indicator_normaliser_and_target(tiny):
    fw, data = tiny
    data_fw = fw.model_dump()
    data_fw["indicators"][0]["params"] = {"normalise": {"method": "goalposts", "lower": 0, "upper": 10, "scale": 100}}
    from nevindex.framework import framework_from_mapping

    res = build(framework_from_mapping(data_fw), data)
    assert res.normalised[:, 0] == pytest.approx([10, 20, 30, 50])


def test_geometric_mean_refuses_zero_and_names_unit(tiny):
    fw, data = tiny
    with pytest.raises(ComputationError, match=r"geometric.*'U1'.*\[1, 100\]|'U1'.*geometric"):
        build(fw, data, recipe_from_mapping({"aggregate": {"method": "geometric"}}))
    res = build(fw, data, recipe_from_mapping({"aggregate": {"method": "geometric"},
                                               "normalise": {"params": {"lower": 1, "upper": 100}}}))
    assert np.all(res.index >= 1)


def test_ahp_weights_and_inconsistency(tiny_framework, tiny):
    fw, data = tiny
    consistent = {"method": "ahp", "ahp": {"Index": {"order": ["P1", "P2"], "matrices": [[1, 3], [1 / 3, 1]]}}}
    res = build(fw, data, recipe_from_mapping({"weights": consistent}))
    assert res.weights["P1"] == pytest.approx(0.75) and res.weights["P2"] == pytest.approx(0.25)
    three = tiny_framework()
    bad = {"method": "ahp", "ahp": {"P1": {"order": ["a", "b"], "matrices": [[1, 2], [2, 1]]}}}
    with pytest.raises(RecipeError, match="AHP matrix of 'P1'.*recipro"):
        build(three, data, recipe_from_mapping({"weights": bad}))


def test_data_driven_weights_sum_to_one_per_parent(asem_dir):
    inputs = load_inputs(asem_dir / "ASEM_iMeta.csv", asem_dir / "ASEM_iData.csv")
    for method in ("entropy", "critic", "equal"):
        res = build(inputs.framework, inputs.dataset, recipe_from_mapping({"weights": {"method": method}}))
        for parent, kids in inputs.framework.children.items():
            total = sum(res.weights[k] for k in kids)
            assert total == pytest.approx(1.0 if method != "equal" else len(kids)), (method, parent)


ASEM_RECIPES = {
    "default": {},
    "coinr_like": {"impute": {"method": "mean_group", "group": "EurAsia_group"}, "screen": {"min_observed": 0.9},
                   "treat": {"method": "winsorise"}},
    "zscore_geometric_on_ranks": {"normalise": {"method": "rank"}, "aggregate": {"method": "geometric"}},
    "levels_differ": {"aggregate": {"by_level": {4: {"method": "generalised", "params": {"p": 2}}},
                                    "min_present": 0.5}, "impute": {"method": "median"}},
    "copeland_top": {"aggregate": {"by_node": {"Index": {"method": "copeland"}}}},
}


@pytest.mark.parametrize("name", sorted(ASEM_RECIPES))
def test_asem_end_to_end_structure_and_invariants(asem_dir, name):
    fw = load_framework(asem_dir / "ASEM_iMeta.csv")
    data = load_dataset(asem_dir / "ASEM_iData.csv")
    recipe = recipe_from_mapping(ASEM_RECIPES[name])
    res = build(fw, data, recipe)
    table = res.results_frame()
    assert table.columns.tolist() == ["unit", "Index", "Conn", "Sust", "Physical", "ConEcFin", "Political",
                                      "Instit", "P2P", "Environ", "Social", "SusEcFin", "rank"]
    n = len(res.units)
    assert 40 <= n <= 51 and res.scores.shape == (n, 11)
    # ranks: 1..n with ties at the minimum, so sorted ranks never exceed position
    ranks = np.sort(res.rank)
    assert ranks[0] == 1 and np.all(ranks <= np.arange(1, n + 1)) and np.all(np.diff(ranks) >= 0)
    # the rank order follows the index
    order = np.argsort(-res.index, kind="stable")
    assert np.all(np.diff(res.rank[order]) >= 0)
    if name in ("default", "coinr_like"):
        # arithmetic with unit weights and no missing pillars: each aggregate is the mean of its children
        for parent, kids in fw.children.items():
            if fw.levels[parent] >= 3:
                kid_scores = np.stack([res.score(k) for k in kids], axis=1)
                assert res.score(parent) == pytest.approx(kid_scores.mean(axis=1))
        assert np.nanmin(res.normalised) >= 0 and np.nanmax(res.normalised) <= 100
    if name == "coinr_like":
        assert res.imputed_mask.sum() > 0 and not np.isnan(res.imputed).any()
        assert {r.status for r in res.treatment} >= {"passed", "winsorised"}


def test_asem_denominated_by_hand(asem_dir):
    fw = load_framework(asem_dir / "ASEM_iMeta.csv")
    data = load_dataset(asem_dir / "ASEM_iData.csv")
    res = build(fw, data)
    j = fw.indicator_codes.index("Flights")
    u = res.all_units.index("AUT")
    assert res.denominated[u, j] == data.matrix(["Flights"])[u, 0] / data.matrix(["Population"])[u, 0]


def test_panel_builds_any_year_and_imputes_over_time(asem_dir):
    fw = load_framework(asem_dir / "ASEM_iMeta.csv")
    data = load_dataset(asem_dir / "ASEM_iData_p.csv")
    assert build(fw, data).year == 2022 and build(fw, data, year=2018).year == 2018
    lpi = data.panel(["LPI"])[:, data.units.index("AUT"), 0]
    gaps = data.with_value("AUT", "LPI", float("nan"), 2022).with_value("AUT", "LPI", float("nan"), 2020)
    j, u = fw.indicator_codes.index("LPI"), data.units.index("AUT")
    locf = build(fw, gaps, recipe_from_mapping({"impute": {"method": "locf"}}))
    assert locf.imputed_mask[u, j] and locf.imputed[u, j] == lpi[3]  # 2021 carried into 2022
    mid = build(fw, gaps, recipe_from_mapping({"impute": {"method": "linear"}}), year=2020)
    assert mid.imputed[u, j] == pytest.approx((lpi[1] + lpi[3]) / 2)  # halfway between 2019 and 2021
    end = build(fw, gaps, recipe_from_mapping({"impute": {"method": "linear"}}))
    assert end.imputed[u, j] == lpi[3]  # the nearest value is held at the end of the series


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.5, 100), min_size=6, max_size=6, unique=True), st.permutations(list(range(6))))
def test_permuting_units_permutes_results(matrix_dataset, tiny_framework, values, perm):
    rng = np.random.default_rng(len(values))
    matrix = np.column_stack([values, rng.uniform(1, 10, 6), rng.uniform(1, 10, 6)])
    fw = tiny_framework()
    base = build(fw, matrix_dataset(matrix, ["a", "b", "c"]))
    perm = np.array(perm)
    units = [f"U{i}" for i in perm]
    shuffled = build(fw, matrix_dataset(matrix[perm], ["a", "b", "c"], units))
    assert shuffled.scores == pytest.approx(base.scores[perm])
    assert np.array_equal(shuffled.ranks, base.ranks[perm])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 10), st.floats(0, 10), st.floats(0, 10)), min_size=3, max_size=8))
def test_dominating_unit_never_ranks_below(matrix_dataset, tiny_framework, rows):
    matrix = np.array(rows, dtype=float)
    # add a unit that is at least as good as unit 0 on every indicator (b is "lower is better")
    better = matrix[0] + np.array([1.0, -1.0, 1.0])
    matrix = np.vstack([matrix, better, matrix.max(axis=0) + 1, matrix.min(axis=0) - 1])
    res = build(tiny_framework(), matrix_dataset(matrix, ["a", "b", "c"]))
    k = len(rows)
    assert res.index[k] >= res.index[0] - 1e-9 and res.rank[k] <= res.rank[0]


def test_node_threshold_and_min_observed_leave_thin_units_unrated(tiny):
    fw, data = tiny
    # U2 lacks c (P2's only child): with a threshold of 1.0 at the root, U2 has too few children
    res = build(fw, data, recipe_from_mapping({"aggregate": {"by_node": {"Index": {"min_present": 1.0}}}}))
    assert np.isnan(res.index[1]) and np.isnan(res.rank[1]) and not np.isnan(res.score("P1")[1])
    assert res.rank[[0, 2, 3]].tolist() == [3.0, 2.0, 1.0]
    # mean imputation fills U2's gap, but min_observed counts observed values only: 2 of 3 < 0.9
    imputed = recipe_from_mapping({"impute": {"method": "mean"},
                                   "aggregate": {"by_node": {"Index": {"min_observed": 0.9}}}})
    res = build(fw, data, imputed)
    assert res.imputed_mask[1, 2] and np.isnan(res.index[1]) and not np.isnan(res.score("P2")[1])
    relaxed = build(fw, data, imputed.with_setting("aggregate.by_node.Index.min_observed", 0.6))
    assert not np.isnan(relaxed.index[1])
    # the recipe-wide threshold applies to nodes without their own
    res = build(fw, data, recipe_from_mapping({"aggregate": {"min_present": 1.0}}))
    assert np.isnan(res.index[1]) and np.isnan(res.score("P2")[1])


def test_missing_child_at_its_lower_quartile_by_hand(tiny):
    fw, data = tiny
    res = build(fw, data, recipe_from_mapping({"aggregate": {"by_node": {"Index": {"missing": "lower_quartile"}}}}))
    p1 = res.score("P1")
    # P2 = c normalised = 0, –, 50, 100: its lower quartile over U1, U3, U4 is 0 + 0.5·50 = 25 (R type 7)
    assert res.score("P2") == pytest.approx([0, np.nan, 50, 100], nan_ok=True)  # the pillar itself is not filled
    assert res.index[1] == pytest.approx((2 * p1[1] + 25) / 3)
    assert res.index[[0, 2, 3]] == pytest.approx([(2 * p1[0]) / 3, (2 * p1[2] + 50) / 3, (2 * p1[3] + 100) / 3])
    # the choice is logged with the recipe and the same address varies it in an uncertainty design
    assert res.recipe.aggregate.by_node["Index"].missing == "lower_quartile"


def test_uncertainty_design_varies_the_treatment_of_missing_children(tiny):
    from nevindex.audit.spec import resolve_variables, sampled_design, spec_from_mapping
    from nevindex.audit.uncertainty import evaluate

    fw, data = tiny
    recipe = Recipe()
    spec = spec_from_mapping({"runs": 8, "seed": 3, "factors": [
        {"address": "aggregate.by_node.Index.missing", "alternatives": ["reweight", "median", "lower_quartile"]}]})
    design = sampled_design(resolve_variables(spec, fw, recipe), spec.runs, spec.seed)
    ev = evaluate(fw, data, recipe, design)
    seen = set()
    for r in range(design.runs):
        settings = design.settings(tuple(design.choices[r]))
        seen.add(settings["aggregate.by_node.Index.missing"])
        alone = build(fw, data, recipe.with_settings(settings))
        np.testing.assert_allclose(ev.scores[r], alone.index, rtol=1e-12)
    assert len(seen) > 1


def test_contributions_carry_a_missing_child_at_its_peer_value_and_still_add_up(tiny):
    from nevindex.insight.change import PEER_PREFIX, contributions, decompose

    fw, data = tiny
    reweight = build(fw, data, Recipe())
    filled = build(fw, data, recipe_from_mapping({"aggregate": {"by_node": {"Index": {"missing": "lower_quartile"}}}}))
    k = contributions(filled)
    assert k.values.sum(axis=1) == pytest.approx(filled.index)
    col = k.indicators.index(PEER_PREFIX + "P2")
    # U2 lacks P2: its share 1/3 carries P2's lower quartile 25; nobody else has a peer part
    assert k.values[:, col] == pytest.approx([0, 25 / 3, 0, 0])
    assert k.effective_weights[1, k.indicators.index("c")] == 0
    change = decompose(reweight, filled, filled)
    assert change.parts.sum(axis=1) == pytest.approx(change.total)
    assert change.method_parts.sum(axis=1) == pytest.approx(change.total)
    assert change.data_parts == pytest.approx(np.zeros_like(change.data_parts))
    # the peer part is the P2 group's (the pillar it stands in for)
    assert PEER_PREFIX + "P2" in change.groups["P2"]
    assert change.group_parts().sum(axis=1).to_numpy() == pytest.approx(change.total)
