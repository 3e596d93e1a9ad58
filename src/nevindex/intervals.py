"""Rank intervals: the one typed answer to "how sure is this rank?", written by the audit, kept by the store.

It lives below both the audit (which writes it) and insight (which reads it): the two layers are
siblings and may not import each other.

The uncertainty analysis ranks every unit in each run; a unit's interval is the 5th to the 95th
percentile of those ranks (numpy 'linear' quantiles, R type 7), with the median and mean rank and
the number of runs in which the unit was scored. :class:`RankIntervals` holds them per unit,
together with the uncertainty spec that produced them, so every reader (CLI, report, portal,
edition comparison) prints the same numbers under the same name.

Stored form (unchanged since the first audited stores): the audit table ``rank_intervals`` with
the columns ``unit, nominal_rank, median_rank, q05_rank, q95_rank`` and, as the audit always writes
them, ``mean_rank, runs_scored`` (plus display columns), and, from this version on, the one-row table ``audit_spec`` holding the spec as
JSON. Stores audited before that have no spec: :attr:`RankIntervals.spec` is then None.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["INTERVALS_TABLE", "SPEC_TABLE", "RankIntervals", "UnitInterval"]

#: Name of the audit table holding the intervals (and of its CSV file).
INTERVALS_TABLE = "rank_intervals"
#: Name of the one-row audit table holding the uncertainty spec as JSON.
SPEC_TABLE = "audit_spec"
_COLUMNS = {"nominal": "nominal_rank", "median": "median_rank", "mean": "mean_rank", "low": "q05_rank",
            "high": "q95_rank", "runs": "runs_scored"}
#: Columns a table may lack (hand-made tables): the mean rank is then NaN and the runs 0.
_OPTIONAL = ("mean_rank", "runs_scored")


@dataclass(frozen=True)
class UnitInterval:
    """One unit's rank over the uncertainty runs (1 = best; NaN where never scored)."""

    unit: str
    nominal: float  # the rank in the nominal build
    median: float
    mean: float
    low: float  # 5th percentile rank
    high: float  # 95th percentile rank
    runs: int  # runs in which the unit was scored

    @property
    def width(self) -> float:
        return self.high - self.low

    def contains(self, rank: float) -> bool:
        """Whether ``rank`` lies inside the interval (bounds included)."""
        return self.low <= rank <= self.high


@dataclass(frozen=True)
class RankIntervals(Mapping[str, UnitInterval]):
    """Per-unit rank intervals of one audit, in the order the audit wrote them (by nominal rank).

    A read-only mapping unit code → :class:`UnitInterval`; ``spec`` is the uncertainty spec (as
    JSON-ready data) that produced the runs, or None when the store predates keeping it."""

    units: tuple[UnitInterval, ...]
    spec: Mapping[str, Any] | None = None
    _by_unit: dict[str, UnitInterval] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_unit", {u.unit: u for u in self.units})

    def __getitem__(self, unit: str) -> UnitInterval:
        return self._by_unit[unit]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_unit)

    def __len__(self) -> int:
        return len(self._by_unit)

    @property
    def runs(self) -> int | None:
        """Runs of the uncertainty analysis (from the spec), when known."""
        value = (self.spec or {}).get("runs")
        return int(value) if value is not None else None

    def bounds(self) -> dict[str, tuple[float, float]]:
        """``{unit: (low, high)}``, the form :func:`nevindex.insight.change.decompose` takes."""
        return {u.unit: (u.low, u.high) for u in self.units}

    def widest(self, n: int) -> list[UnitInterval]:
        """The ``n`` least certain ranks (widest intervals first; ties by nominal rank)."""
        finite = [u for u in self.units if math.isfinite(u.width)]
        return sorted(finite, key=lambda u: (-u.width, u.nominal))[:n]

    # --- the stored form -----------------------------------------------------------------------

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, spec: Mapping[str, Any] | None = None) -> RankIntervals:
        """From the audit's ``rank_intervals`` table (its CSV file or the stored table)."""
        missing = [c for c in ("unit", *_COLUMNS.values()) if c not in frame.columns and c not in _OPTIONAL]
        if missing:
            from nevindex.errors import DataError

            raise DataError(f"the rank-interval table lacks the column(s) {', '.join(missing)}",
                            hint="it is written by `nevindex audit --spec …` as rank_intervals.csv")
        units = tuple(UnitInterval(unit=str(rec["unit"]), nominal=_float(rec["nominal_rank"]),
                                   median=_float(rec["median_rank"]), mean=_float(rec.get("mean_rank")),
                                   low=_float(rec["q05_rank"]), high=_float(rec["q95_rank"]),
                                   runs=_count(rec.get("runs_scored")))
                      for rec in frame.to_dict("records"))
        return cls(units, dict(spec) if spec is not None else None)

    @classmethod
    def from_tables(cls, tables: Mapping[str, pd.DataFrame]) -> RankIntervals | None:
        """From an edition's stored audit tables; None when the audit ran without a spec."""
        frame = tables.get(INTERVALS_TABLE)
        if frame is None or frame.empty:
            return None
        spec_frame = tables.get(SPEC_TABLE)
        spec = json.loads(spec_frame["json"].iloc[0]) if spec_frame is not None and len(spec_frame) else None
        return cls.from_frame(frame, spec)

    def to_frame(self) -> pd.DataFrame:
        """The ``rank_intervals`` table (the columns :meth:`from_frame` reads, plus ``interval_width``)."""
        import pandas as pd

        rows = [{"unit": u.unit, **{col: getattr(u, attr) for attr, col in _COLUMNS.items()},
                 "interval_width": u.width} for u in self.units]
        return pd.DataFrame(rows, columns=["unit", *_COLUMNS.values(), "interval_width"])

    def spec_table(self) -> pd.DataFrame | None:
        """The one-row ``audit_spec`` table stored beside the intervals (None without a spec)."""
        import pandas as pd

        if self.spec is None:
            return None
        return pd.DataFrame({"json": [json.dumps(self.spec, sort_keys=True, ensure_ascii=False, default=str)]})


def _float(value: Any) -> float:
    """A number of the table; empty cells (a unit never scored, read from CSV as text) are NaN."""
    return math.nan if value is None or value == "" else float(value)


def _count(value: Any) -> int:
    number = _float(value)
    return int(number) if math.isfinite(number) else 0
