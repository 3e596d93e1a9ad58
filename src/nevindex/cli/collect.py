"""``nevindex survey build`` and ``nevindex panel build``: primary data → observations for ``data import``.

Thin and lazy: each command imports the library when it runs (``--help`` loads neither pandas nor
numpy), checks the whole input before writing, and writes the observations file atomically (nothing
is written after an error). One Typer app for the area, merged into the root app by ``cli/__init__``.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

app = typer.Typer()
survey_app = typer.Typer(help="Consumer surveys: a respondent file and its spec → indicator observations "
                              "with n, Kish n, standard error and 95 % interval.", no_args_is_help=True)
panel_app = typer.Typer(help="Expert panels: a ratings file and its spec → consensus observations with "
                             "Kendall's W, ICC(2,k) and far-off raters flagged.", no_args_is_help=True)
app.add_typer(survey_app, name="survey")
app.add_typer(panel_app, name="panel")

SpecOpt = Annotated[Path, typer.Option("--spec", "-s", help="Spec file (YAML); see docs/collection.md.")]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Observations file to write (CSV, for data import).")]
UnitsOpt = Annotated[Path | None, typer.Option(
    "--units", help="Table of units (e.g. brands.csv): any other brand code in the input is an error.")]
DatasetOpt = Annotated[str | None, typer.Option(
    "--dataset", help="Check brand codes against the units of this stored data set (label or id).")]
DbOpt = Annotated[str | None, typer.Option("--db", help="Store URL or SQLite file, for --dataset "
                                              "(default: $NEVINDEX_DB).", show_default=False)]


def _known_brands(units: Path | None, dataset: str | None, db: str | None) -> list[str] | None:
    """The brand list to check against: a units table, a stored data set's units, or none."""
    if units is not None and dataset is not None:
        raise typer.BadParameter("give --units or --dataset, not both", param_hint="'--units'")
    if units is not None:
        from nevindex.collect import read_unit_codes

        return read_unit_codes(units)
    if dataset is not None:
        from nevindex.store import db as store_db
        from nevindex.store import editions

        store = store_db.open_store(db)
        try:
            return list(editions.get_dataset(store, dataset).units)
        finally:
            store.close()
    return None


def _print(renderable: object) -> None:
    # the CLI's one console, imported late: the root app imports this module
    from nevindex.cli import console

    console.print(renderable)


def _median(values) -> float:  # noqa: ANN001 - a numpy array
    import numpy as np

    return float(np.median(values)) if len(values) else math.nan


def _fmt(value: float, digits: int = 3) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


@survey_app.command("build")
def survey_build(
    responses: Annotated[Path, typer.Argument(help="Respondent file: CSV, XLSX or SPSS .sav.")],
    spec: SpecOpt,
    out: OutOpt,
    units: UnitsOpt = None,
    dataset: DatasetOpt = None,
    db: DbOpt = None,
) -> None:
    """Compute the spec's indicators for every brand and write them as tidy observations."""
    from nevindex.collect.observations import write_table
    from nevindex.collect.survey import estimate_survey
    from nevindex.collect.survey_data import read_survey
    from nevindex.collect.survey_spec import load_survey_spec
    from nevindex.io import prepare_output

    prepare_output(out, folder=False)
    started = time.perf_counter()
    survey_spec = load_survey_spec(spec)
    data = read_survey(responses, survey_spec, known_brands=_known_brands(units, dataset, db))
    estimate = estimate_survey(survey_spec, data)
    frame = estimate.observations()
    write_table(frame, out)
    table = Table(title=f"{survey_spec.survey.title} — {data.n:,} respondents, {len(data.brands)} brands")
    table.add_column("indicator", no_wrap=True)
    for col in ("brands with a value", "below minimum n", "median n_eff", "median se"):
        table.add_column(col, justify="right")
    for k, code in enumerate(survey_spec.indicator_codes):
        kept = ~estimate.suppressed[:, k]
        n_eff, se = estimate.estimates.n_effective[:, k], estimate.estimates.se[:, k]
        table.add_row(code, str(int(kept.sum())), str(int((~kept).sum())),
                      _fmt(_median(n_eff[kept]), 1), _fmt(_median(se[kept])))
    _print(table)
    _print(f"wrote {len(frame):,} observations ({int(frame['value'].isna().sum()):,} missing, with reasons) "
           f"to {out} in {time.perf_counter() - started:.2f} s")


@panel_app.command("build")
def panel_build(
    ratings: Annotated[Path, typer.Argument(help="Ratings file (expert, brand, criterion, score): CSV, XLSX or .sav.")],
    spec: SpecOpt,
    out: OutOpt,
    raters: Annotated[Path | None, typer.Option(
        "--raters", help="Also write each expert's distance from the consensus per criterion (CSV).")] = None,
    units: UnitsOpt = None,
    dataset: DatasetOpt = None,
    db: DbOpt = None,
) -> None:
    """Consensus per brand and criterion, agreement per criterion, far-off experts flagged."""
    from nevindex.collect.observations import write_table
    from nevindex.collect.panel import estimate_panel, read_panel
    from nevindex.collect.panel_spec import load_panel_spec
    from nevindex.io import prepare_output

    prepare_output(out, folder=False)
    if raters is not None:
        prepare_output(raters, folder=False, option="--raters")
    started = time.perf_counter()
    panel_spec = load_panel_spec(spec)
    data = read_panel(ratings, panel_spec, known_brands=_known_brands(units, dataset, db))
    estimate = estimate_panel(panel_spec, data)
    frame, rater_frame = estimate.observations(), estimate.rater_table()
    write_table(frame, out)
    if raters is not None:
        write_table(rater_frame, raters)
    table = Table(title=f"{panel_spec.panel.title} — {len(data.experts)} experts, {len(data.brands)} brands")
    for col in ("criterion", "indicator"):
        table.add_column(col, no_wrap=True)
    for col in ("Kendall's W", "ICC(2,k) [95 % CI]", "flagged experts"):
        table.add_column(col)
    for c, row in enumerate(estimate.agreement_table().to_dict("records")):
        flagged = ", ".join(d for d, f in zip(data.experts, estimate.flagged[c], strict=True) if f) or "—"
        icc = (f"{_fmt(row['icc2k'])} [{_fmt(row['icc2k_ci_low'])}, {_fmt(row['icc2k_ci_high'])}]"
               if not math.isnan(row["icc2k"]) else f"— ({row['note']})")
        table.add_row(row["criterion"], row["indicator"], _fmt(row["kendall_w"]), icc, flagged)
    _print(table)
    _print(f"wrote {len(frame):,} observations ({int(frame['value'].isna().sum()):,} missing, with reasons) "
           f"to {out}" + (f" and rater distances to {raters}" if raters else "")
           + f" in {time.perf_counter() - started:.2f} s")
