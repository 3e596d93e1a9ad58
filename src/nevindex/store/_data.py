"""Inputs into the store: methodology versions and data sets, content-addressed and write-once.

Importing the same content again returns what is stored. A data import is one transaction: after
a crash either every observation is stored or none is.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import yaml
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from nevindex.dataset import Dataset, load_dataset
from nevindex.errors import NevIndexError
from nevindex.framework import Framework, load_framework
from nevindex.inputs import numeric_columns
from nevindex.store import codec
from nevindex.store._records import DataSetInfo, MethodologyInfo, dataset_info
from nevindex.store._session import actor_name, checkpoint, log, now, serialise
from nevindex.store._stored import find_dataset
from nevindex.store._stored import load_dataset as load_stored_dataset
from nevindex.store.db import Store
from nevindex.store.models import DataSet, Methodology, Observation
from nevindex.store.schemes import CONTENT, methodology_scheme

__all__ = ["get_dataset", "import_data", "import_methodology", "list_datasets", "methodology_text", "read_data_file",
           "insert_dataset", "store_dataset", "store_methodology"]


def methodology_text(source: str | Path | Framework) -> tuple[Framework, str, str | None]:
    """The framework, the YAML text to store and a source name (read and checked before any
    transaction begins). The text is the file itself when it gives the framework's content
    (:meth:`Framework.content`, what its hash covers), else that content as YAML (a file that
    includes others, an iMeta table, a framework made in code)."""
    fw, text, name = source, None, None
    if not isinstance(source, Framework):
        path = Path(source)
        fw, name = load_framework(path), path.name
        text = path.read_text(encoding="utf-8") if path.suffix.lower() in (".yaml", ".yml") else None
    assert isinstance(fw, Framework)
    digest = fw.sha256()
    if text is None or not _gives(text, digest):
        text = yaml.safe_dump(fw.content(), allow_unicode=True, sort_keys=False)
        if not _gives(text, digest):
            raise NevIndexError(f"methodology {name or ''} does not survive a YAML round trip; cannot store it")
    return fw, text, name


def _gives(text: str, digest: str) -> bool:
    """Whether stored YAML ``text`` gives the methodology hash ``digest``."""
    return methodology_scheme(text, digest) == CONTENT


def import_methodology(store: Store, source: str | Path | Framework, *, actor: str | None = None) -> MethodologyInfo:
    """Store a methodology version (YAML text and content hash); the same content is stored once."""
    prepared = methodology_text(source)
    with store.transaction() as s:
        return store_methodology(s, prepared, actor_name(actor))


def store_methodology(session: Session, prepared: tuple[Framework, str, str | None], who: str) -> MethodologyInfo:
    """Store a prepared methodology (:func:`methodology_text`) inside the caller's transaction, so that
    a step that fails later (an unknown data set in ``edition create``) stores nothing."""
    fw, text, name = prepared
    sha = fw.sha256()
    serialise(session, "methodology", sha)  # two first imports of one methodology: one row, no UniqueViolation
    row = session.scalar(select(Methodology).where(Methodology.sha256 == sha))
    if row is not None:
        return MethodologyInfo(row.id, row.code, row.version, row.sha256, False)
    row = Methodology(code=fw.framework.code, version=fw.framework.version, sha256=sha, yaml_text=text,
                      source_name=name, created_at=now(), created_by=who)
    session.add(row)
    session.flush()
    log(session, who, "methodology.import", f"methodology {row.code} {row.version}", sha256=sha, source=name)
    return MethodologyInfo(row.id, row.code, row.version, sha, True)


def read_data_file(path: str | Path, *, units_file: str | Path | None = None,
                   framework: str | Path | Framework | None = None) -> Dataset:
    """A data file as a Dataset; with a methodology, its indicator columns must be numeric."""
    fw = framework if isinstance(framework, Framework) or framework is None else load_framework(framework)
    return load_dataset(Path(path), numeric=numeric_columns(fw) if fw is not None and not fw.derived else None,
                        units_file=units_file)


def import_data(store: Store, path: str | Path, *, label: str | None = None, units_file: str | Path | None = None,
                framework: str | Path | Framework | None = None, actor: str | None = None) -> DataSetInfo:
    """Store a data file: every observation with its source, the file itself as imported, and a hash.

    One transaction: after a crash either the whole data set is stored or none of it. Importing the
    same content again returns the stored data set. (Data that need preparing first, such as the
    NEV index's exchange-rate columns, are read with :func:`read_data_file`, prepared, and stored
    with :func:`store_dataset`.)
    """
    ds = read_data_file(path, units_file=units_file, framework=framework)
    return store_dataset(store, ds, label=label or Path(path).stem, source_path=path, units_path=units_file,
                         actor=actor)


def store_dataset(store: Store, ds: Dataset, *, label: str, source_path: str | Path | None = None,
                  units_path: str | Path | None = None, actor: str | None = None) -> DataSetInfo:
    """Store an in-memory Dataset (what :func:`import_data` does after reading the file)."""
    who = actor_name(actor)
    source_bytes = Path(source_path).read_bytes() if source_path is not None else None
    units_bytes = Path(units_path).read_bytes() if units_path is not None else None
    rows = codec.observation_rows(ds)
    sha = codec.dataset_sha256(ds, rows)
    with store.transaction() as s:
        # Concurrent imports of one file: the later ones wait here and then find it stored (PostgreSQL;
        # SQLite's writers are serialised at BEGIN IMMEDIATE already).
        record, created = insert_dataset(s, ds, label=label, who=who, rows=rows, sha=sha,
                                         source_name=Path(source_path).name if source_path else ds.source,
                                         source_bytes=source_bytes, units_name=Path(units_path).name if units_path
                                         else None, units_bytes=units_bytes)
        return dataset_info(record, created=created)


def insert_dataset(s: Session, ds: Dataset, *, label: str, who: str, rows: list[dict] | None = None,
                   sha: str | None = None, source_name: str | None = None, source_bytes: bytes | None = None,
                   units_name: str | None = None, units_bytes: bytes | None = None,
                   action: str = "data.import", **details: object) -> tuple[DataSet, bool]:
    """Store a data set inside the caller's transaction (an import, or a merge that also records its
    reviews and edition in the same transaction); the stored one if its content is there already."""
    rows = codec.observation_rows(ds) if rows is None else rows
    sha = codec.dataset_sha256(ds, rows) if sha is None else sha
    serialise(s, "dataset", sha)
    existing = s.scalar(select(DataSet).where(DataSet.sha256 == sha))
    if existing is not None:
        return existing, False
    record = DataSet(label=label, sha256=sha, structure=json.dumps(codec.dataset_structure(ds), ensure_ascii=False),
                     source_name=source_name, source_bytes=source_bytes,
                     source_sha256=hashlib.sha256(source_bytes).hexdigest() if source_bytes else None,
                     units_name=units_name, units_bytes=units_bytes,
                     units_sha256=hashlib.sha256(units_bytes).hexdigest() if units_bytes else None,
                     n_observations=len(rows), created_at=now(), created_by=who)
    s.add(record)
    s.flush()
    half = len(rows) // 2
    for chunk, halfway in ((rows[:half], True), (rows[half:], False)):
        if chunk:
            s.execute(insert(Observation), [{"dataset_id": record.id, **r} for r in chunk])
        if halfway:
            checkpoint("import")  # half the observations are written: a crash here must lose them all
    log(s, who, action, f"data set {label}", sha256=sha, observations=len(rows), source=record.source_name,
        **details)
    return record, True


def get_dataset(store: Store, ref: int | str) -> Dataset:
    """A stored data set (by id, sha256 prefix or label), checked against its hash."""
    with store.read() as s:
        return load_stored_dataset(s, find_dataset(s, ref))


def list_datasets(store: Store) -> list[DataSetInfo]:
    with store.read() as s:
        return [dataset_info(r) for r in s.scalars(select(DataSet).order_by(DataSet.id))]
