"""Matching benchmark: KD-tree engine against the plain all-pairs loop.

    python bench/matching.py [--sizes 1000 10000 20000 100000] [--naive-up-to 20000]

Targets: 100k flows in under 5 s; at least 100x faster than all-pairs at 20k flows with the
same candidates; peak memory under 2 GB.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._table import print_table  # noqa: E402
from fixtures.synthetic import generate_region  # noqa: E402
from symbiosis.matching import find_candidates, find_candidates_all_pairs  # noqa: E402


def timed(fn, *args):  # noqa: ANN001, ANN201
    start = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - start


def peak_mb(fn, *args) -> float:  # noqa: ANN001
    tracemalloc.start()
    fn(*args)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 20000, 100000])
    ap.add_argument("--naive-up-to", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rows, ok = [], True
    for n in args.sizes:
        data = generate_region(n, args.seed)
        # best of three for the engine (the first run also warms caches); the all-pairs
        # loop runs once: it takes a minute at 20k flows
        runs = [timed(find_candidates, data.companies, data.flows) for _ in range(3)]
        cands, t_engine = runs[0][0], min(t for _, t in runs)
        mem = peak_mb(find_candidates, data.companies, data.flows)
        naive_t, speedup, same = "-", "-", "-"
        if n <= args.naive_up_to:
            ref, t_naive = timed(find_candidates_all_pairs, data.companies, data.flows)
            same = "yes" if ref == cands else "NO"
            naive_t, speedup = f"{t_naive:.2f}", f"{t_naive / t_engine:.0f}x"
            ok &= same == "yes"
            if n >= 20000:
                ok &= t_naive / t_engine >= 100
        if n >= 100000:
            ok &= t_engine < 5.0
        ok &= mem < 2048
        rows.append([len(data.flows), f"{t_engine:.2f}", naive_t, speedup, len(cands), same,
                     f"{mem:.0f}"])
    print_table(["flows", "engine s", "all-pairs s", "speed-up", "candidates", "same",
                 "peak MB"], rows)
    print("targets: 100k < 5 s; >= 100x at 20k with the same candidates; peak < 2048 MB:",
          "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
