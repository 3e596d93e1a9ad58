import numpy as np
import pytest

from nevindex.errors import KernelError
from nevindex.methods.denominate import denominate

nan = np.nan


def test_by_hand_with_per_column_scale():
    x = np.array([[10.0, 6.0], [3.0, nan]])
    den = np.array([[2.0, 3.0], [4.0, 0.0]])  # zero under a missing value is fine
    out = denominate(x, den, scale=np.array([1.0, 100.0]))
    np.testing.assert_array_equal(out[0], [5.0, 200.0])
    assert out[1, 0] == 0.75 and np.isnan(out[1, 1])


def test_nan_denominator_gives_nan():
    assert np.isnan(denominate(np.array([[1.0]]), np.array([[nan]])))[0, 0]


def test_zero_denominator_names_cells():
    x = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    den = np.ones_like(x)
    den[2, 1] = 0.0
    with pytest.raises(KernelError) as e:
        denominate(x, den)
    assert e.value.units == [2] and e.value.columns == [1]


def test_input_untouched():
    x = np.array([[1.0, 2.0]])
    d = np.array([[2.0, 4.0]])
    denominate(x, d, 10.0)
    np.testing.assert_array_equal(x, [[1.0, 2.0]])
