"""The survey-sampling factor: rank intervals that include sampling error, and its Sobol' share.

Checked against closed forms and independent computations: with 100,000 respondents per brand the
sampling error is negligible, so intervals collapse onto the nominal ranks and the factor's total
Sobol' index vanishes; with 30 they widen; the bootstrap standard error of a weighted mean agrees
with statsmodels' linearised (HC1) one; the batched shortcut equals one build() per run.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import statsmodels.api as sm

from nevindex.audit import run_audit
from nevindex.audit.resampled import redrawn_dataset
from nevindex.audit.sampling import replicate_columns
from nevindex.audit.spec import resolve_variables, sampled_design, spec_from_mapping
from nevindex.audit.uncertainty import SURVEY_REPLICATE, evaluate, runs_frame
from nevindex.build import aggregate_tree, build
from nevindex.errors import DataError, RecipeError

from .survey_case import SHUFFLED, SURVEY_CODES, dataset, framework, respondents

HUGE = 100_000


@pytest.fixture(scope="module")
def huge():
    sample = respondents(HUGE, brands=6, seed=11)
    return sample, dataset(sample)


@pytest.fixture(scope="module")
def small_n():
    sample = respondents(30, brands=6, seed=11)
    return sample, dataset(sample)


def _audit(case, spec):  # noqa: ANN001, ANN202
    sample, ds = case
    fw = framework()
    return run_audit(fw, ds, fw.recipe, spec, survey=sample)


SAMPLING_ONLY = {"runs": 40, "seed": 5, "survey_sampling": {"replicates": 40}}


@pytest.mark.slow
def test_huge_samples_collapse_onto_the_nominal_ranks_and_n30_widens(huge, small_n) -> None:
    big = _audit(huge, SAMPLING_ONLY).rank_intervals()
    assert (big.q05_rank == big.nominal_rank).all() and (big.q95_rank == big.nominal_rank).all()
    assert (big.interval_width == 0).all()
    few = _audit(small_n, SAMPLING_ONLY).rank_intervals()
    # same brands, same seed: only the sample size differs, and 30 respondents leave real error
    assert few.interval_width.sum() > big.interval_width.sum()
    assert (few.interval_width > 0).sum() >= 2  # a rank can only move if another one moves too
    # the score intervals shrink with the sample too: the spread of index scores per brand
    assert (few.q95_score - few.q05_score).mean() > (big.q95_score - big.q05_score).mean()


@pytest.mark.slow
def test_sobol_total_index_of_sampling_vanishes_with_a_huge_sample(huge, small_n) -> None:
    """A second factor, arithmetic or geometric aggregation, moves four brands' ranks (public data in
    another order than the survey's). With a huge sample no two index scores come near each other
    in either alternative (gaps over 1.5 points against a sampling error of ≈0.1), so the rank
    shift does not depend on the sampling variable at all and Jansen's total index is 0 to
    rounding; with 30 respondents sampling moves ranks, and its index is clearly above zero."""
    spec = {"runs": 16, "seed": 5, "survey_sampling": {"replicates": 40},
            "factors": [{"address": "aggregate.method", "alternatives": ["arithmetic", "geometric"]}],
            "sensitivity": {"n": 64, "bootstrap": 100}}

    def indices(case):  # noqa: ANN001, ANN202
        sample = case[0]
        ds = dataset(sample, public_order=SHUFFLED)
        fw = framework()
        recipe = fw.recipe.with_settings({"normalise.params": {"lower": 1, "upper": 100}})
        return run_audit(fw, ds, recipe, spec, survey=sample).sensitivity.indices.set_index("factor")

    big, few = indices(huge), indices(small_n)
    assert list(big.index) == ["aggregate.method", "survey sampling"]
    assert big.loc["survey sampling", "ST"] == pytest.approx(0.0, abs=1e-9)
    assert big.loc["aggregate.method", "ST"] == pytest.approx(1.0, abs=1e-9)  # all the variance
    assert few.loc["survey sampling", "ST"] > big.loc["survey sampling", "ST"] + 0.05
    assert few.loc["survey sampling", "ST_low"] > 0  # the whole bootstrap interval is above zero


def test_bootstrap_standard_error_agrees_with_statsmodels() -> None:
    """Per brand and indicator, the spread of 4,000 replicates against the HC1 standard error of a
    weighted least-squares fit of the score on a constant (statsmodels), which is the linearised
    variance of the ratio Σwy/Σw. The bootstrap has no n/(n−1) factor, so the expectation is
    se·√((n−1)/n). Tolerance: the sampling error of a standard deviation from B draws is
    ≈ 1/√(2(B−1)) = 1.1 % relative; 5 % is four and a half of those (24 comparisons), plus the
    O(1/n) nonlinearity of the ratio at n ≈ 400, which is far smaller."""
    sample = respondents(400, brands=4, seed=2)
    ds = dataset(sample)
    b = 4000
    cols = replicate_columns(sample, ds, framework(), 2025, replicates=b, rng=np.random.default_rng(8))
    assert cols.codes == SURVEY_CODES and cols.values.shape == (b, 4, 3)
    ratios = []
    for brand in range(4):
        for k in range(3):
            keep = (sample.group == brand) & ~np.isnan(sample.scores[:, k])
            y, w = sample.scores[keep, k], sample.weights[keep]
            fit = sm.WLS(y, np.ones((y.size, 1)), weights=w).fit(cov_type="HC1")
            assert fit.params[0] == pytest.approx(sample.estimates[brand, k], rel=1e-12)
            expected = fit.bse[0] * math.sqrt((y.size - 1) / y.size)
            ratios.append(cols.values[:, brand, k].std(ddof=1) / expected)
    assert max(abs(r - 1) for r in ratios) < 0.05
    assert abs(np.mean(ratios) - 1) < 0.02  # the average of 24 ratios is tighter still


def test_seeded_and_reproducible(small_n) -> None:
    a = _audit(small_n, SAMPLING_ONLY)
    b = _audit(small_n, SAMPLING_ONLY)
    np.testing.assert_array_equal(a.uncertainty.ranks, b.uncertainty.ranks)
    np.testing.assert_array_equal(a.uncertainty.scores, b.uncertainty.scores)
    other = _audit(small_n, {**SAMPLING_ONLY, "survey_sampling": {"replicates": 40, "seed": 99}})
    assert not np.array_equal(a.uncertainty.scores, other.uncertainty.scores)
    runs = runs_frame(a.uncertainty)
    assert runs[SURVEY_REPLICATE].between(1, 40).all() and runs[SURVEY_REPLICATE].nunique() > 10
    assert a.uncertainty.stats["survey_replicates"] == 40 and a.uncertainty.stats["survey_runs_built"] == 0


RECIPES = {
    "default": {},
    "impute, winsorise, z-scores": {"impute.method": "median", "treat.method": "winsorise",
                                    "normalise.method": "zscore", "normalise.params": {}},
    "ranks, geometric": {"normalise.method": "minmax", "normalise.params": {"lower": 1, "upper": 100},
                         "aggregate.method": "geometric", "impute.method": "mean"},
    "group imputation": {"impute.method": "mean_group", "impute.group": "region"},
    "pca weights (built per run)": {"weights.method": "pca", "impute.method": "median"},
    "screen by non-zero share": {"screen.method": "coverage", "screen.min_nonzero": 0.9},
}


@pytest.mark.parametrize("name", list(RECIPES))
def test_the_batched_runs_equal_one_build_per_run(name: str) -> None:
    """Every run of the engine (weights perturbed too) against build() on that run's redrawn data,
    aggregated with the weights the run used."""
    sample = respondents(30, brands=6, seed=4, suppress=True)
    ds = dataset(sample, gaps=True)
    fw = framework()
    recipe = fw.recipe.with_settings(RECIPES[name]) if RECIPES[name] else fw.recipe
    spec = spec_from_mapping({"runs": 25, "seed": 2, "weight_noise": [{"level": 2, "f": 0.3}],
                              "survey_sampling": {"replicates": 12}})
    sampling = replicate_columns(sample, ds, fw, 2025, replicates=12, rng=np.random.default_rng(3))
    design = sampled_design(resolve_variables(spec, fw, recipe), spec.runs, spec.seed)
    ev = evaluate(fw, ds, recipe, design, sampling=sampling)
    assert (ev.stats["survey_runs_built"] == 25) == name.endswith("(built per run)")
    if name.startswith("screen"):  # a redrawn top-2-box share of 0 % changes who passes: those runs are built
        zero = (redrawn := sampling.values[design.replicate][:, :, 1]) == 0
        crossed = (zero != (ds.values[0][:, 1] == 0)[None]).any(axis=1)
        assert 0 < ev.stats["survey_runs_built"] == crossed.sum() < 25, redrawn.min()
    for r in range(design.runs):
        res = build(fw, redrawn_dataset(ds, sampling, int(design.replicate[r])), recipe)
        if recipe.weights.method != "pca":  # data-driven weights are the run's own: compare those
            base = np.array([res.weights[n] for n in design.nodes])
            np.testing.assert_allclose(ev.weights[r], base * design.multipliers[r], rtol=1e-12)
        w = {n: ev.weights[r, k] for k, n in enumerate(design.nodes)}
        choices = {c: recipe.aggregate.choice_for(c, fw.levels[c]) for c in fw.aggregate_codes}
        root = aggregate_tree(fw, res.normalised, w, choices, observed=~np.isnan(res.screened))[fw.root]
        expected = np.full(len(ev.units), np.nan)  # a unit screened out in this run is unscored in it
        expected[[ev.units.index(u) for u in res.units]] = root
        np.testing.assert_allclose(ev.scores[r], expected, rtol=1e-9, atol=1e-9, err_msg=f"run {r + 1}")


def test_suppressed_cells_stay_missing_and_other_values_are_redrawn() -> None:
    sample = respondents(30, brands=6, seed=4, suppress=True)
    ds = dataset(sample, gaps=True)
    cols = replicate_columns(sample, ds, framework(), 2025, replicates=50, rng=np.random.default_rng(1))
    nps = cols.values[:, :, 2]
    assert np.isnan(nps[:, -1]).all()  # the suppressed brand: no number in any replicate
    assert (nps[:, :-1].std(axis=0) > 0).all()
    assert np.isfinite(cols.values[:, :, :2]).all()


# --- declared, validated, refused ---------------------------------------------------------------


def test_spec_keys_are_validated_with_did_you_mean() -> None:
    with pytest.raises(RecipeError, match="did you mean 'survey_sampling'"):
        spec_from_mapping({"survey_samplig": {}})
    with pytest.raises(RecipeError, match="did you mean 'replicates'"):
        spec_from_mapping({"survey_sampling": {"replicate": 100}})
    with pytest.raises(RecipeError, match="replicates"):
        spec_from_mapping({"survey_sampling": {"replicates": 3}})
    with pytest.raises(RecipeError, match="exclude each other"):
        spec_from_mapping({"design": "runs.csv", "survey_sampling": {}})
    with pytest.raises(RecipeError, match="used twice"):
        spec_from_mapping({"weight_noise": [{"level": 1, "name": "survey sampling"}], "survey_sampling": {}})


def test_unknown_indicator_is_named_with_the_nearest(small_n) -> None:
    with pytest.raises(RecipeError, match="(?s)'cx_satt' is not an indicator of the survey.*did you mean 'cx_sat'"):
        _audit(small_n, {"runs": 5, "survey_sampling": {"indicators": ["cx_satt"]}})
    only = _audit(small_n, {"runs": 5, "survey_sampling": {"indicators": ["cx_nps"], "replicates": 10}})
    assert only.uncertainty.stats["survey_indicators"] == ["cx_nps"]


def test_respondents_and_factor_go_together(small_n) -> None:
    sample, ds = small_n
    fw = framework()
    with pytest.raises(RecipeError, match="no respondent data were given"):
        run_audit(fw, ds, fw.recipe, SAMPLING_ONLY)
    with pytest.raises(RecipeError, match="declares no survey-sampling factor"):
        run_audit(fw, ds, fw.recipe, {"runs": 5}, survey=sample)
    with pytest.raises(RecipeError, match="no uncertainty spec"):
        run_audit(fw, ds, fw.recipe, None, survey=sample)


def test_data_that_are_not_the_surveys_numbers_are_refused(small_n) -> None:
    sample, ds = small_n
    fw = framework()
    other = ds.with_value("B02", "cx_sat", float(sample.estimates[2, 0]) + 0.01)
    with pytest.raises(DataError, match=r"brand 'B02', indicator 'cx_sat' \(2025\): the survey gives") as err:
        run_audit(fw, other, fw.recipe, SAMPLING_ONLY, survey=sample)
    assert err.value.file == "responses.csv"
    stray = dataset(respondents(30, brands=7, seed=11))  # a seventh unit with values but no respondents here
    with pytest.raises(DataError, match="unit 'B06' has a value of survey indicator 'cx_sat'"):
        run_audit(fw, stray, fw.recipe, SAMPLING_ONLY, survey=sample)


def test_a_brand_that_is_not_a_unit_is_named(small_n) -> None:
    sample, _ = small_n
    ds = dataset(respondents(30, brands=5, seed=11))
    with pytest.raises(DataError, match="survey brand 'B05' is not a unit"):
        run_audit(framework(), ds, framework().recipe, SAMPLING_ONLY, survey=sample)
