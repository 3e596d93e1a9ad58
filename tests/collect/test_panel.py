"""Expert panels: agreement against textbook tables and scipy, consensus and flags by hand, the CLI, bad input."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from nevindex.collect import estimate_panel, load_panel_spec, read_panel
from nevindex.collect.panel_stats import agreement, consensus, leave_one_out_deviation
from nevindex.store import db as store_db
from nevindex.store import editions

# Shrout & Fleiss (1979), Table 2: six targets rated by four judges.
SHROUT_FLEISS = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]],
                         dtype=float)


def mean_squares(x: np.ndarray) -> tuple[float, float, float]:
    """Two-way ANOVA by hand: between targets (BMS), between judges (JMS), residual (EMS)."""
    n, k = x.shape
    grand = x.mean()
    ss_rows = k * ((x.mean(axis=1) - grand) ** 2).sum()
    ss_cols = n * ((x.mean(axis=0) - grand) ** 2).sum()
    ss_err = ((x - grand) ** 2).sum() - ss_rows - ss_cols
    return ss_rows / (n - 1), ss_cols / (k - 1), ss_err / ((n - 1) * (k - 1))


def test_icc2k_on_shrout_fleiss_table() -> None:
    bms, jms, ems = mean_squares(SHROUT_FLEISS)
    assert (round(bms, 2), round(jms, 2), round(ems, 2)) == (11.24, 32.49, 1.02)  # as published
    n, k = SHROUT_FLEISS.shape
    icc2k = (bms - ems) / (bms + (jms - ems) / n)
    assert round(icc2k, 2) == 0.62  # Shrout & Fleiss: ICC(2,k) = .62
    result = agreement(SHROUT_FLEISS)
    assert result.icc2k == pytest.approx(icc2k, abs=1e-12)
    assert (result.brands, result.raters) == (6, 4)


def test_icc2k_interval_equals_mcgraw_wong() -> None:
    """McGraw & Wong (1996), ICC(A,k): F bounds with Satterthwaite's df from the single-rater ICC(A,1)."""
    x = SHROUT_FLEISS
    n, k = x.shape
    msr, msc, mse = mean_squares(x)
    rho = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
    a, b = k * rho / (n * (1 - rho)), 1 + k * rho * (n - 1) / (n * (1 - rho))
    v = (a * msc + b * mse) ** 2 / ((a * msc) ** 2 / (k - 1) + (b * mse) ** 2 / ((n - 1) * (k - 1)))
    f_low, f_high = stats.f.ppf(0.975, n - 1, v), stats.f.ppf(0.975, v, n - 1)
    lower = n * (msr - f_low * mse) / (f_low * (msc - mse) + n * msr)
    upper = n * (f_high * msr - mse) / (msc - mse + n * f_high * msr)
    result = agreement(x)
    assert (result.icc2k_low, result.icc2k_high) == pytest.approx((lower, upper), rel=1e-10)
    assert result.icc2k_low < result.icc2k < result.icc2k_high


def test_kendall_w_by_hand_without_and_with_ties() -> None:
    # three experts rank four brands; columns are experts
    no_ties = np.array([[1, 2, 3, 4], [1, 3, 2, 4], [2, 1, 3, 4]], dtype=float).T
    assert agreement(no_ties).kendall_w == pytest.approx(7 / 9)  # 12·S / (m²(n³ − n)), S = 35
    ties = np.array([[1, 1, 3, 4], [1, 3, 2, 4], [2, 1, 3, 3]], dtype=float).T
    # S = 30; Σ(t³ − t) = 6 + 6: W = 12·30 / (9·60 − 3·12)
    assert agreement(ties).kendall_w == pytest.approx(360 / 504)


def test_kendall_w_equals_scipy_friedman() -> None:
    rng = np.random.default_rng(11)
    scores = np.clip(np.rint(rng.normal(6, 2, (12, 5)) + np.arange(12)[:, None] * 0.3), 1, 10)  # ties included
    q = stats.friedmanchisquare(*scores).statistic  # one sample per brand, blocks = experts; tie-corrected
    m, n = scores.shape[1], scores.shape[0]
    assert agreement(scores).kendall_w == pytest.approx(q / (m * (n - 1)), rel=1e-10)


def test_agreement_is_undefined_when_too_small_or_constant() -> None:
    one_brand = agreement(np.array([[3.0, 4.0, 5.0]]))
    assert math.isnan(one_brand.icc2k) and "at least 2 brands" in one_brand.note
    constant = agreement(np.full((4, 3), 7.0))
    assert math.isnan(constant.kendall_w) and "the same" in constant.note


def test_consensus_median_and_trimmed_mean() -> None:
    scores = np.array([[1, 5, 6, 7, 10], [2, 2, 9, np.nan, np.nan]], dtype=float)
    assert consensus(scores, "median").tolist() == [6.0, 2.0]
    assert consensus(scores, "trimmed_mean", 0.2).tolist() == pytest.approx([6.0, 13 / 3])  # ⌊0.2·5⌋ = 1 cut


def test_leave_one_out_deviation_by_hand(panel_scores) -> None:
    scores = np.array(list(panel_scores["design"].values()), dtype=float).T  # brands × experts A, B, C, D
    dev = leave_one_out_deviation(scores, "median")
    assert dev.tolist() == pytest.approx([0.0, 0.0, 0.0, 13 / 3])  # D: |10−5| + |1−6| + |10−7| over 3


@pytest.fixture()
def panel(tmp_path, write, panel_spec, ratings):
    return write(tmp_path, "ratings.csv", ratings), write(tmp_path, "panel.yaml", panel_spec)


def test_panel_values_flags_and_minimum_raters(panel) -> None:
    spec = load_panel_spec(panel[1])
    est = estimate_panel(spec, read_panel(panel[0], spec))
    frame = est.observations().set_index(["brand_id", "indicator_id"])
    assert frame.loc[("b1", "exp_design"), "value"] == 5.0  # median of 5, 5, 5, 10
    assert frame.loc[("b1", "exp_safety"), "value"] == 8.0  # median of 8, 7, 8, 9
    b4 = frame.loc[("b4", "exp_safety")]
    assert math.isnan(b4.value) and b4.missing_reason == "rated by 2 expert(s), below the minimum 3"
    assert b4.experts == "A;B" and b4.n_experts == 2
    assert frame.loc[("b1", "exp_design"), "flagged_experts"] == "D"
    assert frame.loc[("b1", "exp_safety"), "flagged_experts"] == ""
    assert frame.loc[("b2", "exp_safety"), "agreement_brands"] == 3  # b4 is not rated by every expert
    raters = est.rater_table().set_index(["criterion", "expert"])
    assert raters.loc[("design", "D"), "deviation_share"] == pytest.approx(13 / 27)
    assert raters.loc[("design", "D"), "flagged"] == "yes" and raters.loc[("design", "A"), "flagged"] == "no"


def test_cli_panel_build_then_data_import(panel, tmp_path, run, panel_scores) -> None:
    out, raters = tmp_path / "observations.csv", tmp_path / "raters.csv"
    code, text = run(["panel", "build", panel[0], "--spec", panel[1], "--out", out, "--raters", raters])
    assert code == 0, text
    assert pd.read_csv(raters).shape[0] == 2 * 4
    db = tmp_path / "store.db"
    assert run(["data", "import", out, "--db", db])[0] == 0
    store = store_db.open_store(str(db))
    try:
        ds = editions.get_dataset(store, "observations")
    finally:
        store.close()
    prov = ds.provenance.set_index(["unit", "column"]).loc[("b2", "exp_design")]
    assert prov["collection"] == "panel" and prov["experts"] == "A;B;C;D" and prov["flagged_experts"] == "D"
    design = np.array(list(panel_scores["design"].values()), dtype=float).T
    assert float(prov["icc2k"]) == pytest.approx(agreement(design).icc2k)


BAD_RATINGS = {
    "unknown criterion": (("A,b1,design,5", "A,b1,desing,5"), [],
                          r"row 2, column 'criterion': unknown criterion 'desing'; did you mean 'design'\?"),
    "score off the scale": (("A,b1,design,5", "A,b1,design,11"), [],
                            r"row 2, column 'score': score 11 is off the scale \(1–10\)"),
    "empty score": (("A,b1,design,5", "A,b1,design,"), [], r"row 2, column 'score': empty score"),
    "score not a number": (("A,b1,design,5", "A,b1,design,five"), [], r"row 2, column 'score': 'five' is not a number"),
    "duplicate rating": (("A,b2,design,6", "A,b1,design,6"), [],
                         r"row 3, column 'expert': expert 'A' rated brand 'b1' on 'design' twice \(also on row 2\)"),
    "empty expert": (("A,b1,design,5", ",b1,design,5"), [], r"row 2, column 'expert': empty expert id"),
    "unknown brand": (("A,b1,design,5", "A,b9,design,5"), ["--units", "units.csv"],
                      r"row 2, column 'brand': unknown brand 'b9'"),
    "missing column": (("expert,brand,criterion,score", "expert,brand,criterion,rating"), [],
                       r"row 1: no column 'score'"),
}


@pytest.mark.parametrize("case", sorted(BAD_RATINGS))
def test_bad_ratings_exit_2_name_the_cell_and_write_nothing(tmp_path, case, run, write, units, panel_spec,
                                                            ratings) -> None:
    (old, new), extra, message = BAD_RATINGS[case]
    assert old in ratings
    write(tmp_path, "units.csv", units.replace("byd", "b1").replace("nio", "b2").replace("tiny", "b3") + "b4,B4\n")
    extra = [tmp_path / a if a.endswith(".csv") else a for a in extra]
    out = tmp_path / "o.csv"
    code, text = run(["panel", "build", write(tmp_path, "r.csv", ratings.replace(old, new, 1)), "--spec",
                      write(tmp_path, "p.yaml", panel_spec), "--out", out, "--raters", tmp_path / "raters.csv",
                      *extra])
    flat = " ".join(text.split())
    assert code == 2, text
    assert "Traceback" not in text and re.search(message, flat), flat
    assert not out.exists() and not (tmp_path / "raters.csv").exists()


BAD_PANEL_SPECS = {
    "trimmed mean without its trim": (("{method: median}", "{method: trimmed_mean}"),
                                      r"setting 'consensus': trimmed_mean needs 'trim'"),
    "unknown consensus rule": (("{method: median}", "{method: mean}"),
                               r"setting 'consensus.method': Input should be 'median' or 'trimmed_mean'"),
    "trim of half or more": (("{method: median}", "{method: trimmed_mean, trim: 0.5}"),
                             r"setting 'consensus.trim': Input should be less than 0.5"),
    "two criteria, one indicator": (("{indicator: exp_safety}", "{indicator: exp_design}"),
                                    r"indicator code 'exp_design' is given to two criteria"),
    "typo": (("minimum_raters: 3", "minimum_rater: 3"),
             r"setting 'minimum_rater': unknown setting 'minimum_rater' \(did you mean 'minimum_raters'\?\)"),
}


@pytest.mark.parametrize("case", sorted(BAD_PANEL_SPECS))
def test_bad_panel_spec_exits_2_naming_the_setting(tmp_path, case, run, write, panel_spec, ratings) -> None:
    (old, new), message = BAD_PANEL_SPECS[case]
    assert old in panel_spec
    out = tmp_path / "o.csv"
    code, text = run(["panel", "build", write(tmp_path, "r.csv", ratings), "--spec",
                      write(tmp_path, "panel.yaml", panel_spec.replace(old, new, 1)), "--out", out])
    flat = " ".join(text.split())
    assert code == 2 and re.search(message, flat), flat
    assert not out.exists()
