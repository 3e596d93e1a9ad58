"""Survey sampling error as an audit factor: bootstrap replicates of the survey-based indicators.

A survey indicator of a brand is a weighted mean over that brand's respondents, so it carries
sampling error that the data set's one number hides. The audit's survey-sampling factor redraws
it: every replicate resamples respondents *with replacement within each brand* (design weights
travel with their respondent) and recomputes every survey indicator
(:func:`nevindex.methods.resample.bootstrap_group_means`, all replicates of all brands drawn at
once). A run of the uncertainty analysis then builds the index on one replicate, so rank
intervals include sampling error, and Sobol' indices say how much of the variance it explains.

The audit sits below ``collect``, so it does not read respondent files: the caller (CLI,
workflow) hands it :class:`RespondentScores`, plain arrays made by
:func:`nevindex.collect.respondent_scores` from a checked survey. :func:`replicate_columns` checks
them against the data set (every redrawn value must be the survey's own estimate) and lays the
replicates out as raw data columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from nevindex.dataset import Dataset
from nevindex.errors import DataError, RecipeError
from nevindex.framework import Framework
from nevindex.methods.resample import bootstrap_group_means
from nevindex.validation import nearest

__all__ = ["RespondentScores", "SampledColumns", "replicate_columns", "MATCH_RTOL"]

#: How closely a data set value must equal the survey's estimate to count as the same number
#: (relative; the observations file keeps full precision, so only float formatting differs).
MATCH_RTOL = 1e-6

Array = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class RespondentScores:
    """What the audit resamples: each respondent's brand (index into ``units``), design weight and
    score on each survey indicator (NaN = not counted: no answer, other market, weight 0), and the
    published estimates (units × indicators, NaN where the survey publishes no value)."""

    units: tuple[str, ...]
    indicators: tuple[str, ...]
    group: NDArray[np.intp]
    scores: Array
    weights: Array
    estimates: Array
    #: The respondent file, for error messages.
    source: str = "<survey>"

    def __post_init__(self) -> None:
        n, k = len(self.group), len(self.indicators)
        if self.scores.shape != (n, k) or self.weights.shape != (n,):
            raise ValueError(f"scores {self.scores.shape} and weights {self.weights.shape} do not match "
                             f"{n} respondents × {k} indicators")
        if self.estimates.shape != (len(self.units), k):
            raise ValueError(f"estimates have shape {self.estimates.shape}, expected {(len(self.units), k)}")


@dataclass(frozen=True, eq=False)
class SampledColumns:
    """Bootstrap replicates laid out as data: ``values[b, u, j]`` is the raw value of indicator
    ``codes[j]`` for dataset unit u in replicate b (the data set's own value where not surveyed)."""

    name: str
    codes: tuple[str, ...]
    year: int
    values: Array
    #: Replicate cells in which no drawn respondent counted; they keep the published estimate.
    undefined: int
    #: Survey indicators that are not indicators of the framework (not redrawn).
    ignored: tuple[str, ...] = ()

    @property
    def replicates(self) -> int:
        return int(self.values.shape[0])


def _redrawn(sample: RespondentScores, framework: Framework, wanted: tuple[str, ...] | None) -> list[str]:
    codes = framework.indicator_codes
    if wanted is not None:
        for code in wanted:
            if code not in sample.indicators or code not in codes:
                where = "the survey" if code not in sample.indicators else "the framework"
                options = [c for c in sample.indicators if c in codes] or list(sample.indicators)
                hint = nearest(code, options)
                raise RecipeError(f"survey_sampling: '{code}' is not an indicator of {where}",
                                  column="survey_sampling.indicators",
                                  hint=(f"did you mean '{hint}'? " if hint else "")
                                  + f"survey indicators in the framework: {', '.join(options)}")
        return [c for c in codes if c in wanted]
    chosen = [c for c in codes if c in sample.indicators]
    if not chosen:
        raise DataError(f"none of the survey's indicators ({', '.join(sample.indicators)}) is an indicator of the "
                        "framework, so there is nothing to redraw", file=sample.source,
                        hint="check the survey spec's indicator codes against the methodology")
    return chosen


def _check_values(sample: RespondentScores, dataset: Dataset, year: int, codes: list[str],
                  unit_rows: NDArray[np.intp], cols: list[int]) -> None:
    """Every redrawn value of the data set must be the survey's own estimate, and only surveyed
    units may have one: otherwise the replicates would describe another number."""
    t = dataset.year_index(year)
    data = dataset.values[t][:, [dataset.column_index(c) for c in codes]]
    surveyed = np.zeros(len(dataset.units), dtype=bool)
    surveyed[unit_rows] = True
    for j, code in enumerate(codes):
        stray = np.flatnonzero(~surveyed & ~np.isnan(data[:, j]))
        if stray.size:
            unit = dataset.units[stray[0]]
            raise DataError(f"unit '{unit}' has a value of survey indicator '{code}' in {year} but no respondent in "
                            "the survey, so its sampling error cannot be redrawn", file=sample.source,
                            hint="audit with the survey that produced the data, or leave the indicator out with "
                                 "survey_sampling.indicators")
        ours, theirs = sample.estimates[:, cols[j]], data[unit_rows, j]
        differ = (np.isnan(ours) != np.isnan(theirs)) | ~np.isclose(ours, theirs, rtol=MATCH_RTOL, atol=0.0,
                                                                    equal_nan=True)
        if differ.any():
            b = int(np.flatnonzero(differ)[0])
            said = "no value" if np.isnan(ours[b]) else f"{ours[b]:.6g}"
            have = "no value" if np.isnan(theirs[b]) else f"{theirs[b]:.6g}"
            raise DataError(f"brand '{sample.units[b]}', indicator '{code}' ({year}): the survey gives {said} but "
                            f"the data set has {have}", file=sample.source,
                            hint="the data must hold this survey's estimates (nevindex survey build, then data "
                                 "import); audit with the survey the data came from")


def replicate_columns(sample: RespondentScores, dataset: Dataset, framework: Framework, year: int, *,
                      replicates: int, rng: np.random.Generator, indicators: tuple[str, ...] | None = None,
                      name: str = "survey sampling", memory_mb: float = 64.0) -> SampledColumns:
    """Draw ``replicates`` bootstrap replicates of the survey indicators in the framework and lay
    them out as raw data of ``year`` (checked: brands are units, values are the survey's)."""
    unknown = [u for u in sample.units if u not in dataset.units]
    if unknown:
        hint = nearest(unknown[0], dataset.units)
        raise DataError(f"survey brand '{unknown[0]}' is not a unit of the data set", file=sample.source,
                        hint=f"did you mean '{hint}'?" if hint else "brand codes must be the data set's unit codes")
    codes = _redrawn(sample, framework, indicators)
    cols = [sample.indicators.index(c) for c in codes]
    unit_rows = np.array([dataset.units.index(u) for u in sample.units], dtype=np.intp)
    _check_values(sample, dataset, year, codes, unit_rows, cols)
    reps = bootstrap_group_means(sample.group, sample.scores[:, cols], sample.weights, len(sample.units),
                                 replicates, rng, memory_mb=memory_mb)
    published = ~np.isnan(sample.estimates[:, cols])
    undefined = np.isnan(reps) & published
    reps = np.where(undefined, sample.estimates[:, cols], reps)
    t = dataset.year_index(year)
    base = dataset.values[t][:, [dataset.column_index(c) for c in codes]]
    values = np.broadcast_to(base, (replicates, *base.shape)).copy()
    values[:, unit_rows] = np.where(published, reps, values[:, unit_rows])
    ignored = tuple(c for c in sample.indicators if c not in codes)
    return SampledColumns(name, tuple(codes), year, values, int(undefined.sum()), ignored)
