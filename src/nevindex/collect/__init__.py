"""Primary data → observations with provenance: brand submissions, consumer surveys and expert panels.

Brand submissions (the questionnaire, its checks and warnings, the merge) are in
``questionnaire``, ``questionnaire_read``, ``plausibility`` and ``merge`` (pure) and ``submissions``
(the use cases over the store); they are imported by module, not from here.

Sits between ``nev`` and ``store``: it reads respondent and rating files, checks them against a
spec, computes indicator values with their statistics, and writes tidy observations that
``nevindex data import`` stores like any sourced value. See ``docs/collection.md``.

    spec = load_survey_spec("survey.yaml")
    estimate = estimate_survey(spec, read_survey("responses.csv", spec))
    estimate.observations()                       # tidy rows: value, n, n_effective, se, ci_low, ci_high …
    bootstrap_survey(spec, data, 1000, np.random.default_rng(7))   # replicates × brands × indicators
    respondent_scores(spec, data)     # the arrays the audit's survey_sampling factor resamples
"""

from __future__ import annotations

from nevindex.collect._spec import SpecError
from nevindex.collect._table import read_unit_codes
from nevindex.collect.observations import write_table
from nevindex.collect.panel import PanelData, PanelEstimate, estimate_panel, read_panel
from nevindex.collect.panel_spec import PanelSpec, load_panel_spec
from nevindex.collect.survey import SurveyEstimate, bootstrap_survey, estimate_survey, respondent_scores
from nevindex.collect.survey_data import SurveyData, read_survey
from nevindex.collect.survey_spec import SurveySpec, load_survey_spec

__all__ = [
    "PanelData", "PanelEstimate", "PanelSpec", "SpecError", "SurveyData", "SurveyEstimate", "SurveySpec",
    "bootstrap_survey", "estimate_panel", "estimate_survey", "load_panel_spec", "load_survey_spec", "read_panel",
    "read_survey", "read_unit_codes", "respondent_scores", "write_table",
]
