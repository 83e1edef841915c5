"""Accounts: one SQLite file beside the store, opened per request like flaskr's database.

Passwords are hashed with Werkzeug's scrypt; API tokens are random and stored as SHA-256
hashes, so neither can be read back from the file.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from dataclasses import dataclass
from importlib import resources as importlib_resources
from pathlib import Path

from flask import current_app, g
from werkzeug.security import check_password_hash, generate_password_hash

from symbiosis.errors import SymbiosisError

__all__ = ["ROLES", "User", "Accounts", "AccountError", "get_accounts", "close_accounts"]

ROLES = ("admin", "cluster_manager", "county_staff", "viewer")


class AccountError(SymbiosisError):
    """A user cannot be created or changed as asked."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    cluster: str | None = None
    county: str | None = None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Accounts:
    """The accounts file (created with its schema on first use)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=10, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        schema = (importlib_resources.files("web") / "schema.sql").read_text(encoding="utf-8")
        self.db.executescript(schema)

    def close(self) -> None:
        self.db.close()

    @staticmethod
    def _user(row: sqlite3.Row | None) -> User | None:
        if row is None:
            return None
        return User(id=row["id"], username=row["username"], role=row["role"],
                    cluster=row["cluster"], county=row["county"])

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

    def check(self, username: str, password: str) -> User | None:
        row = self.db.execute("SELECT * FROM user WHERE username = ?", (username,)).fetchone()
        if row is None or not check_password_hash(row["password_hash"], password):
            return None
        return self._user(row)

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
        return self._user(self.db.execute("SELECT * FROM user WHERE token_hash = ?",
                                          (_token_hash(token),)).fetchone())

    def users(self) -> list[User]:
        rows = self.db.execute("SELECT * FROM user ORDER BY username").fetchall()
        return [u for u in map(self._user, rows) if u is not None]

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
        g.accounts = Accounts(current_app.config["USERS_DB"])
    return g.accounts  # type: ignore[no-any-return]


def close_accounts(exc: BaseException | None = None) -> None:
    accounts = g.pop("accounts", None)
    if accounts is not None:
        accounts.close()
