"""Fixtures of the NEV index tests."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def nev():
    """The shipped framework and the derived data set."""
    from nevindex.nev.edition import nev_dataset, nev_framework

    return nev_framework(), nev_dataset()
