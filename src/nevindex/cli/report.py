"""``nevindex report``: the annual NEV Brand Development Report as HTML or PDF, in English or Chinese."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Annotated

import typer

from nevindex.cli._common import console
from nevindex.errors import NevIndexError
from nevindex.i18n.plural import count

__all__ = ["app"]

app = typer.Typer()


def _demo_year(edition: str) -> int:
    """The year of a demonstration edition named by its label or year ("nev-2024", "2024")."""
    found = re.fullmatch(r"(?:nev-)?(\d{4})", edition.strip())
    if found is None:
        raise NevIndexError(f"--demo renders the NEV demonstration editions: give --edition as a year or label "
                            f"(2024, nev-2024), not '{edition}'")
    return int(found.group(1))


@app.command("report")
def report(
    edition: Annotated[str | None, typer.Option("--edition", "-e", help="Edition: label, year (when it names one "
                                                "edition) or id (default: the latest published); with "
                                                "--framework, the data year.",
                                                show_default=False)] = None,
    lang: Annotated[str, typer.Option("--lang", "-l", help="en or zh.")] = "en",
    fmt: Annotated[str | None, typer.Option("--format", help="html or pdf (default: from --out).",
                                            show_default=False)] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write.")] = Path("report.pdf"),
    templates: Annotated[Path | None, typer.Option("--templates", help="Folder of templates/CSS overriding the "
                                                   "shipped ones.")] = None,
    framework: Annotated[Path | None, typer.Option("--framework", "-f", help="Methodology file: render from files, "
                                                   "not the store.")] = None,
    data: Annotated[Path | None, typer.Option("--data", "-d", help="Data file (with --framework).")] = None,
    units: Annotated[Path | None, typer.Option("--units", help="Units table (names, Chinese names, groups).")] = None,
    recipe: Annotated[Path | None, typer.Option("--recipe", "-r", help="Recipe file (default: the "
                                                "methodology's).")] = None,
    audit: Annotated[Path | None, typer.Option("--audit", help="Folder written by `nevindex audit` (with "
                                               "--framework).")] = None,
    audit_spec: Annotated[Path | None, typer.Option("--audit-spec", help="Run the audit with this uncertainty "
                                                    "spec (with --framework).")] = None,
    db: Annotated[str | None, typer.Option("--db", help="Store URL (default: NEVINDEX_DB).")] = None,
    label: Annotated[str | None, typer.Option("--label", hidden=True, help="Old name of --edition.")] = None,
    demo: Annotated[bool, typer.Option("--demo", help="The NEV demonstration edition (shipped data), not the "
                                       "store.")] = False,
) -> None:
    """Render the report of one edition: from the store (--edition); from files (--framework and
    --data); or the NEV demonstration edition (--demo, no store needed)."""
    from nevindex.io import prepare_output, write_bytes
    from nevindex.report import sources
    from nevindex.report.files import write_html_report
    from nevindex.report.i18n import LANGS
    from nevindex.report.render import render_html, render_pdf

    if lang not in LANGS:
        raise NevIndexError(f"--lang must be one of {', '.join(LANGS)}, not '{lang}'")
    fmt = (fmt or out.suffix.lstrip(".") or "pdf").lower()
    if fmt not in ("html", "pdf"):
        raise NevIndexError(f"--format must be html or pdf, not '{fmt}'")
    if framework is not None and framework.suffix == "" and framework.name.lower() in ("html", "pdf") \
            and not framework.exists():
        raise NevIndexError(f"-f means --framework, as in every nevindex command; the format is --format "
                            f"{framework.name.lower()} (or the --out file's extension)")
    edition = edition if edition is not None else label
    prepare_output(out, folder=False)
    started = time.perf_counter()
    if framework is not None or data is not None:
        if framework is None or data is None:
            raise NevIndexError("--framework and --data go together")
        year = int(edition) if edition is not None and edition.isdigit() else None
        if edition is not None and year is None:
            raise NevIndexError(f"with --framework, --edition is the data year (e.g. 2024), not '{edition}'")
        inputs = sources.from_files(framework, data, year=year, units_file=units, recipe=recipe, audit_dir=audit,
                                    audit_spec=audit_spec)
    elif demo:
        if edition is None:
            raise NevIndexError("give --edition YEAR with --demo (e.g. --demo --edition 2024)")
        inputs = sources.from_demo(_demo_year(edition))
    else:
        try:
            inputs = sources.from_store(url=db, edition=edition or "latest")
        except sources.StoreUnavailable as exc:
            raise NevIndexError(f"{exc}\n  → publish the edition first (`nevindex demo` does it for the NEV "
                                "editions), point --db at the store that has it, or add --demo to render the NEV "
                                "demonstration edition from the shipped data") from exc
    model = inputs.model(lang)
    if fmt == "html":
        write_html_report(out, render_html(model, templates=templates))
    else:
        write_bytes(out, render_pdf(model, templates=templates))
    console.print(f"wrote {out} ({fmt}, {lang}, {count(len(model.units), 'brand')}) in {time.perf_counter() - started:.1f} s")
