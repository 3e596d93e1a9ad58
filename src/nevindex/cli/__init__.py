"""The ``nevindex`` command. Thin: parse, call the library, print. Errors → one message, exit 2."""

from __future__ import annotations

import sys
import warnings

import typer
from rich.console import Console

from nevindex.errors import NevIndexError

app = typer.Typer(
    name="nevindex",
    help="Build, audit and publish the Global NEV Brand Evaluation Index (and any composite indicator).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)


def _register() -> None:
    # Each area adds its commands to ``app`` on import.
    from nevindex.cli import engine  # noqa: F401
    from nevindex.cli import audit  # noqa: F401
    from nevindex.cli import nev  # noqa: F401
    from nevindex.cli import web  # noqa: F401
    from nevindex.cli import store  # noqa: F401
    from nevindex.cli import insight  # noqa: F401
    from nevindex.cli import report  # noqa: F401
    from nevindex.cli import collect, synth
    for area in (collect, synth):  # areas with an app of their own
        app.add_typer(area.app)



def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
    """Warnings as one line for the person at the terminal, without the source line of the package."""
    err_console.print(f"[yellow]warning:[/] {message}", highlight=False, soft_wrap=True)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, turning our errors into a short message and exit code 2."""
    warnings.showwarning = _show_warning
    _register()
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
