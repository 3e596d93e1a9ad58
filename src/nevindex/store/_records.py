"""What the store hands out: frozen records of methodologies, data sets and editions (no ORM objects).

Callers never hold a session; they get these plain values, so nothing they do can change a row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from nevindex.errors import DataError, NevIndexError
from nevindex.store.models import PUBLISHED, DataSet, Edition

__all__ = ["AmbiguousEditionError", "DataSetInfo", "EmptyIndicatorError", "EditionInfo", "HASHES", "MethodologyInfo", "VerificationError",
           "VerifyReport"]

#: An edition's hashes, by the one name each has everywhere (edition show, API ``hashes``, open data,
#: receipt, report annex; docs/editions.md, "Hashes"): what each covers is in the docs and the fields below.
HASHES = ("methodology_sha256", "dataset_sha256", "source_sha256", "units_sha256", "recipe_sha256", "data_sha256",
          "result_sha256")


class AmbiguousEditionError(NevIndexError):
    """An edition reference (a bare year) names more than one edition; the message lists them."""


class EmptyIndicatorError(DataError):
    """A draft cannot be built: one of its methodology's indicators has no value in the edition's year.

    The store says what and where; each edge says what to do in its own terms (the CLI names
    ``edition create --suspend-empty``, the NEV rule that leaves such indicators out).
    """

    def __init__(self, *, edition: str, edition_year: int, indicator: str, methodology: str, dataset: str,
                 year: int) -> None:
        self.edition, self.edition_year, self.indicator, self.methodology, self.dataset, self.year = (
            edition, edition_year, indicator, methodology, dataset, year)
        super().__init__(f"edition '{edition}' cannot be built: indicator '{indicator}' of the methodology "
                         f"{methodology} has no values in {year} in data set '{dataset}'",
                         hint=f"import data for it, or create the edition again with a methodology without it; "
                              f"deleting the draft '{edition}' removes it")


class VerificationError(NevIndexError):
    """A stored edition does not match its rebuild or its own hash (tampering or a changed engine)."""

    status_code = 409


@dataclass(frozen=True)
class MethodologyInfo:
    id: int
    code: str
    version: str
    sha256: str
    created: bool = False


@dataclass(frozen=True)
class DataSetInfo:
    id: int
    label: str
    sha256: str
    n_observations: int
    units: int
    columns: int
    years: tuple[int, ...]
    created: bool = False


@dataclass(frozen=True)
class EditionInfo:
    id: int
    label: str
    year: int
    status: str
    methodology: str  # "code version"
    methodology_sha256: str
    dataset: str
    #: every observation as imported, with its source row and columns
    dataset_sha256: str
    #: the data file and the units file as imported (None when the data came from memory)
    source_sha256: str | None
    units_sha256: str | None
    recipe_sha256: str
    #: the data as built (after the methodology's derived columns): what the engine read
    data_sha256: str | None
    result_sha256: str | None
    corrects: str | None
    correction_reason: str | None
    created_at: datetime
    created_by: str
    built_at: datetime | None
    published_at: datetime | None
    published_by: str | None
    package_version: str | None

    @property
    def published(self) -> bool:
        return self.status == PUBLISHED

    @property
    def built(self) -> bool:
        return self.result_sha256 is not None

    @property
    def hashes(self) -> dict[str, str | None]:
        """Every hash of the edition by its name (:data:`HASHES`)."""
        return {name: getattr(self, name) for name in HASHES}

    @property
    def methodology_code(self) -> str:
        """The index the edition belongs to (its methodology's code, whatever the version)."""
        return self.methodology.split(" ")[0]

    def as_dict(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class VerifyReport:
    label: str
    result_sha256: str
    rows: int
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: what was checked, one line each (methodology, data set, source file, recipe, log, status, receipt, results)
    checks: tuple[str, ...] = field(default_factory=tuple)
    #: the fingerprint of the key that signed the edition's receipt, if it has one
    signer: str | None = None


def edition_info(edition: Edition) -> EditionInfo:
    m, d = edition.methodology, edition.dataset
    return EditionInfo(
        id=edition.id, label=edition.label, year=edition.year, status=edition.status,
        methodology=f"{m.code} {m.version}", methodology_sha256=m.sha256, dataset=d.label, dataset_sha256=d.sha256,
        source_sha256=d.source_sha256, units_sha256=d.units_sha256,
        recipe_sha256=edition.recipe_sha256, data_sha256=edition.data_sha256, result_sha256=edition.result_sha256,
        corrects=edition.corrects.label if edition.corrects is not None else None,
        correction_reason=edition.correction_reason, created_at=edition.created_at, created_by=edition.created_by,
        built_at=edition.built_at, published_at=edition.published_at, published_by=edition.published_by,
        package_version=edition.package_version,
    )


def dataset_info(row: DataSet, created: bool = False) -> DataSetInfo:
    structure = json.loads(row.structure)
    return DataSetInfo(row.id, row.label, row.sha256, row.n_observations, len(structure["units"]),
                       len(structure["columns"]), tuple(structure["years"]), created)
