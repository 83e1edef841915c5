"""Accounts: one SQLite file beside the store, opened per request like flaskr's database.

Passwords are hashed with Werkzeug's scrypt; API tokens are random and stored as SHA-256
hashes, so neither can be read back from the file.

Signing in is limited per user name and per client address (:data:`USER_LIMIT`,
:data:`ADDRESS_LIMIT`): too many wrong passwords lock the name or the address for a while,
longer at each lock, and while locked even the right password is refused. An unknown user
name costs the same password hash as a known one. Each user has a session epoch, kept in
the session cookie at sign-in and raised at sign-out, password change and disabling, so
that an older cookie no longer signs anyone in.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources as importlib_resources
from pathlib import Path

from flask import current_app, g
from werkzeug.security import check_password_hash, generate_password_hash

from symbiosis.errors import SymbiosisError
from symbiosis.places import default_register

__all__ = ["ROLES", "User", "Limit", "SignIn", "USER_LIMIT", "ADDRESS_LIMIT", "Accounts",
           "AccountError", "get_accounts", "close_accounts"]

ROLES = ("admin", "cluster_manager", "county_staff", "viewer")

# Account files made by earlier versions are brought to the shape of schema.sql: entry i
# takes a file from ``PRAGMA user_version`` i to i + 1 (new tables come from schema.sql).
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    ("ALTER TABLE user ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0",
     "ALTER TABLE user ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0"),
)
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class Limit:
    """``failures`` wrong passwords lock a user name or address for ``lock_s`` seconds, twice
    as long at each further lock, up to ``max_lock_s``. Without ``window_s`` the failures
    must come in a row (the user's right password clears them); with it they count within
    ``window_s`` seconds of the first. A key without failure or lock for ``FORGET_S``
    starts afresh."""

    failures: int
    lock_s: float
    max_lock_s: float
    window_s: float | None = None


USER_LIMIT = Limit(failures=20, lock_s=60.0, max_lock_s=24 * 3600.0)
ADDRESS_LIMIT = Limit(failures=100, lock_s=300.0, max_lock_s=24 * 3600.0, window_s=3600.0)
FORGET_S = 24 * 3600.0
REFUSALS = ("wrong", "disabled", "user_locked", "address_locked")


class AccountError(SymbiosisError):
    """A user cannot be created or changed as asked."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    cluster: str | None = None
    county: str | None = None
    session_epoch: int = 0
    disabled: bool = False


@dataclass(frozen=True)
class SignIn:
    """What a sign-in came to: the user, or the reason it was refused (one of
    :data:`REFUSALS`) and, for a lock, the seconds until it lifts."""

    user: User | None
    refusal: str | None = None
    retry_after_s: float = 0.0


@functools.cache
def _dummy_hash() -> str:
    """A hash of no one's password, checked for unknown user names so that they cost the
    same work as known ones."""
    return generate_password_hash(secrets.token_urlsafe(16))


def _statements(script: str) -> Iterator[str]:
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer
            buffer = ""


def _county(text: str) -> str:
    """A county as its register name ("troms" is Troms), or AccountError."""
    got = default_register().read(text, None)
    if not got.ok or got.county is None:
        raise AccountError(got.problems[0].message if got.problems else
                           f"unknown county {text!r}")
    return got.county


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Accounts:
    """The accounts file (created with its schema on first use, migrated when older).
    ``clock`` gives the time in seconds for the sign-in limits (tests pass their own)."""

    def __init__(self, path: str | Path, *, clock: Callable[[], float] = time.time):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=10, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.clock = clock
        self._migrate()

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One transaction that holds the write lock from its first read."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.rollback()
            raise
        self.db.commit()

    def _migrate(self) -> None:
        if self.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return
        with self._write():
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version == SCHEMA_VERSION:
                return
            if version > SCHEMA_VERSION:
                raise AccountError(f"{self.path} was made by a newer version of symbiosis "
                                   f"(schema {version}, this one knows {SCHEMA_VERSION})")
            made = self.db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'user'").fetchone()
            if made:
                for statement in (s for step in MIGRATIONS[version:] for s in step):
                    self.db.execute(statement)
            schema = (importlib_resources.files("web") / "schema.sql").read_text(
                encoding="utf-8")
            for statement in _statements(schema):
                self.db.execute(statement)
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")

    @staticmethod
    def _user(row: sqlite3.Row | None) -> User | None:
        if row is None:
            return None
        return User(id=row["id"], username=row["username"], role=row["role"],
                    cluster=row["cluster"], county=row["county"],
                    session_epoch=row["session_epoch"], disabled=bool(row["disabled"]))

    def _named(self, username: str) -> sqlite3.Row:
        row = self.db.execute("SELECT * FROM user WHERE username = ?", (username,)).fetchone()
        if row is None:
            raise AccountError(f"no user {username!r}")
        return row  # type: ignore[no-any-return]

    def add(self, username: str, password: str, role: str, *, cluster: str | None = None,
            county: str | None = None) -> User:
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        if not username.strip():
            raise AccountError("username is empty")
        if len(password) < 8:
            raise AccountError("password must have at least 8 characters")
        if role == "cluster_manager" and not cluster:
            raise AccountError("a cluster manager needs --cluster")
        if role == "county_staff" and not county:
            raise AccountError("county staff need --county")
        if county:
            county = _county(county)
        try:
            with self.db:
                cur = self.db.execute(
                    "INSERT INTO user (username, password_hash, role, cluster, county)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (username, generate_password_hash(password), role, cluster, county))
        except sqlite3.IntegrityError as exc:
            raise AccountError(f"user {username!r} already exists") from exc
        return User(id=int(cur.lastrowid or 0), username=username, role=role,
                    cluster=cluster, county=county)

    def get(self, user_id: int) -> User | None:
        return self._user(self.db.execute("SELECT * FROM user WHERE id = ?",
                                          (user_id,)).fetchone())

    def session_user(self, user_id: int, epoch: int) -> User | None:
        """The user a session cookie names, if its epoch is current and the user enabled."""
        return self._user(self.db.execute(
            "SELECT * FROM user WHERE id = ? AND session_epoch = ? AND disabled = 0",
            (user_id, epoch)).fetchone())

    def sign_in(self, username: str, password: str, *, address: str) -> SignIn:
        """Check a password within the limits of the user name and of the client address."""
        now = self.clock()
        keys = (("address:" + address, "address_locked", ADDRESS_LIMIT),
                ("user:" + username[:200], "user_locked", USER_LIMIT))
        for key, refusal, _ in keys:
            row = self.db.execute("SELECT locked_until FROM sign_in_failure WHERE key = ?",
                                  (key,)).fetchone()
            if row is not None and row["locked_until"] > now:
                return SignIn(None, refusal, row["locked_until"] - now)
        row = self.db.execute("SELECT * FROM user WHERE username = ?", (username,)).fetchone()
        right = check_password_hash(row["password_hash"] if row else _dummy_hash(), password)
        if row is None or not right:
            with self._write():
                for key, _, limit in keys:
                    self._record_failure(key, limit, now)
            return SignIn(None, "wrong")
        if row["disabled"]:
            return SignIn(None, "disabled")
        with self._write():
            self.db.execute("DELETE FROM sign_in_failure WHERE key = ?", (keys[1][0],))
        return SignIn(self._user(row))

    def _record_failure(self, key: str, limit: Limit, now: float) -> None:
        self.db.execute("DELETE FROM sign_in_failure WHERE max(last_failure, locked_until) < ?",
                        (now - FORGET_S,))
        row = self.db.execute("SELECT * FROM sign_in_failure WHERE key = ?", (key,)).fetchone()
        failures, start, locked_until, lockouts = (
            (0, now, 0.0, 0) if row is None else
            (row["failures"], row["window_start"], row["locked_until"], row["lockouts"]))
        if limit.window_s is not None and now - start > limit.window_s:
            failures, start = 0, now
        failures += 1
        if failures >= limit.failures:
            locked_until = now + min(limit.lock_s * 2.0 ** min(lockouts, 40), limit.max_lock_s)
            failures, start, lockouts = 0, now, lockouts + 1
        self.db.execute(
            "INSERT INTO sign_in_failure (key, failures, window_start, last_failure, "
            "locked_until, lockouts) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
            "failures = excluded.failures, window_start = excluded.window_start, "
            "last_failure = excluded.last_failure, locked_until = excluded.locked_until, "
            "lockouts = excluded.lockouts", (key, failures, start, now, locked_until, lockouts))

    def end_sessions(self, user_id: int) -> None:
        """Every session cookie of the user stops working (sign-out)."""
        with self.db:
            self.db.execute("UPDATE user SET session_epoch = session_epoch + 1 WHERE id = ?",
                            (user_id,))

    def set_password(self, username: str, password: str) -> None:
        """A new password; the user's sessions end."""
        if len(password) < 8:
            raise AccountError("password must have at least 8 characters")
        user_id = self._named(username)["id"]
        with self.db:
            self.db.execute("UPDATE user SET password_hash = ?, "
                            "session_epoch = session_epoch + 1 WHERE id = ?",
                            (generate_password_hash(password), user_id))

    def set_disabled(self, username: str, disabled: bool) -> None:
        """A disabled user can neither sign in nor use an API token; disabling ends the
        user's sessions."""
        user_id = self._named(username)["id"]
        with self.db:
            self.db.execute("UPDATE user SET disabled = ?, "
                            "session_epoch = session_epoch + ? WHERE id = ?",
                            (int(disabled), int(disabled), user_id))

    def delete(self, username: str) -> None:
        """Remove the user (ids are never reused, so old session cookies name no one)."""
        user_id = self._named(username)["id"]
        with self.db:
            self.db.execute("DELETE FROM user WHERE id = ?", (user_id,))

    def new_token(self, username: str) -> str:
        """A fresh API token for ``username`` (replacing any earlier one), shown once."""
        token = secrets.token_urlsafe(32)
        with self.db:
            cur = self.db.execute("UPDATE user SET token_hash = ? WHERE username = ?",
                                  (_token_hash(token), username))
        if cur.rowcount != 1:
            raise AccountError(f"no user {username!r}")
        return token

    def by_token(self, token: str) -> User | None:
        return self._user(self.db.execute(
            "SELECT * FROM user WHERE token_hash = ? AND disabled = 0",
            (_token_hash(token),)).fetchone())

    def users(self) -> list[User]:
        rows = self.db.execute("SELECT * FROM user ORDER BY username").fetchall()
        return [u for u in map(self._user, rows) if u is not None]

    def normalise_counties(self) -> list[tuple[str, str, str | None]]:
        """Users' counties rewritten to register names: ``(username, before, after)`` for
        each county that changed, ``after`` None for one the register does not know (left
        as it is)."""
        out: list[tuple[str, str, str | None]] = []
        with self._write():
            for row in self.db.execute("SELECT username, county FROM user "
                                       "WHERE county IS NOT NULL AND county != ''").fetchall():
                try:
                    after: str | None = _county(row["county"])
                except AccountError:
                    after = None
                if after != row["county"]:
                    out.append((row["username"], row["county"], after))
                if after is not None and after != row["county"]:
                    self.db.execute("UPDATE user SET county = ? WHERE username = ?",
                                    (after, row["username"]))
        return out

    def mapping(self, cluster: str | None) -> dict[str, str]:
        """Confirmed readings of resource cells for ``cluster``: the shared ones (made by
        an admin), overridden by the cluster's own."""
        rows = self.db.execute(
            "SELECT cluster, text, resource FROM resource_mapping WHERE cluster IN ('', ?) "
            "ORDER BY cluster = ''  DESC", (cluster or "",)).fetchall()
        return {str(r["text"]): str(r["resource"]) for r in rows}

    def confirm(self, cluster: str | None, text: str, resource: str, by: str) -> None:
        with self.db:
            self.db.execute(
                "INSERT INTO resource_mapping (cluster, text, resource, confirmed_by) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (cluster, text) DO UPDATE SET "
                "resource = excluded.resource, confirmed_by = excluded.confirmed_by, "
                "confirmed_at = datetime('now')", (cluster or "", text, resource, by))

    def secret_key(self) -> str:
        """The session-signing key, made once and kept in the accounts file."""
        row = self.db.execute("SELECT value FROM setting WHERE key = 'secret_key'").fetchone()
        if row is not None:
            return str(row["value"])
        with self.db:
            self.db.execute("INSERT OR IGNORE INTO setting (key, value) VALUES ('secret_key', ?)",
                            (secrets.token_hex(32),))
        return self.secret_key()


def get_accounts() -> Accounts:
    if "accounts" not in g:
        g.accounts = Accounts(current_app.config["USERS_DB"],
                              clock=current_app.config["CLOCK"])
    return g.accounts  # type: ignore[no-any-return]


def close_accounts(exc: BaseException | None = None) -> None:
    accounts = g.pop("accounts", None)
    if accounts is not None:
        accounts.close()
