"""The survey estimators against hand computations, statsmodels, and invariants (hypothesis)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.regression.linear_model import WLS
from statsmodels.stats.weightstats import DescrStatsW

from nevindex.collect.survey_stats import bootstrap_group_means, kish_effective_n, weighted_group_means

Y = np.array([1.0, 2.0, 4.0, 5.0])
W = np.array([1.0, 1.0, 2.0, 4.0])


def one_group(y, w, **kwargs):
    return weighted_group_means(np.zeros(len(y), dtype=np.intp), y, w, 1, **kwargs)


def test_weighted_mean_se_and_kish_by_hand() -> None:
    est = one_group(Y, W)
    # Σw = 8, Σwy = 31; w·(y − ȳ) = −2.875, −1.875, 0.25, 4.5 whose squares sum to 1027/32
    assert est.value[0, 0] == pytest.approx(31 / 8)
    assert est.se[0, 0] == pytest.approx(math.sqrt(4 / 3 * (1027 / 32) / 64))
    assert est.n_effective[0, 0] == pytest.approx(64 / 22) == kish_effective_n(W)
    assert est.n[0, 0] == 4


def test_interval_is_student_t_with_n_minus_1_df() -> None:
    est = one_group(Y, W)
    half = stats.t.ppf(0.975, 3) * est.se[0, 0]
    assert (est.ci_low[0, 0], est.ci_high[0, 0]) == pytest.approx((31 / 8 - half, 31 / 8 + half))


def test_interval_is_clipped_to_the_scale() -> None:
    est = one_group(np.array([5.0, 5.0, 4.0]), np.ones(3), low=1.0, high=5.0)
    assert est.ci_high[0, 0] == 5.0 and est.ci_low[0, 0] < est.value[0, 0]


def test_mean_and_se_equal_statsmodels() -> None:
    rng = np.random.default_rng(3)
    y, w = rng.integers(1, 6, 80).astype(float), rng.lognormal(0, 0.5, 80)
    est = one_group(y, w)
    assert est.value[0, 0] == pytest.approx(DescrStatsW(y, weights=w).mean, rel=1e-12)
    # the linearised variance is the HC1 sandwich of a weighted least-squares fit on a constant
    hc1 = WLS(y, np.ones(len(y)), weights=w).fit(cov_type="HC1").bse[0]
    assert est.se[0, 0] == pytest.approx(hc1, rel=1e-10)


def test_equal_weights_give_descrstatsw_se_and_t_interval() -> None:
    rng = np.random.default_rng(4)
    y = rng.integers(0, 11, 57).astype(float)
    est = one_group(y, np.ones(57))
    ref = DescrStatsW(y)
    assert est.se[0, 0] == pytest.approx(ref.std_mean, rel=1e-12)
    assert (est.ci_low[0, 0], est.ci_high[0, 0]) == pytest.approx(ref.tconfint_mean(alpha=0.05), rel=1e-12)
    assert est.n_effective[0, 0] == pytest.approx(57)


def test_frequency_weights_equal_the_expanded_sample() -> None:
    """Integer weights as frequencies: DescrStatsW on the compressed data = our SE on the expanded rows."""
    y, counts = np.array([1.0, 3.0, 4.0, 5.0, 2.0]), np.array([3, 1, 4, 2, 5])
    expanded = one_group(np.repeat(y, counts), np.ones(counts.sum()))
    ref = DescrStatsW(y, weights=counts.astype(float))
    assert expanded.value[0, 0] == pytest.approx(ref.mean)
    assert expanded.se[0, 0] == pytest.approx(ref.std_mean, rel=1e-12)


def test_nps_by_hand_and_as_a_difference_of_two_shares() -> None:
    answers = np.array([10, 9, 9, 8, 7, 6, 2, 10, 10, 5], dtype=float)
    w = np.array([2, 1, 1, 1, 1, 1, 1, 1, 1, 1], dtype=float)
    promoter, detractor = (answers >= 9).astype(float), (answers <= 6).astype(float)
    est = one_group(100 * (promoter - detractor), w)
    assert one_group(100 * (promoter - detractor), np.ones(10)).value[0, 0] == pytest.approx(50 - 30)
    assert est.value[0, 0] == pytest.approx(100 * (6 / 11 - 3 / 11))
    # linearised variances of the two weighted shares and their covariance
    n, sw = 10, w.sum()
    p, d = (w * promoter).sum() / sw, (w * detractor).sum() / sw
    var_p = n / (n - 1) * np.sum(w**2 * (promoter - p) ** 2) / sw**2
    var_d = n / (n - 1) * np.sum(w**2 * (detractor - d) ** 2) / sw**2
    cov = n / (n - 1) * np.sum(w**2 * (promoter - p) * (detractor - d)) / sw**2
    assert est.se[0, 0] == pytest.approx(100 * math.sqrt(var_p + var_d - 2 * cov))


def test_groups_and_missing_answers_are_separate() -> None:
    group = np.array([0, 0, 1, 1, 1])
    y = np.array([[1.0, np.nan], [3.0, 2.0], [5.0, 4.0], [np.nan, 4.0], [4.0, 1.0]])
    est = weighted_group_means(group, y, np.ones(5), 2)
    assert est.value[0].tolist() == [2.0, 2.0] and est.n[0].tolist() == [2, 1]
    assert est.value[1].tolist() == [4.5, 3.0] and est.n[1].tolist() == [2, 3]
    assert np.isnan(est.se[0, 1])  # one respondent: no standard error


samples = st.integers(min_value=2, max_value=40).flatmap(lambda n: st.tuples(
    st.lists(st.integers(1, 5), min_size=n, max_size=n),
    st.lists(st.floats(0.1, 10.0), min_size=n, max_size=n),
    st.lists(st.integers(0, 2), min_size=n, max_size=n)))


def _all(est):
    return np.stack([est.value, est.n_effective, est.se, est.ci_low, est.ci_high])


@settings(max_examples=60, deadline=None)
@given(samples, st.floats(0.01, 1000.0))
def test_scaling_all_weights_changes_nothing(sample, factor) -> None:
    y, w, g = (np.array(a, dtype=float) for a in sample)
    g = g.astype(np.intp)
    np.testing.assert_allclose(_all(weighted_group_means(g, y, w * factor, 3)),
                               _all(weighted_group_means(g, y, w, 3)), rtol=1e-9, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(samples, st.floats(0.1, 10.0))
def test_equal_weights_give_the_unweighted_statistics(sample, c) -> None:
    y, _, g = (np.array(a, dtype=float) for a in sample)
    g = g.astype(np.intp)
    weighted = weighted_group_means(g, y, np.full(len(y), c), 3)
    for k in range(3):
        members = y[g == k]
        if len(members) >= 2:
            assert weighted.value[k, 0] == pytest.approx(members.mean())
            assert weighted.se[k, 0] == pytest.approx(members.std(ddof=1) / math.sqrt(len(members)), abs=1e-12)
            assert weighted.n_effective[k, 0] == pytest.approx(len(members))


@settings(max_examples=60, deadline=None)
@given(samples, st.randoms(use_true_random=False))
def test_permuting_respondents_changes_nothing(sample, random) -> None:
    y, w, g = (np.array(a, dtype=float) for a in sample)
    g = g.astype(np.intp)
    order = list(range(len(y)))
    random.shuffle(order)
    np.testing.assert_allclose(_all(weighted_group_means(g[order], y[order], w[order], 3)),
                               _all(weighted_group_means(g, y, w, 3)), rtol=1e-10, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(samples)
def test_estimate_inside_its_interval_and_the_answers(sample) -> None:
    y, w, g = (np.array(a, dtype=float) for a in sample)
    est = weighted_group_means(g.astype(np.intp), y, w, 3)
    for k in range(3):
        if (g == k).sum() >= 2:
            assert y[g == k].min() - 1e-12 <= est.value[k, 0] <= y[g == k].max() + 1e-12
            assert est.ci_low[k, 0] <= est.value[k, 0] <= est.ci_high[k, 0]
            assert 1 - 1e-9 <= est.n_effective[k, 0] <= (g == k).sum() + 1e-9


# --- bootstrap -----------------------------------------------------------------------------------


def test_bootstrap_shape_seed_and_chunking() -> None:
    rng = np.random.default_rng(0)
    g, y, w = rng.integers(0, 3, 300), rng.integers(1, 6, (300, 2)).astype(float), rng.lognormal(0, .3, 300)
    a = bootstrap_group_means(g, y, w, 3, 50, np.random.default_rng(9))
    b = bootstrap_group_means(g, y, w, 3, 50, np.random.default_rng(9), memory_mb=0.01)  # one replicate a chunk
    c = bootstrap_group_means(g, y, w, 3, 50, np.random.default_rng(10))
    assert a.shape == (50, 3, 2)
    # the same draws whatever the chunk; only the BLAS summation order of the counts × (wy, w)
    # product may differ with the chunk's shape, so equal to rounding
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=0)
    np.testing.assert_array_equal(a, bootstrap_group_means(g, y, w, 3, 50, np.random.default_rng(9)))
    assert not np.array_equal(a, c)


def test_each_replicate_resamples_within_its_brand() -> None:
    """A brand whose respondents all answered 5 stays at 5 in every replicate: no respondent
    ever crosses into another brand's sample."""
    g = np.array([0] * 20 + [1] * 20)
    y = np.array([5.0] * 20 + [1.0, 2.0] * 10)
    reps = bootstrap_group_means(g, y, np.ones(40), 2, 200, np.random.default_rng(1))
    assert (reps[:, 0, 0] == 5.0).all()
    assert reps[:, 1, 0].min() >= 1.0 and reps[:, 1, 0].max() <= 2.0 and reps[:, 1, 0].std() > 0


def test_large_samples_collapse_to_the_point_estimate() -> None:
    rng = np.random.default_rng(2)
    n = 100_000
    g, y, w = np.repeat([0, 1], n), rng.integers(1, 6, 2 * n).astype(float), rng.lognormal(0, 0.4, 2 * n)
    point = weighted_group_means(g, y, w, 2).value[:, 0]
    reps = bootstrap_group_means(g, y, w, 2, 40, np.random.default_rng(3))[:, :, 0]
    assert np.abs(reps - point).max() < 0.03  # on a 1–5 scale, from a spread of ±2
    assert reps.std(axis=0).max() < 0.01


def test_small_samples_spread_like_the_standard_error() -> None:
    rng = np.random.default_rng(5)
    n = 30
    y, w = rng.integers(1, 6, n).astype(float), rng.lognormal(0, 0.4, n)
    g = np.zeros(n, dtype=np.intp)
    est = weighted_group_means(g, y, w, 1)
    reps = bootstrap_group_means(g, y, w, 1, 4000, np.random.default_rng(6))[:, 0, 0]
    # the bootstrap variance of a ratio mean is the linearised one without the n/(n−1) factor
    expected = est.se[0, 0] * math.sqrt((n - 1) / n)
    assert 0.9 < reps.std() / expected < 1.1
    assert reps.std() > 0.1 and np.ptp(reps) > 0.5
