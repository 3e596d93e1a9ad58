"""Peers: the units whose element profile is most like a unit's, and how it compares with them.

Similarity is the Euclidean distance between the units' element scores (the children of the
root, in the framework's normalised score scale). When a unit lacks some element scores the
distance uses the elements both have, scaled by √(elements / shared) so that distances over
fewer elements stay comparable. Units sharing fewer than half of the unit's own element scores
are left out (one common element is not a profile).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from nevindex.insight._common import (
    RankedRecord,
    check_group_column,
    elements,
    fields_dict,
    node_name,
    peer_mask,
    unit_row,
)
from nevindex.result import Result

__all__ = ["PeerRow", "Peers", "element_distances", "shared_elements", "similar_units"]


@dataclass(frozen=True)
class PeerRow(RankedRecord):
    unit: str
    name: str
    distance: float  # 0 for the unit itself
    index: float
    rank: float
    elements: dict[str, float]
    difference: dict[str, float]  # peer − unit, per element and for the index ("index")


@dataclass(frozen=True)
class Peers:
    unit: str
    name: str
    metric: str
    elements: tuple[str, ...]
    element_names: tuple[str, ...]
    within: str | None  # group column the peers were restricted to
    group: str | None  # the unit's value of that column
    rows: tuple[PeerRow, ...]  # the unit first, then its peers, nearest first
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return fields_dict(self)


def element_distances(result: Result, row: int) -> np.ndarray:
    """Euclidean distance from unit ``row`` to every unit on the element scores (NaN if none shared)."""
    fw = result.framework
    cols = [fw.display_order.index(e) for e in elements(fw)]
    x = np.asarray(result.scores)[:, cols]
    diff = x - x[row]
    shared = ~np.isnan(diff)
    n_shared = shared.sum(axis=1)
    sq = np.where(shared, diff, 0.0) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        dist = np.sqrt(sq.sum(axis=1) * len(cols) / n_shared)
    dist[n_shared == 0] = np.nan
    return dist


def shared_elements(result: Result, row: int) -> np.ndarray:
    """Number of element scores each unit shares with unit ``row``."""
    x = np.stack([result.score(e) for e in elements(result.framework)], axis=1)
    return (~np.isnan(x) & ~np.isnan(x[row])).sum(axis=1)


def similar_units(result: Result, unit: str, n: int = 5, *, within: str | None = None) -> Peers:
    """The ``n`` units nearest to ``unit`` on the element profile (optionally within its group)."""
    row = unit_row(result, unit)
    fw = result.framework
    check_group_column(result, within)
    els = elements(fw)
    dist = element_distances(result, row)
    candidates = np.ones(len(result.units), dtype=bool)
    group = None
    note = None
    if within is not None:
        candidates, group = peer_mask(result, row, within)
        if group is None:
            note = f"{result.units[row]} has no value in group column '{within}', so it has no peer group"
    candidates[row] = False
    candidates &= ~np.isnan(dist)
    # similarity needs enough common ground: at least half of the unit's own element scores
    own = ~np.isnan(np.asarray([result.score(e)[row] for e in els]))
    candidates &= shared_elements(result, row) >= max(1, math.ceil(own.sum() / 2))
    order = [i for i in np.argsort(dist, kind="stable") if candidates[i]][:n]
    if within is not None and group is not None and not order:
        note = f"{result.units[row]} is the only unit of its '{within}' group ({group}) with scores"
    names = result.unit_names()
    scores = {e: result.score(e) for e in els}

    def line(i: int) -> PeerRow:
        own = {e: float(scores[e][i]) for e in els}
        diff = {e: float(scores[e][i] - scores[e][row]) for e in els}
        diff["index"] = float(result.index[i] - result.index[row])
        return PeerRow(result.units[i], names[i], float(dist[i]), float(result.index[i]), float(result.rank[i]),
                       own, diff)

    metric = (f"Euclidean distance on the {len(els)} element scores ({', '.join(els)}); "
              "with missing element scores, over the shared ones scaled by √(elements/shared), "
              "among units sharing at least half of the unit's element scores")
    return Peers(result.units[row], names[row], metric, els, tuple(node_name(fw, e) for e in els), within, group,
                 tuple(line(i) for i in [row, *order]), note)
