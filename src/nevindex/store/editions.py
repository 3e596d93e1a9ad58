"""The editions service: the one API that the CLI, the REST API and the web pages call.

import data → create an edition (methodology + data + recipe) → build (stores every result) →
audit (stores the audit's tables) → publish (frozen for ever) → export / verify / compare.
Import, build and publish are each one database transaction: a crash leaves the store as it was
before or as it is after. A published edition is never changed; a correction is a new edition
that names the one it corrects and says why.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from nevindex import __version__
from nevindex.build import build
from nevindex.dataset import Dataset, load_dataset
from nevindex.errors import ImmutableError, NevIndexError, NotFoundError, RecipeError
from nevindex.framework import Framework, framework_from_yaml, load_framework
from nevindex.inputs import Inputs, load_inputs, numeric_columns
from nevindex.recipe import Recipe, load_recipe, recipe_from_mapping
from nevindex.result import Result
from nevindex.store import codec
from nevindex.store.db import Store
from nevindex.store.models import (
    DRAFT,
    PUBLISHED,
    Activity,
    AuditOutput,
    DataSet,
    Edition,
    IndicatorResult,
    Methodology,
    Observation,
    UnitResult,
)

#: Test hook: ``NEVINDEX_TEST_PAUSE=<point>`` makes the named transaction stop half-way (after a
#: marker file ``NEVINDEX_TEST_PAUSE_MARKER`` is written) so a test can kill the process there.
PAUSE_ENV = "NEVINDEX_TEST_PAUSE"


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
    dataset_sha256: str
    recipe_sha256: str
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

    def as_dict(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class VerifyReport:
    label: str
    result_sha256: str
    rows: int
    notes: tuple[str, ...] = field(default_factory=tuple)


# --- helpers -----------------------------------------------------------------------------------


def actor_name(actor: str | None = None) -> str:
    """Who is acting: given, else ``NEVINDEX_USER``, else the login name."""
    if actor:
        return actor
    env = os.environ.get("NEVINDEX_USER")
    if env:
        return env
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "unknown"


def _now() -> datetime:
    return datetime.now(UTC)


def _log(session: Session, actor: str, action: str, target: str, **details: Any) -> None:
    session.add(Activity(at=_now(), actor=actor, action=action, target=target,
                         details=json.dumps(details, ensure_ascii=False, default=str, sort_keys=True)))


def _pause(point: str) -> None:
    """Stop here for a crash test (see :data:`PAUSE_ENV`); does nothing otherwise."""
    if os.environ.get(PAUSE_ENV) != point:
        return
    marker = os.environ.get("NEVINDEX_TEST_PAUSE_MARKER")
    if marker:
        Path(marker).write_text(str(os.getpid()))
    time.sleep(float(os.environ.get("NEVINDEX_TEST_PAUSE_SECONDS", "60")))


def _edition(session: Session, ref: int | str, *, lock: bool = False) -> Edition:
    """An edition by id or label."""
    query = select(Edition)
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit() and
                                session.scalar(select(Edition.id).where(Edition.label == ref)) is None):
        query = query.where(Edition.id == int(ref))
    else:
        query = query.where(Edition.label == str(ref))
    if lock:
        query = query.with_for_update()
    edition = session.scalar(query)
    if edition is None:
        labels = session.scalars(select(Edition.label).order_by(Edition.id)).all()
        raise NotFoundError(f"no edition '{ref}'" + (f"; editions: {', '.join(labels)}" if labels else
                                                     "; the store has no editions yet"))
    return edition


def _info(edition: Edition) -> EditionInfo:
    m, d = edition.methodology, edition.dataset
    return EditionInfo(
        id=edition.id, label=edition.label, year=edition.year, status=edition.status,
        methodology=f"{m.code} {m.version}", methodology_sha256=m.sha256, dataset=d.label, dataset_sha256=d.sha256,
        recipe_sha256=edition.recipe_sha256, result_sha256=edition.result_sha256,
        corrects=edition.corrects.label if edition.corrects is not None else None,
        correction_reason=edition.correction_reason, created_at=edition.created_at, created_by=edition.created_by,
        built_at=edition.built_at, published_at=edition.published_at, published_by=edition.published_by,
        package_version=edition.package_version,
    )


def _dataset_info(row: DataSet, created: bool = False) -> DataSetInfo:
    structure = json.loads(row.structure)
    return DataSetInfo(row.id, row.label, row.sha256, row.n_observations, len(structure["units"]),
                       len(structure["columns"]), tuple(structure["years"]), created)


# --- methodology and data ----------------------------------------------------------------------


def _methodology_text(source: str | Path | Framework) -> tuple[Framework, str, str | None]:
    """The framework, the YAML text to store (which rebuilds the same framework) and a source name."""
    if isinstance(source, Framework):
        fw, text, name = source, source.to_yaml(), None
    else:
        path = Path(source)
        fw, name = load_framework(path), path.name
        text = path.read_text(encoding="utf-8") if path.suffix.lower() in (".yaml", ".yml") else fw.to_yaml()
    if framework_from_yaml(text, source=name or "<stored>").sha256() != fw.sha256():
        text = fw.to_yaml()  # e.g. a file that includes other files: store the resolved methodology
        if framework_from_yaml(text).sha256() != fw.sha256():
            raise NevIndexError(f"methodology {name or ''} does not survive a YAML round trip; cannot store it")
    return fw, text, name


def import_methodology(store: Store, source: str | Path | Framework, *, actor: str | None = None) -> MethodologyInfo:
    """Store a methodology version (YAML text and content hash); the same content is stored once."""
    fw, text, name = _methodology_text(source)
    sha = fw.sha256()
    who = actor_name(actor)
    with store.transaction() as s:
        row = s.scalar(select(Methodology).where(Methodology.sha256 == sha))
        if row is not None:
            return MethodologyInfo(row.id, row.code, row.version, row.sha256, False)
        row = Methodology(code=fw.framework.code, version=fw.framework.version, sha256=sha, yaml_text=text,
                          source_name=name, created_at=_now(), created_by=who)
        s.add(row)
        s.flush()
        _log(s, who, "methodology.import", f"methodology {row.code} {row.version}", sha256=sha, source=name)
        return MethodologyInfo(row.id, row.code, row.version, sha, True)


def import_data(store: Store, path: str | Path, *, label: str | None = None, units_file: str | Path | None = None,
                framework: str | Path | Framework | None = None, fx_rates: str | Path | None = None,
                actor: str | None = None) -> DataSetInfo:
    """Store a data file: every observation with its source, the file itself as imported, and a hash.

    ``fx_rates`` is a table of sourced annual exchange rates (the NEV data's ``fx_rates.csv``),
    attached as one column per currency for the methodology's currency conversions. One
    transaction: after a crash either the whole data set is stored or none of it. Importing the
    same content again returns the stored data set.
    """
    path = Path(path)
    fw = framework if isinstance(framework, Framework) or framework is None else load_framework(framework)
    ds = load_dataset(path, numeric=numeric_columns(fw) if fw is not None and not fw.derived else None,
                      units_file=units_file)
    if fx_rates is not None:
        from nevindex.nev.data import attach_rate_files

        ds = attach_rate_files(ds, fx_rates)  # and the proxies of an fx_monthly.csv beside it
    return store_dataset(store, ds, label=label or path.stem, source_path=path, units_path=units_file, actor=actor)


def store_dataset(store: Store, ds: Dataset, *, label: str, source_path: str | Path | None = None,
                  units_path: str | Path | None = None, actor: str | None = None) -> DataSetInfo:
    """Store an in-memory Dataset (what :func:`import_data` does after reading the file)."""
    who = actor_name(actor)
    source_bytes = Path(source_path).read_bytes() if source_path is not None else None
    units_bytes = Path(units_path).read_bytes() if units_path is not None else None
    rows = codec.observation_rows(ds)
    sha = codec.dataset_sha256(ds, rows)
    with store.transaction() as s:
        existing = s.scalar(select(DataSet).where(DataSet.sha256 == sha))
        if existing is not None:
            return _dataset_info(existing)
        record = DataSet(label=label, sha256=sha, structure=json.dumps(codec.dataset_structure(ds), ensure_ascii=False),
                         source_name=Path(source_path).name if source_path else ds.source,
                         source_bytes=source_bytes,
                         source_sha256=hashlib.sha256(source_bytes).hexdigest() if source_bytes else None,
                         units_name=Path(units_path).name if units_path else None, units_bytes=units_bytes,
                         n_observations=len(rows), created_at=_now(), created_by=who)
        s.add(record)
        s.flush()
        half = len(rows) // 2
        for chunk, pause in ((rows[:half], True), (rows[half:], False)):
            if chunk:
                s.execute(insert(Observation), [{"dataset_id": record.id, **r} for r in chunk])
            if pause:
                _pause("import")  # half the observations are written: a crash here must lose them all
        _log(s, who, "data.import", f"data set {label}", sha256=sha, observations=len(rows),
             source=record.source_name)
        return _dataset_info(record, created=True)


def _observations(session: Session, dataset_id: int) -> Sequence[Any]:
    """The observations of a data set as light rows (attribute access, no ORM identity overhead)."""
    o = Observation
    return session.execute(select(o.year, o.unit, o.indicator, o.value, o.row, o.source)
                           .where(o.dataset_id == dataset_id).order_by(o.id)).all()


def _load_dataset(session: Session, record: DataSet) -> Dataset:
    ds = codec.dataset_from_rows(json.loads(record.structure), _observations(session, record.id))
    if codec.dataset_sha256(ds, codec.observation_rows(ds)) != record.sha256:
        raise VerificationError(f"data set '{record.label}' (id {record.id}) no longer matches its hash: "
                                "stored observations were changed outside nevindex")
    return ds


def get_dataset(store: Store, ref: int | str) -> Dataset:
    with store.read() as s:
        record = _find_dataset(s, ref)
        return _load_dataset(s, record)


def _find_dataset(session: Session, ref: int | str) -> DataSet:
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


def list_datasets(store: Store) -> list[DataSetInfo]:
    with store.read() as s:
        return [_dataset_info(r) for r in s.scalars(select(DataSet).order_by(DataSet.id))]


# --- editions ----------------------------------------------------------------------------------


def create_edition(store: Store, *, year: int, methodology: str | Path | Framework | int, dataset: int | str,
                   recipe: str | Path | Recipe | Mapping[str, Any] | None = None, label: str | None = None,
                   data_year: int | None = None, corrects: int | str | None = None, reason: str | None = None,
                   suspend_empty: bool = False, actor: str | None = None) -> EditionInfo:
    """A draft edition: which methodology, which data, which method choices (stored in full).

    ``methodology`` is a file or Framework (stored if new) or a stored methodology id. The
    recipe defaults to the methodology's own; its year is fixed now to ``data_year``, else the
    edition year if the data have it, else the data's latest year. ``suspend_empty`` stores and
    uses the methodology without the indicators that have no observation in that year (and the
    aggregates left empty), recorded in its ``framework.meta.edition`` — how the NEV editions are built.
    """
    who = actor_name(actor)
    if suspend_empty:
        methodology = _edition_methodology(store, methodology, dataset, year, data_year)
    if isinstance(methodology, int):
        meth_id = methodology
    else:
        meth_id = import_methodology(store, methodology, actor=who).id
    if corrects is not None and not (reason and reason.strip()):
        raise NevIndexError("a correction needs a reason (--reason): say what was wrong")
    with store.transaction() as s:
        meth = s.get(Methodology, meth_id)
        if meth is None:
            raise NotFoundError(f"no methodology with id {meth_id}")
        fw = framework_from_yaml(meth.yaml_text, source=meth.source_name or "<stored>")
        data = _find_dataset(s, dataset)
        structure = json.loads(data.structure)
        if isinstance(recipe, Recipe):
            rc = recipe
        elif isinstance(recipe, Mapping):
            rc = recipe_from_mapping(recipe)
        elif recipe is not None:
            rc = load_recipe(recipe)
        else:
            rc = fw.recipe
        years = [int(y) for y in structure["years"]]
        chosen = data_year if data_year is not None else (rc.year if rc.year is not None else
                                                          (year if year in years else years[-1]))
        if chosen not in years:
            raise RecipeError(f"data year {chosen} is not in data set '{data.label}' (years: "
                              f"{', '.join(map(str, years))})", column="year")
        rc = rc.with_setting("year", chosen)
        previous = None
        if corrects is not None:
            previous = _edition(s, corrects)
            if previous.status != PUBLISHED:
                raise NevIndexError(f"edition '{previous.label}' is a draft: rebuild it instead of correcting it")
        if label is None:
            label = str(year) if previous is None else _next_correction_label(s, previous.label)
        if s.scalar(select(Edition.id).where(Edition.label == label)) is not None:
            raise NevIndexError(f"an edition labelled '{label}' already exists; choose another --label")
        recipe_json = json.dumps(rc.model_dump(mode="json"), sort_keys=True)
        edition = Edition(label=label, year=year, methodology_id=meth.id, dataset_id=data.id, recipe=recipe_json,
                          recipe_sha256=rc.sha256(), status=DRAFT, corrects_id=previous.id if previous else None,
                          correction_reason=reason.strip() if previous is not None and reason else None,
                          created_at=_now(), created_by=who)
        s.add(edition)
        s.flush()
        _log(s, who, "edition.create", f"edition {label}", year=year, methodology=f"{meth.code} {meth.version}",
             dataset=data.label, data_year=chosen, corrects=previous.label if previous else None, reason=reason)
        return _info(edition)


def _edition_methodology(store: Store, methodology: str | Path | Framework | int, dataset: int | str, year: int,
                         data_year: int | None) -> Framework:
    """The methodology without indicators that have no value in the edition's data year."""
    from nevindex.nev.edition import edition_framework

    if isinstance(methodology, int):
        with store.read() as s:
            meth = s.get(Methodology, methodology)
            if meth is None:
                raise NotFoundError(f"no methodology with id {methodology}")
            fw = framework_from_yaml(meth.yaml_text, source=meth.source_name or "<stored>")
    else:
        fw = methodology if isinstance(methodology, Framework) else load_framework(methodology)
    raw = get_dataset(store, dataset)
    chosen = data_year if data_year is not None else (year if year in raw.years else raw.years[-1])
    derived = load_inputs(fw, raw).dataset
    reduced, _ = edition_framework(fw, derived, chosen)
    return reduced


def _next_correction_label(session: Session, base: str) -> str:
    root = base.split("-r")[0]
    n = 1
    while session.scalar(select(Edition.id).where(Edition.label == f"{root}-r{n}")) is not None:
        n += 1
    return f"{root}-r{n}"


def _inputs(session: Session, edition: Edition, raw: Dataset | None = None) -> Inputs:
    """The edition's inputs as built (derivations applied), each checked against its stored hash."""
    fw = framework_from_yaml(edition.methodology.yaml_text, source=edition.methodology.source_name or "<stored>")
    if fw.sha256() != edition.methodology.sha256:
        raise VerificationError(f"methodology of edition '{edition.label}' no longer matches its hash")
    ds = raw if raw is not None else _load_dataset(session, edition.dataset)
    rc = recipe_from_mapping(json.loads(edition.recipe))
    if rc.sha256() != edition.recipe_sha256:
        raise VerificationError(f"recipe of edition '{edition.label}' no longer matches its hash")
    return load_inputs(fw, ds, rc)


def edition_inputs(store: Store, ref: int | str) -> Inputs:
    """The stored methodology, data and recipe of an edition (checked against their hashes)."""
    with store.read() as s:
        return _inputs(s, _edition(s, ref))


def rebuild(store: Store, ref: int | str) -> Result:
    """The edition's Result, recomputed from its stored inputs (what verify and compare use)."""
    inputs = edition_inputs(store, ref)
    return build(inputs.framework, inputs.dataset, inputs.recipe)


def build_edition(store: Store, ref: int | str, *, actor: str | None = None) -> EditionInfo:
    """Build a draft edition from its stored inputs and store every result (one transaction)."""
    who = actor_name(actor)
    with store.read() as s:
        edition = _edition(s, ref)
        if edition.status == PUBLISHED:
            raise ImmutableError(f"edition '{edition.label}' is published; its results cannot be rebuilt "
                                 "(use `nevindex edition verify` to check them)")
        inputs = _inputs(s, edition)
        edition_id, recipe_sha = edition.id, edition.recipe_sha256
    result = build(inputs.framework, inputs.dataset, inputs.recipe)
    unit_rows, ind_rows = codec.result_rows(result)
    digest = codec.rows_sha256(unit_rows, ind_rows)
    with store.transaction() as s:
        edition = _edition(s, edition_id, lock=True)
        if edition.status == PUBLISHED:
            raise ImmutableError(f"edition '{edition.label}' was published meanwhile; not rebuilt")
        if edition.recipe_sha256 != recipe_sha:  # pragma: no cover - recipes are never updated
            raise NevIndexError("the edition changed during the build; build again")
        s.execute(delete(UnitResult).where(UnitResult.edition_id == edition_id))
        s.execute(delete(IndicatorResult).where(IndicatorResult.edition_id == edition_id))
        s.execute(delete(AuditOutput).where(AuditOutput.edition_id == edition_id))  # audit was of the old build
        s.execute(insert(UnitResult), [{"edition_id": edition_id, **r} for r in unit_rows])
        s.execute(insert(IndicatorResult), [{"edition_id": edition_id, **r} for r in ind_rows])
        _pause("build")
        edition.result_sha256 = digest
        edition.data_sha256 = result.hashes["data"]
        edition.package_version = __version__
        edition.built_at = _now()
        _log(s, who, "edition.build", f"edition {edition.label}", result_sha256=digest, units=len(result.units),
             year=result.year)
        s.flush()
        return _info(edition)


def publish(store: Store, ref: int | str, *, actor: str | None = None) -> EditionInfo:
    """Freeze a built draft edition for ever (one transaction; a second publish is refused)."""
    who = actor_name(actor)
    with store.transaction() as s:
        edition = _edition(s, ref, lock=True)
        if edition.status == PUBLISHED:
            raise ImmutableError(f"edition '{edition.label}' was already published on "
                                 f"{edition.published_at:%Y-%m-%d %H:%M} by {edition.published_by}; "
                                 "to change it, create a correction (`nevindex edition create --corrects "
                                 f"{edition.label} --reason ...`)")
        if edition.result_sha256 is None:
            raise NevIndexError(f"edition '{edition.label}' has not been built; run `nevindex edition build "
                                f"{edition.label}` first")
        stored = codec.rows_sha256(*_stored_rows(s, edition.id))
        if stored != edition.result_sha256:
            raise VerificationError(f"stored results of edition '{edition.label}' do not match their hash; "
                                    "rebuild before publishing")
        when = _now()
        done = s.execute(update(Edition).where(Edition.id == edition.id, Edition.status == DRAFT)
                         .values(status=PUBLISHED, published_at=when, published_by=who))
        if done.rowcount != 1:  # pragma: no cover - guarded by the row lock / SQLite's write lock
            raise ImmutableError(f"edition '{edition.label}' was published by someone else meanwhile")
        _pause("publish")
        _log(s, who, "edition.publish", f"edition {edition.label}", result_sha256=edition.result_sha256,
             corrects=edition.corrects.label if edition.corrects is not None else None)
        s.flush()
        s.refresh(edition)
        return _info(edition)


def list_editions(store: Store) -> list[EditionInfo]:
    with store.read() as s:
        return [_info(e) for e in s.scalars(select(Edition).order_by(Edition.year, Edition.id))]


def get_edition(store: Store, ref: int | str) -> EditionInfo:
    with store.read() as s:
        return _info(_edition(s, ref))


def latest_published(store: Store, year: int | None = None) -> EditionInfo | None:
    """The newest published edition (of ``year``): a correction supersedes what it corrects."""
    with store.read() as s:
        query = select(Edition).where(Edition.status == PUBLISHED)
        if year is not None:
            query = query.where(Edition.year == year)
        row = s.scalars(query.order_by(Edition.year.desc(), Edition.published_at.desc(), Edition.id.desc())).first()
        return _info(row) if row is not None else None


# --- reading results ---------------------------------------------------------------------------


def _stored_rows(session: Session, edition_id: int) -> tuple[Sequence[Any], Sequence[Any]]:
    """The stored result rows of an edition (light rows with the codec's fields)."""
    u, i = UnitResult, IndicatorResult
    units = session.execute(select(*(getattr(u, f) for f in codec.UNIT_FIELDS))
                            .where(u.edition_id == edition_id).order_by(u.id)).all()
    inds = session.execute(select(*(getattr(i, f) for f in codec.INDICATOR_FIELDS))
                           .where(i.edition_id == edition_id).order_by(i.id)).all()
    return units, inds


def edition_tables(store: Store, ref: int | str) -> dict[str, pd.DataFrame]:
    """Stored results as frames: ``scores`` (unit × aggregate) and ``indicators`` (unit × indicator)."""
    with store.read() as s:
        edition = _edition(s, ref)
        units, inds = _stored_rows(s, edition.id)
    return {"scores": codec.rows_frame(units, codec.UNIT_FIELDS),
            "indicators": codec.rows_frame(inds, codec.INDICATOR_FIELDS)}


def verify(store: Store, ref: int | str) -> VerifyReport:
    """Rebuild a built edition from its stored inputs and compare with the stored results, bit for bit.

    Raises :class:`VerificationError` naming the first difference when a stored number, input or
    hash does not match.
    """
    with store.read() as s:
        edition = _edition(s, ref)
        if edition.result_sha256 is None:
            raise NevIndexError(f"edition '{edition.label}' has not been built; nothing to verify")
        label, expected, version = edition.label, edition.result_sha256, edition.package_version
        stored_units, stored_inds = _stored_rows(s, edition.id)
        inputs = _inputs(s, edition)
    stored_digest = codec.rows_sha256(stored_units, stored_inds)
    result = build(inputs.framework, inputs.dataset, inputs.recipe)
    unit_rows, ind_rows = codec.result_rows(result)
    rebuilt_digest = codec.rows_sha256(unit_rows, ind_rows)
    if stored_digest != expected or rebuilt_digest != expected:
        where = _first_difference(stored_units, stored_inds, unit_rows, ind_rows)
        what = ("the stored results were changed after the build" if stored_digest != expected
                else "the rebuild from stored inputs gives different numbers")
        raise VerificationError(f"edition '{label}' FAILED verification: {what}"
                                + (f"; first difference: {where}" if where else "")
                                + f" (expected result {expected[:12]}, stored {stored_digest[:12]}, "
                                  f"rebuilt {rebuilt_digest[:12]})")
    notes = []
    if version and version != __version__:
        notes.append(f"built with nevindex {version}, verified with {__version__}")
    return VerifyReport(label, expected, len(unit_rows) + len(ind_rows), tuple(notes))


def _first_difference(stored_units: Sequence[Any], stored_inds: Sequence[Any], unit_rows: Sequence[Mapping[str, Any]],
                      ind_rows: Sequence[Mapping[str, Any]]) -> str | None:
    for fields, stored, fresh, key in ((codec.UNIT_FIELDS, stored_units, unit_rows, "node"),
                                       (codec.INDICATOR_FIELDS, stored_inds, ind_rows, "indicator")):
        by_key = {(r.unit, getattr(r, key)): r for r in stored}
        for row in fresh:
            old = by_key.get((row["unit"], row[key]))
            if old is None:
                return f"unit '{row['unit']}' {key} '{row[key]}' is missing from the store"
            for f in fields:
                a, b = codec._get(old, f), codec._get(row, f)
                if codec._canon(a) != codec._canon(b):
                    return f"unit '{row['unit']}' {key} '{row[key]}' {f}: stored {a!r}, rebuilt {b!r}"
        if len(by_key) != len(fresh):
            return f"the store has {len(by_key)} {key} rows, the rebuild {len(fresh)}"
    return None


# --- audit -------------------------------------------------------------------------------------


def store_audit(store: Store, ref: int | str, tables: Mapping[str, pd.DataFrame], *,
                actor: str | None = None) -> list[str]:
    """Store the audit's tables with a built draft edition (replacing tables of the same name)."""
    who = actor_name(actor)
    with store.transaction() as s:
        edition = _edition(s, ref, lock=True)
        if edition.status == PUBLISHED:
            raise ImmutableError(f"edition '{edition.label}' is published; its audit cannot change")
        if edition.result_sha256 is None:
            raise NevIndexError(f"edition '{edition.label}' has not been built; build before auditing")
        names = []
        for name, frame in tables.items():
            content = frame.to_json(orient="split", index=False, double_precision=15, date_format="iso")
            s.execute(delete(AuditOutput).where(AuditOutput.edition_id == edition.id, AuditOutput.name == name))
            s.add(AuditOutput(edition_id=edition.id, name=name, content=content,
                              sha256=hashlib.sha256(content.encode()).hexdigest(), created_at=_now(), created_by=who))
            names.append(name)
        _log(s, who, "edition.audit", f"edition {edition.label}", tables=names)
        return names


#: Audit tables larger than this (cells) are not stored (the per-run score/rank matrices of big designs).
AUDIT_MAX_CELLS = 2_000_000


def audit_edition(store: Store, ref: int | str, spec: Any = None, *, actor: str | None = None,
                  max_cells: int = AUDIT_MAX_CELLS) -> tuple[Any, list[str]]:
    """Run the statistical audit (nevindex.audit) on a built draft's stored inputs and store its tables.

    The audit's nominal build must equal the stored results (else it would describe other numbers).
    Returns the AuditResult and the names of the stored tables.
    """
    from nevindex.audit.run import run_audit

    with store.read() as s:
        edition = _edition(s, ref)
        if edition.status == PUBLISHED:
            raise ImmutableError(f"edition '{edition.label}' is published; its audit cannot change")
        if edition.result_sha256 is None:
            raise NevIndexError(f"edition '{edition.label}' has not been built; build before auditing")
        inputs, expected, label = _inputs(s, edition), edition.result_sha256, edition.label
    outcome = run_audit(inputs.framework, inputs.dataset, inputs.recipe, spec)
    if codec.rows_sha256(*codec.result_rows(outcome.result)) != expected:
        raise VerificationError(f"the audit's nominal build of edition '{label}' differs from its stored results; "
                                "rebuild the edition first")
    tables = {n: t for n, t in outcome.tables().items() if t.size <= max_cells}
    store_audit(store, ref, tables, actor=actor)
    return outcome, sorted(tables)


def audit_tables(store: Store, ref: int | str) -> dict[str, pd.DataFrame]:
    from io import StringIO

    with store.read() as s:
        edition = _edition(s, ref)
        rows = s.scalars(select(AuditOutput).where(AuditOutput.edition_id == edition.id)
                         .order_by(AuditOutput.name)).all()
        return {r.name: pd.read_json(StringIO(r.content), orient="split") for r in rows}


# --- activity ----------------------------------------------------------------------------------


def activity(store: Store, limit: int | None = None) -> pd.DataFrame:
    """The activity log, newest first."""
    with store.read() as s:
        query = select(Activity).order_by(Activity.id.desc())
        if limit:
            query = query.limit(limit)
        rows = s.scalars(query).all()
    return pd.DataFrame([{"at": r.at, "actor": r.actor, "action": r.action, "target": r.target,
                          "details": r.details} for r in rows], columns=["at", "actor", "action", "target", "details"])


def counts(store: Store) -> dict[str, int]:
    """Rows per table (for status displays and tests of atomicity)."""
    models = {"methodologies": Methodology, "datasets": DataSet, "observations": Observation, "editions": Edition,
              "unit_results": UnitResult, "indicator_results": IndicatorResult, "audit_outputs": AuditOutput,
              "activity_log": Activity}
    with store.read() as s:
        return {name: int(s.scalar(select(func.count()).select_from(m)) or 0) for name, m in models.items()}


# --- export ------------------------------------------------------------------------------------


def export_edition(store: Store, ref: int | str, out: str | Path, *, allow_draft: bool = False) -> list[str]:
    """Write a published edition as open data (long CSV, XLSX, JSON, observations, methodology, recipe)."""
    from nevindex.store import opendata

    with store.read() as s:
        edition = _edition(s, ref)
        if edition.status != PUBLISHED and not allow_draft:
            raise NevIndexError(f"edition '{edition.label}' is a draft; publish it first (or export with --draft)")
        if edition.result_sha256 is None:
            raise NevIndexError(f"edition '{edition.label}' has not been built; nothing to export")
        info = _info(edition)
        meth, data = edition.methodology, edition.dataset
        fw = framework_from_yaml(meth.yaml_text, source=meth.source_name or "<stored>")
        structure = json.loads(data.structure)
        recipe_json = edition.recipe
        year = int(json.loads(recipe_json)["year"])
        units, inds = _stored_rows(s, edition.id)
        obs = _observations(s, data.id)
        fallback = data.source_name or data.label
        # Sources of the values as built: observations as imported plus any derived by the methodology.
        built = _inputs(s, edition).dataset
        sources, notes = opendata.sources_of(built.provenance, year, fallback)
        observed = {(o.unit, o.indicator) for o in obs if o.year == year}
        observations = pd.DataFrame([{"year": o.year, "unit": o.unit, "indicator": o.indicator, "value": o.value,
                                      "row": o.row, "source": opendata.source_text(o.source, fallback)} for o in obs],
                                    columns=["year", "unit", "indicator", "value", "row", "source"])
        corrects = edition.corrects.label if edition.corrects is not None else None
    names = dict(zip(structure["units"], structure["names"], strict=True))
    scores = codec.rows_frame(units, codec.UNIT_FIELDS)
    long = opendata.long_table(info.label, year, fw, names, scores, codec.rows_frame(inds, codec.INDICATOR_FIELDS),
                               sources, observed, fallback, notes)
    wide = scores.pivot(index="unit", columns="node", values="score")[list(fw.display_order)]
    ranks = scores.pivot(index="unit", columns="node", values="rank")[list(fw.display_order)]
    wide = wide.join(ranks.add_suffix("_rank")).reset_index()
    wide.insert(1, "unit_name", [names.get(u, u) for u in wide["unit"]])
    wide = wide.sort_values([f"{fw.root}_rank", "unit"], na_position="last").reset_index(drop=True)
    meta = {"edition": {"label": info.label, "year": info.year, "status": info.status,
                        "published_at": info.published_at.isoformat() if info.published_at else None,
                        "corrects": corrects, "correction_reason": info.correction_reason},
            "data_year": year,
            "methodology": {"code": fw.framework.code, "version": fw.framework.version,
                            "sha256": info.methodology_sha256},
            "dataset": {"label": info.dataset, "sha256": info.dataset_sha256},
            "recipe_sha256": info.recipe_sha256, "result_sha256": info.result_sha256,
            "package_version": info.package_version,
            "licence_note": "open data; cite the edition label and result_sha256"}
    return opendata.write_open_data(out, long, wide, meta, meth.yaml_text, recipe_json,
                                    observations)


# --- what changed ------------------------------------------------------------------------------

# Column names of the 5th and 95th percentile rank in an audit table (nevindex.audit: q05_rank, q95_rank).
_LOW = ("q05_rank", "p05_rank", "rank_q05", "rank_p05", "q05", "p05", "rank_low", "rank_lower")
_HIGH = ("q95_rank", "p95_rank", "rank_q95", "rank_p95", "q95", "p95", "rank_high", "rank_upper")


def rank_intervals(tables: Mapping[str, pd.DataFrame]) -> dict[str, tuple[float, float]] | None:
    """Per-unit rank intervals (5th, 95th percentile) from an edition's audit tables, if any."""
    for name in sorted(tables, key=lambda n: (0 if "uncert" in n.lower() else 1, n)):
        frame = tables[name]
        cols = {str(c).lower(): c for c in frame.columns}
        unit = next((cols[c] for c in ("unit", "ucode", "code") if c in cols), None)
        low = next((cols[c] for c in _LOW if c in cols), None)
        high = next((cols[c] for c in _HIGH if c in cols), None)
        if unit is not None and low is not None and high is not None:
            return {str(u): (float(lo), float(hi)) for u, lo, hi in zip(frame[unit], frame[low], frame[high],
                                                                       strict=True)}
    return None


def compare(store: Store, old_ref: int | str, new_ref: int | str, *, split: bool = True):  # type: ignore[no-untyped-def]
    """What changed between two built editions and why (see :mod:`nevindex.insight.change`).

    Both are rebuilt from their stored inputs (and checked against their stored result hash); the
    old data are rebuilt under the new methodology to split data from methodology; rank intervals
    come from each edition's stored audit when it has them.
    """
    from nevindex.insight.change import decompose, old_under_new

    results = []
    notes: list[str] = []
    for ref in (old_ref, new_ref):
        with store.read() as s:
            edition = _edition(s, ref)
            if edition.result_sha256 is None:
                raise NevIndexError(f"edition '{edition.label}' has not been built")
            raw = _load_dataset(s, edition.dataset)
            inputs = _inputs(s, edition, raw)
            expected, label = edition.result_sha256, edition.label
        result = build(inputs.framework, inputs.dataset, inputs.recipe)
        if codec.rows_sha256(*codec.result_rows(result)) != expected:
            notes.append(f"edition '{label}' does not rebuild to its stored results; run verify")
        results.append((result, raw))
    (old, old_raw), (new, _) = results
    middle = None
    if split:
        try:
            middle = old_under_new(old, new, dataset=old_raw)
        except NevIndexError as exc:
            notes.append(f"the old data cannot be built under the new methodology ({exc}); "
                         "no data/methodology split")
    change = decompose(old, new, middle, old_interval=rank_intervals(audit_tables(store, old_ref)),
                       new_interval=rank_intervals(audit_tables(store, new_ref)))
    if notes:
        from dataclasses import replace

        change = replace(change, notes=(*change.notes, *notes))
    return change
