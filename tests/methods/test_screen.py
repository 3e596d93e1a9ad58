import numpy as np
import pytest

from nevindex.errors import KernelError
from nevindex.methods.screen import screen_units

nan = np.nan
X = np.array([
    [1.0, 2.0, 3.0, 4.0],  # coverage 1, nonzero 1
    [1.0, nan, nan, 0.0],  # coverage 0.5, nonzero 0.25
    [0.0, 0.0, 5.0, nan],  # coverage 0.75, nonzero 0.25
    [nan, nan, nan, nan],  # coverage 0
])


def test_min_observed_share():
    assert screen_units(X, min_observed=0.75).tolist() == [True, False, True, False]
    assert screen_units(X).tolist() == [True, True, True, True]


def test_nonzero_threshold_counts_all_columns():
    assert screen_units(X, min_nonzero=0.5).tolist() == [True, False, False, False]


def test_force_lists_and_masks_override():
    keep = screen_units(X, min_observed=0.75, force_keep=[3], force_drop=np.array([True, False, False, False]))
    assert keep.tolist() == [False, False, True, True]
    with pytest.raises(KernelError) as e:
        screen_units(X, force_keep=[1], force_drop=[1])
    assert e.value.units == [1]
