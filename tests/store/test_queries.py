"""The one edition query service: which edition a reference names, its history, a brand's history,
its rank intervals. Expected values come from the stored tables and the rules in docs/editions.md."""

from __future__ import annotations

import math

import pytest

from nevindex.errors import NotFoundError
from nevindex.store import editions as ed
from nevindex.store import queries
from nevindex.workflows import audit_edition


@pytest.fixture
def two_years(store, files):
    """Editions nev-2023 and nev-2024 published, and a published correction of 2024."""
    data = ed.import_data(store, files["data"], units_file=files["units"])
    for year in (2023, 2024):
        ed.create_edition(store, year=year, methodology=files["framework"], dataset=data.id, label=f"nev-{year}")
        ed.build_edition(store, f"nev-{year}")
        ed.publish(store, f"nev-{year}")
    return data


def test_a_reference_is_a_label_latest_a_year_or_an_id(store, files, two_years):
    assert ed.resolve_edition(store, "nev-2023").label == "nev-2023"
    assert ed.resolve_edition(store, "2023").label == "nev-2023"  # the year names one edition
    assert ed.resolve_edition(store, "latest").label == "nev-2024"
    first = ed.list_editions(store)[0]
    assert ed.resolve_edition(store, str(first.id)).label == first.label == ed.resolve_edition(store, first.id).label
    with pytest.raises(NotFoundError, match="no edition '1999'; editions: nev-2023, nev-2024"):
        ed.resolve_edition(store, "1999")


def test_a_year_means_the_current_edition_and_is_refused_when_ambiguous(store, files, two_years):
    ed.create_edition(store, year=2024, methodology=files["framework"], dataset=two_years.id,
                      corrects="nev-2024", reason="a typo in a source", label="nev-2024-r1")
    assert ed.resolve_edition(store, "2024").label == "nev-2024"  # the draft correction is not current yet
    ed.build_edition(store, "nev-2024-r1")
    ed.publish(store, "nev-2024-r1")
    assert ed.resolve_edition(store, "2024").label == "nev-2024-r1"  # a published correction supersedes
    # another published index of the same year makes the year ambiguous: the message lists both
    ed.create_edition(store, year=2024, methodology=files["framework_v2"], dataset=two_years.id, label="v2-2024")
    assert ed.resolve_edition(store, "2024").label == "nev-2024-r1"  # a draft does not compete
    ed.build_edition(store, "v2-2024")
    ed.publish(store, "v2-2024")
    with pytest.raises(ed.AmbiguousEditionError, match=r"2 editions: nev-2024-r1 \(published\), v2-2024 "
                                                        r"\(published\); give the label"):
        ed.resolve_edition(store, "2024")
    with pytest.raises(ed.AmbiguousEditionError):
        ed.build_edition(store, "2024")  # every operation follows the same rule


def test_a_year_with_only_drafts(store, files):
    data = ed.import_data(store, files["data"], units_file=files["units"])
    ed.create_edition(store, year=2024, methodology=files["framework"], dataset=data.id, label="draft-a")
    assert ed.resolve_edition(store, "2024").label == "draft-a"
    with pytest.raises(NotFoundError, match="no published edition '2024'"):
        ed.resolve_edition(store, "2024", published_only=True)
    ed.create_edition(store, year=2024, methodology=files["framework"], dataset=data.id, label="draft-b")
    with pytest.raises(ed.AmbiguousEditionError, match="draft-a \\(draft\\), draft-b \\(draft\\)"):
        ed.resolve_edition(store, "2024")
    with pytest.raises(NotFoundError, match="no edition has been published yet"):
        ed.resolve_edition(store, "latest")


def test_history_and_previous_follow_the_index_and_skip_drafts(store, files, two_years):
    ed.create_edition(store, year=2025, methodology=files["framework"], dataset=two_years.id, label="nev-2025",
                      data_year=2024)
    ed.create_edition(store, year=2023, methodology=files["framework"], dataset=two_years.id, label="nev-2023-x")
    # another index's edition of 2024 is not in the history of this index
    ed.create_edition(store, year=2024, methodology=_other_framework(files), dataset=two_years.id,
                      label="other-2024")
    ed.build_edition(store, "other-2024")
    ed.publish(store, "other-2024")
    assert [e.label for e in ed.history_editions(store, "nev-2025")] == ["nev-2023", "nev-2024", "nev-2025"]
    assert ed.previous_edition(store, "nev-2025").label == "nev-2024"
    assert ed.previous_edition(store, "nev-2023") is None
    assert [e.label for e in ed.history_editions(store, "other-2024")] == ["other-2024"]


def _other_framework(files):
    path = files["framework"].with_name("other.yaml")
    path.write_text(files["framework"].read_text(encoding="utf-8").replace("code: MINI", "code: OTHER"),
                    encoding="utf-8")
    return path


def test_brand_history_is_the_stored_numbers(store, files, two_years):
    points = ed.brand_history(store, "acme")
    assert [(p.label, p.year) for p in points] == [("nev-2023", 2023), ("nev-2024", 2024)]
    for point in points:
        scores = ed.edition_tables(store, point.label)["scores"]
        stored = scores.set_index(["unit", "node"])
        assert point.score == stored.loc[("acme", "Index"), "score"]
        assert point.rank == stored.loc[("acme", "Index"), "rank"]
        assert point.n_ranked == int(scores.query("node == 'Index'")["rank"].notna().sum()) == 4
        assert point.elements == {e: stored.loc[("acme", e), "score"] for e in ("tangible", "quality")}
    assert [p.label for p in ed.brand_history(store, "acme", upto="nev-2023")] == ["nev-2023"]
    assert ed.brand_history(store, "nobody") == []


def test_rank_intervals_come_from_the_stored_audit(store, files):
    data = ed.import_data(store, files["data"], units_file=files["units"])
    ed.create_edition(store, year=2024, methodology=files["framework"], dataset=data.id)
    ed.build_edition(store, "2024")
    assert queries.rank_intervals(store, "2024") is None  # not audited
    audit_edition(store, "2024")  # statistics only, no spec: no intervals
    assert queries.rank_intervals(store, "2024") is None
    spec = {"runs": 30, "seed": 2, "weight_noise": [{"level": 1, "f": 0.5}]}
    outcome, names = audit_edition(store, "2024", spec)
    assert {"rank_intervals", "audit_spec"} <= set(names)
    stored = queries.rank_intervals(store, "2024")
    assert stored == outcome.intervals_by_unit()  # what the audit wrote is what every reader gets
    assert stored.spec["runs"] == 30 and stored.spec["seed"] == 2 and stored.runs == 30
    table = outcome.rank_intervals().set_index("unit")
    for unit, iv in stored.items():
        assert (iv.low, iv.high, iv.median) == tuple(table.loc[unit, ["q05_rank", "q95_rank", "median_rank"]])
        assert iv.low <= iv.median <= iv.high and iv.runs == 30 and not math.isnan(iv.nominal)
