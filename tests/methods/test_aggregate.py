import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nevindex.errors import KernelError
from nevindex.methods.aggregate import (
    AGGREGATORS,
    aggregate,
    arithmetic,
    copeland,
    generalised,
    geometric,
    harmonic,
)

nan = np.nan
X = np.array([[1.0, 2.0, 4.0], [2.0, nan, 8.0], [nan, nan, nan]])
W = np.array([1.0, 1.0, 2.0])


def test_arithmetic_skips_missing_with_weights():
    out = arithmetic(X, W)
    assert out[0] == (1 + 2 + 8) / 4 and out[1] == (2 + 16) / 3 and np.isnan(out[2])


def test_geometric_and_harmonic_by_hand():
    g = geometric(X, W)
    assert g[0] == pytest.approx((1 * 2 * 4**2) ** (1 / 4))  # = 32^(1/4)
    assert g[1] == pytest.approx((2 * 8**2) ** (1 / 3))
    h = harmonic(X, W)
    assert h[0] == pytest.approx(4 / (1 + 1 / 2 + 2 / 4)) and np.isnan(h[2])


def test_generalised_by_hand_and_missing_gives_missing():
    out = generalised(X, W, p=2)
    assert out[0] == pytest.approx(np.sqrt((1 + 4 + 2 * 16) / 4))
    assert np.isnan(out[1])
    with pytest.raises(KernelError):
        generalised(X, W, p=0)


def test_errors_name_cells():
    x = np.array([[1.0, 2.0], [3.0, 0.0], [-1.0, 5.0]])
    with pytest.raises(KernelError) as e:
        geometric(x, [1, 1])
    assert e.value.units == [1, 2] and e.value.columns == [0, 1]
    with pytest.raises(KernelError) as e:
        harmonic(x, [1, 1])
    assert e.value.units == [1] and e.value.columns == [1]


def test_copeland_by_hand():
    # w normalised = .25,.25,.5.  A=(3,1,2) B=(1,2,3) C=(2,3,1)
    # A vs B: A wins child0 (.25), B wins 1,2 (.75) → B beats A. A vs C: A wins 0,2 (.75) → A beats C.
    # B vs C: B wins child2 (.5), C wins 0,1 (.5) → tie → 0.
    x = np.array([[3.0, 1, 2], [1, 2, 3], [2, 3, 1]])
    np.testing.assert_array_equal(copeland(x, W), [0, 1, -1])


def test_copeland_missing_pairs_compared_on_common_children():
    # unit 1 lacks child 2, so A vs B uses children 0,1 only: A wins 0, B wins 1, equal weights → tie
    x = np.array([[3.0, 1, 9], [1, 2, nan], [nan, nan, nan]])
    out = copeland(x, W)
    np.testing.assert_array_equal(out[:2], [0, 0])
    assert np.isnan(out[2])


def test_min_present():
    out = aggregate(X, W, "arithmetic", min_present=0.9)
    assert out[0] == arithmetic(X, W)[0] and np.isnan(out[1])
    with pytest.raises(KernelError):
        aggregate(X, W, "bogus")


children = arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 5)), elements=st.floats(1, 100))


@settings(max_examples=60, deadline=None)
@given(children, st.floats(0.1, 5))
def test_identical_children_return_themselves(x, p):
    col = x[:, :1]
    same = np.repeat(col, 4, axis=1)
    w = np.array([1.0, 2.0, 0.5, 3.0])
    for m in ("arithmetic", "geometric", "harmonic"):
        np.testing.assert_allclose(aggregate(same, w, m), col[:, 0], rtol=1e-12)
    np.testing.assert_allclose(aggregate(same, w, "generalised", p=p), col[:, 0], rtol=1e-10)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, (2, 4), elements=st.floats(0, 100)), arrays(np.float64, 4, elements=st.floats(0, 5)),
       arrays(np.float64, 4, elements=st.floats(0, 50)))
def test_arithmetic_dominance(x, w, bump):
    if w.sum() == 0:
        return
    x = x.copy()
    x[1] = x[0] + bump  # unit 1 ≥ unit 0 on every child
    out = arithmetic(x, w)
    assert out[1] >= out[0] - 1e-9


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(sorted(AGGREGATORS)))
def test_batch_equals_loop_and_permutation(seed, method):
    rng = np.random.default_rng(seed)
    x = rng.uniform(1, 100, size=(3, 6, 4))
    if method != "generalised":
        x[rng.random(x.shape) < 0.2] = nan
    w = rng.uniform(0.1, 2, size=(3, 4))
    kw = {"p": 2.0} if method == "generalised" else {}
    b = aggregate(x, w, method, **kw)
    for s in range(3):
        np.testing.assert_allclose(b[s], aggregate(x[s], w[s], method, **kw), rtol=1e-12)
    b1 = aggregate(x, w[0], method, **kw)  # one weight vector broadcast over samples
    np.testing.assert_allclose(b1[1], aggregate(x[1], w[0], method, **kw), rtol=1e-12)
    perm = rng.permutation(6)
    np.testing.assert_allclose(aggregate(x[:, perm], w, method, **kw), b[:, perm], rtol=1e-12)


# --- one data matrix, many weight vectors (the audit's shared-data path) -------------------------

from nevindex.methods.aggregate import aggregate_shared  # noqa: E402


@pytest.mark.parametrize("method,params", [("arithmetic", {}), ("geometric", {}), ("harmonic", {}),
                                           ("generalised", {"p": 2}), ("generalised", {"p": -1}),
                                           ("copeland", {})])
@settings(max_examples=30, deadline=None)
@given(x=arrays(np.float64, (7, 4), elements=st.one_of(st.floats(0.5, 100), st.just(np.nan))),
       w=arrays(np.float64, (5, 4), elements=st.floats(0.01, 3)))
def test_shared_equals_broadcast_kernel(method, params, x, w):
    want = aggregate(np.broadcast_to(x, (5, *x.shape)), w, method, **params)
    got = aggregate_shared(x, w, method, **params)
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-13)


def test_shared_min_present_and_by_hand():
    w = np.array([[1.0, 1.0, 2.0], [2.0, 0.0, 1.0]])
    out = aggregate_shared(X, w, "arithmetic")
    assert out[0, 0] == pytest.approx((1 + 2 + 8) / 4) and out[1, 0] == pytest.approx((2 + 4) / 3)
    assert out[1, 1] == pytest.approx((4 + 8) / 3) and np.isnan(out[:, 2]).all()
    cut = aggregate_shared(X, w, "arithmetic", min_present=0.9)
    assert not np.isnan(cut[:, 0]).any() and np.isnan(cut[:, 1]).all()


def test_shared_errors_like_the_kernel():
    x = np.array([[1.0, 2.0], [3.0, 0.0], [-1.0, 5.0]])
    with pytest.raises(KernelError) as e:
        aggregate_shared(x, [[1, 1]], "geometric")
    assert e.value.units == [1, 2] and e.value.columns == [0, 1]
    with pytest.raises(KernelError, match="non-negative"):
        aggregate_shared(x, [[1, -1]], "arithmetic")
