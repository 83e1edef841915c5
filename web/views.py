"""Small helpers the blueprints share: flow and candidate views for the signed-in user."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import g, request

from symbiosis.matching import explain
from symbiosis.model import Candidate, Flow, Plan, PlanLine, PlanScope
from symbiosis.report import plan_json

from .access import amount_band
from .data import Snapshot, taxonomy
from .i18n import gettext, resource_label

__all__ = ["flow_view", "candidate_views", "arg_float", "arg_str", "plan_view", "in_scope",
           "hidden_flow", "scope_county", "scope_words", "side_view", "LINE_KINDS"]


def flow_view(snap: Snapshot, flow: Flow) -> dict[str, Any]:
    return g.access.flow_view(flow, snap.companies.get(flow.company_id),  # type: ignore[no-any-return]
                              resource_label(flow.resource))


def hidden_flow(snap: Snapshot) -> Callable[[Flow], bool]:
    """Whether a flow is anonymised for the signed-in user."""
    return lambda f: not g.access.sees_flow(f, snap.companies.get(f.company_id))


def candidate_views(snap: Snapshot, cands: Sequence[Candidate]) -> list[dict[str, Any]]:
    """The rows shown, with their reasons made from the data (the store keeps none)."""
    explained = explain(cands, snap.data.companies, snap.data.flows, taxonomy=taxonomy())
    return [g.access.candidate_view(c, flow_view(snap, snap.flows[c.supply_flow]),
                                    flow_view(snap, snap.flows[c.demand_flow]))
            for c in explained]


def arg_str(name: str) -> str | None:
    value = request.args.get(name, "").strip()
    return value or None


def arg_float(name: str) -> float | None:
    """A number from the query string; blank or unreadable counts as not given."""
    try:
        return float(request.args.get(name, "").replace(",", "."))
    except ValueError:
        return None


def side_view(snap: Snapshot, flow_id: str, company_id: str) -> dict[str, Any]:
    flow = snap.flows.get(flow_id)
    if flow is None:  # deleted since the plan was made
        return {"id": flow_id, "company_id": company_id, "company": company_id,
                "municipality": None, "county": None, "anonymised": False, "label": ""}
    return flow_view(snap, flow)


def in_scope(snap: Snapshot, *company_ids: str) -> bool:
    """Whether a row touching these companies is for the user (county staff: its county)."""
    county = g.access.county_scope()
    return county is None or any(
        (c := snap.companies.get(cid)) is not None and c.county == county for cid in company_ids)


def scope_county(snap: Snapshot, scope: PlanScope) -> str | None:
    """The county a plan's scope lies in (``None``: it spans counties, or is unknown)."""
    if scope.kind == "county":
        return scope.value
    if scope.kind == "park":
        park = next((p for p in snap.data.parks if p.id == scope.value), None)
        return park.county if park else None
    if scope.kind == "municipality":
        counties = {c.county for c in snap.data.companies if c.municipality == scope.value}
        return counties.pop() if len(counties) == 1 else None
    return None


def scope_words(scope: PlanScope) -> str:
    if scope.kind == "all":
        return gettext("everything")
    return f"{gettext(scope.kind.capitalize())} {scope.value}"


#: a plan line's kind in words
LINE_KINDS = {"exchange": "Exchange", "link": "Link built", "facility_fixed":
              "Facility fixed cost", "facility_running": "Facility running cost",
              "market_sale": "Sold on the market", "market_purchase": "Bought on the market"}


def _hidden_line(snap: Snapshot, line: PlanLine) -> bool:
    if line.kind not in ("exchange", "link"):
        return False
    flows = (snap.flows.get(fid) for fid in line.ref.split(">"))
    return any(f is not None and not g.access.sees_flow(f, snap.companies.get(f.company_id))
               for f in flows)


def _line_view(snap: Snapshot, line: PlanLine, processes: dict[str, str]) -> dict[str, Any]:
    names = [snap.companies[c].name if c in snap.companies else c for c in line.companies]
    if line.kind in ("exchange", "link"):
        subject = f"{line.ref.replace('>', ' → ')} ({' → '.join(names)})"
    else:
        pid = line.ref.split(":", 1)[0]
        subject = f"{processes.get(pid) or line.name} ({', '.join(names)})"
    detail = ""
    if line.amount is not None and line.kind != "facility_running":
        detail = f"{line.amount:,.0f} {line.unit}/yr"
        if line.resource:
            detail += f" {resource_label(line.resource)}"
        if line.price_nok_per_unit is not None:
            detail += f" · {line.price_nok_per_unit:,.0f} NOK/{line.unit}"
    elif line.kind == "facility_running":
        detail = f"{line.amount or 0:,.0f} × {line.price_nok_per_unit or 0:,.0f} NOK"
    elif line.kind == "link":
        detail = line.name
    return {"kind": line.kind, "what": gettext(LINE_KINDS.get(line.kind, line.kind)),
            "subject": subject, "detail": detail, "value_nok": line.value_nok,
            "co2_avoided_t": line.co2_avoided_t}


def _line_views(snap: Snapshot, plan: Plan) -> list[dict[str, Any]]:
    """The plan's lines as the user may see them. Lines of hidden flows, and for county
    staff lines outside their county, are summed into one line each, so the lines still
    add up to the totals."""
    processes = {p.id: p.name for p in snap.data.processes}
    rows: list[dict[str, Any]] = []
    kept: dict[str, list[float]] = {"confidential": [0, 0.0, 0.0], "outside": [0, 0.0, 0.0]}
    for line in plan.lines:
        group = ("outside" if not in_scope(snap, *line.companies) else
                 "confidential" if _hidden_line(snap, line) else None)
        if group is None:
            rows.append(_line_view(snap, line, processes))
            continue
        kept[group][0] += 1
        kept[group][1] += line.value_nok
        kept[group][2] += line.co2_avoided_t
    for group, what in (("confidential", "Lines with confidential flows"),
                        ("outside", "Lines outside your county")):
        n, value, co2 = kept[group]
        if n:
            rows.append({"kind": group, "what": gettext(what), "subject": f"{n:.0f}",
                         "detail": "", "value_nok": value, "co2_avoided_t": co2})
    return rows


def _partners(snap: Snapshot) -> dict[str, set[str]]:
    """Each flow's candidate partners."""
    out: dict[str, set[str]] = {}
    for c in snap.candidates:
        out.setdefault(c.supply_flow, set()).add(c.demand_flow)
        out.setdefault(c.demand_flow, set()).add(c.supply_flow)
    return out


def plan_view(snap: Snapshot, plan: Plan) -> dict[str, Any]:
    """A plan as the user may see it: rows with hidden flows anonymised (amounts banded),
    rows outside a county user's county left out; its account of lines, its totals in
    words, its conditional proposals and its missing figures, ranked."""
    body = plan_json(plan)
    rows = []
    for e in plan.exchanges:
        if not in_scope(snap, e.supply_company, e.demand_company):
            continue
        supply, demand = side_view(snap, e.supply_flow, e.supply_company), \
            side_view(snap, e.demand_flow, e.demand_company)
        hidden = supply["anonymised"] or demand["anonymised"]
        rows.append({"supply": supply, "demand": demand, "resource": e.resource,
                     "amount": None if hidden else e.amount, "unit": e.unit,
                     "amount_text": (amount_band(e.amount, e.unit) if hidden
                                     else f"{e.amount:,.0f} {e.unit}/yr"),
                     "mode": e.mode, "distance_km": round(e.distance_km, 0 if hidden else 1),
                     "value_nok": None if hidden else e.value_nok,
                     "co2_avoided_t": None if hidden else e.co2_avoided_t,
                     "link_built": e.link_built, "anonymised": hidden})
    body["exchanges"] = rows
    partners = snap.memo(("partners",), lambda: _partners(snap))
    sees = g.access.sees_flow
    needs = []
    for n in plan.needs_data:
        flow = snap.flows.get(n.flow_id)
        if flow is not None and not g.access.sees_flow(flow, snap.companies.get(flow.company_id)):
            continue  # a hidden flow's missing data is its owner's business
        if in_scope(snap, n.company_id):
            company = snap.companies.get(n.company_id)
            # a bound made from a hidden partner's amount would tell it: banded, and the
            # spreads left out
            secret = any(not sees(f, snap.companies.get(f.company_id))
                         for f in (snap.flows.get(p) for p in partners.get(n.flow_id, ()))
                         if f is not None)
            needs.append({"flow_id": n.flow_id, "company_id": n.company_id,
                          "company": company.name if company else n.company_id,
                          "resource": n.resource, "direction": n.direction,
                          "reason": n.reason, "rank": n.rank,
                          "bound": None if secret else n.bound,
                          "bound_text": (amount_band(n.bound, n.unit) if secret
                                         else gettext("unknown") if n.bound is None
                                         else f"{n.bound:,.0f} {n.unit}/yr"),
                          "unit": n.unit, "spread_nok": None if secret else n.spread_nok,
                          "spread_co2_t": None if secret else n.spread_co2_t})
    body["needs_data"] = needs
    processes = {p.id: p for p in snap.data.processes}
    body["facilities_built"] = [
        {**f, "name": processes[f["process_id"]].name if f["process_id"] in processes
         else f["process_id"],
         "company": snap.companies[f["company_id"]].name if f["company_id"] in snap.companies
         else f["company_id"]}
        for f in body["facilities_built"] if in_scope(snap, f["company_id"])]
    body["lines"] = _line_views(snap, plan)
    body["existing_exchanges"] = len(plan.existing)  # their ids name flows
    body["totals_text"] = [{**t, "label": gettext(t["label"]),
                            "text": f"{t['value']:,.0f}" + (f" {gettext(t['unit'])}"
                                                            if t["unit"] else "")}
                           for t in body["totals_text"]]
    body["scope_words"] = scope_words(plan.scope)
    body["is_scenario"] = plan.is_scenario
    conditional = []
    for c in plan.conditional:
        unknown = snap.flows.get(c.unknown_flow)
        sides = [snap.flows.get(c.supply_flow), snap.flows.get(c.demand_flow)]
        if any(f is not None and not g.access.sees_flow(f, snap.companies.get(f.company_id))
               for f in sides) or not in_scope(snap, c.supply_company, c.demand_company):
            continue
        owner = snap.companies.get(unknown.company_id) if unknown else None
        text = (gettext("If {flow} ({company}) supplies at least {amount}, this exchange is "
                        "worth at least {value} kNOK/yr")
                if c.direction == "supply" else
                gettext("If {flow} ({company}) takes at least {amount}, this exchange is "
                        "worth at least {value} kNOK/yr"))
        conditional.append({
            "supply": side_view(snap, c.supply_flow, c.supply_company),
            "demand": side_view(snap, c.demand_flow, c.demand_company),
            "resource": c.resource, "threshold": c.threshold, "unit": c.unit,
            "value_nok": c.value_nok, "co2_avoided_t": c.co2_avoided_t,
            "partner_bound": c.partner_bound, "pays_from": c.pays_from,
            "text": text.format(flow=c.unknown_flow,
                                company=owner.name if owner else c.unknown_flow,
                                amount=f"{c.threshold:,.0f} {c.unit}/yr",
                                value=f"{c.value_nok / 1000:,.0f}")})
    body["conditional"] = conditional
    return body
