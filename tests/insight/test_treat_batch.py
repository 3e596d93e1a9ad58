"""The batched treatment equals the kernel's treat_column row by row, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nevindex.errors import KernelError
from nevindex.insight._treat_batch import treat_rows
from nevindex.methods.treat import treat_column


def _same(batch, **kw):
    wants = []
    for row in batch:
        try:
            wants.append(treat_column(row, **kw).values)
        except ValueError:  # the kernel steps on a column whose values are equal but whose sd is not 0
            with pytest.raises(KernelError):
                treat_rows(batch, **kw)
            return
    got = treat_rows(batch, **kw)
    for out, want in zip(got, wants, strict=True):
        np.testing.assert_array_equal(out, want)


@pytest.mark.parametrize("kw", [{}, {"winmax": 0}, {"winmax": 1}, {"log_fallback": False},
                                {"skew_max": 0.5, "kurt_max": 0.0, "winmax": 10}])
def test_rows_of_skewed_data(kw):
    rng = np.random.default_rng(3)
    batch = rng.lognormal(0, 1.2, size=(40, 30))
    batch[:10] *= -1  # negative skew: winsorise from below
    batch[5:15, 3] = np.nan
    batch[20:25] = np.round(batch[20:25])  # ties at the extremes
    batch[30] = 1.0  # constant
    batch[31, 4:] = np.nan  # too few values
    _same(batch, **kw)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.one_of(st.floats(-50, 1e4, allow_nan=False), st.just(np.nan), st.sampled_from([0.0, 1.0])),
                         min_size=8, max_size=8), min_size=1, max_size=6),
       st.integers(0, 6))
def test_rows_property(rows, winmax):
    _same(np.array(rows, dtype=float), winmax=winmax, skew_max=1.0, kurt_max=1.0)


def test_float_constant_column_is_left_to_the_kernel():
    # 36.80338734320654 seven times has a tiny non-zero sd in floating point, so the kernel's
    # statistics call it skewed; both refuse rather than invent a value
    _same(np.array([[0, 0, 0, 36.80338734320654, 36.80338734320654, 36.80338734320654, 147.21354937282615]]),
          skew_max=0.05, kurt_max=-5)
