"""The one number formatter against Python's own format mini-language (the reference)."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from nevindex.i18n import numbers

FINITE = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@given(FINITE, st.integers(0, 4), st.sampled_from(["en", "zh"]))
def test_number_is_pythons_rounding_with_grouping(x: float, digits: int, lang: str) -> None:
    expected = f"{round(x, digits) + 0.0:,.{digits}f}"
    assert numbers.number(x, digits, lang=lang) == expected
    assert numbers.number(x, digits, lang=lang, grouping=False) == expected.replace(",", "")


@given(st.floats(min_value=-10, max_value=10, allow_nan=False), st.integers(0, 2))
def test_percent_is_the_share_times_100(x: float, digits: int) -> None:
    assert numbers.percent(x, digits) == f"{round(x * 100, digits) + 0.0:,.{digits}f}%"


@given(FINITE)
def test_signed_marks_only_what_rounds_above_zero(x: float) -> None:
    text = numbers.signed(x, 1)
    assert text.startswith("+") == (round(x, 1) > 0)
    assert text.lstrip("+") == numbers.number(x, 1)


def test_missing_values_and_text() -> None:
    for missing in (None, math.nan, math.inf, -math.inf, float("nan")):
        assert numbers.number(missing) == "—"
        assert numbers.percent(missing) == "—"
        assert numbers.number(missing, missing="–") == "–"
    assert numbers.number("n/a") == "n/a"  # text that is not a number is shown as it is
    assert numbers.number(-0.04) == "0.0"  # never "-0.0"
    assert numbers.rank(3.0) == "3" and numbers.rank(1234.0) == "1,234"


def test_cell_and_general() -> None:
    assert [numbers.cell(v) for v in (3.0, 0.12345, True, None, "x", 12345.0)] == \
        ["3", "0.123", "true", "—", "x", "12345"]
    assert [numbers.general(v) for v in (3.0, 0.25, 1_500_000.0, None)] == ["3", "0.25", "1.5e+06", "—"]
