"""Consumer surveys → indicator values per brand, with n, Kish n, SE and interval, and a bootstrap.

``read_survey`` checks the respondent file; :func:`estimate_survey` computes every indicator for
every brand; :meth:`SurveyEstimate.observations` lays them out for ``nevindex data import``;
:func:`bootstrap_survey` redraws respondents within each brand; :func:`respondent_scores` hands the
respondents to the audit's survey-sampling factor (``nevindex audit --survey``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from nevindex.audit.sampling import RespondentScores
from nevindex.collect._spec import fmt_number
from nevindex.collect.observations import observation_frame
from nevindex.collect.survey_data import SurveyData, indicator_scores
from nevindex.collect.survey_spec import Indicator, SurveySpec
from nevindex.collect.survey_stats import (
    CONFIDENCE,
    GroupEstimates,
    bootstrap_group_means,
    weighted_group_means,
)

__all__ = [
    "SurveyEstimate", "INTERVAL_RULE", "score_range", "unit_of", "describe", "estimate_survey",
    "bootstrap_survey", "respondent_scores",
]


@dataclass(frozen=True, eq=False)
class SurveyEstimate:
    """brands × indicators estimates of one survey; ``suppressed`` marks Kish n below the minimum."""

    spec: SurveySpec
    data: SurveyData
    estimates: GroupEstimates
    suppressed: NDArray[np.bool_]

    @property
    def brands(self) -> tuple[str, ...]:
        return self.data.brands

    @property
    def values(self) -> NDArray[np.float64]:
        """The published numbers: estimates, NaN where suppressed."""
        return np.where(self.suppressed, np.nan, self.estimates.value)

    def reasons(self) -> NDArray[np.object_]:
        est, minimum = self.estimates, self.spec.minimum_effective_n
        reasons = np.full(est.value.shape, "", dtype=object)
        for b, k in zip(*np.nonzero(self.suppressed), strict=True):
            if est.n[b, k] == 0:
                reasons[b, k] = "no respondent of this brand answered" + _market_note(self.spec.indicators[k])
            else:
                reasons[b, k] = (f"effective sample {est.n_effective[b, k]:.1f} (n = {est.n[b, k]}) is below the "
                                 f"minimum {fmt_number(minimum)}")
        return reasons

    def observations(self) -> pd.DataFrame:
        """Tidy rows for ``nevindex data import``, with the sampling statistics as provenance."""
        spec, est = self.spec, self.estimates
        keep = ~self.suppressed
        return observation_frame(
            brands=self.brands, indicators=spec.indicator_codes, year=spec.survey.year,
            units=[unit_of(i, spec) for i in spec.indicators], values=self.values, reasons=self.reasons(),
            collection="survey", source=spec.survey.source, title=spec.survey.title,
            methods=[describe(i, spec) for i in spec.indicators],
            statistics={"survey": np.full(est.value.shape, spec.survey.code, dtype=object),
                        "n": est.n, "n_effective": est.n_effective,
                        "se": np.where(keep, est.se, np.nan),
                        "ci_low": np.where(keep, est.ci_low, np.nan), "ci_high": np.where(keep, est.ci_high, np.nan),
                        "ci_rule": np.full(est.value.shape, INTERVAL_RULE, dtype=object),
                        "markets": self._market_counts()},
            input_file=self.data.file, input_sha256=self.data.sha256, synthetic=spec.survey.synthetic)

    def _market_counts(self) -> NDArray[np.object_]:
        """Per brand × indicator: respondents counted in each market ('CN 120; DE 80')."""
        out = np.full(self.estimates.value.shape, "", dtype=object)
        data = self.data
        if data.market_index is None:
            return out
        scores = indicator_scores(self.spec, data)
        m = len(data.markets)
        for k in range(scores.shape[1]):
            valid = ~np.isnan(scores[:, k])
            counts = np.bincount(data.brand_index[valid] * m + data.market_index[valid],
                                 minlength=len(self.brands) * m).reshape(len(self.brands), m)
            for b in range(len(self.brands)):
                out[b, k] = "; ".join(f"{data.markets[j]} {counts[b, j]}" for j in np.flatnonzero(counts[b]))
        return out


INTERVAL_RULE = f"{CONFIDENCE:.0%}: estimate ± t(0.975, n − 1) × se (linearised), clipped to the scale"


def score_range(ind: Indicator, spec: SurveySpec) -> tuple[float, float]:
    if ind.statistic == "mean":
        scale = spec.items[ind.item].scale
        return scale.low, scale.high
    return (-100.0, 100.0) if ind.statistic == "nps" else (0.0, 100.0)


def unit_of(ind: Indicator, spec: SurveySpec) -> str:
    if ind.unit:
        return ind.unit
    if ind.statistic == "mean":
        return f"mean score ({spec.items[ind.item].scale.describe()})"
    return "NPS points (−100 to 100)" if ind.statistic == "nps" else "percent"


def describe(ind: Indicator, spec: SurveySpec) -> str:
    """The method of an indicator in one line, for the provenance."""
    scale = spec.items[ind.item].scale
    item = f"item '{ind.item}' ({scale.describe()})"
    if ind.statistic == "mean":
        text = f"weighted mean of {item}"
    elif ind.statistic == "top_box":
        assert ind.k is not None
        top = ", ".join(_answer(v, scale.labels) for v in scale.allowed[-ind.k:])
        text = f"weighted % answering {top} (top-{ind.k} box) to {item}"
    elif ind.statistic == "share":
        assert ind.answers is not None
        text = f"weighted % answering {', '.join(_answer(v, scale.labels) for v in ind.answers)} to {item}"
    else:
        text = f"NPS of {item}: weighted % answering 9–10 minus % answering 0–6"
    return text + _market_note(ind)


def _answer(value: float, labels: dict[int, str]) -> str:
    label = labels.get(int(value)) if float(value).is_integer() else None
    return fmt_number(value) + (f" ({label})" if label else "")


def _market_note(ind: Indicator) -> str:
    return f", respondents in {', '.join(ind.markets)} only" if ind.markets else ""


def _ranges(spec: SurveySpec) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    bounds = np.array([score_range(i, spec) for i in spec.indicators], dtype=np.float64)
    return bounds[:, 0], bounds[:, 1]


def estimate_survey(spec: SurveySpec, data: SurveyData) -> SurveyEstimate:
    """Every indicator of the spec for every brand in the data."""
    low, high = _ranges(spec)
    est = weighted_group_means(data.brand_index, indicator_scores(spec, data), data.weight, len(data.brands),
                               low=low, high=high)
    suppressed = ~(est.n_effective >= spec.minimum_effective_n)  # NaN Kish n (no answer) is suppressed too
    return SurveyEstimate(spec, data, est, suppressed)


def bootstrap_survey(spec: SurveySpec, data: SurveyData, replicates: int, rng: np.random.Generator, *,
                     memory_mb: float = 64.0) -> NDArray[np.float64]:
    """replicates × brands × indicators, resampling respondents within each brand (seeded by ``rng``).

    Brand-indicator cells below the minimum effective sample are NaN in every replicate, as in the
    published table. Brands and indicators are in the order of :func:`estimate_survey`.
    """
    scores = indicator_scores(spec, data)
    reps = bootstrap_group_means(data.brand_index, scores, data.weight, len(data.brands), replicates, rng,
                                 memory_mb=memory_mb)
    point = weighted_group_means(data.brand_index, scores, data.weight, len(data.brands))
    reps[:, ~(point.n_effective >= spec.minimum_effective_n)] = np.nan
    return reps


def respondent_scores(spec: SurveySpec, data: SurveyData, estimate: SurveyEstimate | None = None) -> RespondentScores:
    """The checked survey as the arrays the audit's survey-sampling factor resamples: per respondent
    the brand, the design weight and the score on every indicator, with the published estimates
    (NaN where suppressed), so the audit redraws exactly the numbers ``survey build`` wrote."""
    estimate = estimate if estimate is not None else estimate_survey(spec, data)
    return RespondentScores(data.brands, spec.indicator_codes, data.brand_index, indicator_scores(spec, data),
                            data.weight, estimate.values, source=data.file)
