"""Counts agree (issue 12, item 5): "rank k of n" counts the rated brands, history too, "brands with
data" leaves out brands with 0 % coverage, and a table cut at --top says how many it left out."""

from __future__ import annotations

import re

import numpy as np
import pytest


def _stored_root(url: str, label: str):
    from nevindex.store import editions as ed
    from nevindex.store.db import open_store

    with open_store(url) as store:
        scores = ed.edition_tables(store, label)["scores"]
    return scores[scores["level"] == scores["level"].max()]


@pytest.mark.slow  # the whole demo store built (every demo edition published)
def test_profile_rank_counts_the_rated_brands(run, demo_store_url):
    root = _stored_root(demo_store_url, "nev-2024")
    n_rated = int(root["rank"].notna().sum())
    assert n_rated < len(root)  # unrated brands are in the table, so "of len(root)" would be wrong
    code, out, err = run("profile", "byd", "--edition", "nev-2024", "--db", demo_store_url)
    assert code == 0, err
    assert f"of {n_rated} rated" in out.splitlines()[0]
    assert f"of {len(root)}" not in out.splitlines()[0]


@pytest.mark.slow  # the whole demo store built (every demo edition published)
def test_history_counts_the_rated_brands_of_each_edition(run, demo_store_url):
    rated = {label: int(_stored_root(demo_store_url, label)["rank"].notna().sum()) for label in ("nev-2023", "nev-2024")}
    code, out, err = run("profile", "byd", "--edition", "nev-2024", "--db", demo_store_url)
    assert code == 0, err
    history = next(line for line in out.splitlines() if line.startswith("history:"))
    for label, n in rated.items():
        assert re.search(rf"{label}: rank \d+ of {n} rated", history), history


def test_profile_object_counts_ranked_units():
    from nevindex.insight.profile import profile
    from nevindex.nev.edition import build_edition

    result = build_edition(2024).result
    p = profile(result, "byd", with_levers=False)
    assert p.n_ranked == int(np.isfinite(result.rank).sum()) < p.n_units
    assert p.history[-1].n_ranked == p.n_ranked


def test_brands_with_data_leave_out_brands_with_no_scored_value():
    from nevindex.nev.coverage import coverage_note, coverage_table
    from nevindex.nev.edition import build_edition

    edition = build_edition(2023)
    table = coverage_table(edition.result)
    empty = int((table["n_observed"] == 0).sum())
    assert empty > 0  # the 2023 edition lists brands with none of its scored indicators
    note = coverage_note(edition.result, table)
    assert f"{len(table) - empty} brands with data ({empty} more listed with none" in note


@pytest.mark.slow  # the whole demo store built (every demo edition published)
def test_a_table_cut_at_top_says_how_many_it_left_out(run, demo_store_url):
    n = len(_stored_root(demo_store_url, "nev-2024"))
    code, out, err = run("edition", "show", "nev-2024", "--top", "5", "--db", demo_store_url)
    assert code == 0, err
    assert f"{n - 5} more brands not shown (--top 5 of {n}; --top {n} shows them)" in out
    code, out, err = run("edition", "show", "nev-2024", "--top", str(n), "--db", demo_store_url)
    assert "not shown" not in out


def test_demo_table_says_how_many_it_left_out():
    from rich.console import Console

    from nevindex.cli.nev import edition_table
    from nevindex.nev.edition import build_edition

    edition = build_edition(2024)
    n = len(edition.table)
    console = Console(width=300, record=True)
    console.print(edition_table(edition, n - 2))
    text = console.export_text()
    assert f"2 more brands not shown (--top {n - 2} of {n}; --top {n} shows them)" in text


def test_plural_agreement():
    from nevindex.i18n.plural import count

    assert [count(1, "indicator"), count(2, "indicator"), count(1, "year"), count(0, "year")] == \
        ["1 indicator", "2 indicators", "1 year", "0 years"]


@pytest.mark.slow  # the whole demo store built (every demo edition published)
def test_portal_brand_page_and_api_count_the_rated_brands(demo_store_url):
    """The portal says "rank 1 / n" with n the brands rated, in the card and in every history row."""
    from fastapi.testclient import TestClient

    from nevindex.web.app import create_app

    rated = {label: int(_stored_root(demo_store_url, label)["rank"].notna().sum()) for label in ("nev-2023", "nev-2024")}
    total = len(_stored_root(demo_store_url, "nev-2024"))
    with TestClient(create_app(demo_store_url)) as client:
        page = client.get("/editions/nev-2024/brands/byd/")
        history = client.get("/api/v1/brands/byd/history").json()
    assert page.status_code == 200
    card = page.text.split('class="card"')[1]
    assert f"<small> / {rated['nev-2024']}</small>" in card and f"/ {total}<" not in card
    assert {p["edition"]: p["n_ranked"] for p in history["points"]} == rated


def test_demo_prints_every_brand_by_default():
    from rich.console import Console

    from nevindex.cli.nev import edition_table
    from nevindex.nev.edition import build_edition

    edition = build_edition(2024)
    console = Console(width=300, record=True)
    console.print(edition_table(edition, None))
    text = console.export_text()
    assert "not shown" not in text
    assert all(str(name).split(" (")[0] in text for name in edition.table["name"])
