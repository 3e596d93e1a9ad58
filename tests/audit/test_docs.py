"""The spec examples in docs/audit.md are real: they validate against the ASEM framework."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from nevindex.audit.spec import resolve_variables, spec_from_mapping
from nevindex.framework import load_framework

DOC = (Path(__file__).resolve().parents[2] / "docs" / "audit.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```yaml\n(.*?)```", DOC, flags=re.S)


def test_spec_example_resolves_against_asem(asem_dir) -> None:
    fw = load_framework(asem_dir / "ASEM_iMeta.csv")
    spec = spec_from_mapping(yaml.safe_load(BLOCKS[0]))
    v = resolve_variables(spec, fw, fw.recipe)
    assert [f.name for f in v.factors] == ["treat.method", "impute.method", "normalise.method", "aggregator",
                                        "aggregate.by_node.Index.missing"]
    assert spec.sensitivity is not None and spec.sensitivity.n == 256
    assert v.factor_names[-3:] == ["weights level 1", "weights level 2", "weights in Index"]


def test_replay_example_validates() -> None:
    spec = spec_from_mapping(yaml.safe_load(BLOCKS[1]))
    assert spec.design == "runs.parquet" and spec.factors[0].alternatives[2].label == "zscore100"


def test_survey_sampling_example_validates() -> None:
    block = next(b for b in BLOCKS if "survey_sampling" in b)
    spec = spec_from_mapping(yaml.safe_load(block))
    assert spec.survey_sampling is not None and spec.survey_sampling.replicates == 1000
    assert spec.survey_sampling.indicators == ("syn_cx_satisfaction", "syn_cx_nps")
    assert spec.survey_sampling.seed == 7 and spec.survey_sampling.label == "survey sampling"
