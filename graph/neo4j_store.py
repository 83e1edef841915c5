"""The Neo4j store: official driver over Bolt, batched ``UNWIND`` writes, one managed
transaction per use case, driver errors turned into the project's own exceptions."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, LiteralString, TypeVar
from urllib.parse import unquote, urlsplit

import neo4j
from neo4j import GraphDatabase, ManagedTransaction
from neo4j.exceptions import ConstraintError, Neo4jError, ServiceUnavailable, SessionExpired

from symbiosis.errors import (
    NotFoundError,
    StoreConflictError,
    StoreError,
    StoreUnavailableError,
)
from symbiosis.model import Candidate, Company, Dataset, Exchange, Flow, FlowPoint, Plan

from . import codec
from . import cypher as q
from .base import CandidatePatch, Store

__all__ = ["Neo4jStore"]

T = TypeVar("T")
BATCH = 5000
MAX_CHAIN_STEPS = 6
_JSON_FIELDS = {"quality", "inputs", "outputs", "history", "reasons", "limits"}
_ALWAYS = {"status"}  # queries filter on it, so it is written even at its default


def _props(obj: Any) -> dict[str, Any]:
    """Node or relationship properties: primitives and lists only, no nulls, and nothing
    equal to its field's default (the codec restores defaults on reading)."""
    cls = type(obj)
    defaults = codec.plain_defaults(cls)
    out = {}
    for key in codec.field_names(cls):
        value = getattr(obj, key)
        if value is None:
            continue
        if not isinstance(value, codec.SCALARS):
            value = codec.plain(value)
        if key in defaults and value == defaults[key] and key not in _ALWAYS:
            continue
        out[key] = json.dumps(value) if key in _JSON_FIELDS else value
    return out


def _batched(tx: ManagedTransaction, query: LiteralString, rows: list[dict[str, Any]],
             *, weight: str | None = None) -> None:
    """Run ``query`` (``UNWIND $rows``) over ``rows`` in batches of about ``BATCH`` items;
    with ``weight``, a row counts once plus once per element of its list ``row[weight]``."""
    start, size = 0, 0
    for i, row in enumerate(rows):
        size += 1 + (len(row[weight]) if weight else 0)
        if size >= BATCH:
            tx.run(query, rows=rows[start:i + 1]).consume()
            start, size = i + 1, 0
    if start < len(rows):
        tx.run(query, rows=rows[start:]).consume()


def _fingerprint(props: dict[str, Any]) -> str:
    """A short digest of a relationship's properties, to tell whether it changed."""
    text = json.dumps(props, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def _existing(tx: ManagedTransaction, query: LiteralString, ids: list[str]) -> set[str]:
    """Which of ``ids`` the store holds (no round trip for none)."""
    return {r["id"] for r in tx.run(query, ids=ids)} if ids else set()


class Neo4jStore(Store):
    """Graph store on a Neo4j 5 compatible server."""

    def __init__(self, uri: str, *, user: str = "neo4j", password: str = "",
                 database: str = "neo4j", create_schema: bool = True):
        self.url = f"{uri}/{database}"
        self.database = database
        try:
            self._driver = GraphDatabase.driver(uri, auth=(user, password))
            self._driver.verify_connectivity()
        except (ServiceUnavailable, SessionExpired, OSError) as exc:
            raise StoreUnavailableError(f"cannot reach the graph server at {uri}: {exc}") from exc
        except Neo4jError as exc:
            raise StoreUnavailableError(f"graph server at {uri} refused: {exc}") from exc
        if create_schema:
            self.ensure_schema()

    @classmethod
    def from_url(cls, url: str) -> Neo4jStore:
        """``neo4j://user:password@host:7687/database`` (also ``bolt://``)."""
        parts = urlsplit(url)
        if not parts.hostname:
            raise StoreUnavailableError(f"no host in store URL {url!r}")
        uri = f"{parts.scheme}://{parts.hostname}:{parts.port or 7687}"
        database = parts.path.strip("/") or "neo4j"
        return cls(uri, user=unquote(parts.username or "neo4j"),
                   password=unquote(parts.password or ""), database=database)

    # -- plumbing -------------------------------------------------------------------
    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except ConstraintError as exc:
            raise StoreConflictError(f"uniqueness rule broken: {exc.message}") from exc
        except (ServiceUnavailable, SessionExpired) as exc:
            raise StoreUnavailableError(f"graph server unavailable: {exc}") from exc
        except Neo4jError as exc:
            raise StoreError(f"graph server error: {exc.message}") from exc

    def _write(self, work: Callable[[ManagedTransaction], T]) -> T:
        with self._errors(), self._driver.session(database=self.database) as session:
            return session.execute_write(work)

    def _read(self, query: LiteralString, **params: Any) -> list[neo4j.Record]:
        with self._errors():
            records, _, _ = self._driver.execute_query(query, params, database_=self.database,
                                                       routing_=neo4j.RoutingControl.READ)
        return records

    def ensure_schema(self) -> None:
        with self._errors(), self._driver.session(database=self.database) as session:
            for statement in q.SCHEMA:
                session.run(statement).consume()
        if self._read(q.UNSCOPED_PLAN):
            self._write(self._scope_old_plans)

    @staticmethod
    def _scope_old_plans(tx: ManagedTransaction) -> None:
        """Plans stored before plans had a scope count as plans for everything."""
        supplies: dict[str, set[str]] = {}
        for r in tx.run(q.OLD_PLAN_SUPPLIES):
            supplies.setdefault(r["plan_id"], set()).add(r["supply"])
        tx.run(q.SCOPE_OLD_PLANS).consume()
        tx.run(q.SET_PLAN_SUPPLIES, rows=[{"id": k, "supplies": sorted(v)}
                                          for k, v in supplies.items()]).consume()

    def is_empty(self) -> bool:
        return self._read(q.ANY_NODE)[0]["n"] == 0

    def close(self) -> None:
        self._driver.close()

    # -- writes ---------------------------------------------------------------------
    def _patch(self, tx: ManagedTransaction, patch: CandidatePatch | None) -> None:
        if patch is None:
            return
        self._check_flows(tx, {fid for c in patch.candidates for fid in c.key}, "candidates")
        tx.run(q.DELETE_CANDIDATES_OF, ids=sorted(patch.flows)).consume()
        _batched(tx, q.CREATE_CANDIDATES, [
            {"supply_flow": c.supply_flow, "demand_flow": c.demand_flow,
             "props": self._candidate_props(c)} for c in patch.candidates])

    @staticmethod
    def _candidate_props(c: Candidate) -> dict[str, Any]:
        """Stored without reasons and limits: they are made again from the data when shown
        (:func:`symbiosis.matching.explain`)."""
        props = _props(dataclasses.replace(c, reasons=(), limits=()))
        props["fingerprint"] = _fingerprint(props)
        return props

    def load(self, data: Dataset, *, candidates: CandidatePatch | None = None) -> None:
        companies: list[dict[str, Any]] = [{"id": c.id, "props": _props(c)}
                                           for c in data.companies]
        parks = [{"id": p.id, "props": _props(p)} for p in data.parks]
        flows: list[dict[str, Any]] = [{"id": f.id, "company_id": f.company_id,
                                        "props": _props(f)} for f in data.flows]
        processes = [{"id": p.id, "company_id": p.company_id, "props": _props(p)}
                     for p in data.processes]
        links = [{"process": p.id, "flow": fid, "coef": coef, "side": side}
                 for p in data.processes
                 for side, pairs in (("input", p.inputs), ("output", p.outputs))
                 for fid, coef in pairs]
        conversions = [{"process": p.id, "input": a, "output": b}
                       for p in data.processes for a, _ in p.inputs for b, _ in p.outputs]
        in_batch = {c.id for c in data.companies}
        need_companies = sorted(({f.company_id for f in data.flows} |
                                 {p.company_id for p in data.processes}) - in_batch)
        batch_flows = {f.id for f in data.flows}
        need_flows = sorted({fid for p in data.processes for fid, _ in (*p.inputs, *p.outputs)}
                            - batch_flows)

        def work(tx: ManagedTransaction) -> None:
            known = _existing(tx, q.EXISTING_COMPANIES, need_companies)
            known_flows = _existing(tx, q.EXISTING_FLOWS, need_flows)
            problems = [f"company {c} does not exist" for c in need_companies if c not in known]
            problems += [f"flow {fid} does not exist" for fid in need_flows
                         if fid not in known_flows]
            if problems:
                raise StoreConflictError("; ".join(problems))
            # new companies are created with their new flows in one statement; existing
            # companies and flows are merged and re-linked
            old_companies = _existing(tx, q.EXISTING_COMPANIES, sorted(in_batch))
            old_flows = _existing(tx, q.EXISTING_FLOWS, sorted(batch_flows))
            _batched(tx, q.MERGE_PARKS, parks)
            new_flows: dict[str, list[dict[str, Any]]] = {
                c.id: [] for c in data.companies if c.id not in old_companies}
            later: list[dict[str, Any]] = []
            for r in flows:
                if r["id"] in old_flows:
                    continue
                if r["company_id"] in new_flows:
                    new_flows[r["company_id"]].append(r["props"])
                else:
                    later.append(r)
            created = [{"props": c["props"], "park_id": c["props"].get("park_id"),
                        "flows": new_flows[c["id"]]}
                       for c in companies if c["id"] in new_flows]
            _batched(tx, q.CREATE_COMPANIES, created, weight="flows")
            _batched(tx, q.MERGE_COMPANIES, [r for r in companies if r["id"] in old_companies])
            _batched(tx, q.LINK_PARKS, [{"id": c.id, "park_id": c.park_id}
                                        for c in data.companies
                                        if c.park_id and c.id in old_companies])
            _batched(tx, q.CREATE_FLOWS, later)
            moved = [r for r in flows if r["id"] in old_flows]
            _batched(tx, q.UNLINK_MOVED_FLOWS, moved)
            _batched(tx, q.MERGE_FLOWS, moved)
            tx.run(q.UNLINK_CONVERSIONS, ids=[p.id for p in data.processes]).consume()
            _batched(tx, q.MERGE_PROCESSES, processes)
            _batched(tx, q.LINK_PROCESS_FLOWS, links)
            _batched(tx, q.LINK_CONVERSIONS, conversions)
            self._patch(tx, candidates)

        self._write(work)

    def delete_company(self, company_id: str, *,
                       candidates: CandidatePatch | None = None) -> None:
        def work(tx: ManagedTransaction) -> None:
            if not list(tx.run(q.EXISTING_COMPANIES, ids=[company_id])):
                raise NotFoundError(f"no company {company_id}")
            tx.run(q.DELETE_COMPANY, id=company_id).consume()
            self._patch(tx, candidates)
        self._write(work)

    def delete_flow(self, flow_id: str, *, candidates: CandidatePatch | None = None) -> None:
        def work(tx: ManagedTransaction) -> None:
            if not list(tx.run(q.EXISTING_FLOWS, ids=[flow_id])):
                raise NotFoundError(f"no flow {flow_id}")
            used = tx.run(q.FLOW_IN_PROCESS, id=flow_id).single()
            if used is not None:
                raise StoreConflictError(f"flow {flow_id} is used by process {used['process']}:"
                                         " change the process first")
            tx.run(q.DELETE_FLOW, id=flow_id).consume()
            self._patch(tx, candidates)
        self._write(work)

    def _check_flows(self, tx: ManagedTransaction, ids: set[str], what: str) -> None:
        found = _existing(tx, q.EXISTING_FLOWS, sorted(ids))
        missing = ids - found
        if missing:
            raise StoreConflictError(f"{what} refer to unknown flows: {sorted(missing)}")

    def replace_candidates(self, candidates: Sequence[Candidate], *,
                           flows: Collection[str] | None = None) -> None:
        """Only the difference is written: links that are gone or changed are deleted, new
        and changed ones created. Each link carries a fingerprint of its properties, so a
        new matching run over mostly unchanged data writes little."""
        if flows is not None:
            patch = CandidatePatch(frozenset(flows), tuple(candidates))
            self._write(lambda tx: self._patch(tx, patch))
            return
        rows: dict[tuple[str, str], dict[str, Any]] = {
            c.key: {"supply_flow": c.supply_flow, "demand_flow": c.demand_flow,
                    "props": self._candidate_props(c)} for c in candidates}

        def work(tx: ManagedTransaction) -> None:
            self._check_flows(tx, {fid for key in rows for fid in key}, "candidates")
            if not rows:
                tx.run(q.DELETE_CANDIDATES).consume()
                return
            stored = {(r["supply_flow"], r["demand_flow"]): r["fingerprint"]
                      for r in tx.run(q.CANDIDATE_FINGERPRINTS)}
            stale = [{"supply_flow": s, "demand_flow": d} for (s, d), fp in stored.items()
                     if (s, d) not in rows or rows[s, d]["props"]["fingerprint"] != fp]
            _batched(tx, q.DELETE_SOME_CANDIDATES, stale)
            _batched(tx, q.CREATE_CANDIDATES, [
                r for key, r in rows.items()
                if stored.get(key) != r["props"]["fingerprint"]])
        self._write(work)

    def _exchange_rows(self, exchanges: Sequence[Exchange]) -> list[dict[str, Any]]:
        return [{"supply_flow": e.supply_flow, "demand_flow": e.demand_flow,
                 "props": _props(e)} for e in exchanges]

    def save_plan(self, plan: Plan, exchanges: Sequence[Exchange]) -> None:
        rows = self._exchange_rows(exchanges)
        pairs = [{"supply_flow": e.supply_flow, "demand_flow": e.demand_flow}
                 for e in exchanges]

        def work(tx: ManagedTransaction) -> None:
            self._check_flows(tx, {fid for e in exchanges
                                   for fid in (e.supply_flow, e.demand_flow)}, "exchanges")
            earlier = [(r["id"], r["supplies"] or []) for r in
                       tx.run(q.LIVE_PLANS, scope=plan.scope.key)]
            _batched(tx, q.DELETE_PLAN_PROPOSALS, [{"plan_id": pid, "supply": sid}
                                                   for pid, ids in earlier for sid in ids])
            _batched(tx, q.DELETE_PROPOSED_PAIRS, pairs)
            tx.run(q.UNLIVE_PLANS, ids=[pid for pid, _ in earlier]).consume()
            _batched(tx, q.CREATE_EXCHANGES, rows)
            self._merge_plan(tx, plan, live=True,
                             supplies=sorted({e.supply_flow for e in exchanges}))
        self._write(work)

    @staticmethod
    def _merge_plan(tx: ManagedTransaction, plan: Plan, *, live: bool,
                    supplies: list[str]) -> None:
        tx.run(q.MERGE_PLAN, id=plan.id, created_at=plan.created_at, json=codec.dumps(plan),
               scope=plan.scope.key, scenario=plan.scenario, live=live,
               supplies=supplies).consume()

    def save_scenario(self, plan: Plan) -> None:
        self._write(lambda tx: self._merge_plan(tx, plan, live=False, supplies=[]))

    def put_exchange(self, exchange: Exchange) -> None:
        def work(tx: ManagedTransaction) -> None:
            self._check_flows(tx, {exchange.supply_flow, exchange.demand_flow}, "exchange")
            tx.run(q.DELETE_EXCHANGE, id=exchange.id).consume()
            tx.run(q.CREATE_EXCHANGES, rows=self._exchange_rows([exchange])).consume()
        self._write(work)

    def clear(self) -> None:
        self._write(lambda tx: tx.run(q.CLEAR).consume())

    def put_setting(self, key: str, value: str) -> None:
        self._write(lambda tx: tx.run(q.PUT_SETTING, key=key, value=value).consume())

    def settings(self) -> dict[str, str]:
        return {str(r["key"]): str(r["value"]) for r in self._read(q.SETTINGS)}

    # -- reads ----------------------------------------------------------------------
    def flows_by_id(self, ids: Collection[str]) -> list[Flow]:
        return [codec.flow(r["props"]) for r in self._read(q.FLOWS_BY_ID, ids=sorted(ids))]

    def companies_by_id(self, ids: Collection[str]) -> list[Company]:
        return [codec.company(r["props"])
                for r in self._read(q.COMPANIES_BY_ID, ids=sorted(ids))]

    def candidate_keys(self) -> set[tuple[str, str]]:
        return {(r["supply_flow"], r["demand_flow"]) for r in self._read(q.CANDIDATE_FINGERPRINTS)}

    def candidates_of(self, flow_ids: Collection[str]) -> list[Candidate]:
        found = (codec.candidate(r["props"]) for r in self._read(q.CANDIDATES_OF,
                                                               ids=sorted(flow_ids)))
        return sorted({c.key: c for c in found}.values(),
                      key=lambda c: (-c.score, c.supply_flow, c.demand_flow))

    def kth_scores(self, flow_ids: Collection[str], k: int) -> dict[str, float]:
        return {r["id"]: float(r["score"])
                for r in self._read(q.KTH_SCORES, ids=sorted(flow_ids), k=int(k))}

    def points(self, resources: Collection[str], *, south: float, west: float, north: float,
               east: float) -> list[FlowPoint]:
        return [(r["id"], r["company"], r["resource"], r["direction"], float(r["lat"]),
                 float(r["lon"]))
                for r in self._read(q.POINTS, resources=sorted(set(resources)), south=south,
                                    west=west, north=north, east=east)]

    def dataset(self, *, county: str | None = None, municipality: str | None = None,
                park_id: str | None = None) -> Dataset:
        companies = [codec.company(r["props"]) for r in self._read(
            q.COMPANIES, county=county, municipality=municipality, park_id=park_id)]
        ids = [c.id for c in companies]
        flows = [codec.flow(r["props"]) for r in self._read(q.FLOWS_OF, ids=ids)]
        processes = [codec.process(r["props"]) for r in self._read(q.PROCESSES_OF, ids=ids)]
        park_ids = {c.park_id for c in companies if c.park_id}
        everything = county is None and municipality is None and park_id is None
        parks = [codec.park(r["props"]) for r in self._read(q.PARKS)]
        parks = [p for p in parks if everything or p.id in park_ids or p.id == park_id
                 or (county is not None and p.county == county)]
        return Dataset(companies=tuple(companies), flows=tuple(flows),
                       processes=tuple(processes), parks=tuple(parks))

    def companies(self, *, county: str | None = None, municipality: str | None = None,
                  park_id: str | None = None) -> list[Company]:
        return [codec.company(r["props"]) for r in self._read(
            q.COMPANIES, county=county, municipality=municipality, park_id=park_id)]

    def flows(self, *, company_id: str | None = None, resource: str | None = None,
              direction: str | None = None, county: str | None = None,
              park_id: str | None = None) -> list[Flow]:
        return [codec.flow(r["props"]) for r in self._read(
            q.FLOWS, company_id=company_id, resource=resource, direction=direction,
            county=county, park_id=park_id)]

    def candidates(self, *, company_id: str | None = None, flow_id: str | None = None,
                   county: str | None = None, resource: str | None = None) -> list[Candidate]:
        if company_id is not None:  # anchored on the company: no scan of all links
            companies = None
            if county is not None:
                companies = {r["id"] for r in self._read(q.COUNTY_COMPANIES, county=county)}
            rows = self._read(q.COMPANY_CANDIDATES, company_id=company_id)
            out = [c for c in (codec.candidate(r["props"]) for r in rows)
                   if (flow_id is None or flow_id in c.key)
                   and (resource is None or resource in (c.resource, c.demand_resource))
                   and (companies is None or {c.supply_company, c.demand_company}
                        & companies)]
        elif county is not None:
            found = (codec.candidate(r["props"]) for r in self._read(
                q.COUNTY_CANDIDATES, county=county, flow_id=flow_id, resource=resource))
            out = list({c.key: c for c in found}.values())
        else:
            out = [codec.candidate(r["props"]) for r in self._read(
                q.CANDIDATES, flow_id=flow_id, resource=resource)]
        return sorted(out, key=lambda c: (-c.score, c.supply_flow, c.demand_flow))

    def plans(self) -> list[Plan]:
        plans = [codec.plan(json.loads(r["json"])) for r in self._read(q.PLANS)]
        return sorted(plans, key=lambda p: (p.created_at, p.id), reverse=True)

    def exchanges(self, *, status: str | None = None) -> list[Exchange]:
        return sorted((codec.exchange(r["props"]) for r in self._read(q.EXCHANGES,
                                                                     status=status)),
                      key=lambda e: e.id)

    def value_chains(self, flow_id: str, *, max_steps: int = 3) -> list[tuple[str, ...]]:
        if not 1 <= max_steps <= MAX_CHAIN_STEPS:
            raise StoreError(f"max_steps must be 1 to {MAX_CHAIN_STEPS}")
        chains = set()
        for r in self._read(q.CHAINS, id=flow_id):
            ids = tuple(r["ids"])
            if len(ids) // 2 <= max_steps and len(set(ids)) == len(ids):
                chains.add(ids)
        return sorted(chains, key=lambda ch: (len(ch), ch))

    def counts(self) -> dict[str, int]:
        return {k: self._read(query)[0]["n"] for k, query in q.COUNT_LABEL.items()}
