"""``nevindex build`` and ``nevindex validate``: the engine on files."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from nevindex.cli._common import DataOpt, FrameworkOpt, RecipeOpt, UnitsOpt, YearOpt, console
from nevindex.i18n import numbers
from nevindex.i18n.plural import count

__all__ = ["app"]

app = typer.Typer()


@app.command()
def build(
    framework: FrameworkOpt,
    data: DataOpt,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for results.csv, every set, weights, result.xlsx.")],
    recipe: RecipeOpt = None,
    units: UnitsOpt = None,
    year: YearOpt = None,
    top: Annotated[int, typer.Option(help="Rows of the ranking to print.")] = 10,
) -> None:
    """Build the index and write every table to OUT."""
    import numpy as np
    from rich.table import Table

    from nevindex.build import build as build_result
    from nevindex.build import check_inputs
    from nevindex.export import write_result
    from nevindex.inputs import load_inputs
    from nevindex.io import prepare_output

    prepare_output(out, folder=True)
    started = time.perf_counter()
    with console.status("building…"):
        inputs = load_inputs(framework, data, recipe, units_file=units, year=year)
        for warning in check_inputs(inputs.framework, inputs.dataset, inputs.recipe):
            console.print(f"[yellow]warning:[/] {warning}")
        result = build_result(inputs.framework, inputs.dataset, inputs.recipe, year=inputs.year)
        for warning in (w for entry in result.log for w in entry.details.get("warnings", [])):
            console.print(f"[yellow]warning:[/] {warning}", highlight=False)
        notes: list[str] = []
        files = write_result(result, out, notes)
    table = Table(title=f"{inputs.framework.framework.name.en} — {result.year} (top {min(top, len(result.units))})")
    table.add_column("rank", justify="right")
    table.add_column("unit")
    table.add_column(result.aggregates[0], justify="right")
    order = np.argsort(result.rank, kind="stable")
    names = result.unit_names()
    for i in order[:top]:
        rank, score = numbers.rank(result.rank[i]), numbers.number(result.index[i], 2)
        table.add_row(rank, f"{names[i]} ({result.units[i]})", score)
    console.print(table)
    for note in notes:
        console.print(f"[yellow]note:[/] {note}", highlight=False)
    console.print(f"wrote {count(len(files), 'file')} to {out} in {time.perf_counter() - started:.2f} s "
                  f"(result {result.content_sha256()[:12]})")


@app.command()
def validate(
    framework: FrameworkOpt,
    data: DataOpt,
    recipe: RecipeOpt = None,
    units: UnitsOpt = None,
    year: YearOpt = None,
) -> None:
    """Check the methodology, data and recipe without building."""
    from nevindex.build import check_inputs, preflight
    from nevindex.inputs import load_inputs

    inputs = load_inputs(framework, data, recipe, units_file=units, year=year)
    warnings = check_inputs(inputs.framework, inputs.dataset, inputs.recipe)
    report = preflight(inputs.framework, inputs.dataset, inputs.recipe, year=inputs.year)
    for warning in [*warnings, *report.warnings]:
        console.print(f"[yellow]warning:[/] {warning}")
    fw = inputs.framework
    console.print(
        f"[green]ok[/]: {fw.framework.code} {fw.framework.version} — {count(len(fw.indicators), 'indicator')}, "
        f"{count(len(fw.aggregates), 'aggregate')}, {count(fw.max_level, 'level')}; data: "
        f"{count(len(report.units), 'unit')} in "
        f"{report.year}, {report.observed_share:.0%} of indicator values observed"
    )
