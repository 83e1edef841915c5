"""Small helpers the blueprints share: flow and candidate views for the signed-in user."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import abort, g, request

from symbiosis.disclosure import plan_figures
from symbiosis.matching import explain
from symbiosis.model import Candidate, Flow, Plan
from symbiosis.places import default_register
from symbiosis.report import plan_json

from .access import amount_band, distance_text
from .data import Snapshot, taxonomy
from .i18n import resource_label

__all__ = ["flow_view", "candidate_views", "arg_float", "arg_str", "arg_place", "plan_view",
           "in_scope", "hidden_flow", "hidden_flows", "plan_summary"]


def flow_view(snap: Snapshot, flow: Flow) -> dict[str, Any]:
    return g.access.flow_view(flow, snap.companies.get(flow.company_id),  # type: ignore[no-any-return]
                              resource_label(flow.resource))


def hidden_flow(snap: Snapshot) -> Callable[[Flow], bool]:
    """Whether a flow is anonymised for the signed-in user."""
    return lambda f: not g.access.sees_flow(f, snap.companies.get(f.company_id))


def hidden_flows(snap: Snapshot) -> frozenset[str]:
    """The ids of the flows anonymised for the signed-in user (once per snapshot and
    reader)."""
    return snap.memo(("hidden-flows", g.access.reader()), lambda: frozenset(
        f.id for f in snap.data.flows
        if f.confidential and not g.access.sees_flow(f, snap.companies.get(f.company_id))))


def _hidden_candidates(snap: Snapshot) -> bool:
    """Whether any stored candidate touches a flow hidden from the user."""
    secret = hidden_flows(snap)
    return bool(secret) and snap.memo(("hidden-candidates", g.access.reader()), lambda: any(
        c.supply_flow in secret or c.demand_flow in secret for c in snap.candidates))


def candidate_views(snap: Snapshot, cands: Sequence[Candidate]) -> list[dict[str, Any]]:
    """The rows shown, with their reasons made from the data (the store keeps none)."""
    explained = explain(cands, snap.data.companies, snap.data.flows, taxonomy=taxonomy())
    return [g.access.candidate_view(c, flow_view(snap, snap.flows[c.supply_flow]),
                                    flow_view(snap, snap.flows[c.demand_flow]))
            for c in explained]


def arg_str(name: str) -> str | None:
    value = request.args.get(name, "").strip()
    return value or None


def arg_place(name: str) -> str | None:
    """A ``county`` or ``municipality`` filter of the query string as its register name
    ("troms", "Romsa" and "55" are Troms); 400 with the nearest names for an unknown one."""
    text = arg_str(name)
    if text is None:
        return None
    register = default_register()
    if name == "municipality" and register.municipality_name(text):
        return register.municipality_name(text)
    got = register.read(*((text, None) if name == "county" else (None, text)))
    if not got.ok:
        abort(400, description=got.problems[0].message)
    return got.county if name == "county" else got.municipality


def arg_float(name: str) -> float | None:
    """A number from the query string; blank or unreadable counts as not given."""
    try:
        return float(request.args.get(name, "").replace(",", "."))
    except ValueError:
        return None


def _side(snap: Snapshot, flow_id: str, company_id: str) -> dict[str, Any]:
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


def plan_summary(snap: Snapshot, plan: Plan) -> dict[str, Any]:
    """A plan's status and totals as the user may see them: money and CO2 totals (and the
    objective and its bound) withheld by the disclosure rule when hidden rows are in them
    (listed in ``withheld``), since the totals less the rows shown would give them."""
    figures = plan_figures(plan, hidden_flows(snap))
    return {"id": plan.id, "status": plan.status, "objective": plan.objective,
            "objective_value": figures["objective_value"].value,
            "bound": figures["bound"].value,
            "totals": {k: figures[k].value if k in figures else v
                       for k, v in plan.totals.items()},
            "withheld": {k: f for k, f in figures.items() if not f.shown},
            "created_at": plan.created_at}


def plan_view(snap: Snapshot, plan: Plan) -> dict[str, Any]:
    """A plan as the user may see it: rows with hidden flows anonymised (amounts and
    distances banded), totals by :func:`plan_summary`, the frontier left out when it may
    be built from hidden flows, rows outside a county user's county left out."""
    body = plan_json(plan)
    summary = plan_summary(snap, plan)
    for key in ("objective_value", "bound", "totals", "withheld"):
        body[key] = summary[key]
    # a frontier point is a total of rows nobody is shown: withheld when any candidate it
    # could hold is hidden from the user
    body["frontier_withheld"] = bool(plan.frontier) and _hidden_candidates(snap)
    if body["frontier_withheld"]:
        body["frontier"] = []
    rows = []
    for e in plan.exchanges:
        if not in_scope(snap, e.supply_company, e.demand_company):
            continue
        supply, demand = _side(snap, e.supply_flow, e.supply_company), \
            _side(snap, e.demand_flow, e.demand_company)
        hidden = supply["anonymised"] or demand["anonymised"]
        rows.append({"supply": supply, "demand": demand, "resource": e.resource,
                     "amount": None if hidden else e.amount, "unit": e.unit,
                     "amount_text": (amount_band(e.amount, e.unit) if hidden
                                     else f"{e.amount:,.0f} {e.unit}/yr"),
                     "mode": e.mode,
                     "distance_km": None if hidden else round(e.distance_km, 1),
                     "distance_text": (distance_text(e.distance_km) if hidden
                                       else f"{e.distance_km:,.1f} km"),
                     "value_nok": None if hidden else e.value_nok,
                     "co2_avoided_t": None if hidden else e.co2_avoided_t,
                     "link_built": e.link_built, "anonymised": hidden})
    body["exchanges"] = rows
    needs = []
    for n in plan.needs_data:
        flow = snap.flows.get(n.flow_id)
        if flow is not None and not g.access.sees_flow(flow, snap.companies.get(flow.company_id)):
            continue  # a hidden flow's missing data is its owner's business
        if in_scope(snap, n.company_id):
            needs.append({"flow_id": n.flow_id, "company_id": n.company_id,
                          "resource": n.resource, "direction": n.direction,
                          "reason": n.reason})
    body["needs_data"] = needs
    # a process's activity times its coefficients gives its flows' amounts
    secret = hidden_flows(snap)
    processes = {p.id: p for p in snap.data.processes}
    facilities = []
    for f in body["facilities_built"]:
        p = processes.get(f["process_id"])
        if p is not None and any(fid in secret for fid, _ in (*p.inputs, *p.outputs)):
            f = {**f, "activity": None}
        if in_scope(snap, f["company_id"]):
            facilities.append(f)
    body["facilities_built"] = facilities
    return body
