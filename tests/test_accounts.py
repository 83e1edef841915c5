"""Accounts: limits on wrong passwords, the same work for unknown user names, sessions that
end at sign-out and password change, and disabling or deleting a user."""

from __future__ import annotations

import re
import sqlite3

import pytest
from werkzeug.security import generate_password_hash

import web.db
from web.db import ADDRESS_LIMIT, SCHEMA_VERSION, USER_LIMIT, Accounts

from .web_support import PASSWORD

COOKIE = "symbiosis_session"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def _sign_in(client, username: str, password: str, **kw):
    page = client.get("/login", **kw).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token}, **kw)


# -- limits on wrong passwords ---------------------------------------------------------------

def test_twenty_wrong_passwords_lock_the_account_with_a_growing_back_off(app):
    clock = Clock()
    app.config["CLOCK"] = clock
    client = app.test_client()
    assert USER_LIMIT.failures == 20 and USER_LIMIT.lock_s == 60
    for _ in range(20):
        assert _sign_in(client, "solor", "wrong-password").status_code == 401
    locked = _sign_in(client, "solor", PASSWORD)
    assert locked.status_code == 429 and locked.headers["Retry-After"] == "60"
    assert "Too many wrong passwords for this user: locked for 1 min." in \
        locked.get_data(as_text=True)
    assert _sign_in(client, "admin", PASSWORD).status_code == 302  # other users sign in

    clock.now += 61  # the first lock has lifted; twenty more make a lock twice as long
    for _ in range(20):
        assert _sign_in(client, "solor", "wrong-password").status_code == 401
    clock.now += 61
    assert _sign_in(client, "solor", PASSWORD).status_code == 429
    clock.now += 60
    assert _sign_in(client, "solor", PASSWORD).status_code == 302


def test_wrong_passwords_lock_an_unknown_user_name_the_same_way(app):
    clock = Clock()
    app.config["CLOCK"] = clock
    client = app.test_client()
    for _ in range(20):
        assert _sign_in(client, "nobody", "wrong-password").status_code == 401
    r = _sign_in(client, "nobody", "wrong-password")
    assert r.status_code == 429 and "locked for 1 min" in r.get_data(as_text=True)


def test_wrong_passwords_from_one_address_lock_that_address(app, monkeypatch):
    clock = Clock()
    app.config["CLOCK"] = clock
    client = app.test_client()
    near = {"environ_base": {"REMOTE_ADDR": "192.0.2.7"}}
    far = {"environ_base": {"REMOTE_ADDR": "198.51.100.9"}}
    monkeypatch.setattr(web.db, "check_password_hash", lambda stored, password: False)
    names = [f"user{i}" for i in range(ADDRESS_LIMIT.failures)]  # few wrong tries for each
    for name in names:
        assert _sign_in(client, name, "guess-1234", **near).status_code == 401
    monkeypatch.undo()
    r = _sign_in(client, "viewer", PASSWORD, **near)
    assert r.status_code == 429
    assert "Too many wrong passwords from your address" in r.get_data(as_text=True)
    assert _sign_in(app.test_client(), "viewer", PASSWORD, **far).status_code == 302
    clock.now += ADDRESS_LIMIT.lock_s + 1
    assert _sign_in(client, "viewer", PASSWORD, **near).status_code == 302


def test_a_lock_lifts_after_its_back_off_and_a_right_password_clears_the_count(tmp_path,
                                                                              monkeypatch):
    clock = Clock()
    accounts = Accounts(tmp_path / "u.sqlite", clock=clock)
    accounts.add("kari", "long-enough-1", "viewer")
    # the limits, not the hash, are under test here
    monkeypatch.setattr(web.db, "check_password_hash",
                        lambda stored, password: password == "long-enough-1")
    for _ in range(19):
        assert accounts.sign_in("kari", "nope-nope", address="a").refusal == "wrong"
    assert accounts.sign_in("kari", "long-enough-1", address="a").user is not None
    for _ in range(19):  # the count started again
        accounts.sign_in("kari", "nope-nope", address="a")
    assert accounts.sign_in("kari", "long-enough-1", address="a").user is not None
    for _ in range(20):
        accounts.sign_in("kari", "nope-nope", address="a")
    locked = accounts.sign_in("kari", "long-enough-1", address="b")
    assert locked.user is None and locked.refusal == "user_locked"
    assert locked.retry_after_s == pytest.approx(60)
    clock.now += 59
    assert accounts.sign_in("kari", "long-enough-1", address="b").refusal == "user_locked"
    clock.now += 2
    assert accounts.sign_in("kari", "long-enough-1", address="b").user.username == "kari"
    accounts.close()


# -- the same work for known and unknown names -----------------------------------------------

def test_an_unknown_user_name_costs_the_same_password_hash(tmp_path, monkeypatch):
    accounts = Accounts(tmp_path / "u.sqlite")
    accounts.add("kari", "long-enough-1", "viewer")
    checked: list[str] = []
    real = web.db.check_password_hash

    def counting(stored: str, password: str) -> bool:
        checked.append(stored)
        return real(stored, password)

    monkeypatch.setattr(web.db, "check_password_hash", counting)
    assert accounts.sign_in("kari", "nope-nope", address="a").refusal == "wrong"
    assert accounts.sign_in("nobody", "nope-nope", address="a").refusal == "wrong"
    assert len(checked) == 2
    known, unknown = (h.split("$")[0] for h in checked)
    assert unknown == known and known.startswith("scrypt:")
    assert accounts.sign_in("kari", "long-enough-1", address="a").user is not None
    assert len(checked) == 3
    accounts.close()


# -- sessions --------------------------------------------------------------------------------

def _copy(app, session):
    """A second client holding a copy of ``session``'s cookie."""
    other = app.test_client()
    other.set_cookie(COOKIE, session.client.get_cookie(COOKIE).value)
    return other


def test_a_copied_session_cookie_stops_working_at_sign_out(login, app):
    s = login("viewer")
    thief = _copy(app, s)
    assert thief.get("/companies/").status_code == 200
    assert s.post("/logout").status_code == 302
    r = thief.get("/companies/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert login("viewer").get("/companies/").status_code == 200  # signing in again works


def test_a_password_change_ends_the_sessions(login, app, runner):
    from symbiosis.cli import cli

    s = login("viewer")
    thief = _copy(app, s)
    assert thief.get("/companies/").status_code == 200
    r = runner.invoke(cli, ["user", "password", "viewer", "--password", "another-secret-2",
                            "--users", app.config["USERS_DB"]], obj={})
    assert r.exit_code == 0, r.output
    for client in (s.client, thief):
        assert client.get("/companies/").status_code == 302
    assert _sign_in(app.test_client(), "viewer", PASSWORD).status_code == 401
    assert _sign_in(app.test_client(), "viewer", "another-secret-2").status_code == 302


# -- disabling and deleting users ------------------------------------------------------------

def test_a_disabled_user_cannot_sign_in_nor_use_a_token_until_enabled(login, app, tokens,
                                                                      runner):
    from symbiosis.cli import cli

    db = app.config["USERS_DB"]
    api = {"headers": {"Authorization": f"Bearer {tokens['viewer']}"}}
    s = login("viewer")
    r = runner.invoke(cli, ["user", "disable", "viewer", "--users", db], obj={})
    assert r.exit_code == 0 and "user viewer disabled" in r.output
    assert "viewer\tviewer\t\t\tdisabled" in runner.invoke(
        cli, ["user", "list", "--users", db], obj={}).output
    assert s.get("/companies/").status_code == 302
    r = _sign_in(app.test_client(), "viewer", PASSWORD)
    assert r.status_code == 403 and "This account is disabled." in r.get_data(as_text=True)
    assert app.test_client().get("/api/v1/companies", **api).status_code == 401

    r = runner.invoke(cli, ["user", "enable", "viewer", "--users", db], obj={})
    assert r.exit_code == 0 and "user viewer enabled" in r.output
    assert _sign_in(app.test_client(), "viewer", PASSWORD).status_code == 302
    assert app.test_client().get("/api/v1/companies", **api).status_code == 200


def test_a_deleted_user_is_gone_with_sessions_and_token(login, app, tokens, runner):
    from symbiosis.cli import cli

    db = app.config["USERS_DB"]
    api = {"headers": {"Authorization": f"Bearer {tokens['viewer']}"}}
    s = login("viewer")
    refused = runner.invoke(cli, ["user", "delete", "viewer", "--users", db], obj={},
                            input="n\n")
    assert refused.exit_code != 0
    assert s.get("/companies/").status_code == 200
    r = runner.invoke(cli, ["user", "delete", "viewer", "--yes", "--users", db], obj={})
    assert r.exit_code == 0 and "user viewer deleted" in r.output
    assert s.get("/companies/").status_code == 302
    assert _sign_in(app.test_client(), "viewer", PASSWORD).status_code == 401
    assert app.test_client().get("/api/v1/companies", **api).status_code == 401
    listed = runner.invoke(cli, ["user", "list", "--users", db], obj={}).output
    assert "viewer\t" not in listed and "admin\t" in listed
    missing = runner.invoke(cli, ["user", "disable", "nobody", "--users", db], obj={})
    assert missing.exit_code != 0 and "no user 'nobody'" in str(missing.exception)


# -- account files made before ---------------------------------------------------------------

OLD_SCHEMA = """
CREATE TABLE user (
  id INTEGER PRIMARY KEY AUTOINCREMENT, username TEXT UNIQUE NOT NULL,
  password_hash TEXT NOT NULL, role TEXT NOT NULL, cluster TEXT, county TEXT,
  token_hash TEXT UNIQUE, created_at TEXT NOT NULL DEFAULT (datetime('now')));
CREATE TABLE setting (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE resource_mapping (cluster TEXT NOT NULL, text TEXT NOT NULL,
  resource TEXT NOT NULL, confirmed_by TEXT NOT NULL,
  confirmed_at TEXT NOT NULL DEFAULT (datetime('now')), PRIMARY KEY (cluster, text));
"""


def test_an_account_file_made_before_is_migrated_in_place(tmp_path):
    path = tmp_path / "old.sqlite"
    old = sqlite3.connect(path)
    old.executescript(OLD_SCHEMA)
    with old:
        old.execute("INSERT INTO user (username, password_hash, role) VALUES (?, ?, ?)",
                    ("kari", generate_password_hash("long-enough-1"), "viewer"))
        old.execute("INSERT INTO setting VALUES ('secret_key', 'kept')")
    old.close()
    for _ in range(2):  # the second opening finds it done
        accounts = Accounts(path)
        assert accounts.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        signed = accounts.sign_in("kari", "long-enough-1", address="a").user
        assert signed is not None and signed.session_epoch == 0 and not signed.disabled
        assert accounts.secret_key() == "kept"
        accounts.close()
    accounts = Accounts(path)
    accounts.set_disabled("kari", True)
    assert accounts.sign_in("kari", "long-enough-1", address="a").refusal == "disabled"
    accounts.close()
