"""A store made by release 0.1.0 keeps working with this release.

``data/store-0.1.0.db.xz`` is the store ``nevindex demo --no-report`` of release 0.1.0 (commit 35fb3eb)
made, as it made it (data/README.md says how): schema revision 0003, the editions nev-2023 and
nev-2024 (methodology 2025.1) published with their audits, methodology hashes of 0.1.0's model dump,
recipes stored in 0.1.0's vocabulary with the data year inside. Opened with today's code it must be
upgraded, verify bit for bit (the rebuild today gives the published numbers, so verify says nothing
about an engine change), read without a DeprecatedSettingWarning, and take a new edition beside the old.
"""

from __future__ import annotations

import json
import lzma
import shutil
import sqlite3
import warnings
from pathlib import Path

import pytest
from sqlalchemy import column as sa_column
from sqlalchemy import create_engine, insert, inspect, select, text
from sqlalchemy import table as sa_table

from nevindex.store import db
from nevindex.store import editions as ed
from nevindex.store.db import StoreError, open_store
from nevindex.store.models import Base

FIXTURE = Path(__file__).parent / "data" / "store-0.1.0.db.xz"
# What the 0.1.0 store holds, read from it with sqlite3 below, not from nevindex.
EDITIONS = ("nev-2023", "nev-2024")


@pytest.fixture
def old_store(tmp_path: Path) -> Path:
    path = tmp_path / "old.db"
    with lzma.open(FIXTURE) as packed, path.open("wb") as out:
        shutil.copyfileobj(packed, out)
    return path


def _raw(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def _upgraded(path: Path) -> str:
    url = f"sqlite:///{path}"
    with pytest.raises(StoreError, match="revision 0003.*nevindex db upgrade"):
        open_store(url)  # an upgrade is a deliberate act
    _upgrade(url)
    return url


def _upgrade(url: str) -> None:
    engine = db.make_engine(url)
    try:
        db.upgrade(engine)
    finally:
        engine.dispose()


def test_the_fixture_is_what_release_010_made(old_store):
    assert _raw(old_store, "SELECT version_num FROM alembic_version") == [("0003",)]
    assert _raw(old_store, "SELECT label, status, package_version FROM editions ORDER BY id") == [
        ("nev-2023", "published", "0.1.0"), ("nev-2024", "published", "0.1.0")]
    recipe = _raw(old_store, "SELECT recipe FROM editions WHERE id = 1")[0][0]
    assert '"threshold"' in recipe and '"enabled"' in recipe and '"year": 2023' in recipe  # 0.1.0's vocabulary


def test_upgrade_keeps_every_row_and_verifies_every_edition(old_store):
    tables = ("methodologies", "datasets", "observations", "editions", "unit_results", "indicator_results",
              "audit_outputs", "activity_log")
    before = {t: _raw(old_store, f"SELECT COUNT(*) FROM {t}")[0][0] for t in tables}
    published = dict(_raw(old_store, "SELECT label, result_sha256 FROM editions WHERE status = 'published'"))
    url = _upgraded(old_store)
    after = {t: _raw(old_store, f"SELECT COUNT(*) FROM {t}")[0][0] for t in tables}
    assert after == before
    assert _raw(old_store, "SELECT version_num FROM alembic_version") == [(db.head_revision(),)]
    with open_store(url) as store, warnings.catch_warnings():
        warnings.simplefilter("error")  # stored settings are read in silence
        for label in EDITIONS:
            report = ed.verify(store, label)
            assert report.result_sha256 == published[label]
            checks = " ".join(report.checks)
            assert "release 0.1.0's methodology model" in checks  # the hash as 0.1.0 made it, reproduced
            assert "with the data year" in checks
            assert "equal the rebuild from stored inputs, bit for bit" in checks
            assert not [n for n in report.notes if "engine changed" in n]  # today's rebuild is the same


def test_show_reads_the_old_editions_silently(old_store, capsys, monkeypatch):
    from nevindex.cli import main

    url = _upgraded(old_store)
    monkeypatch.setenv("NEVINDEX_DB", url)
    best = _raw(old_store, "SELECT u.unit, u.score FROM unit_results u JOIN editions e ON e.id = u.edition_id "
                           "WHERE e.label = 'nev-2024' AND u.node = 'nev_index' AND u.rank = 1")
    assert len(best) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        code = main(["edition", "show", "nev-2024", "--top", "3"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "warning" not in out.err.lower()
    structure = json.loads(_raw(old_store, "SELECT d.structure FROM datasets d JOIN editions e ON e.dataset_id = d.id "
                                           "WHERE e.label = 'nev-2024'")[0][0])
    name = dict(zip(structure["units"], structure["names"], strict=True))[best[0][0]]
    assert name in out.out and f"{best[0][1]:.2f}" in out.out  # edition show prints names, not codes


@pytest.mark.slow
def test_a_new_edition_beside_the_old_ones(old_store, files):
    url = _upgraded(old_store)
    with open_store(url) as store:
        data = ed.import_data(store, files["data"], units_file=files["units"], actor="today")
        ed.create_edition(store, year=2024, methodology=files["framework"], dataset=data.id, label="mini-2024",
                          actor="today")
        ed.build_edition(store, "mini-2024", actor="today")
        ed.publish(store, "mini-2024", actor="today")
        new = ed.verify(store, "mini-2024")
        assert "the canonical form of its stored text" in " ".join(new.checks)
        assert new.signer is not None  # published today: it has a receipt
        for label in EDITIONS:  # the old editions are untouched and still verify
            assert ed.verify(store, label).result_sha256 == _raw(
                old_store, f"SELECT result_sha256 FROM editions WHERE label = '{label}'")[0][0]
        labels = {e.label for e in ed.list_editions(store)}
    assert labels == {*EDITIONS, "mini-2024"}


@pytest.mark.slow
def test_demo_upgrades_an_old_store_and_keeps_its_editions(old_store, capsys):
    """`nevindex demo` on the 0.1.0 store: the migrations run, the old nev-2023 and nev-2024 (methodology
    2025.1 on 0.1.0's data) stay as they were; the shipped data under both methodologies are published
    beside them as corrections, so each year names one current edition."""
    from nevindex.cli import main
    from nevindex.nev.edition import CURRENT

    kept = dict(_raw(old_store, "SELECT label, result_sha256 FROM editions"))
    code = main(["demo", "--db", str(old_store), "--no-report"])
    out = capsys.readouterr()
    assert code == 0, out.err
    said = " ".join(out.out.split())  # the console wraps long lines
    assert "schema revision 0003); upgraded it" in said
    assert "kept: nev-2023, nev-2024" in said
    with open_store(f"sqlite:///{old_store}") as store:
        infos = {e.label: e for e in ed.list_editions(store)}
        assert {label: infos[label].result_sha256 for label in kept} == kept  # unchanged
        for year in (2023, 2024):
            current = ed.resolve_edition(store, str(year))
            assert current.label == f"nev-{year}-v{CURRENT}" and current.methodology == f"nev {CURRENT}"
            earlier = infos[current.corrects]  # the same shipped data under methodology 2025.1 ...
            assert earlier.label == f"nev-{year}-v2025.1" and earlier.dataset_sha256 == current.dataset_sha256
            assert earlier.corrects == f"nev-{year}"  # ... correcting the 0.1.0 edition (other data)
            assert infos[f"nev-{year}"].dataset_sha256 != current.dataset_sha256
            assert "shipped data were revised" in earlier.correction_reason
            assert f"edition: {current.label} published now" in said
            assert ed.verify(store, f"nev-{year}").result_sha256 == kept[f"nev-{year}"]
    assert main(["demo", "--db", str(old_store), "--no-report"]) == 0  # a second run adds nothing
    assert "already published" in capsys.readouterr().out


# The 0.1.0 store's tables in an order that satisfies their foreign keys.
TABLES = ("methodologies", "datasets", "observations", "editions", "unit_results", "indicator_results",
          "audit_outputs", "activity_log")


def _copy_into(path: Path, url: str) -> None:
    """The 0.1.0 store's rows, as they are, in a PostgreSQL store at the same revision (0003), as a
    restore of a 0.1.0 PostgreSQL store would leave them: triggers off while copying (a restore does
    that too), sequences advanced past the copied ids."""
    engine = db.make_engine(url)
    db.upgrade(engine, "0003")
    source = create_engine(f"sqlite:///{path}")
    try:
        with source.connect() as old, engine.begin() as conn:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            for name in TABLES:
                have = {c["name"] for c in inspect(conn).get_columns(name)}
                columns = [c for c in Base.metadata.tables[name].columns if c.name in have]
                rows = [dict(r) for r in old.execute(select(*columns)).mappings()]
                conn.execute(insert(sa_table(name, *(sa_column(c.name, c.type) for c in columns))), rows)
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT MAX(id) FROM {name}))"))
    finally:
        source.dispose()
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_the_010_store_on_postgresql_upgrades_verifies_and_takes_a_new_edition(store_url, old_store, files):
    _copy_into(old_store, store_url)
    published = dict(_raw(old_store, "SELECT label, result_sha256 FROM editions"))
    with pytest.raises(StoreError, match="revision 0003"):
        open_store(store_url)
    _upgrade(store_url)
    with open_store(store_url) as store, warnings.catch_warnings():
        warnings.simplefilter("error")
        for label in EDITIONS:
            report = ed.verify(store, label)
            assert report.result_sha256 == published[label]
            assert "release 0.1.0's methodology model" in " ".join(report.checks)
            assert not [n for n in report.notes if "engine changed" in n]
        data = ed.import_data(store, files["data"], units_file=files["units"], actor="today")
        ed.create_edition(store, year=2024, methodology=files["framework"], dataset=data.id, label="mini-2024",
                          actor="today")
        ed.build_edition(store, "mini-2024", actor="today")
        ed.publish(store, "mini-2024", actor="today")
        assert ed.verify(store, "mini-2024").signer is not None
        assert {e.label for e in ed.list_editions(store)} == {*EDITIONS, "mini-2024"}


@pytest.mark.slow
def test_an_old_edition_gets_a_receipt_and_its_download_verifies(old_store, tmp_path):
    url = _upgraded(old_store)
    with open_store(url) as store:
        document = ed.edition_receipt(store, "nev-2024", actor="today")  # published before receipts existed
        assert document["receipt"]["hashes"]["methodology_sha256"] == _raw(
            old_store, "SELECT sha256 FROM methodologies WHERE id = 2")[0][0]  # the hash as 0.1.0 stored it
        ed.export_edition(store, "nev-2024", tmp_path / "open-data")
        report = ed.verify_export(document, tmp_path / "open-data")
    assert report.result_sha256 == _raw(old_store, "SELECT result_sha256 FROM editions WHERE label = 'nev-2024'")[0][0]
    assert any(c.startswith("rebuild from the files' inputs") for c in report.checks)
