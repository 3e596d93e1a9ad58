"""Migration 0006's guards: brand submissions are kept as received, reviews are append-only.

The same rules as :mod:`nevindex.store.triggers` applies to the edition tables (and with its
message mark, so the library translates a refusal the same way):

- ``submissions`` and ``submission_values`` are write-once: no update, no delete, no replaced row,
  and a submission gains no value once a reviewer has decided on one of its values;
- ``reviews`` are append-only: no update, no delete, no replaced row; a decision is ``approve``,
  ``reject`` or ``merged``, and a value that was merged takes no further decision.

Defined once and never edited (a migration that ran must mean the same thing later).
"""

from __future__ import annotations

from nevindex.store.triggers import MARK, install_guards, uninstall_guards

__all__ = ["DECISIONS", "TABLES", "create", "drop"]

#: The decisions a review row may record.
DECISIONS = ("approve", "reject", "merged")
TABLES = ("submissions", "submission_values", "reviews")
_REVIEWED = ("EXISTS (SELECT 1 FROM reviews r JOIN submission_values v ON r.value_id = v.id "
             "WHERE v.submission_id = NEW.submission_id)")
_MERGED = "EXISTS (SELECT 1 FROM reviews WHERE value_id = NEW.value_id AND decision = 'merged')"
_BAD_DECISION = "NEW.decision NOT IN ('approve', 'reject', 'merged')"


def _sqlite() -> list[str]:
    def refuse(name: str, timing: str, table: str, when: str | None, message: str) -> str:
        clause = f" WHEN {when}" if when else ""
        return (f"CREATE TRIGGER {name} {timing} ON {table} FOR EACH ROW{clause} "
                f"BEGIN SELECT RAISE(ABORT, '{MARK}: {message}'); END")

    out = []
    for table, what in (("submissions", "submissions are write-once"),
                        ("submission_values", "submitted values are write-once"),
                        ("reviews", "reviews are append-only")):
        out.append(refuse(f"nevindex_{table}_update", "BEFORE UPDATE", table, None, what))
        out.append(refuse(f"nevindex_{table}_delete", "BEFORE DELETE", table, None, what))
        out.append(refuse(f"nevindex_{table}_noreplace", "BEFORE INSERT", table,
                          f"EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id)",
                          f"a row of {table} cannot be replaced (INSERT OR REPLACE)"))
    out.append(refuse("nevindex_submission_values_reviewed", "BEFORE INSERT", "submission_values", _REVIEWED,
                      "a submission gains no value once its review has begun"))
    out.append(refuse("nevindex_reviews_decision", "BEFORE INSERT", "reviews", _BAD_DECISION,
                      "a review decides approve, reject or merged"))
    out.append(refuse("nevindex_reviews_merged", "BEFORE INSERT", "reviews", _MERGED,
                      "a merged value takes no further decision"))
    return out


_PG_FUNCTIONS = [
    f"""CREATE OR REPLACE FUNCTION nevindex_guard_submission_value() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF {_REVIEWED} THEN
    RAISE EXCEPTION '{MARK}: a submission gains no value once its review has begun'
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$""",
    f"""CREATE OR REPLACE FUNCTION nevindex_guard_review() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF {_BAD_DECISION} THEN
    RAISE EXCEPTION '{MARK}: a review decides approve, reject or merged'
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF {_MERGED} THEN
    RAISE EXCEPTION '{MARK}: a merged value takes no further decision'
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$""",
]


def _pg() -> list[str]:
    out = []
    for table, what in (("submissions", "submissions are write-once"),
                        ("submission_values", "submitted values are write-once"),
                        ("reviews", "reviews are append-only")):
        out.append(f"CREATE TRIGGER nevindex_{table}_update BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW "
                   f"EXECUTE FUNCTION nevindex_refuse('{what}')")
        out.append(f"CREATE TRIGGER nevindex_{table}_truncate BEFORE TRUNCATE ON {table} FOR EACH STATEMENT "
                   f"EXECUTE FUNCTION nevindex_refuse('{table} cannot be truncated')")
    out.append("CREATE TRIGGER nevindex_submission_values_reviewed BEFORE INSERT ON submission_values FOR EACH ROW "
               "EXECUTE FUNCTION nevindex_guard_submission_value()")
    out.append("CREATE TRIGGER nevindex_reviews_guard BEFORE INSERT ON reviews FOR EACH ROW "
               "EXECUTE FUNCTION nevindex_guard_review()")
    return out


def create(op) -> None:  # type: ignore[no-untyped-def]
    """Create the guards (called by migration 0006 with its ``op``)."""
    install_guards(op, _sqlite(), _PG_FUNCTIONS, _pg())


def drop(op) -> None:  # type: ignore[no-untyped-def]
    uninstall_guards(op, _sqlite(), _pg(), ("nevindex_guard_submission_value", "nevindex_guard_review"))


