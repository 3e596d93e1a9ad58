"""A published edition out of the store as open data (the file formats are :mod:`nevindex.store.opendata`),
with its signed receipt beside it."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.orm import Session

from nevindex.store import opendata, receipts
from nevindex.store._session import find_edition, require
from nevindex.store._stored import inputs_of, observations, stored_framework, stored_rows
from nevindex.store.db import Store
from nevindex.store.logchain import timestamp
from nevindex.store.models import Edition

__all__ = ["edition_content", "export_edition"]


def export_edition(store: Store, ref: int | str, out: str | Path, *, allow_draft: bool = False) -> list[str]:
    """Write a published edition as open data (long CSV, XLSX, JSON, observations, methodology, recipe, the
    data set and result rows as stored) and its receipt (``receipt.json``, when the edition has one)."""
    with store.read() as s:
        edition = find_edition(s, ref)
        require(edition, published=None if allow_draft else "publish it first (or export with --draft)",
                built="nothing to export")
        content = edition_content(s, edition)
        document = receipts.stored(s, edition.id)
    extra = {}
    if document is not None:
        extra[receipts.FILE_NAME] = (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()
    return opendata.write_open_data(out, content, extra)


def edition_content(session: Session, edition: Edition) -> opendata.EditionContent:
    """Everything the open data of a built edition are made of, as the store holds it."""
    meth, data = edition.methodology, edition.dataset
    recipe_json = edition.recipe
    units, inds = stored_rows(session, edition.id)
    meta = opendata.edition_meta(
        label=edition.label, year=edition.year, status=edition.status,
        published_at=timestamp(edition.published_at) if edition.published_at else None,
        corrects=edition.corrects.label if edition.corrects is not None else None,
        correction_reason=edition.correction_reason, data_year=int(json.loads(recipe_json)["year"]),
        methodology={"code": meth.code, "version": meth.version},
        dataset={"label": data.label, "source_name": data.source_name},
        hashes=receipts.current_hashes(edition), package_version=edition.package_version)
    return opendata.EditionContent(
        meta=meta, framework=stored_framework(meth), methodology_yaml=meth.yaml_text, recipe_json=recipe_json,
        structure=json.loads(data.structure), observations=observations(session, data.id), unit_rows=units,
        indicator_rows=inds, built=inputs_of(session, edition).dataset)
