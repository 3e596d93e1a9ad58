"""One default label scheme for new editions, `<index>-<year>` (issue 12, item 6)."""

from __future__ import annotations

import pytest

from nevindex.store import editions as ed


def test_a_new_edition_is_labelled_index_dash_year(store, files):
    data = ed.import_data(store, files["data"], units_file=files["units"])
    info = ed.create_edition(store, year=2024, methodology=files["framework"], dataset=data.id)
    assert info.label == "mini-2024"  # FRAMEWORK_YAML's code is MINI
    assert ed.resolve_edition(store, "2024").label == "mini-2024"  # the year still finds it


@pytest.mark.parametrize(("code", "label"), [("NEV", "nev-2025"), ("Brand Index", "brand-index-2025"),
                                             ("a_b", "a-b-2025")])
def test_default_label_folds_the_code(code, label):
    assert ed.default_label(code, 2025) == label


def test_a_correction_of_a_default_label_adds_r1(store, files):
    data = ed.import_data(store, files["data"], units_file=files["units"])
    ed.create_edition(store, year=2024, methodology=files["framework"], dataset=data.id)
    ed.build_edition(store, "mini-2024")
    ed.publish(store, "mini-2024")
    corr = ed.create_edition(store, year=2024, methodology=files["framework"], dataset=data.id,
                             corrects="mini-2024", reason="a typo")
    assert corr.label == "mini-2024-r1"
