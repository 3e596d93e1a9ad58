"""A log10 derivation gives the C library's bits on every machine, not numpy's CPU-dispatched ones, so an
edition rebuilds bit for bit wherever it is verified (the 0.1.0 store test caught an AVX-512 machine)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from nevindex.derive import portable_log10


@given(st.lists(st.floats(min_value=1e-300, max_value=1e300, allow_nan=False), min_size=1, max_size=50))
def test_portable_log10_is_math_log10_bit_for_bit(values):
    out = portable_log10(np.array(values))
    assert out.dtype == np.float64
    assert [float(v).hex() for v in out] == [math.log10(v).hex() for v in values]


def test_gaps_stay_gaps_and_the_shape_is_kept():
    x = np.array([[10.0, np.nan], [1000.0, 1e6]])
    out = portable_log10(x)
    assert out.shape == x.shape and np.isnan(out[0, 1])
    assert out[0, 0] == 1.0 and out[1, 0] == 3.0 and out[1, 1] == 6.0
