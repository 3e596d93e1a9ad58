"""The report's Methods section states how a missing element or sub-pillar is counted (aggregate.missing),
in both languages, for the nodes the recipe names and no others."""

from __future__ import annotations

import pytest

from nevindex.report.i18n import load_catalogue
from nevindex.report.model import build_model
from nevindex.report.render import _methods_text


@pytest.mark.parametrize("lang, phrase", [("en", "lower quartile"), ("zh", "下四分位数")])
def test_the_nev_methods_name_the_lower_quartile_rule_where_the_recipe_sets_it(lang, phrase):
    from nevindex.nev.edition import build_edition

    result = build_edition(2024).result
    expected = {code for code, choice in result.recipe.aggregate.by_node.items() if choice.missing == "lower_quartile"}
    assert expected  # the 2026.1 methodology sets it on the index and on the tangible element
    lines = [line for line in _methods_text(build_model(result, lang), load_catalogue(lang)) if phrase in line]
    names = {result.framework.nodes[code].name.get(lang) for code in expected}
    assert len(lines) == len(expected)
    assert {line.split("：" if lang == "zh" else ":")[0] for line in lines} == names


def test_a_recipe_that_skips_missing_values_says_nothing_of_quartiles(models):
    for lang, model in models.items():
        text = " ".join(_methods_text(model, load_catalogue(lang)))
        assert "quartile" not in text and "四分位" not in text and "median of the brands that have it" not in text
