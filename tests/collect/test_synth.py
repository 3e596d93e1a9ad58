"""`nevindex synth survey|panel`: marked synthetic everywhere, reproducible, and readable by the builders."""

from __future__ import annotations

import pandas as pd
import yaml

from nevindex.collect import (
    estimate_panel,
    estimate_survey,
    load_panel_spec,
    load_survey_spec,
    read_panel,
    read_survey,
)


def test_synth_survey_is_marked_and_builds(tmp_path, run) -> None:
    code, text = run(["synth", "survey", "--units", "6", "--respondents", "120", "--seed", "3", "--out", tmp_path])
    assert code == 0, text
    responses, spec_file = tmp_path / "synthetic-survey-responses.csv", tmp_path / "synthetic-survey-spec.yaml"
    raw = pd.read_csv(responses)
    assert (raw.synthetic == "yes").all() and raw.brand_id.str.startswith("syn-").all()
    assert yaml.safe_load(spec_file.read_text())["survey"]["synthetic"] is True
    spec = load_survey_spec(spec_file)
    estimate = estimate_survey(spec, read_survey(responses, spec))
    frame = estimate.observations()
    assert (frame.synthetic == "yes").all() and frame.source_title.str.startswith("SYNTHETIC").all()
    assert frame.indicator_id.str.startswith("syn_").all()
    # the last brand is thin (a tenth of the respondents): below the minimum effective sample
    thin = frame[frame.brand_id == "syn-b06"]
    assert thin.value.isna().all() and thin.missing_reason.str.contains("below the minimum").all()
    assert frame[frame.brand_id == "syn-b01"].value.notna().sum() >= 4


def test_synth_is_reproducible_and_seeded(tmp_path, run) -> None:
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        assert run(["synth", "survey", "--units", "3", "--respondents", "50", "--seed", seed,
                    "--out", tmp_path / name])[0] == 0
        assert run(["synth", "panel", "--units", "4", "--seed", seed, "--out", tmp_path / name])[0] == 0
    for file in ("synthetic-survey-responses.csv", "synthetic-panel-ratings.csv", "synthetic-panel-spec.yaml"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()
    assert (tmp_path / "a" / "synthetic-survey-responses.csv").read_bytes() != \
        (tmp_path / "c" / "synthetic-survey-responses.csv").read_bytes()


def test_synth_panel_flags_its_erratic_expert(tmp_path, run) -> None:
    assert run(["synth", "panel", "--units", "20", "--experts", "6", "--criteria", "2", "--out", tmp_path])[0] == 0
    spec = load_panel_spec(tmp_path / "synthetic-panel-spec.yaml")
    data = read_panel(tmp_path / "synthetic-panel-ratings.csv", spec)
    assert (pd.read_csv(tmp_path / "synthetic-panel-ratings.csv").synthetic == "yes").all()
    estimate = estimate_panel(spec, data)
    assert [[e for e, f in zip(data.experts, row, strict=True) if f] for row in estimate.flagged] == [["syn-expert-06"]] * 2
    frame = estimate.observations()
    assert (frame.synthetic == "yes").all() and frame.indicator_id.str.startswith("syn_exp_").all()
    assert (estimate.agreement_table().icc2k > 0.5).all()


def test_synth_uses_real_unit_codes_when_asked(tmp_path, run, write, units) -> None:
    brands = write(tmp_path, "brands.csv", units)
    assert run(["synth", "survey", "--unit-codes", brands, "--respondents", "40", "--out", tmp_path / "s"])[0] == 0
    raw = pd.read_csv(tmp_path / "s" / "synthetic-survey-responses.csv")
    assert sorted(raw.brand_id.unique()) == ["byd", "nio", "tiny"] and (raw.synthetic == "yes").all()


def test_synth_index_data_is_unchanged_and_options_go_after_the_subcommand(tmp_path, run) -> None:
    code, text = run(["synth", "--units", "12", "--indicators", "4", "--out", tmp_path / "idx"])
    assert code == 0, text
    assert {p.name for p in (tmp_path / "idx").iterdir()} == {"data.csv", "framework.yaml"}
    code, text = run(["synth", "--out", tmp_path / "x", "survey", "--out", tmp_path / "y"])
    assert code == 2 and "put it after 'survey'" in " ".join(text.split())
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()
    code, text = run(["synth", "--units", "12"])
    assert code == 2 and "'--out'" in text
