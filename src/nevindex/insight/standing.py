"""Strengths and weaknesses: a brand's standing on each measure, by one rule every surface shows.

A measure (an indicator or an element) is a **strength** when the brand is in the top third of the
brands scored on it, and a **weakness** when it is in the bottom third. The standing is the
brand's percentile among those ``n`` brands: the share of the *other* scored brands it is ahead
of, ``100 · (n − rank) / (n − 1)`` (ties share the better rank), so rank 1 of 12 is 100 and 12 of
12 is 0 whatever ``n`` is. Measures scored on fewer than :data:`MIN_SCORED` brands are left out: a
rank among two or three says little. So "6/6" is never a strength, "4/26" never a weakness, and
the strongest element is the one with the highest percentile (ties: the higher score).

Pure functions of a :class:`~nevindex.result.Result`; the CLI's ``profile``, the report and the
portal all take their lists from here, so they cannot disagree.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
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
from nevindex.methods.rank import rank_desc
from nevindex.result import Result

__all__ = ["MIN_SCORED", "RULE", "STRENGTH_AT", "WEAKNESS_AT", "Standing", "StrengthsWeaknesses", "classify",
           "percentile", "strongest_and_weakest", "strengths_weaknesses"]

#: A measure must be scored on at least this many brands to say anything about strength.
MIN_SCORED = 5
#: Percentile at or above which a measure is a strength (the top third) …
STRENGTH_AT = 200 / 3
#: … and at or below which it is a weakness (the bottom third).
WEAKNESS_AT = 100 / 3
#: The rule in one sentence, printed with every list.
RULE = (f"strength: in the top third of the brands scored on that measure; weakness: in the bottom third "
        f"(the percentile is the share of the other scored brands it is ahead of; measures scored on fewer "
        f"than {MIN_SCORED} brands are left out)")


def percentile(rank: float, n: int) -> float:
    """The standing of rank ``rank`` among ``n`` scored brands, 0 (last) to 100 (first); NaN if n < 2."""
    if n < 2 or not math.isfinite(rank):
        return math.nan
    return 100.0 * (n - rank) / (n - 1)


def classify(rank: float, n: int) -> str | None:
    """"strength", "weakness" or None (the middle third, or too few brands scored to tell)."""
    p = percentile(rank, n)
    if n < MIN_SCORED or math.isnan(p):
        return None
    if p >= STRENGTH_AT - 1e-9:
        return "strength"
    if p <= WEAKNESS_AT + 1e-9:
        return "weakness"
    return None


@dataclass(frozen=True)
class Standing(RankedRecord):
    """One indicator or element in a strengths/weaknesses list: its rank among ``n`` scored brands."""

    code: str
    name: str
    kind: str  # "indicator" | "element"
    score: float
    rank: float
    n: int
    percentile: float = math.nan


@dataclass(frozen=True)
class StrengthsWeaknesses:
    """Strengths and weaknesses (:data:`RULE`), against all units or a peer group."""

    against: str  # "all" or the group column
    group: str | None  # the unit's value of the group column
    size: int  # units compared with (the unit included)
    members: tuple[str, ...]  # those units, for a peer group (empty when against all)
    indicator_strengths: tuple[Standing, ...]
    indicator_weaknesses: tuple[Standing, ...]
    element_strengths: tuple[Standing, ...]
    element_weaknesses: tuple[Standing, ...]
    note: str | None = None
    rule: str = RULE

    def to_dict(self) -> dict[str, Any]:
        return fields_dict(self)


def _pick(items: Iterable[Standing], top: int) -> tuple[tuple[Standing, ...], tuple[Standing, ...]]:
    """Strengths (best percentile first) and weaknesses (worst first), at most ``top`` of each."""
    items = list(items)
    strong = sorted((s for s in items if classify(s.rank, s.n) == "strength"),
                    key=lambda s: (-s.percentile, -s.score, s.code))
    weak = sorted((s for s in items if classify(s.rank, s.n) == "weakness"),
                  key=lambda s: (s.percentile, s.score, s.code))
    return tuple(strong[:top]), tuple(weak[:top])


def strongest_and_weakest(items: Iterable[tuple[str, float, int, float]]) -> tuple[str, str] | None:
    """Of (code, rank, n, score) of the elements, the strongest and the weakest by percentile (ties:
    by score); None when fewer than two elements have a standing. The report's sentence uses it."""
    ranked = [(code, percentile(rank, n), score) for code, rank, n, score in items
              if n >= 2 and math.isfinite(rank) and math.isfinite(score)]
    if len(ranked) < 2:
        return None
    best = max(ranked, key=lambda x: (x[1], x[2]))
    worst = min(ranked, key=lambda x: (x[1], x[2]))
    return (best[0], worst[0]) if best[0] != worst[0] else None


def _standings(values: np.ndarray, row: int, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Ranks of row ``row`` on every column of ``values`` (among ``mask``'s units) and each column's n."""
    x = np.asarray(values, dtype=float)
    if mask is not None:
        x = np.where(mask[:, None], x, np.nan)
    return rank_desc(x, axis=0)[row], (~np.isnan(x)).sum(axis=0)


def strengths_weaknesses(result: Result, unit: str, *, peers: str | None = None, top: int = 5) -> StrengthsWeaknesses:
    """The unit's strengths and weaknesses (:data:`RULE`) among all units or its ``peers`` group."""
    row = unit_row(result, unit)
    fw = result.framework
    mask, group, note = None, None, None
    if peers is not None:
        check_group_column(result, peers)
        mask, group = peer_mask(result, row, peers)
        if group is None:
            note = f"{result.units[row]} has no value in group column '{peers}', so it has no peer group"
        elif mask.sum() < MIN_SCORED:
            note = (f"{result.units[row]}'s '{peers}' group ({group}) has {int(mask.sum())} of the {MIN_SCORED} "
                    "brands a standing needs, so there are no peer strengths or weaknesses; see the standing "
                    "against all units")
        if note:
            members = tuple(u for u, m in zip(result.units, mask, strict=True) if m) if group is not None else ()
            return StrengthsWeaknesses(peers, group, len(members), members, (), (), (), (), note)
    members = tuple(u for u, m in zip(result.units, mask, strict=True) if m) if mask is not None else ()
    ind_rank, ind_n = _standings(result.normalised, row, mask)
    agg_rank, agg_n = _standings(result.scores, row, mask)

    def standing(code: str, kind: str, score: float, rank: float, n: int) -> Standing:
        return Standing(code, node_name(fw, code), kind, float(score), float(rank), int(n),
                        percentile(float(rank), int(n)))

    ind_items = [standing(c, "indicator", result.normalised[row, j], ind_rank[j], ind_n[j])
                 for j, c in enumerate(fw.indicator_codes) if not math.isnan(ind_rank[j])]
    el_items = []
    for e in elements(fw):
        if e in fw.display_order:
            k = fw.display_order.index(e)
            rank, score, n = agg_rank[k], result.scores[row, k], agg_n[k]
        else:  # an indicator directly under the root counts as an element
            j = fw.indicator_codes.index(e)
            rank, score, n = ind_rank[j], result.normalised[row, j], ind_n[j]
        if not math.isnan(rank):
            el_items.append(standing(e, "element", score, rank, n))
    i_s, i_w = _pick(ind_items, top)
    e_s, e_w = _pick(el_items, top)
    size = len(members) if mask is not None else len(result.units)
    return StrengthsWeaknesses(peers or "all", group, size, members, i_s, i_w, e_s, e_w, note)
