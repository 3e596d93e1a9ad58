"""The one rule for settings files (nevindex.validation): a mistyped key is named with its nearest valid
name, before the required key it leaves missing; a missing key reads as a sentence."""

from __future__ import annotations

import pytest

from nevindex.errors import RecipeError
from nevindex.validation import StrictModel, validate


class Goalposts(StrictModel):
    lower: float
    upper: float


class Spec(StrictModel):
    name: str
    goalposts: Goalposts


def _message(data: object) -> str:
    with pytest.raises(RecipeError) as caught:
        validate(Spec, data, error=RecipeError, source="spec.yaml")
    return str(caught.value)


def test_a_typo_is_named_with_its_hint_not_as_the_missing_key():
    text = _message({"name": "x", "goalposts": {"lower": 0, "uper": 1}})
    assert text == "spec.yaml, setting 'goalposts.uper': unknown setting 'uper' (did you mean 'upper'?)"


def test_a_missing_key_is_a_sentence():
    text = _message({"name": "x", "goalposts": {"lower": 0}})
    assert text == "spec.yaml, setting 'goalposts.upper': this setting is required"


def test_an_unknown_key_far_from_any_gets_no_hint():
    text = _message({"name": "x", "goalposts": {"lower": 0, "upper": 1}, "colour": "red"})
    assert text == "spec.yaml, setting 'colour': unknown setting 'colour'"
