"""The immutable outcome of a build: every intermediate set, scores, ranks, log and hashes.

Like COINr's "coin", a Result holds everything needed to explain and regenerate its numbers;
what-if analysis is "same inputs, one choice changed, rebuild, compare". Arrays are read-only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

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

    def coverage(self) -> NDArray[np.float64]:
        """Share of indicators observed (before imputation) per scored unit."""
        return np.mean(~np.isnan(self.screened), axis=1)

    def content_sha256(self) -> str:
        """Hash of the published numbers: the same inputs give the same hash, bit for bit."""
        h = hashlib.sha256()
        h.update(json.dumps({"units": self.units, "aggregates": self.aggregates, "hashes": dict(self.hashes)},
                            sort_keys=True).encode())
        for array in (self.normalised, self.scores, self.ranks):
            h.update(np.ascontiguousarray(array, dtype="<f8").tobytes())
        return h.hexdigest()

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
