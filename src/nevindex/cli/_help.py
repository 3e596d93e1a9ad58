"""How ``--help`` reads: sentences not broken where the source line ended, flags without a ``<bool>``.

Docstrings are wrapped at the source's line length; Typer's Rich help keeps those line breaks, so a
sentence broke mid-way at 80 columns. :func:`unwrap_help` joins the lines of each paragraph of every
command's help (blank lines still separate paragraphs) and lets the terminal wrap. A flag (``--json``,
``--demo``, ``--help``) takes no value, so :func:`hide_flag_metavars` shows no type for it.
"""

from __future__ import annotations

import inspect

import typer
from typer.core import TyperOption

__all__ = ["hide_flag_metavars", "unwrap", "unwrap_help"]


def unwrap(text: str | None) -> str | None:
    """Join the lines of each paragraph of ``text`` ("a\\nb\\n\\nc" → "a b\\n\\nc")."""
    if not text:
        return text
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines() if line.strip()) for p in paragraphs)


def unwrap_help(app: typer.Typer) -> None:
    """Give every command and group of ``app`` (recursively) its help as unwrapped paragraphs."""
    if app.info.help is not None:
        app.info.help = unwrap(app.info.help)
    for command in app.registered_commands:
        doc = command.help if command.help is not None else (command.callback.__doc__ if command.callback else None)
        command.help = unwrap(doc)
    for group in app.registered_groups:
        if group.help is not None:
            group.help = unwrap(group.help)
        if group.typer_instance is not None:
            unwrap_help(group.typer_instance)
    if app.registered_callback is not None and app.registered_callback.help is not None:
        app.registered_callback.help = unwrap(app.registered_callback.help)


_display_type_rich = TyperOption.display_type_rich


def _no_flag_type(self: TyperOption, ctx):  # type: ignore[no-untyped-def]  # ctx: click.Context
    return None if self.is_flag else _display_type_rich(self, ctx)


def hide_flag_metavars() -> None:
    """Show no ``<bool>`` type beside flags in ``--help`` (Typer 0.29 prints one for every flag)."""
    TyperOption.display_type_rich = _no_flag_type  # type: ignore[method-assign]
