"""Fixtures of the CLI tests a new user's walk-through asked for (issue 12): the demo store, built
once per session, and a helper that runs ``nevindex`` in-process on a wide console."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def demo_store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store holding every demo edition of every shipped methodology, as `nevindex demo` leaves it."""
    from nevindex.nev.publish import publish_demo_editions
    from nevindex.store.db import open_store

    path: Path = tmp_path_factory.mktemp("cli-demo-store") / "store.db"
    with open_store(f"sqlite:///{path}") as store:
        publish_demo_editions(store)
    return f"sqlite:///{path}"


@pytest.fixture()
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """``run(*args)`` → (exit code, stdout, stderr) of ``nevindex args`` on a 200-column console."""
    from nevindex.cli import _common

    monkeypatch.setattr(_common.console, "_width", 200)
    monkeypatch.setattr(_common.err_console, "_width", 200)

    def _run(*args: str) -> tuple[int, str, str]:
        from nevindex.cli import main

        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run
