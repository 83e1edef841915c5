"""The web front end under load: 10,000 companies, candidate search and 50 clients.

    python bench/web.py [--flows 30000] [--clients 50] [--seconds 30] [--searches 200]

Builds a synthetic region (about 10,000 companies and 30,000 flows) in an embedded store,
stores its candidates, starts ``symbiosis serve`` on a free loopback port and signs a
viewer in (so every row also goes through the anonymisation). Then:

1. candidate search: ``--searches`` page requests with varied filters, one at a time;
   target median under 150 ms. The same queries are run in-process on the column index
   and the naive way (a Python loop over every stored candidate) for comparison;
2. load: ``--clients`` concurrent clients for ``--seconds`` seconds on a mix of pages;
   target zero errors.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._table import print_table  # noqa: E402
from fixtures.synthetic import generate_region  # noqa: E402
from graph import EmbeddedStore  # noqa: E402
from symbiosis.matching import match_dataset  # noqa: E402
from symbiosis.model import Candidate, Dataset  # noqa: E402
from symbiosis.search import CandidateIndex  # noqa: E402
from web.db import Accounts  # noqa: E402

PASSWORD = "bench-password-1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _queries(data: Dataset, n: int) -> list[dict[str, str]]:
    municipalities = sorted({c.municipality for c in data.companies if c.municipality})
    counties = sorted({c.county for c in data.companies if c.county})
    resources = sorted({f.resource for f in data.flows})
    out = []
    for k in range(n):
        q = {"sort": ("score", "distance_km", "value_nok")[k % 3]}
        if k % 4 == 0:
            q["county"] = counties[k % len(counties)]
        if k % 4 == 1:
            q["municipality"] = municipalities[k % len(municipalities)]
        if k % 2 == 0:
            q["resource"] = resources[k % len(resources)]
        if k % 5 == 0:
            q["max_distance"] = "25"
        if k % 7 == 0:
            q["min_value"] = "100000"
        out.append(q)
    return out


def naive_search(data: Dataset, cands: list[Candidate], q: dict[str, str]) -> list[Candidate]:
    """The naive way: look at every candidate in Python, then sort."""
    companies = {c.id: c for c in data.companies}
    rows = []
    for c in cands:
        s, d = companies[c.supply_company], companies[c.demand_company]
        if "county" in q and q["county"] not in (s.county, d.county):
            continue
        if "municipality" in q and q["municipality"] not in (s.municipality, d.municipality):
            continue
        if "resource" in q and q["resource"] not in (c.resource, c.demand_resource):
            continue
        if "max_distance" in q and c.distance_km > float(q["max_distance"]):
            continue
        if "min_value" in q and (c.value_nok is None or c.value_nok < float(q["min_value"])):
            continue
        rows.append(c)
    key = q["sort"]
    rows.sort(key=lambda c: (getattr(c, key) is None,
                             (getattr(c, key) or 0) * (1 if key == "distance_km" else -1)))
    return rows[:100]


class Client:
    """A signed-in browser-like client (cookies and the CSRF token of the login form)."""

    def __init__(self, base: str, username: str):
        self.base = base
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = self.opener.open(base + "/login", timeout=30).read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        body = urllib.parse.urlencode({"username": username, "password": PASSWORD,
                                       "csrf_token": token}).encode()
        with self.opener.open(base + "/login", data=body, timeout=30) as r:
            r.read()
            if "/login" in r.url:
                raise RuntimeError(f"{username} could not sign in")

    def get(self, path: str) -> tuple[int, float]:
        start = time.perf_counter()
        with self.opener.open(self.base + path, timeout=60) as r:
            r.read()
            status = r.status
            if "/login" in r.url:  # sent to the login page: not signed in
                status = 401
        return status, time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--flows", type=int, default=30_000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--searches", type=int, default=200)
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="symbiosis-bench-web-"))
    t0 = time.perf_counter()
    data = generate_region(args.flows, seed=7)
    store = EmbeddedStore(tmp / "store.db")
    store.load(data)
    cands = list(match_dataset(data))
    store.replace_candidates(cands)
    accounts = Accounts(tmp / "users.sqlite")
    accounts.add("viewer", PASSWORD, "viewer")
    accounts.close()
    print(f"region: {len(data.companies):,} companies, {len(data.flows):,} flows, "
          f"{len(cands):,} candidates (built in {time.perf_counter() - t0:.1f} s)")

    queries = _queries(data, args.searches)
    index = CandidateIndex(data, cands)
    t = time.perf_counter()
    for q in queries:
        params = {k: v for k, v in q.items() if k not in ("sort", "max_distance", "min_value")}
        index.search(**params, sort=q["sort"],
                     max_distance_km=float(q["max_distance"]) if "max_distance" in q else None,
                     min_value_nok=float(q["min_value"]) if "min_value" in q else None,
                     limit=100)
    index_ms = (time.perf_counter() - t) / len(queries) * 1000
    t = time.perf_counter()
    for q in queries[:20]:
        naive_search(data, cands, q)
    naive_ms = (time.perf_counter() - t) / 20 * 1000

    port = _free_port()
    env = {**os.environ, "SYMBIOSIS_SECRET_KEY": "bench"}
    server = subprocess.Popen([sys.executable, "-m", "symbiosis.cli", "--store",
                               str(tmp / "store.db"), "serve", "--port", str(port),
                               "--threads", "8", "--users", str(tmp / "users.sqlite")],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        t = time.perf_counter()
        client = Client(base, "viewer")  # its redirect to / builds the snapshot
        warm_s = time.perf_counter() - t
        client.get("/candidates/")
        times = []
        for q in queries:
            status, took = client.get("/candidates/?" + urllib.parse.urlencode(q))
            assert status == 200
            times.append(took * 1000)
        median = statistics.median(times)
        p95 = sorted(times)[int(len(times) * 0.95) - 1]

        companies = [c.id for c in data.companies]
        paths = ["/candidates/?" + urllib.parse.urlencode(q) for q in queries[:50]]
        paths += ["/companies/" + companies[k * 97 % len(companies)] for k in range(50)]
        paths += ["/companies/?municipality=" + urllib.parse.quote(
            data.companies[k * 31].municipality or "") for k in range(20)]
        paths += ["/api/v1/openapi.json", "/indicators/", "/parks/"]
        done: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        stop_at = time.monotonic() + args.seconds

        def worker(k: int) -> None:
            try:
                c = Client(base, "viewer")
            except Exception as exc:  # noqa: BLE001 - every failure counts as an error
                with lock:
                    errors.append(f"login: {exc!r}")
                return
            n = k
            while time.monotonic() < stop_at:
                path = paths[n % len(paths)]
                n += 7
                try:
                    status, took = c.get(path)
                    with lock:
                        if status == 200:
                            done.append(took * 1000)
                        else:
                            errors.append(f"{status} {path}")
                except Exception as exc:  # noqa: BLE001
                    with lock:
                        errors.append(f"{path}: {exc!r}")

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(args.clients)]
        t = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t
    finally:
        server.terminate()
        server.wait(timeout=30)

    print_table(["measure", "value", "target", "met"], [
        ["sign-in and first page (snapshot build), s", f"{warm_s:.2f}", "", ""],
        ["search page median, ms", f"{median:.1f}", "< 150", "yes" if median < 150 else "NO"],
        ["search page p95, ms", f"{p95:.1f}", "", ""],
        ["search in-process, column index, ms", f"{index_ms:.2f}", "", ""],
        ["search in-process, naive loop, ms", f"{naive_ms:.1f}",
         "", f"{naive_ms / index_ms:.0f}x slower"],
        [f"load: {args.clients} clients x {args.seconds:.0f} s, requests", f"{len(done):,}",
         "", ""],
        ["load: requests per second", f"{len(done) / wall:.0f}", "", ""],
        ["load: median / p95 latency, ms",
         f"{statistics.median(done):.0f} / {sorted(done)[int(len(done) * 0.95) - 1]:.0f}"
         if done else "-", "", ""],
        ["load: errors", f"{len(errors)}", "0", "yes" if not errors and done else "NO"],
    ])
    for e in errors[:10]:
        print("  error:", e)


if __name__ == "__main__":
    main()
