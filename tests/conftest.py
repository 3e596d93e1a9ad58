"""Shared fixtures: paths to the shared data sets, an isolated default store and signing key, and a fresh
store per test on SQLite and, when NEVINDEX_TEST_PG_URL is set, on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

# CI shares two cores with everything else: a property is judged by its examples, not by how fast
# one of them ran on a loaded machine.
settings.register_profile("shared-cores", deadline=None)
settings.load_profile("shared-cores")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEVINDEX_SHARED", REPO.parent / "shared"))
ASEM = SHARED / "testdata" / "asem"
PG_URL = os.environ.get("NEVINDEX_TEST_PG_URL")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def asem_dir() -> Path:
    if not (ASEM / "ASEM_iMeta.csv").exists():
        pytest.fail(f"ASEM test data not found at {ASEM}; set NEVINDEX_SHARED to the shared/ folder")
    return ASEM


@pytest.fixture(scope="session", autouse=True)
def _isolated_store(tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test (nor a command it starts) touches the user's real store."""
    os.environ["NEVINDEX_DB"] = str(tmp_path_factory.mktemp("default-store") / "nevindex.db")


@pytest.fixture(scope="session", autouse=True)
def _isolated_signing_key(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Publishing signs a receipt with a key made on first use: never the user's real key."""
    os.environ["NEVINDEX_SIGNING_KEY"] = str(tmp_path_factory.mktemp("signing") / "signing-key.pem")


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database on each backend. PostgreSQL (NEVINDEX_TEST_PG_URL): a schema of its own,
    dropped after, so tests can run in parallel; skipped when the URL is unset, except in CI."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    if not PG_URL:
        if os.environ.get("CI"):  # CI must test PostgreSQL, never skip it
            pytest.fail("NEVINDEX_TEST_PG_URL is not set in CI: .ci/run should have started PostgreSQL")
        pytest.skip("NEVINDEX_TEST_PG_URL is not set (run .ci/postgres.sh to start a server)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(PG_URL).set(drivername="postgresql+psycopg"))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
