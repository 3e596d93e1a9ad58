"""Ed25519 signatures over canonical JSON, with the private key in a file outside the database.

Why a file and not a table: whoever can write the database must not be able to sign. The key is
``$NEVINDEX_SIGNING_KEY`` (a path) or ``<user config dir>/nevindex/signing-key.pem``; it is made on
first use with mode 0600 and refused when others may read it. A signature names its public key
(base64 of the 32 raw bytes) and the key's fingerprint (SHA-256 of those bytes, hex), which is what a
reader pins: a signature checks against a *trusted* fingerprint, never merely against the key it
carries. Libraries are imported inside the functions (the CLI's ``--help`` stays light).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nevindex.errors import NevIndexError

__all__ = ["ALGORITHM", "ENV_VAR", "SigningError", "canonical_bytes", "check", "fingerprint", "key_path",
           "load_key", "load_or_create_key", "public_key_text", "sign", "trusted_fingerprint"]

ENV_VAR = "NEVINDEX_SIGNING_KEY"
ALGORITHM = "Ed25519"
#: Signed bytes start with this, so a receipt's signature can never be replayed as anything else.
_CONTEXT = b"nevindex-signature-v1\n"


class SigningError(NevIndexError):
    """A key cannot be read or made, or a signature does not check."""

    status_code = 409


def key_path() -> Path:
    """Where the private key lives: ``$NEVINDEX_SIGNING_KEY``, else the user's config directory."""
    value = os.environ.get(ENV_VAR, "").strip()
    if value:
        return Path(value).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("nevindex", appauthor=False)) / "signing-key.pem"


def canonical_bytes(document: Mapping[str, Any]) -> bytes:
    """The one serialisation that is signed and hashed: sorted keys, no spaces, UTF-8."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def fingerprint(public_key: str | bytes) -> str:
    """SHA-256 (hex) of the raw 32-byte public key (given raw or as its base64 text)."""
    raw = base64.b64decode(public_key, validate=True) if isinstance(public_key, str) else public_key
    return hashlib.sha256(raw).hexdigest()


def public_key_text(key: Any) -> str:
    """Base64 of the raw public key of a private key."""
    from cryptography.hazmat.primitives import serialization

    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def load_key(path: Path | None = None) -> Any | None:
    """The private key at ``path`` (default :func:`key_path`), or None when there is none yet."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = path or key_path()
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SigningError(f"cannot read the signing key {path}: {exc.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SigningError(f"the signing key {path} may be read by others (mode {stat.S_IMODE(mode):o}); "
                           f"run `chmod 600 {path}`")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise SigningError(f"the signing key {path} is not an unencrypted PEM private key ({exc}); "
                           f"move it away and a new one is made, or set {ENV_VAR}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError(f"the signing key {path} is not an Ed25519 key")
    return key


def load_or_create_key(path: Path | None = None) -> Any:
    """The private key, made now (mode 0600) if there is none. Safe when several processes race:
    the file appears whole or not at all (written aside, then hard-linked into place)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = path or key_path()
    key = load_key(path)
    if key is not None:
        return key
    pem = Ed25519PrivateKey.generate().private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                     serialization.NoEncryption())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".signing-key.", dir=path.parent)  # mkstemp: mode 0600
        try:
            os.write(fd, pem)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            os.unlink(tmp)
    except OSError as exc:
        raise SigningError(f"cannot create the signing key {path}: {exc.strerror}; set {ENV_VAR} to a "
                           "writable path") from None
    return load_key(path)


def sign(document: Mapping[str, Any], key: Any) -> str:
    """The base64 Ed25519 signature of ``document``'s canonical bytes."""
    return base64.b64encode(key.sign(_CONTEXT + canonical_bytes(document))).decode("ascii")


def trusted_fingerprint(value: str) -> str:
    """A fingerprint as given (64 hex digits), or the fingerprint of a public key: base64 text, or a
    file holding it, a PEM public key or a receipt."""
    text = value.strip()
    if len(text) == 64 and all(c in "0123456789abcdefABCDEF" for c in text):
        return text.lower()
    path = Path(text).expanduser()
    if path.is_file():
        text = path.read_text(encoding="utf-8").strip()
    if text.startswith("{"):
        try:
            return fingerprint(json.loads(text)["receipt"]["signer"]["public_key"])
        except (ValueError, KeyError, TypeError):
            raise SigningError(f"{value}: not a receipt with a signer's public key") from None
    if text.startswith("-----BEGIN PUBLIC KEY-----"):
        from cryptography.hazmat.primitives import serialization

        raw = serialization.load_pem_public_key(text.encode()).public_bytes(serialization.Encoding.Raw,
                                                                             serialization.PublicFormat.Raw)
        return fingerprint(raw)
    try:
        return fingerprint(text)
    except ValueError:
        raise SigningError(f"--key {value}: give the publisher's fingerprint (64 hex digits), public key "
                           "(base64) or a file holding it") from None


def check(document: Mapping[str, Any], signature: str, public_key: str, trusted: str | None) -> str:
    """Check ``signature`` over ``document`` with ``public_key``; with ``trusted`` (a fingerprint) the key
    must be that one. Returns the key's fingerprint; raises SigningError naming what failed."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        raw = base64.b64decode(public_key, validate=True)
        key = Ed25519PublicKey.from_public_bytes(raw)
        value = base64.b64decode(signature, validate=True)
    except (ValueError, TypeError):
        raise SigningError("the receipt's public key or signature is not valid base64 Ed25519 data") from None
    print_ = fingerprint(raw)
    if trusted is not None and print_ != trusted:
        raise SigningError(f"the receipt is signed with key {print_[:16]}…, not the trusted key {trusted[:16]}…: "
                           "it was not issued by this publisher")
    try:
        key.verify(value, _CONTEXT + canonical_bytes(document))
    except InvalidSignature:
        raise SigningError("the receipt's signature does not match its content: the receipt was changed "
                           "after it was signed") from None
    return print_
