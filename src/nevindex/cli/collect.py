"""``nevindex survey build``, ``nevindex panel build`` (primary data → observations for ``data import``) and
``nevindex collect template|import|list|show|review|merge|combine`` (brand submissions).

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

from nevindex.i18n import numbers

__all__ = ["app"]

app = typer.Typer()
survey_app = typer.Typer(help="Consumer surveys: a respondent file and its spec → indicator observations "
                              "with n, Kish n, standard error and 95 % interval.", no_args_is_help=True)
panel_app = typer.Typer(help="Expert panels: a ratings file and its spec → consensus observations with "
                             "Kendall's W, ICC(2,k) and far-off raters flagged.", no_args_is_help=True)
collect_app = typer.Typer(help="Brand submissions: questionnaire → import (pending) → review → merge into a new "
                               "data-set version.", no_args_is_help=True)
app.add_typer(survey_app, name="survey")
app.add_typer(panel_app, name="panel")
app.add_typer(collect_app, name="collect")

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

        with store_db.open_store(db) as store:
            return list(editions.get_dataset(store, dataset).units)
    return None


def _print(renderable: object) -> None:
    # the CLI's one console, imported late: the root app imports this module
    from nevindex.cli import console

    console.print(renderable)


def _median(values) -> float:  # noqa: ANN001 - a numpy array
    import numpy as np

    return float(np.median(values)) if len(values) else math.nan



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
                      numbers.cell(_median(n_eff[kept]), digits=1), numbers.cell(_median(se[kept])))
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
        icc = (f"{numbers.cell(row['icc2k'])} [{numbers.cell(row['icc2k_ci_low'])}, {numbers.cell(row['icc2k_ci_high'])}]"
               if not math.isnan(row["icc2k"]) else f"— ({row['note']})")
        table.add_row(row["criterion"], row["indicator"], numbers.cell(row["kendall_w"]), icc, flagged)
    _print(table)
    _print(f"wrote {len(frame):,} observations ({int(frame['value'].isna().sum()):,} missing, with reasons) "
           f"to {out}" + (f" and rater distances to {raters}" if raters else "")
           + f" in {time.perf_counter() - started:.2f} s")


# --- brand submissions ---------------------------------------------------------------------------

ActorOpt = Annotated[str | None, typer.Option("--as", help="Who is acting (default: $NEVINDEX_USER or login).")]


def _store(db: str | None):  # type: ignore[no-untyped-def]
    from nevindex.store import db as store_db

    return store_db.open_store(db)


@collect_app.command("template")
def collect_template(
    edition: Annotated[str, typer.Option("--edition", "-e", help="Edition the questionnaire is for.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Questionnaire to write (.xlsx).")],
    brand: Annotated[str | None, typer.Option("--brand", help="The brand it is for (default: the brand chooses in "
                                                               "the file).")] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the questionnaire: en or zh.")] = "en",
    db: DbOpt = None,
) -> None:
    """Write the questionnaire: one row per raw indicator the methodology collects by submission."""
    from nevindex.collect.submissions import template

    with _store(db) as store:
        path = template(store, edition, out, brand=brand, lang=lang)
    _print(f"wrote the questionnaire for edition '{edition}'" + (f", brand '{brand}'" if brand else "") +
           f" ({lang}) to {path}")


@collect_app.command("import")
def collect_import(
    file: Annotated[Path, typer.Argument(help="A filled questionnaire (.xlsx).")],
    submitted_by: Annotated[str, typer.Option("--submitted-by", help="Who submitted it (person, organisation).")],
    edition: Annotated[str | None, typer.Option("--edition", "-e", help="Refuse a questionnaire of another "
                                                                        "edition.")] = None,
    max_bytes: Annotated[int | None, typer.Option("--max-bytes", help="Largest file accepted (default 2 MiB).")] = None,
    db: DbOpt = None,
    actor: ActorOpt = None,
) -> None:
    """Check a filled questionnaire and store it as pending, with its plausibility warnings (exit 2 and
    nothing stored on any hard error)."""
    from nevindex.collect.questionnaire_read import MAX_BYTES
    from nevindex.collect.submissions import import_submission

    with _store(db) as store:
        info = import_submission(store, file, submitted_by=submitted_by, edition=edition,
                                 max_bytes=max_bytes or MAX_BYTES, actor=actor)
    warned = sum(1 for v in info.values if v.warnings)
    _print(f"stored submission #{info.id} (brand {info.brand}, edition {info.edition}): {len(info.values)} values, "
           f"{warned} with warnings; pending review (`nevindex collect show {info.id}`)")


@collect_app.command("list")
def collect_list(edition: Annotated[str | None, typer.Option("--edition", "-e", help="Only this edition's.")] = None,
                 db: DbOpt = None) -> None:
    """Submissions in the store, with their status."""
    from nevindex.store import submissions as subs

    with _store(db) as store:
        rows = subs.list_submissions(store, edition=edition)
    table = Table(title="submissions")
    for col in ("#", "edition", "brand", "submitted by", "at", "values", "warnings", "status"):
        table.add_column(col)
    for r in rows:
        table.add_row(str(r.id), r.edition, r.brand, r.submitted_by, f"{r.submitted_at:%Y-%m-%d %H:%M}",
                      str(len(r.values)), str(sum(len(v.warnings) for v in r.values)), r.status)
    _print(table)


@collect_app.command("show")
def collect_show(submission: Annotated[int, typer.Argument(help="Submission number.")], db: DbOpt = None) -> None:
    """A submission's values beside the public and last published values, with warnings and decisions."""
    from nevindex.store import submissions as subs

    with _store(db) as store:
        info = subs.get_submission(store, submission)
    _print(f"submission #{info.id}: brand {info.brand}, edition {info.edition}, submitted by {info.submitted_by} on "
           f"{info.submitted_at:%Y-%m-%d %H:%M} ({info.file_name}, sha256 {info.file_sha256[:12]}); {info.status}")
    table = Table()
    for col in ("value id", "indicator", "year", "submitted", "public", "last edition", "evidence", "warnings",
                "decision"):
        table.add_column(col)
    for v in info.values:
        decided = v.reviews[-1] if v.reviews else None
        table.add_row(str(v.id), v.indicator, str(v.year), f"{numbers.general(v.value)} {v.unit_of_measure}",
                      numbers.general(v.public_value), numbers.general(v.last_value), v.evidence or "—",
                      "; ".join(v.warnings) or "—",
                      f"{decided.decision} by {decided.reviewer}: {decided.comment}" if decided else "pending")
    _print(table)


@collect_app.command("review")
def collect_review(
    submission: Annotated[int, typer.Argument(help="Submission number.")],
    approve: Annotated[list[str] | None, typer.Option("--approve", help="Indicator code (or value id) to approve; "
                                                                         "repeat, or 'all'.")] = None,
    reject: Annotated[list[str] | None, typer.Option("--reject", help="Indicator code (or value id) to reject; "
                                                                       "repeat, or 'all'.")] = None,
    comment: Annotated[str, typer.Option("--comment", "-m", help="Why (kept with every decision).")] = "",
    db: DbOpt = None,
    actor: ActorOpt = None,
) -> None:
    """Approve or reject values of a submission, with a comment; the reviewer is named (--as)."""
    from nevindex.collect.submissions import review
    from nevindex.store.editions import actor_name

    if not comment.strip():
        raise typer.BadParameter("say why (--comment)", param_hint="'--comment'")
    decisions: dict[str, tuple[str, str]] = {}
    every = None
    for decision, keys in (("approve", approve or []), ("reject", reject or [])):
        for key in keys:
            if key == "all":
                every = (decision, comment)
            else:
                decisions[key] = (decision, comment)
    with _store(db) as store:
        info = review(store, submission, decisions, reviewer=actor_name(actor), every=every)
    _print(f"submission #{info.id}: " + ", ".join(f"{v.indicator} {v.status}" for v in info.values))


@collect_app.command("merge")
def collect_merge(
    edition: Annotated[str, typer.Option("--edition", "-e", help="Edition whose approved values to merge.")],
    db: DbOpt = None,
    actor: ActorOpt = None,
) -> None:
    """Write a new data-set version: the edition's data plus every approved value, with provenance. A draft
    takes it (build it again); a published edition is never changed: the merge creates its correction."""
    from nevindex.collect.submissions import merge_edition

    with _store(db) as store:
        outcome = merge_edition(store, edition, actor=actor)
    what = (f"created correction '{outcome.edition.label}' of '{outcome.edition.corrects}'" if outcome.correction
            else f"draft '{outcome.edition.label}' now uses it")
    _print(f"merged {len(outcome.merged)} approved values into data set {outcome.dataset_id} "
           f"'{outcome.dataset_label}'; {what}; build it with `nevindex edition build {outcome.edition.label}`")


@collect_app.command("combine")
def collect_combine(
    files: Annotated[list[Path], typer.Argument(help="Tidy observation files (survey build, panel build, …).")],
    out: OutOpt,
) -> None:
    """Put several observation files into one (for one data set); a cell observed twice is an error."""
    from nevindex.collect.observations import combine_observations, write_table

    frame = combine_observations(files)
    write_table(frame, out)
    _print(f"wrote {len(frame):,} observations from {len(files)} files to {out}")
