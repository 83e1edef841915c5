"""Match quality on documented industrial-symbiosis cases, leave-one-case-out.

    python bench/match_quality.py [--cases bench/cases] [--no-plan] [--verbose]

Each folder of ``bench/cases/`` is one park or cluster: companies, flows worded as their
staff write them (in Danish, Swedish, Finnish, bokmål or nynorsk), documented exchanges and
distractor flows, every row with its source. For each case the taxonomy is loaded without
the knowledge rows derived from that case (``case`` column), the flows go through the real
import (recognition, units) and matching, and the table prints:

- recognised: flows whose resource cell was read with confidence (the rest are what an
  import would ask the user about; they take no part in matching here);
- recall: documented exchanges found among the candidates;
- top-3 recall: found among the best three partners of the supply or of the demand flow,
  as a company's page lists them (:func:`symbiosis.matching.best_partners`: the best
  three direct exchanges; conversions through a facility still to build are listed
  apart and are not in a top three);
- top-3 precision: of the best three partners of every flow in a documented exchange,
  the share that are documented;
- shortlist recall and precision: the same on each flow's shortlist (its best three
  partners that score at least 85 % of its best: :func:`symbiosis.matching.shortlists`);
- plan recall: documented exchanges in the optimised plan (flows without quantities
  cannot enter a plan: see the ``quantified`` column).

Targets (issue 11): recall >= 0.90, top-3 recall >= 0.75, top-3 precision >= 0.5.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._table import print_table  # noqa: E402
from symbiosis.errors import ImportValidationError  # noqa: E402
from symbiosis.io import Table, parse_tables  # noqa: E402
from symbiosis.matching import best_partners, find_candidates, shortlists  # noqa: E402
from symbiosis.model import Candidate, Dataset  # noqa: E402
from symbiosis.taxonomy import Taxonomy, load_taxonomy  # noqa: E402

CASES = Path(__file__).resolve().parent / "cases"
_FLOW_COLUMNS = ("id", "company_id", "direction", "resource", "amount", "unit",
                 "temperature_c", "purity_pct", "dry_matter_pct", "months")
_COMPANY_COLUMNS = ("id", "name", "lat", "lon", "municipality", "county", "country")


@dataclass
class CaseResult:
    case: str
    flows: int
    recognised: int
    quantified: int
    documented: int
    found: int
    top3: int
    top3_pairs: int
    top3_documented: int
    short: int
    short_pairs: int
    short_documented: int
    in_plan: int
    missed: list[tuple[str, str, str]]
    unsure: list[tuple[str, str]]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _table(kind: str, label: str, rows: list[dict[str, str]], columns: tuple[str, ...]
           ) -> Table:
    return Table(kind=kind, label=label, columns=columns,
                 rows=tuple((n, {c: (r.get(c) or "") for c in columns})
                            for n, r in enumerate(rows, start=2)))


def import_case(folder: Path, tax: Taxonomy) -> tuple[Dataset, list[tuple[str, str]]]:
    """The case through the real import; cells not read with confidence are set aside
    (an import would ask about them) and listed."""
    companies = _read(folder / "companies.csv")
    flows = _read(folder / "flows.csv")
    unsure: list[tuple[str, str]] = []
    unread: list[tuple[str, str]] = []
    while True:
        tables = [_table("companies", "companies.csv", companies, _COMPANY_COLUMNS),
                  _table("flows", "flows.csv", flows, _FLOW_COLUMNS)]
        try:
            return parse_tables(tables, taxonomy=tax).dataset, unsure
        except ImportValidationError as exc:
            bad = {e.row for e in exc.errors if e.file == "flows.csv" and e.field == "resource"}
            for e in exc.errors:  # a figure that is not read stays unknown
                if e.file == "flows.csv" and e.field != "resource" and e.row not in bad:
                    blank = ("amount", "unit") if e.field in ("amount", "unit") else (e.field,)
                    flows[e.row - 2] = {**flows[e.row - 2], **{b: "" for b in blank}}
                    unread.append((flows[e.row - 2]["id"], e.value))
            other = [e for e in exc.errors if e.file != "flows.csv"]
            if other:
                raise
            unsure += [(flows[r - 2]["id"], flows[r - 2]["resource"]) for r in sorted(bad)]
            flows = [f for n, f in enumerate(flows, start=2) if n not in bad]


def _top3(cands: list[Candidate]) -> dict[str, list[tuple[str, str]]]:
    return {f: [c.key for c in p.direct] for f, p in best_partners(cands).items()}


def evaluate(folder: Path, *, plan: bool = True) -> CaseResult:
    case = folder.name
    tax = load_taxonomy(exclude_case=case)
    data, unsure = import_case(folder, tax)
    documented = {(r["supply_flow"], r["demand_flow"]) for r in _read(folder / "exchanges.csv")}
    cands = list(find_candidates(data.companies, data.flows, taxonomy=tax))
    keys = {c.key for c in cands}
    top = _top3(cands)
    found = documented & keys
    in_top3 = {k for k in documented if k in top.get(k[0], []) or k in top.get(k[1], [])}
    doc_flows = {f for k in documented for f in k}
    pairs = {k for f in doc_flows for k in top.get(f, [])}
    sl = {f: [c.key for c in cs] for f, cs in shortlists(cands).items()}
    in_short = {k for k in documented if k in sl.get(k[0], []) or k in sl.get(k[1], [])}
    short_pairs = {k for f in doc_flows for k in sl.get(f, [])}
    in_plan = 0
    if plan:
        from optimizer import optimise

        result = optimise(data, cands, taxonomy=tax, time_limit_s=20.0)
        in_plan = len(documented & {(e.supply_flow, e.demand_flow) for e in result.exchanges})
    flows = {f["id"]: f["resource"] for f in _read(folder / "flows.csv")}
    missed = sorted((s, d, f"{flows.get(s, '?')!r} -> {flows.get(d, '?')!r}")
                    for s, d in documented - found)
    return CaseResult(case=case, flows=len(flows), recognised=len(data.flows),
                      quantified=sum(1 for f in data.flows if f.amount is not None),
                      documented=len(documented), found=len(found), top3=len(in_top3),
                      top3_pairs=len(pairs), top3_documented=len(pairs & documented),
                      short=len(in_short), short_pairs=len(short_pairs),
                      short_documented=len(short_pairs & documented), in_plan=in_plan,
                      missed=missed, unsure=unsure)


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.2f}" if b else "-"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=Path, default=CASES)
    ap.add_argument("--no-plan", action="store_true", help="skip the optimised plan")
    ap.add_argument("--verbose", action="store_true", help="list misses and unsure cells")
    args = ap.parse_args()
    folders = sorted(p for p in args.cases.iterdir() if (p / "exchanges.csv").exists())
    start = time.perf_counter()
    results = [evaluate(f, plan=not args.no_plan) for f in folders]
    rows = []
    for r in results:
        rows.append([r.case, r.flows, r.recognised, r.quantified, r.documented,
                     _ratio(r.found, r.documented), _ratio(r.top3, r.documented),
                     _ratio(r.top3_documented, r.top3_pairs), _ratio(r.short, r.documented),
                     _ratio(r.short_documented, r.short_pairs),
                     "-" if args.no_plan else _ratio(r.in_plan, r.documented)])
    t = {name: sum(getattr(r, name) for r in results)
         for name in ("flows", "recognised", "quantified", "documented", "found", "top3",
                      "top3_pairs", "top3_documented", "short", "short_pairs",
                      "short_documented", "in_plan")}
    rows.append(["TOTAL", t["flows"], t["recognised"], t["quantified"], t["documented"],
                 _ratio(t["found"], t["documented"]), _ratio(t["top3"], t["documented"]),
                 _ratio(t["top3_documented"], t["top3_pairs"]),
                 _ratio(t["short"], t["documented"]),
                 _ratio(t["short_documented"], t["short_pairs"]),
                 "-" if args.no_plan else _ratio(t["in_plan"], t["documented"])])
    print(f"Match quality, leave-one-case-out, {len(results)} cases "
          f"({time.perf_counter() - start:.1f} s)")
    print_table(["case", "flows", "recognised", "quantified", "documented", "recall",
                 "top-3 recall", "top-3 precision", "shortlist recall",
                 "shortlist precision", "plan recall"], rows)
    targets = [("recall", t["found"] / t["documented"], 0.90),
               ("top-3 recall", t["top3"] / t["documented"], 0.75),
               ("top-3 precision", t["top3_documented"] / max(t["top3_pairs"], 1), 0.50),
               ("shortlist recall", t["short"] / t["documented"], 0.75),
               ("shortlist precision", t["short_documented"] / max(t["short_pairs"], 1),
                0.50)]
    print()
    print_table(["target", "value", "needed", "met"],
                [[n, f"{v:.3f}", f"{need:.2f}", "yes" if v >= need else "NO"]
                 for n, v, need in targets])
    if args.verbose:
        for r in results:
            for s, d, text in r.missed:
                print(f"missed {r.case}: {s} -> {d}: {text}")
            for fid, text in r.unsure:
                print(f"unsure {r.case}: {fid}: {text!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
