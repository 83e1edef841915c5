"""Graph storage: the :class:`Store` interface, the embedded store and the Neo4j store."""

from __future__ import annotations

import os
from pathlib import Path

from .base import CandidatePatch, Store, StoreChanges
from .embedded import EmbeddedStore

__all__ = ["Store", "CandidatePatch", "StoreChanges", "EmbeddedStore", "Neo4jStore", "open_store",
           "DEFAULT_STORE"]

DEFAULT_STORE = "symbiosis-store.db"
#: the default file of earlier versions, migrated when it is there and the new one is not
FORMER_DEFAULT_STORE = "symbiosis-store.json"


def open_store(url: str | None = None) -> Store:
    """Open the store named by ``url``, ``$SYMBIOSIS_STORE`` or the default file.

    ``bolt://``, ``neo4j://`` (and their ``+s`` variants) open a :class:`Neo4jStore`:
    ``neo4j://user:password@host:7687/database``; anything else is a file path (an optional
    ``file:`` prefix is dropped).
    """
    url = url or os.environ.get("SYMBIOSIS_STORE") or _default_file()
    if url.split("://", 1)[0] in ("bolt", "neo4j", "bolt+s", "neo4j+s", "bolt+ssc", "neo4j+ssc"):
        from .neo4j_store import Neo4jStore

        return Neo4jStore.from_url(url)
    if url.startswith("file:"):
        url = url[5:]
    return EmbeddedStore(Path(url))


def _default_file() -> str:
    if not Path(DEFAULT_STORE).exists() and Path(FORMER_DEFAULT_STORE).exists():
        os.replace(FORMER_DEFAULT_STORE, DEFAULT_STORE)  # migrated on open
    return DEFAULT_STORE


def __getattr__(name: str) -> object:
    if name == "Neo4jStore":
        from .neo4j_store import Neo4jStore

        return Neo4jStore
    raise AttributeError(name)
