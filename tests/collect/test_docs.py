"""docs/collection.md is true: the worked example runs as written and says what it produces;
the spec examples validate and build."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pandas as pd
import pytest
import yaml

from nevindex.cli import main
from nevindex.collect import estimate_survey, read_survey
from nevindex.collect._spec import validate
from nevindex.collect.panel_spec import PanelSpec
from nevindex.collect.survey_spec import SurveySpec
from nevindex.collect.synth import synthetic_survey
from nevindex.store import db as store_db
from nevindex.store import editions

DOC = (Path(__file__).resolve().parents[2] / "docs" / "collection.md").read_text(encoding="utf-8")
EXAMPLE = DOC.split("## A worked example", 1)[1]
COMMANDS = re.search(r"```bash\n(.*?)```", EXAMPLE, flags=re.S).group(1).strip().splitlines()
YAML = re.findall(r"```yaml\n(.*?)```", DOC, flags=re.S)


@pytest.mark.slow  # end to end: the documented worked example
def test_worked_example_runs_and_matches_its_description(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEVINDEX_DB", str(tmp_path / "store.db"))
    assert len(COMMANDS) == 6
    for line in COMMANDS:
        args = shlex.split(line)
        assert args[0] == "nevindex"
        assert main(args[1:]) == 0, line
    survey = pd.read_csv("primary/survey-observations.csv")
    assert len(survey) == 60 and survey.value.isna().sum() == 6  # "60 rows, 6 of them missing"
    assert survey[survey.brand_id == "syn-b12"].value.isna().all()  # the thin twelfth brand
    header = re.search(r"starts with these columns:\n\n```\n(.*?)\n```", EXAMPLE, flags=re.S).group(1)
    assert header == ",".join(survey.columns)
    raters = pd.read_csv("primary/raters.csv")
    assert set(raters[raters.flagged == "yes"].expert) == {"syn-expert-08"}  # the erratic last expert
    store = store_db.open_store(str(tmp_path / "store.db"))
    try:
        stored = {d.label: d.n_observations for d in editions.list_datasets(store)}
    finally:
        store.close()
    assert stored == {"synthetic-survey-2025": 54, "synthetic-panel-2025": 36}  # "54 + 36 observed values"


def test_survey_spec_example_validates_and_builds(tmp_path) -> None:
    spec = validate(SurveySpec, yaml.safe_load(YAML[0]), source="docs")
    assert spec.indicator_codes[-1] == "cx_nps_cn" and spec.items["satisfaction"].column == "q12"
    frame, _ = synthetic_survey(units=4, respondents=80, seed=1)
    frame.rename(columns={"satisfaction": "q12"}).to_csv(tmp_path / "responses.csv", index=False)
    obs = estimate_survey(spec, read_survey(tmp_path / "responses.csv", spec)).observations()
    assert len(obs) == 4 * 5 and set(obs.source_organisation) == {"China Brand Evaluation Center"}


def test_panel_spec_example_validates() -> None:
    spec = validate(PanelSpec, yaml.safe_load(YAML[1]), source="docs")
    assert spec.consensus.trim == 0.2 and spec.criteria["after_sales"].indicator == "exp_after_sales"
