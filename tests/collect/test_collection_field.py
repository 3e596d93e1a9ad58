"""The methodology says how each raw indicator is collected (issue 15 item 1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nevindex.errors import MethodologyError
from nevindex.framework import framework_from_yaml, load_framework
from nevindex.nev.edition import nev_framework

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "collection-methodology.yaml"
TEXT = EXAMPLE.read_text(encoding="utf-8")


def test_each_raw_indicator_says_how_it_is_collected() -> None:
    fw = load_framework(EXAMPLE)
    assert [r.code for r in fw.collected_by("submission")] == ["syn_service_centres", "syn_charging_sites"]
    assert fw.raw_indicator("syn_service_centres").evidence == "required"
    assert fw.raw_indicator("syn_charging_sites").evidence == "optional"
    survey = fw.raw_indicator("syn_cx_nps")
    assert (survey.collection, survey.computed.spec, survey.computed.statistic) == ("survey", "syn-survey-7", "nps")
    assert fw.raw_indicator("syn_exp_design").computed.statistic == "trimmed_mean"
    # a column the methodology does not list is read from public sources
    assert fw.raw_indicator("some_column").collection == "public"


def test_declaring_nothing_keeps_the_methodology_hash() -> None:
    """Shipped methodologies declare no collection: their stored hashes stay what they were."""
    fw = nev_framework()
    assert fw.raw_indicators == ()
    assert "raw_indicators" not in fw.to_yaml()
    declared = framework_from_yaml(fw.to_yaml() + "raw_indicators:\n  - {code: nev_sales, collection: submission}\n")
    assert declared.sha256() != fw.sha256()
    assert framework_from_yaml(declared.to_yaml()).sha256() == declared.sha256()


@pytest.mark.parametrize("old, new, message", [
    ("collection: submission\n    evidence: required", "collection: submision\n    evidence: required",
     r"raw_indicator 'syn_service_centres', setting 'collection': .*did you mean 'submission'"),
    ("evidence: required", "evidnce: required",
     r"raw_indicator 'syn_service_centres', setting 'evidnce': unknown setting 'evidnce' \(did you mean 'evidence'"),
    ("evidence: required", "evidence: maybe", r"setting 'evidence'"),
    ("bounds: {min: 0, max: 100000}", "bounds: {min: 10, max: 1}", "min 10.0 must be below max 1.0"),
    ("bounds: {min: 0, max: 100000}", "bounds: {min: '0', max: 1}", "a bound must be a finite number"),
    ("computed: {spec: syn-survey-7, statistic: nps, item: recommend}", "computed: {spec: syn-survey-7, statistic: nsp}",
     "'nsp' is not a survey statistic .*did you mean 'nps'"),
    ("{code: syn_cx_nps, unit: NPS points (−100 to 100), collection: survey,\n     computed: {spec: syn-survey-7, statistic: nps, item: recommend}}",
     "{code: syn_cx_nps, collection: survey}", "a survey indicator says how it is computed"),
    ("collection: submission\n    bounds: {min: 0, max: 1000000}",
     "collection: submission\n    computed: {spec: x, statistic: mean}\n    bounds: {min: 0, max: 1000000}",
     "computed is for survey and panel indicators, not submission ones"),
    ("computed: {spec: syn-panel-7, statistic: trimmed_mean, item: design}",
     "computed: {spec: syn-panel-7, statistic: mean, item: design}", "not a panel statistic"),
    ("  - {code: syn_exp_safety, unit", "  - {code: syn_exp_design, unit", "raw indicator 'syn_exp_design' is declared twice"),
    ("  - {code: syn_exp_safety, unit", "  - {code: service, unit", "raw indicator 'service' is an aggregate"),
])
def test_bad_collection_settings_name_the_indicator_and_setting(old: str, new: str, message: str) -> None:
    assert old in TEXT
    with pytest.raises(MethodologyError, match=message):
        framework_from_yaml(TEXT.replace(old, new, 1), source="example.yaml")
