"""``run_audit(framework, dataset, recipe, spec) -> AuditResult``: the whole statistical audit.

The one entry point the CLI, store, report and web areas call. It builds the nominal index,
computes statistics and coherence on it and, when a spec is given, the uncertainty analysis
(sampled or replayed design) and the sensitivity analysis, all through the batched engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nevindex.audit.coherence import correlation_matrix, correlations, group_consistency
from nevindex.audit.sampling import RespondentScores, SampledColumns, replicate_columns
from nevindex.audit.sensitivity import SensitivityResult, check_base_sample, sensitivity
from nevindex.audit.spec import (
    UncertaintySpec,
    load_spec,
    replay_design,
    resolve_variables,
    sampled_design,
    spec_from_mapping,
)
from nevindex.audit.stats import availability_by_group, availability_by_unit, indicator_stats
from nevindex.audit.uncertainty import (
    Evaluation,
    evaluate,
    per_run_frame,
    rank_intervals,
    runs_frame,
    weight_sets_frame,
)
from nevindex.build import build
from nevindex.dataset import Dataset
from nevindex.errors import RecipeError
from nevindex.framework import Framework
from nevindex.intervals import INTERVALS_TABLE, RankIntervals
from nevindex.recipe import Recipe
from nevindex.result import Result

__all__ = ["AuditResult", "as_spec", "run_audit"]


@dataclass(frozen=True, eq=False)
class AuditResult:
    """Every table of an audit; ``uncertainty``/``sensitivity`` are None without a spec."""

    result: Result
    spec: UncertaintySpec | None
    statistics: pd.DataFrame
    availability_units: pd.DataFrame
    availability_groups: pd.DataFrame
    correlations: pd.DataFrame
    correlation_matrix: pd.DataFrame
    consistency: pd.DataFrame
    pca_loadings: pd.DataFrame
    uncertainty: Evaluation | None = None
    sensitivity: SensitivityResult | None = None
    intervals: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def warnings(self) -> list[str]:
        """What the nominal build warned about (e.g. negative effective weights), for the reader."""
        return [w for entry in self.result.log for w in entry.details.get("warnings", [])]

    def rank_intervals(self) -> pd.DataFrame | None:
        """The ``rank_intervals`` table: per unit, nominal score and rank, the median, mean, 5th and
        95th percentile rank and the 5th and 95th percentile score over the runs."""
        return self.intervals

    def intervals_by_unit(self) -> RankIntervals | None:
        """The rank intervals as the typed record every reader uses, with the spec that produced
        them (None without a spec)."""
        if self.intervals is None or self.spec is None:
            return None
        return RankIntervals.from_frame(self.intervals, self.spec_data())

    def spec_data(self) -> dict[str, Any] | None:
        """The uncertainty spec as JSON-ready data (what is stored with the intervals)."""
        return self.spec.model_dump(mode="json", exclude={"base_dir"}) if self.spec is not None else None

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table, keyed by the name its CSV file and XLSX sheet get."""
        t: dict[str, pd.DataFrame] = {
            "statistics": self.statistics,
            "availability_units": self.availability_units,
            "availability_groups": self.availability_groups,
            "correlations": self.correlations,
            "correlation_matrix": self.correlation_matrix.reset_index(),
            "consistency": self.consistency,
            "pca_loadings": self.pca_loadings,
        }
        if self.uncertainty is not None and self.intervals is not None:
            ev = self.uncertainty
            t[INTERVALS_TABLE] = self.intervals
            t["runs"] = runs_frame(ev)
            t["weight_sets"] = weight_sets_frame(ev)
            t["run_scores"] = per_run_frame(ev, "scores")
            t["run_ranks"] = per_run_frame(ev, "ranks")
        if self.sensitivity is not None:
            t["sensitivity"] = self.sensitivity.indices
        return t

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"units": len(self.result.units), "indicators": len(self.result.indicators),
                               "year": self.result.year, "hashes": dict(self.result.hashes),
                               "warnings": self.warnings}
        if self.spec is not None:
            out["spec"] = self.spec_data()
        if self.uncertainty is not None:
            out["uncertainty"] = dict(self.uncertainty.stats)
        if self.sensitivity is not None:
            out["sensitivity"] = dict(self.sensitivity.evaluation.stats) | {"n": self.sensitivity.n}
        return out

    def charts(self) -> dict[str, bytes]:
        """``{file name: bytes}`` for the rank-interval plot, correlation heatmap and sensitivity bars."""
        from nevindex.audit import charts as audit_charts  # matplotlib only when charts are drawn

        name = self.result.framework.framework.name.en
        files = audit_charts.heatmap_chart(self.correlation_matrix,
                                           title=f"{name}: indicators against aggregates (Pearson)")
        if self.intervals is not None:
            files |= audit_charts.rank_interval_chart(self.intervals, title=f"{name}: rank intervals "
                                                      f"({self.uncertainty.design.runs if self.uncertainty else 0} runs)")
        if self.sensitivity is not None:
            files |= audit_charts.sensitivity_chart(self.sensitivity.indices)
        return files


def as_spec(spec: UncertaintySpec | Mapping[str, Any] | str | Path | None) -> UncertaintySpec | None:
    if spec is None or isinstance(spec, UncertaintySpec):
        return spec
    if isinstance(spec, Mapping):
        return spec_from_mapping(spec)
    return load_spec(spec)


def run_audit(framework: Framework, dataset: Dataset, recipe: Recipe | None = None,
              spec: UncertaintySpec | Mapping[str, Any] | str | Path | None = None, *,
              year: int | None = None, source: str = "<spec>", survey: RespondentScores | None = None) -> AuditResult:
    """Statistics and coherence of the nominal build; uncertainty and sensitivity from ``spec``.

    Parameters
    ----------
    framework, dataset, recipe
        As for :func:`nevindex.build.build` (recipe default: the framework's own).
    spec
        The uncertainty spec: a :class:`UncertaintySpec`, a mapping, or a YAML file; None for
        statistics and coherence only.
    year
        The year of data (default: the latest), for the nominal build and every run.
    source
        How errors name a spec given as a mapping (a file names itself).
    survey
        The respondents behind the survey-based indicators (:func:`nevindex.collect.respondent_scores`),
        needed by, and only by, a spec that declares ``survey_sampling``.

    Returns
    -------
    AuditResult
        Every table (``.tables()``), the rank intervals, the batched evaluation and the
        sensitivity indices; ``.warnings`` lists what the nominal build warned about.

    Raises
    ------
    RecipeError, DataError
        A wrong spec or design, before anything is computed.
    """
    recipe = recipe if recipe is not None else framework.recipe
    if isinstance(spec, (str, Path)) and source == "<spec>":
        source = str(spec)
    spec = as_spec(spec)
    nominal = build(framework, dataset, recipe, year=year)
    summary, loadings = group_consistency(nominal)
    parts: dict[str, Any] = {
        "statistics": indicator_stats(nominal),
        "availability_units": availability_by_unit(nominal),
        "availability_groups": availability_by_group(nominal),
        "correlations": correlations(nominal),
        "correlation_matrix": correlation_matrix(nominal),
        "consistency": summary,
        "pca_loadings": loadings,
    }
    if spec is None:
        if survey is not None:
            raise RecipeError("respondent data were given but there is no uncertainty spec to redraw them in",
                              hint="add 'survey_sampling: {}' to an uncertainty spec (nevindex audit --spec)")
        return AuditResult(nominal, None, **parts)
    sampling = _sampling(spec, survey, framework, dataset, nominal.year, source)
    if spec.design is not None:
        design = replay_design(spec, framework, recipe, source=source)
        variables = None
    else:
        variables = resolve_variables(spec, framework, recipe, source=source)
        design = sampled_design(variables, spec.runs, spec.seed)
        if spec.sensitivity is not None:  # refuse a too-small design before computing anything
            check_base_sample(spec.sensitivity.n, len(variables.factor_names),
                              max((f.k for f in variables.factors), default=1))
    ev = evaluate(framework, dataset, recipe, design, memory_mb=spec.memory_mb, nominal=nominal, year=nominal.year,
                  sampling=sampling)
    names = dict(zip(dataset.units, dataset.names, strict=True))
    sens = None
    if spec.sensitivity is not None and variables is not None:
        sens = sensitivity(framework, dataset, recipe, variables, spec.sensitivity, seed=spec.seed,
                           memory_mb=spec.memory_mb, nominal=nominal, year=nominal.year, sampling=sampling)
    return AuditResult(nominal, spec, **parts, uncertainty=ev, sensitivity=sens,
                       intervals=rank_intervals(ev, names))


def _sampling(spec: UncertaintySpec, survey: RespondentScores | None, framework: Framework, dataset: Dataset,
              year: int, source: str) -> SampledColumns | None:
    """The bootstrap replicates of the survey-sampling factor, drawn once (seeded) for every run."""
    declared = spec.survey_sampling
    if declared is None:
        if survey is not None:
            raise RecipeError("respondent data were given but the spec declares no survey-sampling factor",
                              file=source, hint="add 'survey_sampling: {}' to the spec, or leave out the survey")
        return None
    if survey is None:
        raise RecipeError("the spec declares survey_sampling but no respondent data were given", file=source,
                          column="survey_sampling",
                          hint="nevindex audit … --survey responses.csv --survey-spec survey.yaml")
    seed = declared.seed if declared.seed is not None else spec.seed
    return replicate_columns(survey, dataset, framework, year, replicates=declared.replicates,
                             rng=np.random.default_rng(seed), indicators=declared.indicators, name=declared.label)
