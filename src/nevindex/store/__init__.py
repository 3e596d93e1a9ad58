"""The edition store: methodology versions, data sets, editions, results, audit tables, activity log.

Use :func:`open_store` (a :class:`Store`, also a context manager that closes it), the service
functions of :mod:`nevindex.store.editions` and the read queries of :mod:`nevindex.store.queries`.
Submodules load on first use, so importing this package costs nothing until a store is opened.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__, submodules=["codec", "db", "editions", "models", "queries", "submissions"],
    submod_attrs={"db": ["Store", "StoreError", "default_url", "open_store"]})
