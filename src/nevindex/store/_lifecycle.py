"""An edition's life: create a draft (methodology + data + recipe) → build (store every result) → publish.

Build and publish are each one transaction. A published edition is never changed; a correction is
a new edition that names the one it corrects and says why.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from nevindex import __version__, signing
from nevindex.build import build
from nevindex.errors import DataError, ImmutableError, NevIndexError, NotFoundError, RecipeError
from nevindex.framework import Framework
from nevindex.inputs import Inputs
from nevindex.recipe import Recipe, load_recipe, recipe_from_mapping
from nevindex.result import Result
from nevindex.store import codec, receipts
from nevindex.store._data import methodology_text, store_methodology
from nevindex.store._records import EditionInfo, EmptyIndicatorError, VerificationError, edition_info
from nevindex.store._session import actor_name, checkpoint, find_edition, log, now, require
from nevindex.store._stored import find_dataset, inputs_of, stored_framework, stored_rows
from nevindex.store.db import Store
from nevindex.store.logchain import timestamp
from nevindex.store.models import (
    DRAFT,
    PUBLISHED,
    AuditOutput,
    Edition,
    IndicatorResult,
    Methodology,
    Receipt,
    UnitResult,
)

__all__ = ["YEARS", "build_edition", "check_year", "create_edition", "default_label", "delete_draft", "edition_inputs",
           "publish", "rebuild"]

#: The years an edition (and its data year) may have: what the portal's form allows too.
YEARS = range(1900, 2201)


def check_year(year: int, what: str, option: str) -> int:
    """Refuse a year outside :data:`YEARS` (PostgreSQL's integer column would overflow on some)."""
    if year not in YEARS:
        raise NevIndexError(f"{what} {year} is out of range ({option}): give a year from {YEARS.start} to "
                            f"{YEARS.stop - 1}")
    return year


def default_label(index_code: str, year: int) -> str:
    """The one label scheme of new editions, ``<index>-<year>`` (``nev-2025``): the methodology's code in
    lower case, words joined by "-", then the year. The demo, ``nevindex edition create`` and the
    portal's admin form all label this way, and a year still finds the edition (:func:`find_edition`)."""
    index = re.sub(r"[^0-9a-z]+", "-", index_code.casefold()).strip("-") or "edition"
    return f"{index}-{year}"


def _recipe(recipe: str | Path | Recipe | Mapping[str, Any] | None, fw: Framework) -> Recipe:
    if isinstance(recipe, Recipe):
        return recipe
    if isinstance(recipe, Mapping):
        return recipe_from_mapping(recipe)
    return load_recipe(recipe) if recipe is not None else fw.recipe


def create_edition(store: Store, *, year: int, methodology: str | Path | Framework | int, dataset: int | str,
                   recipe: str | Path | Recipe | Mapping[str, Any] | None = None, label: str | None = None,
                   data_year: int | None = None, corrects: int | str | None = None, reason: str | None = None,
                   actor: str | None = None) -> EditionInfo:
    """Create a draft edition: which methodology, which data, which method choices (stored in full).

    Parameters
    ----------
    store
        The open store.
    year
        The edition's year (what readers call it by).
    methodology
        A methodology file or :class:`~nevindex.framework.Framework` (stored if new), or the id of a
        stored methodology. An index with its own rules for an edition (the NEV index leaves out
        indicators nobody reported, :func:`nevindex.nev.rules.edition_methodology`) passes the
        methodology those rules produce.
    dataset
        A stored data set: id, label or sha256 prefix.
    recipe
        Method choices (a file, mapping or Recipe); default: the methodology's own.
    label
        The edition's label; default: :func:`default_label` (``nev-2025``), or ``<corrected label>-rN``
        for the N-th correction.
    data_year
        Which year of the data to use; default: the recipe's year, else the edition year if the
        data have it, else the data's latest year. It is fixed in the stored recipe now.
    corrects, reason
        The published edition this one corrects, and why (required with ``corrects``).
    actor
        Who acts (default: ``$NEVINDEX_USER`` or the login name); written to the activity log.

    Returns
    -------
    EditionInfo
        The new draft. Raises :class:`~nevindex.errors.NevIndexError` (exit code 2 in the CLI) for a
        missing reason, an unknown data set or year, a label in use, or a draft named as corrected.
    """
    who = actor_name(actor)
    check_year(year, "edition year", "--year")
    if data_year is not None:
        check_year(data_year, "data year", "--data-year")
    prepared = None if isinstance(methodology, int) else methodology_text(methodology)
    if corrects is not None and not (reason and reason.strip()):
        raise NevIndexError("a correction needs a reason (--reason): say what was wrong")
    with store.transaction() as s:  # one transaction: a create that fails stores nothing, not even the methodology
        meth_id = methodology if prepared is None else store_methodology(s, prepared, who).id
        meth = s.get(Methodology, meth_id)
        if meth is None:
            raise NotFoundError(f"no methodology with id {meth_id}")
        data = find_dataset(s, dataset)
        rc = _recipe(recipe, stored_framework(meth))
        years = [int(y) for y in json.loads(data.structure)["years"]]
        chosen = data_year if data_year is not None else (rc.year if rc.year is not None else
                                                          (year if year in years else years[-1]))
        if chosen not in years:
            raise RecipeError(f"data year {chosen} is not in data set '{data.label}' (years: "
                              f"{', '.join(map(str, years))})", column="year")
        previous = None
        if corrects is not None:
            previous = require(find_edition(s, corrects), published="rebuild it instead of correcting it")
        if label is None:
            label = default_label(meth.code, year) if previous is None else _next_correction_label(s, previous.label)
        if s.scalar(select(Edition.id).where(Edition.label == label)) is not None:
            raise NevIndexError(f"an edition labelled '{label}' already exists; choose another --label")
        edition = Edition(label=label, year=year, methodology_id=meth.id, dataset_id=data.id,
                          # the data year is stored beside the method choices (it is not one of them)
                          recipe=json.dumps({**rc.model_dump(mode="json"), "year": chosen}, sort_keys=True),
                          recipe_sha256=rc.sha256(), status=DRAFT, corrects_id=previous.id if previous else None,
                          correction_reason=reason.strip() if previous is not None and reason else None,
                          created_at=now(), created_by=who)
        s.add(edition)
        s.flush()
        log(s, who, "edition.create", f"edition {label}", year=year, methodology=f"{meth.code} {meth.version}",
            dataset=data.label, data_year=chosen, corrects=previous.label if previous else None, reason=reason)
        return edition_info(edition)


def _next_correction_label(session: Session, base: str) -> str:
    root = re.sub(r"-r\d+$", "", base)
    n = 1
    while session.scalar(select(Edition.id).where(Edition.label == f"{root}-r{n}")) is not None:
        n += 1
    return f"{root}-r{n}"


def edition_inputs(store: Store, ref: int | str) -> Inputs:
    """The stored methodology, data and recipe of an edition (checked against their hashes)."""
    with store.read() as s:
        return inputs_of(s, find_edition(s, ref))


def rebuild(store: Store, ref: int | str) -> Result:
    """The edition's Result, recomputed from its stored inputs (what verify and compare use)."""
    inputs = edition_inputs(store, ref)
    return build(inputs.framework, inputs.dataset, inputs.recipe, year=inputs.year)


def _what_was_built(edition: Edition) -> dict[str, str]:
    """The names a person knows an edition's inputs by: label, "nev 2026.1 (nev-2026.yaml)", data set."""
    meth = edition.methodology
    source = f" ({Path(meth.source_name).name})" if meth.source_name else ""
    return {"label": edition.label, "year": str(edition.year), "methodology": f"{meth.code} {meth.version}{source}",
            "dataset": edition.dataset.label}


def build_edition(store: Store, ref: int | str, *, actor: str | None = None) -> EditionInfo:
    """Build a draft edition from its stored inputs and store every result (one transaction)."""
    who = actor_name(actor)
    cannot = "its results cannot be rebuilt (use `nevindex edition verify` to check them)"
    with store.read() as s:
        edition = require(find_edition(s, ref), draft=cannot)
        inputs = inputs_of(s, edition)
        edition_id, recipe_sha = edition.id, edition.recipe_sha256
        what = _what_was_built(edition)
    try:
        result = build(inputs.framework, inputs.dataset, inputs.recipe, year=inputs.year)
    except DataError as exc:
        if exc.column not in inputs.framework.indicator_codes or "has no values" not in exc.message:
            raise
        raise EmptyIndicatorError(edition=what["label"], edition_year=int(what["year"]), indicator=exc.column,
                                  methodology=what["methodology"], dataset=what["dataset"], year=inputs.year) from None
    unit_rows, ind_rows = codec.result_rows(result)
    digest = codec.rows_sha256(unit_rows, ind_rows)
    with store.transaction() as s:
        edition = require(find_edition(s, edition_id, lock=True), draft="it was published meanwhile; not rebuilt")
        if edition.recipe_sha256 != recipe_sha:  # pragma: no cover - recipes are never updated
            raise NevIndexError("the edition changed during the build; build again")
        s.execute(delete(UnitResult).where(UnitResult.edition_id == edition_id))
        s.execute(delete(IndicatorResult).where(IndicatorResult.edition_id == edition_id))
        s.execute(delete(AuditOutput).where(AuditOutput.edition_id == edition_id))  # audit was of the old build
        s.execute(insert(UnitResult), [{"edition_id": edition_id, **r} for r in unit_rows])
        s.execute(insert(IndicatorResult), [{"edition_id": edition_id, **r} for r in ind_rows])
        checkpoint("build")
        edition.result_sha256 = digest
        edition.data_sha256 = result.hashes["data"]
        edition.package_version = __version__
        edition.built_at = now()
        log(s, who, "edition.build", f"edition {edition.label}", result_sha256=digest, units=len(result.units),
            year=result.year)
        s.flush()
        return edition_info(edition)


def publish(store: Store, ref: int | str, *, actor: str | None = None) -> EditionInfo:
    """Freeze a built draft edition for ever and sign its receipt (one transaction; a second publish
    is refused). The signing key is read (or made, on first publish) before anything changes."""
    who = actor_name(actor)
    key = signing.load_or_create_key()
    with store.transaction() as s:
        edition = find_edition(s, ref, lock=True)
        require(edition, draft="to change it, create a correction (`nevindex edition create --corrects "
                               f"{edition.label} --reason ...`)",
                built=f"run `nevindex edition build {edition.label}` first")
        if codec.rows_sha256(*stored_rows(s, edition.id)) != edition.result_sha256:
            raise VerificationError(f"stored results of edition '{edition.label}' do not match their hash; "
                                    "rebuild before publishing")
        when = now()
        done = s.execute(update(Edition).where(Edition.id == edition.id, Edition.status == DRAFT)
                         .values(status=PUBLISHED, published_at=when, published_by=who))
        if done.rowcount != 1:  # pragma: no cover - guarded by the row lock / SQLite's write lock
            raise ImmutableError(f"edition '{edition.label}' was published by someone else meanwhile")
        checkpoint("publish")
        s.refresh(edition)
        # The log entry names every hash the published numbers depend on (verify compares them later).
        entry = log(s, who, "edition.publish", f"edition {edition.label}",
                    corrects=edition.corrects.label if edition.corrects is not None else None,
                    **receipts.current_hashes(edition))
        s.flush()
        receipts.issue(s, edition, entry, key, timestamp(when))
        s.flush()
        return edition_info(edition)


def delete_draft(store: Store, ref: int | str, *, actor: str | None = None) -> EditionInfo:
    """Delete a draft edition with its results and audit (one transaction, written to the activity log).

    A published edition is never deleted (ImmutableError; the store's triggers refuse it too): a
    wrong published edition is corrected by a new one. The methodology and data set stay stored."""
    who = actor_name(actor)
    with store.transaction() as s:
        edition = require(find_edition(s, ref, lock=True), draft="published editions are never deleted; publish a "
                          "correction instead (`nevindex edition create --corrects LABEL --reason ...`)")
        info = edition_info(edition)
        for table in (UnitResult, IndicatorResult, AuditOutput, Receipt):
            s.execute(delete(table).where(table.edition_id == edition.id))
        s.delete(edition)
        log(s, who, "edition.delete", f"edition {info.label}", year=info.year, status=info.status)
        s.flush()
    return info
