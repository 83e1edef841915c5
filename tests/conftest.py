"""Shared fixtures: the Norwegian cases, stores, and a CLI runner."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from symbiosis.io import load_files

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "fixtures" / "cases"
CASE_FILES = [CASES / n for n in ("parks.csv", "companies.csv", "flows.csv", "processes.csv")]
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def cases():
    return load_files(CASE_FILES).dataset


@pytest.fixture(scope="session")
def documented_exchanges():
    with (CASES / "exchanges.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def run_cli(runner, store, *args) -> str:
    """Run a command on ``store``; it must succeed; its output."""
    from symbiosis.cli import cli

    result = runner.invoke(cli, ["--store", str(store), *args], obj={})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def bolt_server():
    """The Bolt server for the whole session: NEO4J_URI if set, else ArcadeDB started here."""
    from .bolt_server import external_server, start_arcadedb

    server = external_server()
    started = server is None
    if started:
        server = start_arcadedb()
    yield server
    if started:
        server.stop()


@pytest.fixture
def neo4j_store(bolt_server):
    from graph.neo4j_store import Neo4jStore

    bolt_server.reset()
    store = Neo4jStore(bolt_server.uri, user=bolt_server.user, password=bolt_server.password,
                       database=bolt_server.database)
    if not store.is_empty():
        store.close()
        pytest.fail(f"refusing to run: database {bolt_server.database} at {bolt_server.uri} "
                    "already holds data")
    yield store
    if bolt_server.http_port is None:  # a user's server: leave it as we found it
        store.clear()
    store.close()


@pytest.fixture(params=["memory", "neo4j"])
def store(request, tmp_path):
    if request.param == "memory":
        from graph import EmbeddedStore

        yield EmbeddedStore(tmp_path / "store.db")
    else:
        yield request.getfixturevalue("neo4j_store")


@pytest.fixture(scope="session")
def web_world(tmp_path_factory):
    """Store and accounts files built once; tests get copies."""
    from .web_support import build_world

    folder = tmp_path_factory.mktemp("web-world")
    _, _, tokens = build_world(folder, CASE_FILES)
    return folder, tokens


@pytest.fixture
def app(web_world, tmp_path):
    from web import create_app

    from .web_support import copy_world

    store_path, users_path = copy_world(web_world[0], tmp_path)
    app = create_app({"TESTING": True, "STORE_URL": str(store_path),
                      "USERS_DB": str(users_path), "UPLOAD_DIR": str(tmp_path / "uploads"),
                      "SECRET_KEY": "test-secret"})
    yield app
    from web.data import close

    close(app)


@pytest.fixture
def tokens(web_world):
    return web_world[1]


@pytest.fixture
def login(app):
    """``login(username)``: a signed-in session (``None``: signed out)."""
    from .web_support import Session

    return lambda username: Session(app.test_client(), username)
