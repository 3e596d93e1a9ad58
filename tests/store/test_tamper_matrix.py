"""Issue 16 item 3, "verify tamper cases N/10": what someone with full SQL rights does to a published
edition once the guards are out of the way (triggers dropped on SQLite, disabled on PostgreSQL), and
whether `verify` (the store's own records) and `verify --receipt` (a receipt the publisher kept) catch
it. Every case is a careful forgery: where a row has a hash next to it, the forger updates the hash too.

The expected outcome of each case is part of the case: a store rewritten throughout (chain recomputed,
receipt deleted) is consistent with itself, so only a receipt kept outside it can catch that one.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import pytest
from sqlalchemy import text

from nevindex import signing
from nevindex.framework import framework_from_yaml
from nevindex.store import codec, logchain
from nevindex.store import editions as ed

pytestmark = pytest.mark.slow  # each case publishes an edition, tampers with it and runs the whole verify


@dataclass(frozen=True)
class Case:
    name: str
    tamper: Callable  # (store, files) -> None, with the guards dropped
    store_verify_fails: bool = True
    receipt_verify_fails: bool = True
    receipt: Callable | None = None  # (document) -> the receipt the check is given (default: the kept one)


def _sql(store, *statements: str, **params) -> None:
    with store.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement), params)


def _rehash_results(store) -> None:
    """What a careful forger does after changing result rows: the edition's result hash follows."""
    with store.engine.connect() as conn:
        units = conn.execute(text(f"SELECT {', '.join(codec.UNIT_FIELDS)} FROM unit_results WHERE edition_id = 1")).all()
        inds = conn.execute(text(f"SELECT {', '.join(codec.INDICATOR_FIELDS)} FROM indicator_results "
                                 "WHERE edition_id = 1")).all()
    _sql(store, "UPDATE editions SET result_sha256 = :h WHERE id = 1", h=codec.rows_sha256(units, inds))


def status_flip(store, files):
    _sql(store, "UPDATE editions SET status = 'draft', published_at = NULL, published_by = NULL WHERE id = 1")


def result_swap(store, files):
    """The ranks and scores of the first and the last brand swapped, the result hash recomputed."""
    _sql(store, "UPDATE unit_results SET unit = 'tmp' WHERE unit = 'acme'",
         "UPDATE unit_results SET unit = 'acme' WHERE unit = 'dyna'",
         "UPDATE unit_results SET unit = 'dyna' WHERE unit = 'tmp'")
    _rehash_results(store)


def data_swap(store, files):
    """The edition re-pointed at a forged data set, with results built from it and every hash of the
    edition row updated (a complete, self-consistent forgery of the store)."""
    forged = ed.import_data(store, files["data_fixed"], units_file=files["units"], actor="tester")
    ed.create_edition(store, year=2023, methodology=files["framework"], dataset=forged.id, label="x", data_year=2024)
    built = ed.build_edition(store, "x")
    with store.engine.connect() as conn:
        data_sha = conn.execute(text("SELECT data_sha256 FROM editions WHERE label = 'x'")).scalar_one()
    _sql(store, "DELETE FROM unit_results WHERE edition_id = 1", "DELETE FROM indicator_results WHERE edition_id = 1",
         f"UPDATE unit_results SET edition_id = 1 WHERE edition_id = {built.id}",
         f"UPDATE indicator_results SET edition_id = 1 WHERE edition_id = {built.id}",
         f"UPDATE editions SET dataset_id = {forged.id}, result_sha256 = :r, data_sha256 = :d WHERE id = 1",
         f"DELETE FROM editions WHERE id = {built.id}", r=built.result_sha256, d=data_sha)


def source_bytes(store, files):
    """The stored source file replaced, its hash updated beside it."""
    forged = b"brand,year,indicator,value\nacme,2024,sales,999\n"
    _sql(store, "UPDATE datasets SET source_bytes = :b, source_sha256 = :h", b=forged,
         h=hashlib.sha256(forged).hexdigest())


def methodology_text(store, files):
    """The methodology's weights changed, its hash recomputed, the results rebuilt to match."""
    changed = files["framework"].read_text().replace("parent: Index, weight: 1}\n  - {code: quality",
                                                     "parent: Index, weight: 5}\n  - {code: quality")
    fw = framework_from_yaml(changed)
    _sql(store, "UPDATE methodologies SET yaml_text = :t, sha256 = :h", t=changed, h=fw.sha256())
    result = ed.rebuild(store, "2024")
    units, inds = codec.result_rows(result)
    _sql(store, "DELETE FROM unit_results", "DELETE FROM indicator_results")
    with store.engine.begin() as conn:
        conn.execute(text("INSERT INTO unit_results (edition_id, unit, node, level, score, rank, rating, coverage, "
                          "flags) VALUES (1, :unit, :node, :level, :score, :rank, :rating, :coverage, :flags)"), units)
        conn.execute(text("INSERT INTO indicator_results (edition_id, unit, indicator, raw, imputed, imputed_flag, "
                          "treated, normalised, rank, flags) VALUES (1, :unit, :indicator, :raw, :imputed, "
                          ":imputed_flag, :treated, :normalised, :rank, :flags)"), inds)
    _rehash_results(store)


def observation_value(store, files):
    """One observation changed, the data set's hash recomputed (what an import of that value gives)."""
    _sql(store, "UPDATE observations SET value = 121 WHERE unit = 'acme' AND indicator = 'sales' AND year = 2024")
    ds = _stored_dataset(store)
    _sql(store, "UPDATE datasets SET sha256 = :h", h=codec.dataset_sha256(ds, codec.observation_rows(ds)))


def _stored_dataset(store):
    with store.engine.connect() as conn:
        structure = json.loads(conn.execute(text("SELECT structure FROM datasets")).scalar_one())
        obs = conn.execute(text("SELECT year, unit, indicator, value, row, source FROM observations ORDER BY id")).all()
    return codec.dataset_from_rows(structure, obs)


def log_rewrite(store, files):
    _sql(store, "UPDATE activity_log SET actor = 'mallory' WHERE action = 'data.import'")


def log_rewrite_rechained(store, files):
    """An entry rewritten and every hash after it recomputed: the chain is consistent again (the stored
    receipt's head is not)."""
    _sql(store, "UPDATE activity_log SET actor = 'mallory' WHERE action = 'data.import'")
    _rechain(store)


def everything_rewritten(store, files):
    """The most a database owner can do: the data re-pointed, the publication entry rewritten to look
    like one from before receipts existed, the stored receipt deleted, the chain recomputed. The store
    is consistent with itself again; only a receipt kept outside it tells."""
    data_swap(store, files)
    with store.engine.connect() as conn:
        result = conn.execute(text("SELECT result_sha256 FROM editions WHERE id = 1")).scalar_one()
    _sql(store, "DELETE FROM receipts", "UPDATE activity_log SET details = :d WHERE action = 'edition.publish'",
         d=json.dumps({"corrects": None, "result_sha256": result}, sort_keys=True))
    _rechain(store)


def _rechain(store) -> None:
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, at, actor, action, target, details FROM activity_log ORDER BY id")).all()
    prev = logchain.GENESIS
    for row in rows:
        at = datetime.fromisoformat(row.at) if isinstance(row.at, str) else row.at  # SQLite gives text
        digest = logchain.entry_sha256(prev, at, row.actor, row.action, row.target, row.details)
        _sql(store, "UPDATE activity_log SET prev_sha256 = :p, sha256 = :h WHERE id = :i", p=prev, h=digest, i=row.id)
        prev = digest


def log_deletion(store, files):
    """The publication's entry deleted (the log's last entry: the chain before it stays whole)."""
    _sql(store, "DELETE FROM activity_log WHERE action = 'edition.publish'")


def stored_receipt_forged(store, files):
    """The stored receipt replaced by one with the forger's numbers, signed with the forger's key."""
    document = ed.edition_receipt(store, "2024")
    body = dict(document["receipt"], hashes={**document["receipt"]["hashes"], "result_sha256": "f" * 64})
    key = signing.load_or_create_key(files["data"].parent / "mallory.pem")
    public = signing.public_key_text(key)
    body["signer"] = {"algorithm": "Ed25519", "public_key": public, "fingerprint": signing.fingerprint(public)}
    forged = {"receipt": body, "signature": signing.sign(body, key)}
    _sql(store, "UPDATE receipts SET document = :d, fingerprint = :f", d=json.dumps(forged),
         f=body["signer"]["fingerprint"])


def _resigned_with_another_key(document):
    """A receipt file whose body a forger changed and signed again with their own key."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    body = json.loads(json.dumps(document["receipt"]))
    body["hashes"]["result_sha256"] = "e" * 64
    public = signing.public_key_text(key)
    body["signer"] = {"algorithm": "Ed25519", "public_key": public, "fingerprint": signing.fingerprint(public)}
    return {"receipt": body, "signature": signing.sign(body, key)}


def _edited_not_resigned(document):
    body = json.loads(json.dumps(document["receipt"]))
    body["edition"]["published_by"] = "someone else"
    return {"receipt": body, "signature": document["signature"]}


def replace_chain(store, files):
    """The issue's forgery replayed with the guards dropped: REPLACE (SQLite) / UPDATE (PostgreSQL) back to
    draft on a forged data set, rebuilt and re-published through the library with the forger's key."""
    forged = ed.import_data(store, files["data_fixed"], units_file=files["units"], actor="mallory")
    statement = ("INSERT OR REPLACE INTO editions SELECT id,label,year,methodology_id," + str(forged.id) +
                 ",recipe,recipe_sha256,'draft',corrects_id,correction_reason,result_sha256,data_sha256,"
                 "package_version,created_at,created_by,built_at,NULL,NULL FROM editions WHERE label='2024'"
                 if store.engine.dialect.name == "sqlite" else
                 f"UPDATE editions SET status = 'draft', dataset_id = {forged.id}, published_at = NULL, "
                 "published_by = NULL WHERE label = '2024'")
    _sql(store, statement, "DELETE FROM receipts")
    saved = os.environ["NEVINDEX_SIGNING_KEY"]
    os.environ["NEVINDEX_SIGNING_KEY"] = str(files["data"].parent / "mallory.pem")
    try:
        ed.build_edition(store, "2024", actor="mallory")
        ed.publish(store, "2024", actor="mallory")
    finally:
        os.environ["NEVINDEX_SIGNING_KEY"] = saved


CASES = [
    Case("status flip", status_flip),
    Case("result swap", result_swap),
    Case("data swap", data_swap),
    Case("source bytes", source_bytes),
    Case("methodology text", methodology_text),
    Case("observation value", observation_value),
    Case("log rewrite", log_rewrite),
    Case("log rewrite, chain recomputed", log_rewrite_rechained),
    Case("everything rewritten, receipt deleted, chain recomputed", everything_rewritten, store_verify_fails=False),
    Case("log deletion", log_deletion),
    Case("stored receipt forged", stored_receipt_forged),
    Case("receipt file re-signed with another key", lambda store, files: None, store_verify_fails=False,
         receipt=_resigned_with_another_key),
    Case("receipt file edited", lambda store, files: None, store_verify_fails=False, receipt=_edited_not_resigned),
    Case("dropped triggers, REPLACE chain replayed", replace_chain),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_tamper_case(case, published_edition, store, files, drop_guards):
    published_edition(store, files)
    kept = ed.edition_receipt(store, "2024")  # what the publisher keeps (and ships with the open data)
    ed.verify(store, "2024")
    ed.verify_receipt(store, kept)
    drop_guards(store)
    case.tamper(store, files)
    given = case.receipt(kept) if case.receipt else kept
    if case.store_verify_fails:
        with pytest.raises(ed.VerificationError, match="FAILED|refused"):
            ed.verify(store, "2024")
    else:
        ed.verify(store, "2024")
    if case.receipt_verify_fails:
        with pytest.raises(ed.VerificationError, match="FAILED|refused"):
            ed.verify_receipt(store, given)
    else:  # pragma: no cover - every case is caught by the receipt
        ed.verify_receipt(store, given)


def test_the_matrix_has_at_least_ten_distinct_cases():
    assert len({c.name for c in CASES}) >= 10
    assert all(c.receipt_verify_fails for c in CASES)  # the receipt catches every one


def test_receipt_signature_is_plain_ed25519_over_the_documented_bytes(published_edition, store, files):
    """An independent check of the documented format (docs/editions.md): Ed25519 over
    b"nevindex-signature-v1\\n" + canonical JSON of the body, with the public key the body names."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    published_edition(store, files)
    document = ed.edition_receipt(store, "2024")
    body = document["receipt"]
    message = b"nevindex-signature-v1\n" + json.dumps(body, sort_keys=True, separators=(",", ":"),
                                                      ensure_ascii=False).encode("utf-8")
    raw = base64.b64decode(body["signer"]["public_key"])
    Ed25519PublicKey.from_public_bytes(raw).verify(base64.b64decode(document["signature"]), message)  # no raise
    assert body["signer"]["fingerprint"] == hashlib.sha256(raw).hexdigest()
