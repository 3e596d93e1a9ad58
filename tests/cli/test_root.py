"""The lazy root of ``nevindex`` (issue 13, item 5): its table of commands is the areas' commands, line for
line, its help page is the one Typer prints, and ``--help`` loads no area."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command, get_group

from nevindex.cli._help import unwrap
from nevindex.cli._root import AREAS, COMMANDS

REPO = Path(__file__).resolve().parents[2]


def _area_commands() -> dict[str, tuple[str, object]]:
    """name → (area, Click command) of every top-level command, read from the area modules themselves."""
    found: dict[str, tuple[str, object]] = {}
    for area in AREAS:
        for name, command in get_group(importlib.import_module(f"nevindex.cli.{area}").app).commands.items():
            assert name not in found, f"{name} is defined by both {found[name][0]} and {area}"
            found[name] = (area, command)
    return found


def test_the_table_names_every_command_of_every_area_and_no_other():
    found = _area_commands()
    assert set(COMMANDS) == set(found)
    assert {name: area for name, (area, _) in COMMANDS.items()} == {name: area for name, (area, _) in found.items()}


def test_every_help_line_is_the_first_paragraph_of_the_commands_own_help():
    for name, (area, command) in _area_commands().items():
        first = (unwrap(command.help) or "").split("\n\n")[0]
        assert COMMANDS[name][1] == first, f"{name} ({area}): update COMMANDS in nevindex/cli/_root.py"


def test_the_table_covers_areas_that_nobody_imported(tmp_path):
    # a fresh interpreter: the table alone answers which commands exist, and building one loads its area
    code = ("import json, sys\nfrom nevindex.cli import app\nfrom typer.main import get_command\n"
            "root = get_command(app)\nnames = root.list_commands(None)\n"
            "before = sorted(m for m in sys.modules if m.startswith('nevindex.cli.') and not m.startswith('nevindex.cli._'))\n"
            "root.get_command(None, 'edition')\n"
            "after = sorted(m for m in sys.modules if m.startswith('nevindex.cli.') and not m.startswith('nevindex.cli._'))\n"
            "print(json.dumps([names, before, after]))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    assert proc.returncode == 0, proc.stderr
    names, before, after = json.loads(proc.stdout)
    assert names == list(COMMANDS)
    assert before == []
    assert after == ["nevindex.cli.store"]


@pytest.mark.parametrize("width", [60, 100, 200])
def test_the_help_page_is_what_typer_prints(width, monkeypatch, capsys):
    from typer import rich_utils

    from nevindex.cli import app

    monkeypatch.setenv("TERMINAL_WIDTH", str(width))
    monkeypatch.setattr(rich_utils, "MAX_WIDTH", width)
    root = get_command(app)
    ctx = root.make_context("nevindex", [], resilient_parsing=True)
    root.format_help(ctx, None)
    ours = capsys.readouterr().out
    rich_utils.rich_format_help(obj=root, ctx=ctx, markup_mode=root.rich_markup_mode)  # loads every area
    theirs = capsys.readouterr().out
    assert ours == theirs
    assert "│ edition " in ours and "--version" in ours


def test_a_mistyped_command_gets_a_suggestion(capsys):
    from nevindex.cli import main

    assert main(["edtion", "list"]) == 2
    assert "Did you mean 'edition'?" in capsys.readouterr().err


def test_an_area_command_still_runs(capsys):
    from nevindex.cli import main

    assert main(["synth", "--help"]) == 0
    assert "SYNTHETIC" in capsys.readouterr().out
