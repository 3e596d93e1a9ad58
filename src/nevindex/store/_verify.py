"""verify: everything a published number depends on, checked against the store's own records.

One check per thing a number depends on: the methodology text, the data set's observations and its
stored source and units files, the recipe, the hash-chained activity log, the edition's status
history (what the log says was published, and with which hashes), its signed receipt, and finally
the results, rebuilt from the inputs and compared bit for bit. Every failing check is reported, not
only the first. :func:`verify_receipt` checks a store against a receipt file someone kept.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nevindex import __version__, signing
from nevindex.build import build
from nevindex.errors import NevIndexError, NotFoundError
from nevindex.store import codec, logchain, receipts, schemes
from nevindex.store._records import VerificationError, VerifyReport
from nevindex.store._session import actor_name, find_edition, log, now, require
from nevindex.store._stored import inputs_of, stored_rows
from nevindex.store.db import Store
from nevindex.store.models import PUBLISHED, Activity, Edition

__all__ = ["edition_receipt", "stored_receipt", "verify", "verify_receipt"]


def verify(store: Store, ref: int | str, *, key: str | None = None) -> VerifyReport:
    """Check a built edition against every record the store keeps of it; raise VerificationError naming
    each failed check. ``key``: the fingerprint or public key its receipt must be signed with (default:
    this machine's signing key if it has one)."""
    problems: list[str] = []
    checks: list[str] = []
    notes: list[str] = []
    with store.read() as s:
        edition = require(find_edition(s, ref), built="nothing to verify")
        label, expected, version = edition.label, edition.result_sha256, edition.package_version
        chain = logchain.walk(s.scalars(select(Activity).order_by(Activity.id)))
        if chain.intact:
            checks.append(f"activity log: {chain.entries} entries, hash chain intact (head {chain.head_sha256[:12]})")
        else:
            problems.append(f"the activity log's hash chain is broken: {chain.problem}")
        inputs = _inputs(s, edition, problems, checks, notes)
        _status_history(s, edition, problems, checks, notes)
        signer = _receipt(s, edition, chain, key, problems, checks, notes)
        stored_units, stored_inds = stored_rows(s, edition.id)
        built_data = edition.data_sha256
    engine_changed = bool(version) and version != __version__
    rows = _results(inputs, stored_units, stored_inds, expected, built_data, version if engine_changed else None,
                    problems, checks, notes)
    if problems:
        raise VerificationError(f"edition '{label}' FAILED verification: " + "; ".join(problems))
    if engine_changed:
        notes.append(f"built with nevindex {version}, verified with {__version__}")
    return VerifyReport(label, expected, rows, tuple(notes), tuple(checks), signer)


def _results(inputs: Any, stored_units: Sequence[Any], stored_inds: Sequence[Any], expected: str,
             built_data: str | None, other_engine: str | None, problems: list[str], checks: list[str],
             notes: list[str]) -> int:
    """Check the stored rows against ``result_sha256`` and the rebuild from the (checked) inputs.

    Changed stored rows are tampering. A rebuild that differs from intact stored rows is tampering
    when the same release built them (it must reproduce them bit for bit), unless only floats differ,
    by less than :data:`nevindex.store.codec.ROUNDING` of their scale, from the same data as built: then
    it is another machine's floating point (a note). An engine change when ``other_engine`` (the release
    that built them) is another: a note, the published numbers stand."""
    stored_digest = codec.rows_sha256(stored_units, stored_inds)
    rows = len(stored_units) + len(stored_inds)
    if inputs is None:
        if stored_digest != expected:
            problems.append(f"the stored results were changed after the build (expected result {expected[:12]}, "
                            f"stored {stored_digest[:12]})")
        else:
            checks.append(f"results: {rows:,} stored rows match {expected[:12]} (not rebuilt)")
        return rows
    result = build(inputs.framework, inputs.dataset, inputs.recipe, year=inputs.year)
    unit_rows, ind_rows = codec.result_rows(result)
    rebuilt = codec.rows_sha256(unit_rows, ind_rows)
    rows = len(unit_rows) + len(ind_rows)
    differs = None
    if stored_digest != expected or rebuilt != expected:
        where = _first_difference(stored_units, stored_inds, unit_rows, ind_rows)
        detail = (f"; first difference: {where}" if where else "") + \
            f" (expected result {expected[:12]}, stored {stored_digest[:12]}, rebuilt {rebuilt[:12]})"
        if stored_digest != expected:
            problems.append("the stored results were changed after the build" + detail)
            return rows
        differs = "the rebuild from stored inputs gives different numbers" + detail
    elif built_data is not None and result.hashes["data"] != built_data:
        differs = f"the data as built hash {result.hashes['data'][:12]} is not the stored {built_data[:12]}"
    # only result numbers may differ by rounding: the data as built (derivations included) must still be
    # the stored data, hash for hash
    same_data = built_data is None or result.hashes["data"] == built_data
    rounding = (codec.rounding_only(stored_units, stored_inds, unit_rows, ind_rows)
                if differs and rebuilt != expected and same_data else None)
    if differs is None:
        checks.append(f"results: {rows:,} stored rows equal the rebuild from stored inputs, bit for bit "
                      f"(result {expected[:12]})")
    elif rounding is not None and other_engine is None:  # same release, another machine's floating point
        size, where = rounding
        checks.append(f"results: {rows:,} stored rows match {expected[:12]} (the stored numbers are intact) and "
                      f"equal the rebuild from stored inputs to within rounding")
        notes.append(f"rounding: the rebuild on this machine differs from the stored numbers only in the last "
                     f"bits (largest difference {size:.1e}, at {where}; below {codec.ROUNDING:.0e} of every value, far "
                     "below the published digits): this CPU's or maths library's floating point, not a changed "
                     "number. See docs/editions.md, 'The same bits on every machine'")
    elif other_engine is not None:  # the same stored bytes, another engine: not tampering
        checks.append(f"results: {rows:,} stored rows match {expected[:12]} (the stored numbers are intact)")
        notes.append(f"engine changed: built with nevindex {other_engine}, rebuilt with nevindex {__version__}: "
                     f"{differs}. The stored inputs and results are intact; the published numbers are those of "
                     f"nevindex {other_engine}")
    else:  # the release that built it cannot rebuild it: something it depends on changed
        problems.append(differs)
    return rows


def _inputs(session: Session, edition: Edition, problems: list[str], checks: list[str],  # type: ignore[no-untyped-def]
            notes: list[str]):
    """The edition's inputs, each checked against its hash (None if one fails, or if this release
    cannot read what an earlier one stored: a note then, when the stored bytes are intact)."""
    data = edition.dataset
    for what, content, digest in (("source file", data.source_bytes, data.source_sha256),
                                  ("units file", data.units_bytes, data.units_sha256)):
        if content is None and digest is None:
            continue
        actual = hashlib.sha256(content).hexdigest() if content is not None else None
        if actual != digest:
            problems.append(f"the stored {what} of data set '{data.label}' does not match its hash "
                            f"{(digest or 'none')[:12]}: it was changed outside nevindex")
        else:
            checks.append(f"{what} of data set '{data.label}': {len(content or b''):,} bytes match {digest[:12]}")
    found: list[str] = []
    try:
        inputs = inputs_of(session, edition, found=found)
    except VerificationError as exc:
        problems.append(str(exc))
        return None
    except NevIndexError as exc:  # this release reads the stored text differently (a setting it dropped)
        meth = edition.methodology
        if schemes.methodology_scheme(meth.yaml_text, meth.sha256) != schemes.CONTENT or \
                schemes.recipe_scheme(json.loads(edition.recipe), edition.recipe_sha256) is None:
            problems.append(f"the inputs of edition '{edition.label}' cannot be checked: this nevindex "
                            f"({__version__}) cannot read them ({exc})")
        else:
            notes.append(f"engine changed: nevindex {__version__} cannot read the inputs stored by nevindex "
                         f"{edition.package_version} ({exc}); their stored bytes are intact, the results were "
                         "not rebuilt")
        return None
    meth = edition.methodology
    checks.append(f"methodology {meth.code} {meth.version}: text matches {meth.sha256[:12]} ({found[0]})")
    checks.append(f"data set '{data.label}': {data.n_observations:,} observations and their sources match "
                  f"{data.sha256[:12]}")
    checks.append(f"recipe: matches {edition.recipe_sha256[:12]} ({found[1]})")
    return inputs


def _status_history(session: Session, edition: Edition, problems: list[str], checks: list[str],
                    notes: list[str]) -> None:
    """The edition's status must be what its log entries say, with the hashes they recorded."""
    entries = session.scalars(select(Activity).where(Activity.action == "edition.publish",
                                                     Activity.target == f"edition {edition.label}")
                              .order_by(Activity.id)).all()
    if edition.status != PUBLISHED:
        if entries:
            problems.append(f"the edition is a draft, but the log records its publication on "
                            f"{entries[0].at:%Y-%m-%d %H:%M} by {entries[0].actor}: it was turned back into a draft "
                            "outside nevindex")
        return
    if not entries:
        problems.append("the edition is published, but the log has no publication of it")
        return
    if len(entries) > 1:
        problems.append(f"the log records {len(entries)} publications of the edition "
                        f"({', '.join(f'{e.at:%Y-%m-%d %H:%M} by {e.actor}' for e in entries)}): it was re-published "
                        "after being turned back into a draft outside nevindex")
    first = entries[0]
    recorded = json.loads(first.details)
    current = receipts.current_hashes(edition)
    changed = [k for k in receipts.HASHES if k in recorded and recorded[k] != current[k]]
    if changed:
        problems.append("since its publication, " + ", ".join(
            f"{k} changed from {str(recorded[k])[:12]} to {str(current[k])[:12]}" for k in changed))
    elif first.actor != edition.published_by:
        problems.append(f"the edition says it was published by {edition.published_by}, the log says by {first.actor}")
    else:
        checks.append(f"status history: published once, on {first.at:%Y-%m-%d %H:%M} by {first.actor}, with the "
                      f"hashes it has now ({len([k for k in receipts.HASHES if k in recorded])} compared)")


def _receipt(session: Session, edition: Edition, chain: logchain.ChainState, key: str | None,
             problems: list[str], checks: list[str], notes: list[str]) -> str | None:
    document = receipts.stored(session, edition.id)
    if edition.status != PUBLISHED:
        if document is not None:
            problems.append("a draft edition has a receipt: it was published, then turned back into a draft")
        return None
    if document is None:
        entry = session.scalars(select(Activity.details).where(Activity.action == "edition.publish",
                                                               Activity.target == f"edition {edition.label}")).first()
        if entry is not None and "dataset_sha256" in json.loads(entry):
            problems.append("the edition's receipt, written at publication, was removed")
        else:
            notes.append(f"no receipt: '{edition.label}' was published before receipts existed; "
                         f"`nevindex edition receipt {edition.label}` signs one now")
        return None
    trusted, source = receipts.trusted_key(key)
    try:
        signer = receipts.check(document, trusted)
    except VerificationError as exc:
        problems.append(str(exc))
        return None
    problems.extend(compare(receipts.body_of(document), edition, chain))
    checks.append(f"receipt: signed by key {signer[:16]}… (trusted key: {source})")
    if trusted is None:
        notes.append(f"the receipt's key {signer[:16]}… was not checked against a trusted key: compare it with the "
                     "publisher's fingerprint or pass --key")
    return signer


def compare(body: Mapping[str, Any], edition: Edition, chain: logchain.ChainState) -> list[str]:
    """How a receipt's body and the store disagree (empty when they agree)."""
    out = []
    signed, now = body.get("hashes", {}), receipts.current_hashes(edition)
    out += [f"{k}: the receipt says {str(signed.get(k))[:12]}, the store has {str(now[k])[:12]}"
            for k in receipts.HASHES if signed.get(k) != now[k]]
    meta = body.get("edition", {})
    if body.get("data_year") != receipts.data_year(edition):
        out.append(f"the receipt signs data year {body.get('data_year')}, the store's recipe says "
                   f"{receipts.data_year(edition)}")
    if (meta.get("label"), meta.get("year")) != (edition.label, edition.year):
        out.append(f"the receipt is of edition {meta.get('label')} ({meta.get('year')}), not {edition.label}")
    published = logchain.timestamp(edition.published_at) if edition.published_at else None
    if (meta.get("published_at"), meta.get("published_by")) != (published, edition.published_by):
        out.append(f"the receipt says published {meta.get('published_at')} by {meta.get('published_by')}, the "
                   f"store says {published} by {edition.published_by}")
    head = body.get("log", {})
    if chain.hashes is not None and chain.hashes.get(head.get("entry")) != head.get("sha256"):
        out.append(f"the activity log no longer holds the receipt's head (entry {head.get('entry')}, "
                   f"{str(head.get('sha256'))[:12]}): the log was rewritten")
    return out


def verify_receipt(store: Store, document: dict[str, Any], *, key: str | None = None) -> VerifyReport:
    """Check the store against a receipt: the receipt's signature (against ``key``, else this machine's
    signing key), then that the store's edition, hashes and log head are those it signed, then
    :func:`verify`."""
    trusted, source = receipts.trusted_key(key)
    signer = receipts.check(document, trusted)
    body = receipts.body_of(document)
    label = body["edition"]["label"]
    with store.read() as s:
        edition = find_edition(s, label)
        chain = logchain.walk(s.scalars(select(Activity).order_by(Activity.id)))
        problems = compare(body, edition, chain)
    if problems:
        raise VerificationError(f"edition '{label}' FAILED verification against the receipt: " + "; ".join(problems))
    report = verify(store, label, key=key)
    notes = list(report.notes)
    if trusted is None:
        notes.append(f"the receipt's key {signer[:16]}… was not checked against a trusted key: compare it with the "
                     "publisher's fingerprint or pass --key")
    checks = (f"receipt file: signed by key {signer[:16]}… (trusted key: {source}); the store holds the edition, "
              "hashes and log head it signed", *report.checks)
    return VerifyReport(report.label, report.result_sha256, report.rows, tuple(dict.fromkeys(notes)), checks, signer)


def stored_receipt(store: Store, ref: int | str) -> dict[str, Any]:
    """The receipt a published edition was given (read only: nothing is signed here, e.g. for the portal)."""
    with store.read() as s:
        edition = require(find_edition(s, ref), published="a draft has no receipt")
        document = receipts.stored(s, edition.id)
    if document is None:
        raise NotFoundError(f"edition '{edition.label}' has no receipt: it was published before receipts existed "
                            f"(`nevindex edition receipt {edition.label}` signs one)")
    return document


def edition_receipt(store: Store, ref: int | str, *, actor: str | None = None) -> dict[str, Any]:
    """The receipt of a published edition. One published before receipts existed gets one now, signed
    after :func:`verify` passes (its log head is the entry that records the signing)."""
    with store.read() as s:
        edition = require(find_edition(s, ref), published="a draft has no receipt; publish it first")
        document = receipts.stored(s, edition.id)
        label = edition.label
    if document is not None:
        return document
    verify(store, label)
    who = actor_name(actor)
    key = signing.load_or_create_key()
    with store.transaction() as s:
        edition = find_edition(s, label, lock=True)
        if receipts.stored(s, edition.id) is not None:  # signed by someone else meanwhile
            return receipts.stored(s, edition.id)  # type: ignore[return-value]
        entry = log(s, who, "edition.receipt", f"edition {label}", **receipts.current_hashes(edition))
        s.flush()
        return receipts.issue(s, edition, entry, key, logchain.timestamp(now()))


def _first_difference(stored_units: Sequence[Any], stored_inds: Sequence[Any], unit_rows: Sequence[Mapping[str, Any]],
                      ind_rows: Sequence[Mapping[str, Any]]) -> str | None:
    for where, a, b in codec.result_differences(stored_units, stored_inds, unit_rows, ind_rows):
        return where if a is None and b is None else f"{where}: stored {a!r}, rebuilt {b!r}"
    return None
