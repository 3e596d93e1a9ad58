"""What changed and why: a unit's index change split by element and indicator, data vs methodology.

Contributions. With arithmetic aggregation a unit's index is a weighted sum of its normalised
indicator values: ``index = Σ_i e_i · n_i`` where the effective weight ``e_i`` is the product, along
the path from the indicator to the root, of each node's weight over the sum of the weights of its
present siblings (missing children are skipped, as in aggregation). So ``c_i = e_i · n_i`` adds up
to the index, the contribution of an element is the sum over its indicators, and the change
between two results is ``Σ_i (c_i(new) − c_i(old))``. For other aggregators (geometric, …) a node's
score is shared among its children in proportion to ``w_k · x_k`` — the parts still add up, but
the split is a convention, and :attr:`Change.exact` says so.

Data vs methodology. Rebuilding the old data under the new methodology gives a third result; the
change old → old-under-new is due to the methodology, the change old-under-new → new to the data
(``total = methodology + data``, for every indicator too).

Rank changes carry uncertainty intervals (e.g. the audit's 5th–95th percentile ranks) when given;
a move is news only when the intervals say it is (see :func:`rank_news`).

Pure functions on :class:`~nevindex.result.Result` objects: no store, no files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

if TYPE_CHECKING:
    from nevindex.dataset import Dataset
    from nevindex.result import Result

__all__ = ["Change", "Contributions", "DROPPED", "PEER_PREFIX", "contributions", "decompose", "old_under_new",
           "rank_news"]


Array = NDArray[np.float64]
DROPPED = "(indicators not in the new methodology)"
#: Prefix of the pseudo-indicator that carries a missing child's peer value (``aggregate ... missing:
#: median / lower_quartile``): ``missing:quality`` is what the quality element counted for a unit that
#: has no quality score. It belongs to the group of the child (or of its element).
PEER_PREFIX = "missing:"


@dataclass(frozen=True)
class Contributions:
    """Per unit and indicator: effective weight, contribution (``e · n``, 0 where missing)."""

    units: tuple[str, ...]
    indicators: tuple[str, ...]
    effective_weights: Array
    values: Array
    #: True when every node aggregates arithmetically (then the split is exact, not a convention)
    exact: bool

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.values, index=pd.Index(self.units, name="unit"), columns=list(self.indicators))


def contributions(result: Result) -> Contributions:
    """Contribution of every indicator to every unit's index (they add up to the index).

    Where a node counts a missing child at its peers' median or lower quartile (``missing``), that
    child's share carries the peer value, not the unit's indicators: it is returned as the
    pseudo-indicator ``missing:<child>`` (:data:`PEER_PREFIX`), so the parts still add up."""
    from nevindex.methods.aggregate import peer_values

    fw = result.framework
    n_units = len(result.units)
    values: dict[str, Array] = {c: result.normalised[:, j] for j, c in enumerate(result.indicators)}
    for k, node in enumerate(result.aggregates):
        values[node] = result.scores[:, k]
    eff: dict[str, Array] = {fw.root: np.where(np.isnan(values[fw.root]), 0.0, 1.0)}
    peer_eff: dict[str, Array] = {}
    peer_value: dict[str, float] = {}
    exact = True
    for node in fw.display_order:  # top-down: a parent's effective weight is known before its children
        kids = fw.children[node]
        x = np.stack([values[k] for k in kids], axis=1)
        present = ~np.isnan(x)
        choice = result.recipe.aggregate.choice_for(node, fw.levels[node])
        peers = peer_values(x, choice.missing_children)
        filled = ~present & present.any(axis=1, keepdims=True) & ~np.isnan(peers)[None, :]
        xf = np.where(filled, peers[None, :], x)
        w = np.array([float(result.weights[k]) for k in kids])
        wp = np.where(present | filled, w, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            if choice.method == "arithmetic":
                share = wp / wp.sum(axis=1, keepdims=True)
            else:
                exact = False
                wx = np.where(present | filled, wp * xf, 0.0)
                total = wx.sum(axis=1, keepdims=True)
                share = np.where(total != 0, values[node][:, None] * wp / total, wp / wp.sum(axis=1, keepdims=True))
        share = np.where(np.isfinite(share), share, 0.0)
        for j, kid in enumerate(kids):
            eff[kid] = eff[node] * np.where(filled[:, j], 0.0, share[:, j])
            if filled[:, j].any():
                peer_eff[kid] = eff[node] * np.where(filled[:, j], share[:, j], 0.0)
                peer_value[kid] = float(peers[j])
    e = np.stack([eff[c] for c in result.indicators], axis=1) if result.indicators else np.empty((n_units, 0))
    c = np.where(np.isnan(result.normalised), 0.0, e * np.nan_to_num(result.normalised))
    codes = tuple(result.indicators)
    if peer_eff:
        pe = np.stack(list(peer_eff.values()), axis=1)
        e = np.concatenate([e, pe], axis=1)
        c = np.concatenate([c, pe * np.array(list(peer_value.values()))[None, :]], axis=1)
        codes += tuple(PEER_PREFIX + k for k in peer_eff)
    return Contributions(tuple(result.units), codes, e, c, exact)


@dataclass(frozen=True)
class Change:
    """The change of each unit's index between two results, and its parts."""

    units: tuple[str, ...]
    indicators: tuple[str, ...]
    old_index: Array
    new_index: Array
    #: units × indicators: c(new) − c(old); rows add up to ``new_index − old_index``
    parts: Array
    #: the same split into data (old-under-new → new) and methodology (old → old-under-new); None
    #: when the old data could not be rebuilt under the new methodology
    data_parts: Array | None
    method_parts: Array | None
    old_rank: Array
    new_rank: Array
    news: Array  # 1.0 news, 0.0 inside the uncertainty, NaN when no interval was given
    old_interval: Array | None
    new_interval: Array | None
    groups: Mapping[str, tuple[str, ...]]  # element (or other node) → its indicators
    exact: bool
    entered: tuple[str, ...] = ()
    left: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def total(self) -> Array:
        return self.new_index - self.old_index

    @property
    def data_total(self) -> Array | None:
        return None if self.data_parts is None else self.data_parts.sum(axis=1)

    @property
    def method_total(self) -> Array | None:
        return None if self.method_parts is None else self.method_parts.sum(axis=1)

    def group_parts(self, which: str = "parts") -> pd.DataFrame:
        """units × groups (elements): the sum of the indicator parts in each group."""
        matrix = getattr(self, which)
        if matrix is None:
            raise ValueError(f"no {which} in this comparison")
        pos = {c: j for j, c in enumerate(self.indicators)}
        data = {g: matrix[:, [pos[i] for i in inds]].sum(axis=1) for g, inds in self.groups.items()}
        return pd.DataFrame(data, index=pd.Index(self.units, name="unit"))

    def summary(self) -> pd.DataFrame:
        """One row per unit: index before/after, change, data and methodology parts, ranks, news."""
        frame = pd.DataFrame({"unit": list(self.units), "old_index": self.old_index, "new_index": self.new_index,
                              "change": self.total})
        if self.data_parts is not None and self.method_parts is not None:
            frame["data_part"] = self.data_total
            frame["methodology_part"] = self.method_total
        frame["old_rank"] = self.old_rank
        frame["new_rank"] = self.new_rank
        frame["rank_change"] = self.old_rank - self.new_rank  # positive = moved up
        for name, interval in (("old", self.old_interval), ("new", self.new_interval)):
            if interval is not None:
                frame[f"{name}_rank_low"] = interval[:, 0]
                frame[f"{name}_rank_high"] = interval[:, 1]
        frame["news"] = self.news
        return frame

    def parts_frame(self) -> pd.DataFrame:
        """Long: unit, group, indicator, part (and data_part, methodology_part when split)."""
        group_of = {i: g for g, inds in self.groups.items() for i in inds}
        rows = []
        for u, unit in enumerate(self.units):
            for j, ind in enumerate(self.indicators):
                row: dict[str, Any] = {"unit": unit, "group": group_of.get(ind), "indicator": ind,
                                       "part": self.parts[u, j]}
                if self.data_parts is not None and self.method_parts is not None:
                    row["data_part"] = self.data_parts[u, j]
                    row["methodology_part"] = self.method_parts[u, j]
                rows.append(row)
        return pd.DataFrame(rows)


def _aligned(contrib: Contributions, units: Sequence[str], indicators: Sequence[str]) -> Array:
    """Contributions on the given units × indicators (0 for an indicator the result does not have)."""
    upos = {u: i for i, u in enumerate(contrib.units)}
    ipos = {c: j for j, c in enumerate(contrib.indicators)}
    out = np.zeros((len(units), len(indicators)))
    rows = [upos[u] for u in units]
    for j, code in enumerate(indicators):
        if code in ipos:
            out[:, j] = contrib.values[rows, ipos[code]]
    return out


def _by_unit(result: Result, values: Array, units: Sequence[str]) -> Array:
    pos = {u: i for i, u in enumerate(result.units)}
    return np.array([values[pos[u]] for u in units], dtype=float)


def rank_news(old_rank: Array, new_rank: Array, old_interval: Array | None = None,
              new_interval: Array | None = None) -> Array:
    """1 where a rank move is news, 0 where it lies inside the uncertainty, NaN without intervals.

    With both intervals a move is news when they do not overlap; with one, when the other
    edition's nominal rank lies outside it. An unchanged rank is never news.
    """
    old_rank, new_rank = np.asarray(old_rank, float), np.asarray(new_rank, float)
    if old_interval is None and new_interval is None:
        return np.full(old_rank.shape, np.nan)
    if old_interval is not None and new_interval is not None:
        oi, ni = np.asarray(old_interval, float), np.asarray(new_interval, float)
        news = (ni[:, 1] < oi[:, 0]) | (ni[:, 0] > oi[:, 1])
    elif new_interval is not None:
        ni = np.asarray(new_interval, float)
        news = (old_rank < ni[:, 0]) | (old_rank > ni[:, 1])
    else:
        oi = np.asarray(old_interval, float)
        news = (new_rank < oi[:, 0]) | (new_rank > oi[:, 1])
    news = news & (old_rank != new_rank)
    return news.astype(float)


def _interval_rows(interval: Array | Mapping[str, tuple[float, float]] | None, result: Result,
                   units: Sequence[str]) -> Array | None:
    """Intervals given per unit (mapping) or aligned with ``result.units`` (array), on ``units``."""
    if interval is None:
        return None
    if isinstance(interval, Mapping):
        return np.array([interval.get(u, (np.nan, np.nan)) for u in units], dtype=float)
    arr = np.asarray(interval, dtype=float)
    if arr.shape != (len(result.units), 2):
        raise ValueError(f"an interval array must be units × 2 ({len(result.units)} × 2), not {arr.shape}")
    pos = {u: i for i, u in enumerate(result.units)}
    return arr[[pos[u] for u in units]]


def decompose(old: Result, new: Result, old_under_new: Result | None = None, *,
              old_interval: Array | Mapping[str, tuple[float, float]] | None = None,
              new_interval: Array | Mapping[str, tuple[float, float]] | None = None,
              group_level: int | None = None) -> Change:
    """Split each unit's index change (units scored in both) into indicator and element parts.

    ``old_under_new`` is the old data built under the new methodology (see
    :func:`old_under_new`); with it the parts are also split into data and methodology.
    Intervals (rank low, high) are per unit, as a mapping or aligned with each result's units.
    """
    units_old, units_new = set(old.units), set(new.units)
    notes: list[str] = []
    old_scored = {u for u, v in zip(old.units, old.index, strict=True) if not np.isnan(v)}
    both = [u for u, v in zip(new.units, new.index, strict=True) if u in old_scored and not np.isnan(v)]
    if old_under_new is not None:
        left_out = [c for c in new.indicators if c not in set(old_under_new.indicators)]
        if left_out:
            notes.append(f"indicator(s) without old data left out when rebuilding the old data under the new "
                         f"methodology, so their effect counts as data: {', '.join(left_out)}")
        oun_units = set(old_under_new.units)
        missing = [u for u in both if u not in oun_units]
        if missing:
            notes.append(f"{len(missing)} unit(s) not scored when the old data are rebuilt under the new "
                         f"methodology; the data/methodology split leaves them out: {', '.join(missing[:5])}")
            both = [u for u in both if u in oun_units]
    k_old, k_new = contributions(old), contributions(new)
    k_mid = contributions(old_under_new) if old_under_new is not None else None
    indicators = tuple(k_new.indicators) + tuple(dict.fromkeys(
        c for k in (k_old, k_mid) if k is not None for c in k.indicators if c not in set(k_new.indicators)))
    c_old, c_new = _aligned(k_old, both, indicators), _aligned(k_new, both, indicators)
    parts = c_new - c_old
    data_parts = method_parts = None
    exact = k_old.exact and k_new.exact
    if k_mid is not None:
        c_mid = _aligned(k_mid, both, indicators)
        data_parts, method_parts = c_new - c_mid, c_mid - c_old
        exact = exact and k_mid.exact
    if not exact:
        notes.append("not every node aggregates arithmetically: the split among children follows their "
                     "weighted values (a convention); totals still add up")
    fw = new.framework
    level = group_level if group_level is not None else max(1, fw.levels[fw.root] - 1)
    groups: dict[str, tuple[str, ...]] = {}
    for node in fw.display_order:
        if fw.levels[node] == level:
            groups[node] = tuple(fw.indicators_under(node))
    if level == 1 or not groups:
        groups = {c: (c,) for c in new.indicators}
    peer_cols = [c for c in indicators if c.startswith(PEER_PREFIX) and c[len(PEER_PREFIX):] in fw.nodes]
    for col in peer_cols:  # a missing child's peer value belongs to the group holding that child
        child = col[len(PEER_PREFIX):]
        owner = next((g for g in groups if g == child or g in fw.ancestors(child)), None)
        if owner is not None:
            groups[owner] = (*groups[owner], col)
    grouped = {c for inds in groups.values() for c in inds}
    dropped = tuple(c for c in indicators if c not in set(new.indicators) and c not in grouped)
    if dropped:
        groups[DROPPED] = dropped
    old_rank, new_rank = _by_unit(old, old.rank, both), _by_unit(new, new.rank, both)
    oi, ni = _interval_rows(old_interval, old, both), _interval_rows(new_interval, new, both)
    return Change(
        units=tuple(both), indicators=indicators, old_index=_by_unit(old, old.index, both),
        new_index=_by_unit(new, new.index, both), parts=parts, data_parts=data_parts, method_parts=method_parts,
        old_rank=old_rank, new_rank=new_rank, news=rank_news(old_rank, new_rank, oi, ni), old_interval=oi,
        new_interval=ni, groups=groups, exact=exact,
        entered=tuple(u for u in new.units if u not in units_old),
        left=tuple(u for u in old.units if u not in units_new), notes=tuple(notes),
    )


def old_under_new(old: Result, new: Result, dataset: Dataset | None = None) -> Result:
    """The old data rebuilt under the new methodology and recipe (at the old data's year).

    ``dataset`` is the old data as imported (before the old methodology's derivations), when known.
    Indicators of the new methodology that have no value in the old year are left out of this
    rebuild (their whole effect then counts as data: they are new data); :func:`decompose` notes
    them. Raises a NevIndexError when the rebuild is impossible all the same; callers then report
    the change without the data/methodology split.
    """
    from nevindex.build import build
    from nevindex.errors import DataError
    from nevindex.inputs import load_inputs

    recipe = new.recipe
    data = dataset if dataset is not None else old.dataset
    failure: DataError | None = None
    try:
        inputs = load_inputs(new.framework, data, recipe, year=old.year)
    except DataError as exc:
        inputs, failure = None, exc
    framework = new.framework
    if inputs is not None:
        year = inputs.dataset.years[inputs.dataset.year_index(old.year)]
        present = inputs.dataset.units_present(year)
        empty = [c for c in framework.indicator_codes if c not in inputs.dataset.columns
                 or np.all(np.isnan(inputs.dataset.matrix([c], year)[present]))]
    else:  # a derivation of the new methodology cannot run on the old data: drop what it feeds
        empty = [c for c in framework.indicator_codes if c not in data.columns]
    if empty:
        framework, recipe = _without(framework, recipe, empty)
        inputs = load_inputs(framework, data, recipe, year=old.year)
    if inputs is None:
        raise DataError(f"the old data cannot be rebuilt under the new methodology: {failure}")
    return build(inputs.framework, inputs.dataset, inputs.recipe, year=old.year)


def _without(framework: Any, recipe: Any, codes: Sequence[str]) -> tuple[Any, Any]:
    """The framework (and recipe) without some indicators and the aggregates they leave empty."""
    from nevindex.errors import DataError
    from nevindex.framework import framework_from_mapping

    data = framework.model_dump(mode="python")
    gone = set(codes)
    data["indicators"] = [i for i in data["indicators"] if i["code"] not in gone]
    if not data["indicators"]:
        raise DataError("no indicator of the new methodology has old data")
    while True:
        parents = {n["parent"] for n in (*data["indicators"], *data["aggregates"]) if n["parent"]}
        empty = {a["code"] for a in data["aggregates"] if a["code"] not in parents and a["parent"] is not None}
        if not empty:
            break
        gone |= empty
        data["aggregates"] = [a for a in data["aggregates"] if a["code"] not in empty]
    data["weight_sets"] = {k: {c: w for c, w in v.items() if c not in gone} for k, v in data["weight_sets"].items()}
    fw = framework_from_mapping(data, source=f"{framework.framework.code} without {', '.join(sorted(codes))}")
    settings: dict[str, Any] = {
        "aggregate.by_node": {k: v.model_dump(mode="python") for k, v in recipe.aggregate.by_node.items()
                              if k not in gone},
        "treat.skip": [c for c in recipe.treat.skip if c not in gone]}
    if recipe.weights.nodes:
        settings["weights.nodes"] = [c for c in recipe.weights.nodes if c not in gone]
    if recipe.weights.ahp:
        settings["weights.ahp"] = {k: v.model_dump(mode="python") for k, v in recipe.weights.ahp.items()
                                   if k not in gone}
    return fw, recipe.with_settings(settings)
