"""Every bad survey input: exit 2, the row and column (or setting) named, nothing written."""

from __future__ import annotations

import re

import pytest

from nevindex.store import db as store_db
from nevindex.store import editions

# name → (change to the respondent file, extra arguments, expected message)
BAD_RESPONSES = {
    "answer off the scale": (("r2,byd,CN,2,4,9", "r2,byd,CN,2,7,9"), [],
                             r"row 3, column 'q_sat': answer 7 is off the scale of item 'sat' \(1–5; no-answer codes: 9\)"),
    "answer not a number": (("r5,nio,CN,1,3,10", "r5,nio,CN,1,three,10"), [],
                            r"row 6, column 'q_sat': 'three' is not a number"),
    "NPS answer off its 0–10 scale": (("r6,nio,CN,1,1,0", "r6,nio,CN,1,1,11"), [],
                                      r"row 7, column 'q_rec': answer 11 is off the scale of item 'rec' \(0–10\)"),
    "unknown brand": (("r8,tiny,CN,1,4,9", "r8,tinny,CN,1,4,9"), ["--units", "units.csv"],
                      r"row 9, column 'brand': unknown brand 'tinny'; did you mean 'tiny'\?"),
    "empty brand": (("r8,tiny,CN,1,4,9", "r8,,CN,1,4,9"), [], r"row 9, column 'brand': empty brand code"),
    "duplicate respondent": (("r7,nio", "r1,nio"), [],
                             r"row 8, column 'rid': duplicate respondent 'r1' \(also on row 2\)"),
    "empty respondent id": (("r3,byd", ",byd"), [], r"row 4, column 'rid': empty respondent id"),
    "negative weight": (("r4,byd,EU,0.5", "r4,byd,EU,-0.5"), [], r"row 5, column 'w': negative design weight -0.5"),
    "missing weight": (("r4,byd,EU,0.5", "r4,byd,EU,"), [], r"row 5, column 'w': missing design weight"),
    "weight not a number": (("r4,byd,EU,0.5", "r4,byd,EU,half"), [], r"row 5, column 'w': 'half' is not a number"),
    "missing column": (("rid,brand,market,w,q_sat,q_rec", "rid,brand,market,weight,q_sat,q_rec"), [],
                       r"row 1: no column 'w'"),
}


@pytest.mark.parametrize("case", sorted(BAD_RESPONSES))
def test_bad_respondent_file_exits_2_names_the_cell_and_writes_nothing(tmp_path, case, run, write, responses,
                                                                       survey_spec, units) -> None:
    (old, new), extra, message = BAD_RESPONSES[case]
    assert old in responses
    responses = write(tmp_path, "responses.csv", responses.replace(old, new, 1))
    write(tmp_path, "units.csv", units)
    extra = [tmp_path / a if a.endswith(".csv") else a for a in extra]
    out = tmp_path / "observations.csv"
    code, text = run(["survey", "build", responses, "--spec", write(tmp_path, "s.yaml", survey_spec),
                      "--out", out, *extra])
    flat = " ".join(text.split())
    assert code == 2, text
    assert "Traceback" not in text
    assert re.search(message, flat), flat
    assert not out.exists() and not list(tmp_path.glob(".observations*"))


def test_every_bad_cell_is_counted_and_the_first_ones_listed(tmp_path, run, write, responses, survey_spec) -> None:
    bad = responses.replace("r2,byd,CN,2,4,9", "r2,byd,CN,2,7,9").replace("r6,nio,CN,1,1,0", "r6,nio,CN,1,8,0")
    bad = bad.replace("r4,byd,EU,0.5", "r4,byd,EU,-1")
    code, text = run(["survey", "build", write(tmp_path, "r.csv", bad), "--spec",
                      write(tmp_path, "s.yaml", survey_spec), "--out", tmp_path / "o.csv"])
    flat = " ".join(text.split())
    assert code == 2
    assert "3 problems in all" in flat
    assert "row 7 column 'q_sat': answer 8 is off the scale" in flat and "row 5 column 'w'" in flat


def test_unknown_brand_against_the_store_units(tmp_path, run, write, responses, survey_spec) -> None:
    db = tmp_path / "store.db"
    data = write(tmp_path, "data.csv", "brand_id,year,x1\nbyd,2024,1\nnio,2024,2\n")
    assert run(["data", "import", data, "--db", db, "--label", "units2024"])[0] == 0
    out = tmp_path / "o.csv"
    code, text = run(["survey", "build", write(tmp_path, "r.csv", responses), "--spec",
                      write(tmp_path, "s.yaml", survey_spec), "--out", out, "--dataset", "units2024", "--db", db])
    assert code == 2 and "row 9, column 'brand': unknown brand 'tiny'" in " ".join(text.split())
    assert not out.exists()
    store = store_db.open_store(str(db))
    try:
        assert [d.label for d in editions.list_datasets(store)] == ["units2024"]
    finally:
        store.close()


BAD_SPECS = {
    "typo in a key": (("minimum_effective_n: 2.5", "minimum_efective_n: 2.5"),
                      r"setting 'minimum_efective_n': unknown setting 'minimum_efective_n' \(did you mean 'minimum_effective_n'\?\)"),
    "typo in an indicator key": (("{code: cx_sat, item: sat, statistic: mean}",
                                  "{code: cx_sat, iteem: sat, statistic: mean}"),
                                 r"setting 'indicators.0.iteem': unknown setting 'iteem' \(did you mean 'item'\?\)"),
    "unknown item": (("{code: cx_sat, item: sat,", "{code: cx_sat, item: satt,"),
                     r"unknown item 'satt'; did you mean 'sat'\?"),
    "unknown statistic": (("item: sat, statistic: mean", "item: sat, statistic: average"),
                          r"setting 'indicators.0.statistic': Input should be 'mean', 'top_box', 'share' or 'nps'"),
    "NPS on a 1–5 item": (("{code: cx_nps, item: rec,", "{code: cx_nps, item: sat,"),
                          r"NPS needs a 0–10 scale; item 'sat' has 1–5"),
    "top box too wide": (("top_box, k: 2", "top_box, k: 5"), r"k = 5 must be between 1 and 4"),
    "top box without k": (("statistic: top_box, k: 2", "statistic: top_box"), r"statistic top_box needs 'k'"),
    "share of an answer off the scale": (("answers: [1, 2]", "answers: [1, 7]"),
                                         r"answer 7 is not on the scale of item 'sat'"),
    "duplicate indicator": (("{code: cx_sat_low,", "{code: cx_sat,"), r"indicator code 'cx_sat' is declared twice"),
    "code with a space": (("code: cx-test", "code: cx test"),
                          r"setting 'survey.code': code 'cx test' must start with a letter"),
    "year as text": (("year: 2024", "year: '2024'"), r"setting 'survey.year': Input should be a valid integer"),
    "minimum below 2": (("minimum_effective_n: 2.5", "minimum_effective_n: 1"),
                        r"setting 'minimum_effective_n': Input should be greater than or equal to 2"),
    "missing code on the scale": (("missing_codes: [9]", "missing_codes: [5]"),
                                  r"missing code 5 is also an answer on the scale"),
}


@pytest.mark.parametrize("case", sorted(BAD_SPECS))
def test_bad_spec_exits_2_naming_the_setting(tmp_path, case, run, write, responses, survey_spec) -> None:
    (old, new), message = BAD_SPECS[case]
    assert old in survey_spec
    out = tmp_path / "o.csv"
    code, text = run(["survey", "build", write(tmp_path, "r.csv", responses), "--spec",
                      write(tmp_path, "survey.yaml", survey_spec.replace(old, new, 1)), "--out", out])
    flat = " ".join(text.split())
    assert code == 2, text
    assert "survey.yaml" in flat and re.search(message, flat), flat
    assert not out.exists()


def test_a_selected_market_nobody_is_in_is_an_error(tmp_path, run, write, responses, survey_spec) -> None:
    out = tmp_path / "o.csv"
    code, text = run(["survey", "build", write(tmp_path, "r.csv", responses), "--spec",
                      write(tmp_path, "s.yaml", survey_spec.replace("markets: [EU]", "markets: [eu]")), "--out", out])
    flat = " ".join(text.split())
    assert code == 2
    assert "r.csv, column 'market': no respondent is in market 'eu', which indicator 'cx_nps_eu' selects " \
           "→ markets in the file: CN, EU" in flat, flat
    assert not out.exists()
