"""Stored rows back into the engine's objects, each checked against the hash it was stored with.

Every reader of an edition's inputs (build, verify, rebuild, export, the use cases above the
store) goes through :func:`inputs_of`, so a changed row is caught wherever it is read.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nevindex.dataset import Dataset
from nevindex.errors import NotFoundError
from nevindex.framework import Framework, framework_from_yaml
from nevindex.inputs import Inputs, load_inputs
from nevindex.recipe import recipe_from_mapping
from nevindex.store import codec, schemes
from nevindex.store._records import VerificationError
from nevindex.store.models import DataSet, Edition, IndicatorResult, Methodology, Observation, UnitResult

__all__ = ["check_methodology", "find_dataset", "inputs_of", "load_dataset", "observations", "stored_framework",
           "stored_recipe", "stored_rows"]


def stored_framework(row: Methodology) -> Framework:
    """A stored methodology as this release reads it (old setting names in silence: not the user's file)."""
    return framework_from_yaml(row.yaml_text, source=row.source_name or "<stored>", quiet=True)


def check_methodology(row: Methodology, fw: Framework | None, label: str) -> str:
    """How the stored text gives its stored hash (:mod:`nevindex.store.schemes`); VerificationError if
    no definition does."""
    scheme = schemes.methodology_scheme(row.yaml_text, row.sha256, fw)
    if scheme is None:
        raise VerificationError(f"methodology of edition '{label}' no longer matches its hash "
                                f"{row.sha256[:12]}: its stored text was changed outside nevindex")
    return scheme


def stored_recipe(edition: Edition) -> tuple[dict[str, Any], Any, str]:
    """The edition's stored method choices, its data year and how they give the stored recipe hash."""
    stored = json.loads(edition.recipe)
    scheme = schemes.recipe_scheme(stored, edition.recipe_sha256)
    if scheme is None:
        raise VerificationError(f"recipe of edition '{edition.label}' no longer matches its hash")
    year = stored.pop("year", None)  # the data year is stored beside the recipe
    return stored, year, scheme


def observations(session: Session, dataset_id: int) -> Sequence[Any]:
    """The observations of a data set as light rows (attribute access, no ORM identity overhead)."""
    o = Observation
    return session.execute(select(o.year, o.unit, o.indicator, o.value, o.row, o.source)
                           .where(o.dataset_id == dataset_id).order_by(o.id)).all()


def load_dataset(session: Session, record: DataSet) -> Dataset:
    ds = codec.dataset_from_rows(json.loads(record.structure), observations(session, record.id))
    if codec.dataset_sha256(ds, codec.observation_rows(ds)) != record.sha256:
        raise VerificationError(f"data set '{record.label}' (id {record.id}) no longer matches its hash: "
                                "stored observations were changed outside nevindex")
    return ds


def find_dataset(session: Session, ref: int | str) -> DataSet:
    """A data set by id, sha256 prefix (8+ hex digits) or label (the newest of that label)."""
    query = select(DataSet)
    if isinstance(ref, int) or str(ref).isdigit():
        query = query.where(DataSet.id == int(ref))
    elif len(str(ref)) >= 8 and all(c in "0123456789abcdef" for c in str(ref)):
        query = query.where(DataSet.sha256.startswith(str(ref)))
    else:
        query = query.where(DataSet.label == str(ref)).order_by(DataSet.id.desc())
    record = session.scalars(query).first()
    if record is None:
        raise NotFoundError(f"no data set '{ref}'; import it with `nevindex data import`")
    return record


def inputs_of(session: Session, edition: Edition, raw: Dataset | None = None,
              found: list[str] | None = None) -> Inputs:
    """The edition's inputs as built (derivations applied), each checked against its stored hash
    (the bytes as stored, whichever release stored them). ``found`` receives how the methodology's and
    the recipe's hashes were reproduced."""
    meth_scheme = check_methodology(edition.methodology, None, edition.label)  # the bytes first, then reading
    fw = stored_framework(edition.methodology)
    ds = raw if raw is not None else load_dataset(session, edition.dataset)
    choices, year, recipe_scheme = stored_recipe(edition)
    rc = recipe_from_mapping(choices, source=f"recipe of edition '{edition.label}'", quiet=True)
    if found is not None:
        found += [meth_scheme, recipe_scheme]
    return load_inputs(fw, ds, rc, year=year)


def stored_rows(session: Session, edition_id: int) -> tuple[Sequence[Any], Sequence[Any]]:
    """The stored result rows of an edition (light rows with the codec's fields)."""
    u, i = UnitResult, IndicatorResult
    units = session.execute(select(*(getattr(u, f) for f in codec.UNIT_FIELDS))
                            .where(u.edition_id == edition_id).order_by(u.id)).all()
    inds = session.execute(select(*(getattr(i, f) for f in codec.INDICATOR_FIELDS))
                           .where(i.edition_id == edition_id).order_by(i.id)).all()
    return units, inds
