"""`survey build`: hand-checked indicators, the observations layout, CSV = XLSX = SPSS, and the store import."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from nevindex.collect import bootstrap_survey, estimate_survey, load_survey_spec, read_survey
from nevindex.store import db as store_db
from nevindex.store import editions


@pytest.fixture()
def survey(tmp_path, write, responses, survey_spec):
    return write(tmp_path, "responses.csv", responses), write(tmp_path, "survey.yaml", survey_spec)


def _table(responses, spec_path) -> dict[tuple[str, str], float]:
    spec = load_survey_spec(spec_path)
    frame = estimate_survey(spec, read_survey(responses, spec)).observations()
    return {(r.brand_id, r.indicator_id): r.value for r in frame.itertuples()}


def test_indicators_equal_hand_computations(survey) -> None:
    values = _table(*survey)
    assert values[("byd", "cx_sat")] == pytest.approx((5 * 1 + 4 * 2 + 2 * 1) / 4)  # r4 answered 9 = no answer
    assert values[("byd", "cx_sat_t2b")] == pytest.approx(100 * 3 / 4)
    assert values[("byd", "cx_sat_low")] == pytest.approx(100 * 1 / 4)
    assert values[("byd", "cx_nps")] == pytest.approx(100 * (3 - 1) / 4.5)
    assert values[("nio", "cx_sat")] == pytest.approx(3.0)
    assert values[("nio", "cx_nps")] == pytest.approx(0.0)
    assert values[("nio", "cx_sat_t2b")] == pytest.approx(100 / 3)
    for code in ("cx_sat", "cx_nps"):
        assert math.isnan(values[("tiny", code)])  # Kish n = 2 < 2.5
    assert math.isnan(values[("nio", "cx_nps_eu")])  # no EU respondent


def test_observations_carry_sampling_statistics_and_reasons(survey) -> None:
    spec = load_survey_spec(survey[1])
    frame = estimate_survey(spec, read_survey(survey[0], spec)).observations()
    assert list(frame.columns[:5]) == ["brand_id", "year", "indicator_id", "value", "unit"]
    byd = frame.set_index(["brand_id", "indicator_id"]).loc["byd"]
    rec = byd.loc["cx_nps"]
    assert rec.n == 4 and rec.n_effective == pytest.approx(4.5**2 / 6.25)
    assert rec.ci_low < rec.value < rec.ci_high and rec.se > 0
    assert byd.loc["cx_sat", "n"] == 3 and byd.loc["cx_sat", "markets"] == "CN 2; EU 1"
    assert byd.loc["cx_nps_eu", "markets"] == "EU 2"
    tiny = frame[(frame.brand_id == "tiny") & (frame.indicator_id == "cx_sat")].iloc[0]
    assert tiny.missing_reason == "effective sample 2.0 (n = 2) is below the minimum 2.5"
    assert math.isnan(tiny.se) and tiny.n == 2
    no_eu = frame[(frame.brand_id == "nio") & (frame.indicator_id == "cx_nps_eu")].iloc[0]
    assert no_eu.missing_reason.startswith("no respondent of this brand answered")
    assert set(frame.collection) == {"survey"} and set(frame.synthetic) == {"no"}
    assert set(frame.source_title) == {"Owner survey 2024"} and set(frame.year) == {2024}
    assert byd.loc["cx_sat", "unit"] == "mean score (1–5)" and byd.loc["cx_nps", "unit"].startswith("NPS points")


def test_xlsx_and_spss_give_the_same_numbers(survey, tmp_path) -> None:
    import pyreadstat

    frame = pd.read_csv(survey[0])
    frame.to_excel(tmp_path / "responses.xlsx", index=False)
    # SPSS the usual way: brand as numeric codes with value labels, 9 declared user-missing
    sav = frame.assign(brand=frame.brand.map({"byd": 1, "nio": 2, "tiny": 3}))
    pyreadstat.write_sav(sav, str(tmp_path / "responses.sav"),
                         variable_value_labels={"brand": {1: "byd", 2: "nio", 3: "tiny"}},
                         missing_ranges={"q_sat": [9]})
    csv = _table(*survey)
    for name in ("responses.xlsx", "responses.sav"):
        other = _table(tmp_path / name, survey[1])
        assert other.keys() == csv.keys()
        for key, value in csv.items():
            assert other[key] == pytest.approx(value, nan_ok=True), (name, key)


def test_bootstrap_survey_leaves_suppressed_cells_missing(survey) -> None:
    spec = load_survey_spec(survey[1])
    data = read_survey(survey[0], spec)
    reps = bootstrap_survey(spec, data, 30, np.random.default_rng(1))
    assert reps.shape == (30, 3, 5)
    assert np.isnan(reps[:, data.brands.index("tiny")]).all()
    nio = data.brands.index("nio")
    assert np.isfinite(reps[:, nio, 0]).all() and reps[:, nio, 0].std() > 0


def test_cli_build_then_data_import_keeps_the_provenance(survey, tmp_path, run) -> None:
    out = tmp_path / "observations.csv"
    code, text = run(["survey", "build", survey[0], "--spec", survey[1], "--out", out])
    assert code == 0, text
    assert "wrote 15 observations (7 missing, with reasons)" in " ".join(text.split())
    db = tmp_path / "store.db"
    code, text = run(["data", "import", out, "--db", db])
    assert code == 0, text
    store = store_db.open_store(str(db))
    try:
        ds = editions.get_dataset(store, "observations")
    finally:
        store.close()
    assert set(ds.units) == {"byd", "nio", "tiny"} and ds.years == (2024,)
    assert ds.values[0, ds.units.index("byd"), ds.columns.index("cx_sat")] == pytest.approx(3.75)
    prov = ds.provenance.set_index(["unit", "column"]).loc[("byd", "cx_nps")]
    assert prov["collection"] == "survey" and prov["n"] == "4" and float(prov["se"]) > 0
    assert {"n_effective", "ci_low", "ci_high", "method", "input_sha256"} <= set(ds.provenance.columns)
    assert json.dumps(prov.to_dict(), default=str)  # provenance is plain data
