"""``nevindex demo``: the NEV index editions from the shipped data (``nevindex synth`` is in cli/synth.py)."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from nevindex.cli._common import DbOpt, console, left_out
from nevindex.i18n import numbers

__all__ = ["app", "edition_table"]

app = typer.Typer()

ELEMENT_LABELS = {"tangible": "Tangible", "quality": "Quality", "innovation": "Innovation",
                  "service": "Service", "intangible": "Intangible"}


def _element_cell(row: dict, element: str) -> str:
    k, n = int(row[f"{element}_observed"]), int(row[f"{element}_indicators"])
    if n == 0:
        return "[dim]suspended[/]"
    if row[f"{element}_rated"]:
        return f"{row[f'{element}_score']:.1f} [dim]{k}/{n}[/]"
    return f"[yellow]n.r.[/] [dim]{k}/{n}[/]"


def edition_table(edition, top: int | None) -> Table:  # noqa: ANN001 - Edition, imported lazily
    """The ranking table of one edition: rated brands by rank, then not-rated ones by coverage."""
    fw = edition.result.framework
    table = Table(title=f"{fw.framework.name.en} {edition.year} (methodology {fw.framework.version})",
                  title_justify="left", pad_edge=False)
    table.add_column("#", justify="right")
    table.add_column("Brand", no_wrap=True)
    table.add_column("Index", justify="right")
    table.add_column("Rating")
    for element in ELEMENT_LABELS.values():
        table.add_column(element, justify="right", no_wrap=True)
    table.add_column("Cov.", justify="right")
    top = len(edition.table) if top is None else top
    for row in edition.table.head(top).to_dict("records"):
        name = str(row["name"]).split(" (")[0] + (" †" if row["scope"] else "") + (" ‡" if row.get("proxy") else "")
        if row["rated"]:
            rank, index, rating = numbers.rank(row["rank"]), numbers.number(row["index"], 1), str(row["rating"])
        else:
            rank, index, rating = "–", "[yellow]n.r.[/]", "[yellow]n.r.[/]"
        table.add_row(rank, name, index, rating, *(_element_cell(row, e) for e in ELEMENT_LABELS),
                      numbers.percent(row["coverage"]))
    table.caption = left_out(min(top, len(edition.table)), len(edition.table))
    table.caption_justify = "left"
    return table


@app.command()
def demo(
    year: Annotated[list[int] | None, typer.Option("--year", help="Edition(s) to show (default: 2023 and 2024).")] = None,
    top: Annotated[int | None, typer.Option(help="Rows per edition (rated brands first, then not-rated ones; "
                                                 "default: every brand).", min=1)] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Also write each edition's tables to OUT/<year>/ "
                                             "and the latest edition's report (HTML and PDF, en and zh) to OUT/.")] = None,
    db: DbOpt = None,
    report: Annotated[bool, typer.Option("--report/--no-report", help="With --out, also write the annual report.")] = True,
) -> None:
    """The main job, end to end: import the shipped, sourced data into the store, build, audit and
    publish the 2023 and 2024 editions (once), verify them, print their rankings and, with --out,
    write the open data and the annual report."""
    from nevindex.io import prepare_output
    from nevindex.nev.edition import CURRENT, EDITIONS, METHODOLOGIES, build_edition, write_edition
    from nevindex.nev.publish import current_labels, publish_demo_editions
    from nevindex.store import editions as ed
    from nevindex.store.db import open_store

    if out is not None:
        prepare_output(out, folder=True)
    started = time.perf_counter()
    # Piped output (no terminal) gets a fixed width so the table is not squeezed to 80 columns.
    target = out
    out = console if console.is_terminal else Console(width=140, highlight=False)
    years = tuple(year or EDITIONS)
    with open_store(db, upgrade_old=True) as store:
        if store.upgraded_from is not None:
            out.print(f"[bold]store:[/] {store.safe_url} was made by an earlier nevindex (schema revision "
                      f"{store.upgraded_from}); upgraded it with the shipped migrations, every row kept", highlight=False)
        with out.status("importing, building, auditing and publishing the editions…"):
            added = publish_demo_editions(store, years=years)
        names = current_labels(store, years)
        older = [e.label for e in ed.list_editions(store) if e.published and e.year in years
                 and e.label.startswith("nev-") and e.label not in names.values()]
        for y in years:
            label = names[(y, CURRENT)]
            verified = ed.verify(store, label)
            edition = build_edition(y)
            out.print(edition_table(edition, top))
            out.print(f"[bold]coverage:[/] {edition.note}", highlight=False)
            state = "published now" if label in added else "already published"
            out.print(f"[bold]edition:[/] {label} {state} in {store.safe_url}; rebuilt from the stored inputs and "
                      f"verified bit for bit ({verified.rows} stored rows, result {verified.result_sha256[:12]})",
                      highlight=False)
            if target is not None:
                # the tables of the stored edition (the same hashes as the store, receipt and open data show),
                # then its open data with the signed receipt
                stored = dataclasses.replace(edition, result=ed.rebuild(store, label))
                files = write_edition(stored, target / str(y)) + ed.export_edition(store, label, target / str(y))
                out.print(f"wrote {len(files)} files to {target / str(y)} (open data and receipt.json: check them "
                          f"with `nevindex edition verify --receipt {target / str(y) / 'receipt.json'} --export "
                          f"{target / str(y)}`)", highlight=False)
            out.print()
        if target is not None and report:
            with out.status("writing the annual report (HTML and PDF, English and Chinese)…"):
                reports = _write_reports(store.url, max(years), target)
            out.print(f"report: {', '.join(str(p) for p in reports)}", highlight=False)
    earlier = [v for v in METHODOLOGIES if v != CURRENT]
    if earlier:
        kept = ", ".join(names[(y, v)] for v in earlier for y in years)
        out.print(f"[bold]methodology:[/] {CURRENT}; the editions of the earlier methodology {', '.join(earlier)} are kept "
                  f"for comparison ({kept})", highlight=False)
        out.print(f"[bold]compare:[/] nevindex edition compare {names[(max(years), earlier[-1])]} "
                  f"{names[(max(years), CURRENT)]}", highlight=False)
    if older:
        out.print(f"[bold]kept:[/] {', '.join(older)}: demonstration editions of an earlier nevindex, unchanged; "
                  f"{', '.join(names[(y, CURRENT)] for y in years)} supersede them (`nevindex edition list`)",
                  highlight=False)
    out.print("Demonstration editions built from public sources; not an official rating. "
              "n.r. = not rated (too little evidence); k/n = indicators observed of the element's scored ones; "
              "† = uses group-level (SCOPE) figures; ‡ = uses a value converted with a PROXY exchange rate; "
              "scores 0–100 on fixed goalposts; no value is imputed. "
              f"Done in {time.perf_counter() - started:.2f} s.", highlight=False)
    out.print(f"next: nevindex profile byd --edition {names[(max(years), CURRENT)]} · nevindex serve (the portal, "
              "http://127.0.0.1:8000/)", highlight=False)


def _write_reports(url: str, year: int, folder: Path) -> list[Path]:
    """The annual report of the stored edition of ``year``, in both languages and both formats."""
    from nevindex.io import write_bytes
    from nevindex.report import sources
    from nevindex.report.files import write_html_report
    from nevindex.report.render import render_html, render_pdf

    inputs = sources.from_store(year, url=url)
    written = []
    for lang in ("en", "zh"):
        model = inputs.model(lang)
        html, pdf = folder / f"report-{year}-{lang}.html", folder / f"report-{year}-{lang}.pdf"
        write_html_report(html, render_html(model))
        write_bytes(pdf, render_pdf(model))
        written += [html, pdf]
    return written
