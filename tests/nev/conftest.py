"""Fixtures of the NEV index tests (session-scoped: the editions and the demo store are built once)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def nev():
    """The current methodology and the shipped data with its derivations."""
    from nevindex.nev.edition import nev_dataset, nev_framework

    return nev_framework(), nev_dataset()


@pytest.fixture(scope="session")
def nev_2025():
    """The earlier methodology 2025.1 and the shipped data with its derivations."""
    from nevindex.nev.edition import nev_dataset, nev_framework

    return nev_framework("2025.1"), nev_dataset("2025.1")


@pytest.fixture(scope="session")
def editions():
    """The current methodology's demonstration editions, by year."""
    from nevindex.nev.edition import demo_editions

    return demo_editions()


@pytest.fixture(scope="session")
def demo_store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store holding every demo edition of every shipped methodology, as `nevindex demo` leaves it."""
    from nevindex.nev.publish import publish_demo_editions
    from nevindex.store.db import open_store

    path: Path = tmp_path_factory.mktemp("nev-demo-store") / "store.db"
    store = open_store(f"sqlite:///{path}")
    try:
        publish_demo_editions(store)
    finally:
        store.close()
    return f"sqlite:///{path}"


@pytest.fixture()
def demo_store(demo_store_url: str):
    from nevindex.store.db import open_store

    store = open_store(demo_store_url)
    yield store
    store.close()
