"""Issue 16, items 1–2: the SQLite ``INSERT OR REPLACE`` forgery of a published edition.

SQLite's REPLACE deletes the conflicting row without firing DELETE triggers (unless
``recursive_triggers`` is on), so before the fix plain DML turned a published edition back into a
draft, swapped its data and re-published it, and ``verify`` still said "verified". Now every
immutable table refuses an insert that would replace an existing key, every connection turns
``recursive_triggers`` on, and ``verify`` checks the inputs against the hash-chained log.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from nevindex.store import editions as ed
from nevindex.store.db import make_engine

#: The issue's minimal statement (for the mini edition labelled 2024).
MINIMAL = ("INSERT OR REPLACE INTO editions SELECT id,label,year,methodology_id,dataset_id,recipe,recipe_sha256,"
           "'draft',corrects_id,correction_reason,result_sha256,data_sha256,package_version,created_at,created_by,"
           "built_at,NULL,NULL FROM editions WHERE label='2024'")

#: The same trick on each immutable table (SQLite), each keeping the row's key.
REPLACES = {
    "editions": MINIMAL,
    "methodologies": "INSERT OR REPLACE INTO methodologies (id, code, version, sha256, yaml_text, source_name, "
                     "created_at, created_by) SELECT id, code, version, sha256, yaml_text || '#', source_name, "
                     "created_at, created_by FROM methodologies",
    "datasets": "INSERT OR REPLACE INTO datasets (id, label, sha256, structure, source_name, source_bytes, "
                "source_sha256, units_name, units_bytes, n_observations, created_at, created_by) SELECT id, label, "
                "sha256, structure, source_name, CAST('forged' AS BLOB), source_sha256, units_name, units_bytes, "
                "n_observations, created_at, created_by FROM datasets",
    "activity_log": "INSERT OR REPLACE INTO activity_log (id, at, actor, action, target, details) "
                    "SELECT id, at, 'mallory', action, target, details FROM activity_log WHERE id = 1",
    "observations": "INSERT OR REPLACE INTO observations (id, dataset_id, year, unit, indicator, value, row, source) "
                    "SELECT id, dataset_id, year, unit, indicator, value + 1, row, source FROM observations "
                    "WHERE id = 1",
}


def _sqlite_only(store) -> None:
    if store.engine.dialect.name != "sqlite":
        pytest.skip("INSERT OR REPLACE is SQLite's; PostgreSQL's upsert fires UPDATE triggers (tested below)")


@pytest.mark.parametrize("table", sorted(REPLACES))
def test_replace_of_a_published_row_is_refused(published_edition, store, files, table):
    _sqlite_only(store)
    published_edition(store, files)
    with store.engine.connect() as conn:
        before = conn.execute(text(f"SELECT * FROM {table} ORDER BY id")).all()
    with pytest.raises(DBAPIError, match="nevindex immutable"), store.engine.begin() as conn:
        conn.execute(text(REPLACES[table]))
    with store.engine.connect() as conn:
        assert conn.execute(text(f"SELECT * FROM {table} ORDER BY id")).all() == before
    ed.verify(store, "2024")


def test_replace_is_refused_by_a_client_that_never_turned_recursive_triggers_on(published_edition, store, files):
    """The triggers hold for any client (sqlite3 shell, another program), not only nevindex's connections."""
    import sqlite3

    _sqlite_only(store)
    published_edition(store, files)
    raw = sqlite3.connect(store.engine.url.database)
    try:
        assert raw.execute("PRAGMA recursive_triggers").fetchone() == (0,)
        with pytest.raises(sqlite3.IntegrityError, match="nevindex immutable"):
            raw.execute(MINIMAL)
        raw.rollback()
    finally:
        raw.close()
    assert ed.get_edition(store, "2024").status == "published"


def test_every_nevindex_connection_turns_recursive_triggers_on(store_url):
    if not store_url.startswith("sqlite"):
        pytest.skip("an SQLite setting")
    engine = make_engine(store_url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA recursive_triggers").scalar() == 1
    finally:
        engine.dispose()


def test_replace_moving_a_published_result_row_to_a_draft_is_refused(published_edition, store, files):
    """REPLACE with the id of a published edition's result row and a draft's edition_id would delete
    the published row silently (the INSERT trigger only sees the draft)."""
    _sqlite_only(store)
    published_edition(store, files)
    ed.create_edition(store, year=2023, methodology=files["framework"], dataset=1, label="2023")
    with pytest.raises(DBAPIError, match="nevindex immutable"), store.engine.begin() as conn:
        conn.execute(text("INSERT OR REPLACE INTO unit_results (id, edition_id, unit, node, level, score, flags) "
                          "SELECT id, 2, unit, node, level, 0, '' FROM unit_results WHERE id = 1"))
    ed.verify(store, "2024")


def test_upsert_on_postgresql_is_refused(published_edition, store, files):
    """PostgreSQL's form of the trick (INSERT … ON CONFLICT DO UPDATE) fires the UPDATE trigger."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's upsert")
    published_edition(store, files)
    with pytest.raises(DBAPIError, match="nevindex immutable"), store.engine.begin() as conn:
        conn.execute(text("INSERT INTO editions SELECT * FROM editions WHERE label = '2024' "
                          "ON CONFLICT (id) DO UPDATE SET status = 'draft', published_at = NULL"))
    assert ed.get_edition(store, "2024").status == "published"


def _forge(store, forged_dataset: int) -> None:
    """The issue's chain with the guards out of the way: the published edition becomes a draft that
    points at a forged data set (what triggers dropped by hand, or REPLACE on an old store, allow)."""
    if store.engine.dialect.name == "sqlite":
        statement = MINIMAL.replace("dataset_id,recipe", f"{forged_dataset},recipe")
    else:
        statement = (f"UPDATE editions SET status = 'draft', dataset_id = {forged_dataset}, published_at = NULL, "
                     "published_by = NULL WHERE label = '2024'")
    with store.engine.begin() as conn:
        conn.execute(text(statement))


def test_forged_republication_fails_verify(published_edition, store, files, drop_guards, monkeypatch, tmp_path):
    """The whole forgery, as the issue ran it: flip to draft, swap the data, rebuild and re-publish through
    the library (signed with the forger's own key). verify must fail, naming why."""
    published_edition(store, files)
    honest = ed.edition_tables(store, "2024")["scores"]
    forged = ed.import_data(store, files["data_fixed"], units_file=files["units"], actor="mallory")
    drop_guards(store)
    _forge(store, forged.id)
    with store.engine.begin() as conn:  # the old receipt would stop the re-publication; the forger removes it
        if "receipts" in conn.dialect.get_table_names(conn):
            conn.execute(text("DELETE FROM receipts"))
    monkeypatch.setenv("NEVINDEX_SIGNING_KEY", str(tmp_path / "mallory.pem"))
    ed.build_edition(store, "2024", actor="mallory")
    ed.publish(store, "2024", actor="mallory")
    after = ed.edition_tables(store, "2024")["scores"]
    assert not after["score"].equals(honest["score"])  # the forgery changed published numbers
    monkeypatch.undo()
    with pytest.raises(ed.VerificationError, match="FAILED"):
        ed.verify(store, "2024")
