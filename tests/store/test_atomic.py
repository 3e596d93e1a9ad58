"""Import and publish are single transactions: a process killed (SIGKILL) half-way leaves the store
as it was before — nothing half-written, nothing already stored lost — and the step can be redone."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nevindex.store import editions as ed
from nevindex.store import open_store
from nevindex.store.models import Observation

pytestmark = pytest.mark.slow  # end to end: a real process killed half-way through a transaction


def test_sigkill_in_the_middle_of_an_import(kill_when_paused, published_edition, store, store_url, files, tmp_path):
    earlier = published_edition(store, files)  # something already stored that must survive
    before = ed.counts(store)
    marker = tmp_path / "paused"
    code = kill_when_paused(store_url, "import", marker, "data", "import", str(files["data_fixed"]), "--units",
                            str(files["units"]))
    assert code == -9 and marker.exists()  # it was killed half-way, after writing half the observations
    store.close()
    after = open_store(store_url)
    try:
        assert ed.counts(after) == before  # no data set, no observation, no log entry of the killed import
        ed.verify(after, earlier.label)
        redo = ed.import_data(after, files["data_fixed"], units_file=files["units"])
        assert redo.created and redo.n_observations == 31
        with after.read() as s:
            rows = s.scalars(select(Observation).where(Observation.dataset_id == redo.id)).all()
        assert len(rows) == 31
        assert ed.counts(after)["activity_log"] == before["activity_log"] + 1
    finally:
        after.close()


def test_sigkill_in_the_middle_of_a_publish(kill_when_paused, store, store_url, files, tmp_path):
    data = ed.import_data(store, files["data"], units_file=files["units"])
    ed.create_edition(store, year=2024, methodology=files["framework"], dataset=data.id)
    built = ed.build_edition(store, "2024")
    before = ed.counts(store)
    marker = tmp_path / "paused"
    code = kill_when_paused(store_url, "publish", marker, "edition", "publish", "2024")
    assert code == -9 and marker.exists()  # killed after its UPDATE, before its log entry and commit
    store.close()
    after = open_store(store_url)
    try:
        info = ed.get_edition(after, "2024")
        assert (info.status, info.published_at, info.published_by) == ("draft", None, None)
        assert ed.counts(after) == before
        assert ed.verify(after, "2024").result_sha256 == built.result_sha256
        done = ed.publish(after, "2024", actor="second try")
        assert done.status == "published" and done.published_by == "second try"
    finally:
        after.close()


def test_sigkill_in_the_middle_of_a_rebuild_keeps_the_previous_build(kill_when_paused, store, store_url, files, tmp_path):
    data = ed.import_data(store, files["data"], units_file=files["units"])
    ed.create_edition(store, year=2024, methodology=files["framework"], dataset=data.id)
    built = ed.build_edition(store, "2024")
    before = ed.counts(store)
    marker = tmp_path / "paused"
    # killed after deleting the old results and inserting the new ones, before the edition row is updated
    code = kill_when_paused(store_url, "build", marker, "edition", "build", "2024")
    assert code == -9 and marker.exists()
    store.close()
    after = open_store(store_url)
    try:
        assert ed.counts(after) == before
        assert ed.get_edition(after, "2024").built_at == built.built_at
        ed.verify(after, "2024")
    finally:
        after.close()
