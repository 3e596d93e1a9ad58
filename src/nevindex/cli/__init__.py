"""The ``nevindex`` command. Thin: parse, call the library, print. Errors → one message, exit 2.

One Typer app per area (``engine``, ``audit``, ``nev``, ``store``, ``insight``, ``report``, ``web``,
``collect``, ``synth``) under one root (:mod:`nevindex.cli._root`) that imports an area only when one of
its commands runs. Areas import the library inside their commands, so no command loads pandas, scipy,
matplotlib or SQLAlchemy before it needs them, and ``nevindex --help`` loads no area at all.
"""

from __future__ import annotations

import sys
import warnings
from typing import Annotated

import typer

from nevindex.cli._common import console, err_console
from nevindex.cli._help import hide_flag_metavars
from nevindex.cli._root import LazyRoot
from nevindex.errors import NevIndexError

__all__ = ["app", "console", "main", "run"]

app = typer.Typer(
    name="nevindex",
    help="Build, audit and publish the Global NEV Brand Evaluation Index (and any composite indicator).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=LazyRoot,
)


def _version(value: bool) -> None:
    if value:
        from nevindex import __version__

        console.print(f"nevindex {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the version of nevindex and exit.")] = False) -> None:
    """Build, audit and publish the Global NEV Brand Evaluation Index (and any composite indicator)."""


hide_flag_metavars()


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
    """Warnings as one line for the person at the terminal, without the source line of the package."""
    err_console.print(f"[yellow]warning:[/] {message}", highlight=False, soft_wrap=True)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, turning our errors into a short message and exit code 2."""
    warnings.showwarning = _show_warning
    try:
        app(args=argv, standalone_mode=False)
    except NevIndexError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        return 2
    except typer.Abort:
        err_console.print("aborted")
        return 1
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) else 2
    except typer.TyperException as exc:  # usage errors: typer's click shows them with help
        show = getattr(exc, "show", None)
        if show is None:
            raise
        show()
        return 2
    return 0


def run() -> None:
    sys.exit(main())
