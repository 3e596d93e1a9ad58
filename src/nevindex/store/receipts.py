"""The signed receipt of a published edition: what was published, under which hashes, by which key.

A receipt is written in the publishing transaction and stored with the edition; ``edition export``
writes it beside the open data as ``receipt.json`` and the portal serves it. Its body names the
edition and every hash a published number depends on (methodology, data set, its source file, recipe,
data as built, result), the activity log's head at publication and the signer's public key; the
signature covers the canonical bytes of the body (:mod:`nevindex.signing`). Whoever can only write
the database cannot make one that checks against the publisher's key.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nevindex import signing
from nevindex.store._records import HASHES, VerificationError
from nevindex.store.logchain import timestamp
from nevindex.store.models import Activity, Edition, Receipt

__all__ = ["FILE_NAME", "FORMAT", "HASHES", "body_of", "check", "current_hashes", "data_year", "issue", "read",
           "stored", "trusted_key"]

FORMAT = "nevindex-receipt/1"
FILE_NAME = "receipt.json"


def current_hashes(edition: Edition) -> dict[str, str | None]:
    """The edition's hashes as the store holds them now (the names of :data:`HASHES`, the hashes a
    receipt signs)."""
    data = edition.dataset
    return {"methodology_sha256": edition.methodology.sha256, "dataset_sha256": data.sha256,
            "source_sha256": data.source_sha256, "units_sha256": data.units_sha256,
            "recipe_sha256": edition.recipe_sha256, "data_sha256": edition.data_sha256,
            "result_sha256": edition.result_sha256}


def data_year(edition: Edition) -> int | None:
    """The year of data the edition was built on (stored beside its method choices, not hashed with them)."""
    year = json.loads(edition.recipe).get("year")
    return int(year) if year is not None else None


def _body(edition: Edition, entry: Activity, public_key: str, signed_at: str) -> dict[str, Any]:
    meth, data = edition.methodology, edition.dataset
    return {
        "format": FORMAT,
        "edition": {"label": edition.label, "year": edition.year,
                    "published_at": timestamp(edition.published_at) if edition.published_at else None,
                    "published_by": edition.published_by,
                    "corrects": edition.corrects.label if edition.corrects is not None else None,
                    "correction_reason": edition.correction_reason},
        "methodology": {"code": meth.code, "version": meth.version},
        "dataset": {"label": data.label, "source_name": data.source_name},
        "data_year": data_year(edition),
        "hashes": current_hashes(edition),
        "package_version": edition.package_version,
        "log": {"entry": entry.id, "sha256": entry.sha256},
        "signed_at": signed_at,
        "signer": {"algorithm": signing.ALGORITHM, "public_key": public_key,
                   "fingerprint": signing.fingerprint(public_key)},
    }


def issue(session: Session, edition: Edition, entry: Activity, key: Any, signed_at: str) -> dict[str, Any]:
    """Sign and store the receipt of a just-published edition (inside the publishing transaction);
    ``entry`` is the log entry of the publication, already flushed (its id and hash are the head)."""
    body = _body(edition, entry, signing.public_key_text(key), signed_at)
    document = {"receipt": body, "signature": signing.sign(body, key)}
    session.add(Receipt(edition_id=edition.id, document=json.dumps(document, ensure_ascii=False, sort_keys=True),
                        fingerprint=body["signer"]["fingerprint"], created_at=edition.published_at))
    return document


def stored(session: Session, edition_id: int) -> dict[str, Any] | None:
    """The stored receipt document of an edition (None if it has none)."""
    text = session.scalar(select(Receipt.document).where(Receipt.edition_id == edition_id))
    return json.loads(text) if text is not None else None


def read(path: str | Path) -> dict[str, Any]:
    """A receipt file, with a clear error for anything that is not one."""
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise VerificationError(f"no receipt file {path}") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise VerificationError(f"{path} is not a receipt (not JSON: {str(exc)[:80]})") from None
    if not (isinstance(document, dict) and isinstance(document.get("receipt"), dict)
            and document["receipt"].get("format") == FORMAT and isinstance(document.get("signature"), str)):
        raise VerificationError(f"{path} is not a nevindex receipt ({FORMAT})")
    return document


def trusted_key(explicit: str | None) -> tuple[str | None, str]:
    """The fingerprint a receipt must be signed with, and where it comes from: ``--key``, else this
    machine's signing key (the publisher checking their own store), else none (trust on first use)."""
    if explicit:
        return signing.trusted_fingerprint(explicit), "the key given with --key"
    key = signing.load_key()
    if key is not None:
        return signing.fingerprint(signing.public_key_text(key)), f"this machine's signing key ({signing.key_path()})"
    return None, "none (no --key and no signing key on this machine)"


def body_of(document: dict[str, Any]) -> dict[str, Any]:
    return document["receipt"]  # type: ignore[no-any-return]


def check(document: dict[str, Any], trusted: str | None) -> str:
    """Check a receipt's signature (and its key against ``trusted``); returns the signer's fingerprint."""
    body = body_of(document)
    signer = body.get("signer") or {}
    try:
        return signing.check(body, document["signature"], str(signer.get("public_key", "")), trusted)
    except signing.SigningError as exc:
        raise VerificationError(f"receipt of edition '{body.get('edition', {}).get('label')}' refused: {exc}") \
            from None
