"""``nevindex report``: the annual NEV Brand Development Report as HTML or PDF, in English or Chinese."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from nevindex.cli._common import console
from nevindex.errors import NevIndexError

__all__ = ["app"]

app = typer.Typer()


@app.command("report")
def report(
    edition: Annotated[int | None, typer.Option("--edition", "-e", help="Edition year (the data year with --data).")] = None,
    lang: Annotated[str, typer.Option("--lang", "-l", help="en or zh.")] = "en",
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="html or pdf (default: from --out).")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write.")] = Path("report.pdf"),
    templates: Annotated[Path | None, typer.Option("--templates", help="Folder of templates/CSS overriding the shipped ones.")] = None,
    framework: Annotated[Path | None, typer.Option("--framework", help="Methodology file: render from files, not the store.")] = None,
    data: Annotated[Path | None, typer.Option("--data", help="Data file (with --framework).")] = None,
    units: Annotated[Path | None, typer.Option("--units", help="Units table (names, Chinese names, groups).")] = None,
    recipe: Annotated[Path | None, typer.Option("--recipe", help="Recipe file (default: the methodology's).")] = None,
    audit: Annotated[Path | None, typer.Option("--audit", help="Folder written by `nevindex audit` (with --framework).")] = None,
    audit_spec: Annotated[Path | None, typer.Option("--audit-spec", help="Run the audit with this uncertainty spec (with --framework).")] = None,
    db: Annotated[str | None, typer.Option("--db", help="Store URL (default: NEVINDEX_DB).")] = None,
    label: Annotated[str | None, typer.Option("--label", help="Edition label, when a year has several.")] = None,
    demo: Annotated[bool, typer.Option("--demo", help="The NEV demonstration edition (shipped data), not the store.")] = False,
) -> None:
    """Render the report of one edition: from the store; from files with --framework/--data; or the NEV
    demonstration edition with --demo (also used when no store is installed or it has no such edition)."""
    from nevindex.io import prepare_output, write_bytes, write_text
    from nevindex.report import sources
    from nevindex.report.i18n import LANGS
    from nevindex.report.render import render_html, render_pdf

    if lang not in LANGS:
        raise NevIndexError(f"--lang must be one of {', '.join(LANGS)}, not '{lang}'")
    fmt = (fmt or out.suffix.lstrip(".") or "pdf").lower()
    if fmt not in ("html", "pdf"):
        raise NevIndexError(f"--format must be html or pdf, not '{fmt}'")
    prepare_output(out, folder=False)
    started = time.perf_counter()
    if framework is not None or data is not None:
        if framework is None or data is None:
            raise NevIndexError("--framework and --data go together")
        inputs = sources.from_files(framework, data, year=edition, units_file=units, recipe=recipe, audit_dir=audit,
                                    audit_spec=audit_spec)
    else:
        if edition is None:
            raise NevIndexError("give --edition YEAR (or --framework and --data)")
        if demo:
            inputs = sources.from_demo(edition)
        else:
            try:
                inputs = sources.from_store(edition, url=db, edition=label)
            except sources.StoreUnavailable as exc:
                console.print(f"[yellow]{exc}[/]; rendering the NEV demonstration edition {edition}")
                inputs = sources.from_demo(edition)
    model = inputs.model(lang)
    if fmt == "html":
        write_text(out, render_html(model, templates=templates))
    else:
        write_bytes(out, render_pdf(model, templates=templates))
    console.print(f"wrote {out} ({fmt}, {lang}, {len(model.units)} brands) in {time.perf_counter() - started:.1f} s")
