"""The uncertainty spec: which choices are uncertain, how weights are perturbed, how many runs.

A spec is YAML validated with pydantic. Factors name any recipe setting address
(``recipe.with_setting``) with a list of alternatives; weight noise perturbs node weights by
``w·(1 + U(−f, f))`` per level, parent or list of nodes. Instead of sampling, a spec may point
at an explicit design table (one row per run) and a table of weight sets, so a published audit
can be replayed run for run. ``survey_sampling`` declares the sampling error of survey-based
indicators as one more factor (bootstrap replicates of the respondents; ``audit.sampling``). Everything here is checked against the framework and recipe before
any number is computed, and errors name the factor, file, row or column at fault. Private
modules: ``_spec`` (the model), ``_design`` (resolved factors and sampled runs), ``_replay``.
"""

from nevindex.audit.spec._design import (
    Design,
    NoiseGroup,
    ResolvedFactor,
    SamplingVariable,
    Variables,
    resolve_factor,
    resolve_noise,
    resolve_variables,
    sampled_design,
    weight_nodes,
)
from nevindex.audit.spec._replay import load_weight_sets, replay_design
from nevindex.audit.spec._spec import (
    DEFAULT_NOISE,
    DEFAULT_REPLICATES,
    DEFAULT_RUNS,
    DEFAULT_SEED,
    IGNORED_COLUMNS,
    MIN_SENSITIVITY_N,
    Alternative,
    Factor,
    SensitivitySpec,
    SurveySampling,
    UncertaintySpec,
    WeightNoise,
    default_spec,
    load_spec,
    spec_from_mapping,
    value_label,
)

__all__ = [
    "UncertaintySpec", "Factor", "Alternative", "WeightNoise", "SensitivitySpec", "SurveySampling", "spec_from_mapping", "load_spec",
    "default_spec", "DEFAULT_NOISE", "DEFAULT_REPLICATES", "DEFAULT_RUNS", "DEFAULT_SEED", "IGNORED_COLUMNS", "MIN_SENSITIVITY_N",
    "ResolvedFactor", "NoiseGroup", "SamplingVariable", "Design", "Variables", "resolve_factor", "resolve_noise", "resolve_variables",
    "sampled_design", "value_label", "weight_nodes", "load_weight_sets", "replay_design",
]
