"""What users run, end to end, next to the kernel each command is built on.

    python bench/user_paths.py [--sizes 10000,30000,100000] [--time-limit 20]

For each size a synthetic region is written as CSV files and, in a fresh process each,
the commands users type are timed (wall clock, with the process's peak memory):
``import``, ``match --format csv``, ``optimize`` (with the plan saved), ``report`` and
``export``. Beside each, the same run times its kernel in this process: parsing and
matching for import; for match, matching and the CSV text of its candidates (at 30k
flows about 240,000 rows, 110 MB: the text is most of the command's work and any way of
giving the candidates makes it); the solve for optimize; and for report and export the
same report and GeoJSON made from the data in memory (``services.report_of``,
``services.export_of``). A kernel is everything the command does but read and write
the store and start the process. Then, in the
web front end (Flask test client over the same store): the amount of one flow of each
of five resources edited through the services (its candidates re-matched in the same
commit; a heat flow has a neighbourhood of a few km, biomass and sludge one of 100 km
and more), a heat demand turned into a steam demand, a company moved 5 km and a flow
deleted, and the first page after each write.

Targets: each command within 2x its kernel plus 1 s; one flow edit under 200 ms at 100k
flows; the first page after a write under 1 s at 30k flows; peak memory under 4 GB at
100k flows.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._table import print_table  # noqa: E402
from graph import EmbeddedStore  # noqa: E402
from optimizer import optimise  # noqa: E402
from symbiosis import services  # noqa: E402
from symbiosis.io import parse_tables, read_tables  # noqa: E402
from symbiosis.matching import match_dataset  # noqa: E402
from symbiosis.model import Dataset  # noqa: E402
from symbiosis.report import candidate_text  # noqa: E402

#: the command in a fresh interpreter that writes its own peak resident memory (VmHWM of
#: its address space) to the file named in BENCH_PEAK_FILE when it exits. The rusage of a
#: child is no measure here: Linux starts a forked child's peak at the parent's resident
#: size, and this process holds the region, its candidates and a plan.
_PEAK_WRAPPER = """
import atexit, os, runpy, sys

def _peak():
    with open("/proc/self/status") as fh:
        kb = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM"))
    with open(os.environ["BENCH_PEAK_FILE"], "w") as out:
        out.write(str(kb))

atexit.register(_peak)
sys.argv = ["symbiosis", *sys.argv[1:]]
runpy.run_module("symbiosis.cli", run_name="__main__")
"""
CLI = [sys.executable, "-c", _PEAK_WRAPPER]


def command(args: list[str], store: Path) -> tuple[float, float]:
    """Wall seconds and peak resident memory (GB) of one CLI command in a fresh process."""
    with tempfile.NamedTemporaryFile("r", suffix=".peak") as peak:
        start = time.perf_counter()
        proc = subprocess.Popen([*CLI, "--store", str(store), *args],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                env={**os.environ, "BENCH_PEAK_FILE": peak.name})
        _, err_bytes = proc.communicate()
        seconds = time.perf_counter() - start
        code = proc.returncode
        kb = peak.read().strip()
    err = err_bytes.decode() if err_bytes else ""
    if code not in (0, 3):  # 3: the solver found no plan within the time limit
        raise SystemExit(f"{' '.join(args)} failed ({code}): {err[-2000:]}")
    return seconds, (int(kb) / 1e6 if kb else float("nan"))


def timed(fn, *args, **kw):  # noqa: ANN001, ANN201
    start = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - start


def write_region(n: int, folder: Path) -> list[str]:
    subprocess.run([sys.executable, "-m", "fixtures.synthetic", "--flows", str(n),
                    "--seed", "1", "--out", str(folder)], check=True, stdout=subprocess.DEVNULL)
    return [str(folder / name) for name in ("parks.csv", "companies.csv", "flows.csv")
            if (folder / name).exists()]


#: the resources whose flows the edit timing takes one of each: a heat flow (pipelines of
#: a few km), and kinds trucked 100 km and more, whose neighbourhoods are far larger
EDITED = ("waste_heat", "co2", "fish_sludge", "wood_residues", "heat")


#: the other kinds of edit timed: a heat demand that becomes a steam demand, a company
#: moved 5 km (its flows move), a flow deleted; each changes which flows of its kind are a
#: partner's nearest, which an amount does not
OTHER_EDITS = ("resource", "move", "delete")


def web_after_write(store_path: Path) -> tuple[dict[str, float], list[float]]:
    """One flow of each kind in :data:`EDITED` edited through the services, then the
    edits of :data:`OTHER_EDITS`, and the first page after each write (seconds each)."""
    from web import create_app
    from web.db import Accounts

    users = store_path.with_name("users.sqlite")
    accounts = Accounts(str(users))
    if not any(u.username == "bench" for u in accounts.users()):
        accounts.add("bench", "bench-password-1", "admin")
    accounts.close()
    app = create_app({"STORE_URL": str(store_path), "USERS_DB": str(users), "TESTING": True,
                      "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    client.post("/login", data={"username": "bench", "password": "bench-password-1"})
    assert client.get("/companies/").status_code == 200  # the snapshot is warm
    store = EmbeddedStore(store_path)
    edits: dict[str, float] = {}
    pages: list[float] = []

    def page() -> None:
        r, seconds = timed(client.get, "/companies/")
        assert r.status_code == 200
        pages.append(seconds)

    for resource in EDITED:
        flow = next((f for f in store.flows(resource=resource) if f.amount), None)
        if flow is None:
            continue
        edited = dataclasses.replace(flow, amount=flow.amount * 1.5)
        _, edits[resource] = timed(services.save, store, Dataset(flows=(edited,)))
        page()
    heat = next(iter(store.flows(resource="heat", direction="demand")), None)
    if heat is not None:
        steam = dataclasses.replace(heat, resource="steam", quality={"temperature_c": 150.0})
        _, edits["resource"] = timed(services.save, store, Dataset(flows=(steam,)))
        page()
    supply = next(iter(store.flows(resource="waste_heat")), None)
    if supply is not None:
        company = store.company(supply.company_id)
        assert company is not None
        moved = dataclasses.replace(company, lat=company.lat + 0.045)  # 5 km north
        _, edits["move"] = timed(services.save, store, Dataset(companies=(moved,)))
        page()
    gone = next(iter(store.flows(resource="fish_sludge")), None)
    if gone is not None:
        _, edits["delete"] = timed(services.delete_flow, store, gone.id)
        page()
    return edits, pages


def kernels_of(files: list[str], limit: float) -> tuple[int, dict[str, float]]:
    """The number of flows, and the seconds of each command's kernel, in this process."""
    result, parse_s = timed(lambda: parse_tables(read_tables(files)))
    data = result.dataset
    cands, match_s = timed(match_dataset, data)
    _, csv_s = timed(lambda: sum(map(len, candidate_text(cands, "csv"))))
    plan, solve_s = timed(optimise, data, list(cands), time_limit_s=limit)
    exchanges = services.plan_exchanges(plan)
    # the report and the export of the data in memory: what the command does but read
    # the store
    _, report_s = timed(services.report_of, data, exchanges)
    _, export_s = timed(services.export_of, data, exchanges, "geojson")
    return len(data.flows), {"import": parse_s + match_s,
                             "match --format csv": match_s + csv_s,
                             "optimize (saved)": solve_s, "report": report_s,
                             "export geojson": export_s}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="10000,30000,100000")
    ap.add_argument("--time-limit", type=float, default=20.0)
    args = ap.parse_args()
    rows: list[list[object]] = []
    extra: list[list[object]] = []
    limit = args.time_limit
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            files = write_region(n, folder / "csv")
            store = folder / "store.db"
            n_flows, kernels = kernels_of(files, limit)
            gc.collect()  # the kernels' data is gone: the web front end's process holds
            # only its own
            runs = {"import": ["import", *files],
                    "match --format csv": ["match", "--format", "csv"],
                    "optimize (saved)": ["optimize", "--time-limit", str(limit),
                                         "--format", "json"],
                    "report": ["report", "--format", "json"],
                    "export geojson": ["export", "--format", "geojson"]}
            for name, argv in runs.items():
                seconds, peak = command(argv, store)
                kernel = kernels[name]
                target = 2 * kernel + 1
                rows.append([f"{n_flows:,}", name, f"{kernel:.2f}", f"{seconds:.2f}",
                             f"{target:.1f}", "yes" if seconds <= target else "NO",
                             f"{peak:.2f}"])
            edits, pages = web_after_write(store)
            counts = EmbeddedStore(store).counts()
            extra.append([f"{n_flows:,}", f"{counts['CAN_FEED']:,}",
                          *(f"{edits[r] * 1000:.0f}" if r in edits else "-"
                            for r in (*EDITED, *OTHER_EDITS)),
                          f"{pages[0]:.2f}", f"{max(pages):.2f}",
                          f"{store.stat().st_size / 1e6:.0f}"])
            print(f"... {n:,} flows done", file=sys.stderr, flush=True)
    print_table(["flows", "command", "kernel s", "command s", "target s", "met", "peak GB"],
                rows)
    print()
    print_table(["flows", "candidates", *(f"edit {r} ms" for r in EDITED),
                 *(f"{r} ms" for r in OTHER_EDITS),
                 "first page after the heat edit s", "slowest first page s", "store MB"],
                extra)
    print("\ntargets: command <= 2x kernel + 1 s; edit < 200 ms at 100k (the amount edits); "
          "first page after a write < 1 s at 30k; peak memory < 4 GB at 100k")


if __name__ == "__main__":
    main()
