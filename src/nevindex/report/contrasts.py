"""Comparisons the key findings report: what sets the leading brands apart, element by element, and how
Chinese and international brands differ on each element. Pure functions of the report model.

Both compare *medians of element scores* over the brands with a score on that element (sparse data:
a brand without data on an element does not count as 0), and skip an element where either group has
fewer than :data:`MIN_GROUP` brands, so a gap never rests on one brand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import median

from nevindex.report.types import ReportModel, UnitRow

#: Smallest difference of medians reported as a difference (points on the 0–100 scale).
MIN_GAP = 2.0

__all__ = ["HOME", "MIN_GAP", "MIN_GROUP", "Contrast", "home_vs_international", "leaders_vs_rest"]

#: Fewest brands per group for a comparison on an element.
MIN_GROUP = 3
#: The home market whose brands are compared with the others (ISO country code in the brands table).
HOME = "CN"


@dataclass(frozen=True)
class Contrast:
    element: str  # element code
    a: float  # median of group A (leaders / Chinese brands)
    b: float  # median of group B (the rest / international brands)
    n_a: int
    n_b: int

    @property
    def gap(self) -> float:
        return self.a - self.b


def _contrasts(model: ReportModel, group_a: list[UnitRow], group_b: list[UnitRow]) -> list[Contrast]:
    out = []
    for e in model.elements:
        a = [u.elements[e.code] for u in group_a if math.isfinite(u.elements[e.code])]
        b = [u.elements[e.code] for u in group_b if math.isfinite(u.elements[e.code])]
        if len(a) >= MIN_GROUP and len(b) >= MIN_GROUP:
            out.append(Contrast(e.code, float(median(a)), float(median(b)), len(a), len(b)))
    return out


def leaders_vs_rest(model: ReportModel) -> tuple[int, list[Contrast]]:
    """The top third of the rated brands (at least 3) against the other rated brands, per element,
    largest gap first."""
    rated = [u for u in model.units if u.rated and math.isfinite(u.rank)]
    rated.sort(key=lambda u: u.rank)
    k = max(3, math.ceil(len(rated) / 3))
    if len(rated) < k + MIN_GROUP:
        return k, []
    return k, sorted(_contrasts(model, rated[:k], rated[k:]), key=lambda c: -c.gap)


def home_vs_international(model: ReportModel) -> list[Contrast]:
    """Chinese brands (``country`` = :data:`HOME`) against the others, per element, over every brand with
    a score on the element (rated or not), in element order; empty without country data."""
    known = [u for u in model.units if u.country]
    home = [u for u in known if u.country == HOME]
    other = [u for u in known if u.country != HOME]
    return _contrasts(model, home, other) if home and other else []
