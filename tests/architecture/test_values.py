"""One rule for numbers at the edges (store rows, JSON): a finite float or None."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nevindex.values import finite_or_none, rank_or_none


@pytest.mark.parametrize("value", [None, math.nan, math.inf, -math.inf, np.float64("nan"), np.inf, "1.5", "", object()])
def test_missing_infinite_and_non_numbers_are_none(value):
    assert finite_or_none(value) is None
    assert rank_or_none(value) is None


def test_finite_numbers_pass_as_floats():
    assert finite_or_none(np.float32(0.5)) == 0.5 and type(finite_or_none(np.int64(3))) is float
    assert finite_or_none(-1e308) == -1e308
    assert (rank_or_none(2.0), rank_or_none(2.5), rank_or_none(3.5), rank_or_none(np.float64(4.4))) == (2, 2, 4, 4)
