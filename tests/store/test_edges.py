"""Issue 16, items 9, 14 (the year) and 15: concurrency, unchecked values and half-done writes at the
store's edges, on SQLite and PostgreSQL. Each failed on the main branch of the time."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from nevindex.errors import NevIndexError
from nevindex.store import editions as ed
from nevindex.store import open_store

pytestmark = pytest.mark.slow  # commands as processes


def test_four_concurrent_imports_of_one_file_all_succeed(store, store_url, files, cli_env, tmp_path):
    """Item 9: on PostgreSQL three of four processes died with UniqueViolation datasets_sha256_key.

    A barrier makes the race certain: the first import stops half-way through its transaction (its
    data-set row written, not committed) while the other three start theirs; then it goes on."""
    store.close()
    entry = Path(__file__).with_name("pause_entry.py")
    marker, go = tmp_path / "first-paused", tmp_path / "go"
    env = cli_env(store_url, NEVINDEX_TEST_GO=str(go))
    command = [sys.executable, str(entry), "import", str(marker), "data", "import", str(files["data"]), "--units",
               str(files["units"])]
    procs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)]
    deadline = time.monotonic() + 120
    while not marker.exists() and time.monotonic() < deadline and procs[0].poll() is None:
        time.sleep(0.05)
    assert marker.exists(), procs[0].communicate()
    procs += [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for _ in range(3)]
    time.sleep(4)  # the three reach their own insert (and wait on the first) or their BEGIN (SQLite)
    go.write_text("go")
    outs = [p.communicate(timeout=300) for p in procs]
    codes = [p.returncode for p in procs]
    assert codes == [0, 0, 0, 0], outs
    said = [out for out, _ in outs]
    assert sum("imported" in s for s in said) == 1
    assert sum("already stored" in s for s in said) == 3
    assert not any("Traceback" in err or "UniqueViolation" in err for _, err in outs)
    again = open_store(store_url)
    try:
        counts = ed.counts(again)
        assert counts["datasets"] == 1 and counts["observations"] == 31
        assert list(ed.activity(again)["action"]).count("data.import") == 1
    finally:
        again.close()


@pytest.mark.parametrize("year", ["-99999999999", "1899", "2201", "99999999999999999999"])
def test_edition_year_out_of_range_is_exit_2_and_stores_nothing(store, store_url, files, run_cli, year):
    """Item 14: accepted on SQLite, a traceback on PostgreSQL (integer out of range)."""
    data = ed.import_data(store, files["data"], units_file=files["units"])
    before = ed.counts(store)
    done = run_cli(store_url, "edition", "create", "--year", year, "-f", str(files["framework"]), "-d", str(data.id))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "1900" in done.stderr and "2200" in done.stderr
    assert ed.counts(store) == before


def test_library_refuses_an_edition_year_out_of_range(store, files):
    data = ed.import_data(store, files["data"], units_file=files["units"])
    with pytest.raises(NevIndexError, match=r"year -5 .*1900.*2200"):
        ed.create_edition(store, year=-5, methodology=files["framework"], dataset=data.id)
    ed.create_edition(store, year=2200, methodology=files["framework"], dataset=data.id)  # the bounds are allowed


def test_failed_create_stores_no_methodology(store, store_url, files, run_cli):
    """Item 15: `edition create -d 999` failed but the methodology stayed stored."""
    ed.import_data(store, files["data"], units_file=files["units"])
    before = ed.counts(store)
    done = run_cli(store_url, "edition", "create", "--year", "2024", "-f", str(files["framework"]), "-d", "999")
    assert done.returncode == 2 and "no data set '999'" in done.stderr
    assert ed.counts(store) == before  # no methodology, no log entry


def test_verify_with_a_missing_table_is_a_clear_error(published_edition, store, store_url, files, run_cli):
    """Item 15: verify crashed with a traceback when a table was missing."""
    published_edition(store, files)
    with store.engine.begin() as conn:
        conn.execute(text("DROP TABLE audit_outputs" + (" CASCADE" if conn.dialect.name == "postgresql" else "")))
    store.close()
    done = run_cli(store_url, "edition", "verify", "2024")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "audit_outputs" in done.stderr and "missing" in done.stderr


def test_a_killed_export_leaves_a_part_folder_that_the_next_export_removes(published_edition, store, store_url,
                                                                             files, kill_when_paused, run_cli,
                                                                             tmp_path):
    """Item 15: a SIGKILLed `edition export` left a hidden `.nevindex-*.part/` that later exports never
    cleaned. The next export removes stale folders of its own (a dead process on this host), and
    leaves alone what is not its own or not stale."""
    published_edition(store, files)
    out = tmp_path / "open-data"
    code = kill_when_paused(store_url, "export", tmp_path / "paused", "edition", "export", "2024", "--out", str(out))
    assert code == -9
    left = [p for p in out.iterdir() if p.name.startswith(".nevindex-")]
    assert len(left) == 1 and left[0].is_dir()
    foreign = out / ".nevindex-backup.part"  # not made by nevindex's writer: never touched
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine")
    live = out / f".nevindex-{os.getpid()}-inuse.part"  # a writer that is still running (this test process)
    live.mkdir()
    (live / ".owner").write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname()}))
    store.close()
    done = run_cli(store_url, "edition", "export", "2024", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert not left[0].exists()
    assert (foreign / "keep.txt").read_text() == "mine" and live.exists()
    assert (out / "edition-2024.csv").exists()

