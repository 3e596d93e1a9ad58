"""`nevindex edition show`: the ranking prints every row, unrated brands as "n.r." (issue 12, item 1)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.slow  # the whole demo store built (every demo edition published)


def test_show_reaches_unrated_brands_without_crashing(run, demo_store_url):
    from nevindex.store import editions as ed
    from nevindex.store.db import open_store

    with open_store(demo_store_url) as store:
        scores = ed.edition_tables(store, "nev-2023")["scores"]
    root = scores[scores["level"] == scores["level"].max()]
    n_rows, n_rated = len(root), int(root["rank"].notna().sum())
    assert n_rows > n_rated  # the edition has unrated brands, so the top of n_rows reaches them
    code, out, err = run("edition", "show", "nev-2023", "--top", str(n_rows), "--db", demo_store_url)
    assert code == 0, err
    lines = [ln for ln in out.splitlines() if re.match(r"^│\s+(\d+|—)\s+│", ln)]
    assert len(lines) == n_rows
    unrated = [ln for ln in lines if ln.startswith("│    — │")]
    assert len(unrated) == n_rows - n_rated
    assert all(ln.count("n.r.") == 2 for ln in unrated)  # score and rating
