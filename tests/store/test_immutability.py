"""A published edition cannot be changed or deleted: refused by the library and by the database."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from nevindex.errors import ImmutableError, NevIndexError
from nevindex.store import editions as ed
from nevindex.store.models import (
    Activity,
    DataSet,
    Edition,
    IndicatorResult,
    Methodology,
    Observation,
    UnitResult,
)

pytestmark = pytest.mark.slow  # each case publishes an edition and tries raw SQL against the database triggers


def test_publish_is_refused_twice(published_edition, store, files):
    info = published_edition(store, files)
    with pytest.raises(ImmutableError, match="already published"):
        ed.publish(store, "2024")
    assert ed.get_edition(store, "2024").published_at == info.published_at
    assert list(ed.activity(store)["action"]).count("edition.publish") == 1


def test_publishing_needs_a_build(store, files):
    data = ed.import_data(store, files["data"], units_file=files["units"])
    ed.create_edition(store, year=2024, methodology=files["framework"], dataset=data.id)
    with pytest.raises(NevIndexError, match="has not been built"):
        ed.publish(store, "2024")
    assert ed.get_edition(store, "2024").status == "draft"


def test_library_refuses_rebuild_audit_and_orm_changes(published_edition, store, files):
    import pandas as pd

    published_edition(store, files)
    with pytest.raises(ImmutableError, match="published"):
        ed.build_edition(store, "2024")
    with pytest.raises(ImmutableError, match="published"):
        ed.store_audit(store, "2024", {"stats": pd.DataFrame({"a": [1]})})
    changes = [
        lambda s: setattr(s.scalar(select(Edition)), "year", 1999),
        lambda s: setattr(s.scalars(select(UnitResult)).first(), "score", 100.0),
        lambda s: setattr(s.scalars(select(IndicatorResult)).first(), "normalised", 0.0),
        lambda s: s.delete(s.scalars(select(UnitResult)).first()),
        lambda s: s.delete(s.scalar(select(Edition))),
        lambda s: setattr(s.scalars(select(Observation)).first(), "value", 1.0),
        lambda s: s.delete(s.scalars(select(Observation)).first()),
        lambda s: setattr(s.scalar(select(Methodology)), "yaml_text", "x"),
        lambda s: s.delete(s.scalar(select(DataSet))),
        lambda s: setattr(s.scalars(select(Activity)).first(), "actor", "someone else"),
        lambda s: s.add(UnitResult(edition_id=s.scalar(select(Edition.id)), unit="new", node="Index", level=2,
                                   flags="")),
    ]
    for change in changes:
        with pytest.raises(ImmutableError):
            with store.transaction() as s:
                change(s)
    with store.read() as s, pytest.raises(ImmutableError):  # any session, not only the service's
        s.scalar(select(Edition)).label = "renamed"
        s.commit()
    ed.verify(store, "2024")  # nothing changed


RAW_MUTATIONS = [
    "UPDATE editions SET year = 1999",
    "UPDATE editions SET status = 'draft'",
    "DELETE FROM editions",
    "UPDATE unit_results SET score = 99.5",
    "DELETE FROM unit_results",
    "INSERT INTO unit_results (edition_id, unit, node, level, flags) VALUES (1, 'x', 'Index', 2, '')",
    "UPDATE indicator_results SET raw = 0",
    "DELETE FROM indicator_results",
    "UPDATE observations SET value = value + 1",
    "DELETE FROM observations",
    "INSERT INTO observations (dataset_id, year, unit, indicator, value) VALUES (1, 2024, 'x', 'sales', 1)",
    "UPDATE methodologies SET yaml_text = 'x'",
    "DELETE FROM methodologies",
    "UPDATE datasets SET label = 'x'",
    "DELETE FROM datasets",
    "UPDATE activity_log SET actor = 'x'",
    "DELETE FROM activity_log",
    "INSERT INTO audit_outputs (edition_id, name, content, sha256, created_at, created_by) "
    "VALUES (1, 'x', '{}', 'x', CURRENT_TIMESTAMP, 'x')",
]


@pytest.mark.parametrize("statement", RAW_MUTATIONS)
def test_database_refuses_raw_sql_on_published_rows(published_edition, store, files, statement):
    published_edition(store, files)
    before = ed.counts(store)
    with pytest.raises(DBAPIError, match="nevindex immutable"):
        with store.engine.begin() as conn:
            conn.execute(text(statement))
    assert ed.counts(store) == before
    ed.verify(store, "2024")


def test_whole_table_wipes_are_refused(published_edition, store, files):
    """PostgreSQL's TRUNCATE skips row triggers (a statement trigger refuses it); SQLite's equivalent,
    an unqualified DELETE, loses its truncate shortcut when the table has triggers."""
    published_edition(store, files)
    statement = "TRUNCATE unit_results CASCADE" if store.engine.dialect.name == "postgresql" else \
        "DELETE FROM unit_results"
    with pytest.raises(DBAPIError, match="nevindex immutable"):
        with store.engine.begin() as conn:
            conn.execute(text(statement))
    ed.verify(store, "2024")


def test_drafts_stay_editable_and_their_inputs_deletable(store, files):
    data = ed.import_data(store, files["data"], units_file=files["units"])
    ed.create_edition(store, year=2024, methodology=files["framework"], dataset=data.id)
    ed.build_edition(store, "2024")
    first = ed.get_edition(store, "2024").result_sha256
    ed.build_edition(store, "2024")  # a draft may be rebuilt: same inputs, same numbers
    assert ed.get_edition(store, "2024").result_sha256 == first
    with store.engine.begin() as conn:  # the triggers leave drafts alone
        conn.execute(text("UPDATE unit_results SET score = 1.0 WHERE node = 'Index'"))
        conn.execute(text("DELETE FROM indicator_results"))
    with pytest.raises(ed.VerificationError):
        ed.verify(store, "2024")
    ed.build_edition(store, "2024")
    ed.verify(store, "2024")


def test_concurrent_publishes_publish_once(store, files):
    from concurrent.futures import ThreadPoolExecutor

    data = ed.import_data(store, files["data"], units_file=files["units"])
    ed.create_edition(store, year=2024, methodology=files["framework"], dataset=data.id)
    ed.build_edition(store, "2024")

    def attempt(i: int) -> str:
        try:
            ed.publish(store, "2024", actor=f"analyst-{i}")
            return "published"
        except ImmutableError:
            return "refused"

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(attempt, range(4)))
    assert sorted(outcomes) == ["published", "refused", "refused", "refused"]
    log = ed.activity(store)
    assert list(log["action"]).count("edition.publish") == 1
    winner = log[log["action"] == "edition.publish"]["actor"].iloc[0]
    assert ed.get_edition(store, "2024").published_by == winner
