"""Strengths and weaknesses by one rule (issue 12, item 3): the brand's percentile among the brands
scored on a measure, top third a strength, bottom third a weakness, n ≥ 5; the CLI, the report and
the API's profile list the same measures, and the strongest element is the best-standing one."""

from __future__ import annotations

import re

import pytest

from nevindex.insight.standing import MIN_SCORED, classify, percentile, strongest_and_weakest


@pytest.fixture(scope="module")
def result_2024():
    from nevindex.nev.edition import build_edition

    return build_edition(2024).result


@pytest.mark.parametrize(("rank", "n", "expected"), [
    (1, 12, 100.0), (12, 12, 0.0), (4, 26, 88.0), (6, 6, 0.0), (2, 5, 75.0), (3, 5, 50.0)])
def test_percentile_is_the_share_of_the_others_behind(rank, n, expected):
    assert percentile(rank, n) == pytest.approx(expected)


@pytest.mark.parametrize(("rank", "n", "kind"), [
    (6, 6, "weakness"), (2, 2, None), (4, 26, "strength"), (1, 4, None), (3, 5, None), (2, 5, "strength"),
    (4, 5, "weakness"), (9, 26, "strength"), (10, 26, None), (17, 26, None), (18, 26, "weakness")])
def test_the_issue_cases_are_classified_by_standing(rank, n, kind):
    # "6/6" and "2/2" were listed as strengths and "4/26" as a weakness
    assert classify(rank, n) == kind


def test_strongest_element_breaks_a_rank_tie_by_score():
    # BYD: Intangible and Tangible share rank 7 of 20; Tangible has the higher score
    items = [("intangible", 7.0, 20, 52.1), ("tangible", 7.0, 20, 66.9), ("quality", 12.0, 14, 40.0)]
    assert strongest_and_weakest(items) == ("tangible", "quality")
    # the percentile, not the raw rank, compares elements scored on different numbers of brands
    assert strongest_and_weakest([("a", 3.0, 30, 50.0), ("b", 2.0, 3, 60.0)]) == ("a", "b")


def test_no_brand_has_a_contradictory_strength_or_weakness(result_2024):
    from nevindex.insight.standing import strengths_weaknesses

    for unit in result_2024.units:
        sw = strengths_weaknesses(result_2024, unit, top=50)
        for s in (*sw.indicator_strengths, *sw.element_strengths):
            assert s.n >= MIN_SCORED and s.rank <= 1 + (s.n - 1) / 3, (unit, s)
        for s in (*sw.indicator_weaknesses, *sw.element_weaknesses):
            assert s.n >= MIN_SCORED and s.rank >= 1 + 2 * (s.n - 1) / 3, (unit, s)


def test_report_profile_lists_what_insight_lists(result_2024):
    from nevindex.insight.standing import strengths_weaknesses
    from nevindex.report.model import build_model

    model = build_model(result_2024, "en")
    assert model.profiles
    for p in model.profiles:
        sw = strengths_weaknesses(result_2024, p.unit.code, top=3)
        assert [s.code for s in p.strengths] == [s.code for s in sw.indicator_strengths]
        assert [s.code for s in p.weaknesses] == [s.code for s in sw.indicator_weaknesses]


def test_profile_json_says_which_rule_it_used(result_2024):
    from nevindex.insight.profile import profile

    doc = profile(result_2024, "byd", with_levers=False).to_dict()
    sw = doc["standing"][0]
    assert "top third" in sw["rule"] and "bottom third" in sw["rule"]
    assert all(0 <= s["percentile"] <= 100 for s in (*sw["indicator_strengths"], *sw["indicator_weaknesses"]))


@pytest.mark.slow  # the whole demo store built (every demo edition published)
def test_cli_prints_the_rule_and_the_n(run, demo_store_url):
    from nevindex.insight.standing import strengths_weaknesses
    from nevindex.nev.edition import build_edition

    result = build_edition(2024).result  # a rated brand with both a strength and a weakness, whatever the ranking
    brand = next(u for u, r in sorted(zip(result.units, result.rank, strict=True), key=lambda x: x[1])
                 if (sw := strengths_weaknesses(result, u)).indicator_strengths and sw.indicator_weaknesses)
    code, out, err = run("profile", brand, "--edition", "nev-2024", "--db", demo_store_url)
    assert code == 0, err
    assert "top third of the brands scored on that measure" in out
    table = out.split("Strengths and weaknesses")[1].split("rank/n = ")[0]
    rows = [line.split("│")[1:3] for line in table.splitlines() if line.startswith("│")]
    strong = [int(m) for left, _ in rows for m in re.findall(r"pct (\d+)", left)]
    weak = [int(m) for _, right in rows for m in re.findall(r"pct (\d+)", right)]
    assert strong and weak
    assert min(strong) >= 67 and max(weak) <= 33
