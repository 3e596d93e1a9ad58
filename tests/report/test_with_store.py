"""From the edition store: the published edition, its previous year and the change reach the report.

Skipped only while nevindex.store is not on this branch (it lands from the store branch)."""

from __future__ import annotations

import pytest
from test_render import RankingTable

from nevindex.report.render import render_html
from nevindex.report.sources import StoreUnavailable, from_store

pytestmark = pytest.mark.slow  # end to end: a whole report rendered

store_mod = pytest.importorskip("nevindex.store")
ed = pytest.importorskip("nevindex.store.editions")


@pytest.fixture(scope="module")
def store_url(nev_inputs, results, tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'report.db'}"
    store = store_mod.open_store(url)
    fw, ds = nev_inputs
    data = ed.store_dataset(store, ds, label="fixture")
    for year in (2023, 2024):
        ed.create_edition(store, year=year, methodology=fw, dataset=data.id, label=f"e{year}",
                          recipe=results[year].recipe)
        ed.build_edition(store, f"e{year}")
        ed.publish(store, f"e{year}")
    store.close()
    return url


def test_report_from_the_store(store_url, results):
    inputs = from_store(2024, url=store_url)
    assert inputs.edition["status"] == "published" and inputs.edition["published_at"]
    model = inputs.model("en")
    page = render_html(model)
    parser = RankingTable()
    parser.feed(page)
    r = results[2024]
    for unit, cells in parser.rows.items():
        assert cells[2] == f"{r.index[r.units.index(unit)]:.1f}"  # the stored edition rebuilds our numbers
    assert "Published" in page
    assert model.previous_year == 2023 and model.availability.change is None  # e2023 is the previous edition
    assert all(u.change is not None for u in model.units if u.rated)  # the store's comparison reached every brand


def test_missing_year_is_a_clear_error(store_url):
    with pytest.raises(StoreUnavailable, match="no built edition for 1999"):
        from_store(1999, url=store_url)
