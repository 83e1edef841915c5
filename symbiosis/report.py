"""Plain-text renderings of candidates, chains and plans for the terminal."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from .disclosure import withheld_text
from .export import SpreadsheetWriter, json_text
from .indicators import AreaIndicators, CountyProgress, ParkProgress
from .matching import CandidateList, value_chains
from .messages import Words, renderer
from .model import (
    Candidate,
    Company,
    ConditionalProposal,
    Dataset,
    NeedsData,
    Plan,
    PlanLine,
    PlanScope,
    Process,
    Reason,
)
from .report_html import Number, report_html
from .scenarios import PlanComparison
from .taxonomy import Taxonomy, default_taxonomy

__all__ = ["candidate_rows", "candidate_text", "format_candidates", "format_plan", "plan_json",
           "plan_chains",
           "case_report", "indicators_report", "INDICATOR_KEYS", "TOTALS", "total_rows",
           "line_text", "conditional_text", "needs_text", "format_comparison",
           "format_scenarios", "scope_text"]

#: the indicators a report lists, in order
INDICATOR_KEYS = ("symbioses", "proposals", "co2_avoided_t", "co2_proposed_t",
                  "waste_diverted_t", "energy_recovered_mwh", "water_reused_m3",
                  "participation")

CANDIDATE_FIELDS = ("supply_flow", "demand_flow", "supply_company", "demand_company",
                    "resource", "demand_resource", "distance_km", "mode", "amount", "unit",
                    "value_nok", "co2_avoided_t", "score", "reasons", "limits")


def _num(x: float | None, digits: int = 0) -> str:
    return "unknown" if x is None else f"{x:,.{digits}f}"


def _candidate_row(c: Candidate, words: Callable[[Reason], str]) -> dict[str, Any]:
    return {"supply_flow": c.supply_flow, "demand_flow": c.demand_flow,
            "supply_company": c.supply_company, "demand_company": c.demand_company,
            "resource": c.resource, "demand_resource": c.demand_resource,
            "distance_km": round(c.distance_km, 3), "mode": c.mode, "amount": c.amount,
            "unit": c.unit, "value_nok": c.value_nok, "co2_avoided_t": c.co2_avoided_t,
            "score": c.score, "via": c.via, "relation": c.relation,
            "reasons": [words(r) for r in c.reasons], "limits": [words(r) for r in c.limits],
            "reason_codes": [r.code for r in (*c.reasons, *c.limits)]}


def candidate_rows(cands: Iterable[Candidate], *, lang: str = "en",
                   taxonomy: Taxonomy | None = None) -> list[dict[str, Any]]:
    words = renderer(taxonomy or default_taxonomy(), lang)
    return [_candidate_row(c, words) for c in cands]


def format_candidates(cands: Sequence[Candidate], fmt: str = "table", *, lang: str = "en",
                      taxonomy: Taxonomy | None = None) -> str:
    return "".join(candidate_text(cands, fmt, lang=lang, taxonomy=taxonomy)).rstrip("\n")


#: candidates written at a time by :func:`candidate_text`
_CHUNK = 2000


def candidate_text(cands: Sequence[Candidate], fmt: str = "table", *, lang: str = "en",
                   taxonomy: Taxonomy | None = None) -> Iterator[str]:
    """The candidates as a table, CSV or JSON, in pieces of a few thousand rows: a long
    list is written as it is made, never held whole as text."""
    words = renderer(taxonomy or default_taxonomy(), lang)
    if fmt == "json":
        yield json_text(candidate_rows(cands, lang=lang, taxonomy=taxonomy),
                        ensure_ascii=False, indent=1) + "\n"
        return
    if fmt == "csv" and isinstance(cands, CandidateList):
        yield from _csv_columns(cands, words)
        return
    if fmt == "csv":
        out = io.StringIO()
        w = SpreadsheetWriter(out)
        w.writerow(CANDIDATE_FIELDS)
        for n, c in enumerate(cands, 1):
            r = _candidate_row(c, words)
            w.writerow([" | ".join(r[k]) if k in ("reasons", "limits") else r[k]
                        for k in CANDIDATE_FIELDS])
            if n % _CHUNK == 0:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        yield out.getvalue()
        return
    lines = [f"{'score':>5}  {'supply':<10} {'-> demand':<11} {'resource':<16} {'km':>7} "
             f"{'amount':>10} {'unit':<4} {'value NOK/yr':>13} {'t CO2/yr':>9}"]
    for n, c in enumerate(cands, 1):
        lines.append(f"{c.score:5.1f}  {c.supply_flow:<10} {'-> ' + c.demand_flow:<11} "
                     f"{c.resource[:16]:<16} {c.distance_km:7.1f} {_num(c.amount):>10} "
                     f"{c.unit:<4} {_num(c.value_nok):>13} {_num(c.co2_avoided_t):>9}")
        via = next((r for r in c.reasons if r.code == "via_technology"), None)
        if via is not None:
            lines.append(f"{'':7}> {words(via)}")
        for note in c.limits:
            lines.append(f"{'':7}! {words(note)}")
        if n % _CHUNK == 0:
            yield "\n".join(lines) + "\n"
            lines = []
    lines.append(f"{len(cands)} candidate(s)")
    yield "\n".join(lines) + "\n"


def _csv_columns(cands: CandidateList, words: Words) -> Iterator[str]:
    """:func:`candidate_text` as CSV, the same text, straight from the list's columns: no
    candidate is built, a group's fixed reasons are put in words once and the numbers of
    the others a column at a time (see :meth:`CandidateList.reason_texts`)."""
    out = io.StringIO()
    w = SpreadsheetWriter(out)
    w.writerow(CANDIDATE_FIELDS)
    fields = CANDIDATE_FIELDS[:-2]
    assert CANDIDATE_FIELDS[-2:] == ("reasons", "limits")
    texts = cands.reason_texts(words, " | ", batch=_CHUNK)
    for lo in range(0, len(cands), _CHUNK):
        reasons, limits = next(texts)
        w.writecolumns([*cands.columns(fields, lo, lo + _CHUNK), reasons, limits])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


#: a plan's totals in words: (key in ``Plan.totals``, label, unit, digits)
TOTALS = (("value_nok", "Net value", "NOK/yr", 0),
          ("co2_avoided_t", "CO2 avoided", "t/yr", 0),
          ("exchanges", "Exchanges proposed", "", 0),
          ("links_built", "Links built", "", 0),
          ("link_fixed_cost_nok", "Fixed cost of the links built", "NOK/yr", 0),
          ("facilities_built", "Facilities built", "", 0),
          ("facility_fixed_cost_nok", "Fixed cost of the facilities built", "NOK/yr", 0))


def total_rows(plan: Plan) -> list[dict[str, Any]]:
    """The plan's totals as labelled numbers with their units (no raw keys)."""
    return [{"key": key, "label": label, "value": plan.totals.get(key, 0.0), "unit": unit,
             "text": f"{plan.totals.get(key, 0.0):,.{digits}f}" + (f" {unit}" if unit else "")}
            for key, label, unit, digits in TOTALS]


def scope_text(scope: PlanScope) -> str:
    return "everything" if scope.kind == "all" else f"{scope.kind} {scope.value}"


def _who(ids: Sequence[str], names: Mapping[str, str]) -> str:
    return " -> ".join(names.get(i, i) for i in ids)


def line_text(line: PlanLine, *, names: Mapping[str, str] | None = None,
              label: Any = None) -> str:
    """A line of a plan's account in words (facilities and companies by name)."""
    names = names or {}
    word = label or (lambda key: key)
    who = _who(line.companies, names)
    amount = "" if line.amount is None else f"{line.amount:,.0f} {line.unit}/yr".strip()
    price = ("" if line.price_nok_per_unit is None
             else f" at {line.price_nok_per_unit:,.0f} NOK/{line.unit or 'unit'}")
    if line.kind == "exchange":
        return f"exchange {line.ref.replace('>', ' -> ')} ({who}): {amount} {word(line.resource)}"
    if line.kind == "link":
        return f"link built {line.ref.replace('>', ' -> ')} ({line.name}): fixed cost"
    if line.kind == "facility_fixed":
        return f"facility {line.name} at {who}: fixed cost"
    if line.kind == "facility_running":
        return (f"facility {line.name} at {who}: running cost, {line.amount or 0:,.0f} "
                f"units of activity/yr at {line.price_nok_per_unit or 0:,.0f} NOK")
    if line.kind == "market_sale":
        return f"facility {line.name} at {who}: sells {amount} {word(line.resource)} " \
               f"on the market{price}"
    if line.kind == "market_purchase":
        return f"facility {line.name} at {who}: buys {amount} {word(line.resource)} " \
               f"on the market{price}"
    return f"{line.kind} {line.ref}"


def conditional_text(p: ConditionalProposal) -> str:
    """"if F001 supplies at least 3,000 MWh/yr, this exchange is worth at least 870
    kNOK/yr" (the partner's known amount bounds the threshold)."""
    verb = "supplies" if p.direction == "supply" else "takes"
    worth = (f"worth at least {p.value_nok / 1000:,.0f} kNOK/yr" if p.value_nok >= 0 else
             f"worth {p.value_nok / 1000:,.0f} kNOK/yr itself (it feeds a facility whose "
             f"lines carry the gain)")
    pays = "" if not p.pays_from else f"; the link pays from {p.pays_from:,.0f} {p.unit}/yr"
    return (f"if {p.unknown_flow} {verb} at least {p.threshold:,.0f} {p.unit}/yr, "
            f"{p.supply_flow} -> {p.demand_flow} is {worth} and avoids "
            f"{p.co2_avoided_t:,.0f} t CO2/yr (partner's known amount "
            f"{p.partner_bound:,.0f}{pays})")


def needs_text(n: NeedsData) -> str:
    best = " -> ".join(n.best_candidate) if n.best_candidate else "none"
    weight = ("" if n.spread_nok is None else
              f"; at its bound of {n.bound or 0:,.0f} {n.unit}/yr the plan changes by "
              f"{n.spread_nok:,.0f} NOK/yr and {n.spread_co2_t or 0:,.0f} t CO2/yr")
    rank = f"#{n.rank} " if n.rank else ""
    return (f"{rank}{n.flow_id} ({n.direction}, {n.resource}) at {n.company_id}: "
            f"{n.reason}{weight}; best candidate {best}")


def plan_json(plan: Plan, *, data: Dataset | None = None,
              taxonomy: Taxonomy | None = None) -> dict[str, Any]:
    """The plan as JSON; with ``data``, the lines also in words (facilities and companies
    by name)."""
    names = {c.id: c.name for c in (data.companies if data else ())}
    label = (taxonomy or default_taxonomy()).resource
    return {
        "id": plan.id, "status": plan.status, "objective": plan.objective,
        "objective_value": plan.objective_value, "bound": plan.bound, "gap": plan.gap,
        "solve_time_s": round(plan.solve_time_s, 3), "components": plan.components,
        "message": plan.message, "created_at": plan.created_at,
        "scope": {"kind": plan.scope.kind, "value": plan.scope.value},
        "scenario": plan.scenario, "adopted_by": plan.adopted_by,
        "adopted_at": plan.adopted_at, "existing_exchanges": list(plan.existing),
        "exchanges": [{"supply_flow": e.supply_flow, "demand_flow": e.demand_flow,
                       "supply_company": e.supply_company, "demand_company": e.demand_company,
                       "resource": e.resource, "amount": e.amount, "unit": e.unit,
                       "mode": e.mode, "distance_km": e.distance_km, "value_nok": e.value_nok,
                       "co2_avoided_t": e.co2_avoided_t, "link_built": e.link_built,
                       "link_cost_nok": e.link_cost_nok}
                      for e in plan.exchanges],
        "facilities_built": [{"process_id": f.process_id, "company_id": f.company_id,
                              "activity": f.activity,
                              "fixed_cost_nok_per_year": f.fixed_cost_nok_per_year}
                             for f in plan.facilities_built],
        "lines": [{"kind": x.kind, "ref": x.ref, "name": x.name,
                   "text": line_text(x, names=names, label=lambda k: label(k).label_en),
                   "companies": list(x.companies), "resource": x.resource,
                   "amount": x.amount, "unit": x.unit,
                   "price_nok_per_unit": x.price_nok_per_unit, "value_nok": x.value_nok,
                   "co2_avoided_t": x.co2_avoided_t} for x in plan.lines],
        "conditional": [{"supply_flow": c.supply_flow, "demand_flow": c.demand_flow,
                         "supply_company": c.supply_company,
                         "demand_company": c.demand_company, "resource": c.resource,
                         "unknown_flow": c.unknown_flow, "direction": c.direction,
                         "threshold": c.threshold, "unit": c.unit, "value_nok": c.value_nok,
                         "co2_avoided_t": c.co2_avoided_t, "partner_bound": c.partner_bound,
                         "pays_from": c.pays_from, "text": conditional_text(c)}
                        for c in plan.conditional],
        "needs_data": [{"flow_id": n.flow_id, "company_id": n.company_id,
                        "resource": n.resource, "direction": n.direction,
                        "reason": n.reason,
                        "best_candidate": list(n.best_candidate) if n.best_candidate else None,
                        "best_partner_company": n.best_partner_company, "rank": n.rank,
                        "bound": n.bound, "unit": n.unit, "spread_nok": n.spread_nok,
                        "spread_co2_t": n.spread_co2_t}
                       for n in plan.needs_data],
        "totals": dict(plan.totals),
        "totals_text": total_rows(plan),
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
    what = (f"scenario {plan.scenario!r}" + (f", adopted by {plan.adopted_by}"
                                             if plan.adopted_at else "")
            if plan.scenario else "live proposals")
    lines = [f"Plan {plan.id} for {scope_text(plan.scope)} ({what}): status {plan.status} "
             f"(objective {plan.objective}; "
             f"value {_num(plan.objective_value)}; bound {_num(plan.bound)}; gap "
             f"{'n/a' if plan.gap is None else f'{plan.gap:.4%}'}; "
             f"{plan.solve_time_s:.2f} s; {plan.components} component(s))"]
    if plan.message:
        lines.append(f"  note: {plan.message}")
    if plan.existing:
        shown = ", ".join(plan.existing[:10]) + (" ..." if len(plan.existing) > 10 else "")
        lines.append(f"  {len(plan.existing)} existing exchange(s) held as facts (agreed, "
                     f"operating or started by hand), not proposed again: {shown}")
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
    if plan.lines:
        company_names = {k: c.name for k, c in names.items()}
        lines.append("  account (every krone and tonne of the totals):")
        for x in plan.lines:
            text = line_text(x, names=company_names,
                             label=lambda k: tax.resource(k).label_en)
            lines.append(f"    {x.value_nok:>15,.0f} NOK/yr {x.co2_avoided_t:>9,.0f} t CO2/yr"
                         f"  {text}")
    if plan.totals:
        lines.append("  totals: " + "; ".join(f"{r['label']} {r['text']}"
                                             for r in total_rows(plan)))
    if plan.conditional:
        lines.append(f"  conditional proposals ({len(plan.conditional)}, not in the totals):")
        for c in plan.conditional:
            lines.append(f"    {conditional_text(c)}")
    if plan.needs_data:
        lines.append(f"  needs data ({len(plan.needs_data)} flow(s) left out of the model, "
                     f"the figure that could change the plan most first):")
        for n in plan.needs_data:
            lines.append(f"    {needs_text(n)}")
    for p in plan.frontier:
        lines.append(f"  frontier: cost {p.cost_nok:,.0f} NOK/yr for {p.co2_avoided_t:,.0f} t "
                     f"CO2/yr ({p.status})")
    return "\n".join(lines)


def format_scenarios(plans: Sequence[Plan]) -> str:
    """Scenarios, one a line."""
    out = [f"{'id':<13} {'scenario':<24} {'scope':<24} {'status':<9} {'NOK/yr':>15} "
           f"{'t CO2/yr':>10}  adopted"]
    for p in plans:
        out.append(f"{p.id:<13} {p.scenario[:24]:<24} {scope_text(p.scope)[:24]:<24} "
                   f"{p.status:<9} {p.totals.get('value_nok', 0):>15,.0f} "
                   f"{p.totals.get('co2_avoided_t', 0):>10,.0f}  "
                   f"{(p.adopted_at + ' by ' + p.adopted_by) if p.adopted_at else 'no'}")
    return "\n".join(out)


def format_comparison(cmp: PlanComparison) -> str:
    """Plans side by side: their totals, then the exchanges and facilities that differ."""
    heads = [p.name[:18] for p in cmp.plans]
    out = ["plans:           " + "  ".join(f"{h:>18}" for h in heads)]
    for label, get, fmt in (
            ("scope", lambda p: scope_text(p.scope)[:18], "{:>18}"),
            ("status", lambda p: p.status, "{:>18}"),
            ("net value NOK/yr", lambda p: p.value_nok, "{:>18,.0f}"),
            ("CO2 avoided t/yr", lambda p: p.co2_avoided_t, "{:>18,.0f}"),
            ("exchanges", lambda p: p.exchanges, "{:>18}"),
            ("facilities built", lambda p: p.facilities_built, "{:>18}"),
            ("fixed costs NOK/yr", lambda p: p.fixed_cost_nok, "{:>18,.0f}"),
            ("conditional", lambda p: p.conditional, "{:>18}")):
        out.append(f"{label:<17}" + "  ".join(fmt.format(get(p)) for p in cmp.plans))
    diff = cmp.differences
    out.append(f"exchanges that differ ({len(diff)} of {len(cmp.exchanges)}):")
    for r in diff:
        cells = "  ".join(f"{'-' if a is None else f'{a:,.0f}':>18}" for a in r.amounts)
        out.append(f"  {r.supply_flow} -> {r.demand_flow} ({r.resource}, {r.unit}/yr) {cells}")
    for f in cmp.facilities:
        cells = "  ".join(f"{'built' if b else '-':>18}" for b in f.built)
        out.append(f"  facility {f.process_id} at {f.company_id} {cells}")
    return "\n".join(out)


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
                      title: str = "", say: Callable[[str], str] | None = None,
                      number: Number | None = None, lang: str = "en") -> str:
    """The indicators report as JSON, CSV or one HTML page. Withheld figures are empty
    (``null``) with their band or ``confidential`` beside them (JSON: ``withheld``; CSV:
    the ``withheld`` column). The HTML page is in the reader's language: ``say`` gives an
    English text in it, ``number`` writes its figures (JSON and CSV stay as data)."""
    if fmt == "html":
        words = say or (lambda text: text)
        return report_html(ind, counties, parks, say=words, number=number, lang=lang,
                           title=title or words("Industrial symbiosis indicators: {area}")
                           .format(area=words("all areas") if ind.area == "all" else ind.area))
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
