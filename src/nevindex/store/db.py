"""Where the store lives and how to open it: URL resolution, engine set-up, schema migrations.

The default is an SQLite file (``NEVINDEX_DB``, else the user's data directory), so an analyst
needs no server; any SQLAlchemy URL (PostgreSQL for a shared deployment) works the same way.
Migrations ship inside the package and run from code (no ``alembic.ini`` at the user's side).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from nevindex.errors import NevIndexError
from nevindex.store.guards import translate_db_errors  # importing guards registers the immutability hook
from nevindex.store.models import Base

__all__ = ["ENV_VAR", "MIGRATIONS", "Store", "StoreError", "WRITE_OPTION", "as_url", "current_revision",
           "default_url", "downgrade", "head_revision", "make_engine", "open_store", "safe_url", "upgrade"]


MIGRATIONS = Path(__file__).parent / "migrations"
ENV_VAR = "NEVINDEX_DB"
WRITE_OPTION = "nevindex_write"


class StoreError(NevIndexError):
    """The store cannot be opened or is at the wrong schema revision."""


def as_url(location: str) -> str:
    """A SQLAlchemy URL as given, or a file path as the URL of an SQLite file."""
    return location if "://" in location else f"sqlite:///{Path(location).expanduser().resolve()}"


def default_url() -> str:
    """``NEVINDEX_DB`` (a URL or a file path), else ``<user data dir>/nevindex.db``."""
    value = os.environ.get(ENV_VAR, "").strip()
    if value:
        return as_url(value)
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("nevindex", appauthor=False))
    return f"sqlite:///{folder / 'nevindex.db'}"


def make_engine(url: str) -> Engine:
    """An engine whose transactions are real on SQLite too (explicit BEGIN, foreign keys on)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            try:
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:  # found by scripts/probe_cli.py: `--db /dev/null/x.db` was a traceback
                raise NevIndexError(f"cannot create the store at {parsed.database}: its folder cannot be made "
                                    f"({exc.strerror}); give a path in a folder you can write to") from None
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin, so that every
            # statement of an import/build/publish (DDL included) is inside one BEGIN … COMMIT.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys = ON")
            # REPLACE then fires the DELETE triggers of the row it removes (SQLite's default does not),
            # a second line behind the triggers that refuse replacing a row at all (store.triggers).
            cursor.execute("PRAGMA recursive_triggers = ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):  # type: ignore[no-untyped-def]
            # Writers take the write lock at BEGIN (no deadlock-prone lock upgrade half-way through an
            # import or publish); readers begin deferred and do not block each other.
            write = conn.get_execution_options().get(WRITE_OPTION, False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in ("", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed)


def _alembic_config(connection=None):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Run the shipped migrations up to ``revision`` in one transaction; return (before, after)."""
    from alembic import command

    before = current_revision(engine)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), revision)
    return before, current_revision(engine)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), revision)


@dataclass
class Store:
    """An open store: the engine and a session factory. Use :func:`open_store` to get one."""

    url: str
    engine: Engine
    factory: sessionmaker[Session] = field(repr=False)
    #: the schema revision the store was at when :func:`open_store` upgraded it (``upgrade=True``)
    upgraded_from: str | None = None

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One session, one transaction: committed on success, rolled back on any error."""
        with self.engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})
            with Session(bind=conn, expire_on_commit=False) as session, translate_db_errors(), session.begin():
                yield session

    def read(self) -> Session:
        """A session for reading (the caller closes it, e.g. ``with store.read() as s``)."""
        return self.factory()

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def safe_url(self) -> str:
        """The URL without its password, for messages."""
        return safe_url(self.url)


def open_store(url: str | None = None, *, create: bool = True, upgrade_old: bool = False) -> Store:
    """Open the store at ``url`` (default :func:`default_url`).

    A new, empty database is given the current schema; a database at an older schema revision is
    refused with the command that upgrades it (an upgrade is a deliberate act, not a side effect),
    unless the caller asks for it with ``upgrade_old`` (``nevindex demo``): the migrations then run,
    every row is kept, and :attr:`Store.upgraded_from` says from which revision.
    """
    url = as_url(url) if url else default_url()
    parsed = make_url(url) if "://" in url else None
    if (not create and parsed is not None and parsed.get_backend_name() == "sqlite" and parsed.database
            and parsed.database != ":memory:" and not Path(parsed.database).exists()):
        raise StoreError(f"no nevindex store at {safe_url(url)}; run `nevindex db upgrade` to create it")
    try:
        engine = make_engine(url)
    except Exception as exc:  # noqa: BLE001 - a malformed URL or missing driver is the user's to fix
        raise StoreError(f"cannot open the store at {safe_url(url)}: {str(exc)[:200]} "
                         "(give a file path or a URL such as postgresql+psycopg://user@host/db)") from None
    try:
        current = current_revision(engine)
    except Exception as exc:  # noqa: BLE001 - a bad URL or unreachable server is the user's to fix
        engine.dispose()
        raise StoreError(f"cannot open the store at {safe_url(url)}: {exc.__class__.__name__}: {str(exc)[:200]}") \
            from None
    head = head_revision()
    if current is None:
        if inspect(engine).get_table_names() and "editions" in inspect(engine).get_table_names():
            engine.dispose()
            raise StoreError(f"the database at {safe_url(url)} has nevindex tables but no schema revision")
        if not create:
            engine.dispose()
            raise StoreError(f"no nevindex store at {safe_url(url)}; run `nevindex db upgrade` to create it")
        try:
            upgrade(engine)
        except Exception as exc:  # noqa: BLE001 - e.g. no right to create tables, no schema selected
            engine.dispose()
            raise StoreError(f"cannot create the store's tables at {safe_url(url)}: "
                             f"{str(getattr(exc, 'orig', exc)).splitlines()[0]}") from None
    elif current != head:
        if not upgrade_old or not _older(current):
            engine.dispose()
            raise StoreError(f"the store at {safe_url(url)} is at schema revision {current}; this nevindex needs "
                             f"{head}. " + ("Run `nevindex db upgrade` (existing data is kept)" if _older(current) else
                                           "It was made by a newer nevindex: use that release"))
        upgrade(engine)
    upgraded_from = current if current is not None and current != head else None
    missing = sorted(set(Base.metadata.tables) - set(inspect(engine).get_table_names()))
    if missing:
        engine.dispose()
        raise StoreError(f"the store at {safe_url(url)} is damaged: table{'s' if len(missing) > 1 else ''} "
                         f"{', '.join(missing)} {'are' if len(missing) > 1 else 'is'} missing although its schema "
                         f"revision ({head}) has {'them' if len(missing) > 1 else 'it'}; restore the database "
                         "from a backup (nothing was read or changed)")
    return Store(url=url, engine=engine, factory=sessionmaker(engine, expire_on_commit=False),
                 upgraded_from=upgraded_from)


def _older(revision: str) -> bool:
    """Whether ``revision`` is one of the shipped migrations (so an upgrade can start from it)."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        return ScriptDirectory.from_config(_alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001
        return "<url>"
