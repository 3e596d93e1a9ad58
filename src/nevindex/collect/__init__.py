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

import lazy_loader

# Submodules load on first use (as in the other packages): ``import nevindex.collect`` costs nothing
# until a spec is read, so the CLI's collect commands load pandas and scipy only when they run.
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "_spec": ["SpecError"],
        "_table": ["read_unit_codes"],
        "observations": ["write_table"],
        "panel": ["PanelData", "PanelEstimate", "estimate_panel", "read_panel"],
        "panel_spec": ["PanelSpec", "load_panel_spec"],
        "survey": ["SurveyEstimate", "bootstrap_survey", "estimate_survey", "respondent_scores"],
        "survey_data": ["SurveyData", "read_survey"],
        "survey_spec": ["SurveySpec", "load_survey_spec"],
    },
)
