"""``nevindex audit --survey … --survey-spec …``: the survey-sampling factor from files, end to end.

A SYNTHETIC survey (``nevindex synth survey``) of eight brands; the data set holds its estimates
(as ``survey build`` writes them) next to two public indicators. The audit redraws the survey
indicators per run; errors exit 2 with the fix named.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from nevindex.cli import main
from nevindex.collect import estimate_survey, load_survey_spec, read_survey, respondent_scores
from nevindex.collect.synth import write_synthetic_survey
from nevindex.framework import framework_from_mapping

BRANDS = [f"brand-{c}" for c in "abcdefgh"]
SURVEYED = ("syn_cx_satisfaction", "syn_cx_satisfaction_t2b", "syn_cx_nps")


def _files(tmp_path, respondents: int = 40):  # noqa: ANN001, ANN202
    responses, sspec = write_synthetic_survey(tmp_path, units=len(BRANDS), respondents=respondents, thin=0,
                                              seed=3, codes=BRANDS)
    spec = load_survey_spec(sspec)
    est = estimate_survey(spec, read_survey(responses, spec))
    fw = framework_from_mapping({
        "framework": {"code": "SYN", "version": "1", "name": "SYNTHETIC survey audit test"},
        "aggregates": [{"code": "Index", "name": "Index"},
                       {"code": "CX", "name": "Customers", "parent": "Index"},
                       {"code": "PUB", "name": "Public", "parent": "Index"}],
        "indicators": [*({"code": c, "name": c, "parent": "CX"} for c in SURVEYED),
                       {"code": "pub1", "name": "public 1", "parent": "PUB"},
                       {"code": "pub2", "name": "public 2", "parent": "PUB"}],
    })
    (tmp_path / "fw.yaml").write_text(fw.to_yaml(), encoding="utf-8")
    values = pd.DataFrame(est.values, columns=list(spec.indicator_codes))[list(SURVEYED)]
    rng = np.random.default_rng(0)
    data = pd.DataFrame({"code": BRANDS, "year": 2025, **values.to_dict("list"),
                         "pub1": rng.uniform(1, 10, len(BRANDS)), "pub2": rng.uniform(1, 10, len(BRANDS))})
    data.to_csv(tmp_path / "data.csv", index=False)
    (tmp_path / "spec.yaml").write_text("runs: 60\nseed: 4\nsurvey_sampling:\n  replicates: 50\n", encoding="utf-8")
    (tmp_path / "plain.yaml").write_text("runs: 10\nweight_noise:\n  - level: 1\n", encoding="utf-8")
    args = ["--framework", str(tmp_path / "fw.yaml"), "--data", str(tmp_path / "data.csv"), "--no-charts"]
    return args, responses, sspec


def test_cli_audit_redraws_the_survey_indicators(tmp_path, capsys) -> None:
    args, responses, sspec = _files(tmp_path)
    out = tmp_path / "out"
    assert main(["audit", *args, "--spec", str(tmp_path / "spec.yaml"), "--survey", str(responses),
                 "--survey-spec", str(sspec), "--out", str(out)]) == 0
    assert "survey sampling: 50 replicates of syn_cx_satisfaction, syn_cx_satisfaction_t2b, syn_cx_nps" \
        in " ".join(capsys.readouterr().out.split())
    runs = pd.read_parquet(out / "runs.parquet")
    assert runs["survey_replicate"].between(1, 50).all() and runs["survey_replicate"].nunique() > 20
    intervals = pd.read_csv(out / "rank_intervals.csv")
    assert (intervals.interval_width > 0).any()  # 40 respondents a brand: sampling moves ranks
    summary = json.loads((out / "audit.json").read_text())
    assert summary["spec"]["survey_sampling"]["replicates"] == 50
    assert summary["uncertainty"]["survey_indicators"] == list(SURVEYED)


def test_respondent_scores_are_what_survey_build_publishes(tmp_path) -> None:
    _, responses, sspec = _files(tmp_path)
    spec = load_survey_spec(sspec)
    data = read_survey(responses, spec)
    scores = respondent_scores(spec, data)
    assert scores.units == tuple(BRANDS) and scores.indicators == spec.indicator_codes
    np.testing.assert_array_equal(scores.estimates, estimate_survey(spec, data).values)
    # the mean indicator's scores are the answers of the respondents who gave one
    sat = data.answers["satisfaction"]
    np.testing.assert_array_equal(np.isnan(scores.scores[:, 0]), np.isnan(sat) | (data.weight == 0))


@pytest.mark.parametrize(("extra", "spec", "message"), [
    (["--survey", "RESP"], "spec.yaml", "--survey and --survey-spec go together"),
    (["--survey", "RESP", "--survey-spec", "SSPEC"], "plain.yaml", "declares no survey-sampling factor"),
    ([], "spec.yaml", "no respondent data were given"),
])
def test_cli_errors_exit_2_with_the_fix(tmp_path, capsys, extra, spec, message) -> None:
    args, responses, sspec = _files(tmp_path)
    extra = [str(responses) if e == "RESP" else str(sspec) if e == "SSPEC" else e for e in extra]
    assert main(["audit", *args, "--spec", str(tmp_path / spec), *extra, "--out", str(tmp_path / "o")]) == 2
    assert message in " ".join(capsys.readouterr().err.split())
    assert not (tmp_path / "o" / "rank_intervals.csv").exists()


def test_edition_audit_takes_the_survey_too(tmp_path, capsys, monkeypatch) -> None:
    """The store path: a draft edition built on the survey's numbers, audited with the respondents."""
    args, responses, sspec = _files(tmp_path)
    monkeypatch.setenv("NEVINDEX_DB", str(tmp_path / "store.db"))
    for command in (["db", "upgrade"], ["data", "import", str(tmp_path / "data.csv")],
                    ["edition", "create", "--year", "2025", "-f", str(tmp_path / "fw.yaml"), "-d", "1"],
                    ["edition", "build", "2025"]):
        assert main(command) == 0, capsys.readouterr()
    capsys.readouterr()
    assert main(["edition", "audit", "2025", "--spec", str(tmp_path / "spec.yaml"), "--survey", str(responses),
                 "--survey-spec", str(sspec)]) == 0, capsys.readouterr().err
    out = " ".join(capsys.readouterr().out.split())
    assert "audited edition '2025'" in out and "rank_intervals" in out and "widest rank intervals" in out
    assert main(["edition", "audit", "2025", "--spec", str(tmp_path / "spec.yaml")]) == 2
    assert "no respondent data were given" in " ".join(capsys.readouterr().err.split())
