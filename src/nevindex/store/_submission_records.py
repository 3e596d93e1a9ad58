"""What goes into and comes out of the submission tables: frozen records, no ORM objects."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from nevindex.store.models import Review, Submission, SubmissionValue

__all__ = ["NewSubmission", "NewValue", "ReviewInfo", "SubmissionInfo", "ValueInfo", "status_of",
           "submission_info", "value_info"]

PENDING = "pending"


@dataclass(frozen=True)
class NewValue:
    """A checked figure from a questionnaire, with what the import found beside it."""

    indicator: str
    year: int
    value: float
    unit_of_measure: str
    evidence: str | None
    note: str | None
    cell: str
    public_value: float | None
    last_value: float | None
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class NewSubmission:
    """A checked questionnaire, ready to be stored as pending."""

    edition_id: int
    brand: str
    methodology_sha256: str
    template_version: str
    file_name: str
    file_bytes: bytes
    submitted_by: str
    values: tuple[NewValue, ...]


@dataclass(frozen=True)
class ReviewInfo:
    decision: str
    comment: str
    reviewer: str
    at: datetime
    dataset_id: int | None


@dataclass(frozen=True)
class ValueInfo(NewValue):
    """A stored figure: what the import checked, its place in the store and the reviewers' decisions."""

    id: int
    submission_id: int
    reviews: tuple[ReviewInfo, ...]

    @property
    def status(self) -> str:
        """``pending`` until a reviewer decides; then the latest decision (``approve``, ``reject``, ``merged``)."""
        return self.reviews[-1].decision if self.reviews else PENDING

    @property
    def decision(self) -> ReviewInfo | None:
        """The reviewer's latest approve/reject (what a merge acts on and cites)."""
        decided = [r for r in self.reviews if r.decision in ("approve", "reject")]
        return decided[-1] if decided else None


@dataclass(frozen=True)
class SubmissionInfo:
    id: int
    edition: str
    edition_id: int
    brand: str
    methodology_sha256: str
    template_version: str
    file_name: str
    file_sha256: str
    submitted_by: str
    submitted_at: datetime
    values: tuple[ValueInfo, ...]

    @property
    def status(self) -> str:
        return status_of([v.status for v in self.values])

    @property
    def open(self) -> bool:
        """Still waiting for a reviewer or a merge (a second questionnaire of the brand would collide)."""
        return any(v.status in (PENDING, "approve") for v in self.values)


def status_of(statuses: list[str]) -> str:
    """One word for a submission: pending (a value awaits review), approved (some await the merge),
    merged, rejected, or merged/rejected when both."""
    if not statuses or PENDING in statuses:
        return PENDING
    if "approve" in statuses:
        return "approved"
    kinds = sorted(set(statuses))
    return {("merged",): "merged", ("reject",): "rejected"}.get(tuple(kinds), "merged/rejected")


def value_info(row: SubmissionValue, reviews: list[Review]) -> ValueInfo:
    return ValueInfo(row.indicator, row.year, row.value, row.unit_of_measure, row.evidence, row.note, row.cell,
                     row.public_value, row.last_value, tuple(json.loads(row.warnings or "[]")), id=row.id,
                     submission_id=row.submission_id,
                     reviews=tuple(ReviewInfo(r.decision, r.comment, r.reviewer, r.at, r.dataset_id) for r in reviews))


def submission_info(row: Submission, label: str, values: tuple[ValueInfo, ...]) -> SubmissionInfo:
    return SubmissionInfo(row.id, label, row.edition_id, row.brand, row.methodology_sha256, row.template_version,
                          row.file_name, row.file_sha256, row.submitted_by, row.submitted_at, values)
