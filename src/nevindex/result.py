"""The immutable outcome of a build: every intermediate set, scores, ranks, log and hashes.

Like COINr's "coin", a Result holds everything needed to explain and regenerate its numbers;
what-if analysis is "same inputs, one choice changed, rebuild, compare". Arrays are read-only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from nevindex.methods.rank import rank_desc
from nevindex.values import finite_or_none

if TYPE_CHECKING:
    from nevindex.dataset import Dataset
    from nevindex.framework import Framework
    from nevindex.methods.treat import TreatmentOutcome
    from nevindex.recipe import Recipe

__all__ = ["SETS", "LogEntry", "TreatmentRecord", "Result"]

#: Names of the indicator-level sets, in pipeline order.
SETS = ("raw", "denominated", "screened", "imputed", "treated", "normalised")


@dataclass(frozen=True)
class LogEntry:
    step: str
    details: Mapping[str, Any]


@dataclass(frozen=True)
class TreatmentRecord:
    """What outlier treatment did to one indicator."""

    indicator: str
    status: str
    skew_before: float
    kurt_before: float
    skew_after: float
    kurt_after: float
    n_winsorised: int
    transform: str | None
    high_units: tuple[str, ...]
    low_units: tuple[str, ...]

    @classmethod
    def from_outcome(cls, indicator: str, outcome: TreatmentOutcome, units: tuple[str, ...]) -> TreatmentRecord:
        return cls(
            indicator=indicator,
            status=outcome.status,
            skew_before=float(outcome.skew_before),
            kurt_before=float(outcome.kurt_before),
            skew_after=float(outcome.skew_after),
            kurt_after=float(outcome.kurt_after),
            n_winsorised=int(outcome.n_winsorised),
            transform=outcome.transform,
            high_units=tuple(units[i] for i in np.flatnonzero(outcome.high)),
            low_units=tuple(units[i] for i in np.flatnonzero(outcome.low)),
        )


def _frozen(array: NDArray[Any]) -> NDArray[Any]:
    out = np.array(array, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class Result:
    framework: Framework
    dataset: Dataset
    recipe: Recipe
    year: int
    #: Units with data in ``year`` (rows of ``raw`` and ``denominated``).
    all_units: tuple[str, ...]
    #: Units kept by screening (rows of every later set, of ``scores`` and ``ranks``).
    units: tuple[str, ...]
    raw: NDArray[np.float64]
    denominated: NDArray[np.float64]
    screened: NDArray[np.float64]
    imputed: NDArray[np.float64]
    imputed_mask: NDArray[np.bool_]
    treated: NDArray[np.float64]
    normalised: NDArray[np.float64]
    #: units × aggregates in ``framework.display_order`` (root first).
    scores: NDArray[np.float64]
    ranks: NDArray[np.float64]
    weights: Mapping[str, float]
    treatment: tuple[TreatmentRecord, ...]
    log: tuple[LogEntry, ...]
    hashes: Mapping[str, str]

    def __post_init__(self) -> None:
        for name in (*SETS, "imputed_mask", "scores", "ranks"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        object.__setattr__(self, "weights", dict(self.weights))

    # --- lookup --------------------------------------------------------------------------------
    @property
    def aggregates(self) -> tuple[str, ...]:
        return self.framework.display_order

    @property
    def indicators(self) -> tuple[str, ...]:
        return self.framework.indicator_codes

    @property
    def index(self) -> NDArray[np.float64]:
        """Scores of the root node, per unit."""
        return self.scores[:, 0]

    @property
    def rank(self) -> NDArray[np.float64]:
        return self.ranks[:, 0]

    def score(self, node: str) -> NDArray[np.float64]:
        """Scores of any node: an aggregate's scores, or an indicator's normalised values."""
        if node in self.aggregates:
            return self.scores[:, self.aggregates.index(node)]
        return self.normalised[:, self.indicators.index(node)]

    def unit_names(self) -> tuple[str, ...]:
        lookup = dict(zip(self.dataset.units, self.dataset.names, strict=True))
        return tuple(lookup[u] for u in self.units)

    def group_codes(self) -> NDArray[np.int64]:
        """The scored units' group ids for the recipe's group imputation, numbered as ``build`` numbers them
        (so a replay of the imputation by the audit or the what-if matches the build)."""
        from nevindex.methods.impute import group_codes

        lookup = dict(zip(self.dataset.units, self.dataset.attribute(self.recipe.impute.group or ""), strict=True))
        return group_codes([lookup[u] for u in self.units])[0]

    def coverage(self) -> NDArray[np.float64]:
        """Share of indicators observed (before imputation) per scored unit."""
        return np.mean(~np.isnan(self.screened), axis=1)

    def content_sha256(self) -> str:
        """Hash of every published number, bit for bit (:func:`rows_sha256` of :func:`result_rows`): the
        ``result_sha256`` of an edition built from the same inputs, in the store and in its open data."""
        return rows_sha256(*result_rows(self))

    # --- pandas views (for notebooks and exports) ----------------------------------------------
    def frame(self, name: str) -> pd.DataFrame:
        """One intermediate set as a DataFrame: rows = units, columns = indicator codes."""
        if name not in (*SETS, "aggregated"):
            raise KeyError(f"unknown set '{name}'; sets: {', '.join((*SETS, 'aggregated'))}")
        if name == "aggregated":
            data = np.concatenate([self.normalised, self.scores[:, ::-1]], axis=1)
            columns = [*self.indicators, *reversed(self.aggregates)]
            rows = self.units
        else:
            data = getattr(self, name)
            columns = list(self.indicators)
            rows = self.all_units if name in ("raw", "denominated") else self.units
        return pd.DataFrame(data, index=pd.Index(rows, name="unit"), columns=columns)

    def results_frame(self) -> pd.DataFrame:
        """``unit``, every aggregate from the top down, then ``rank`` (full precision)."""
        frame = pd.DataFrame(self.scores, columns=list(self.aggregates))
        frame.insert(0, "unit", list(self.units))
        frame["rank"] = self.rank
        return frame

    def weights_frame(self) -> pd.DataFrame:
        fw = self.framework
        rows = []
        for code, node in fw.nodes.items():
            if node.parent is None:
                continue
            siblings = fw.children[node.parent]
            total = sum(self.weights[s] for s in siblings)
            rows.append({"node": code, "parent": node.parent, "level": fw.levels[code],
                         "weight": self.weights[code],
                         "share_of_parent": self.weights[code] / total if total else float("nan")})
        return pd.DataFrame(rows)

    def treatment_frame(self) -> pd.DataFrame:
        columns = ["indicator", "status", "skew_before", "kurt_before", "skew_after", "kurt_after",
                   "n_winsorised", "transform", "high_units", "low_units"]
        rows = [{**r.__dict__, "high_units": " ".join(r.high_units), "low_units": " ".join(r.low_units)}
                for r in self.treatment]
        return pd.DataFrame(rows, columns=columns)

    def log_records(self) -> list[dict[str, Any]]:
        return [{"step": e.step, "details": e.details} for e in self.log]


# --- the rows a build publishes, and their hash ---------------------------------------------------
#
# One definition of "the result" for every place that names it: the edition store keeps these rows,
# Result.content_sha256() and an edition's result_sha256 are the same hash of them, and a reader can
# recompute it from the exported results file (docs/editions.md, "Hashes").

#: The fields of one unit × aggregate row and of one unit × indicator row.
UNIT_FIELDS = ("unit", "node", "level", "score", "rank", "rating", "coverage", "flags")
INDICATOR_FIELDS = ("unit", "indicator", "raw", "imputed", "imputed_flag", "treated", "normalised", "rank", "flags")



def result_rows(result: Result) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every stored number of a build: unit × aggregate rows and unit × indicator rows."""
    fw = result.framework
    inds = result.indicators
    observed = ~np.isnan(result.screened)
    treated_high: dict[str, set[str]] = {r.indicator: set(r.high_units) for r in result.treatment}
    treated_low: dict[str, set[str]] = {r.indicator: set(r.low_units) for r in result.treatment}
    transformed = {r.indicator: r.transform for r in result.treatment if r.transform}
    root = fw.root
    unit_rows: list[dict[str, Any]] = []
    for k, node in enumerate(result.aggregates):
        under = [inds.index(i) for i in fw.indicators_under(node)]
        coverage = observed[:, under].mean(axis=1)
        imputed_any = result.imputed_mask[:, under].any(axis=1)
        for u, unit in enumerate(result.units):
            score = finite_or_none(result.scores[u, k])
            flags = [f for f, on in (("imputed", bool(imputed_any[u])), ("missing", score is None)) if on]
            unit_rows.append({"unit": unit, "node": node, "level": fw.levels[node], "score": score,
                              "rank": finite_or_none(result.ranks[u, k]),
                              "rating": fw.rating(score) if node == root and score is not None and fw.ratings else None,
                              "coverage": float(coverage[u]), "flags": " ".join(flags)})
    dropped = [u for u in result.all_units if u not in set(result.units)]
    for node in result.aggregates:
        for unit in dropped:
            unit_rows.append({"unit": unit, "node": node, "level": fw.levels[node], "score": None, "rank": None,
                              "rating": None, "coverage": None, "flags": "screened_out"})
    kept = {u: i for i, u in enumerate(result.units)}
    ind_ranks = rank_desc(result.normalised.T).T if result.normalised.size else result.normalised
    ind_rows: list[dict[str, Any]] = []
    for a, unit in enumerate(result.all_units):
        r = kept.get(unit)
        for j, code in enumerate(inds):
            if r is None:
                ind_rows.append({"unit": unit, "indicator": code, "raw": finite_or_none(result.raw[a, j]), "imputed": None,
                                 "imputed_flag": False, "treated": None, "normalised": None, "rank": None,
                                 "flags": "screened_out"})
                continue
            flags = []
            if result.imputed_mask[r, j]:
                flags.append("imputed")
            if unit in treated_high.get(code, ()):
                flags.append("winsorised_high")
            if unit in treated_low.get(code, ()):
                flags.append("winsorised_low")
            if code in transformed:
                flags.append(f"transformed:{transformed[code]}")
            ind_rows.append({"unit": unit, "indicator": code, "raw": finite_or_none(result.raw[a, j]),
                             "imputed": finite_or_none(result.imputed[r, j]), "imputed_flag": bool(result.imputed_mask[r, j]),
                             "treated": finite_or_none(result.treated[r, j]), "normalised": finite_or_none(result.normalised[r, j]),
                             "rank": finite_or_none(ind_ranks[r, j]), "flags": " ".join(flags)})
    return unit_rows, ind_rows


def canonical(value: Any) -> Any:
    if isinstance(value, float):
        return value.hex()
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    return value


def rows_sha256(unit_rows: Sequence[Mapping[str, Any]], indicator_rows: Sequence[Mapping[str, Any]]) -> str:
    """Hash of every stored number, bit for bit (floats by their exact hex form), order-independent."""
    h = hashlib.sha256()
    for fields, rows, key in ((UNIT_FIELDS, unit_rows, ("unit", "node")),
                              (INDICATOR_FIELDS, indicator_rows, ("unit", "indicator"))):
        canon = sorted(([canonical(field_value(r, f)) for f in fields] for r in rows),
                       key=lambda row: tuple(str(row[fields.index(k)]) for k in key))
        h.update(json.dumps(canon, separators=(",", ":"), ensure_ascii=False).encode())
    return h.hexdigest()


def field_value(row: Any, field: str) -> Any:
    value = row[field] if isinstance(row, Mapping) else getattr(row, field)
    if field in ("level",) and value is not None:
        return int(value)
    if field == "imputed_flag":
        return bool(value)
    if isinstance(value, (float, int, np.floating)) and field not in ("level",) and not isinstance(value, bool):
        return float(value)
    return value
