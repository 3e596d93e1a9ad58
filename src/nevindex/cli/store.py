"""``nevindex db …``, ``nevindex data …``, ``nevindex edition …``: the edition store from the shell.

Thin: each command calls :mod:`nevindex.store.editions` (or a use case of :mod:`nevindex.workflows`)
and prints the outcome. Errors (not found, immutable, failed verification) are NevIndexErrors: one
message, exit code 2. The store is imported inside the commands, so ``--help`` does not load it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from nevindex.cli import _trust
from nevindex.cli._common import (
    NOT_RATED,
    ActorOpt,
    DbOpt,
    EditionArg,
    SurveyOpt,
    SurveySpecOpt,
    console,
    left_out,
    survey_respondents,
)
from nevindex.errors import DataError
from nevindex.i18n import numbers
from nevindex.i18n.plural import count

__all__ = ["app"]

app = typer.Typer()
db_app = typer.Typer(help="The edition store's database: create or upgrade its schema, show its state.",
                     no_args_is_help=True)
data_app = typer.Typer(help="Data sets in the store: import a file with every observation and its source.",
                       no_args_is_help=True)
edition_app = typer.Typer(help="Editions: create, build, publish (immutable), delete a draft, export, verify, "
                          "compare.",
                          no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(data_app, name="data")
app.add_typer(edition_app, name="edition")



def _open(db: str | None):  # type: ignore[no-untyped-def]  # -> nevindex.store.db.Store
    from nevindex.store.db import open_store

    return open_store(db)


def _interval(rec, which: str) -> str:  # type: ignore[no-untyped-def]
    """" [low–high]" of a rank's uncertainty interval, when the comparison has one."""
    low, high = rec.get(f"{which}_rank_low"), rec.get(f"{which}_rank_high")
    if low is None or high is None or low != low or high != high:
        return ""
    return f" [{numbers.rank(low)}–{numbers.rank(high)}]"


def _print_table(title: str, columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    table = Table(title=title)
    for col in columns:
        table.add_column(col)
    for row in rows:
        table.add_row(*row)
    console.print(table)



# --- db ----------------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(db: DbOpt = None, revision: Annotated[str, typer.Option(help="Target revision.")] = "head") -> None:
    """Create the store or bring its schema up to date (existing data are kept)."""
    from nevindex.store import db as store_db

    url = store_db.as_url(db) if db else store_db.default_url()
    engine = store_db.make_engine(url)
    try:
        before, after = store_db.upgrade(engine, revision)
    finally:
        engine.dispose()
    where = store_db.safe_url(url)
    if before == after:
        console.print(f"store at {where} is up to date (revision {after})")
    else:
        console.print(f"[green]upgraded[/] store at {where}: revision {before or '(empty)'} → {after}")


@db_app.command("status")
def db_status(db: DbOpt = None) -> None:
    """Schema revision and the number of rows in each table."""
    from nevindex.store import db as store_db
    from nevindex.store import editions as ed

    with _open(db) as store:
        console.print(f"store: {store.safe_url} (revision {store_db.current_revision(store.engine)})")
        for table, n in ed.counts(store).items():
            console.print(f"  {table:18} {n:>10,}")


@db_app.command("log")
def db_log(db: DbOpt = None, limit: Annotated[int, typer.Option(help="Entries to show.")] = 20) -> None:
    """The activity log (who did what, when), newest first."""
    from nevindex.store import editions as ed

    with _open(db) as store:
        frame = ed.activity(store, limit)
    _print_table("activity", ("at", "actor", "action", "target"),
                 [(f"{r['at']:%Y-%m-%d %H:%M:%S}", r["actor"], r["action"], r["target"]) for r in frame.to_dict("records")])


# --- data --------------------------------------------------------------------------------------


@data_app.command("import")
def data_import(
    file: Annotated[Path, typer.Argument(help="Data file (CSV, XLSX, Parquet; wide or tidy with source columns).")],
    units: Annotated[Path | None, typer.Option("--units", help="Table of units (code, name, groups).")] = None,
    framework: Annotated[Path | None, typer.Option("--framework", "-f",
                                                      help="Methodology whose indicators must be numeric.")] = None,
    label: Annotated[str | None, typer.Option(help="Name of the data set (default: the file name).")] = None,
    fx_rates: Annotated[Path | None, typer.Option("--fx-rates", help="Sourced annual exchange rates (year, "
                                                  "currency, per_usd, source…) for currency conversions.")] = None,
    db: DbOpt = None,
    actor: ActorOpt = None,
) -> None:
    """Import a data file: every observation with its source, the file itself, and a hash (atomic)."""
    from nevindex.store import editions as ed

    with _open(db) as store:
        if fx_rates is not None:
            from nevindex.nev.rules import import_data_with_rates

            info = import_data_with_rates(store, file, fx_rates, label=label, units_file=units, framework=framework,
                                          actor=actor)
        else:
            info = ed.import_data(store, file, label=label, units_file=units, framework=framework, actor=actor)
    verb = "[green]imported[/]" if info.created else "already stored:"
    console.print(f"{verb} data set {info.id} '{info.label}': {count(info.n_observations, 'observation')}, "
                  f"{count(info.units, 'unit')}, {count(info.columns, 'column')}, years {', '.join(map(str, info.years))} "
                  f"(sha256 {info.sha256[:12]})")


@data_app.command("list")
def data_list(db: DbOpt = None) -> None:
    """Data sets in the store."""
    from nevindex.store import editions as ed

    with _open(db) as store:
        rows = ed.list_datasets(store)
    _print_table("data sets", ("id", "label", "observations", "units", "years", "sha256"),
                 [(str(d.id), d.label, f"{d.n_observations:,}", str(d.units), ", ".join(map(str, d.years)),
                   d.sha256[:12]) for d in rows])


# --- editions ----------------------------------------------------------------------------------


@edition_app.command("create")
def edition_create(
    year: Annotated[int, typer.Option(help="Edition year.")],
    framework: Annotated[Path, typer.Option("--framework", "-f", help="Methodology file (stored if new).")],
    data: Annotated[str, typer.Option("--data", "-d", help="Stored data set: id, label or sha256 prefix.")],
    recipe: Annotated[Path | None, typer.Option("--recipe", "-r", help="Method choices (default: the methodology's).")] = None,
    label: Annotated[str | None, typer.Option(help="Edition label (default: <index>-<year>, e.g. nev-2025; corrections: <label>-rN).")] = None,
    data_year: Annotated[int | None, typer.Option(help="Year of the data to use (default: the edition year "
                                                     "if present, else the latest).")] = None,
    corrects: Annotated[str | None, typer.Option(help="Published edition this one corrects.")] = None,
    reason: Annotated[str | None, typer.Option(help="Why the correction is needed (required with --corrects).")] = None,
    suspend_empty: Annotated[bool, typer.Option("--suspend-empty", help="Leave out indicators with no "
                                                "observation in the data year (recorded in the methodology).")] = False,
    db: DbOpt = None,
    actor: ActorOpt = None,
) -> None:
    """Create a draft edition: methodology + data set + recipe."""
    from nevindex.store import editions as ed

    with _open(db) as store:
        methodology = framework
        if suspend_empty:  # the NEV rule: an edition leaves out what its data cannot score
            from nevindex.nev.rules import edition_methodology

            methodology = edition_methodology(store, framework, data, year, data_year)
        info = ed.create_edition(store, year=year, methodology=methodology, dataset=data, recipe=recipe,
                                 label=label, data_year=data_year, corrects=corrects, reason=reason, actor=actor)
    extra = f", corrects {info.corrects}" if info.corrects else ""
    console.print(f"[green]created[/] draft edition '{info.label}' ({info.year}; {info.methodology}; data "
                  f"'{info.dataset}'{extra}); next: nevindex edition build {info.label}")


@edition_app.command("build")
def edition_build(edition: EditionArg, db: DbOpt = None, actor: ActorOpt = None) -> None:
    """Build a draft edition from its stored inputs and store every result (atomic)."""
    from nevindex.store import editions as ed

    with _open(db) as store:
        try:
            info = ed.build_edition(store, edition, actor=actor)
        except ed.EmptyIndicatorError as exc:
            raise DataError(exc.message, hint=(
                f"create the edition again with --suspend-empty (`nevindex edition create --year {exc.edition_year} "
                f"-f METHODOLOGY -d {exc.dataset} --suspend-empty`: it leaves out indicators without an observation "
                f"in {exc.year} and records that in the methodology), or import data for them; `nevindex edition "
                f"delete {exc.edition}` removes this draft")) from None
        tables = ed.edition_tables(store, info.id)
    scores = tables["scores"]
    root = scores[scores["level"] == scores["level"].max()]
    console.print(f"[green]built[/] edition '{info.label}': {count(int(root['score'].notna().sum()), 'unit')} scored "
                  f"(result {info.result_sha256[:12]}); next: nevindex edition publish {info.label}")


@edition_app.command("audit")
def edition_audit(
    edition: EditionArg,
    spec: Annotated[Path | None, typer.Option("--spec", "-s", help="Uncertainty spec (YAML): factors, weight "
                                              "noise, runs, seed, sensitivity. Without it: statistics only.")] = None,
    db: DbOpt = None,
    actor: ActorOpt = None,
    survey: SurveyOpt = None,
    survey_spec: SurveySpecOpt = None,
) -> None:
    """Audit a built draft edition from its stored inputs and store the audit's tables with it
    (with --survey and --survey-spec, the spec's survey_sampling factor redraws the survey indicators)."""
    from nevindex.workflows import audit_edition

    respondents = survey_respondents(survey, survey_spec)
    with _open(db) as store:
        outcome, names = audit_edition(store, edition, spec, actor=actor, survey=respondents)
    console.print(f"[green]audited[/] edition '{edition}': stored {count(len(names), 'table')} ({', '.join(names)})")
    intervals = outcome.intervals_by_unit()
    if intervals is not None:
        console.print("widest rank intervals: " + "; ".join(
            f"{u.unit} {u.low:.0f}–{u.high:.0f}" for u in intervals.widest(3)))


@edition_app.command("delete")
def edition_delete(edition: EditionArg, db: DbOpt = None, actor: ActorOpt = None) -> None:
    """Delete a draft edition and its results (a published edition is never deleted; correct it instead)."""
    from nevindex.store import editions as ed

    with _open(db) as store:
        info = ed.delete_draft(store, edition, actor=actor)
    console.print(f"[green]deleted[/] draft edition '{info.label}' ({info.year}); its methodology and data set stay "
                  "stored", highlight=False)


@edition_app.command("publish")
def edition_publish(edition: EditionArg, db: DbOpt = None, actor: ActorOpt = None) -> None:
    """Publish a built edition. Irreversible: it can never be changed or deleted afterwards."""
    from nevindex.store import editions as ed

    with _open(db) as store:
        info = ed.publish(store, edition, actor=actor)
    console.print(f"[green]published[/] edition '{info.label}' (result {info.result_sha256[:12]}) at "
                  f"{info.published_at:%Y-%m-%d %H:%M} by {info.published_by}")


@edition_app.command("list")
def edition_list(db: DbOpt = None) -> None:
    """Editions in the store."""
    from nevindex.store import queries

    with _open(db) as store:
        rows = queries.list_editions(store)
    _print_table("editions", ("label", "year", "status", "methodology", "data set", "result", "corrects"),
                 [(e.label, str(e.year), e.status, e.methodology, e.dataset, (e.result_sha256 or "not built")[:12],
                   e.corrects or "") for e in rows])


@edition_app.command("show")
def edition_show(edition: EditionArg, db: DbOpt = None,
                 top: Annotated[int, typer.Option(help="Rows of the ranking to print.")] = 10) -> None:
    """One edition: its inputs, hashes, status, and the top of its ranking."""
    from nevindex.store import editions as ed
    from nevindex.store.queries import unit_names

    with _open(db) as store:
        info = ed.get_edition(store, edition)
        tables = ed.edition_tables(store, info.id) if info.result_sha256 else None
        names = unit_names(store, info.id)
    for key, value in info.as_dict().items():
        if value is not None:
            console.print(f"{key:>18}: {value}", highlight=False)
    console.print(f"{'':>18}  (the *_sha256 are the edition's hashes, named as in its receipt, open data, API and "
                  f"report: docs/editions.md, \"Hashes\"; check them: nevindex edition verify {info.label})",
                  highlight=False)
    if tables is None:
        return
    scores = tables["scores"]
    root = scores[scores["level"] == scores["level"].max()].sort_values("rank", na_position="last")
    table = Table(title=f"edition {info.label} (top {min(top, len(root))})")
    for col in ("rank", "brand", "score", "rating", "coverage"):
        table.add_column(col, justify="right" if col != "brand" else "left")
    for rec in root.head(top).to_dict("records"):
        rated = isinstance(rec["rating"], str) and bool(rec["rating"])  # NaN/None: not rated
        table.add_row(numbers.rank(rec["rank"]), names.get(rec["unit"], rec["unit"]),
                      numbers.number(rec["score"], 2, missing=NOT_RATED),
                      rec["rating"] if rated else NOT_RATED, numbers.percent(rec["coverage"]))
    console.print(table)
    cut = left_out(min(top, len(root)), len(root))
    if cut:
        console.print(cut, highlight=False)


@edition_app.command("export")
def edition_export(
    edition: EditionArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the open-data files.")],
    draft: Annotated[bool, typer.Option("--draft", help="Allow exporting an unpublished edition.")] = False,
    db: DbOpt = None,
) -> None:
    """Write a published edition as open data: long CSV, XLSX, JSON, observations, methodology, recipe."""
    from nevindex.io import prepare_output
    from nevindex.store import editions as ed

    prepare_output(out, folder=True)
    with _open(db) as store:
        files = ed.export_edition(store, edition, out, allow_draft=draft)
    console.print(f"wrote {count(len(files), 'file')} to {out}: {', '.join(files)}")


# verify, receipt and key: the trust commands (nevindex.cli._trust)
edition_app.command("verify")(_trust.edition_verify)
edition_app.command("receipt")(_trust.edition_receipt)
edition_app.command("key")(_trust.edition_key)


@edition_app.command("compare")
def edition_compare(
    old: Annotated[str, typer.Argument(help="The earlier edition.")],
    new: Annotated[str, typer.Argument(help="The later edition.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Folder for summary and parts CSVs.")] = None,
    top: Annotated[int, typer.Option(help="Units to print (largest changes first).")] = 10,
    db: DbOpt = None,
) -> None:
    """What changed and why: each unit's index change by element, data vs methodology, rank news."""
    from nevindex.io import prepare_output, write_all, write_csv
    from nevindex.store.queries import unit_names
    from nevindex.workflows import compare_editions

    if out is not None:
        prepare_output(out, folder=True)
    with _open(db) as store:
        change = compare_editions(store, old, new)
        names = {**unit_names(store, old), **unit_names(store, new)}
    summary = change.summary()
    groups = change.group_parts()
    order = list(summary["change"].abs().sort_values(ascending=False).index[:top])
    split = "data_part" in summary
    table = Table(title=f"{old} → {new}: index change (largest first)")
    for col in ["brand", "index", "change", *(["data", "method"] if split else []), "rank [5–95 %]", "news"]:
        # names wrap, numbers and the news column never do (a long name must not squeeze them away)
        table.add_column(col, justify="left" if col == "brand" else "right", no_wrap=col != "brand",
                         min_width=6 if col == "news" else None)
    for i in order:
        rec = summary.loc[i]
        row = [names.get(rec["unit"], rec["unit"]), f"{numbers.number(rec['old_index'], 2)} → {numbers.number(rec['new_index'], 2)}",
               numbers.number(rec["change"], 2)]
        if split:
            row += [numbers.number(rec["data_part"], 2), numbers.number(rec["methodology_part"], 2)]
        rank = f"{numbers.rank(rec['old_rank'])}{_interval(rec, 'old')} → {numbers.rank(rec['new_rank'])}{_interval(rec, 'new')}"
        row += [rank, {1.0: "NEWS", 0.0: "inside"}.get(rec["news"], "—")]
        table.add_row(*row)
    console.print(table)
    parts = Table(title="the change by element (adds up to the change)")
    parts.add_column("brand")
    for col in groups.columns:
        parts.add_column(str(col), justify="right", no_wrap=True)
    for i in order:
        unit = summary.loc[i, "unit"]
        parts.add_row(names.get(unit, unit), *(numbers.number(v, 2) for v in groups.loc[unit]))
    console.print(parts)
    console.print("news: NEWS = the rank moved beyond its uncertainty interval; inside = a move within it; "
                  "— = no interval (run the audit)")
    if change.entered or change.left:
        console.print(f"entered: {', '.join(names.get(u, u) for u in change.entered) or '—'}; left: "
                      f"{', '.join(names.get(u, u) for u in change.left) or '—'}")
    for note in change.notes:
        console.print(f"[yellow]note:[/] {note}")
    if out is not None:
        write_all(out, {"change_summary.csv": lambda p: write_csv(summary, p),
                        "change_by_element.csv": lambda p: write_csv(groups.reset_index(), p),
                        "change_by_indicator.csv": lambda p: write_csv(change.parts_frame(), p)})
        console.print(f"wrote change_summary.csv, change_by_element.csv, change_by_indicator.csv to {out}")
