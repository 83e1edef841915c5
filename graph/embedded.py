"""The embedded store: one SQLite file, no server.

Each write is one SQLite transaction, so a process killed mid-write leaves the previous
state (SQLite rolls the journal back on the next open). The file is the whole store: copy
it when no write is running. Rows keep the columns the filters need (county, resource,
flow ids, score) beside the object as JSON, with an index per filter, so no read or write
scans what it does not return: opening a store reads nothing, saving a plan touches the
plan's rows, and a county's candidates come through its companies' flows.

Stores of the earlier JSON format are migrated on open (the old file is kept beside the
new one with ``.v1.json`` appended).
"""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from symbiosis.errors import NotFoundError, StoreConflictError, StoreUnavailableError
from symbiosis.matching import RECORD_FIELDS, CandidateList, candidate_record
from symbiosis.matching import value_chains as _value_chains
from symbiosis.model import (
    Candidate,
    Company,
    Dataset,
    Exchange,
    ExchangeStatus,
    Flow,
    FlowPoint,
    Park,
    Plan,
    Process,
)

from . import codec
from .base import CandidatePatch, Store, StoreChanges

__all__ = ["EmbeddedStore"]

FORMAT_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS parks (id TEXT PRIMARY KEY, county TEXT, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS companies (
    id TEXT PRIMARY KEY, county TEXT, municipality TEXT, park_id TEXT,
    lat REAL, lon REAL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS companies_county ON companies (county);
CREATE INDEX IF NOT EXISTS companies_municipality ON companies (municipality);
CREATE INDEX IF NOT EXISTS companies_park ON companies (park_id);
CREATE INDEX IF NOT EXISTS companies_lat ON companies (lat);
CREATE TABLE IF NOT EXISTS flows (
    id TEXT PRIMARY KEY, company_id TEXT NOT NULL, resource TEXT NOT NULL,
    direction TEXT NOT NULL, doc TEXT NOT NULL, lat REAL, lon REAL);
CREATE INDEX IF NOT EXISTS flows_company ON flows (company_id);
CREATE TABLE IF NOT EXISTS processes (
    id TEXT PRIMARY KEY, company_id TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS processes_company ON processes (company_id);
CREATE TABLE IF NOT EXISTS process_flows (
    process_id TEXT NOT NULL, flow_id TEXT NOT NULL, PRIMARY KEY (process_id, flow_id))
    WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS process_flows_flow ON process_flows (flow_id);
CREATE TABLE IF NOT EXISTS candidates (
    supply_flow TEXT NOT NULL, demand_flow TEXT NOT NULL,
    supply_company TEXT NOT NULL, demand_company TEXT NOT NULL,
    resource TEXT NOT NULL, demand_resource TEXT NOT NULL, distance_km REAL NOT NULL,
    mode TEXT NOT NULL, amount REAL, unit TEXT NOT NULL,
    transport_cost_nok_per_unit REAL NOT NULL, unit_value_nok REAL, unit_co2_avoided_t REAL,
    fixed_cost_nok_per_year REAL NOT NULL, value_nok REAL, co2_avoided_t REAL,
    score REAL NOT NULL, relation TEXT NOT NULL, via TEXT NOT NULL,
    conversion_yield REAL NOT NULL, certainty REAL NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS candidates_pair ON candidates (supply_flow, demand_flow);
CREATE INDEX IF NOT EXISTS candidates_demand ON candidates (demand_flow);
CREATE TABLE IF NOT EXISTS exchanges (
    id TEXT PRIMARY KEY, supply_flow TEXT NOT NULL, demand_flow TEXT NOT NULL,
    status TEXT NOT NULL, plan_id TEXT, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS exchanges_supply ON exchanges (supply_flow);
CREATE INDEX IF NOT EXISTS exchanges_demand ON exchanges (demand_flow);
CREATE INDEX IF NOT EXISTS exchanges_status ON exchanges (status);
CREATE TABLE IF NOT EXISTS plans (id TEXT PRIMARY KEY, created_at TEXT, doc TEXT NOT NULL,
    scope TEXT NOT NULL DEFAULT 'all', scenario TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS changes (rev INTEGER NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS changes_rev ON changes (rev);
"""

#: revisions whose changes are kept for readers that follow the store
KEEP_CHANGES = 200
#: more keys of one kind in one write are recorded as "everything of that kind"
MANY_CHANGES = 5000
_KINDS = ("company", "flow", "process", "park", "cand")

#: what stores of this format made before plans had a scope lack, added on open (a plan of
#: such a store counts as one for everything)
#: where flows are, read without the documents: each flow row holds its company's place,
#: and the search for an edited flow's partners (:meth:`EmbeddedStore.points`) reads only
#: this index, a latitude band of each resource
_PLACE_INDEXES = """
CREATE INDEX IF NOT EXISTS flows_at ON flows (resource, lat, lon, direction, company_id, id);
"""
#: what stores made before flow rows held their place lack, added on open
_PLACED_FLOWS = """
UPDATE flows SET lat = (SELECT c.lat FROM companies c WHERE c.id = flows.company_id),
                 lon = (SELECT c.lon FROM companies c WHERE c.id = flows.company_id);
DROP INDEX IF EXISTS flows_place;
DROP INDEX IF EXISTS companies_place;
"""
#: indexes that stores made before read a company's candidates through them; the flows'
#: company index and the candidates' flow indexes serve those reads as fast, and every
#: candidate written kept these two up to date (a tenth of an import's writing)
_COMPANY_LINK_INDEXES = ("candidates_supply_company", "candidates_demand_company")
_SCOPED_PLANS = """
CREATE INDEX IF NOT EXISTS exchanges_plan ON exchanges (plan_id);
CREATE INDEX IF NOT EXISTS plans_scope ON plans (scope);
"""

_CANDIDATE_COLUMNS = ", ".join(RECORD_FIELDS)
#: from this many rows written at once, candidate indexes are made again after the writes
_REBUILD_INDEXES_FROM = 20_000
_INSERT_CANDIDATE = (f"INSERT OR REPLACE INTO candidates ({_CANDIDATE_COLUMNS}) VALUES "
                     f"({', '.join('?' * len(RECORD_FIELDS))})")
#: candidate rows written by one statement (a third less time than one at a time; its
#: parameters stay far below SQLite's limit of 32,766)
_ROWS_PER_INSERT = 32
_INSERT_CANDIDATES = _INSERT_CANDIDATE + (
    f", ({', '.join('?' * len(RECORD_FIELDS))})" * (_ROWS_PER_INSERT - 1))


def _finite(value: Any) -> bool:
    """No number in ``value`` (plain data) is NaN or infinite."""
    kind = type(value)
    if kind is float:
        return value - value == 0.0
    if kind is dict:
        return all(map(_finite, value.values()))
    if kind is list or kind is tuple:
        return all(map(_finite, value))
    return True


def _dumps(obj: Any) -> str:
    """A document's JSON text, written by orjson (several times faster than the json
    module). orjson writes a number that is not finite as null; a document holding one
    (a frontier point that could not be solved) is written by the json module, as NaN,
    and so is one orjson refuses (a key that is not text, an integer past 64 bits)."""
    value = codec.plain(obj)
    if _finite(value):
        try:
            return orjson.dumps(value).decode()
        except TypeError:
            pass
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _loads(text: str) -> Any:
    """A stored document (orjson reads it; the json module what orjson refuses: NaN)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _chunks(items: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class EmbeddedStore(Store):
    """Embedded graph store in one SQLite file (default ``./symbiosis-store.db``)."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self.url = f"file:{self.path}"
        self._local = threading.local()
        #: statements run, for tests that check that work does not grow with the store
        self.statements = 0
        if self.path.exists() and _is_json_store(self.path):
            _migrate_json(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = self._db()
            if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'changes'").fetchone():
                db.executescript("BEGIN IMMEDIATE;" + _SCHEMA + _PLACE_INDEXES + _SCOPED_PLANS
                                 + "INSERT OR IGNORE INTO meta VALUES ('revision', '0');"
                                 + f"INSERT OR IGNORE INTO meta VALUES ('format', "
                                 f"'{FORMAT_VERSION}');COMMIT;")
            version = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            if version is None or int(version[0]) != FORMAT_VERSION:
                raise StoreUnavailableError(
                    f"store file {self.path} has format {version and version[0]}, "
                    f"this version reads {FORMAT_VERSION}")
            self._scope_plans(db)
            self._place_flows(db)
            self._drop_company_link_indexes(db)
        except sqlite3.DatabaseError as exc:
            raise StoreUnavailableError(f"cannot open store file {self.path}: {exc}") from exc

    @staticmethod
    def _migrate(db: sqlite3.Connection, done: Callable[[], bool],
                 apply: Callable[[], None]) -> None:
        """Run ``apply`` in one transaction unless ``done`` says the store has it (looked
        at again under the write lock: another process may have just done it)."""
        if done():
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            if not done():
                apply()
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    @classmethod
    def _drop_company_link_indexes(cls, db: sqlite3.Connection) -> None:
        names = ", ".join(f"'{name}'" for name in _COMPANY_LINK_INDEXES)
        cls._migrate(db, lambda: db.execute(
            f"SELECT 1 FROM sqlite_master WHERE name IN ({names})").fetchone() is None,  # noqa: S608
            lambda: _statements(db, "".join(f"DROP INDEX IF EXISTS {name};"
                                            for name in _COMPANY_LINK_INDEXES)))

    @classmethod
    def _place_flows(cls, db: sqlite3.Connection) -> None:
        """Give the flow rows of a store made before they held their place its columns
        and index."""
        def apply() -> None:
            if "lat" not in {r[1] for r in db.execute("PRAGMA table_info(flows)")}:
                db.execute("ALTER TABLE flows ADD COLUMN lat REAL")
                db.execute("ALTER TABLE flows ADD COLUMN lon REAL")
            _statements(db, _PLACED_FLOWS + _PLACE_INDEXES)

        cls._migrate(db, lambda: db.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'flows_at'").fetchone() is not None,
            apply)

    @classmethod
    def _scope_plans(cls, db: sqlite3.Connection) -> None:
        """Give the plans of a store made before plans had a scope their columns."""
        def columns() -> set[str]:
            return {r[1] for r in db.execute("PRAGMA table_info(plans)")}

        def apply() -> None:
            if "scope" not in columns():
                db.execute("ALTER TABLE plans ADD COLUMN scope TEXT NOT NULL DEFAULT 'all'")
            if "scenario" not in columns():
                db.execute("ALTER TABLE plans ADD COLUMN scenario TEXT NOT NULL DEFAULT ''")
            _statements(db, _SCOPED_PLANS)

        cls._migrate(db, lambda: {"scope", "scenario"} <= columns() and db.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'plans_scope'").fetchone() is not None,
            apply)

    # -- connections and transactions -----------------------------------------------
    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=60, isolation_level=None,
                                 check_same_thread=False)
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA foreign_keys=OFF")
            db.execute("PRAGMA cache_size=-65536")  # 64 MB of pages
            self._local.db = db
        return db

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; the revision moves with every commit."""
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        self._local.touched = {}
        try:
            yield db
            db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 "
                       "WHERE key = 'revision'")
            self._log_changes(db)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def _touch(self, kind: str, keys: Iterable[str] = ("*",)) -> None:
        """Note what this transaction changes (``*``: everything of the kind)."""
        seen = self._local.touched.setdefault(kind, set())
        if "*" not in seen:
            seen.update(keys)

    def _log_changes(self, db: sqlite3.Connection) -> None:
        rev = int(db.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0])
        rows = []
        for kind, keys in self._local.touched.items():
            if "*" in keys or len(keys) > MANY_CHANGES:
                keys = {"*"}
            rows += [(rev, kind, k) for k in keys]
        db.executemany("INSERT INTO changes VALUES (?, ?, ?)", rows)
        if rev % 50 == 0:
            db.execute("DELETE FROM changes WHERE rev <= ?", (rev - KEEP_CHANGES,))
            db.execute("INSERT OR REPLACE INTO meta VALUES ('changes_from', ?)",
                       (str(rev - KEEP_CHANGES + 1),))

    def changes_since(self, revision: object) -> StoreChanges | None:
        if not isinstance(revision, int):
            return None
        with self._snapshot() as db:
            now = int(db.execute("SELECT value FROM meta WHERE key = 'revision'"
                                 ).fetchone()[0])
            start = db.execute("SELECT value FROM meta WHERE key = 'changes_from'").fetchone()
            if revision > now or (start is not None and revision + 1 < int(start[0])):
                return None
            rows = db.execute("SELECT kind, key FROM changes WHERE rev > ?",
                              (revision,)).fetchall()
        keys: dict[str, set[str]] = {k: set() for k in (*_KINDS, "exchange", "all")}
        for kind, key in rows:
            keys[kind].add(key)
        if keys["all"] or any("*" in keys[k] for k in ("company", "flow", "process", "park")):
            return StoreChanges(now, everything=True)
        return StoreChanges(now, companies=frozenset(keys["company"]),
                            flows=frozenset(keys["flow"]),
                            processes=frozenset(keys["process"]),
                            parks=frozenset(keys["park"]),
                            candidates_of=frozenset(keys["cand"] - {"*"}),
                            all_candidates="*" in keys["cand"],
                            exchanges="*" in keys["exchange"],
                            exchanges_of=frozenset(keys["exchange"] - {"*"}))

    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        """Several reads that see one state of the store."""
        db = self._db()
        if db.in_transaction:
            yield db
            return
        db.execute("BEGIN")
        try:
            yield db
        finally:
            db.execute("COMMIT")

    def _rows(self, db: sqlite3.Connection, sql: str, params: Iterable[Any] = ()
              ) -> list[Any]:
        self.statements += 1
        return db.execute(sql, tuple(params)).fetchall()

    def _many(self, db: sqlite3.Connection, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.statements += 1
        db.executemany(sql, rows)

    def _in(self, db: sqlite3.Connection, sql: str, ids: Collection[str]) -> list[Any]:
        """``sql`` with one ``{ids}`` placeholder list, run chunk by chunk."""
        out: list[Any] = []
        for chunk in _chunks(list(ids)):
            out += self._rows(db, sql.format(ids=",".join("?" * len(chunk))), chunk)
        return out

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    def revision(self) -> object | None:
        row = self._db().execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
        return int(row[0]) if row else None

    # -- writes -------------------------------------------------------------------------
    def load(self, data: Dataset, *, candidates: CandidatePatch | None = None) -> None:
        with self._tx() as db:
            self._check_load(db, data)
            self._touch("company", (c.id for c in data.companies))
            self._touch("flow", (f.id for f in data.flows))
            self._touch("process", (p.id for p in data.processes))
            self._touch("park", [*(p.id for p in data.parks),
                                 *(c.park_id for c in data.companies if c.park_id)])
            self._many(db, "INSERT OR REPLACE INTO parks VALUES (?, ?, ?)",
                       [(p.id, p.county, _dumps(p)) for p in data.parks])
            parks_named = {c.park_id for c in data.companies if c.park_id}
            if parks_named:
                known = {r[0] for r in self._in(db, "SELECT id FROM parks WHERE id IN ({ids})",
                                                parks_named)}
                self._many(db, "INSERT INTO parks VALUES (?, NULL, ?)",
                           [(pid, _dumps(Park(pid, pid)))
                            for pid in sorted(parks_named - known)])
            at = {c.id: (c.lat, c.lon) for c in data.companies}
            moved = [(*at[cid], cid) for cid, lat, lon in self._in(
                db, "SELECT id, lat, lon FROM companies WHERE id IN ({ids})", list(at))
                if (lat, lon) != at[cid]]
            self._many(db, "INSERT OR REPLACE INTO companies VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [(c.id, c.county, c.municipality, c.park_id, c.lat, c.lon, _dumps(c))
                        for c in data.companies])
            # a flow row holds its company's place (a moved company moves its flows)
            self._many(db, "UPDATE flows SET lat = ?, lon = ? WHERE company_id = ?", moved)
            at.update((cid, (lat, lon)) for cid, lat, lon in self._in(
                db, "SELECT id, lat, lon FROM companies WHERE id IN ({ids})",
                list({f.company_id for f in data.flows} - set(at))))
            self._many(db, "INSERT OR REPLACE INTO flows (id, company_id, resource, direction, "
                           "doc, lat, lon) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [(f.id, f.company_id, f.resource, f.direction, _dumps(f),
                         *at[f.company_id]) for f in data.flows])
            if data.processes:
                ids = [p.id for p in data.processes]
                self._in(db, "DELETE FROM process_flows WHERE process_id IN ({ids})", ids)
                self._many(db, "INSERT OR REPLACE INTO processes VALUES (?, ?, ?)",
                           [(p.id, p.company_id, _dumps(p)) for p in data.processes])
                self._many(db, "INSERT OR IGNORE INTO process_flows VALUES (?, ?)",
                           [(p.id, fid) for p in data.processes
                            for fid, _ in (*p.inputs, *p.outputs)])
            if candidates is not None:
                self._patch(db, candidates)

    def _check_load(self, db: sqlite3.Connection, data: Dataset) -> None:
        new_companies = {c.id for c in data.companies}
        wanted = ({f.company_id for f in data.flows} | {p.company_id for p in data.processes}
                  ) - new_companies
        stored = {r[0] for r in self._in(db, "SELECT id FROM companies WHERE id IN ({ids})",
                                         wanted)}
        companies = new_companies | stored
        flows = {f.id for f in data.flows}
        wanted_flows = {fid for p in data.processes
                        for fid, _ in (*p.inputs, *p.outputs)} - flows
        flows |= {r[0] for r in self._in(db, "SELECT id FROM flows WHERE id IN ({ids})",
                                         wanted_flows)}
        problems = [f"flow {f.id}: company {f.company_id} does not exist"
                    for f in data.flows if f.company_id not in companies]
        for p in data.processes:
            if p.company_id not in companies:
                problems.append(f"process {p.id}: company {p.company_id} does not exist")
            problems += [f"process {p.id}: flow {fid} does not exist"
                         for fid, _ in (*p.inputs, *p.outputs) if fid not in flows]
        if problems:
            raise StoreConflictError("; ".join(problems))

    def _drop_flows(self, db: sqlite3.Connection, flow_ids: Sequence[str]) -> None:
        self._touch("flow", flow_ids)
        self._touch("cand", flow_ids)
        # the flows' exchanges go with them; readers read again those (plans keep theirs)
        self._touch("exchange", [r[0] for side in ("supply_flow", "demand_flow")
                                 for r in self._in(db, f"SELECT id FROM exchanges "  # noqa: S608
                                                       f"WHERE {side} IN ({{ids}})", flow_ids)])
        for sql in ("DELETE FROM exchanges WHERE supply_flow IN ({ids})",
                    "DELETE FROM exchanges WHERE demand_flow IN ({ids})",
                    "DELETE FROM candidates WHERE supply_flow IN ({ids})",
                    "DELETE FROM candidates WHERE demand_flow IN ({ids})",
                    "DELETE FROM flows WHERE id IN ({ids})"):
            self._in(db, sql, flow_ids)

    def delete_company(self, company_id: str, *,
                       candidates: CandidatePatch | None = None) -> None:
        with self._tx() as db:
            if not self._rows(db, "SELECT 1 FROM companies WHERE id = ?", (company_id,)):
                raise NotFoundError(f"no company {company_id}")
            flows = [r[0] for r in self._rows(db, "SELECT id FROM flows WHERE company_id = ?",
                                              (company_id,))]
            procs = [r[0] for r in self._rows(
                db, "SELECT id FROM processes WHERE company_id = ?", (company_id,))]
            self._in(db, "DELETE FROM process_flows WHERE process_id IN ({ids})", procs)
            self._in(db, "DELETE FROM processes WHERE id IN ({ids})", procs)
            self._touch("company", [company_id])
            self._touch("process", procs)
            self._drop_flows(db, flows)
            self._rows(db, "DELETE FROM companies WHERE id = ?", (company_id,))
            if candidates is not None:
                self._patch(db, candidates)

    def delete_flow(self, flow_id: str, *, candidates: CandidatePatch | None = None) -> None:
        with self._tx() as db:
            if not self._rows(db, "SELECT 1 FROM flows WHERE id = ?", (flow_id,)):
                raise NotFoundError(f"no flow {flow_id}")
            used = self._rows(db, "SELECT process_id FROM process_flows WHERE flow_id = ? "
                                  "ORDER BY process_id LIMIT 1", (flow_id,))
            if used:
                raise StoreConflictError(
                    f"flow {flow_id} is used by process {used[0][0]}: change the process first")
            self._drop_flows(db, [flow_id])
            if candidates is not None:
                self._patch(db, candidates)

    def _insert_candidates(self, db: sqlite3.Connection, cands: Iterable[Candidate]) -> None:
        """Candidates are stored without their reasons (made again when shown); a
        :class:`CandidateList` gives its rows straight from its columns, one pair each, as
        they are written."""
        if isinstance(cands, CandidateList):
            self._insert_rows(db, cands.records(), count=len(cands), unique=True)
        else:
            self._insert_rows(db, [candidate_record(c) for c in cands])

    def _insert_rows(self, db: sqlite3.Connection, rows: Iterable[Sequence[object]], *,
                     count: int | None = None, unique: bool = False) -> None:
        """Candidate rows written (``count`` of them, every one if not given, each of
        another pair if ``unique``); when they outnumber the rows the table keeps, its
        indexes are dropped and made again after (in the same transaction): sorting once
        is cheaper than keeping four indexes up to date row by row."""
        if count is None:
            rows = list(rows)
            count = len(rows)
        rebuild: list[tuple[str, str]] = []
        if count >= _REBUILD_INDEXES_FROM and count > self._rows(
                db, "SELECT count(*) FROM candidates")[0][0]:
            rebuild = [(name, sql) for name, sql in self._rows(
                db, "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                    "AND tbl_name = 'candidates' AND sql IS NOT NULL")]
            for name, _ in rebuild:
                db.execute(f"DROP INDEX {name}")
            if not unique:
                # without the unique index a repeated pair is not replaced: the last one
                # stays
                rows = list({(r[0], r[1]): r for r in rows}.values())
                count = len(rows)
        # several rows to a statement: running one costs about as much as binding its row
        cells = itertools.chain.from_iterable(rows)
        width = len(RECORD_FIELDS)
        whole = count // _ROWS_PER_INSERT
        self._many(db, _INSERT_CANDIDATES, (
            tuple(itertools.islice(cells, width * _ROWS_PER_INSERT)) for _ in range(whole)))
        self._many(db, _INSERT_CANDIDATE, (
            tuple(itertools.islice(cells, width))
            for _ in range(count - whole * _ROWS_PER_INSERT)))
        for _, sql in rebuild:
            db.execute(sql)

    def _check_candidate_flows(self, db: sqlite3.Connection,
                               cands: Sequence[Candidate]) -> None:
        ids = cands.flow_ids() if isinstance(cands, CandidateList) else {
            fid for c in cands for fid in c.key}
        known = {r[0] for r in self._in(db, "SELECT id FROM flows WHERE id IN ({ids})", ids)}
        if ids - known:
            raise StoreConflictError(f"candidates refer to unknown flows: {sorted(ids - known)}")

    def _patch(self, db: sqlite3.Connection, patch: CandidatePatch) -> None:
        """Only the difference is written: an edit re-matches its neighbourhood, and most
        of the neighbours' candidates come out as they were."""
        self._touch("cand", patch.flows)
        self._check_candidate_flows(db, patch.candidates)
        if isinstance(patch.candidates, CandidateList) and not self._rows(
                db, "SELECT 1 FROM candidates LIMIT 1"):
            # a first import: nothing stored to compare with, rows written as they come
            self._insert_candidates(db, patch.candidates)
            return
        new: dict[Any, tuple[object, ...]] = {(r[0], r[1]): r for r in (
            patch.candidates.records() if isinstance(patch.candidates, CandidateList)
            else (candidate_record(c) for c in patch.candidates))}
        old: dict[Any, tuple[object, ...]] = {}
        for side in ("supply_flow", "demand_flow"):
            for r in self._in(db, f"SELECT {_CANDIDATE_COLUMNS} FROM candidates "  # noqa: S608
                                  f"WHERE {side} IN ({{ids}})", sorted(patch.flows)):
                old[(r[0], r[1])] = tuple(r)
        gone = [k for k in old if k not in new]
        self._many(db, "DELETE FROM candidates WHERE supply_flow = ? AND demand_flow = ?",
                   gone)
        self._insert_rows(db, [r for k, r in new.items() if old.get(k) != r])

    def replace_candidates(self, candidates: Sequence[Candidate], *,
                           flows: Collection[str] | None = None) -> None:
        with self._tx() as db:
            if flows is not None:
                self._patch(db, CandidatePatch(frozenset(flows), tuple(candidates)))
                return
            self._check_candidate_flows(db, candidates)
            self._touch("cand")
            self._rows(db, "DELETE FROM candidates")
            self._insert_candidates(db, candidates)

    def _put_exchanges(self, db: sqlite3.Connection, exchanges: Sequence[Exchange]) -> None:
        self._touch("exchange", [e.id for e in exchanges])
        ids = {fid for e in exchanges for fid in (e.supply_flow, e.demand_flow)}
        known = {r[0] for r in self._in(db, "SELECT id FROM flows WHERE id IN ({ids})", ids)}
        for e in exchanges:
            for fid in (e.supply_flow, e.demand_flow):
                if fid not in known:
                    raise StoreConflictError(f"exchange {e.id}: unknown flow {fid}")
        self._many(db, "INSERT OR REPLACE INTO exchanges VALUES (?, ?, ?, ?, ?, ?)",
                   [(e.id, e.supply_flow, e.demand_flow, e.status, e.plan_id, _dumps(e))
                    for e in exchanges])

    def save_plan(self, plan: Plan, exchanges: Sequence[Exchange]) -> None:
        proposed = ExchangeStatus.PROPOSED.value
        with self._tx() as db:
            self._touch("exchange")
            # the proposals of earlier plans of this scope: plans by the scope index, their
            # exchanges by the plan index
            # (``+status``: the status index would read every proposal of every scope)
            self._rows(db, "DELETE FROM exchanges WHERE plan_id IN "
                           "(SELECT id FROM plans WHERE scope = ?) AND +status = ?",
                       (plan.scope.key, proposed))
            # one live proposal per pair: a pair proposed again leaves its other scope
            self._many(db, "DELETE FROM exchanges WHERE supply_flow = ? AND demand_flow = ? "
                           "AND +status = ?",
                       [(e.supply_flow, e.demand_flow, proposed) for e in exchanges])
            self._put_exchanges(db, exchanges)
            self._put_plan(db, plan)

    def _put_plan(self, db: sqlite3.Connection, plan: Plan) -> None:
        self._rows(db, "INSERT OR REPLACE INTO plans (id, created_at, doc, scope, scenario) "
                       "VALUES (?, ?, ?, ?, ?)",
                   (plan.id, plan.created_at, _dumps(plan), plan.scope.key, plan.scenario))

    def save_scenario(self, plan: Plan) -> None:
        with self._tx() as db:
            self._touch("exchange")  # readers reload plans with the exchanges
            self._put_plan(db, plan)

    def put_exchange(self, exchange: Exchange) -> None:
        with self._tx() as db:
            self._put_exchanges(db, [exchange])

    def clear(self) -> None:
        with self._tx() as db:
            self._touch("all")
            for table in ("parks", "companies", "flows", "processes", "process_flows",
                          "candidates", "exchanges", "plans"):
                self._rows(db, f"DELETE FROM {table}")  # noqa: S608 - fixed names
            self._rows(db, "DELETE FROM meta WHERE key LIKE 'setting:%'")

    # settings live in the meta table under 'setting:' + key (no schema change)
    def put_setting(self, key: str, value: str) -> None:
        with self._tx() as db:
            self._rows(db, "INSERT OR REPLACE INTO meta VALUES (?, ?)", ("setting:" + key, value))

    def settings(self) -> dict[str, str]:
        rows = self._rows(self._db(), "SELECT key, value FROM meta WHERE key LIKE 'setting:%'")
        return {str(k)[len("setting:"):]: str(v) for k, v in rows}

    # -- reads --------------------------------------------------------------------------
    def _companies_where(self, db: sqlite3.Connection, county: str | None,
                         municipality: str | None, park_id: str | None) -> list[Company]:
        where, params = _where(county=county, municipality=municipality, park_id=park_id)
        return [codec.company(_loads(r[0])) for r in self._rows(
            db, f"SELECT doc FROM companies{where} ORDER BY id", params)]  # noqa: S608

    def dataset(self, *, county: str | None = None, municipality: str | None = None,
                park_id: str | None = None) -> Dataset:
        with self._snapshot() as db:
            companies = self._companies_where(db, county, municipality, park_id)
            everything = county is None and municipality is None and park_id is None
            if everything:
                flows = self._rows(db, "SELECT doc FROM flows ORDER BY id")
                procs = self._rows(db, "SELECT doc FROM processes ORDER BY id")
                parks = self._rows(db, "SELECT doc FROM parks ORDER BY id")
            else:
                ids = [c.id for c in companies]
                flows = self._in(db, "SELECT doc FROM flows WHERE company_id IN ({ids})", ids)
                procs = self._in(db, "SELECT doc FROM processes WHERE company_id IN ({ids})",
                                 ids)
                park_ids = {c.park_id for c in companies if c.park_id} | (
                    {park_id} if park_id else set())
                parks = self._in(db, "SELECT doc FROM parks WHERE id IN ({ids})", park_ids)
                if county is not None:
                    parks += self._rows(db, "SELECT doc FROM parks WHERE county = ? ",
                                        (county,))
        flow_list = sorted((codec.flow(_loads(r[0])) for r in flows), key=lambda f: f.id)
        proc_list = sorted((codec.process(_loads(r[0])) for r in procs),
                           key=lambda p: p.id)
        park_map = {p.id: p for p in (codec.park(_loads(r[0])) for r in parks)}
        return Dataset(companies=tuple(companies), flows=tuple(flow_list),
                       processes=tuple(proc_list),
                       parks=tuple(park_map[k] for k in sorted(park_map)))

    def companies(self, *, county: str | None = None, municipality: str | None = None,
                  park_id: str | None = None) -> list[Company]:
        return self._companies_where(self._db(), county, municipality, park_id)

    def company(self, company_id: str) -> Company | None:
        rows = self._rows(self._db(), "SELECT doc FROM companies WHERE id = ?", (company_id,))
        return codec.company(_loads(rows[0][0])) if rows else None

    def processes(self, *, company_id: str | None = None) -> list[Process]:
        where, params = _where(company_id=company_id)
        return [codec.process(_loads(r[0])) for r in self._rows(
            self._db(), f"SELECT doc FROM processes{where} ORDER BY id", params)]  # noqa: S608

    def parks(self) -> list[Park]:
        return [codec.park(_loads(r[0]))
                for r in self._rows(self._db(), "SELECT doc FROM parks ORDER BY id")]

    def flows_by_id(self, ids: Collection[str]) -> list[Flow]:
        return [codec.flow(_loads(r[0])) for r in self._in(
            self._db(), "SELECT doc FROM flows WHERE id IN ({ids})", ids)]

    def companies_by_id(self, ids: Collection[str]) -> list[Company]:
        return [codec.company(_loads(r[0])) for r in self._in(
            self._db(), "SELECT doc FROM companies WHERE id IN ({ids})", ids)]

    def candidate_keys(self) -> set[tuple[str, str]]:
        return set(self._rows(self._db(), "SELECT supply_flow, demand_flow FROM candidates"))

    def candidates_of(self, flow_ids: Collection[str]) -> list[Candidate]:
        found: dict[tuple[str, str], Candidate] = {}
        with self._snapshot() as db:
            for side in ("supply_flow", "demand_flow"):
                for r in self._in(db, f"SELECT {_CANDIDATE_COLUMNS} FROM candidates "  # noqa: S608
                                      f"WHERE {side} IN ({{ids}})", flow_ids):
                    c = _candidate(r)
                    found[c.key] = c
        return sorted(found.values(), key=lambda c: (-c.score, c.supply_flow, c.demand_flow))

    def kth_scores(self, flow_ids: Collection[str], k: int) -> dict[str, float]:
        out: dict[str, float] = {}
        with self._snapshot() as db:
            for side in ("supply_flow", "demand_flow"):
                out.update((flow, score) for flow, score in self._in(
                    db, f"SELECT flow, score FROM (SELECT {side} AS flow, score, "  # noqa: S608
                        f"ROW_NUMBER() OVER (PARTITION BY {side} ORDER BY score DESC) AS n "
                        f"FROM candidates WHERE {side} IN ({{ids}})) WHERE n = {int(k)}",
                    flow_ids))
        return out

    def exchange(self, exchange_id: str) -> Exchange | None:
        rows = self._rows(self._db(), "SELECT doc FROM exchanges WHERE id = ?", (exchange_id,))
        return codec.exchange(_loads(rows[0][0])) if rows else None

    def points(self, resources: Collection[str], *, south: float, west: float, north: float,
               east: float) -> list[FlowPoint]:
        wanted = sorted(set(resources))
        marks = ",".join("?" * len(wanted))
        query = ("SELECT id, company_id, resource, direction, lat, lon FROM flows "
                 f"WHERE resource IN ({marks}) AND lat BETWEEN ? AND ? "  # noqa: S608
                 "AND lon BETWEEN ? AND ?")
        rows = self._rows(self._db(), query, (*wanted, south, north, west, east))
        return rows

    def flows(self, *, company_id: str | None = None, resource: str | None = None,
              direction: str | None = None, county: str | None = None,
              park_id: str | None = None) -> list[Flow]:
        where, params = _where(**{"f.company_id": company_id, "f.resource": resource,
                                  "f.direction": direction, "c.county": county,
                                  "c.park_id": park_id})
        join = " JOIN companies c ON c.id = f.company_id" if county or park_id else ""
        return [codec.flow(_loads(r[0])) for r in self._rows(
            self._db(), f"SELECT f.doc FROM flows f{join}{where} ORDER BY f.id",  # noqa: S608
            params)]

    def candidates(self, *, company_id: str | None = None, flow_id: str | None = None,
                   county: str | None = None, resource: str | None = None) -> list[Candidate]:
        """Best first; without reasons (:func:`symbiosis.matching.explain` makes them)."""
        clauses: list[str] = []
        params: list[Any] = []
        if flow_id is not None:
            clauses.append("(supply_flow = ? OR demand_flow = ?)")
            params += [flow_id, flow_id]
        # a company's and a county's candidates through their flows: each side by its
        # flow index
        if company_id is not None:
            clauses.append("(supply_flow IN (SELECT id FROM flows WHERE company_id = ?) "
                           "OR demand_flow IN (SELECT id FROM flows WHERE company_id = ?))")
            params += [company_id, company_id]
        if resource is not None:
            clauses.append("(resource = ? OR demand_resource = ?)")
            params += [resource, resource]
        if county is not None:
            in_county = ("SELECT f.id FROM flows f JOIN companies c ON c.id = f.company_id "
                         "WHERE c.county = ?")
            clauses.append(f"(supply_flow IN ({in_county}) OR demand_flow IN ({in_county}))")
            params += [county, county]
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self._rows(self._db(), f"SELECT {_CANDIDATE_COLUMNS} FROM candidates"  # noqa: S608
                          + where + " ORDER BY score DESC, supply_flow, demand_flow", params)
        return [_candidate(r) for r in rows]

    def plans(self) -> list[Plan]:
        return [codec.plan(_loads(r[0])) for r in self._rows(
            self._db(), "SELECT doc FROM plans ORDER BY created_at DESC, id DESC")]

    def plan(self, plan_id: str) -> Plan | None:
        rows = self._rows(self._db(), "SELECT doc FROM plans WHERE id = ?", (plan_id,))
        return codec.plan(_loads(rows[0][0])) if rows else None

    def exchanges(self, *, status: str | None = None) -> list[Exchange]:
        where, params = _where(status=status)
        return [codec.exchange(_loads(r[0])) for r in self._rows(
            self._db(), f"SELECT doc FROM exchanges{where} ORDER BY id", params)]  # noqa: S608

    def value_chains(self, flow_id: str, *, max_steps: int = 3) -> list[tuple[str, ...]]:
        with self._snapshot():
            return _value_chains(self.candidates(), self.processes(), flow_id,
                                 max_steps=max_steps)

    def counts(self) -> dict[str, int]:
        tables = {"Company": "companies", "Flow": "flows", "Process": "processes",
                  "Park": "parks", "CAN_FEED": "candidates", "FEEDS": "exchanges",
                  "plans": "plans"}
        with self._snapshot() as db:
            return {k: int(self._rows(db, f"SELECT count(*) FROM {t}")[0][0])  # noqa: S608
                    for k, t in tables.items()}


def _statements(db: sqlite3.Connection, script: str) -> None:
    """The statements of ``script`` run one by one (inside the caller's transaction)."""
    for statement in filter(None, (x.strip() for x in script.split(";"))):
        db.execute(statement)


def _candidate(row: Sequence[Any]) -> Candidate:
    """A candidate from its stored columns (:data:`RECORD_FIELDS`): no reasons are stored."""
    attributes = dict(zip(RECORD_FIELDS, row, strict=True))
    attributes["reasons"] = attributes["limits"] = ()
    return codec.made(Candidate, attributes)


def _where(**filters: Any) -> tuple[str, list[Any]]:
    used = [(k, v) for k, v in filters.items() if v is not None]
    if not used:
        return "", []
    return " WHERE " + " AND ".join(f"{k} = ?" for k, _ in used), [v for _, v in used]


# -- the earlier JSON format ------------------------------------------------------------------
def _is_json_store(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(1) == b"{"


def _migrate_json(path: Path) -> None:
    """Read a store of format 1 (a networkx graph as JSON) into a new SQLite file at
    ``path``; the old file is kept as ``path.v1.json``."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("format") != 1:
            raise ValueError(f"unknown format {doc.get('format')!r}")
    except (OSError, ValueError) as exc:
        raise StoreUnavailableError(f"cannot read store file {path}: {exc}") from exc
    nodes: dict[str, list[dict[str, Any]]] = {}
    for n in doc["graph"]["nodes"]:
        nodes.setdefault(n["kind"], []).append(n["data"])
    edges: dict[str, list[dict[str, Any]]] = {}
    for e in doc["graph"]["edges"]:
        rel = str(e.get("key", "")).split(":", 1)[0]
        if "data" in e:
            edges.setdefault(rel, []).append(e["data"])
    tmp = path.with_name(f".{path.name}.migrating")
    tmp.unlink(missing_ok=True)
    new = EmbeddedStore(tmp)
    new.load(Dataset(companies=tuple(codec.company(d) for d in nodes.get("Company", [])),
                     flows=tuple(codec.flow(d) for d in nodes.get("Flow", [])),
                     processes=tuple(codec.process(d) for d in nodes.get("Process", [])),
                     parks=tuple(codec.park(d) for d in nodes.get("Park", []))))
    new.replace_candidates([codec.candidate(d) for d in edges.get("CAN_FEED", [])])
    with new._tx() as db:
        new._put_exchanges(db, [codec.exchange(d) for d in edges.get("FEEDS", [])])
        new._many(db, "INSERT OR REPLACE INTO plans (id, created_at, doc) VALUES (?, ?, ?)",
                  [(p["id"], p.get("created_at"), json.dumps(p, ensure_ascii=False))
                   for p in doc.get("plans", {}).values()])
    new.close()
    os.replace(path, path.with_name(path.name + ".v1.json"))
    os.replace(tmp, path)
