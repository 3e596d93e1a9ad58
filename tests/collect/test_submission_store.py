"""The submission tables keep what was received (migration 0006), on SQLite and PostgreSQL: submissions and
their values are write-once, reviews append-only, a merged value takes no further decision; and a SIGKILL
in the middle of an import or a merge leaves the store as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from nevindex.collect.merge import merged_dataset
from nevindex.store import editions as ed
from nevindex.store import open_store
from nevindex.store import submissions as subs


def _new(edition_id: int, sha: str) -> subs.NewSubmission:
    value = subs.NewValue("sites", 2024, 320.0, "sites", "https://example.org/e", None, "Questionnaire!G8", 200.0,
                          100.0, ("a warning",))
    return subs.NewSubmission(edition_id, "acme", sha, "1", "q.xlsx", b"PK test bytes", "Acme", (value,))


@pytest.fixture
def reviewed(store_url: str, tmp_path: Path, make_store):
    make_store(store_url, tmp_path)
    store = open_store(store_url)
    draft = ed.get_edition(store, "2024")
    info = subs.add_submission(store, _new(draft.id, draft.methodology_sha256), actor="tester")
    info = subs.add_reviews(store, info.id, [(info.values[0].id, "approve", "fine")], reviewer="R")
    yield store, info
    store.close()


@pytest.mark.parametrize("statement", [
    "UPDATE submissions SET brand = 'bolt'",
    "DELETE FROM submissions",
    "UPDATE submission_values SET value = 1",
    "DELETE FROM submission_values",
    "UPDATE reviews SET decision = 'reject'",
    "DELETE FROM reviews",
    "INSERT INTO reviews (value_id, decision, comment, reviewer, at) VALUES ({value}, 'maybe', '', 'x', '2026-01-01')",
    "INSERT INTO submission_values (submission_id, indicator, year, value, unit_of_measure, cell, warnings) "
    "VALUES ({submission}, 'staff', 2024, 1, 'people', 'Questionnaire!G9', '[]')",
])
def test_the_database_refuses_changes(reviewed, statement: str) -> None:
    store, info = reviewed
    sql = statement.format(value=info.values[0].id, submission=info.id)
    with pytest.raises((IntegrityError, DBAPIError, sqlite3.IntegrityError)) as refused:
        with store.engine.begin() as conn:
            conn.execute(text(sql))
    assert "nevindex immutable" in str(refused.value)
    assert subs.get_submission(store, info.id) == info


def test_a_merged_value_takes_no_further_decision_in_the_database(reviewed) -> None:
    store, info = reviewed
    subs.merge_approved(store, "2024", merged_dataset, actor="M")
    with pytest.raises((IntegrityError, DBAPIError)) as refused:
        with store.engine.begin() as conn:
            conn.execute(text("INSERT INTO reviews (value_id, decision, comment, reviewer, at) "
                              f"VALUES ({info.values[0].id}, 'reject', 'late', 'x', '2026-01-01')"))
    assert "a merged value takes no further decision" in str(refused.value)
    assert [r.decision for r in subs.get_submission(store, info.id).values[0].reviews] == ["approve", "merged"]


@pytest.fixture
def kill_at(run_process, pause_entry):
    """``kill_at(url, point, marker, *args)``: run a command that pauses inside its transaction at ``point``,
    and SIGKILL it there."""
    def _kill_at(url: str, point: str, marker: Path, *args: str) -> None:
        import os
        import signal
        import time

        proc = run_process(url, point, str(marker), *args, entry=pause_entry)
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "never reached the pause point"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate()
        assert proc.returncode == -signal.SIGKILL
    return _kill_at


def _consistent(url: str) -> None:
    """The store's own checks pass: the published edition verifies (log chain, inputs, results), SQLite's
    integrity check is clean."""
    with open_store(url) as store:
        report = ed.verify(store, "2023")
        assert any("hash chain intact" in c for c in report.checks)
        if store.engine.dialect.name == "sqlite":
            with store.engine.connect() as conn:
                assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"


@pytest.mark.slow
def test_sigkill_during_import_stores_nothing(store_url: str, tmp_path: Path, cli, fill, make_store, stored_state,
                                              kill_at) -> None:
    make_store(store_url, tmp_path)
    template = tmp_path / "q.xlsx"
    assert cli(store_url, "collect", "template", "--edition", "2024", "--brand", "acme", "--out", str(template)) == 0
    filled = fill(template, tmp_path / "filled.xlsx", {"G8": 320, "H8": "https://example.org/e", "G9": 50})
    before = stored_state(store_url)
    kill_at(store_url, "submission", tmp_path / "paused", "collect", "import", str(filled), "--submitted-by", "Acme")
    assert stored_state(store_url) == before == (0, 1, 0)
    _consistent(store_url)
    # nothing half-written stands in the way: the same file imports cleanly now
    assert cli(store_url, "collect", "import", str(filled), "--submitted-by", "Acme") == 0
    assert stored_state(store_url) == (1, 1, 1)


@pytest.mark.slow
def test_sigkill_during_merge_changes_nothing(store_url: str, tmp_path: Path, cli, make_store, kill_at) -> None:
    make_store(store_url, tmp_path)
    with open_store(store_url) as store:
        draft = ed.get_edition(store, "2024")
        info = subs.add_submission(store, _new(draft.id, draft.methodology_sha256), actor="tester")
        subs.add_reviews(store, info.id, [(info.values[0].id, "approve", "fine")], reviewer="R")
    kill_at(store_url, "merge", tmp_path / "paused", "collect", "merge", "--edition", "2024")
    with open_store(store_url) as store:
        assert len(ed.list_datasets(store)) == 1  # the merged data set is gone with the transaction
        assert ed.get_edition(store, "2024") == draft
        assert subs.get_submission(store, info.id).values[0].status == "approve"
    _consistent(store_url)
    assert cli(store_url, "collect", "merge", "--edition", "2024") == 0
    with open_store(store_url) as store:
        assert len(ed.list_datasets(store)) == 2 and subs.get_submission(store, info.id).values[0].status == "merged"
