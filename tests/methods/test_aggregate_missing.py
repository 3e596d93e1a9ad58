"""The treatment of missing children (``missing``): reweight, or the child's median / lower quartile
over the units that have it. Expected numbers are worked by hand below each case."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nevindex.errors import KernelError, RecipeError
from nevindex.methods.aggregate import aggregate, aggregate_shared, fill_missing, peer_values
from nevindex.recipe import recipe_from_mapping

NAN = np.nan
# units × children; weights 1, 1, 2
X = np.array([[80.0, NAN, 60.0],
              [40.0, 50.0, NAN],
              [NAN, 70.0, 20.0],
              [NAN, NAN, NAN]])
W = np.array([1.0, 1.0, 2.0])


def test_peer_values_by_hand():
    # child 0 has 80, 40: median 60, lower quartile 40 + 0.25·(80 − 40) = 50 (linear, R type 7)
    # child 1 has 50, 70: median 60, lower quartile 55; child 2 has 60, 20: median 40, lower quartile 30
    assert peer_values(X, "median") == pytest.approx([60, 60, 40])
    assert peer_values(X, "lower_quartile") == pytest.approx([50, 55, 30])
    assert np.isnan(peer_values(X, "reweight")).all()


def test_lower_quartile_and_median_by_hand():
    lq = aggregate(X, W, "arithmetic", missing="lower_quartile")
    # U1: (80 + 55 + 2·60)/4; U2: (40 + 50 + 2·30)/4; U3: (50 + 70 + 2·20)/4; U4 has no child: missing
    assert lq == pytest.approx([63.75, 37.5, 40.0, NAN], nan_ok=True)
    med = aggregate(X, W, "arithmetic", missing="median")
    assert med == pytest.approx([(80 + 60 + 120) / 4, (40 + 50 + 80) / 4, (60 + 70 + 40) / 4, NAN], nan_ok=True)
    # reweight (the default) skips the missing child and its weight
    rw = aggregate(X, W, "arithmetic")
    assert rw == pytest.approx([(80 + 120) / 3, 45.0, (70 + 40) / 3, NAN], nan_ok=True)
    assert aggregate(X, W, "arithmetic", missing="reweight") == pytest.approx(rw, nan_ok=True)


def test_a_unit_missing_its_best_child_can_no_longer_keep_only_its_strong_ones():
    # U1 lacks child 1; under reweight it scores above every filled variant
    assert aggregate(X, W, "arithmetic")[0] > aggregate(X, W, "arithmetic", missing="median")[0] \
        > aggregate(X, W, "arithmetic", missing="lower_quartile")[0]


def test_min_present_counts_observed_children_not_filled_ones():
    # every unit with data has 2 of 3 children observed: a threshold of 0.7 blanks them all
    out = aggregate(X, W, "arithmetic", min_present=0.7, missing="lower_quartile")
    assert np.isnan(out).all()
    kept = aggregate(X, W, "arithmetic", min_present=0.6, missing="lower_quartile")
    assert kept[:3] == pytest.approx([63.75, 37.5, 40.0])


def test_geometric_fills_before_the_logs():
    x = np.array([[4.0, NAN], [1.0, 9.0], [16.0, 1.0]])
    # child 1 has 9, 1: lower quartile 1 + 0.25·8 = 3; U1 = √(4·3)
    assert aggregate(x, [1, 1], "geometric", missing="lower_quartile")[0] == pytest.approx(np.sqrt(12.0))


def test_explicit_peers_override_the_ones_computed_from_x():
    out = fill_missing(X[:1], "lower_quartile", peers=[0.0, 10.0, 0.0])
    assert out.tolist() == [[80.0, 10.0, 60.0]]


def test_batch_axis_takes_each_sample_own_quantiles():
    batch = np.stack([X, X * 2])
    out = aggregate(batch, W, "arithmetic", missing="lower_quartile")
    assert out[1] == pytest.approx(2 * out[0], nan_ok=True)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.one_of(st.none(), st.floats(0, 100)), min_size=3, max_size=3), min_size=2, max_size=8),
       st.sampled_from(["median", "lower_quartile"]))
def test_shared_weights_equal_the_broadcast_kernel(rows, missing):
    x = np.array([[NAN if v is None else v for v in r] for r in rows])
    w = np.array([[1.0, 2.0, 0.5], [0.3, 1.0, 1.0]])
    shared = aggregate_shared(x, w, "arithmetic", missing=missing, min_present=0.5)
    broadcast = aggregate(np.broadcast_to(x, (2, *x.shape)), w, "arithmetic", missing=missing, min_present=0.5)
    np.testing.assert_allclose(shared, broadcast, rtol=1e-12, atol=1e-9)


def test_unknown_treatment_is_refused_by_kernel_and_recipe():
    with pytest.raises(KernelError, match="lower_quartile"):
        aggregate(X, W, "arithmetic", missing="quartile")
    with pytest.raises(RecipeError, match="did you mean 'lower_quartile'"):
        recipe_from_mapping({"aggregate": {"by_node": {"Index": {"missing": "lower_quartil"}}}})


def test_unset_missing_leaves_recipe_hashes_as_before_and_set_changes_them():
    plain = recipe_from_mapping({"aggregate": {"by_node": {"Index": {"min_present": 0.6}}}})
    assert "missing" not in plain.model_dump(mode="json")["aggregate"]["by_node"]["Index"]
    filled = plain.with_setting("aggregate.by_node.Index.missing", "lower_quartile")
    assert filled.sha256() != plain.sha256()
    # the recipe-wide value is the default of every node without its own
    wide = recipe_from_mapping({"aggregate": {"missing": "median", "by_node": {"Index": {"min_present": 0.6}}}})
    assert wide.aggregate.choice_for("Index", 3).missing_children == "median"
    assert plain.aggregate.choice_for("Index", 3).missing_children == "reweight"
