"""Library-level immutability (the first line; the database triggers are the second).

A session listener refuses, before anything reaches the database, to change or delete a
published edition, its results or audit tables, any stored input (inputs are write-once), the
activity log, or a receipt; refusals raised by the database triggers are turned into the same
:class:`~nevindex.errors.ImmutableError`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, exists, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from nevindex.errors import ImmutableError
from nevindex.store.models import (
    PUBLISHED,
    Activity,
    AuditOutput,
    DataSet,
    Edition,
    IndicatorResult,
    Methodology,
    Observation,
    Receipt,
    UnitResult,
)
from nevindex.store.triggers import MARK

__all__ = ["translate_db_errors"]


_CHILDREN = (UnitResult, IndicatorResult, AuditOutput)


def _edition_published(session: Session, edition_id: int | None) -> bool:
    if edition_id is None:
        return False
    with session.no_autoflush:
        return bool(session.scalar(select(exists().where(Edition.id == edition_id, Edition.status == PUBLISHED))))


def _used_by_published(session: Session, column, value: int | None) -> bool:  # type: ignore[no-untyped-def]
    if value is None:
        return False
    with session.no_autoflush:
        return bool(session.scalar(select(exists().where(column == value, Edition.status == PUBLISHED))))


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_published(session: Session, _context, _instances) -> None:  # type: ignore[no-untyped-def]
    for obj in list(session.dirty):
        if not session.is_modified(obj, include_collections=False):
            continue
        if isinstance(obj, Edition):
            if _committed(obj, "status") == PUBLISHED:
                raise ImmutableError(f"edition '{obj.label}' is published and cannot be changed; "
                                     "publish a correction (a new edition that names it) instead")
        elif isinstance(obj, _CHILDREN):
            if _edition_published(session, _committed(obj, "edition_id")) or _edition_published(session,
                                                                                              obj.edition_id):
                raise ImmutableError("results of a published edition cannot be changed")
        elif isinstance(obj, (Methodology, DataSet, Observation)):
            raise ImmutableError(f"stored {obj.__tablename__} are write-once; import a new version instead")
        elif isinstance(obj, Activity):
            raise ImmutableError("the activity log is append-only")
        elif isinstance(obj, Receipt):
            raise ImmutableError("a receipt is write-once")
    for obj in list(session.deleted):
        if isinstance(obj, Edition) and _committed(obj, "status") == PUBLISHED:
            raise ImmutableError(f"edition '{obj.label}' is published and cannot be deleted")
        if isinstance(obj, _CHILDREN) and _edition_published(session, _committed(obj, "edition_id")):
            raise ImmutableError("results of a published edition cannot be deleted")
        if isinstance(obj, Methodology) and _used_by_published(session, Edition.methodology_id, obj.id):
            raise ImmutableError("a methodology used by a published edition cannot be deleted")
        if isinstance(obj, DataSet) and _used_by_published(session, Edition.dataset_id, obj.id):
            raise ImmutableError("a data set used by a published edition cannot be deleted")
        if isinstance(obj, Observation) and _used_by_published(session, Edition.dataset_id, obj.dataset_id):
            raise ImmutableError("observations used by a published edition cannot be deleted")
        if isinstance(obj, Activity):
            raise ImmutableError("the activity log is append-only")
        if isinstance(obj, Receipt):
            raise ImmutableError("a receipt is write-once")
    for obj in list(session.new):
        if isinstance(obj, _CHILDREN) and _edition_published(session, obj.edition_id):
            raise ImmutableError("a published edition cannot receive new results or audit tables")


def _committed(obj, attribute: str):  # type: ignore[no-untyped-def]
    """The value an attribute had when loaded (before any change in this session)."""
    from sqlalchemy import inspect

    history = inspect(obj).attrs[attribute].history
    if history.deleted:
        return history.deleted[0]
    if history.unchanged:
        return history.unchanged[0]
    return getattr(obj, attribute)


@contextmanager
def translate_db_errors() -> Iterator[None]:
    """Turn a trigger's refusal into an ImmutableError (other database errors pass unchanged)."""
    try:
        yield
    except DBAPIError as exc:
        text = str(exc.orig) if exc.orig is not None else str(exc)
        if MARK in text:
            message = text[text.index(MARK) + len(MARK):].lstrip(": ").splitlines()[0]
            raise ImmutableError(f"refused by the database: {message}") from None
        raise
