"""The service layer's shaping of published numbers."""

from __future__ import annotations

import pandas as pd

from nevindex.web.service import group_columns, ranking_rows


def test_ranking_shows_the_stored_numbers_not_a_recomputation(read_app) -> None:  # noqa: ANN001
    result = read_app.state.portal.view("t2024").result
    stored = pd.DataFrame([{"unit": "alpha", "node": "index", "level": 2, "score": 1.25, "rank": 99.0,
                            "rating": "Z", "coverage": 1.0, "flags": "f"},
                           {"unit": "alpha", "node": "quality", "level": 2, "score": 3.5, "rank": 42.0,
                            "rating": None, "coverage": 1.0, "flags": ""}])
    rows = {r["code"]: r for r in ranking_rows(result, stored, None, ["country"])}
    assert rows["alpha"]["score"] == 1.25 and rows["alpha"]["rank"] == 99 and rows["alpha"]["rating"] == "Z"
    assert rows["alpha"]["elements"]["quality"] == {"score": 3.5, "rank": 42}
    # numbers not in the stored table come from the Result
    i = result.units.index("beta")
    assert rows["beta"]["score"] == float(result.index[i])


def test_group_columns_skip_names_and_near_unique_labels(read_app) -> None:  # noqa: ANN001
    result = read_app.state.portal.view("t2024").result
    assert group_columns(result) == ["country"]  # name_zh is a name, not a group
