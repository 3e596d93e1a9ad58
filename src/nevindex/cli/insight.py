"""``nevindex profile``: a unit's profile, strengths and weaknesses, levers, peers and target-rank plan."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from nevindex.cli._common import NOT_RATED, DbOpt, console
from nevindex.errors import DataError, NevIndexError
from nevindex.i18n import numbers

if TYPE_CHECKING:
    from nevindex.insight.profile import Profile
    from nevindex.insight.standing import Standing, StrengthsWeaknesses
    from nevindex.intervals import RankIntervals
    from nevindex.result import Result

__all__ = ["app"]

app = typer.Typer()


def _load_edition(edition: str, db: str | None) -> tuple[Result, list[tuple[str, Result]], RankIntervals | None, str]:
    """A stored edition's Result, the Results of its history (:func:`nevindex.store.queries.history_editions`),
    the audit's rank intervals when stored, and the edition's label."""
    from nevindex.store import editions as ed
    from nevindex.store.db import StoreError, open_store

    try:
        opened = open_store(db, create=False)
    except StoreError as exc:
        raise NevIndexError(f"{exc}\n  → profile a stored edition (--edition E, --db URL), or build one from "
                            "files: --framework F --data D") from exc
    with opened as store:
        info = ed.resolve_edition(store, edition)
        result = ed.rebuild(store, info.id)
        history = [(e.label, ed.rebuild(store, e.id)) for e in ed.history_editions(store, info.id)[:-1]]
        intervals = ed.rank_intervals(store, info.id)
    return result, history, intervals, info.label


@app.command("profile")
def profile_command(
    brand: Annotated[str, typer.Argument(help="Unit (brand) code or name.")],
    edition: Annotated[str | None, typer.Option("--edition", "-e", help="Stored edition: label, year (when it "
                                                "names one edition) or id (default: the latest published).",
                                                show_default=False)] = None,
    db: DbOpt = None,
    framework: Annotated[Path | None, typer.Option("--framework", "-f", help="Methodology file, to build from files.")] = None,
    data: Annotated[Path | None, typer.Option("--data", "-d", help="Indicator data, to build from files.")] = None,
    recipe: Annotated[Path | None, typer.Option("--recipe", "-r", help="Method choices (YAML).")] = None,
    units: Annotated[Path | None, typer.Option("--units", help="Table of units (code, name, groups) for tidy data.")] = None,
    year: Annotated[int | None, typer.Option("--year", help="Year to build (default: the latest).")] = None,
    intervals_file: Annotated[Path | None, typer.Option("--intervals", help="Audit rank_intervals.csv (files form).")] = None,
    peers: Annotated[str | None, typer.Option("--peers", help="Group column defining the peer group.")] = None,
    target_rank: Annotated[int | None, typer.Option("--target-rank", help="Find the cheapest plan to reach this rank.")] = None,
    step: Annotated[str, typer.Option(help="Lever step: next (the next better brand's value), median (the "
                                      "median brand's, of the --peers group if given), range, sd, or leader "
                                      "(the --peers group's leader).")] = "next",
    size: Annotated[float, typer.Option(help="Size of a range step (share of the range) or an sd step "
                                      "(standard deviations).")] = 0.1,
    top: Annotated[int, typer.Option(help="Strengths, weaknesses and levers to show.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole profile as JSON.")] = False,
) -> None:
    """Where BRAND stands, against whom, and what would raise it most."""
    from nevindex.insight.profile import profile

    intervals: RankIntervals | None = None
    if framework is None and data is None:
        from nevindex.store.queries import LATEST

        result, history, intervals, edition = _load_edition(edition or LATEST, db)
    elif framework is not None and data is not None:
        from nevindex.build import build
        from nevindex.dataset import read_table
        from nevindex.inputs import load_inputs
        from nevindex.intervals import RankIntervals

        inputs = load_inputs(framework, data, recipe, units_file=units, year=year)
        result, history = build(inputs.framework, inputs.dataset, inputs.recipe, year=inputs.year), []
        if intervals_file is not None:
            intervals = RankIntervals.from_frame(read_table(intervals_file))
    else:
        raise DataError("--framework and --data go together", hint="give both to profile from files, or neither "
                        "to profile a stored edition (--edition E; default: the latest published)")
    from nevindex.insight.levers import STEPS

    if step not in STEPS:
        raise DataError(f"unknown lever step '{step}'", hint=f"use {', '.join(STEPS)}")
    prof = profile(result, brand, peers=peers, intervals=intervals, history=history, edition=edition, top=top,
                   lever_step=step, lever_size=size, target_rank=target_rank)
    if as_json:
        typer.echo(json.dumps(prof.to_dict(), ensure_ascii=False, allow_nan=False, indent=2))
        return
    _print(prof, top)


def _rank_of(rank: float, n: int) -> str:
    """"rank 4 of 14 rated", counting only the ranked brands; "not rated" without a rank."""
    if rank != rank:
        return f"not rated ({n} brands rated)"
    return f"rank {numbers.rank(rank)} of {n} rated"


def _print(p: Profile, top: int) -> None:
    from nevindex.insight.units import plain_change, plain_value

    rating = f", rating {p.rating}" if p.rating else ""
    interval = (f", rank interval {numbers.rank(p.rank_interval.low)}–{numbers.rank(p.rank_interval.high)}"
                if p.rank_interval else "")
    edition = p.edition if p.edition == str(p.year) else f"{p.edition} ({p.year})"
    console.print(f"[bold]{p.name}[/] ({p.unit}) — {p.framework} {p.version}, {edition}: "
                  f"index {numbers.number(p.score, 2, missing=NOT_RATED)}, {_rank_of(p.rank, p.n_ranked)}{rating}"
                  f"{interval}")
    if len(p.history) > 1:
        console.print("history: " + " · ".join(
            f"{h.label}: {_rank_of(h.rank, h.n_ranked)} ({numbers.number(h.score, 2, missing=NOT_RATED)})"
            for h in p.history))
    table = Table(title="Elements")
    for col in ("element", "score", "rank"):
        table.add_column(col, justify="left" if col == "element" else "right")
    for e in p.elements:
        table.add_row(f"{e.name} ({e.code})", numbers.number(e.score, 2), f"{numbers.rank(e.rank)}/{e.n_ranked}")
    console.print(table)
    for sw in p.standing:
        _print_standing(sw)
    _print_levers(p, top)
    if p.peers is not None and len(p.peers.rows) > 1:
        table = Table(title="Most similar units (Euclidean distance on element scores)")
        for col in ("unit", "distance", "index", "rank", *p.peers.elements):
            table.add_column(col, justify="left" if col == "unit" else "right")
        for row in p.peers.rows:
            table.add_row(f"{row.name} ({row.unit})", numbers.number(row.distance, 2), numbers.number(row.index, 2),
                          numbers.rank(row.rank),
                          *(numbers.number(row.elements[e], 2) for e in p.peers.elements))
        console.print(table)
    if p.plan is not None:
        colour = "green" if p.plan.reached else "yellow"
        console.print(f"[{colour}]{p.plan.message}[/]")
        for c in p.plan.changes:
            console.print(f"  {c.name} ({c.indicator}): {plain_value(c.value, c.measure)} → "
                          f"{plain_value(c.new_value, c.measure)} ({plain_change(c.value, c.new_value, c.measure)}; "
                          f"{numbers.number(c.change_sd, 2)} standard deviations of the brands' values)",
                          highlight=False)


def _print_levers(p: Profile, top: int) -> None:
    """The levers that raise the index, in plain units, with the rank each reaches; or why there are none."""
    from nevindex.insight.levers import step_text
    from nevindex.insight.units import plain_change, plain_value

    if p.levers is None:
        if p.score != p.score:
            console.print(f"levers: none, {p.name} is not rated (no index score to raise); see what its elements "
                          "lack above", highlight=False)
        return
    best = p.levers.best(top)
    if not best:
        console.print(f"levers: no single step ({step_text(p.levers.step, p.levers.size)}) raises the index",
                      highlight=False)
        return
    table = Table(title=f"Top levers: {step_text(p.levers.step, p.levers.size)}, everything else unchanged")
    for col in ("indicator", "from", "to", "change", "Δ index", "rank"):
        table.add_column(col, justify="left" if col == "indicator" else "right")
    for lv in best:
        moved = lv.rank_after == lv.rank_after and lv.rank_after != lv.rank_before
        rank = f"{numbers.rank(lv.rank_before)} → {numbers.rank(lv.rank_after)}" if moved else \
            f"{numbers.rank(lv.rank_before)} (same)"
        table.add_row(f"{lv.name} ({lv.indicator})", plain_value(lv.value, lv.measure),
                      plain_value(lv.new_value, lv.measure), plain_change(lv.value, lv.new_value, lv.measure),
                      numbers.signed(lv.index_change, 2), rank)
    console.print(table)


def _print_standing(sw: StrengthsWeaknesses) -> None:
    who = "all units" if sw.against == "all" else f"'{sw.against}' group {sw.group} ({sw.size} units)"
    if sw.note:
        console.print(f"[yellow]{sw.note}[/]")
        return
    table = Table(title=f"Strengths and weaknesses against {who}")
    table.add_column("strengths")
    table.add_column("weaknesses")
    strengths = [_standing(s) for s in (*sw.element_strengths, *sw.indicator_strengths)]
    weaknesses = [_standing(s) for s in (*sw.element_weaknesses, *sw.indicator_weaknesses)]
    for k in range(max(len(strengths), len(weaknesses))):
        table.add_row(strengths[k] if k < len(strengths) else "", weaknesses[k] if k < len(weaknesses) else "")
    if not strengths and not weaknesses:
        table.add_row("none", "none")
    console.print(table)
    console.print(f"[dim]rank/n = rank among the n brands scored on it; pct = percentile; {sw.rule}[/]",
                  highlight=False)


def _standing(s: Standing) -> str:
    return f"{s.name} ({s.kind}) {numbers.rank(s.rank)}/{s.n}, pct {numbers.number(s.percentile, 0)}"
