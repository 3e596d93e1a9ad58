"""``nevindex audit``: statistics, coherence, uncertainty and sensitivity of an index, as files."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from nevindex.cli._common import DataOpt, FrameworkOpt, RecipeOpt, UnitsOpt, YearOpt, console

__all__ = ["app"]

app = typer.Typer()

#: Tables larger than this many cells (per-run tables of big designs) go to CSV only: XLSX writing
#: is slow (about 30 s per million cells) and spreadsheets are not the place for them.
XLSX_MAX_CELLS = 250_000


@app.command()
def audit(
    framework: FrameworkOpt,
    data: DataOpt,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the audit tables (CSV, XLSX) and charts.")],
    recipe: RecipeOpt = None,
    spec: Annotated[Path | None, typer.Option("--spec", "-s", help="Uncertainty spec (YAML): factors, "
                                                 "weight noise, runs, seed, design, sensitivity.")] = None,
    units: UnitsOpt = None,
    year: YearOpt = None,
    runs: Annotated[int | None, typer.Option(help="Override the spec's number of runs.")] = None,
    seed: Annotated[int | None, typer.Option(help="Override the spec's seed.")] = None,
    charts: Annotated[bool, typer.Option(help="Write SVG and PNG charts.")] = True,
    top: Annotated[int, typer.Option(help="Rows of the rank-interval table to print.")] = 10,
) -> None:
    """Audit the index: statistics, correlations, α, PCA; with --spec, rank intervals and Sobol' indices."""
    from nevindex.audit import load_spec, run_audit
    from nevindex.inputs import load_inputs
    from nevindex.io import write_all, write_csv, write_xlsx

    started = time.perf_counter()
    inputs = load_inputs(framework, data, recipe, units_file=units, year=year)
    uspec = load_spec(spec) if spec is not None else None
    if uspec is not None and (runs is not None or seed is not None):
        uspec = uspec.model_copy(update={k: v for k, v in (("runs", runs), ("seed", seed)) if v is not None})
        uspec = type(uspec).model_validate(uspec.model_dump())
    with console.status("auditing…"):
        result = run_audit(inputs.framework, inputs.dataset, inputs.recipe, uspec,
                           source=str(spec) if spec else "<spec>")
        tables = result.tables()
        writers = {f"{name}.csv": (lambda path, f=frame: write_csv(f, path)) for name, frame in tables.items()}
        small = {n: f for n, f in tables.items() if f.size <= XLSX_MAX_CELLS}
        writers["audit.xlsx"] = lambda path: write_xlsx(small, path)
        summary = result.summary() | {"csv_only": sorted(set(tables) - set(small))}
        writers["audit.json"] = lambda path: path.write_text(
            json.dumps(summary, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
        if charts:
            for name, blob in result.charts().items():
                writers[f"charts/{name}"] = lambda path, b=blob: path.write_bytes(b)
        write_all(out, writers)
    _print(result, top)
    console.print(f"wrote {len(writers)} files to {out} in {time.perf_counter() - started:.2f} s")


def _print(result, top: int) -> None:  # type: ignore[no-untyped-def]
    flagged = result.statistics[result.statistics["flags"] != ""]
    console.print(f"statistics: {len(result.statistics)} indicators, {len(flagged)} flagged; "
                  f"correlations flagged: {int((result.correlations['flag'] != '').sum())}")
    intervals = result.intervals_by_unit()
    if intervals is not None and result.uncertainty is not None:
        stats = result.uncertainty.stats
        table = Table(title=f"rank intervals ({stats['runs']} runs, {stats['upstream_states']} upstream states, "
                            f"{stats['seconds']:.2f} s)")
        for col in ("unit", "nominal", "median", "5th", "95th"):
            table.add_column(col, justify="left" if col == "unit" else "right")
        for iv in list(intervals.values())[:top]:
            table.add_row(iv.unit, *(_fmt(v) for v in (iv.nominal, iv.median, iv.low, iv.high)))
        console.print(table)
    if result.sensitivity is not None:
        table = Table(title=f"sensitivity (Sobol', n = {result.sensitivity.n}, "
                            f"{result.sensitivity.evaluation.design.runs} runs)")
        for col in ("factor", "S1", "S1 interval", "ST", "ST interval"):
            table.add_column(col, justify="left" if col == "factor" else "right")
        for _, row in result.sensitivity.indices.iterrows():
            table.add_row(str(row["factor"]), f"{row['S1']:.3f}", f"[{row['S1_low']:.3f}, {row['S1_high']:.3f}]",
                          f"{row['ST']:.3f}", f"[{row['ST_low']:.3f}, {row['ST_high']:.3f}]")
        console.print(table)


def _fmt(value: float) -> str:
    return "—" if value is None or math.isnan(value) else f"{value:g}"
