"""``nevindex audit``: statistics, coherence, uncertainty and sensitivity of an index, as files."""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from nevindex.cli._common import (
    DataOpt,
    FrameworkOpt,
    RecipeOpt,
    SurveyOpt,
    SurveySpecOpt,
    UnitsOpt,
    YearOpt,
    console,
    survey_respondents,
)
from nevindex.errors import NevIndexError
from nevindex.i18n import numbers
from nevindex.i18n.plural import count

__all__ = ["app"]

app = typer.Typer()


class PerRun(StrEnum):
    parquet = "parquet"
    csv = "csv"


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
    runs: Annotated[int | None, typer.Option(min=1, help="Override the spec's number of runs.")] = None,
    seed: Annotated[int | None, typer.Option(help="Override the spec's seed.")] = None,
    charts: Annotated[bool, typer.Option(help="Write SVG and PNG charts.")] = True,
    per_run: Annotated[PerRun, typer.Option("--per-run", help="Format of the per-run tables (runs, weight_sets, "
                                            "run_scores, run_ranks).")] = PerRun.parquet,
    top: Annotated[int, typer.Option(help="Rows of the rank-interval table to print.")] = 10,
    survey: SurveyOpt = None,
    survey_spec: SurveySpecOpt = None,
) -> None:
    """Audit the index: statistics, correlations, α, PCA; with --spec, rank intervals and Sobol' indices;
    with --survey and --survey-spec, survey sampling error too (the spec's survey_sampling factor)."""
    from nevindex.audit import load_spec, run_audit
    from nevindex.audit.files import write_audit
    from nevindex.inputs import load_inputs
    from nevindex.io import prepare_output

    prepare_output(out, folder=True)
    if spec is None and (runs is not None or seed is not None):
        raise NevIndexError("--runs and --seed set the uncertainty analysis: give them with --spec")
    started = time.perf_counter()
    inputs = load_inputs(framework, data, recipe, units_file=units, year=year)
    respondents = survey_respondents(survey, survey_spec, inputs.dataset.units)
    uspec = load_spec(spec) if spec is not None else None
    if uspec is not None and (runs is not None or seed is not None):
        uspec = uspec.model_copy(update={k: v for k, v in (("runs", runs), ("seed", seed)) if v is not None})
        uspec = type(uspec).model_validate(uspec.model_dump())
    with console.status("auditing…"):
        result = run_audit(inputs.framework, inputs.dataset, inputs.recipe, uspec, year=inputs.year,
                           source=str(spec) if spec else "<spec>", survey=respondents)
        files = write_audit(result, out, per_run=per_run.value, charts=charts)
    _print(result, top)
    console.print(f"wrote {count(len(files), 'file')} to {out} in {time.perf_counter() - started:.2f} s")


def _print(result, top: int) -> None:  # type: ignore[no-untyped-def]
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    flagged = result.statistics[result.statistics["flags"] != ""]
    console.print(f"statistics: {count(len(result.statistics), 'indicator')}, {len(flagged)} flagged; "
                  f"correlations flagged: {int((result.correlations['flag'] != '').sum())}")
    intervals = result.intervals_by_unit()
    if intervals is not None and result.uncertainty is not None:
        stats = result.uncertainty.stats
        sampled = (f", survey sampling: {stats['survey_replicates']} replicates of "
                   f"{', '.join(stats['survey_indicators'])}") if "survey_replicates" in stats else ""
        table = Table(title=f"rank intervals ({stats['runs']} runs, {stats['upstream_states']} upstream states"
                            f"{sampled}, {stats['seconds']:.2f} s)")
        for col in ("unit", "nominal", "median", "5th", "95th"):
            table.add_column(col, justify="left" if col == "unit" else "right")
        for iv in list(intervals.values())[:top]:
            table.add_row(iv.unit, *(numbers.general(v) for v in (iv.nominal, iv.median, iv.low, iv.high)))
        console.print(table)
    if result.sensitivity is not None:
        table = Table(title=f"sensitivity (Sobol', n = {result.sensitivity.n}, "
                            f"{result.sensitivity.evaluation.design.runs} runs)")
        for col in ("factor", "S1", "S1 interval", "ST", "ST interval"):
            table.add_column(col, justify="left" if col == "factor" else "right")
        for _, row in result.sensitivity.indices.iterrows():
            s1, s1_low, s1_high, st, st_low, st_high = (numbers.number(row[c], 3) for c in (
                "S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high"))
            table.add_row(str(row["factor"]), s1, f"[{s1_low}, {s1_high}]", st, f"[{st_low}, {st_high}]")
        console.print(table)
