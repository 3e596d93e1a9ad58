"""Schema migrations: a store written at an older revision is upgraded with its data intact."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import insert, inspect, text
from sqlalchemy.orm import sessionmaker

from nevindex.build import build
from nevindex.errors import ImmutableError
from nevindex.store import codec, db
from nevindex.store import editions as ed
from nevindex.store.db import Store, StoreError, open_store
from nevindex.store.models import IndicatorResult, UnitResult


def _old_store(url: str, files) -> tuple[str, dict[str, int]]:
    """A store as revision 0001 left it: inputs, a built and published edition, an activity log."""
    engine = db.make_engine(url)
    db.upgrade(engine, "0001")
    assert db.current_revision(engine) == "0001"
    assert "audit_outputs" not in inspect(engine).get_table_names()
    old = Store(url=url, engine=engine, factory=sessionmaker(engine, expire_on_commit=False))
    data = ed.import_data(old, files["data"], units_file=files["units"], actor="old-version")
    ed.create_edition(old, year=2024, methodology=files["framework"], dataset=data.id, actor="old-version")
    inputs = ed.edition_inputs(old, "2024")
    unit_rows, ind_rows = codec.result_rows(build(inputs.framework, inputs.dataset, inputs.recipe))
    with engine.begin() as conn:  # the build and publish of revision 0001, written as it wrote them
        conn.execute(insert(UnitResult), [{"edition_id": 1, **r} for r in unit_rows])
        conn.execute(insert(IndicatorResult), [{"edition_id": 1, **r} for r in ind_rows])
        conn.execute(text("UPDATE editions SET status = 'published', result_sha256 = :h, published_by = 'old', "
                          "published_at = CURRENT_TIMESTAMP, built_at = CURRENT_TIMESTAMP"),
                     {"h": codec.rows_sha256(unit_rows, ind_rows)})
    with engine.connect() as conn:
        counts = {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()
                  for t in ("methodologies", "datasets", "observations", "editions", "unit_results",
                            "indicator_results", "activity_log")}
    engine.dispose()
    return url, counts


def test_old_schema_is_refused_until_upgraded(store_url, files):
    _old_store(store_url, files)
    with pytest.raises(StoreError, match=r"revision 0001.*nevindex db upgrade"):
        open_store(store_url)


def test_upgrade_keeps_every_row_and_the_published_numbers(store_url, files, capsys, monkeypatch):
    from nevindex.cli import main

    url, counts = _old_store(store_url, files)
    monkeypatch.setenv("NEVINDEX_DB", url)
    assert main(["db", "upgrade"]) == 0
    assert "0001 → 0002" in capsys.readouterr().out
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
    assert "up to date (revision 0002)" in capsys.readouterr().out


def test_downgrade_and_upgrade_round_trip_keeps_data(store, store_url, files):
    from .helpers import published_edition

    published_edition(store, files)
    before = ed.counts(store)
    store.close()
    engine = db.make_engine(store_url)
    db.downgrade(engine, "0001")
    assert "audit_outputs" not in inspect(engine).get_table_names()
    db.upgrade(engine)
    engine.dispose()
    again = open_store(store_url)
    try:
        assert ed.counts(again) == before
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
