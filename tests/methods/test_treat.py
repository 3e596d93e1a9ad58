import math

import numpy as np
import pytest
import scipy.stats as ss
from hypothesis import given, settings
from hypothesis import strategies as st

from nevindex.errors import KernelError
from nevindex.methods.treat import kurtosis, skewness, treat_column, treat_matrix


def excel_skew(v):
    v = np.asarray(v, float)
    n = len(v)
    m = v - v.mean()
    g = math.sqrt(n) * (m**3).sum() / (m**2).sum() ** 1.5
    return g * math.sqrt(n * (n - 1)) / (n - 2)


def excel_kurt(v):
    v = np.asarray(v, float)
    n = len(v)
    m = v - v.mean()
    r = n * (m**4).sum() / (m**2).sum() ** 2
    return ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))


def test_skew_kurt_by_hand_1_2_3_10():
    # mean 4; m = -3,-2,-1,6; Σm²=50, Σm³=-27-8-1+216=180, Σm⁴=81+16+1+1296=1394
    g = math.sqrt(4) * 180 / 50**1.5
    skew = g * math.sqrt(4 * 3) / 2
    r = 4 * 1394 / 50**2  # 2.2304
    kurt = ((5) * (r - 3) + 6) * 3 / (2 * 1)
    assert skewness([1, 2, 3, 10], axis=0) == pytest.approx(skew, rel=1e-12)
    assert kurtosis([1, 2, 3, 10], axis=0) == pytest.approx(kurt, rel=1e-12)
    assert skew == pytest.approx(ss.skew([1, 2, 3, 10], bias=False), rel=1e-12)
    assert kurt == pytest.approx(ss.kurtosis([1, 2, 3, 10], bias=False), rel=1e-12)
    assert kurt == pytest.approx(3.228, rel=1e-12)


def test_skew_kurt_ignore_nan_and_small_n():
    assert skewness([1, np.nan, 2, 3, 10], axis=0) == pytest.approx(excel_skew([1, 2, 3, 10]))
    assert np.isnan(skewness([1.0, 2.0], axis=0))
    assert not np.isnan(skewness([1.0, 2.0, 5.0], axis=0))
    assert np.isnan(kurtosis([1.0, 2.0, 5.0], axis=0))
    assert np.isnan(skewness([3.0, 3.0, 3.0, 3.0], axis=0))


def test_skew_kurt_batch_axis_default_units():
    rng = np.random.default_rng(0)
    x = rng.lognormal(size=(3, 20, 4))
    sk = skewness(x)
    assert sk.shape == (3, 4)
    for s in range(3):
        for j in range(4):
            assert sk[s, j] == pytest.approx(ss.skew(x[s, :, j], bias=False), rel=1e-10)
            assert kurtosis(x)[s, j] == pytest.approx(ss.kurtosis(x[s, :, j], bias=False), rel=1e-10)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3), min_size=4, max_size=30))
def test_skew_kurt_match_scipy(values):
    v = np.array(values)
    if np.ptp(v) < 1e-3:
        return
    assert skewness(v, axis=0) == pytest.approx(ss.skew(v, bias=False), rel=1e-7, abs=1e-7)
    assert kurtosis(v, axis=0) == pytest.approx(ss.kurtosis(v, bias=False), rel=1e-7, abs=1e-7)


def test_passing_column_untouched():
    x = np.array([1.0, 2, 3, 4, 5, 6])
    o = treat_column(x)
    assert o.status == "passed" and o.n_winsorised == 0 and o.transform is None
    np.testing.assert_array_equal(o.values, x)


def test_one_step_fixes_it():
    # COINr's own example: 1..10, 30, 100 fails (skew ≈ 3.1, kurt ≈ 10.4)
    x = np.r_[np.arange(1.0, 11), 30, 100]
    assert abs(excel_skew(x)) >= 2 and excel_kurt(x) >= 3.5
    y = x.copy()
    y[-1] = 30.0  # the max becomes the next lower distinct value
    assert abs(excel_skew(y)) < 2  # so one step suffices
    o = treat_column(x)
    assert o.status == "winsorised" and o.n_winsorised == 1
    np.testing.assert_array_equal(o.values, y)
    assert o.high.tolist() == [False] * 11 + [True] and not o.low.any()
    assert o.skew_after == pytest.approx(excel_skew(y))


def test_several_steps_with_ties_count_and_low_side():
    # negative skew: low outliers; two tied minima go together, counting 2
    x = np.r_[-500.0, -500.0, -200.0, np.arange(1.0, 21)]
    o = treat_column(x, winmax=10)
    # replay the rule by hand
    v = x.copy()
    steps = 0
    while not (abs(excel_skew(v)) < 2 or excel_kurt(v) < 3.5):
        lo = v.min()
        v[v == lo] = v[v > lo].min()
        steps += 1
    assert steps >= 2
    np.testing.assert_array_equal(o.values, v)
    changed = v != x
    assert o.n_winsorised == changed.sum()
    np.testing.assert_array_equal(o.low, changed)
    assert not o.high.any() and o.status == "winsorised"


def test_log_fallback_on_original_and_failed_without_it():
    # heavy right tail of 11 distinct values (2, 4, ..., 2048): two steps cannot tame it
    x = np.r_[np.ones(40), 2.0**np.arange(1, 12)]
    o = treat_column(x, winmax=2)
    assert o.status == "log" and o.transform == "log" and o.n_winsorised == 0
    expected = np.log(x - x.min() + 0.01 * (x.max() - x.min()))
    np.testing.assert_allclose(o.values, expected, rtol=0, atol=0)
    f = treat_column(x, winmax=2, log_fallback=False)
    assert f.status == "failed" and f.n_winsorised == 2
    assert f.high.sum() == 2 and f.values.max() == 2.0**9


def test_missing_stays_missing_and_too_few():
    x = np.r_[np.arange(1.0, 11), np.nan, 30, 100]
    o = treat_column(x)
    assert np.isnan(o.values[10]) and not o.high[10]
    t = treat_column(np.array([1.0, np.nan, 2.0, 1000.0]))
    assert t.status == "too_few"


def test_input_not_mutated_and_matrix_params_per_column():
    x = np.column_stack([np.r_[np.arange(1.0, 11), 30, 100], np.arange(12.0)])
    before = x.copy()
    out, outs = treat_matrix(x, winmax=[5, 5], skew_max=[2.0, 0.0])
    np.testing.assert_array_equal(x, before)
    assert [o.status for o in outs] == ["winsorised", "passed"]  # col 2: kurt < 3.5 → passes
    assert out.shape == x.shape
    with pytest.raises(KernelError):
        treat_matrix(x, winmax=[5])


def test_float_constant_column_is_constant_not_skewed():
    # Σm² of equal values can be > 0 through rounding of the mean; the statistic is still undefined
    col = np.array([36.80338734320654] * 7)
    assert np.isnan(skewness(col, axis=0)) and np.isnan(kurtosis(col, axis=0))
    out = treat_column([0, 0, 0, 36.80338734320654, 36.80338734320654, 36.80338734320654, 147.21354937282615],
                       skew_max=0.05, kurt_max=-5)
    assert out.status in ("winsorised", "log", "failed")
    assert np.all(np.isfinite(out.values))
