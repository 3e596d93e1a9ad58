"""Database-level immutability: triggers that refuse changes to published rows.

The library refuses such changes first (with a clear :class:`~nevindex.errors.ImmutableError`);
these triggers make the rule hold for any other path too (raw SQL, another client, a bug).
Every refusal message starts with :data:`MARK` so the library can recognise and translate it.
The migrations call :func:`create` / :func:`drop` with the tables they introduce; migration 0005
adds :func:`create_trust_guards`: no row of an immutable table may be replaced (SQLite's
``INSERT OR REPLACE`` deletes the old row without firing its DELETE trigger), a log entry must
extend the hash chain, and a receipt is written once, for a published edition.

Each migration's guards are defined here once and never edited afterwards (a migration that ran
must mean the same thing later); a change of rules is a new function and a new migration.
"""

from __future__ import annotations

__all__ = ["EDITION_CHILDREN", "MARK", "NO_REPLACE", "create", "create_trust_guards", "drop", "drop_functions", "install_guards", "uninstall_guards",
           "drop_trust_guards"]


MARK = "nevindex immutable"

#: Rows that belong to an edition (refused once the edition is published).
EDITION_CHILDREN = ("unit_results", "indicator_results", "audit_outputs")


def _published(edition_expr: str) -> str:
    return f"EXISTS (SELECT 1 FROM editions WHERE id = {edition_expr} AND status = 'published')"


def _sqlite(table: str) -> list[str]:
    """(name, event, condition, message) rules for one table, as SQLite triggers."""
    rules: list[tuple[str, str | None, str]] = []
    if table == "editions":
        rules = [("UPDATE", "OLD.status = 'published'", "a published edition cannot be changed"),
                 ("DELETE", "OLD.status = 'published'", "a published edition cannot be deleted")]
    elif table in EDITION_CHILDREN:
        rules = [("INSERT", _published("NEW.edition_id"), f"{table} of a published edition cannot be added"),
                 ("UPDATE", f"{_published('OLD.edition_id')} OR {_published('NEW.edition_id')}",
                  f"{table} of a published edition cannot be changed"),
                 ("DELETE", _published("OLD.edition_id"), f"{table} of a published edition cannot be deleted")]
    elif table in ("methodologies", "datasets"):
        column = "methodology_id" if table == "methodologies" else "dataset_id"
        rules = [("UPDATE", None, f"{table} are write-once (content-addressed)"),
                 ("DELETE", f"EXISTS (SELECT 1 FROM editions WHERE {column} = OLD.id AND status = 'published')",
                  f"{table} used by a published edition cannot be deleted")]
    elif table == "observations":
        used = "EXISTS (SELECT 1 FROM editions WHERE dataset_id = {} AND status = 'published')"
        rules = [("UPDATE", None, "observations are write-once"),
                 ("INSERT", used.format("NEW.dataset_id"), "a data set used by a published edition cannot grow"),
                 ("DELETE", used.format("OLD.dataset_id"),
                  "observations used by a published edition cannot be deleted")]
    elif table == "activity_log":
        rules = [("UPDATE", None, "the activity log is append-only"),
                 ("DELETE", None, "the activity log is append-only")]
    out = []
    for event, condition, message in rules:
        when = f" WHEN {condition}" if condition else ""
        out.append(f"CREATE TRIGGER nevindex_{table}_{event.lower()} BEFORE {event} ON {table} FOR EACH ROW{when} "
                   f"BEGIN SELECT RAISE(ABORT, '{MARK}: {message}'); END")
    return out


_PG_FUNCTIONS = [
    f"""CREATE OR REPLACE FUNCTION nevindex_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '{MARK}: %', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation';
END $$""",
    f"""CREATE OR REPLACE FUNCTION nevindex_guard_edition_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (
      SELECT 1 FROM editions WHERE id = OLD.edition_id AND status = 'published') THEN
    RAISE EXCEPTION '{MARK}: % of a published edition cannot be changed or deleted', TG_TABLE_NAME
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND EXISTS (
      SELECT 1 FROM editions WHERE id = NEW.edition_id AND status = 'published') THEN
    RAISE EXCEPTION '{MARK}: % of a published edition cannot be added or changed', TG_TABLE_NAME
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$""",
    f"""CREATE OR REPLACE FUNCTION nevindex_guard_inputs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE used boolean;
BEGIN
  -- TG_ARGV[0]: the editions column that references this row; TG_ARGV[1]: 'self' or 'dataset'
  IF TG_ARGV[1] = 'self' THEN
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM editions WHERE %I = $1 AND status = ''published'')', TG_ARGV[0])
      INTO used USING OLD.id;
  ELSIF TG_OP = 'DELETE' THEN
    SELECT EXISTS (SELECT 1 FROM editions WHERE dataset_id = OLD.dataset_id AND status = 'published') INTO used;
  ELSE
    SELECT EXISTS (SELECT 1 FROM editions WHERE dataset_id = NEW.dataset_id AND status = 'published') INTO used;
  END IF;
  IF used THEN
    RAISE EXCEPTION '{MARK}: % used by a published edition cannot be changed', TG_TABLE_NAME
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$""",
]


def _pg(table: str) -> list[str]:
    def t(name: str, timing: str, func: str, when: str = "", each: str = "ROW") -> str:
        clause = f" WHEN ({when})" if when else ""
        return (f"CREATE TRIGGER nevindex_{table}_{name} {timing} ON {table} FOR EACH {each}{clause} "
                f"EXECUTE FUNCTION {func}")

    truncate = t("truncate", "BEFORE TRUNCATE", f"nevindex_refuse('{table} cannot be truncated')", each="STATEMENT")
    if table == "editions":
        return [t("update", "BEFORE UPDATE", "nevindex_refuse('a published edition cannot be changed')",
                  "OLD.status = 'published'"),
                t("delete", "BEFORE DELETE", "nevindex_refuse('a published edition cannot be deleted')",
                  "OLD.status = 'published'"), truncate]
    if table in EDITION_CHILDREN:
        return [t("guard", "BEFORE INSERT OR UPDATE OR DELETE", "nevindex_guard_edition_rows()"), truncate]
    if table in ("methodologies", "datasets"):
        column = "methodology_id" if table == "methodologies" else "dataset_id"
        return [t("update", "BEFORE UPDATE", f"nevindex_refuse('{table} are write-once (content-addressed)')"),
                t("delete", "BEFORE DELETE", f"nevindex_guard_inputs('{column}', 'self')"), truncate]
    if table == "observations":
        return [t("update", "BEFORE UPDATE", "nevindex_refuse('observations are write-once')"),
                t("guard", "BEFORE INSERT OR DELETE", "nevindex_guard_inputs('dataset_id', 'dataset')"), truncate]
    if table == "activity_log":
        return [t("update", "BEFORE UPDATE OR DELETE", "nevindex_refuse('the activity log is append-only')"),
                truncate]
    return []


def _trigger_names(dialect: str, table: str) -> list[str]:
    statements = _sqlite(table) if dialect == "sqlite" else _pg(table)
    return [s.split()[2] for s in statements]


def create(op, tables: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    """Create the guards of ``tables`` (called from a migration with its ``op``)."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for statement in _PG_FUNCTIONS:
            op.execute(statement)
        for table in tables:
            for statement in _pg(table):
                op.execute(statement)
    elif dialect == "sqlite":
        for table in tables:
            for statement in _sqlite(table):
                op.execute(statement)
    else:  # other databases: the library still refuses, but say so loudly in the log of the migration
        import warnings

        warnings.warn(f"no immutability triggers for database '{dialect}'; only the library enforces them",
                      stacklevel=2)


def drop(op, tables: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    dialect = op.get_bind().dialect.name
    for table in tables:
        for name in _trigger_names(dialect, table):
            op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if dialect == "postgresql" else ""))


def drop_functions(op) -> None:  # type: ignore[no-untyped-def]
    """Drop the PostgreSQL trigger functions (after every trigger that uses them is gone)."""
    if op.get_bind().dialect.name == "postgresql":
        for name in ("nevindex_refuse", "nevindex_guard_edition_rows", "nevindex_guard_inputs"):
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")


# --- migration 0005: no replaced rows, a chained log, write-once receipts ------------------------

#: The keys by which a row of each immutable table could be replaced (primary key, unique columns).
NO_REPLACE: dict[str, tuple[str, ...]] = {
    "methodologies": ("id", "sha256"), "datasets": ("id", "sha256"), "observations": ("id",),
    "editions": ("id", "label"), "unit_results": ("id",), "indicator_results": ("id",),
    "audit_outputs": ("id",), "activity_log": ("id",), "receipts": ("id", "edition_id"),
}
_GENESIS = "0" * 64  # nevindex.store.logchain.GENESIS (kept literal: this text must never change)
_HEAD = f"COALESCE((SELECT sha256 FROM activity_log ORDER BY id DESC LIMIT 1), '{_GENESIS}')"


def _sqlite_trust() -> list[str]:
    def refuse(name: str, timing: str, table: str, when: str, message: str) -> str:
        return (f"CREATE TRIGGER {name} {timing} ON {table} FOR EACH ROW WHEN {when} "
                f"BEGIN SELECT RAISE(ABORT, '{MARK}: {message}'); END")

    out = []
    for table, keys in NO_REPLACE.items():
        match = " OR ".join(f"{k} = NEW.{k}" for k in keys)
        out.append(refuse(f"nevindex_{table}_noreplace", "BEFORE INSERT", table,
                          f"EXISTS (SELECT 1 FROM {table} WHERE {match})",
                          f"a row of {table} cannot be replaced (INSERT OR REPLACE)"))
    out.append(refuse("nevindex_activity_log_chain", "BEFORE INSERT", "activity_log",
                      f"NEW.sha256 IS NULL OR NEW.prev_sha256 IS NOT {_HEAD}",
                      "a log entry must carry the hash of the entry before it"))
    out.append(refuse("nevindex_receipts_insert", "BEFORE INSERT", "receipts", f"NOT {_published('NEW.edition_id')}",
                      "a receipt is written when its edition is published"))
    out.append(refuse("nevindex_receipts_update", "BEFORE UPDATE", "receipts", "1", "receipts are write-once"))
    out.append(refuse("nevindex_receipts_delete", "BEFORE DELETE", "receipts", "1", "receipts are write-once"))
    return out


_PG_TRUST_FUNCTIONS = [
    f"""CREATE OR REPLACE FUNCTION nevindex_guard_chain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.sha256 IS NULL OR NEW.prev_sha256 IS DISTINCT FROM {_HEAD} THEN
    RAISE EXCEPTION '{MARK}: a log entry must carry the hash of the entry before it'
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$""",
    f"""CREATE OR REPLACE FUNCTION nevindex_guard_receipt() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT {_published('NEW.edition_id')} THEN
    RAISE EXCEPTION '{MARK}: a receipt is written when its edition is published'
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$""",
]


def _pg_trust() -> list[str]:
    return [
        "CREATE TRIGGER nevindex_activity_log_chain BEFORE INSERT ON activity_log FOR EACH ROW "
        "EXECUTE FUNCTION nevindex_guard_chain()",
        "CREATE TRIGGER nevindex_receipts_insert BEFORE INSERT ON receipts FOR EACH ROW "
        "EXECUTE FUNCTION nevindex_guard_receipt()",
        "CREATE TRIGGER nevindex_receipts_update BEFORE UPDATE OR DELETE ON receipts FOR EACH ROW "
        "EXECUTE FUNCTION nevindex_refuse('receipts are write-once')",
        "CREATE TRIGGER nevindex_receipts_truncate BEFORE TRUNCATE ON receipts FOR EACH STATEMENT "
        "EXECUTE FUNCTION nevindex_refuse('receipts cannot be truncated')",
    ]


def install_guards(op, sqlite: list[str], pg_functions: list[str], pg: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Run a migration's guard statements for the dialect it is on (other dialects get none)."""
    dialect = op.get_bind().dialect.name
    statements = sqlite if dialect == "sqlite" else [*pg_functions, *pg] if dialect == "postgresql" else []
    for statement in statements:
        op.execute(statement)


def uninstall_guards(op, sqlite: list[str], pg: list[str], functions: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    """Drop the triggers :func:`install_guards` made (their names are read from the statements) and the
    PostgreSQL functions only they use."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in sqlite:
            op.execute(f"DROP TRIGGER IF EXISTS {statement.split()[2]}")
    elif dialect == "postgresql":
        for statement in pg:
            words = statement.split()
            op.execute(f"DROP TRIGGER IF EXISTS {words[2]} ON {words[words.index('ON') + 1]}")
        for name in functions:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")


def create_trust_guards(op) -> None:  # type: ignore[no-untyped-def]
    """Migration 0005's guards. (PostgreSQL has no INSERT OR REPLACE; its upsert fires UPDATE triggers.)"""
    install_guards(op, _sqlite_trust(), _PG_TRUST_FUNCTIONS, _pg_trust())


def drop_trust_guards(op) -> None:  # type: ignore[no-untyped-def]
    uninstall_guards(op, _sqlite_trust(), _pg_trust(), ("nevindex_guard_chain", "nevindex_guard_receipt"))
