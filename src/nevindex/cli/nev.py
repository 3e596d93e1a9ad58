"""``nevindex demo`` (the NEV index editions from the shipped data) and ``nevindex synth``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from nevindex.cli import app, console

ELEMENT_LABELS = {"tangible": "Tangible", "quality": "Quality", "innovation": "Innovation",
                  "service": "Service", "intangible": "Intangible"}


def _element_cell(row: dict, element: str) -> str:
    k, n = int(row[f"{element}_observed"]), int(row[f"{element}_indicators"])
    if n == 0:
        return "[dim]suspended[/]"
    if row[f"{element}_rated"]:
        return f"{row[f'{element}_score']:.1f} [dim]{k}/{n}[/]"
    return f"[yellow]n.r.[/] [dim]{k}/{n}[/]"


def edition_table(edition, top: int) -> Table:  # noqa: ANN001 - Edition, imported lazily
    """The ranking table of one edition: rated brands by rank, then not-rated ones by coverage."""
    fw = edition.result.framework
    table = Table(title=f"{fw.framework.name.en} {fw.framework.version} — {edition.year} edition",
                  title_justify="left", pad_edge=False)
    table.add_column("#", justify="right")
    table.add_column("Brand", no_wrap=True)
    table.add_column("Index", justify="right")
    table.add_column("Rating")
    for element in ELEMENT_LABELS.values():
        table.add_column(element, justify="right", no_wrap=True)
    table.add_column("Cov.", justify="right")
    for row in edition.table.head(top).to_dict("records"):
        name = str(row["name"]).split(" (")[0] + (" †" if row["scope"] else "")
        if row["rated"]:
            rank, index, rating = f"{row['rank']:.0f}", f"{row['index']:.1f}", str(row["rating"])
        else:
            rank, index, rating = "–", "[yellow]n.r.[/]", "[yellow]n.r.[/]"
        table.add_row(rank, name, index, rating, *(_element_cell(row, e) for e in ELEMENT_LABELS),
                      f"{row['coverage']:.0%}")
    return table


@app.command()
def demo(
    year: Annotated[list[int] | None, typer.Option("--year", help="Edition(s) to build (default: 2023 and 2024).")] = None,
    top: Annotated[int, typer.Option(help="Rows per edition (rated brands first, then not-rated ones).")] = 30,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Also write every table of each edition to OUT/<year>/.")] = None,
) -> None:
    """Build the NEV index editions from the shipped, sourced data and print their rankings."""
    from nevindex.nev.edition import EDITIONS, build_edition, write_edition

    started = time.perf_counter()
    # Piped output (no terminal) gets a fixed width so the table is not squeezed to 80 columns.
    target = out
    out = console if console.is_terminal else Console(width=140, highlight=False)
    for y in year or EDITIONS:
        edition = build_edition(y)
        out.print(edition_table(edition, top))
        out.print(f"[bold]coverage:[/] {edition.note}", highlight=False)
        if target is not None:
            files = write_edition(edition, target / str(y))
            out.print(f"wrote {len(files)} files to {target / str(y)}", highlight=False)
        out.print()
    out.print("n.r. = not rated (too few indicators observed); k/n = indicators observed of the element's; "
                  "† = uses group-level (SCOPE) figures; scores 0–100 on fixed goalposts; no value is imputed. "
                  f"Built in {time.perf_counter() - started:.2f} s.", highlight=False)


@app.command()
def synth(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for data.csv and framework.yaml.")],
    units: Annotated[int, typer.Option("--units", min=2, help="Number of units.")] = 500,
    indicators: Annotated[int, typer.Option("--indicators", min=2, help="Number of indicators.")] = 60,
    years: Annotated[int, typer.Option("--years", min=1, help="Number of years.")] = 1,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random generator.")] = 0,
    missing: Annotated[float, typer.Option("--missing", min=0.0, max=0.8, help="Target share of missing values.")] = 0.2,
) -> None:
    """Write a SYNTHETIC data set and matching framework (for benchmarks and load tests)."""
    from nevindex.synth import write_synthetic

    started = time.perf_counter()
    files = write_synthetic(out, units=units, indicators=indicators, years=years, seed=seed, missing=missing)
    console.print(f"wrote synthetic data ({units} units × {indicators} indicators × {years} years, seed {seed}): "
                  f"{', '.join(str(f) for f in files)} in {time.perf_counter() - started:.2f} s")
