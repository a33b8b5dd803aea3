"""People who sign in to `monitor serve`: users and roles, argon2 passwords, sessions that expire,
personal API tokens, and failed sign-ins throttled per name and per address."""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from monitor.core.models import ENFORCEMENT
from monitor.store import Store

# viewer: reads the queue; reviewer: also decides findings and approves held replies, DMs,
# alerts and reports; admin: also approves held enforcement (delete, restrict, ban, unban).
ROLES = ("viewer", "reviewer", "admin")
MIN_PASSWORD = 12
MAX_NAME = 64
SESSION_TTL = timedelta(hours=12)
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_NAME = 5
MAX_FAILURES_PER_ADDRESS = 20
TOKEN_PREFIX = "mpt_"  # recognisable in a leaked config or a log scrubber's rules

Clock = Callable[[], datetime]
_HASHER = PasswordHasher()  # argon2id with the library's defaults (RFC 9106, low memory)


class PeopleError(ValueError):
    """A user cannot be added or changed as asked; the message says why."""


@dataclass(frozen=True, slots=True)
class Person:
    """Who a request comes from: a signed-in user, or the shared token (scripts) under the name
    the server was started with."""

    name: str
    role: str
    user_id: int | None = None  # None: the shared token

    def may_decide(self) -> bool:
        """Whether this person may confirm, dismiss or resolve findings."""
        return self.role in ("reviewer", "admin")

    def may_approve(self, kind: str) -> bool:
        """Whether this person may release a held action of this kind."""
        return self.may_decide() and (kind not in ENFORCEMENT or self.may_enforce())

    def may_enforce(self) -> bool:
        """Whether this person may release or undo enforcement (delete, restrict, ban, unban)."""
        return self.role == "admin"


def now_utc() -> datetime:
    """The default clock."""
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    """A time as the store writes it (ISO-8601 in UTC, seconds), so text comparison orders it."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def digest(secret: str) -> str:
    """The SHA-256 of a session id or API token: both are long and random, so a fast hash is
    enough, and only the hash is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


# -- checks -------------------------------------------------------------------------------
def check_name(name: str) -> str:
    """A user name: 1-64 printable characters without spaces."""
    if not name or len(name) > MAX_NAME or not name.isprintable() or any(c.isspace() for c in name):
        raise PeopleError(f"a user name is 1-{MAX_NAME} printable characters without spaces")
    return name


def check_role(role: str) -> str:
    """One of the roles."""
    if role not in ROLES:
        raise PeopleError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    return role


def check_password(password: str, name: str) -> str:
    """A password long enough and not the name itself."""
    if len(password) < MIN_PASSWORD:
        raise PeopleError(f"the password is too short: use at least {MIN_PASSWORD} characters")
    if password.casefold() == name.casefold() or len(set(password)) < 4:
        raise PeopleError("the password is too easy to guess: not the name, not one repeated "
                          "character")
    return password


# -- users --------------------------------------------------------------------------------
def add_user(store: Store, name: str, role: str, password: str, by: str) -> str:
    """Add a user; returns their personal API token, which is shown once and never stored."""
    check_name(name)
    check_role(role)
    check_password(password, name)
    if _row(store, name) is not None:
        raise PeopleError(f"user {name} exists; `monitor users reset {name}` sets a new password")
    token, now = new_token(), _iso(now_utc())
    with store.db.atomic():
        store.db.table("users").insert({
            "name": name, "role": role, "password_hash": _HASHER.hash(password),
            "token_hash": digest(token), "active": 1, "created_at": now, "changed_at": now,
            "last_sign_in": None})
        store.audit(by, "users:add", {"name": name, "role": role})
    return token


def new_token() -> str:
    """A personal API token."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def users(store: Store) -> list[dict[str, Any]]:
    """Every user (name, role, active, created_at, last_sign_in), by name; never a hash."""
    rows = store.db.execute("SELECT name, role, active, created_at, last_sign_in FROM users "
                            "ORDER BY name").fetchall()
    keys = ("name", "role", "active", "created_at", "last_sign_in")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def has_users(store: Store) -> bool:
    """Whether anyone may sign in with a name and password."""
    return store.db.execute("SELECT 1 FROM users WHERE active = 1 LIMIT 1").fetchone() is not None


def set_active(store: Store, name: str, active: bool, by: str) -> None:
    """Disable a user (their sessions end, their token stops working) or enable them again."""
    row = known(store, name)
    with store.db.atomic():
        store.db.table("users").update(row["id"], {"active": int(active),
                                                   "changed_at": _iso(now_utc())})
        if not active:
            end_sessions(store, row["id"])
        store.audit(by, "users:enable" if active else "users:disable", {"name": name})


def reset(store: Store, name: str, password: str, by: str, token: bool = False) -> str | None:
    """A new password (every session of the user ends); with `token`, a new personal API token,
    returned to be shown once."""
    row = known(store, name)
    check_password(password, name)
    changes: dict[str, Any] = {"password_hash": _HASHER.hash(password),
                               "changed_at": _iso(now_utc())}
    fresh = new_token() if token else None
    if fresh is not None:
        changes["token_hash"] = digest(fresh)
    with store.db.atomic():
        store.db.table("users").update(row["id"], changes)
        end_sessions(store, row["id"])
        store.audit(by, "users:reset", {"name": name, "token": fresh is not None})
    return fresh


def _row(store: Store, name: str) -> dict[str, Any] | None:
    """A user's row by exact name, or None."""
    rows = list(store.db.table("users").rows_where("name = ?", [name]))
    return rows[0] if rows else None


def known(store: Store, name: str) -> dict[str, Any]:
    """A user's row (hashes included: not for printing); an unknown name is an error."""
    row = _row(store, name)
    if row is None:
        raise PeopleError(f"no user named {name!r}; `monitor users list` shows them")
    return row


# -- signing in ---------------------------------------------------------------------------
def candidate(store: Store, name: str) -> dict[str, Any] | None:
    """The active user a sign-in names, or None (unknown and disabled look the same)."""
    row = _row(store, name)
    return row if row is not None and row["active"] else None


@functools.cache
def _decoy() -> str:
    """A hash to verify against when the name is unknown, so that answer takes as long."""
    return _HASHER.hash(secrets.token_hex(16))


def verify(password_hash: str | None, password: str) -> tuple[bool, str | None]:
    """Whether the password matches (the decoy when there is no user), and a new hash when the
    library's parameters changed since. Touches no store: it may run in a worker thread."""
    try:
        _HASHER.verify(password_hash or _decoy(), password)
    except (VerificationError, InvalidHashError):
        return False, None
    if password_hash is None:
        return False, None
    return True, _HASHER.hash(password) if _HASHER.check_needs_rehash(password_hash) else None


def throttled(store: Store, name: str, address: str, now: datetime) -> bool:
    """Whether this name or this address failed too often within the window."""
    since = _iso(now - THROTTLE_WINDOW)
    count = "SELECT count(*) FROM sign_in_failures WHERE {} = ? AND at >= ?"
    by_name = store.db.execute(count.format("name"), [name, since]).fetchone()[0] if name else 0
    by_address = store.db.execute(count.format("address"), [address, since]).fetchone()[0]
    return by_name >= MAX_FAILURES_PER_NAME or by_address >= MAX_FAILURES_PER_ADDRESS


def record_failure(store: Store, name: str, address: str, now: datetime, how: str) -> None:
    """Count a failed sign-in and write it to the audit log (the name tried, never a password)."""
    with store.db.atomic():
        store.db.execute("DELETE FROM sign_in_failures WHERE at < ?",
                         [_iso(now - THROTTLE_WINDOW)])  # the audit log keeps the history
        store.db.table("sign_in_failures").insert({"at": _iso(now), "name": name,
                                                   "address": address})
        store.audit(shown(name), "signin:failed", {"address": address, "with": how})


def shown(name: str) -> str:
    """A name someone typed, safe for the audit log: printable and at most 64 characters."""
    clean = "".join(c if c.isprintable() else "?" for c in name[:MAX_NAME])
    return clean or "-"


def start_session(store: Store, user: dict[str, Any], address: str, now: datetime,
                  ttl: timedelta, rehashed: str | None = None) -> str:
    """A new session for a user who signed in; returns its id for the cookie (only its hash is
    stored). Expired sessions are swept on the way."""
    session = secrets.token_urlsafe(32)
    changes: dict[str, Any] = {"last_sign_in": _iso(now)}
    if rehashed:
        changes["password_hash"] = rehashed
    with store.db.atomic():
        store.db.execute("DELETE FROM sessions WHERE expires_at <= ?", [_iso(now)])
        store.db.table("sessions").insert({"id_hash": digest(session), "user_id": user["id"],
                                           "created_at": _iso(now), "expires_at": _iso(now + ttl)})
        store.db.table("users").update(user["id"], changes)
        store.audit(user["name"], "signin", {"address": address})
    return session


def session_person(store: Store, session: str, now: datetime) -> Person | None:
    """The active user of a session that has not expired, or None."""
    if not session:
        return None
    row = store.db.execute(
        "SELECT u.id, u.name, u.role FROM sessions s JOIN users u ON u.id = s.user_id "
        "WHERE s.id_hash = ? AND s.expires_at > ? AND u.active = 1",
        [digest(session), _iso(now)]).fetchone()
    return Person(row[1], row[2], row[0]) if row else None


def token_person(store: Store, token: str) -> Person | None:
    """The active user whose personal API token this is, or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = store.db.execute("SELECT id, name, role FROM users WHERE token_hash = ? AND active = 1",
                           [digest(token)]).fetchone()
    return Person(row[1], row[2], row[0]) if row else None


def end_session(store: Store, session: str) -> None:
    """Sign out: forget one session."""
    store.db.execute("DELETE FROM sessions WHERE id_hash = ?", [digest(session)])


def end_sessions(store: Store, user_id: int) -> None:
    """Every session of a user ends (password reset, disabled)."""
    store.db.execute("DELETE FROM sessions WHERE user_id = ?", [user_id])
