"""``nevindex synth``: SYNTHETIC data for benchmarks, load tests and worked examples.

One Typer group (in this area's app, merged into the root app by ``cli/__init__``). Without a subcommand it writes a synthetic index data set and framework, as it
always has (``nevindex synth --units 5000 --indicators 60 --out syn/``); the subcommands write a
synthetic consumer survey (``nevindex synth survey --out DIR``) or expert panel
(``nevindex synth panel --out DIR``) with a spec that ``nevindex survey build`` / ``panel build`` read.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from nevindex.cli._common import console
from nevindex.i18n.plural import count

__all__ = ["app"]

app = typer.Typer()
synth_app = typer.Typer(
    help="Write SYNTHETIC data (never for publication). Without a subcommand: an index data set and framework "
         "(--out DIR); `synth survey` / `synth panel`: a survey or expert panel with its spec.",
    invoke_without_command=True, no_args_is_help=True)
app.add_typer(synth_app, name="synth")

SeedOpt = Annotated[int, typer.Option("--seed", help="Seed of the random generator.")]
YearOpt = Annotated[int, typer.Option("--year", help="Year the synthetic indicators are for.")]
CodesOpt = Annotated[Path | None, typer.Option(
    "--unit-codes", help="Use every brand code of this units table (e.g. brands.csv) instead of syn-b01…; "
                         "the values stay synthetic and marked so.")]


@synth_app.callback()
def synth(
    ctx: typer.Context,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Folder for data.csv and framework.yaml.")] = None,
    units: Annotated[int, typer.Option("--units", min=2, help="Number of units.")] = 500,
    indicators: Annotated[int, typer.Option("--indicators", min=2, help="Number of indicators.")] = 60,
    years: Annotated[int, typer.Option("--years", min=1, help="Number of years.")] = 1,
    seed: SeedOpt = 0,
    missing: Annotated[float, typer.Option("--missing", min=0.0, max=0.8, help="Target share of missing values.")] = 0.2,
) -> None:
    """Write a SYNTHETIC data set and matching framework (for benchmarks and load tests)."""
    if ctx.invoked_subcommand is not None:
        if out is not None:
            raise typer.BadParameter(f"put it after '{ctx.invoked_subcommand}' (a subcommand's options follow its "
                                     "name)", param_hint="'--out'")
        return
    if out is None:
        raise typer.BadParameter("missing: give the folder for data.csv and framework.yaml", param_hint="'--out'")
    from nevindex.io import prepare_output
    from nevindex.synth import write_synthetic

    prepare_output(out, folder=True)
    started = time.perf_counter()
    files = write_synthetic(out, units=units, indicators=indicators, years=years, seed=seed, missing=missing)
    _print(f"wrote synthetic data ({count(units, 'unit')} × {count(indicators, 'indicator')} × {count(years, 'year')}, seed {seed}): "
           f"{', '.join(str(f) for f in files)} in {time.perf_counter() - started:.2f} s")


def _print(text: str) -> None:
    console.print(text)


def _codes(path: Path | None) -> list[str] | None:
    if path is None:
        return None
    from nevindex.collect import read_unit_codes

    return read_unit_codes(path)


def _write(what: str, out: Path, seed: int, write: Callable[[], list[Path]]) -> None:
    """Check the folder first (nothing half-written), write, and say what was written and how fast."""
    from nevindex.io import prepare_output

    prepare_output(out, folder=True)
    started = time.perf_counter()
    files = write()
    _print(f"wrote a synthetic {what} (seed {seed}): {', '.join(str(f) for f in files)} "
           f"in {time.perf_counter() - started:.2f} s")


@synth_app.command("survey")
def synth_survey(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for synthetic-survey-responses.csv and "
                                                          "synthetic-survey-spec.yaml.")],
    units: Annotated[int, typer.Option("--units", min=2, help="Number of brands.")] = 30,
    respondents: Annotated[int, typer.Option("--respondents", min=2, help="Respondents per brand.")] = 200,
    thin: Annotated[int, typer.Option("--thin", min=0, help="Brands (the last ones) with a tenth of the "
                                                            "respondents, to show the minimum-sample rule.")] = 1,
    seed: SeedOpt = 0,
    year: YearOpt = 2025,
    unit_codes: CodesOpt = None,
) -> None:
    """Write a SYNTHETIC consumer survey: respondents (with design weights) and its survey spec."""
    from nevindex.collect.synth import write_synthetic_survey

    _write("survey", out, seed, lambda: write_synthetic_survey(
        out, units=units, respondents=respondents, thin=thin, seed=seed, year=year, codes=_codes(unit_codes)))


@synth_app.command("panel")
def synth_panel(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for synthetic-panel-ratings.csv and "
                                                          "synthetic-panel-spec.yaml.")],
    units: Annotated[int, typer.Option("--units", min=2, help="Number of brands.")] = 30,
    experts: Annotated[int, typer.Option("--experts", min=3, help="Number of experts (the last is erratic).")] = 8,
    criteria: Annotated[int, typer.Option("--criteria", min=1, max=5, help="Number of criteria.")] = 3,
    seed: SeedOpt = 0,
    year: YearOpt = 2025,
    unit_codes: CodesOpt = None,
) -> None:
    """Write a SYNTHETIC expert panel: every expert scores every brand on every criterion, and its spec."""
    from nevindex.collect.synth import write_synthetic_panel

    _write("expert panel", out, seed, lambda: write_synthetic_panel(
        out, units=units, experts=experts, criteria=criteria, seed=seed, year=year, codes=_codes(unit_codes)))
