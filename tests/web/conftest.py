"""Fixtures of the portal tests: a hand-made store (copied per test module that writes), an app, users."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from .fixtures import make_store

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def seeded_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("portal-store")
    store = make_store(folder)
    from nevindex.web import auth

    auth.create_user(store.engine, "admin", PASSWORD)
    store.close()
    return folder


@pytest.fixture(scope="session")
def read_app(seeded_folder: Path):  # noqa: ANN201
    """One app on the shared store, for tests that only read."""
    from nevindex.web.app import create_app

    return create_app(f"sqlite:///{seeded_folder / 'store.db'}")


@pytest.fixture()
def client(read_app) -> TestClient:  # noqa: ANN001
    return TestClient(read_app)


@pytest.fixture()
def fresh_app(seeded_folder: Path, tmp_path: Path):  # noqa: ANN201
    """An app on a private copy of the store, for tests that write (publish, import, log in)."""
    from nevindex.web.app import create_app

    shutil.copy(seeded_folder / "store.db", tmp_path / "store.db")
    shutil.copytree(seeded_folder / "inputs", tmp_path / "inputs")
    return create_app(f"sqlite:///{tmp_path / 'store.db'}", login_attempts=3, max_upload_bytes=200_000)


@pytest.fixture()
def fresh(fresh_app) -> TestClient:  # noqa: ANN001
    return TestClient(fresh_app)
