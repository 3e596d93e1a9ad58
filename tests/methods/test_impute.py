import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nevindex.methods.impute import (
    _assert_observed_unchanged,
    impute_group,
    impute_linear,
    impute_locf,
    impute_mean,
    impute_median,
)

nan = np.nan


def test_mean_median_by_hand():
    x = np.array([[1.0, nan], [2.0, 4.0], [nan, 6.0], [9.0, 11.0]])
    m = impute_mean(x)
    assert m[2, 0] == (1 + 2 + 9) / 3 and m[0, 1] == (4 + 6 + 11) / 3
    md = impute_median(x)
    assert md[2, 0] == 2.0 and md[0, 1] == 6.0
    assert np.isnan(x[2, 0])  # input untouched


def test_all_missing_column_stays_missing():
    x = np.array([[1.0, nan], [2.0, nan]])
    assert np.isnan(impute_mean(x)[:, 1]).all()


def test_batch_equals_loop():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 6, 3))
    x[rng.random(x.shape) < 0.3] = nan
    for f in (impute_mean, impute_median):
        b = f(x)
        for s in range(4):
            np.testing.assert_array_equal(b[s], f(x[s]))


def test_group_by_hand_and_reports():
    x = np.array([[1.0, nan], [3.0, nan], [nan, 5.0], [10.0, 7.0], [nan, 2.0], [nan, 1.0]])
    g = np.array([0, 0, 0, 1, -1, 1])
    out, empty = impute_group(x, g, "mean")
    assert out[2, 0] == (1 + 3) / 2  # group 0 mean of col 0
    assert out[0, 1] == 5.0 and out[1, 1] == 5.0  # group 0 observes col 1 only at unit 2
    assert np.isnan(out[4, 0])  # ungrouped unit keeps its gap
    assert out[5, 0] == 10.0  # group 1 col 0
    assert empty == []
    x2 = x.copy()
    x2[2, 1] = nan
    out2, empty2 = impute_group(x2, g, "median")
    assert (0, 1) in empty2 and np.isnan(out2[0, 1])


def test_group_median():
    x = np.array([[1.0], [2.0], [100.0], [nan], [nan]])
    out, _ = impute_group(x, [0, 0, 0, 0, 1], "median")
    assert out[3, 0] == 2.0 and np.isnan(out[4, 0])


def test_locf_by_hand():
    # one unit, one column, times 0..5: 1, nan, nan, 4, nan, nan
    p = np.array([nan, 1.0, nan, nan, 4.0, nan]).reshape(6, 1, 1)
    np.testing.assert_array_equal(impute_locf(p)[:, 0, 0], [nan, 1, 1, 1, 4, 4])
    np.testing.assert_array_equal(impute_locf(p, max_gap=1)[:, 0, 0], [nan, 1, 1, nan, 4, 4])
    np.testing.assert_array_equal(impute_locf(p, max_gap=0)[:, 0, 0], p[:, 0, 0])


def test_linear_by_hand_uneven_times():
    # times 2018, 2019, 2021, 2022: value 10 at 2019, 40 at 2022 → 2021 is 10 + 30·(2/3) = 30
    p = np.array([nan, 10.0, nan, 40.0]).reshape(4, 1, 1)
    out = impute_linear(p, [2018, 2019, 2021, 2022])[:, 0, 0]
    np.testing.assert_allclose(out, [10.0, 10.0, 30.0, 40.0])
    allnan = np.full((3, 1, 1), nan)
    assert np.isnan(impute_linear(allnan, [1, 2, 3])).all()


def test_assertion_helper_catches_change():
    a = np.array([1.0, nan])
    with pytest.raises(AssertionError):
        _assert_observed_unchanged(a, np.array([1.0 + np.spacing(1.0), 2.0]))  # one ulp is a change
    _assert_observed_unchanged(a, np.array([1.0, 2.0]))


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 6), st.integers(1, 3)),
              elements=st.one_of(st.just(nan), st.floats(-1e6, 1e6))))
def test_imputers_never_change_observed(panel):
    obs = ~np.isnan(panel)
    outs = [impute_locf(panel), impute_locf(panel, max_gap=1),
            impute_linear(panel, np.arange(panel.shape[0]) * 1.5),
            impute_mean(panel), impute_median(panel),
            impute_group(panel[0], np.arange(panel.shape[1]) % 2 - (np.arange(panel.shape[1]) == 0))[0]]
    for out in outs[:5]:
        np.testing.assert_array_equal(out[obs], panel[obs])
    np.testing.assert_array_equal(outs[5][obs[0]], panel[0][obs[0]])


# --- by row: the unit's own values in a group of indicators (COINr impute_by = "row") -----------

from nevindex.methods.impute import impute_row  # noqa: E402


def test_row_mean_and_median_by_hand_without_normalising():
    x = np.array([[1.0, 3.0, nan, 100.0, nan],
                  [nan, 4.0, 8.0, nan, 7.0]])
    groups = np.array([0, 0, 0, 1, 1])
    m = impute_row(x, groups, "mean", normalise_first=False)
    assert m[0, 2] == 2.0 and m[0, 4] == 100.0  # (1 + 3)/2 within group 0; group 1 has only 100
    assert m[1, 0] == 6.0 and m[1, 3] == 7.0
    md = impute_row(np.array([[1.0, 2.0, 10.0, nan]]), [0, 0, 0, 0], "median", normalise_first=False)
    assert md[0, 3] == 2.0


def test_row_mean_normalised_first_by_hand():
    # column a (direction +1) runs 0…10, b (direction −1) runs 2…6, c (+1) runs 100…300
    x = np.array([[0.0, 2.0, 100.0],
                  [10.0, 6.0, nan],
                  [5.0, nan, 300.0]])
    out = impute_row(x, [0, 0, 0], "mean", directions=[1, -1, 1])
    # unit 1: a → (10 − 0)/10 = 1; b → (−6 − (−6))/(−2 − (−6)) = 0; mean 0.5 → c = 0.5·200 + 100
    assert out[1, 2] == pytest.approx(200.0)
    # unit 2: a → 0.5; c → 1; mean 0.75 → in b's oriented space 0.75·4 − 6 = −3 → b = 3
    assert out[2, 1] == pytest.approx(3.0)
    assert np.array_equal(out[~np.isnan(x)], x[~np.isnan(x)])


def test_row_constant_column_takes_its_value_and_empty_groups_keep_gaps():
    x = np.array([[5.0, 1.0, nan], [5.0, nan, nan], [nan, 3.0, nan]])
    out = impute_row(x, [0, 0, 1], "mean", directions=[1, 1, 1])
    assert out[2, 0] == 5.0  # constant column: its constant, whatever the row's profile
    assert np.isnan(out[1, 1])  # unit 1's only other value is the constant column, which says nothing
    assert np.isnan(out[:, 2]).all()  # a group with no value for the unit keeps the gap


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, (6, 5), elements=st.one_of(st.floats(-1e3, 1e3), st.just(nan))),
       st.lists(st.integers(0, 2), min_size=5, max_size=5), st.booleans(), st.sampled_from(["mean", "median"]))
def test_row_never_changes_an_observed_value(x, groups, normalise_first, stat):
    out = impute_row(x, groups, stat, directions=[1, -1, 1, 1, -1], normalise_first=normalise_first)
    _assert_observed_unchanged(x, out)
    # a gap is filled exactly when the unit has another value in that group
    for u in range(6):
        for j in range(5):
            if np.isnan(x[u, j]):
                peers = [k for k in range(5) if groups[k] == groups[j] and not np.isnan(x[u, k])]
                if not normalise_first:
                    assert np.isnan(out[u, j]) == (not peers)


def test_group_codes_by_hand():
    from nevindex.methods.impute import group_codes

    codes, names = group_codes(["b", None, "a", "b"])
    assert names == ["a", "b"]
    assert codes.tolist() == [1, -1, 0, 1]


@given(st.lists(st.one_of(st.none(), st.sampled_from(["EU", "CN", "US", "KR"])), max_size=30))
def test_group_codes_map_back_to_their_labels(labels):
    from nevindex.methods.impute import group_codes

    codes, names = group_codes(labels)
    assert names == sorted(set(labels) - {None})
    assert [names[c] if c >= 0 else None for c in codes] == labels
