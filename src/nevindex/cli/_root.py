"""The root of ``nevindex``: the commands by name, each area loaded only when one of its commands runs.

``nevindex --help`` is what a new user types first, and it should answer at once. Building every area's
Click commands (80 of them) and importing Typer's Markdown-capable help renderer took two thirds of its
time, for a page that shows one line per command. So the root knows its commands from :data:`COMMANDS`
(name, area, the line ``--help`` shows) and prints its own help with Rich in Typer's layout; an area's
module is imported, and its Typer app turned into Click commands, the first time one of its commands is
looked up. ``tests/cli/test_root.py`` holds the table to the areas (same names, same lines) and the page to
what Typer itself prints, so neither can drift.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator, Mapping
from typing import Any

import typer
from typer.core import TyperGroup

from nevindex.cli._help import unwrap_help

__all__ = ["AREAS", "COMMANDS", "LazyRoot"]

#: Every top-level command, in the order of ``--help``: name → (area module in nevindex.cli, help line).
#: The help line is the first paragraph of the command's own help; a test keeps them equal.
COMMANDS: dict[str, tuple[str, str]] = {
    "build": ("engine", "Build the index and write every table to OUT."),
    "validate": ("engine", "Check the methodology, data and recipe without building."),
    "audit": ("audit", "Audit the index: statistics, correlations, α, PCA; with --spec, rank intervals and "
                       "Sobol' indices; with --survey and --survey-spec, survey sampling error too (the spec's "
                       "survey_sampling factor)."),
    "demo": ("nev", "The main job, end to end: import the shipped, sourced data into the store, build, audit "
                    "and publish the 2023 and 2024 editions (once), verify them, print their rankings and, with "
                    "--out, write the open data and the annual report."),
    "serve": ("web", "Serve the portal, the API (/api/v1) and the admin side (uploads: at most "
                     "NEVINDEX_MAX_UPLOAD_MB per file, 20 by default)."),
    "site": ("web", "The public site as static files."),
    "admin": ("web", "Portal administrators."),
    "db": ("store", "The edition store's database: create or upgrade its schema, show its state."),
    "data": ("store", "Data sets in the store: import a file with every observation and its source."),
    "edition": ("store", "Editions: create, build, publish (immutable), delete a draft, export, verify, "
                         "compare."),
    "profile": ("insight", "Where BRAND stands, against whom, and what would raise it most."),
    "report": ("report", "Render the report of one edition: from the store (--edition); from files "
                         "(--framework and --data); or the NEV demonstration edition (--demo, no store "
                         "needed)."),
    "survey": ("collect", "Consumer surveys: a respondent file and its spec → indicator observations with n, "
                          "Kish n, standard error and 95 % interval."),
    "panel": ("collect", "Expert panels: a ratings file and its spec → consensus observations with Kendall's "
                         "W, ICC(2,k) and far-off raters flagged."),
    "collect": ("collect", "Brand submissions: questionnaire → import (pending) → review → merge into a new "
                           "data-set version."),
    "synth": ("synth", "Write SYNTHETIC data (never for publication). Without a subcommand: an index data "
                       "set and framework (--out DIR); `synth survey` / `synth panel`: a survey or expert "
                       "panel with its spec."),
}

#: The area modules, in order of first appearance.
AREAS: tuple[str, ...] = tuple(dict.fromkeys(area for area, _ in COMMANDS.values()))


def _load_area(area: str) -> Mapping[str, Any]:
    """The Click commands of one area (its module imported, help unwrapped, Typer app converted)."""
    module = importlib.import_module(f"nevindex.cli.{area}")
    unwrap_help(module.app)
    return typer.main.get_group(module.app).commands


class _AreaCommands(Mapping[str, Any]):
    """The root's ``commands``: names known up front, each area's commands built on first lookup."""

    def __init__(self) -> None:
        self._loaded: dict[str, Mapping[str, Any]] = {}

    def __getitem__(self, name: str) -> Any:
        area = COMMANDS[name][0]
        if area not in self._loaded:
            self._loaded[area] = _load_area(area)
        return self._loaded[area][name]

    def __iter__(self) -> Iterator[str]:
        return iter(COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS)


class LazyRoot(TyperGroup):
    """Typer's group with lazily loaded commands and a help page drawn from :data:`COMMANDS`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.commands = _AreaCommands()  # type: ignore[assignment]

    def list_commands(self, ctx: Any) -> list[str]:  # Typer's walks commands.items(), which loads every area
        return list(COMMANDS)

    def format_help(self, ctx: Any, formatter: Any) -> None:  # ctx: click.Context
        """Typer's Rich layout (usage, help, Options and Commands panels), without loading the areas."""
        from rich.columns import Columns
        from rich.console import Console
        from rich.padding import Padding
        from rich.panel import Panel
        from rich.table import Table
        from rich.text import Text

        width = os.environ.get("TERMINAL_WIDTH")
        console = Console(width=int(width) if width else None)
        console.print(Padding(Text(self.get_usage(ctx)), 1), style="bold")
        if self.help:
            console.print(Padding(Text(self.help), (0, 1, 1, 1)))

        def panel(title: str, table: Table) -> Panel:
            return Panel(table, border_style="dim", title=title, title_align="left")

        options = Table(highlight=True, show_header=False, expand=True, box=None, show_lines=False, leading=0,
                        pad_edge=False, padding=(0, 1))
        for param in self.get_params(ctx):
            longs = ",".join(o for o in param.opts if "--" in o)
            shorts = ",".join(o for o in param.opts if "--" not in o)
            options.add_row(Text(longs, style="bold cyan"), shorts, "", "", Text(style="bold yellow"),
                            Columns([Text(param.help)] if param.help else []))
        console.print(panel("Options", options))
        commands = Table(highlight=False, show_header=False, expand=True, box=None, show_lines=False, leading=0,
                         pad_edge=False, padding=(0, 1))
        commands.add_column(style="bold cyan", no_wrap=True, width=max(map(len, COMMANDS)))
        commands.add_column("Description", justify="left", no_wrap=False, ratio=10)
        for name, (_, line) in COMMANDS.items():
            commands.add_row(Text(name), Text(line))
        console.print(panel("Commands", commands))
