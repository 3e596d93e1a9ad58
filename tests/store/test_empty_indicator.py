"""A draft whose methodology has an indicator without data in its year is refused by the store with the
facts (which edition, indicator, year, data set), and no edge's commands: each edge adds its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from nevindex.nev.edition import framework_path
from nevindex.store import editions as ed
from nevindex.store.db import open_store


def test_the_store_names_the_facts_and_no_command(tmp_path):
    from nevindex.nev.rules import import_data_with_rates

    data = Path(framework_path()).parents[1] / "demo" / "nev-brands"
    with open_store(f"sqlite:///{tmp_path / 's.db'}") as store:
        info = import_data_with_rates(store, data / "observations.csv", data / "fx_rates.csv",
                                      units_file=data / "brands.csv")
        ed.create_edition(store, year=2025, methodology=framework_path(), dataset=info.id)
        with pytest.raises(ed.EmptyIndicatorError) as caught:
            ed.build_edition(store, "nev-2025")
    exc = caught.value
    assert (exc.edition, exc.edition_year, exc.year) == ("nev-2025", 2025, 2025)
    assert exc.indicator in str(exc) and exc.dataset in str(exc) and Path(framework_path()).name in exc.methodology
    assert "nevindex" not in str(exc) and "--suspend-empty" not in str(exc)
