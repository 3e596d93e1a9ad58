import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nevindex.errors import KernelError
from nevindex.methods.weights import (
    ahp_weights,
    critic_weights,
    entropy_weights,
    equal_weights,
    pca_weights,
)


def test_equal():
    np.testing.assert_array_equal(equal_weights(4), [0.25] * 4)
    with pytest.raises(KernelError):
        equal_weights(0)


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, st.integers(1, 12), elements=st.floats(0.05, 10)))
def test_ahp_consistent_matrix_recovers_vector(v):
    w = v / v.sum()
    res = ahp_weights(w[:, None] / w[None, :])
    np.testing.assert_allclose(res.weights, w, rtol=1e-9)
    assert res.lambda_max == pytest.approx(len(w), abs=1e-9)
    assert abs(res.cr) < 1e-9 and res.consistent and res.n == len(w)


def test_ahp_by_hand_ci_cr_and_experts():
    a = np.array([[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]])
    res = ahp_weights(a)
    assert (a @ res.weights) == pytest.approx(res.lambda_max * res.weights)  # eigen-equation
    assert res.ci == pytest.approx((res.lambda_max - 3) / 2)
    assert res.cr == pytest.approx(res.ci / 0.58)
    b = np.array([[1, 5, 7], [1 / 5, 1, 3], [1 / 7, 1 / 3, 1]])
    both = ahp_weights(np.stack([a, b]))
    gm = np.sqrt(a * b)
    np.testing.assert_allclose(both.weights, ahp_weights(gm).weights, rtol=1e-12)
    inconsistent = np.array([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])
    assert not ahp_weights(inconsistent).consistent


def test_ahp_validation_names_cell():
    a = np.array([[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 3, 1]])  # (1,2)·(2,1) = 2/3
    with pytest.raises(KernelError) as e:
        ahp_weights(a)
    assert e.value.units == [1] and e.value.columns == [2]
    with pytest.raises(KernelError):
        ahp_weights(np.array([[2.0, 1.0], [1.0, 1.0]]))
    with pytest.raises(KernelError):
        ahp_weights(np.array([[1.0, -1.0], [-1.0, 1.0]]))
    assert ahp_weights(np.array([[1.0, 3.0], [1 / 3, 1.0]])).cr == 0.0


def test_entropy_by_hand():
    # col 0 uniform (1,1): e=1 → weight 0. col 1 (1,3): p=.25,.75, e=-(.25ln.25+.75ln.75)/ln2
    x = np.array([[1.0, 1.0], [1.0, 3.0]])
    e1 = -(0.25 * np.log(0.25) + 0.75 * np.log(0.75)) / np.log(2)
    np.testing.assert_allclose(entropy_weights(np.c_[x, [0.0, 5.0]]),
                               np.array([0, 1 - e1, 1.0]) / (1 - e1 + 1))  # (0,5): 0·ln0 = 0, e=0
    with pytest.raises(KernelError):
        entropy_weights(np.array([[1.0, -1.0], [2.0, 2.0]]))


def test_entropy_nan_rows_ignored_per_column():
    x = np.array([[1.0, 1.0], [2.0, 2.0], [np.nan, 3.0], [4.0, 4.0]])
    w = entropy_weights(x)
    p = np.array([1, 2, 4]) / 7
    e0 = -(p * np.log(p)).sum() / np.log(3)
    q = np.array([1, 2, 3, 4]) / 10
    e1 = -(q * np.log(q)).sum() / np.log(4)
    np.testing.assert_allclose(w, np.array([1 - e0, 1 - e1]) / (2 - e0 - e1))


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.integers(2, 8), elements=st.floats(0.01, 100)), st.integers(2, 5))
def test_entropy_equal_for_identical_columns(col, k):
    if np.ptp(col) < 1e-6:
        return
    w = entropy_weights(np.repeat(col[:, None], k, axis=1))
    np.testing.assert_allclose(w, np.full(k, 1 / k), rtol=1e-9)


def test_critic_by_hand():
    x = np.array([[0.0, 0.0, 10.0], [1.0, 2.0, 0.0], [2.0, 1.0, 5.0], [3.0, 3.0, 20.0]])
    z = (x - x.min(0)) / np.ptp(x, 0)
    sd = z.std(0, ddof=1)
    r = np.corrcoef(z, rowvar=False)
    expected = sd * (1 - r).sum(1)
    np.testing.assert_allclose(critic_weights(x), expected / expected.sum(), rtol=1e-12)
    with pytest.raises(KernelError) as e:
        critic_weights(np.c_[x, np.ones(4)])
    assert e.value.columns == [3]


def test_pca_loadings_and_dropped_rows():
    rng = np.random.default_rng(5)
    f = rng.normal(size=50)
    x = np.c_[f + 0.1 * rng.normal(size=50), f + 0.1 * rng.normal(size=50), rng.normal(size=50)]
    x[[3, 7], 1] = np.nan
    load, dropped = pca_weights(x)
    assert dropped == 2
    c = x[~np.isnan(x).any(1)]
    corr = np.corrcoef(c, rowvar=False)
    vals = np.linalg.eigvalsh(corr)
    assert np.linalg.norm(load) == pytest.approx(1.0)
    np.testing.assert_allclose(corr @ load, vals.max() * load, atol=1e-10)
    assert abs(load[0]) > 0.6 and abs(load[1]) > 0.6 and abs(load[2]) < 0.3
    assert np.sign(load[0]) == np.sign(load[1])
