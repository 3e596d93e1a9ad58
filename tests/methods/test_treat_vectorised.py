"""The vectorised treatment equals today's per-column loop to the last bit: values, statistics, masks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nevindex.build import build
from nevindex.dataset import load_dataset
from nevindex.framework import load_framework
from nevindex.methods.treat import kurtosis, skewness, treat_column, treat_matrix, treat_rows

from .treat_reference import ref_kurtosis, ref_skewness, ref_treat_column

ASEM = Path(__file__).resolve().parents[3] / "shared" / "testdata" / "asem"


def bits(a) -> bytes:
    return np.ascontiguousarray(np.asarray(a, dtype=np.float64)).tobytes()


def assert_same_bits(got, want) -> None:
    assert got.status == want.status
    assert got.transform == want.transform
    assert got.n_winsorised == want.n_winsorised
    assert bits(got.values) == bits(want.values)
    for name in ("skew_before", "kurt_before", "skew_after", "kurt_after"):
        assert bits(getattr(got, name)) == bits(getattr(want, name)), name
    np.testing.assert_array_equal(got.high, want.high)
    np.testing.assert_array_equal(got.low, want.low)


def check_matrix(x: np.ndarray, **kw) -> list[str]:
    """treat_matrix on all columns at once against the reference loop column by column."""
    out, outcomes = treat_matrix(x, **kw)
    for j, got in enumerate(outcomes):
        want = ref_treat_column(x[:, j], **kw)
        assert_same_bits(got, want)
        assert bits(out[:, j]) == bits(want.values)
    return [o.status for o in outcomes]


@pytest.fixture(scope="module")
def asem_raw():
    fw = load_framework(ASEM / "ASEM_iMeta.csv")
    data = load_dataset(ASEM / "ASEM_iData.csv")
    return data.matrix(fw.indicator_codes)


@pytest.fixture(scope="module")
def asem_denominated():
    fw = load_framework(ASEM / "ASEM_iMeta.csv")
    return build(fw, load_dataset(ASEM / "ASEM_iData.csv")).denominated


@pytest.mark.parametrize("kw", [{}, {"winmax": 1}, {"winmax": 10}, {"log_fallback": False},
                                {"skew_max": 1.0, "kurt_max": 1.0}, {"winmax": 0}])
@pytest.mark.parametrize("which", ["raw", "denominated"])
def test_asem_bit_for_bit(asem_raw, asem_denominated, which, kw):
    statuses = check_matrix(asem_raw if which == "raw" else asem_denominated, **kw)
    if kw == {"winmax": 1}:  # one step is too few for some columns: they fall back to the log
        assert {"passed", "winsorised", "log"} <= set(statuses)


def test_asem_denominated_with_per_column_parameters(asem_raw):
    rng = np.random.default_rng(7)
    n = asem_raw.shape[1]
    skew_max = rng.choice([0.5, 1.0, 2.0], n)
    winmax = rng.integers(0, 8, n)
    log_fallback = rng.random(n) < 0.5
    out, outcomes = treat_matrix(asem_raw, skew_max=skew_max, winmax=winmax, log_fallback=log_fallback)
    for j, got in enumerate(outcomes):
        want = ref_treat_column(asem_raw[:, j], skew_max=float(skew_max[j]), winmax=int(winmax[j]),
                                log_fallback=bool(log_fallback[j]))
        assert_same_bits(got, want)
    assert {o.status for o in outcomes} >= {"failed", "log", "winsorised", "passed"}


def _column(draw_values: list[float], ties: int, nans: list[bool], tail: float) -> np.ndarray:
    v = np.array(draw_values, dtype=float)
    v = np.round(v, ties)  # fewer decimals → more tied values at the extremes
    v[-1] = v[-1] * tail  # a heavy tail that may need many steps or the log
    v[np.array(nans[: v.size], dtype=bool)] = np.nan
    return v


@st.composite
def matrices(draw):
    units = draw(st.integers(3, 40))
    cols = draw(st.integers(1, 6))
    columns = []
    for _ in range(cols):
        values = draw(st.lists(st.one_of(st.floats(-1e3, 1e4, allow_nan=False), st.sampled_from([0.0, -0.0, 1.0, -5.0])),
                               min_size=units, max_size=units))
        ties = draw(st.integers(0, 3))
        nans = draw(st.lists(st.booleans(), min_size=units, max_size=units))
        tail = draw(st.sampled_from([1.0, 10.0, 1e3, -1e3]))
        columns.append(_column(values, ties, nans, tail))
    return np.column_stack(columns)


@settings(max_examples=50, deadline=None)
@given(matrices(), st.integers(0, 8), st.sampled_from([0.5, 1.0, 2.0]), st.sampled_from([0.0, 1.0, 3.5]),
       st.booleans())
def test_random_matrices_bit_for_bit(x, winmax, skew_max, kurt_max, log_fallback):
    check_matrix(x, winmax=winmax, skew_max=skew_max, kurt_max=kurt_max, log_fallback=log_fallback)


def test_the_random_data_reach_every_path():
    """The hypothesis strategy is not idle: on a fixed sample of its shapes every status occurs."""
    rng = np.random.default_rng(11)
    x = rng.lognormal(0, 1.5, size=(30, 40))
    x[:, :10] = np.round(x[:, :10])  # ties
    x[rng.random(x.shape) < 0.1] = np.nan
    x[:, 30:] *= -1  # low-side steps
    x[:27, 39] = np.nan  # too few
    x[:, 20:25] = np.r_[np.ones(22), 2.0 ** np.arange(1, 9)][:, None] * np.arange(1, 6)  # long right tails
    statuses = check_matrix(x, winmax=2, log_fallback=True) + check_matrix(x, winmax=2, log_fallback=False)
    assert {"passed", "winsorised", "log", "failed", "too_few"} <= set(statuses)


@pytest.mark.parametrize("n", [4, 7, 8, 9, 16, 129, 1000, 9000])
def test_statistics_bit_for_bit_at_any_length(n):
    # numpy sums rows in blocks of 8 and pairwise above 128 values: the vectorised rows must too
    rng = np.random.default_rng(n)
    x = rng.lognormal(0, 2, size=(n, 5))
    x[rng.random(x.shape) < 0.05] = np.nan
    for j in range(5):
        assert bits(skewness(x[:, j], axis=0)) == bits(ref_skewness(x[:, j].copy(), axis=0))
        assert bits(kurtosis(x[:, j], axis=0)) == bits(ref_kurtosis(x[:, j].copy(), axis=0))
    check_matrix(x)


def test_treat_column_is_the_matrix_kernel_on_one_column():
    x = np.r_[np.arange(1.0, 11), 30, 100]
    assert_same_bits(treat_column(x), ref_treat_column(x))


@pytest.mark.parametrize("kw", [{}, {"winmax": 0}, {"winmax": 1}, {"log_fallback": False},
                                {"skew_max": 0.5, "kurt_max": 0.0, "winmax": 10}])
def test_treat_rows_bit_for_bit(kw):
    # what-if levers treat thousands of versions of one column: rows of a (versions × units) array
    rng = np.random.default_rng(3)
    batch = rng.lognormal(0, 1.2, size=(40, 30))
    batch[:10] *= -1  # negative skew: winsorise from below
    batch[5:15, 3] = np.nan
    batch[20:25] = np.round(batch[20:25])  # ties at the extremes
    batch[30] = 1.0  # constant
    batch[31, 4:] = np.nan  # too few values
    got = treat_rows(batch, **kw)
    for row, out in zip(batch, got, strict=True):
        assert bits(out) == bits(ref_treat_column(row, **kw).values)


def test_float_constant_column_statistics_are_undefined_not_stepped():
    # seven copies of 36.80338734320654 have Σm² > 0 in floating point; the column is still constant
    col = [0, 0, 0, 36.80338734320654, 36.80338734320654, 36.80338734320654, 147.21354937282615]
    got = treat_rows(np.array([col]), skew_max=0.05, kurt_max=-5)
    assert bits(got[0]) == bits(ref_treat_column(np.array(col, dtype=float), skew_max=0.05, kurt_max=-5).values)
