"""Where the report's inputs come from: the edition store, or framework + data files; and adapters
from the other areas' outputs (audit tables, insight levers, change decomposition) to the model's views.

Every optional part is fetched on its own: if it was not run, or it fails, the report still renders
and says which part is missing and why (``Availability``). Which edition, which previous edition and
which history the report shows are the store's answers (:mod:`nevindex.store.queries`), the same as
the CLI's and the portal's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nevindex.errors import NevIndexError, NotFoundError
from nevindex.intervals import RankIntervals
from nevindex.report.model import (
    AuditView,
    Availability,
    ChangeView,
    LeverView,
    RankInterval,
    RatedCoherence,
    ReportModel,
    build_model,
    elements_of,
)
from nevindex.result import Result

__all__ = ["LEVERS_KEPT", "ReportInputs", "StoreUnavailable", "audit_view", "change_views", "coverage_rules",
           "decompose", "from_demo", "from_files", "from_store", "history_from_results", "lever_views",
           "published_intervals"]


#: How many levers per brand the report keeps (the profile prints the top three).
LEVERS_KEPT = 5
#: Fewest brands behind a correlation for it to be flagged (METHODS.md: below that, r says nothing).
MIN_PAIRS = 5


class StoreUnavailable(NotFoundError):
    """No store at the given place, or no built edition of the year in it."""


@dataclass
class ReportInputs:
    """Everything the model builder can use; only ``result`` is required."""

    result: Result
    edition: dict[str, Any] = field(default_factory=dict)
    previous: Result | None = None
    audit_tables: Mapping[str, pd.DataFrame] | None = None
    history: dict[str, list[tuple[int, float, float]]] = field(default_factory=dict)
    audit_seed: int | None = None
    change: Any = None  # nevindex.insight.change.Change, when computed by the caller
    coverage: pd.DataFrame | None = None  # the methodology's coverage table (nevindex.nev.coverage)
    availability: dict[str, str] = field(default_factory=dict)

    def model(self, lang: str) -> ReportModel:
        """Assemble the report model in ``lang``, computing levers and the change if possible."""
        avail = dict(self.availability)
        audit = audit_view(self.audit_tables, self.result, self.audit_seed) if self.audit_tables else None
        if audit is None and "audit" not in avail:
            avail["audit"] = "audit.not_run"
        levers = None
        try:
            levers = lever_views(self.result)
        except Exception as exc:  # noqa: BLE001 - an optional part must not sink the report; say why
            avail["insight"] = f"failed:{_why(exc)}"
        change = None
        if self.change is not None or self.previous is not None:
            try:
                ch = self.change if self.change is not None else decompose(self.previous, self.result, audit)
                change = change_views(ch, self.result)
                avail.pop("change", None)
            except Exception as exc:  # noqa: BLE001 - as above
                avail["change"] = f"failed:{_why(exc)}"
        previous_year = self.previous.year if self.previous is not None else self.edition.get("previous_year")
        coverage, rules = self.coverage, None
        if coverage is None:
            coverage, rules = coverage_rules(self.result)
        elif self.result.framework.framework.meta.get("coverage"):
            rules = dict(self.result.framework.framework.meta["coverage"])
        if coverage is not None and (audit is None or audit.index_coherence is None):
            try:
                audit = _with_rated_coherence(audit, self.result, coverage)
            except Exception as exc:  # noqa: BLE001 - as above
                avail["coherence"] = f"failed:{_why(exc)}"
        if coverage is not None and audit is not None and audit.intervals:
            audit = published_intervals(audit, self.audit_tables or {}, coverage)
            if not audit.intervals:
                avail["audit"] = "audit.not_comparable"
        if change and previous_year is not None:
            change = {u: _published_previous(v, self.history.get(u, ()), previous_year) for u, v in change.items()}
        return build_model(self.result, lang, edition=self.edition, audit=audit, levers=levers, change=change,
                           previous_year=previous_year if change else None, history=self.history,
                           availability=Availability(**avail), coverage=coverage, rules=rules)


# --- adapters ------------------------------------------------------------------------------------


def _with_rated_coherence(audit: AuditView | None, result: Result, coverage: pd.DataFrame) -> AuditView | None:
    """The coherence table of the published ranking (nevindex.nev.coherence), computed here when the
    audit did not store it: it needs no Monte Carlo, and a reader asks it of every ranking."""
    from dataclasses import replace

    from nevindex.nev.coherence import rated_coherence

    view = rated_coherence_view(rated_coherence(result, coverage))
    if view is None:
        return audit
    return replace(audit, index_coherence=view) if audit is not None else AuditView(index_coherence=view)


def _why(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text and not isinstance(exc, NevIndexError) else (text or type(exc).__name__)


def published_intervals(audit: AuditView, tables: Mapping[str, pd.DataFrame], coverage: pd.DataFrame) -> AuditView:
    """Rank intervals in the published ranking's terms: the audit ranks every scored unit in each run,
    but under coverage rules only the rated ones are ranked. With the per-run scores, rank the rated
    units in every run (the engine's ``rank_desc``) and take the same quantiles as the audit (5th, 50th,
    95th, numpy 'linear'); without them the audit's intervals are not comparable and are dropped."""
    from dataclasses import replace

    from nevindex.methods.rank import rank_desc

    rated = [str(u) for u in coverage.loc[coverage["rated"].astype(bool), "unit"]]
    published_rank = dict(zip(coverage["unit"].astype(str), coverage["rank"], strict=True))
    if set(rated) == set(map(str, coverage["unit"])):
        return audit
    runs = tables.get("run_scores")
    if runs is None or not set(rated) <= set(map(str, runs.columns)):
        return replace(audit, intervals=None)
    scores = runs[rated].to_numpy(dtype=float)
    ranks = rank_desc(scores, axis=1)
    with np.errstate(invalid="ignore"):
        low, med, high = np.nanquantile(ranks, [0.05, 0.5, 0.95], axis=0, method="linear")
    intervals = {u: RankInterval(float(published_rank[u]), float(med[j]), float(low[j]), float(high[j]))
                 for j, u in enumerate(rated)}
    return replace(audit, intervals=intervals)


def _published_previous(view: ChangeView, history: Sequence[tuple[int, float, float]], year: int) -> ChangeView:
    """The previous rank as published (history), not the engine's rank among all scored units."""
    from dataclasses import replace

    previous = next((h for h in history if h[0] == year), None)
    return replace(view, previous_rank=previous[2]) if previous is not None else view


def coverage_rules(result: Result) -> tuple[pd.DataFrame | None, dict[str, Any] | None]:
    """The published ranking under the methodology's coverage rules (``framework.meta.coverage``, the
    NEV index), via nevindex.nev.coverage; (None, None) for a methodology without such rules."""
    from nevindex.nev.coverage import CoverageRules, coverage_table

    spec = result.framework.framework.meta.get("coverage")
    if not spec:
        return None, None
    return coverage_table(result, CoverageRules.from_framework(result.framework)), dict(spec)


def audit_view(tables: Mapping[str, pd.DataFrame], result: Result, seed: int | None = None) -> AuditView | None:
    """Read the audit's stored tables (nevindex.audit ``AuditResult.tables()``)."""
    typed = RankIntervals.from_tables(tables)
    intervals = ({u: RankInterval(iv.nominal, iv.median, iv.low, iv.high) for u, iv in typed.items()}
                 if typed is not None else None)
    alpha, alpha_n = None, None
    cons = tables.get("consistency")
    if cons is not None and not cons.empty and "cronbach_alpha" in cons.columns:
        records = [r for r in cons.to_dict("records")
                   if r.get("cronbach_alpha") is not None and math.isfinite(float(r["cronbach_alpha"]))]
        alpha = {str(r["aggregate"]): float(r["cronbach_alpha"]) for r in records}
        if "complete_rows" in cons.columns:  # the brands behind each α (nevindex.audit.coherence.group_consistency)
            alpha_n = {str(r["aggregate"]): int(r["complete_rows"]) for r in records
                       if r.get("complete_rows") is not None and math.isfinite(float(r["complete_rows"]))}
    sens = tables.get("sensitivity")
    sensitivity = None
    if sens is not None and not sens.empty and {"S1", "ST"} <= set(sens.columns):
        sensitivity = [(str(r["factor"]), float(r["S1"]), float(r["ST"])) for r in sens.to_dict("records")]
    flags: list[tuple[str, str, str, float, int]] = []
    unflagged = 0
    corr = tables.get("correlations")
    matrix = None
    if corr is not None and not corr.empty:
        if "flag" in corr.columns:  # the audit's pairwise table (nevindex.audit.coherence.correlations)
            for r in corr.to_dict("records"):
                if isinstance(r["flag"], str) and r["flag"].strip():
                    n = int(r["n"]) if r.get("n") is not None and math.isfinite(float(r["n"])) else 0
                    if n >= MIN_PAIRS:  # a correlation on fewer brands is not evidence either way
                        flags.append((str(r["node"]), str(r["other"]), r["flag"].strip(), float(r["pearson"]), n))
                    else:
                        unflagged += 1
        matrix = _element_correlations(corr, result)
    runs = tables.get("runs")
    varied: list[tuple[str, tuple[str, ...]]] = []
    weights_varied = False
    if runs is not None and not runs.empty:
        for column in runs.columns:
            if column in ("run", "weight_set", "mean_abs_rank_shift"):
                continue
            values = tuple(dict.fromkeys(str(v) for v in runs[column]))
            if len(values) > 1:
                varied.append((str(column), values))
        sets = tables.get("weight_sets")
        weights_varied = sets is not None and len(sets) > 1 and bool(
            (sets.drop(columns=["set"], errors="ignore").nunique() > 1).any())
    rated = rated_coherence_view(tables.get("index_coherence"))
    if intervals is None and alpha is None and sensitivity is None and corr is None and rated is None:
        return None
    return AuditView(intervals=intervals, correlations=matrix, alpha=alpha, sensitivity=sensitivity,
                     flags=tuple(flags), runs=len(runs) if runs is not None else None, seed=seed,
                     index_coherence=rated, alpha_n=alpha_n, varied=tuple(varied), weights_varied=weights_varied,
                     unflagged=unflagged)


def rated_coherence_view(frame: pd.DataFrame | None) -> RatedCoherence | None:
    """The stored coherence table of the rated brands (``index_coherence``, nevindex.nev.coherence)."""
    if frame is None or frame.empty or not {"node", "kind", "pearson", "n", "flag"} <= set(frame.columns):
        return None
    rows = frame.to_dict("records")
    flag = [str(r["flag"]) if isinstance(r["flag"], str) and int(r["n"]) >= MIN_PAIRS else "" for r in rows]
    elements = tuple((str(r["node"]), float(r["pearson"]), float(r["spearman"]), int(r["n"]), f)
                     for r, f in zip(rows, flag, strict=True) if r["kind"] == "element")
    weak = tuple((str(r["node"]), float(r["pearson"]), int(r["n"]))
                 for r, f in zip(rows, flag, strict=True) if r["kind"] == "indicator" and f)
    rated = next((int(r["n"]) for r in rows if r["kind"] == "index"), 0)
    return RatedCoherence(rated=rated, elements=elements, weak=weak)


def _element_correlations(corr: pd.DataFrame, result: Result, lang: str = "en") -> tuple[tuple[str, ...], Any] | None:
    """Index × elements Pearson matrix from the audit's pairwise table, if it has every pair."""
    fw = result.framework
    codes = (fw.root, *elements_of(result))
    pairs = {(str(r["node"]), str(r["other"])): float(r["pearson"]) for r in corr.to_dict("records")}
    m = np.eye(len(codes))
    for i, a in enumerate(codes):
        for j, b in enumerate(codes):
            if i != j:
                value = pairs.get((a, b), pairs.get((b, a)))
                if value is None:
                    return None
                m[i, j] = value
    return tuple(fw.nodes[c].name.get(lang) for c in codes), m


def lever_views(result: Result, *, step: str = "next", size: float = 0.1) -> dict[str, list[LeverView]]:
    """Each brand's best levers (largest index gain first) from nevindex.insight."""
    from nevindex.insight.levers import all_levers, raw_matrix

    table = all_levers(result, step=step, size=size)  # type: ignore[arg-type]
    raw = raw_matrix(result)
    out: dict[str, list[LeverView]] = {}
    for i, unit in enumerate(table.units):
        gains = table.index_change[i]
        order = [j for j in np.argsort(-np.nan_to_num(gains, nan=-np.inf), kind="stable") if math.isfinite(gains[j])
                 and gains[j] > 0]
        out[unit] = [LeverView(table.indicators[j], float(table.new_value[i, j] - raw[i, j]), float(gains[j]),
                               float(table.rank_change[i, j])) for j in order[:LEVERS_KEPT]]
    return out


def decompose(previous: Result, result: Result, audit: AuditView | None) -> Any:
    """The store's change decomposition (nevindex.insight.change), data vs methodology when possible."""
    from nevindex.insight.change import decompose as _decompose
    from nevindex.insight.change import old_under_new

    try:
        middle = old_under_new(previous, result)
    except NevIndexError:  # the old data cannot be rebuilt under the new methodology (its documented
        middle = None  # failure): no data/methodology split then; the decomposition still runs
    new_interval = ({u: (iv.low, iv.high) for u, iv in audit.intervals.items()}
                    if audit is not None and audit.intervals else None)
    return _decompose(previous, result, middle, new_interval=new_interval)


def change_views(change: Any, result: Result) -> dict[str, ChangeView]:
    """Per unit: previous score and rank, element contributions, data and methodology parts."""
    groups = change.group_parts("parts")
    data = change.data_total
    method = change.method_total
    elements = set(elements_of(result))
    out = {}
    for i, unit in enumerate(change.units):
        row = groups.loc[unit]
        out[unit] = ChangeView(
            previous_score=float(change.old_index[i]), previous_rank=float(change.old_rank[i]),
            contributions={str(g): float(v) for g, v in row.items() if g in elements},
            data_part=float(data[i]) if data is not None else None,
            method_part=float(method[i]) if method is not None else None)
    return out


# --- sources ------------------------------------------------------------------------------------


def history_from_results(results: Sequence[Result]) -> dict[str, list[tuple[int, float, float]]]:
    """(year, index, rank) per unit over editions: the published numbers (coverage rules applied)."""
    out: dict[str, list[tuple[int, float, float]]] = {}
    for r in sorted(results, key=lambda r: r.year):
        table, _ = coverage_rules(r)
        published = table.set_index("unit") if table is not None else None
        for i, unit in enumerate(r.units):
            if published is not None and unit in published.index:
                row = published.loc[unit]
                score, rank = (float(row["index"]), float(row["rank"])) if bool(row["rated"]) else (math.nan, math.nan)
            else:
                score, rank = float(r.index[i]), float(r.rank[i])
            out.setdefault(unit, []).append((r.year, score, rank))
    return out


def from_demo(year: int) -> ReportInputs:
    """The NEV demonstration edition (shipped methodology and data) built by nevindex.nev, with the
    previous year's edition for the change and the history: the report without a store."""
    from nevindex.nev.edition import EDITIONS, build_edition

    if year not in EDITIONS:
        raise NotFoundError(f"no demonstration edition {year}; editions: {', '.join(map(str, EDITIONS))}")
    editions = {y: build_edition(y) for y in EDITIONS if y <= year}
    current, previous = editions[year], editions.get(year - 1)
    avail = {} if previous is not None else {"change": "change.not_available"}
    if len(editions) == 1:
        avail["history"] = "history.none"
    return ReportInputs(result=current.result, edition={"label": f"{year} (demo)", "status": "draft"},
                        previous=previous.result if previous else None, coverage=current.table,
                        history=history_from_results([e.result for e in editions.values()]), availability=avail)


def from_files(framework: str | Path, data: str | Path, *, year: int | None = None, units_file: str | Path | None = None,
               recipe: str | Path | None = None, audit_dir: str | Path | None = None,
               audit_spec: str | Path | Mapping[str, Any] | None = None) -> ReportInputs:
    """Build the edition from files with the engine (no store): the year asked, the one before for
    the change, and every earlier year of the data for the history. The audit comes from a folder
    written by ``nevindex audit`` (``audit_dir``) or is run here from an uncertainty spec."""
    from nevindex.build import build
    from nevindex.inputs import load_inputs

    inputs = load_inputs(framework, data, recipe=recipe, units_file=units_file, year=year)
    ds, fw = inputs.dataset, inputs.framework
    target = year if year is not None else ds.latest_year
    if target not in ds.years:
        raise NotFoundError(f"the data have no year {target}; years: {', '.join(map(str, ds.years))}")
    results = {y: build(fw, ds, inputs.recipe, year=y) for y in ds.years if y <= target}
    result = results[target]
    previous = results.get(target - 1)
    tables, seed = _read_audit_dir(audit_dir) if audit_dir else (None, None)
    avail = {} if previous is not None else {"change": "change.not_available"}
    if audit_spec is not None and tables is None:
        from nevindex.audit import run_audit

        audited = run_audit(fw, ds, result.recipe, audit_spec, year=result.year)
        tables = audited.tables()
        seed = audited.spec.seed if audited.spec is not None else None
    if len(results) == 1:
        avail["history"] = "history.none"
    return ReportInputs(result=result, edition={"label": str(target), "status": "draft"}, previous=previous,
                        audit_tables=tables, audit_seed=seed, history=history_from_results(list(results.values())),
                        availability=avail)


def _read_audit_dir(folder: str | Path) -> tuple[dict[str, pd.DataFrame], int | None]:
    """The CSV tables written by ``nevindex audit`` (one file per table), and the spec's seed."""
    import json

    folder = Path(folder)
    if not folder.is_dir():
        raise NotFoundError(f"audit folder '{folder}' does not exist")
    seed = None
    meta = folder / "audit.json"
    if meta.exists():
        seed = (json.loads(meta.read_text(encoding="utf-8")).get("spec") or {}).get("seed")
    return {p.stem: pd.read_csv(p) for p in sorted(folder.glob("*.csv"))}, seed


def from_store(year: int | None = None, *, url: str | None = None, edition: str | None = None) -> ReportInputs:
    """The edition of ``year`` from the store (the store's current edition of that year), or the one
    ``edition`` names (label, year or id, as :func:`nevindex.store.queries.resolve_edition` reads it),
    its audit, its previous edition for the change, and its history."""
    from nevindex.store import editions as ed
    from nevindex.store.db import StoreError, open_store
    from nevindex.workflows import compare_editions

    try:  # a report reads: it never creates a store as a side effect
        store = open_store(url, create=False)
    except StoreError as exc:
        raise StoreUnavailable(str(exc)) from exc
    with store:
        try:
            chosen = ed.resolve_edition(store, edition if edition is not None else str(year))
        except NotFoundError as exc:
            raise StoreUnavailable(f"no built edition for {year or edition} in the store ({exc})") from exc
        if (year is not None and chosen.year != year) or not chosen.built:
            raise StoreUnavailable(f"no built edition for {year or chosen.label} in the store"
                                   + (f" labelled '{edition}'" if edition is not None else ""))
        result = ed.rebuild(store, chosen.id)
        tables = ed.audit_tables(store, chosen.id) or None
        earlier = [(e, ed.rebuild(store, e.id)) for e in ed.history_editions(store, chosen.id)[:-1]]
        previous = earlier[-1] if earlier else None
        change, avail = None, {}
        if previous is not None:
            try:
                change = compare_editions(store, previous[0].id, chosen.id)
            except Exception as exc:  # noqa: BLE001 - an optional part must not sink the report; say why
                avail["change"] = f"failed:{_why(exc)}"
        else:
            avail["change"] = "change.not_available"
        history = history_from_results([r for _, r in earlier] + [result])
        edition_meta = {"label": chosen.label, "status": chosen.status, "hashes": chosen.hashes,
                        "published_at": chosen.published_at.date().isoformat() if chosen.published_at else None}
        return ReportInputs(result=result, edition=edition_meta, previous=previous[1] if previous else None,
                            audit_tables=tables, history=history, change=change, availability=avail)
