"""The tables of the store (schema at the head migration).

Inputs are content-addressed and write-once: a methodology version (its YAML text and hash) and a
data set (every observation with its source, the file as imported, and a hash). An edition names
one of each plus a recipe; building it stores every result; publishing freezes all of it and
stores its signed receipt. The activity log is append-only and hash-chained
(:mod:`nevindex.store.logchain`). The migrations create the same tables plus the database triggers
that refuse changes to published rows (see :mod:`nevindex.store.triggers`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

__all__ = ["Activity", "AuditOutput", "Base", "DRAFT", "DataSet", "Edition", "IndicatorResult", "Methodology",
           "Observation", "PUBLISHED", "Receipt", "Review", "Submission", "SubmissionValue", "UTCDateTime",
           "UnitResult"]


DRAFT = "draft"
PUBLISHED = "published"


class UTCDateTime(TypeDecorator[datetime]):
    """Times in UTC, always read back time-zone aware (SQLite stores them without a zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:  # type: ignore[no-untyped-def]
        if value is None:
            return None
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:  # type: ignore[no-untyped-def]
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class Methodology(Base):
    __tablename__ = "methodologies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    yaml_text: Mapped[str] = mapped_column(Text)
    source_name: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(200))


class DataSet(Base):
    __tablename__ = "datasets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    #: units, columns, years, names, attributes, provenance columns (JSON)
    structure: Mapped[str] = mapped_column(Text)
    source_name: Mapped[str | None] = mapped_column(String(500))
    source_bytes: Mapped[bytes | None] = mapped_column(LargeBinary)
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    units_name: Mapped[str | None] = mapped_column(String(500))
    units_bytes: Mapped[bytes | None] = mapped_column(LargeBinary)
    units_sha256: Mapped[str | None] = mapped_column(String(64))  # added by migration 0005
    n_observations: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(200))

    observations: Mapped[list[Observation]] = relationship(back_populates="dataset", order_by="Observation.id")


class Observation(Base):
    __tablename__ = "observations"
    __table_args__ = (Index("ix_observations_dataset", "dataset_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"))
    year: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(200))
    indicator: Mapped[str] = mapped_column(String(200))
    value: Mapped[float] = mapped_column(Float(53))
    row: Mapped[int | None] = mapped_column(Integer)
    #: the source columns of the row as imported (JSON object), if the file had any
    source: Mapped[str | None] = mapped_column(Text)

    dataset: Mapped[DataSet] = relationship(back_populates="observations")


class Edition(Base):
    __tablename__ = "editions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(200), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    methodology_id: Mapped[int] = mapped_column(ForeignKey("methodologies.id"))
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"))
    recipe: Mapped[str] = mapped_column(Text)  # JSON of the full validated recipe
    recipe_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default=DRAFT)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("editions.id"))
    correction_reason: Mapped[str | None] = mapped_column(Text)
    result_sha256: Mapped[str | None] = mapped_column(String(64))
    data_sha256: Mapped[str | None] = mapped_column(String(64))  # of the data as built (after derivations)
    package_version: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(200))
    built_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by: Mapped[str | None] = mapped_column(String(200))

    methodology: Mapped[Methodology] = relationship()
    dataset: Mapped[DataSet] = relationship()
    corrects: Mapped[Edition | None] = relationship(remote_side=[id])


class UnitResult(Base):
    """One unit × aggregate node of an edition: score, rank, rating, coverage, flags."""

    __tablename__ = "unit_results"
    __table_args__ = (Index("ix_unit_results_edition", "edition_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id"))
    unit: Mapped[str] = mapped_column(String(200))
    node: Mapped[str] = mapped_column(String(200))
    level: Mapped[int] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float(53))
    rank: Mapped[float | None] = mapped_column(Float(53))
    rating: Mapped[str | None] = mapped_column(String(50))
    coverage: Mapped[float | None] = mapped_column(Float(53))
    flags: Mapped[str] = mapped_column(String(500), default="")


class IndicatorResult(Base):
    """One unit × indicator of an edition: raw value, imputation, treatment, normalised score."""

    __tablename__ = "indicator_results"
    __table_args__ = (Index("ix_indicator_results_edition", "edition_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id"))
    unit: Mapped[str] = mapped_column(String(200))
    indicator: Mapped[str] = mapped_column(String(200))
    raw: Mapped[float | None] = mapped_column(Float(53))
    imputed: Mapped[float | None] = mapped_column(Float(53))
    imputed_flag: Mapped[bool] = mapped_column(Boolean)
    treated: Mapped[float | None] = mapped_column(Float(53))
    normalised: Mapped[float | None] = mapped_column(Float(53))
    rank: Mapped[float | None] = mapped_column(Float(53))
    flags: Mapped[str] = mapped_column(String(500), default="")


class AuditOutput(Base):
    """One table of an edition's statistical audit (added by migration 0002)."""

    __tablename__ = "audit_outputs"
    __table_args__ = (UniqueConstraint("edition_id", "name", name="uq_audit_outputs_edition_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id"))
    name: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)  # JSON, pandas "split" orientation
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(200))


class Activity(Base):
    """Append-only and hash-chained (migration 0005): who did what, when."""

    __tablename__ = "activity_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    target: Mapped[str] = mapped_column(String(300))
    details: Mapped[str] = mapped_column(Text, default="{}")
    prev_sha256: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))


class Receipt(Base):
    """The signed receipt of a published edition (migration 0005): written once, at publication."""

    __tablename__ = "receipts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id"), unique=True)
    document: Mapped[str] = mapped_column(Text)  # the receipt file's JSON, signature included
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Submission(Base):
    """A brand's filled questionnaire (migration 0006): stored once, as received, never changed."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id"))
    brand: Mapped[str] = mapped_column(String(200))
    methodology_sha256: Mapped[str] = mapped_column(String(64))
    template_version: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(String(500))
    file_bytes: Mapped[bytes] = mapped_column(LargeBinary)
    file_sha256: Mapped[str] = mapped_column(String(64))
    submitted_by: Mapped[str] = mapped_column(String(300))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(200))  # who imported the file

    values: Mapped[list[SubmissionValue]] = relationship(back_populates="submission", order_by="SubmissionValue.id")


class SubmissionValue(Base):
    """One submitted figure with its evidence and the plausibility warnings found at import (0006)."""

    __tablename__ = "submission_values"
    __table_args__ = (Index("ix_submission_values_submission", "submission_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    indicator: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float(53))
    unit_of_measure: Mapped[str] = mapped_column(String(200))
    evidence: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    cell: Mapped[str] = mapped_column(String(50))  # where it was in the file ("Questionnaire!F7")
    public_value: Mapped[float | None] = mapped_column(Float(53))  # the data set's value at import
    last_value: Mapped[float | None] = mapped_column(Float(53))  # the last published edition's value
    warnings: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of sentences

    submission: Mapped[Submission] = relationship(back_populates="values")


class Review(Base):
    """A decision on one submitted value (0006), append-only: approve or reject with a comment, and
    ``merged`` when a merge wrote the approved value into a data set (then no further decision)."""

    __tablename__ = "reviews"
    __table_args__ = (Index("ix_reviews_value", "value_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value_id: Mapped[int] = mapped_column(ForeignKey("submission_values.id"))
    decision: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    reviewer: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    dataset_id: Mapped[int | None] = mapped_column(ForeignKey("datasets.id"))  # set for ``merged``
