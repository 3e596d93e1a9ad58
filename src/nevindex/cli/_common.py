"""What every command area shares: the consoles and the options that mean the same everywhere.

Light on purpose (typer and rich only): ``nevindex --help`` imports every area, and an area's
library imports happen inside its commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

__all__ = ["NOT_RATED", "ActorOpt", "left_out", "DataOpt", "DbOpt", "EditionArg", "FrameworkOpt", "RecipeOpt", "UnitsOpt", "YearOpt",
           "console", "err_console"]

#: How the CLI, the report and the portal show a brand without a rating or score.
NOT_RATED = "n.r."

console = Console()
err_console = Console(stderr=True)

FrameworkOpt = Annotated[Path, typer.Option("--framework", "-f", help="Methodology file (YAML, or COINr iMeta CSV/XLSX).")]
DataOpt = Annotated[Path, typer.Option("--data", "-d", help="Indicator data (CSV, XLSX or Parquet; wide or tidy).")]
RecipeOpt = Annotated[Path | None, typer.Option("--recipe", "-r", help="Method choices (YAML); default: the framework's.")]
UnitsOpt = Annotated[Path | None, typer.Option("--units", help="Table of units (code, name, groups) for tidy data.")]
YearOpt = Annotated[int | None, typer.Option("--year", help="Year to build (default: the latest in the data).")]
DbOpt = Annotated[str | None, typer.Option("--db", help="Store URL or SQLite file (default: $NEVINDEX_DB, "
                                              "else the user data directory).", show_default=False)]
ActorOpt = Annotated[str | None, typer.Option("--as", help="Who is acting (default: $NEVINDEX_USER or login).")]
SurveyOpt = Annotated[Path | None, typer.Option("--survey", help="Respondent file (CSV, XLSX, .sav) behind the "
                                                "survey-based indicators, for the spec's survey_sampling factor.")]
SurveySpecOpt = Annotated[Path | None, typer.Option("--survey-spec", help="Survey spec (YAML) of --survey.")]
EditionArg = Annotated[str, typer.Argument(help="Edition label, year (when it names one edition) or id.")]


def survey_respondents(survey: Path | None, survey_spec: Path | None, units: tuple[str, ...] | None = None):  # type: ignore[no-untyped-def]
    """``--survey`` and ``--survey-spec`` as the arrays the audit's survey_sampling factor resamples
    (``collect`` reads and checks the file; the audit sits below it and cannot), or None."""
    from nevindex.errors import DataError

    if survey is None and survey_spec is None:
        return None
    if survey is None or survey_spec is None:
        raise DataError("--survey and --survey-spec go together: the respondent file and the survey spec that "
                        "describes it", hint="nevindex audit … --survey responses.csv --survey-spec survey.yaml")
    from nevindex.collect import load_survey_spec, read_survey, respondent_scores

    spec = load_survey_spec(survey_spec)
    return respondent_scores(spec, read_survey(survey, spec, known_brands=units))


def left_out(shown: int, total: int, what: str = "brand") -> str | None:
    """The line under a table cut at ``--top``: how many rows were left out and how to see them."""
    hidden = total - shown
    if hidden <= 0:
        return None
    from nevindex.i18n.plural import count

    return (f"{count(hidden, 'more ' + what)} not shown (--top {shown} of {total}; --top {total} shows "
            f"{'them' if hidden > 1 else 'it'})")
