import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import rankdata

from nevindex.errors import KernelError
from nevindex.methods.normalise import (
    METHOD_PARAMS,
    NORMALISERS,
    borda,
    distance_to_max,
    distance_to_target,
    fraction_of_max,
    goalposts,
    minmax,
    normalise,
    percentile_rank,
    rank,
    zscore,
)

nan = np.nan
X = np.array([[2.0, 10.0], [4.0, nan], [8.0, 30.0], [4.0, 20.0]])
D = np.array([1, -1])


def test_minmax_by_hand_both_directions():
    out = minmax(X, D)
    # col 0: (x-2)/6*100 ; col 1 reversed: (30-x)/20*100
    np.testing.assert_allclose(out[:, 0], [0, 100 / 3, 100, 100 / 3])
    np.testing.assert_allclose(out[[0, 2, 3], 1], [100, 0, 50])
    assert np.isnan(out[1, 1])
    np.testing.assert_allclose(minmax(X, D, lower=1, upper=2)[0], [1.0, 2.0])


def test_constant_column_is_error_naming_it():
    x = np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]])
    for f in (minmax, distance_to_max):
        with pytest.raises(KernelError) as e:
            f(x, [1, 1])
        assert e.value.columns == [1]
    with pytest.raises(KernelError) as e:
        zscore(x, [1, 1])
    assert e.value.columns == [1]


def test_zscore_by_hand():
    x = np.array([[1.0], [2.0], [3.0], [6.0]])  # mean 3, sd sqrt((4+1+0+9)/3)
    sd = np.sqrt(14 / 3)
    np.testing.assert_allclose(zscore(x, [1], mean=10, sd=2)[:, 0], (x[:, 0] - 3) / sd * 2 + 10)
    np.testing.assert_allclose(zscore(x, [-1])[:, 0], -(x[:, 0] - 3) / sd)


def test_rank_borda_percentile_by_hand():
    # col 0 values 2,4,8,4 (+1): ranks 1,2,4,2 ; col 1 (-1) values 10,-,30,20: 3,-,1,2
    r = rank(X, D)
    np.testing.assert_array_equal(r[:, 0], [1, 2, 4, 2])
    np.testing.assert_array_equal(r[[0, 2, 3], 1], [3, 1, 2])
    assert np.isnan(r[1, 1])
    np.testing.assert_array_equal(borda(X, D)[:, 0], [0, 1, 3, 1])
    np.testing.assert_allclose(percentile_rank(X, D)[:, 0], [0, 1 / 3, 1, 1 / 3])
    np.testing.assert_allclose(percentile_rank(X, D)[[0, 2, 3], 1], [1, 0, 0.5])
    assert np.array_equal(r[:, 0], rankdata(X[:, 0], method="min"))


def test_goalposts_by_hand():
    x = np.array([[0.0, 0.0], [5.0, 5.0], [12.0, 12.0]])
    out = goalposts(x, [1, -1], lower=2, upper=10, scale=100)
    np.testing.assert_allclose(out[:, 0], [0, 37.5, 100])  # (5-2)/8 = 0.375
    np.testing.assert_allclose(out[:, 1], [100, 62.5, 0])  # (10-5)/8 = 0.625
    raw = goalposts(x, [1, 1], lower=[2, 2], upper=[10, 10], truncate=False)
    np.testing.assert_allclose(raw[:, 0], [-0.25, 0.375, 1.25])


def test_distance_to_target_both_directions():
    x = np.array([[1.0, 1.0], [3.0, 3.0], [6.0, 6.0]])
    out = distance_to_target(x, [1, -1], target=[5.0, 2.0])
    # +1: (x-1)/(5-1) capped ; -1: (6-x)/(6-2) capped
    np.testing.assert_allclose(out[:, 0], [0, 0.5, 1.0])
    np.testing.assert_allclose(out[:, 1], [1.0, 0.75, 0])
    uncapped = distance_to_target(x, [1, -1], target=[5.0, 2.0], cap=False)
    assert uncapped[2, 0] == 1.25 and uncapped[0, 1] == 1.25


def test_distance_and_fraction_of_max():
    x = np.array([[2.0], [4.0], [10.0]])
    np.testing.assert_allclose(distance_to_max(x, [1])[:, 0], [0, 0.25, 1])
    np.testing.assert_allclose(fraction_of_max(x, [1])[:, 0], [0.2, 0.4, 1])
    with pytest.raises(KernelError):
        fraction_of_max(np.array([[0.0], [-1.0]]), [1])


def test_dispatcher_and_params():
    assert set(NORMALISERS) == set(METHOD_PARAMS)
    np.testing.assert_array_equal(normalise(X, D, "minmax", {"upper": 1.0}), minmax(X, D, upper=1.0))
    with pytest.raises(KernelError):
        normalise(X, D, "minmax", {"uper": 1.0})
    with pytest.raises(KernelError):
        normalise(X, D, "nope", {})
    with pytest.raises(KernelError):
        minmax(X, [1, 0])


PARAMS = {"goalposts": {"lower": -5.0, "upper": 5.0}, "distance_to_target": {"target": 10.0}}


def _data(s, u, c, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(s, u, c)) + 3
    x[rng.random(x.shape) < 0.15] = nan
    x[:, :2, :] = [[1.0], [2.0]]  # two distinct present values per column so no method degenerates
    return x


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(sorted(NORMALISERS)))
def test_batch_equals_loop_and_unit_permutation(seed, method):
    x = _data(3, 7, 4, seed)
    d = np.array([1, -1, 1, -1])
    if method == "fraction_of_max":
        x = np.abs(x) + 1
        d = np.ones(4)
    p = PARAMS.get(method, {})
    b = normalise(x, d, method, p)
    for s in range(3):
        np.testing.assert_array_equal(b[s], normalise(x[s], d, method, p))
    perm = np.random.default_rng(seed).permutation(7)
    np.testing.assert_allclose(normalise(x[:, perm], d, method, p), b[:, perm], rtol=1e-12, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, (6, 2), elements=st.floats(-1e6, 1e6)), st.floats(-10, 10), st.floats(0.1, 50))
def test_minmax_in_range_and_monotone(x, lower, width):
    if np.ptp(x, axis=0).min() < 1e-6:
        return
    upper = lower + width
    for d in (1, -1):
        out = minmax(x, [d, d], lower=lower, upper=upper)
        assert (out >= lower - 1e-9).all() and (out <= upper + 1e-9).all()
        for j in range(2):
            order = np.argsort(d * x[:, j], kind="stable")
            assert (np.diff(out[order, j]) >= -1e-9).all()
