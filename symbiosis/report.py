"""Plain-text renderings of candidates, chains and plans for the terminal."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .disclosure import withheld_text
from .export import SpreadsheetWriter, json_text
from .indicators import AreaIndicators, CountyProgress, ParkProgress
from .matching import value_chains
from .messages import renderer
from .model import Candidate, Company, Dataset, Plan, Process
from .report_html import report_html
from .taxonomy import Taxonomy, default_taxonomy

__all__ = ["candidate_rows", "format_candidates", "format_plan", "plan_json", "plan_chains",
           "case_report", "indicators_report", "INDICATOR_KEYS"]

#: the indicators a report lists, in order
INDICATOR_KEYS = ("symbioses", "proposals", "co2_avoided_t", "co2_proposed_t",
                  "waste_diverted_t", "energy_recovered_mwh", "water_reused_m3",
                  "participation")

CANDIDATE_FIELDS = ("supply_flow", "demand_flow", "supply_company", "demand_company",
                    "resource", "demand_resource", "distance_km", "mode", "amount", "unit",
                    "value_nok", "co2_avoided_t", "score", "reasons", "limits")


def _num(x: float | None, digits: int = 0) -> str:
    return "unknown" if x is None else f"{x:,.{digits}f}"


def candidate_rows(cands: Iterable[Candidate], *, lang: str = "en",
                   taxonomy: Taxonomy | None = None) -> list[dict[str, Any]]:
    words = renderer(taxonomy or default_taxonomy(), lang)
    return [{"supply_flow": c.supply_flow, "demand_flow": c.demand_flow,
             "supply_company": c.supply_company, "demand_company": c.demand_company,
             "resource": c.resource, "demand_resource": c.demand_resource,
             "distance_km": round(c.distance_km, 3), "mode": c.mode, "amount": c.amount,
             "unit": c.unit, "value_nok": c.value_nok, "co2_avoided_t": c.co2_avoided_t,
             "score": c.score, "via": c.via, "relation": c.relation,
             "reasons": [words(r) for r in c.reasons], "limits": [words(r) for r in c.limits],
             "reason_codes": [r.code for r in (*c.reasons, *c.limits)]}
            for c in cands]


def format_candidates(cands: Sequence[Candidate], fmt: str = "table", *, lang: str = "en",
                      taxonomy: Taxonomy | None = None) -> str:
    words = renderer(taxonomy or default_taxonomy(), lang)
    if fmt != "table":
        rows = candidate_rows(cands, lang=lang, taxonomy=taxonomy)
    if fmt == "json":
        return json_text(rows, ensure_ascii=False, indent=1)
    if fmt == "csv":
        out = io.StringIO()
        w = SpreadsheetWriter(out)
        w.writerow(CANDIDATE_FIELDS)
        w.writerows([" | ".join(r[k]) if k in ("reasons", "limits") else r[k]
                     for k in CANDIDATE_FIELDS] for r in rows)
        return out.getvalue()
    lines = [f"{'score':>5}  {'supply':<10} {'-> demand':<11} {'resource':<16} {'km':>7} "
             f"{'amount':>10} {'unit':<4} {'value NOK/yr':>13} {'t CO2/yr':>9}"]
    for c in cands:
        lines.append(f"{c.score:5.1f}  {c.supply_flow:<10} {'-> ' + c.demand_flow:<11} "
                     f"{c.resource[:16]:<16} {c.distance_km:7.1f} {_num(c.amount):>10} "
                     f"{c.unit:<4} {_num(c.value_nok):>13} {_num(c.co2_avoided_t):>9}")
        via = next((r for r in c.reasons if r.code == "via_technology"), None)
        if via is not None:
            lines.append(f"{'':7}> {words(via)}")
        for note in c.limits:
            lines.append(f"{'':7}! {words(note)}")
    lines.append(f"{len(cands)} candidate(s)")
    return "\n".join(lines)


def plan_json(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.id, "status": plan.status, "objective": plan.objective,
        "objective_value": plan.objective_value, "bound": plan.bound, "gap": plan.gap,
        "solve_time_s": round(plan.solve_time_s, 3), "components": plan.components,
        "message": plan.message,
        "exchanges": [{"supply_flow": e.supply_flow, "demand_flow": e.demand_flow,
                       "supply_company": e.supply_company, "demand_company": e.demand_company,
                       "resource": e.resource, "amount": e.amount, "unit": e.unit,
                       "mode": e.mode, "distance_km": e.distance_km, "value_nok": e.value_nok,
                       "co2_avoided_t": e.co2_avoided_t, "link_built": e.link_built}
                      for e in plan.exchanges],
        "facilities_built": [{"process_id": f.process_id, "company_id": f.company_id,
                              "activity": f.activity,
                              "fixed_cost_nok_per_year": f.fixed_cost_nok_per_year}
                             for f in plan.facilities_built],
        "needs_data": [{"flow_id": n.flow_id, "company_id": n.company_id,
                        "resource": n.resource, "direction": n.direction,
                        "reason": n.reason,
                        "best_candidate": list(n.best_candidate) if n.best_candidate else None,
                        "best_partner_company": n.best_partner_company}
                       for n in plan.needs_data],
        "totals": dict(plan.totals),
        "frontier": [{"cost_nok": p.cost_nok, "co2_avoided_t": p.co2_avoided_t,
                      "status": p.status} for p in plan.frontier],
    }


def plan_chains(plan: Plan, processes: Iterable[Process]) -> list[tuple[str, ...]]:
    """Multi-step chains realised by the plan (two or more exchanges through processes)."""
    chosen = [Candidate(e.supply_flow, e.demand_flow, "", "", e.resource, "", 0, e.mode,
                        e.amount, e.unit, 0, None, None, 0, None, None, 0)
              for e in plan.exchanges]
    procs = list(processes)
    starts = {e.supply_flow for e in plan.exchanges} - {
        fid for p in procs for fid, _ in p.outputs}
    chains: list[tuple[str, ...]] = []
    for s in sorted(starts):
        found = [c for c in value_chains(chosen, procs, s, max_steps=6) if len(c) > 2]
        # keep only the longest chains (not their prefixes)
        chains.extend(c for c in found if not any(o != c and o[:len(c)] == c for o in found))
    return chains


def format_plan(plan: Plan, *, data: Dataset | None = None,
                taxonomy: Taxonomy | None = None) -> str:
    tax = taxonomy or default_taxonomy()
    names: Mapping[str, Company] = {c.id: c for c in (data.companies if data else ())}
    lines = [f"Plan {plan.id}: status {plan.status} (objective {plan.objective}; "
             f"value {_num(plan.objective_value)}; bound {_num(plan.bound)}; gap "
             f"{'n/a' if plan.gap is None else f'{plan.gap:.4%}'}; "
             f"{plan.solve_time_s:.2f} s; {plan.components} component(s))"]
    if plan.message:
        lines.append(f"  note: {plan.message}")
    for e in plan.exchanges:
        lines.append(f"  {e.supply_flow} -> {e.demand_flow}  {tax.resource(e.resource).label_en}"
                     f"  {e.amount:,.0f} {e.unit}/yr  {e.distance_km:.1f} km by {e.mode}"
                     f"  value {e.value_nok:,.0f} NOK/yr  CO2 {e.co2_avoided_t:,.0f} t/yr"
                     + ("  (link built)" if e.link_built else ""))
    for f in plan.facilities_built:
        who = names[f.company_id].name if f.company_id in names else f.company_id
        lines.append(f"  build/run {f.process_id} at {who}: activity {f.activity:,.0f}/yr, "
                     f"fixed cost {f.fixed_cost_nok_per_year:,.0f} NOK/yr")
    if data is not None:
        for chain in plan_chains(plan, data.processes):
            lines.append("  chain: " + _chain_text(chain, data, tax))
    t = plan.totals
    if t:
        lines.append(f"  totals: {t.get('exchanges', 0):.0f} exchange(s), net value "
                     f"{t.get('value_nok', 0):,.0f} NOK/yr, CO2 avoided "
                     f"{t.get('co2_avoided_t', 0):,.0f} t/yr, links built "
                     f"{t.get('links_built', 0):.0f}, facilities built "
                     f"{t.get('facilities_built', 0):.0f}")
    if plan.needs_data:
        lines.append(f"  needs data ({len(plan.needs_data)} flow(s) left out of the model):")
        for n in plan.needs_data:
            best = " -> ".join(n.best_candidate) if n.best_candidate else "none"
            lines.append(f"    {n.flow_id} ({n.direction}, {n.resource}) at {n.company_id}: "
                         f"{n.reason}; best candidate {best}")
    for p in plan.frontier:
        lines.append(f"  frontier: cost {p.cost_nok:,.0f} NOK/yr for {p.co2_avoided_t:,.0f} t "
                     f"CO2/yr ({p.status})")
    return "\n".join(lines)


def _chain_text(chain: Sequence[str], data: Dataset, tax: Taxonomy) -> str:
    flows = {f.id: f for f in data.flows}
    parts = []
    for k, fid in enumerate(chain):
        f = flows.get(fid)
        label = tax.resource(f.resource).label_en if f else fid
        parts.append(f"{label} [{fid}]")
        if k < len(chain) - 1:
            parts.append("=>" if k % 2 == 0 else "-(process)->")
    return " ".join(parts)


def case_report(data: Dataset, cands: Sequence[Candidate],
                documented: Sequence[Mapping[str, str]]) -> str:
    """Per case: candidates found and documented exchanges recovered."""
    keys = {c.key for c in cands}
    cases: dict[str, list[Mapping[str, str]]] = {}
    for row in documented:
        cases.setdefault(row["case"], []).append(row)
    lines = []
    for case, rows in cases.items():
        prefix = rows[0]["supply_flow_id"].split("-")[0]
        n_case = sum(1 for c in cands if c.supply_flow.startswith(prefix))
        found = [r for r in rows if (r["supply_flow_id"], r["demand_flow_id"]) in keys]
        lines.append(f"{case}: {n_case} candidate(s); documented exchanges recovered "
                     f"{len(found)}/{len(rows)}")
        for r in rows:
            mark = "ok " if (r["supply_flow_id"], r["demand_flow_id"]) in keys else "MISSING"
            lines.append(f"  [{mark}] {r['supply_flow_id']} -> {r['demand_flow_id']} "
                         f"{r['resource']} ({r['status']})")
    hits = sum(1 for r in documented if (r["supply_flow_id"], r["demand_flow_id"]) in keys)
    lines.append(f"recall {hits}/{len(documented)}; precision {hits}/{len(cands)} "
                 f"({hits / max(1, len(cands)):.0%}) of candidates are documented exchanges")
    return "\n".join(lines)


def indicators_report(ind: AreaIndicators, counties: Sequence[CountyProgress],
                      parks: Sequence[ParkProgress], *, fmt: str = "json",
                      title: str = "") -> str:
    """The indicators report as JSON, CSV or one HTML page. Withheld figures are empty
    (``null``) with their band or ``confidential`` beside them (JSON: ``withheld``; CSV:
    the ``withheld`` column)."""
    if fmt == "html":
        return report_html(ind, counties, parks,
                           title=title or f"Industrial symbiosis indicators: {ind.area}")
    body: dict[str, Any] = dataclasses.asdict(ind)
    if fmt == "csv":
        buffer = io.StringIO()
        out = SpreadsheetWriter(buffer)
        out.writerow(["indicator", "value", "exchanges", "withheld"])

        def row(label: str, name: str, value: object) -> None:
            held = ind.withheld.get(name)
            out.writerow([label, "" if value is None else value,
                          ";".join(body["sources"].get(name, ())),
                          "" if held is None else withheld_text(held, "{:.0f}")])

        for key in INDICATOR_KEYS:
            row(key, key, body[key])
        for y, value in ind.trajectory_realised:
            row(f"co2_avoided_t_{y}_realised", f"trajectory_realised/{y}", value)
        for y, value in ind.trajectory_with_proposals:
            row(f"co2_avoided_t_{y}_with_proposals", f"trajectory_with_proposals/{y}", value)
        return buffer.getvalue()
    body["counties"] = [dataclasses.asdict(p) for p in counties]
    body["parks"] = [dataclasses.asdict(p) for p in parks]
    return json_text(body, ensure_ascii=False, indent=1) + "\n"
