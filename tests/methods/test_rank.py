import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import rankdata

from nevindex.methods.rank import rank_desc

nan = np.nan


def test_by_hand_ties_and_nan():
    # scores 3,1,nan,3,5 → 5 is 1st, the two 3s tie at 2nd, 1 is 4th
    np.testing.assert_array_equal(rank_desc([3.0, 1.0, nan, 3.0, 5.0]), [2, 4, nan, 2, 1])


@settings(max_examples=80, deadline=None)
@given(arrays(np.float64, (3, 9), elements=st.one_of(st.just(nan), st.integers(-3, 3).map(float))))
def test_matches_scipy_min_and_batch_loop(s):
    out = rank_desc(s)
    for i in range(s.shape[0]):
        ref = rankdata(-s[i], method="min", nan_policy="omit")
        np.testing.assert_array_equal(out[i], ref)
        np.testing.assert_array_equal(out[i], rank_desc(s[i]))
    perm = np.random.default_rng(0).permutation(9)
    np.testing.assert_array_equal(rank_desc(s[:, perm]), out[:, perm])


def test_axis_argument():
    s = np.array([[1.0, 5.0], [2.0, 4.0], [3.0, 3.0]])
    np.testing.assert_array_equal(rank_desc(s, axis=0), [[3, 1], [2, 2], [1, 3]])


def test_a_large_batch_ranks_every_row():  # its speed is benchmarks/rank.py's
    s = np.random.default_rng(1).normal(size=(2_000, 500))
    r = rank_desc(s)
    np.testing.assert_array_equal(np.sort(r[123]), np.arange(1, 501))
    np.testing.assert_array_equal(r[7], rankdata(-s[7]))
