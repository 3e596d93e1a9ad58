"""Schema migrations: a store written at an older revision is upgraded with its data intact."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from sqlalchemy import column as sa_column
from sqlalchemy import insert, inspect, select, text
from sqlalchemy import table as sa_table

from nevindex.build import build
from nevindex.errors import ImmutableError
from nevindex.store import codec, db
from nevindex.store import editions as ed
from nevindex.store.db import StoreError, open_store
from nevindex.store.models import (
    Activity,
    DataSet,
    Edition,
    IndicatorResult,
    Methodology,
    Observation,
    UnitResult,
)

pytestmark = pytest.mark.slow  # each case runs the Alembic chain on a whole store

WEB_TABLES = {"web_users", "web_settings"}


def _old_store(url: str, files, revision: str = "0001") -> tuple[str, dict[str, int]]:
    """A store as ``revision`` left it: inputs, a built and published edition, an activity log.

    The rows are written as that revision's library wrote them: inputs and the draft are made by
    today's library in a scratch store and copied column by column (only the columns the old schema
    has), then the build, the publication and its log entry are written as the old library wrote them."""
    engine = db.make_engine(url)
    db.upgrade(engine, revision)
    assert db.current_revision(engine) == revision
    tables = set(inspect(engine).get_table_names())
    assert ("audit_outputs" in tables) == (revision >= "0002")
    assert bool(tables & WEB_TABLES) == (revision >= "0003")
    scratch = open_store(f"sqlite:///{files['data'].parent / f'scratch-{revision}.db'}")
    data = ed.import_data(scratch, files["data"], units_file=files["units"], actor="old-version")
    ed.create_edition(scratch, year=2024, methodology=files["framework"], dataset=data.id, label="2024",
                      actor="old-version")  # an older nevindex labelled editions by the year
    inputs = ed.edition_inputs(scratch, "2024")
    unit_rows, ind_rows = codec.result_rows(build(inputs.framework, inputs.dataset, inputs.recipe))
    digest = codec.rows_sha256(unit_rows, ind_rows)
    with scratch.engine.connect() as source, engine.begin() as conn:
        for model in (Methodology, DataSet, Observation, Edition, Activity):
            old = {c["name"] for c in inspect(conn).get_columns(model.__tablename__)}
            # the scratch ids are 1, 2, … in order: let the old store number the rows (its sequences advance)
            columns = [c for c in model.__table__.columns if c.name in old and c.name != "id"]
            rows = [dict(r) for r in source.execute(select(*columns).order_by(model.__table__.c.id)).mappings()]
            conn.execute(insert(sa_table(model.__tablename__, *(sa_column(c.name, c.type) for c in columns))), rows)
        # the build and publish of revisions 0001-0003, written as they wrote them
        conn.execute(insert(UnitResult), [{"edition_id": 1, **r} for r in unit_rows])
        conn.execute(insert(IndicatorResult), [{"edition_id": 1, **r} for r in ind_rows])
        if revision >= "0002":  # an audit table stored before publishing, as 0002 allows
            conn.execute(text("INSERT INTO audit_outputs (edition_id, name, content, sha256, created_at, created_by) "
                              "VALUES (1, 'stats', '{\"columns\":[\"x\"],\"data\":[[1]]}', 'abc', CURRENT_TIMESTAMP, 'old-version')"))
        conn.execute(text("UPDATE editions SET status = 'published', result_sha256 = :h, published_by = 'old', "
                          "published_at = CURRENT_TIMESTAMP, built_at = CURRENT_TIMESTAMP"), {"h": digest})
        conn.execute(text("INSERT INTO activity_log (at, actor, action, target, details) VALUES "
                          "(CURRENT_TIMESTAMP, 'old', 'edition.publish', 'edition 2024', :d)"),
                     {"d": json.dumps({"corrects": None, "result_sha256": digest}, sort_keys=True)})
    scratch.close()
    with engine.connect() as conn:
        counts = {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()
                  for t in ("methodologies", "datasets", "observations", "editions", "unit_results",
                            "indicator_results", "activity_log") + (("audit_outputs",) if revision >= "0002" else ())}
    engine.dispose()
    return url, counts


@pytest.mark.parametrize("revision", ["0001", "0002"])
def test_old_schema_is_refused_until_upgraded(store_url, files, revision):
    _old_store(store_url, files, revision)
    with pytest.raises(StoreError, match=rf"revision {revision}.*needs {db.head_revision()}.*nevindex db upgrade"):
        open_store(store_url)
    from nevindex.web.app import create_app

    with pytest.raises(StoreError, match=rf"revision {revision}"):  # the portal too: no tables made on the side
        create_app(store_url)
    engine = db.make_engine(store_url)
    try:
        assert db.current_revision(engine) == revision
        assert not set(inspect(engine).get_table_names()) & WEB_TABLES
    finally:
        engine.dispose()


def test_upgrade_keeps_every_row_and_the_published_numbers(store_url, files, capsys, monkeypatch):
    from nevindex.cli import main

    url, counts = _old_store(store_url, files)
    monkeypatch.setenv("NEVINDEX_DB", url)
    assert main(["db", "upgrade"]) == 0
    assert f"0001 → {db.head_revision()}" in capsys.readouterr().out
    store = open_store(url)
    try:
        now = ed.counts(store)
        assert {k: now[k] for k in counts} == counts and now["audit_outputs"] == 0
        assert ed.get_edition(store, "2024").status == "published"
        ed.verify(store, "2024")  # every stored number is still there, bit for bit
        # the old tables keep their guards; the new table has its own
        with pytest.raises(ImmutableError):
            ed.store_audit(store, "2024", {"stats": pd.DataFrame({"x": [1.0]})})
        with pytest.raises(Exception, match="nevindex immutable"):
            with store.engine.begin() as conn:
                conn.execute(text("INSERT INTO audit_outputs (edition_id, name, content, sha256, created_at, "
                                  "created_by) VALUES (1, 'x', '{}', 'x', CURRENT_TIMESTAMP, 'x')"))
        with pytest.raises(Exception, match="nevindex immutable"):
            with store.engine.begin() as conn:
                conn.execute(text("UPDATE unit_results SET score = 0"))
        # and the new revision's feature works on new editions
        ed.create_edition(store, year=2023, methodology=files["framework"], dataset=1, label="2023")
        ed.build_edition(store, "2023")
        assert ed.store_audit(store, "2023", {"stats": pd.DataFrame({"x": [1.5, 2.5]})}) == ["stats"]
        assert ed.audit_tables(store, "2023")["stats"]["x"].tolist() == [1.5, 2.5]
    finally:
        store.close()
    assert main(["db", "upgrade"]) == 0
    assert f"up to date (revision {db.head_revision()})" in capsys.readouterr().out


def test_downgrade_and_upgrade_round_trip_keeps_data(published_edition, store, store_url, files):

    published_edition(store, files)
    before = ed.counts(store)
    store.close()
    engine = db.make_engine(store_url)
    db.downgrade(engine, "0001")
    assert "audit_outputs" not in inspect(engine).get_table_names()
    db.upgrade(engine)
    engine.dispose()
    again = open_store(store_url)
    try:  # the receipt went into the log on the way down (one entry more) and came back on the way up
        assert before["receipts"] == 1
        assert ed.counts(again) == {**before, "activity_log": before["activity_log"] + 1}
        ed.verify(again, "2024")
    finally:
        again.close()


def test_downgrade_to_nothing_removes_every_table_and_trigger(store_url):
    engine = db.make_engine(store_url)
    try:
        db.upgrade(engine)
        db.downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        db.upgrade(engine)  # and a fresh upgrade works again (functions and triggers recreated)
        assert db.current_revision(engine) == db.head_revision()
    finally:
        engine.dispose()


def _web_columns(engine) -> dict[str, dict[str, tuple]]:
    """Per web table: column name → (type name, nullable, in primary key); plus the unique column sets."""
    insp = inspect(engine)
    out = {}
    for table in sorted(WEB_TABLES):
        pk = set(insp.get_pk_constraint(table)["constrained_columns"])
        cols = {c["name"]: (type(c["type"]).__name__.upper(), bool(c["nullable"]) and c["name"] not in pk,
                            c["name"] in pk) for c in insp.get_columns(table)}
        uniques = {tuple(u["column_names"]) for u in insp.get_unique_constraints(table)}
        uniques |= {tuple(i["column_names"]) for i in insp.get_indexes(table) if i.get("unique")}
        out[table] = {"columns": cols, "unique": uniques}
    return out


def test_fresh_store_has_the_portal_tables_exactly_as_the_portal_defines_them(store_url, tmp_path):
    """A new store gets the web tables from migrations 0003 and 0004, identical to the portal's definition."""
    from sqlalchemy import create_engine

    from nevindex.web import auth

    store = open_store(store_url)
    try:
        assert db.current_revision(store.engine) == db.head_revision()
        migrated = _web_columns(store.engine)
    finally:
        store.close()
    reference = create_engine(f"sqlite:///{tmp_path / 'reference.db'}")
    auth.metadata.create_all(reference)  # the portal's own definition, the way the portal used to make them
    expected = _web_columns(reference)
    reference.dispose()
    if store_url.startswith("sqlite"):
        assert migrated == expected
    else:  # type names differ by dialect; names, nullability, keys and uniqueness must not
        strip = {t: {"columns": {c: v[1:] for c, v in d["columns"].items()}, "unique": d["unique"]}
                 for t, d in migrated.items()}
        assert strip == {t: {"columns": {c: v[1:] for c, v in d["columns"].items()}, "unique": d["unique"]}
                         for t, d in expected.items()}
    assert migrated["web_users"]["unique"] == {("username",)}
    assert set(migrated["web_users"]["columns"]) == {"id", "username", "password_hash", "created_at", "session_version"}
    assert set(migrated["web_settings"]["columns"]) == {"key", "value"}


@pytest.mark.parametrize("portal_ran", [False, True], ids=["no-portal-yet", "portal-made-tables"])
def test_store_at_0002_gains_the_web_tables_and_keeps_its_data(store_url, files, capsys, monkeypatch, portal_ran):
    from nevindex.cli import main
    from nevindex.web import auth

    monkeypatch.delenv("NEVINDEX_SECRET", raising=False)
    url, counts = _old_store(store_url, files, "0002")
    if portal_ran:  # the portal of 0002 made its tables itself and stored an administrator and its secret
        engine = db.make_engine(url)
        auth.metadata.create_all(engine)
        auth.create_user(engine, "old-admin", "an old password")
        old_secret = auth.load_secret(engine)
        engine.dispose()
    monkeypatch.setenv("NEVINDEX_DB", url)
    assert main(["db", "upgrade"]) == 0
    assert f"0002 → {db.head_revision()}" in capsys.readouterr().out
    store = open_store(url)
    try:
        assert WEB_TABLES <= set(inspect(store.engine).get_table_names())
        now = ed.counts(store)
        assert {k: now[k] for k in counts} == counts and counts["audit_outputs"] == 1
        assert ed.get_edition(store, "2024").status == "published"
        ed.verify(store, "2024")
        assert ed.audit_tables(store, "2024")["stats"]["x"].tolist() == [1]
        if portal_ran:  # the administrator can still sign in; sessions signed before stay valid
            assert auth.verify_user(store.engine, "old-admin", "an old password")
            assert auth.load_secret(store.engine) == old_secret
        else:
            assert not auth.user_exists(store.engine, "old-admin")
            auth.create_user(store.engine, "admin", "a new password")
            assert auth.verify_user(store.engine, "admin", "a new password")
            assert not auth.verify_user(store.engine, "admin", "a wrong password")
            assert auth.load_secret(store.engine) == auth.load_secret(store.engine)  # made once, then kept
    finally:
        store.close()


def test_downgrade_to_0002_drops_the_web_tables_and_keeps_the_rest(published_edition, store, store_url, files):
    from nevindex.web import auth


    published_edition(store, files)
    auth.create_user(store.engine, "admin", "a long password")
    before = ed.counts(store)
    store.close()
    engine = db.make_engine(store_url)
    try:
        db.downgrade(engine, "0002")
        assert db.current_revision(engine) == "0002"
        tables = set(inspect(engine).get_table_names())
        assert not tables & WEB_TABLES and "audit_outputs" in tables
    finally:
        engine.dispose()
    with pytest.raises(StoreError, match="revision 0002"):
        open_store(store_url)
    engine = db.make_engine(store_url)
    db.upgrade(engine)
    engine.dispose()
    again = open_store(store_url)
    try:
        assert ed.counts(again) == {**before, "activity_log": before["activity_log"] + 1}  # the receipt's stay
        ed.verify(again, "2024")
        assert WEB_TABLES <= set(inspect(again.engine).get_table_names())
        assert not auth.user_exists(again.engine, "admin")  # the downgrade took the administrators with it
    finally:
        again.close()


def _hand_chain(rows) -> list[tuple[str, str]]:
    """(prev, sha256) of each entry as docs/editions.md defines them, computed here independently."""
    import hashlib
    from datetime import UTC

    out, prev = [], "0" * 64
    for r in rows:
        at = r.at.replace(tzinfo=UTC) if r.at.tzinfo is None else r.at.astimezone(UTC)
        body = {"prev": prev, "at": at.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00"), "actor": r.actor, "action": r.action,
                "target": r.target, "details": r.details}
        digest = hashlib.sha256(b"nevindex-log-v1\n" + json.dumps(body, sort_keys=True, separators=(",", ":"),
                                                                  ensure_ascii=False).encode()).hexdigest()
        out.append((prev, digest))
        prev = digest
    return out


@pytest.mark.parametrize("revision", ["0003", "0004"])
def test_upgrade_to_0005_chains_the_log_and_guards_against_replace(store_url, files, capsys, monkeypatch, revision):
    """Migration 0005 on a store at 0003 or 0004: every row kept, the existing log chained in id order from the
    genesis hash, the published edition still verifies (and can be given a receipt), REPLACE refused."""
    from nevindex.cli import main

    url, counts = _old_store(store_url, files, revision)
    monkeypatch.setenv("NEVINDEX_DB", url)
    assert main(["db", "upgrade"]) == 0
    assert f"{revision} → {db.head_revision()}" in capsys.readouterr().out
    store = open_store(url)
    try:
        now = ed.counts(store)
        assert {k: now[k] for k in counts} == counts and now["receipts"] == 0
        with store.read() as s:
            rows = s.scalars(select(Activity).order_by(Activity.id)).all()
            assert len(rows) == counts["activity_log"] >= 4
            assert [(r.prev_sha256, r.sha256) for r in rows] == _hand_chain(rows)
        report = ed.verify(store, "2024")
        assert any("hash chain intact" in c for c in report.checks)
        assert any("published before receipts existed" in n for n in report.notes)
        document = ed.edition_receipt(store, "2024")  # signed now, after verify passed
        assert document["receipt"]["hashes"]["result_sha256"] == ed.get_edition(store, "2024").result_sha256
        report = ed.verify(store, "2024")
        assert not report.notes and any("receipt: signed" in c for c in report.checks)
        if store.engine.dialect.name == "sqlite":
            with pytest.raises(Exception, match="nevindex immutable"), store.engine.begin() as conn:
                conn.execute(text("INSERT OR REPLACE INTO activity_log (id, at, actor, action, target, details, "
                                  "prev_sha256, sha256) SELECT id, at, 'x', action, target, details, prev_sha256, "
                                  "sha256 FROM activity_log WHERE id = 1"))
        with pytest.raises(Exception, match="nevindex immutable"), store.engine.begin() as conn:
            conn.execute(text("INSERT INTO activity_log (at, actor, action, target, details, prev_sha256, sha256) "
                              "VALUES (CURRENT_TIMESTAMP, 'x', 'x', 'x', '{}', :p, :p)"), {"p": "0" * 64})
    finally:
        store.close()


def test_0004_adds_session_versions_and_keeps_the_administrators(store_url):
    """Users of a store at 0003 start at session version 0; a downgrade drops the column, not the users."""
    from nevindex.web import auth

    engine = db.make_engine(store_url)
    try:
        db.upgrade(engine, "0003")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO web_users (username, password_hash, created_at) "
                              "VALUES ('old-admin', :h, CURRENT_TIMESTAMP)"), {"h": auth.hash_password("an old password")})
        db.upgrade(engine)
        assert auth.session_version(engine, "old-admin") == 0
        assert auth.verify_user(engine, "old-admin", "an old password")
        auth.revoke_sessions(engine, "old-admin")
        assert auth.session_version(engine, "old-admin") == 1
        db.downgrade(engine, "0003")
        columns = {c["name"] for c in inspect(engine).get_columns("web_users")}
        assert "session_version" not in columns
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT username FROM web_users")) == "old-admin"
        db.upgrade(engine)
        assert auth.session_version(engine, "old-admin") == 0
    finally:
        engine.dispose()
