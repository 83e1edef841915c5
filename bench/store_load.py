"""Loading the Bolt graph server: batched UNWIND writes against row-by-row writes.

    python bench/store_load.py [--flows 100000] [--row-by-row 2000]

Starts the Bolt server the tests use (or uses NEO4J_URI), loads a synthetic region with its
companies in one batched transaction, writes a sample row by row (one transaction per flow)
for comparison, stores the candidates (then the same ones again, which writes nothing new),
and times the graph queries users need. The CPU column shows what the client and the
started server spent on each batched load. Targets: at least 20,000 flows per second
batched and at least 10x the row-by-row rate.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from neo4j._codec.packstream import v1 as packstream  # noqa: E402

from bench._table import print_table  # noqa: E402
from fixtures.synthetic import generate_region  # noqa: E402
from graph import cypher as q  # noqa: E402
from graph.neo4j_store import Neo4jStore, _props  # noqa: E402
from symbiosis.matching import find_candidates  # noqa: E402
from symbiosis.model import Dataset  # noqa: E402
from tests.bolt_server import BoltServer, external_server, start_arcadedb  # noqa: E402


def row_by_row(store: Neo4jStore, data: Dataset) -> float:
    """The naive way: one transaction per company and per flow."""
    start = time.perf_counter()
    with store._driver.session(database=store.database) as session:
        for c in data.companies:
            session.execute_write(lambda tx, c=c: tx.run(
                q.MERGE_COMPANIES, rows=[{"id": c.id, "props": _props(c)}]).consume())
        for f in data.flows:
            session.execute_write(lambda tx, f=f: tx.run(
                q.MERGE_FLOWS, rows=[{"id": f.id, "company_id": f.company_id,
                                      "props": _props(f)}]).consume())
    return time.perf_counter() - start


def timed(fn, *args, **kw):  # noqa: ANN001, ANN201
    start = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - start


def server_cpu(server: BoltServer) -> float:
    """CPU seconds the started server process has used (0 for an external server)."""
    if server.process is None:
        return 0.0
    fields = Path(f"/proc/{server.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_timed(store: Neo4jStore, server: BoltServer, data: Dataset) -> tuple[float, str]:
    """Wall seconds of one batched load, and the CPU both sides spent on it."""
    cpu0, client0 = server_cpu(server), time.process_time()
    _, wall = timed(store.load, data)
    server_s, client_s = server_cpu(server) - cpu0, time.process_time() - client0
    return wall, (f"server {server_s:.1f} s, client {client_s:.1f} s"
                  if server.process is not None else f"client {client_s:.1f} s")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--flows", type=int, default=100000)
    ap.add_argument("--row-by-row", type=int, default=2000)
    args = ap.parse_args()
    server = external_server()
    started = server is None
    if started:
        server = start_arcadedb(heap="4g")
    try:
        server.reset()
        store = Neo4jStore(server.uri, user=server.user, password=server.password,
                           database=server.database)
        if not store.is_empty():
            print("refusing to run: the database already holds data")
            return 2
        data = generate_region(args.flows, 1)
        t_batch, cpu_batch = load_timed(store, server, data)
        n = len(data.flows)
        # row by row: a sample of whole companies, into a fresh database
        server.reset()
        store.close()
        store = Neo4jStore(server.uri, user=server.user, password=server.password,
                           database=server.database)
        sample_companies = data.companies[: max(1, args.row_by_row // 3)]
        ids = {c.id for c in sample_companies}
        sample = Dataset(companies=sample_companies,
                         flows=tuple(f for f in data.flows if f.company_id in ids))
        t_rows = row_by_row(store, sample)
        server.reset()
        store.close()
        store = Neo4jStore(server.uri, user=server.user, password=server.password,
                           database=server.database)
        t_batch2, cpu_batch2 = load_timed(store, server, data)
        batch_rate = n / min(t_batch, t_batch2)
        row_rate = len(sample.flows) / t_rows
        cands = find_candidates(data.companies, data.flows)
        _, t_cands = timed(store.replace_candidates, cands)
        _, t_again = timed(store.replace_candidates, cands)
        company = data.flows[0].company_id
        supply = next(f.id for f in data.flows if f.direction == "supply"
                      and any(c.supply_flow == f.id for c in cands[:2000]))
        park = next(c.park_id for c in data.companies if c.park_id)
        county = data.companies[0].county
        queries = [
            ("candidates of one company", lambda: store.candidates(company_id=company)),
            ("value chains, 3 steps", lambda: store.value_chains(supply, max_steps=3)),
            ("park subgraph", lambda: store.dataset(park_id=park)),
            ("county subgraph", lambda: store.dataset(county=county)),
            ("candidates of one county", lambda: store.candidates(county=county)),
        ]
        rows = [["batched load, first (1 transaction)", n, f"{t_batch:.2f}",
                 f"{n / t_batch:,.0f} flows/s", cpu_batch],
                ["batched load, again (1 transaction)", n, f"{t_batch2:.2f}",
                 f"{n / t_batch2:,.0f} flows/s", cpu_batch2],
                ["row-by-row load (1 transaction each)", len(sample.flows), f"{t_rows:.2f}",
                 f"{row_rate:,.0f} flows/s", ""],
                ["store candidates", len(cands), f"{t_cands:.2f}",
                 f"{len(cands) / t_cands:,.0f} links/s", ""],
                ["store the same candidates again", len(cands), f"{t_again:.2f}",
                 f"{len(cands) / t_again:,.0f} links/s", ""]]
        for name, fn in queries:
            out, t = timed(fn)
            size = len(out.flows) if isinstance(out, Dataset) else len(out)
            rows.append([name, size, f"{t:.3f}", "", ""])
        print_table(["step", "rows", "seconds", "rate", "CPU"], rows)
        print(f"driver packing in Rust: {'yes' if packstream._rust_pack else 'no'};"
              f" {os.cpu_count()} CPU cores shared by client and server")
        ok = batch_rate >= 20000 and batch_rate >= 10 * row_rate
        print(f"batched / row-by-row: {batch_rate / row_rate:.0f}x; targets (>= 20,000 flows/s,"
              f" >= 10x): {'met' if ok else 'NOT met'}")
        store.close()
        return 0 if ok else 1
    finally:
        if started:
            server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
