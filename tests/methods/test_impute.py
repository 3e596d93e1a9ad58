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
