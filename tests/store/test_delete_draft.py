"""`edition delete`: a draft goes with its results, a published edition never (issue 12, item 7)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from nevindex.errors import ImmutableError, NotFoundError
from nevindex.store import editions as ed
from nevindex.store.models import Edition, UnitResult


def test_a_built_draft_is_deleted_with_its_results_and_logged(store, files):
    data = ed.import_data(store, files["data"], units_file=files["units"])
    ed.create_edition(store, year=2024, methodology=files["framework"], dataset=data.id)
    ed.build_edition(store, "mini-2024")
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(UnitResult)) > 0
    info = ed.delete_draft(store, "mini-2024", actor="tester")
    assert info.label == "mini-2024" and info.status == "draft"
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(UnitResult)) == 0
        assert s.scalar(select(func.count()).select_from(Edition)) == 0
    with pytest.raises(NotFoundError):
        ed.resolve_edition(store, "mini-2024")
    assert ed.activity(store, 1).iloc[0]["action"] == "edition.delete"
    # the label is free again, and the data set stays
    assert ed.create_edition(store, year=2024, methodology=files["framework"], dataset=data.id).label == "mini-2024"


def test_a_published_edition_is_never_deleted(store, files, published_edition):
    published_edition(store, files)
    with pytest.raises(ImmutableError, match="never deleted"):
        ed.delete_draft(store, "2024")
    assert ed.resolve_edition(store, "2024").status == "published"
    ed.verify(store, "2024")
