"""Issue 16 item 2: the activity log is a hash chain; verify checks it; appends never fork it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, text

from nevindex.store import editions as ed
from nevindex.store import logchain
from nevindex.store.models import Activity


def test_each_entry_carries_the_hash_of_the_one_before(published_edition, store, files):
    published_edition(store, files)
    with store.read() as s:
        rows = s.scalars(select(Activity).order_by(Activity.id)).all()
    assert rows[0].prev_sha256 == "0" * 64  # the genesis
    assert all(b.prev_sha256 == a.sha256 for a, b in zip(rows, rows[1:], strict=False))
    state = logchain.walk(rows)
    assert state.intact and state.entries == len(rows) == 5 and state.head_sha256 == rows[-1].sha256


def test_the_database_refuses_an_entry_that_does_not_extend_the_chain(published_edition, store, files):
    published_edition(store, files)
    before = ed.counts(store)
    with pytest.raises(Exception, match="nevindex immutable"), store.engine.begin() as conn:
        conn.execute(text("INSERT INTO activity_log (at, actor, action, target, details, prev_sha256, sha256) "
                          "VALUES (CURRENT_TIMESTAMP, 'x', 'edition.publish', 'edition 2024', '{}', :p, :p)"),
                     {"p": "1" * 64})
    assert ed.counts(store) == before


@pytest.mark.parametrize("statement, problem", [
    ("UPDATE activity_log SET actor = 'mallory' WHERE id = 2", "entry 2 .* was changed after it was written"),
    ("DELETE FROM activity_log WHERE id = 2", "entry 3 .* does not follow the entry before it"),
])
def test_verify_names_the_entry_where_the_chain_breaks(published_edition, store, files, drop_guards, statement,
                                                       problem):
    published_edition(store, files)
    drop_guards(store)
    with store.engine.begin() as conn:
        conn.execute(text(statement))
    with pytest.raises(ed.VerificationError, match=f"hash chain is broken: {problem}"):
        ed.verify(store, "2024")


def test_concurrent_writers_keep_one_chain(store, files, tmp_path):
    """Four imports at once (PostgreSQL: really concurrent) append to one chain, never to a fork."""
    paths = []
    for i in range(4):
        path = tmp_path / f"data{i}.csv"
        path.write_text(files["data"].read_text().replace("acme,2023,sales,100", f"acme,2023,sales,{100 + i}"))
        paths.append(path)
    with ThreadPoolExecutor(max_workers=4) as pool:
        infos = list(pool.map(lambda p: ed.import_data(store, p, units_file=files["units"]), paths))
    assert len({i.id for i in infos}) == 4
    with store.read() as s:
        state = logchain.walk(s.scalars(select(Activity).order_by(Activity.id)).all())
    assert state.intact and state.entries == 4
