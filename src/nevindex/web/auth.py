"""Who may change things: admin users (argon2 hashes), signed session cookies with a CSRF token,
bearer tokens for the admin API, and a login rate limit.

Sessions are signed cookies (itsdangerous: a small JSON payload, a timestamp and an HMAC-SHA256
signature; the lifetime is checked on reading), so several server processes share them through the
secret alone. Each signed-in cookie and each API token also carries the user's *session version*
(``web_users.session_version``, migration 0004): signing out, a new password and
``nevindex admin revoke USER`` add one to it, which ends every cookie and token signed before — in
every process, since each request compares with the stored value. The secret comes from
``NEVINDEX_SECRET`` or is generated once and kept in the store's database (``web_settings``), so
sessions survive restarts. Both portal tables (``web_users``, ``web_settings``) belong to the store's
schema: migration 0003 creates them, so any store :func:`nevindex.store.db.open_store` accepts has them. Every session (anonymous ones too, created when a form is shown)
carries a random CSRF token; every state-changing form must send it back, and cookie-authenticated
API calls must send it in ``X-CSRF-Token``. Bearer tokens carry no cookie and need no CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import Column, DateTime, Engine, Integer, MetaData, String, Table, insert, select, update

from nevindex.errors import NevIndexError, NotFoundError

SESSION_COOKIE = "nevindex_session"
SESSION_SECONDS = 8 * 3600
TOKEN_SECONDS = 3600
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"

__all__ = ["CSRF_FIELD", "CSRF_HEADER", "PAYLOAD_VERSION", "SESSION_COOKIE", "SESSION_SECONDS",
           "TOKEN_SECONDS", "AuthError", "ForbiddenError", "LoginLimiter", "RateLimitedError",
           "SessionData", "Signer", "check_username", "create_user", "csrf_ok", "hash_password",
           "issue_token", "load_secret", "metadata", "read_session", "revoke_sessions",
           "session_is_current", "session_version", "settings_table", "start_session", "token_user",
           "user_exists", "users_table", "verify_user", "write_session"]

#: The portal's tables, as created by the store migration 0003 (keep the two in step).
metadata = MetaData()
users_table = Table(
    "web_users", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(100), unique=True, nullable=False),
    Column("password_hash", String(300), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("session_version", Integer, nullable=False, server_default="0"),
)
settings_table = Table(
    "web_settings", metadata,
    Column("key", String(100), primary_key=True),
    Column("value", String(500), nullable=False),
)

_hasher = PasswordHasher()


class AuthError(NevIndexError):
    """Not signed in, wrong credentials, or a missing/wrong CSRF token."""

    status_code = 401


class ForbiddenError(NevIndexError):
    status_code = 403


class RateLimitedError(NevIndexError):
    status_code = 429


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_username(username: str) -> str:
    name = username.strip()
    if not (1 <= len(name) <= 100) or any(c.isspace() for c in name):
        raise NevIndexError("a user name is 1–100 characters without spaces")
    return name


def create_user(engine: Engine, username: str, password: str) -> None:
    """Add an admin user, or set a new password for an existing one (which ends that user's sessions)."""
    name = check_username(username)
    if len(password) < 10:
        raise NevIndexError("the password must be at least 10 characters long")
    digest = hash_password(password)
    with engine.begin() as conn:
        exists = conn.scalar(select(users_table.c.id).where(users_table.c.username == name))
        if exists is None:
            conn.execute(insert(users_table).values(username=name, password_hash=digest, created_at=datetime.now(UTC)))
        else:
            conn.execute(update(users_table).where(users_table.c.id == exists)
                         .values(password_hash=digest, session_version=users_table.c.session_version + 1))


def verify_user(engine: Engine, username: str, password: str) -> bool:
    """True when the password matches; the hash work is done even for unknown users (no timing oracle)."""
    with engine.connect() as conn:
        stored = conn.scalar(select(users_table.c.password_hash).where(users_table.c.username == username.strip()))
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def load_secret(engine: Engine | None) -> bytes:
    """``NEVINDEX_SECRET``, else the one stored in the database (created on first use)."""
    env = os.environ.get("NEVINDEX_SECRET", "").strip()
    if env:
        return env.encode()
    if engine is None:
        return secrets.token_bytes(32)
    with engine.begin() as conn:
        value = conn.scalar(select(settings_table.c.value).where(settings_table.c.key == "secret"))
        if value is None:
            value = secrets.token_hex(32)
            conn.execute(insert(settings_table).values(key="secret", value=value))
    return value.encode()


# --- signing ---------------------------------------------------------------------------------

#: Version of the fields inside a signed payload. Readers take the fields they know and ignore any
#: others, so a field can be added (issue 16's per-user session version) without a new format.
PAYLOAD_VERSION = 1


@dataclass(frozen=True)
class Signer:
    """Signed, timestamped JSON payloads (itsdangerous, HMAC-SHA256); ``purpose`` is the salt that keeps
    session cookies and API tokens apart; the lifetime is checked when a value is read."""

    secret: bytes

    def _serializer(self, purpose: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret, salt=f"nevindex.{purpose}",
                                      signer_kwargs={"digest_method": hashlib.sha256})

    def sign(self, payload: dict[str, object], purpose: str) -> str:
        return str(self._serializer(purpose).dumps({"v": PAYLOAD_VERSION, **payload}))

    def unsign(self, value: str | None, purpose: str, max_age: int) -> dict[str, object] | None:
        """The payload, or None when ``value`` is missing, forged, for another purpose or older than ``max_age`` s."""
        if not value:
            return None
        try:
            payload = self._serializer(purpose).loads(value, max_age=max_age)
        except BadData:
            return None
        return payload if isinstance(payload, dict) else None


@dataclass(frozen=True)
class SessionData:
    """What a session cookie holds: the signed-in user (or None), the user's session version when it
    was signed (``sv``), and the CSRF token."""

    csrf: str
    user: str | None = None
    version: int | None = None

    @classmethod
    def new(cls, user: str | None = None, version: int | None = None) -> SessionData:
        return cls(csrf=secrets.token_urlsafe(24), user=user, version=version)

    def anonymous(self) -> SessionData:
        """The same visitor, signed out (keeps the CSRF token, so an open sign-in form still works)."""
        return SessionData(csrf=self.csrf)


def _version(payload: dict[str, object]) -> int | None:
    value = payload.get("sv")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def read_session(signer: Signer, cookie: str | None) -> SessionData | None:
    """The cookie's content as signed; whether its session version is still current is
    :func:`session_is_current`'s question."""
    payload = signer.unsign(cookie, "session", SESSION_SECONDS)
    if payload is None or not isinstance(payload.get("csrf"), str):
        return None
    user = payload.get("user")
    return SessionData(csrf=str(payload["csrf"]), user=user if isinstance(user, str) else None,
                       version=_version(payload))


def write_session(signer: Signer, session: SessionData) -> str:
    payload: dict[str, object] = {"csrf": session.csrf, "user": session.user}
    if session.user is not None and session.version is not None:
        payload["sv"] = session.version
    return signer.sign(payload, "session")


def issue_token(signer: Signer, user: str, version: int) -> str:
    return signer.sign({"user": user, "sv": version}, "api")


def token_user(signer: Signer, token: str | None) -> tuple[str, int | None] | None:
    """The user a token was issued to and the session version it carries, or None when it is not valid."""
    payload = signer.unsign(token, "api", TOKEN_SECONDS)
    user = payload.get("user") if payload else None
    return (user, _version(payload)) if payload and isinstance(user, str) else None


# --- session versions ---------------------------------------------------------------------------


def session_version(engine: Engine, username: str) -> int | None:
    """The user's current session version, or None when there is no such user."""
    with engine.connect() as conn:
        value = conn.scalar(select(users_table.c.session_version).where(users_table.c.username == username))
    return int(value) if value is not None else None


def session_is_current(engine: Engine, username: str, version: int | None) -> bool:
    """True when ``username`` exists and ``version`` (from a cookie or token) is its current one."""
    return version is not None and session_version(engine, username) == version


def start_session(engine: Engine, username: str) -> SessionData:
    """A new signed-in session (new CSRF token) at the user's current session version."""
    version = session_version(engine, username)
    if version is None:
        raise NotFoundError(f"no admin user '{username}'")
    return SessionData.new(user=username, version=version)


def revoke_sessions(engine: Engine, username: str) -> None:
    """End every session cookie and API token of ``username`` (the next request of each is anonymous)."""
    with engine.begin() as conn:
        changed = conn.execute(update(users_table).where(users_table.c.username == username)
                               .values(session_version=users_table.c.session_version + 1)).rowcount
    if not changed:
        raise NotFoundError(f"no admin user '{username}'")


def csrf_ok(session: SessionData | None, sent: str | None) -> bool:
    return bool(session and sent) and hmac.compare_digest(session.csrf.encode(), str(sent).encode())


# --- rate limit --------------------------------------------------------------------------------


@dataclass
class LoginLimiter:
    """At most ``attempts`` failed logins per client address and per user name within ``window`` seconds."""

    attempts: int = 5
    window: float = 300.0
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def check(self, client: str, username: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in (f"ip:{client}", f"user:{username.strip().lower()}"):
                q = self._recent(key, now)
                if len(q) >= self.attempts:
                    wait = int(q[0] + self.window - now) + 1
                    raise RateLimitedError(f"too many failed sign-in attempts; try again in {wait} s")

    def failed(self, client: str, username: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in (f"ip:{client}", f"user:{username.strip().lower()}"):
                self._recent(key, now).append(now)
            if len(self._failures) > 10_000:  # bound memory under a spray of names
                for key in [k for k, q in self._failures.items() if not q]:
                    del self._failures[key]

    def succeeded(self, client: str, username: str) -> None:
        with self._lock:
            self._failures.pop(f"user:{username.strip().lower()}", None)


def user_exists(engine: Engine, username: str) -> bool:
    with engine.connect() as conn:
        return conn.scalar(select(users_table.c.id).where(users_table.c.username == username)) is not None
