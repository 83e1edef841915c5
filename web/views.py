"""Small helpers the blueprints share: flow and candidate views for the signed-in user."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import abort, g, request

from symbiosis.disclosure import plan_figures
from symbiosis.matching import explain
from symbiosis.model import Candidate, Flow, Plan, PlanLine, PlanScope
from symbiosis.places import default_register
from symbiosis.report import plan_json

from .access import amount_band, distance_text
from .data import Snapshot, taxonomy
from .i18n import gettext, resource_label
from .words import NEEDS_REASONS, amount, km, mode_label, note_text, number, place_problem

__all__ = ["flow_view", "candidate_views", "arg_float", "arg_str", "arg_place", "plan_view",
           "in_scope", "hidden_flow", "hidden_flows", "plan_summary", "scope_county",
           "scope_words", "side_view", "pair_view", "LINE_KINDS"]


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
        abort(400, description=place_problem(got.problems[0]))
    return got.county if name == "county" else got.municipality


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


def pair_view(snap: Snapshot, supply_flow: str, supply_company: str, demand_flow: str,
              demand_company: str) -> tuple[dict[str, Any], dict[str, Any], bool] | None:
    """Both sides of a planned link as the user may see them and whether either is hidden;
    ``None`` when the row is outside the user's scope (county staff: their county)."""
    if not in_scope(snap, supply_company, demand_company):
        return None
    supply = side_view(snap, supply_flow, supply_company)
    demand = side_view(snap, demand_flow, demand_company)
    return supply, demand, supply["anonymised"] or demand["anonymised"]


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


def _hidden_line(line: PlanLine, secret: frozenset[str],
                 hidden_processes: frozenset[str]) -> bool:
    """A line that would tell a hidden flow's figures: an exchange or link with a hidden
    end, or a line of a facility one of whose flows is hidden (its activity gives their
    amounts)."""
    if line.kind in ("exchange", "link"):
        return any(fid in secret for fid in line.ref.split(">"))
    return line.ref.split(":", 1)[0] in hidden_processes


def _line_view(snap: Snapshot, line: PlanLine, processes: dict[str, str]) -> dict[str, Any]:
    names = [snap.companies[c].name if c in snap.companies else c for c in line.companies]
    if line.kind in ("exchange", "link"):
        subject = f"{line.ref.replace('>', ' → ')} ({' → '.join(names)})"
    else:
        pid = line.ref.split(":", 1)[0]
        subject = f"{processes.get(pid) or line.name} ({', '.join(names)})"
    detail = ""
    if line.amount is not None and line.kind != "facility_running":
        detail = amount(line.amount, line.unit)
        if line.resource:
            detail += f" {resource_label(line.resource)}"
        if line.price_nok_per_unit is not None:
            detail += f" · {number(line.price_nok_per_unit)} NOK/{line.unit}"
    elif line.kind == "facility_running":
        detail = f"{number(line.amount or 0)} × {number(line.price_nok_per_unit or 0)} NOK"
    elif line.kind == "link":
        detail = mode_label(line.name)
    return {"kind": line.kind, "what": gettext(LINE_KINDS.get(line.kind, line.kind)),
            "subject": subject, "detail": detail, "value_nok": line.value_nok,
            "co2_avoided_t": line.co2_avoided_t, "withheld_value": None,
            "withheld_co2": None}


def _line_views(snap: Snapshot, plan: Plan, withheld: dict[str, Any]
                ) -> list[dict[str, Any]]:
    """The plan's lines as the user may see them. Lines that would tell a hidden flow's
    figures, and for county staff lines outside their county, are summed into one line
    each, so the lines still add up to the totals; a sum is withheld with the total it
    would give away (``withheld``, from :func:`plan_summary`)."""
    secret = hidden_flows(snap)
    hidden_processes = frozenset(p.id for p in snap.data.processes
                                 if any(fid in secret for fid, _ in (*p.inputs, *p.outputs)))
    processes = {p.id: p.name for p in snap.data.processes}
    rows: list[dict[str, Any]] = []
    kept: dict[str, list[float]] = {"confidential": [0, 0.0, 0.0], "outside": [0, 0.0, 0.0]}
    for line in plan.lines:
        group = ("outside" if not in_scope(snap, *line.companies) else
                 "confidential" if _hidden_line(line, secret, hidden_processes) else None)
        if group is None:
            rows.append(_line_view(snap, line, processes))
            continue
        kept[group][0] += 1
        kept[group][1] += line.value_nok
        kept[group][2] += line.co2_avoided_t
    value_out, co2_out = withheld.get("value_nok"), withheld.get("co2_avoided_t")
    for group, what in (("confidential", "Lines with confidential flows"),
                        ("outside", "Lines outside your county")):
        n, value, co2 = kept[group]
        if n:
            rows.append({"kind": group, "what": gettext(what), "subject": number(n),
                         "detail": "", "value_nok": None if value_out else value,
                         "co2_avoided_t": None if co2_out else co2,
                         "withheld_value": value_out, "withheld_co2": co2_out})
    return rows


#: a conditional proposal in words: (verb, worth something by itself)
_CONDITIONAL = {
    ("supplies", True): "If {flow} ({company}) supplies at least {amount}, this exchange is "
                        "worth at least {value} kNOK/yr",
    ("takes", True): "If {flow} ({company}) takes at least {amount}, this exchange is worth "
                     "at least {value} kNOK/yr",
    ("supplies", False): "If {flow} ({company}) supplies at least {amount}, this exchange "
                         "costs {value} kNOK/yr itself and feeds a facility whose lines carry "
                         "the gain",
    ("takes", False): "If {flow} ({company}) takes at least {amount}, this exchange costs "
                      "{value} kNOK/yr itself and feeds a facility whose lines carry the gain",
}


def _partners(snap: Snapshot) -> dict[str, set[str]]:
    """Each flow's candidate partners."""
    out: dict[str, set[str]] = {}
    for c in snap.candidates:
        out.setdefault(c.supply_flow, set()).add(c.demand_flow)
        out.setdefault(c.demand_flow, set()).add(c.supply_flow)
    return out


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
            "created_at": plan.created_at, "scope_words": scope_words(plan.scope),
            "scope": {"kind": plan.scope.kind, "value": plan.scope.value},
            "scenario": plan.scenario, "adopted_at": plan.adopted_at or None,
            "message": "; ".join(note_text(n, "") for n in plan.notes) or plan.message}


def plan_view(snap: Snapshot, plan: Plan) -> dict[str, Any]:
    """A plan as the user may see it: rows with hidden flows anonymised (amounts and
    distances banded), totals by :func:`plan_summary`, the frontier left out when it may
    be built from hidden flows, rows outside a county user's county left out; its account
    of lines, its totals in words, its conditional proposals and its missing figures,
    ranked."""
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
        pair = pair_view(snap, e.supply_flow, e.supply_company, e.demand_flow,
                         e.demand_company)
        if pair is None:
            continue
        supply, demand, hidden = pair
        rows.append({"supply": supply, "demand": demand, "resource": e.resource,
                     "amount": None if hidden else e.amount, "unit": e.unit,
                     "amount_text": (amount_band(e.amount, e.unit) if hidden
                                     else amount(e.amount, e.unit)),
                     "mode": e.mode, "mode_text": mode_label(e.mode),
                     "distance_km": None if hidden else round(e.distance_km, 1),
                     "distance_text": (distance_text(e.distance_km) if hidden
                                       else km(e.distance_km)),
                     "value_nok": None if hidden else e.value_nok,
                     "co2_avoided_t": None if hidden else e.co2_avoided_t,
                     "link_built": e.link_built, "anonymised": hidden})
    body["exchanges"] = rows
    partners = snap.memo(("partners",), lambda: _partners(snap))
    secret = hidden_flows(snap)
    needs = []
    for n in plan.needs_data:
        flow = snap.flows.get(n.flow_id)
        if flow is not None and not g.access.sees_flow(flow, snap.companies.get(flow.company_id)):
            continue  # a hidden flow's missing data is its owner's business
        if in_scope(snap, n.company_id):
            company = snap.companies.get(n.company_id)
            # a bound made from a hidden partner's amount would tell it: banded, and the
            # spreads left out
            told = bool(partners.get(n.flow_id, set()) & secret)
            needs.append({"flow_id": n.flow_id, "company_id": n.company_id,
                          "company": company.name if company else n.company_id,
                          "resource": n.resource, "direction": n.direction,
                          "reason": n.reason,
                          "reason_text": gettext(NEEDS_REASONS.get(n.reason, n.reason)),
                          "rank": n.rank,
                          "bound": None if told else n.bound,
                          "bound_text": (amount_band(n.bound, n.unit) if told
                                         else amount(n.bound, n.unit)),
                          "unit": n.unit, "spread_nok": None if told else n.spread_nok,
                          "spread_co2_t": None if told else n.spread_co2_t})
    body["needs_data"] = needs
    # a process's activity times its coefficients gives its flows' amounts
    processes = {p.id: p for p in snap.data.processes}
    facilities = []
    for f in body["facilities_built"]:
        p = processes.get(f["process_id"])
        if p is not None and any(fid in secret for fid, _ in (*p.inputs, *p.outputs)):
            f = {**f, "activity": None}
        if in_scope(snap, f["company_id"]):
            facilities.append({**f, "name": p.name if p is not None and p.name
                               else f["process_id"],
                               "company": snap.companies[f["company_id"]].name
                               if f["company_id"] in snap.companies else f["company_id"]})
    body["facilities_built"] = facilities
    body["lines"] = _line_views(snap, plan, body["withheld"])
    body["existing_exchanges"] = len(plan.existing)  # their ids name flows
    # the fixed cost of the links built, less the links shown, would give a hidden link's
    hidden_links = any(x.kind == "link" and any(fid in secret for fid in x.ref.split(">"))
                       for x in plan.lines)
    totals = {**body["totals"],
              "link_fixed_cost_nok": None if hidden_links
              else body["totals"].get("link_fixed_cost_nok")}
    body["totals"] = totals
    body["message"] = summary["message"]
    body["totals_text"] = [{"key": t["key"], "label": gettext(t["label"]),
                            "unit": gettext(t["unit"]) if t["unit"] else "",
                            # whole kroner and counts, tonnes to one decimal
                            "format": "{:,.1f}" if t["unit"].startswith("t") else "{:,.0f}",
                            "value": totals.get(t["key"]),
                            "withheld": body["withheld"].get(t["key"])}
                           for t in body["totals_text"]]
    body["scope_words"] = scope_words(plan.scope)
    body["is_scenario"] = plan.is_scenario
    conditional = []
    for c in plan.conditional:
        unknown = snap.flows.get(c.unknown_flow)
        if {c.supply_flow, c.demand_flow} & secret or not in_scope(
                snap, c.supply_company, c.demand_company):
            continue
        owner = snap.companies.get(unknown.company_id) if unknown else None
        verb = "supplies" if c.direction == "supply" else "takes"
        text = gettext(_CONDITIONAL[(verb, c.value_nok >= 0)])
        conditional.append({
            "supply": side_view(snap, c.supply_flow, c.supply_company),
            "demand": side_view(snap, c.demand_flow, c.demand_company),
            "resource": c.resource, "threshold": c.threshold, "unit": c.unit,
            "value_nok": c.value_nok, "co2_avoided_t": c.co2_avoided_t,
            "partner_bound": c.partner_bound, "pays_from": c.pays_from,
            "text": text.format(flow=c.unknown_flow,
                                company=owner.name if owner else c.unknown_flow,
                                amount=amount(c.threshold, c.unit),
                                value=number(abs(c.value_nok) / 1000))})
    body["conditional"] = conditional
    return body
