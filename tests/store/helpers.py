"""Shared steps of the store tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from nevindex.store import editions as ed

REPO = Path(__file__).resolve().parents[2]


def published_edition(store, files, label: str = "2024", year: int = 2024, framework: str = "framework"):
    """Import, create, build and publish an edition of the mini index; returns its info."""
    data = ed.import_data(store, files["data"], units_file=files["units"], actor="tester")
    ed.create_edition(store, year=year, methodology=files[framework], dataset=data.id, label=label, actor="tester")
    ed.build_edition(store, label, actor="tester")
    return ed.publish(store, label, actor="analyst")


def cli_env(url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env["NEVINDEX_DB"] = url
    env.update(extra)
    return env


def run_cli(url: str, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nevindex", *args], env=cli_env(url, **extra), cwd=REPO,
                          capture_output=True, text=True, timeout=300)


def kill_when_paused(url: str, point: str, marker: Path, *args: str) -> int:
    """Run a CLI command that pauses half-way through its transaction, then SIGKILL it there."""
    import signal

    entry = Path(__file__).with_name("pause_entry.py")  # the CLI with a checkpoint that stops at ``point``
    proc = subprocess.Popen([sys.executable, str(entry), point, str(marker), *args], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env(url))
    deadline = time.monotonic() + 120
    while not marker.exists():
        if proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"the command ended before pausing (rc {proc.returncode}):\n{out}\n{err}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("the command never reached its pause point")
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    return proc.returncode
