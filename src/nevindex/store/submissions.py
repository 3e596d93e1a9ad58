"""Brand submissions in the store: stored pending, reviewed value by value, merged into a new data set.

Each operation is one transaction. Storing a submission never touches a data set. A merge writes
the new data-set version, a ``merged`` review of every value it took and the edition change in one
transaction: a draft edition is pointed at the new data set (its results are dropped, to be
rebuilt); a published edition is never changed, so the merge creates its correction (a draft that
names it and says why). What the merged data set contains is decided above the store
(:mod:`nevindex.collect.merge`), handed in as a function of the previous data set and the values.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from nevindex.dataset import Dataset
from nevindex.errors import DataError, NevIndexError, NotFoundError
from nevindex.store._data import insert_dataset
from nevindex.store._lifecycle import _next_correction_label
from nevindex.store._records import EditionInfo, edition_info
from nevindex.store._session import actor_name, checkpoint, find_edition, log, now, serialise
from nevindex.store._stored import load_dataset
from nevindex.store._submission_records import (
    NewSubmission,
    NewValue,
    ReviewInfo,
    SubmissionInfo,
    ValueInfo,
    submission_info,
    value_info,
)
from nevindex.store.db import Store
from nevindex.store.models import (
    PUBLISHED,
    AuditOutput,
    DataSet,
    Edition,
    IndicatorResult,
    Review,
    Submission,
    SubmissionValue,
    UnitResult,
)

__all__ = ["MergeOutcome", "NewSubmission", "NewValue", "ReviewInfo", "SubmissionInfo", "ValueInfo", "add_reviews", "add_submission", "edition_chain", "get_submission", "list_submissions",
           "merge_approved"]


def _values(session: Session, submission_ids: Sequence[int]) -> dict[int, list[ValueInfo]]:
    if not submission_ids:
        return {}
    rows = session.scalars(select(SubmissionValue).where(SubmissionValue.submission_id.in_(submission_ids))
                           .order_by(SubmissionValue.id)).all()
    reviews: dict[int, list[Review]] = {}
    for r in session.scalars(select(Review).where(Review.value_id.in_([v.id for v in rows])).order_by(Review.id)):
        reviews.setdefault(r.value_id, []).append(r)
    out: dict[int, list[ValueInfo]] = {}
    for row in rows:
        out.setdefault(row.submission_id, []).append(value_info(row, reviews.get(row.id, [])))
    return out


def _infos(session: Session, rows: Sequence[Submission]) -> list[SubmissionInfo]:
    values = _values(session, [r.id for r in rows])
    labels = dict(session.execute(select(Edition.id, Edition.label)).all())
    return [submission_info(r, labels[r.edition_id], tuple(values.get(r.id, []))) for r in rows]


def edition_chain(session: Session, edition: Edition) -> list[Edition]:
    """The edition and its corrections, each correcting the one before (oldest first)."""
    chain = [edition]
    while True:
        nxt = session.scalars(select(Edition).where(Edition.corrects_id == chain[-1].id).order_by(Edition.id)).all()
        if not nxt:
            return chain
        chain.append(next((e for e in nxt if e.status == PUBLISHED), nxt[-1]))


def add_submission(store: Store, new: NewSubmission, *, actor: str | None = None,
                   on_open: Callable[[SubmissionInfo], NevIndexError] | None = None) -> SubmissionInfo:
    """Store a checked questionnaire as pending (one transaction). A brand with an open submission for
    the edition (values awaiting review or merge) is refused with ``on_open(that submission)``."""
    who = actor_name(actor)
    with store.transaction() as s:
        serialise(s, "submission", str(new.edition_id), new.brand)
        same = s.scalars(select(Submission).where(Submission.edition_id == new.edition_id,
                                                  Submission.brand == new.brand).order_by(Submission.id)).all()
        for info in _infos(s, same):
            if info.open:
                raise (on_open(info) if on_open else DataError(
                    f"brand '{new.brand}' already has open submission #{info.id} for edition '{info.edition}'"))
        row = Submission(edition_id=new.edition_id, brand=new.brand, methodology_sha256=new.methodology_sha256,
                         template_version=new.template_version, file_name=new.file_name, file_bytes=new.file_bytes,
                         file_sha256=hashlib.sha256(new.file_bytes).hexdigest(), submitted_by=new.submitted_by,
                         submitted_at=now(), created_by=who)
        s.add(row)
        s.flush()
        for k, v in enumerate(new.values):
            s.add(SubmissionValue(submission_id=row.id, indicator=v.indicator, year=v.year, value=v.value,
                                  unit_of_measure=v.unit_of_measure, evidence=v.evidence, note=v.note, cell=v.cell,
                                  public_value=v.public_value, last_value=v.last_value,
                                  warnings=json.dumps(list(v.warnings), ensure_ascii=False)))
            if k == len(new.values) // 2:
                s.flush()
                checkpoint("submission")  # half the values written: a crash here must lose them all
        label = s.get(Edition, new.edition_id).label  # type: ignore[union-attr]
        log(s, who, "submission.import", f"submission {row.id}", edition=label, brand=new.brand,
            submitted_by=new.submitted_by, values=len(new.values), file=new.file_name, file_sha256=row.file_sha256,
            warnings=sum(len(v.warnings) for v in new.values))
        s.flush()
        return _infos(s, [row])[0]


def list_submissions(store: Store, *, edition: str | int | None = None) -> list[SubmissionInfo]:
    with store.read() as s:
        query = select(Submission).order_by(Submission.id)
        if edition is not None:
            ids = [e.id for e in edition_chain(s, find_edition(s, edition))]
            query = query.where(Submission.edition_id.in_(ids))
        return _infos(s, s.scalars(query).all())


def get_submission(store: Store, submission_id: int) -> SubmissionInfo:
    with store.read() as s:
        row = s.get(Submission, submission_id)
        if row is None:
            raise NotFoundError(f"no submission #{submission_id}; `nevindex collect list` shows them")
        return _infos(s, [row])[0]


def add_reviews(store: Store, submission_id: int, decisions: Iterable[tuple[int, str, str]], *,
                reviewer: str) -> SubmissionInfo:
    """Record ``(value id, approve|reject, comment)`` decisions by ``reviewer`` (one transaction)."""
    if not reviewer or not reviewer.strip():
        raise NevIndexError("a review names its reviewer (--as or $NEVINDEX_USER)")
    with store.transaction() as s:
        serialise(s, "review", str(submission_id))
        row = s.get(Submission, submission_id)
        if row is None:
            raise NotFoundError(f"no submission #{submission_id}; `nevindex collect list` shows them")
        values = {v.id: v for v in _values(s, [row.id]).get(row.id, [])}
        decided = []
        for value_id, decision, comment in decisions:
            if decision not in ("approve", "reject"):
                raise NevIndexError(f"a decision is approve or reject, not '{decision}'")
            value = values.get(value_id)
            if value is None:
                raise NotFoundError(f"submission #{submission_id} has no value {value_id}")
            if value.status == "merged":
                raise NevIndexError(f"value {value_id} ({value.indicator}) of submission #{submission_id} was "
                                    "merged already; a merged value takes no further decision")
            s.add(Review(value_id=value_id, decision=decision, comment=comment.strip(), reviewer=reviewer.strip(),
                         at=now()))
            decided.append(f"{value.indicator}: {decision}")
        if not decided:
            raise NevIndexError("no decision given")
        log(s, reviewer.strip(), "submission.review", f"submission {row.id}", decisions=decided)
        s.flush()
        return _infos(s, [row])[0]


@dataclass(frozen=True)
class MergeOutcome:
    edition: EditionInfo  # the draft that now holds the merged data (the same draft, or a new correction)
    dataset_label: str
    dataset_id: int
    merged: tuple[ValueInfo, ...]
    correction: bool  # True when the merge created a correction of a published edition


def merge_approved(store: Store, ref: str | int,
                   merge: Callable[[Dataset, Sequence[tuple[SubmissionInfo, ValueInfo]]], Dataset], *,
                   actor: str | None = None, reason: str | None = None) -> MergeOutcome:
    """Merge every approved, not yet merged value of the edition's submissions into a new data-set
    version (``merge(previous data set, [(submission, value)])``), in one transaction."""
    who = actor_name(actor)
    with store.transaction() as s:
        serialise(s, "merge", str(ref))
        base = find_edition(s, ref, lock=True)
        chain = edition_chain(s, base)
        subs = _infos(s, s.scalars(select(Submission).where(Submission.edition_id.in_([e.id for e in chain]))
                                   .order_by(Submission.id)).all())
        approved = [(sub, v) for sub in subs for v in sub.values if v.status == "approve"]
        if not approved:
            raise NevIndexError(f"edition '{base.label}' has no approved value waiting to be merged; review its "
                                "submissions first (`nevindex collect review`)")
        target = chain[-1]
        previous = s.get(DataSet, target.dataset_id)
        merged_ds = merge(load_dataset(s, previous), approved)  # type: ignore[arg-type]
        ids = ", ".join(f"#{i}" for i in dict.fromkeys(sub.id for sub, _ in approved))
        label = f"{previous.label}+submissions"  # type: ignore[union-attr]
        record, _ = insert_dataset(s, merged_ds, label=label, who=who, action="data.merge",
                                   previous=previous.label, submissions=ids)  # type: ignore[union-attr]
        checkpoint("merge")  # the data set is written, the reviews and the edition not yet
        for _, value in approved:
            s.add(Review(value_id=value.id, decision="merged", comment=f"merged into data set '{label}'",
                         reviewer=who, at=now(), dataset_id=record.id))
        correction = target.status == PUBLISHED
        if correction:
            target = _correction(s, target, record, who, reason or f"brand submissions {ids} reviewed and merged "
                                 f"(collect merge): data set '{label}'")
        else:
            _repoint(s, target, record, who, ids)
        s.flush()
        return MergeOutcome(edition_info(target), record.label, record.id, tuple(v for _, v in approved), correction)


def _repoint(s: Session, draft: Edition, record: DataSet, who: str, ids: str) -> None:
    """A draft takes the merged data set; its results (of the old data) go and it must be built again."""
    old = draft.dataset.label
    for table in (UnitResult, IndicatorResult, AuditOutput):
        s.execute(delete(table).where(table.edition_id == draft.id))
    draft.dataset_id, draft.result_sha256, draft.data_sha256, draft.built_at = record.id, None, None, None
    log(s, who, "edition.data", f"edition {draft.label}", dataset=record.label, previous=old, submissions=ids)


def _correction(s: Session, published: Edition, record: DataSet, who: str, reason: str) -> Edition:
    """A new draft correcting ``published``: the same methodology, recipe and data year, the merged data."""
    label = _next_correction_label(s, published.label)
    edition = Edition(label=label, year=published.year, methodology_id=published.methodology_id,
                      dataset_id=record.id, recipe=published.recipe, recipe_sha256=published.recipe_sha256,
                      status="draft", corrects_id=published.id, correction_reason=reason, created_at=now(),
                      created_by=who)
    s.add(edition)
    s.flush()
    log(s, who, "edition.create", f"edition {label}", year=published.year,
        methodology=f"{published.methodology.code} {published.methodology.version}", dataset=record.label,
        data_year=json.loads(published.recipe).get("year"), corrects=published.label, reason=reason)
    return edition
