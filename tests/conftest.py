"""Shared fixtures: paths to the shared data sets and small hand-made inputs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI shares two cores with everything else: a property is judged by its examples, not by how fast
# one of them ran on a loaded machine.
settings.register_profile("shared-cores", deadline=None)
settings.load_profile("shared-cores")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEVINDEX_SHARED", REPO.parent / "shared"))
ASEM = SHARED / "testdata" / "asem"


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
