"""The edition store: methodology versions, data sets, editions, results, audit tables, activity log.

Use :func:`open_store` and the service functions of :mod:`nevindex.store.editions`.
"""

from nevindex.store import guards  # noqa: F401 - registers the session hook that refuses changes to published rows
from nevindex.store.db import Store, StoreError, default_url, open_store

__all__ = ["Store", "StoreError", "default_url", "open_store"]
