"""The embedded store: a networkx graph persisted to one JSON file.

Writes are atomic: the new file is written beside the old one, flushed and fsynced, then
renamed over it, so a process killed mid-write leaves the previous file intact. A lock file
serialises writers across processes; readers pick up another process's writes.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
from filelock import FileLock

from symbiosis.errors import NotFoundError, StoreConflictError, StoreUnavailableError
from symbiosis.matching import value_chains as _value_chains
from symbiosis.model import Candidate, Dataset, Exchange, ExchangeStatus, Flow, Plan

from . import codec
from .base import Store

__all__ = ["MemoryStore"]

FORMAT_VERSION = 1


def _nid(kind: str, key: str) -> str:
    return f"{kind}:{key}"


class MemoryStore(Store):
    """Embedded graph store in a single file (default ``./symbiosis-store.json``)."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self.url = f"file:{self.path}"
        self._lock = FileLock(str(self.path) + ".lock")
        self._stamp: tuple[int, int] | None = None
        self._g: nx.MultiDiGraph = nx.MultiDiGraph()
        self._plans: dict[str, Any] = {}
        self._refresh()

    # -- persistence -----------------------------------------------------------
    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def _refresh(self) -> None:
        stamp = self._file_stamp()
        if stamp == self._stamp:
            return
        if stamp is None:
            self._g, self._plans = nx.MultiDiGraph(), {}
        else:
            try:
                doc = json.loads(self.path.read_text(encoding="utf-8"))
                if doc.get("format") != FORMAT_VERSION:
                    raise ValueError(f"unknown format {doc.get('format')!r}")
                self._g = nx.node_link_graph(doc["graph"], directed=True, multigraph=True,
                                             edges="edges")
                self._plans = doc.get("plans", {})
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise StoreUnavailableError(f"cannot read store file {self.path}: {exc}") from exc
        self._stamp = stamp

    def _persist(self) -> None:
        doc = {"format": FORMAT_VERSION,
               "graph": nx.node_link_data(self._g, edges="edges"),
               "plans": self._plans}
        directory = self.path.parent
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=directory)
        try:
            # one dumps() call: json.dump() to a file encodes piece by piece, 4x slower
            text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
            dir_fd = os.open(directory, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        self._stamp = self._file_stamp()

    def _write(self, change: Callable[[], None]) -> None:
        """Run ``change`` on the in-memory graph and persist; on failure, reload."""
        with self._lock:
            self._refresh()
            try:
                change()
                self._persist()
            except BaseException:
                self._stamp = None
                self._refresh()
                raise

    def revision(self) -> object | None:
        return self._file_stamp()

    def _read(self) -> nx.MultiDiGraph:
        with self._lock:
            self._refresh()
        return self._g

    # -- helpers ---------------------------------------------------------------
    def _nodes(self, kind: str) -> Iterable[dict[str, Any]]:
        for _, attrs in self._read().nodes(data=True):
            if attrs.get("kind") == kind:
                yield attrs["data"]

    def _data(self, kind: str, key: str) -> dict[str, Any] | None:
        attrs = self._g.nodes.get(_nid(kind, key))
        return attrs["data"] if attrs else None

    def _edges(self, rel: str) -> Iterable[tuple[str, str, dict[str, Any]]]:
        for u, v, k, attrs in self._read().edges(keys=True, data=True):
            if k == rel or (isinstance(k, str) and k.startswith(rel + ":")):
                yield u, v, attrs

    # -- writes ----------------------------------------------------------------
    def load(self, data: Dataset) -> None:
        def change() -> None:
            g = self._g
            companies = {c.id for c in data.companies} | {
                n.split(":", 1)[1] for n in g if n.startswith("Company:")}
            flows = {f.id: f for f in data.flows}
            problems = [f"flow {f.id}: company {f.company_id} does not exist"
                        for f in data.flows if f.company_id not in companies]
            for p in data.processes:
                if p.company_id not in companies:
                    problems.append(f"process {p.id}: company {p.company_id} does not exist")
                for fid, _ in (*p.inputs, *p.outputs):
                    if fid not in flows and _nid("Flow", fid) not in g:
                        problems.append(f"process {p.id}: flow {fid} does not exist")
            if problems:
                raise StoreConflictError("; ".join(problems))
            for park in data.parks:
                g.add_node(_nid("Park", park.id), kind="Park", data=codec.to_dict(park))
            for c in data.companies:
                n = _nid("Company", c.id)
                if n in g:
                    for _, v, k in list(g.out_edges(n, keys=True)):
                        if k == "IN_PARK":
                            g.remove_edge(n, v, key=k)
                g.add_node(n, kind="Company", data=codec.to_dict(c))
                if c.park_id:
                    park_node = _nid("Park", c.park_id)
                    if park_node not in g:
                        g.add_node(park_node, kind="Park",
                                   data={"id": c.park_id, "name": c.park_id})
                    g.add_edge(n, park_node, key="IN_PARK")
            for f in data.flows:
                n = _nid("Flow", f.id)
                if n in g:
                    for u, _, k in list(g.in_edges(n, keys=True)):
                        if k == "HAS_FLOW":
                            g.remove_edge(u, n, key=k)
                g.add_node(n, kind="Flow", data=codec.to_dict(f))
                g.add_edge(_nid("Company", f.company_id), n, key="HAS_FLOW")
            for p in data.processes:
                n = _nid("Process", p.id)
                if n in g:
                    g.remove_edges_from([(u, v, k) for u, v, k in g.in_edges(n, keys=True)])
                g.add_node(n, kind="Process", data=codec.to_dict(p))
                g.add_edge(_nid("Company", p.company_id), n, key="HAS_PROCESS")
                for fid, coef in p.inputs:
                    g.add_edge(_nid("Flow", fid), n, key=f"INPUT_OF:{p.id}:{fid}", coef=coef)
                for fid, coef in p.outputs:
                    g.add_edge(_nid("Flow", fid), n, key=f"OUTPUT_OF:{p.id}:{fid}", coef=coef)
        self._write(change)

    def _remove_flow_nodes(self, flow_ids: Iterable[str]) -> None:
        g = self._g
        for fid in flow_ids:
            n = _nid("Flow", fid)
            if n in g:
                g.remove_node(n)

    def delete_company(self, company_id: str) -> None:
        def change() -> None:
            g = self._g
            n = _nid("Company", company_id)
            if n not in g:
                raise NotFoundError(f"no company {company_id}")
            owned = [v for _, v in g.out_edges(n)]
            self._remove_flow_nodes(v.split(":", 1)[1] for v in owned if v.startswith("Flow:"))
            g.remove_nodes_from([v for v in owned if v.startswith("Process:")])
            g.remove_node(n)
        self._write(change)

    def delete_flow(self, flow_id: str) -> None:
        def change() -> None:
            if _nid("Flow", flow_id) not in self._g:
                raise NotFoundError(f"no flow {flow_id}")
            for p in list(self._nodes("Process")):
                proc = codec.process(p)
                if any(fid == flow_id for fid, _ in (*proc.inputs, *proc.outputs)):
                    raise StoreConflictError(
                        f"flow {flow_id} is used by process {proc.id}: change the process first")
            self._remove_flow_nodes([flow_id])
        self._write(change)

    def _drop_edges(self, rel: str) -> None:
        g = self._g
        g.remove_edges_from([(u, v, k) for u, v, k in g.edges(keys=True)
                             if isinstance(k, str) and k.startswith(rel + ":")])

    def replace_candidates(self, candidates: Sequence[Candidate]) -> None:
        def change() -> None:
            g = self._g
            missing = {fid for c in candidates for fid in c.key if _nid("Flow", fid) not in g}
            if missing:
                raise StoreConflictError(f"candidates refer to unknown flows: {sorted(missing)}")
            self._drop_edges("CAN_FEED")
            for c in candidates:
                g.add_edge(_nid("Flow", c.supply_flow), _nid("Flow", c.demand_flow),
                           key=f"CAN_FEED:{c.supply_flow}>{c.demand_flow}",
                           data=codec.to_dict(c))
        self._write(change)

    def _put_exchange(self, e: Exchange) -> None:
        g = self._g
        for fid in (e.supply_flow, e.demand_flow):
            if _nid("Flow", fid) not in g:
                raise StoreConflictError(f"exchange {e.id}: unknown flow {fid}")
        old = [(u, v, k) for u, v, k in g.edges(keys=True) if k == f"FEEDS:{e.id}"]
        g.remove_edges_from(old)
        g.add_edge(_nid("Flow", e.supply_flow), _nid("Flow", e.demand_flow),
                   key=f"FEEDS:{e.id}", data=codec.to_dict(e))

    def save_plan(self, plan: Plan, exchanges: Sequence[Exchange]) -> None:
        def change() -> None:
            g = self._g
            proposed = [(u, v, k) for u, v, k, a in g.edges(keys=True, data=True)
                        if isinstance(k, str) and k.startswith("FEEDS:")
                        and a["data"]["status"] == ExchangeStatus.PROPOSED.value]
            g.remove_edges_from(proposed)
            for e in exchanges:
                self._put_exchange(e)
            self._plans[plan.id] = codec.to_dict(plan)
        self._write(change)

    def put_exchange(self, exchange: Exchange) -> None:
        self._write(lambda: self._put_exchange(exchange))

    def clear(self) -> None:
        def change() -> None:
            self._g = nx.MultiDiGraph()
            self._plans = {}
        self._write(change)

    # -- reads -----------------------------------------------------------------
    def dataset(self, *, county: str | None = None, municipality: str | None = None,
                park_id: str | None = None) -> Dataset:
        self._read()
        companies = [codec.company(d) for d in self._nodes("Company")
                     if (county is None or d.get("county") == county)
                     and (municipality is None or d.get("municipality") == municipality)
                     and (park_id is None or d.get("park_id") == park_id)]
        ids = {c.id for c in companies}
        flows = [codec.flow(d) for d in self._nodes("Flow") if d["company_id"] in ids]
        processes = [codec.process(d) for d in self._nodes("Process") if d["company_id"] in ids]
        park_ids = {c.park_id for c in companies if c.park_id}
        parks = [codec.park(d) for d in self._nodes("Park")
                 if (county is None and municipality is None and park_id is None)
                 or d["id"] in park_ids or d["id"] == park_id
                 or (county is not None and d.get("county") == county)]
        return Dataset(companies=tuple(sorted(companies, key=lambda c: c.id)),
                       flows=tuple(sorted(flows, key=lambda f: f.id)),
                       processes=tuple(sorted(processes, key=lambda p: p.id)),
                       parks=tuple(sorted(parks, key=lambda p: p.id)))

    def _company_filter(self, county: str | None, park_id: str | None) -> set[str] | None:
        if county is None and park_id is None:
            return None
        return {d["id"] for d in self._nodes("Company")
                if (county is None or d.get("county") == county)
                and (park_id is None or d.get("park_id") == park_id)}

    def flows(self, *, company_id: str | None = None, resource: str | None = None,
              direction: str | None = None, county: str | None = None,
              park_id: str | None = None) -> list[Flow]:
        allowed = self._company_filter(county, park_id)
        out = [codec.flow(d) for d in self._nodes("Flow")
               if (company_id is None or d["company_id"] == company_id)
               and (resource is None or d["resource"] == resource)
               and (direction is None or d["direction"] == direction)
               and (allowed is None or d["company_id"] in allowed)]
        return sorted(out, key=lambda f: f.id)

    def candidates(self, *, company_id: str | None = None, flow_id: str | None = None,
                   county: str | None = None, resource: str | None = None) -> list[Candidate]:
        allowed = self._company_filter(county, None)
        out = []
        for _, _, attrs in self._edges("CAN_FEED"):
            c = attrs["data"]
            if company_id is not None and company_id not in (c["supply_company"],
                                                             c["demand_company"]):
                continue
            if flow_id is not None and flow_id not in (c["supply_flow"], c["demand_flow"]):
                continue
            if resource is not None and resource not in (c["resource"], c["demand_resource"]):
                continue
            if allowed is not None and not ({c["supply_company"], c["demand_company"]} & allowed):
                continue
            out.append(codec.candidate(c))
        return sorted(out, key=lambda c: (-c.score, c.supply_flow, c.demand_flow))

    def plans(self) -> list[Plan]:
        self._read()
        plans = [codec.plan(p) for p in self._plans.values()]
        return sorted(plans, key=lambda p: (p.created_at, p.id), reverse=True)

    def exchanges(self, *, status: str | None = None) -> list[Exchange]:
        out = [codec.exchange(a["data"]) for _, _, a in self._edges("FEEDS")
               if status is None or a["data"]["status"] == status]
        return sorted(out, key=lambda e: e.id)

    def value_chains(self, flow_id: str, *, max_steps: int = 3) -> list[tuple[str, ...]]:
        data = self.dataset()
        return _value_chains(self.candidates(), data.processes, flow_id, max_steps=max_steps)

    def counts(self) -> dict[str, int]:
        g = self._read()
        out = {k: 0 for k in ("Company", "Flow", "Process", "Park", "CAN_FEED", "FEEDS",
                              "plans")}
        for _, attrs in g.nodes(data=True):
            out[attrs["kind"]] += 1
        for _, _, k in g.edges(keys=True):
            rel = k.split(":", 1)[0]
            if rel in out:
                out[rel] += 1
        out["plans"] = len(self._plans)
        return out
