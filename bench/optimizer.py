"""Optimizer benchmark on synthetic regions, against a greedy heuristic in the same run.

    python bench/optimizer.py [--county-flows 2000] [--national-flows 20000]

Targets: a county-size instance (about 2,000 flows) solved to proven optimality in under
10 s; a national instance (about 20,000 candidate links with fixed costs) within 0.5 % gap
in under 60 s.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._table import print_table  # noqa: E402
from fixtures.synthetic import TOWNS, generate_region  # noqa: E402
from optimizer import (  # noqa: E402
    greedy_value,
    problem_for,  # noqa: E402
    propose_exchanges,
)
from symbiosis.matching import match_dataset  # noqa: E402


def run(name: str, data, *, gap: float, time_limit: float  # noqa: ANN001
        ) -> tuple[list[object], bool, float, float, int]:
    cands = match_dataset(data)
    problem = problem_for(data, cands)
    fixed_links = sum(1 for c in problem.candidates if c.fixed_cost_nok_per_year > 0)
    start = time.perf_counter()
    plan = propose_exchanges(problem, gap=gap, time_limit_s=time_limit, workers=2)
    t_mip = time.perf_counter() - start
    greedy, _, t_greedy = greedy_value(problem)
    ratio = plan.objective_value / greedy if greedy > 0 and plan.objective_value else float("nan")
    row = [name, len(data.flows), len(problem.candidates), fixed_links, plan.components,
           plan.status, f"{plan.gap:.4%}" if plan.gap is not None else "-", f"{t_mip:.2f}",
           f"{plan.objective_value:,.0f}", f"{greedy:,.0f}", f"{ratio:.3f}",
           f"{t_mip / max(t_greedy, 1e-9):.0f}x"]
    return row, plan.status == "optimal", t_mip, plan.gap or 0.0, fixed_links


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--county-flows", type=int, default=2000)
    ap.add_argument("--national-flows", type=int, default=20000)
    args = ap.parse_args()
    innlandet = [t for t in TOWNS if t[2] == "Innlandet"]
    county = generate_region(args.county_flows, 21, towns=innlandet)
    row1, optimal, t1, _, _ = run("county (Innlandet)", county, gap=0.0, time_limit=60)
    national = generate_region(args.national_flows, 22)
    row2, _, t2, gap2, links = run("national", national, gap=0.005, time_limit=60)
    print_table(["instance", "flows", "links", "fixed-cost links", "components", "status",
                 "gap", "MIP s", "MIP NOK/yr", "greedy NOK/yr", "MIP/greedy", "time ratio"],
                [row1, row2])
    ok = optimal and t1 < 10 and gap2 <= 0.005 and t2 < 60
    print(f"targets: county optimal < 10 s; national ({links:,} fixed-cost links) gap <= 0.5 %"
          f" < 60 s: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
