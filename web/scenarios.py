"""Scenarios: plans saved under a name that leave the live proposals alone; listed,
compared side by side and adopted (their exchanges become the live proposals of their
scope) by someone with the right to set that scope's proposals."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from symbiosis import services
from symbiosis.errors import NotFoundError, SymbiosisError
from symbiosis.model import Plan
from symbiosis.scenarios import PlanComparison

from .auth import allow, login_required
from .data import Snapshot, get_store, snapshot, write
from .i18n import gettext
from .optimize import find_plan
from .views import (
    hidden_flows,
    in_scope,
    pair_view,
    plan_summary,
    scope_county,
    scope_words,
)
from .words import error_text

__all__ = ["bp", "comparison_view", "compare_view", "adopt_plan", "scenario_rows",
           "compare_ids"]

bp = Blueprint("scenarios", __name__, url_prefix="/scenarios")


def scenario_rows(snap: Snapshot) -> list[dict[str, Any]]:
    """The scenarios, newest first, with who may adopt each; totals as
    :func:`plan_summary` lets the user see them."""
    rows = []
    for p in snap.plans:
        if not p.scenario:
            continue
        summary = plan_summary(snap, p)
        rows.append({"id": p.id, "scenario": p.scenario, "scope": scope_words(p.scope),
                     "scope_kind": p.scope.kind, "scope_value": p.scope.value,
                     "objective": p.objective, "status": p.status,
                     "created_at": p.created_at,
                     "value_nok": summary["totals"].get("value_nok"),
                     "co2_avoided_t": summary["totals"].get("co2_avoided_t"),
                     "withheld": summary["withheld"],
                     "adopted_by": p.adopted_by or None, "adopted_at": p.adopted_at or None,
                     "may_adopt": p.is_scenario and g.access.sets_proposals(
                         scope_county(snap, p.scope))})
    return rows


def compare_ids() -> list[str]:
    """Plan ids from ``?id=a&id=b`` or ``?ids=a,b``."""
    ids = request.args.getlist("id")
    for part in request.args.getlist("ids"):
        ids += [x for x in part.split(",") if x.strip()]
    return [x.strip() for x in ids if x.strip()]


def comparison_view(snap: Snapshot, cmp: PlanComparison) -> dict[str, Any]:
    """The comparison as the user may see it: rows touching a hidden flow anonymised
    (amounts left out), rows outside a county user's county left out."""
    rows = []
    for r in cmp.exchanges:
        pair = pair_view(snap, r.supply_flow, r.supply_company, r.demand_flow,
                         r.demand_company)
        if pair is None:
            continue
        supply, demand, hidden = pair
        rows.append({"supply": supply, "demand": demand, "resource": r.resource,
                     "unit": r.unit, "anonymised": hidden,
                     "amounts": [None if hidden else a for a in r.amounts],
                     "in_plans": [a is not None for a in r.amounts],
                     "values_nok": [None if hidden else v for v in r.values_nok],
                     "co2_avoided_t": [None if hidden else c for c in r.co2_avoided_t],
                     "differs": r in cmp.differences})
    processes = {p.id: p.name for p in snap.data.processes}
    facilities = [{"process_id": f.process_id, "name": processes.get(f.process_id)
                   or f.process_id, "company": snap.companies[f.company_id].name
                   if f.company_id in snap.companies else f.company_id,
                   "built": list(f.built), "activity": list(f.activity)}
                  for f in cmp.facilities if in_scope(snap, f.company_id)]
    stored = {p.id: p for p in snap.plans}
    secret = hidden_flows(snap)
    plans = []
    for p in cmp.plans:
        # totals as plan_summary shows them: withheld when hidden rows are in them
        full = stored.get(p.id)
        summary = plan_summary(snap, full) if full is not None else None
        withheld = summary["withheld"] if summary else {}
        hidden_links = full is not None and any(
            e.link_built and {e.supply_flow, e.demand_flow} & secret for e in full.exchanges)
        name = p.name if full is None or full.scenario else gettext("live plan")
        plans.append({"id": p.id, "name": name, "scope": scope_words(p.scope),
                      "objective": p.objective, "status": p.status,
                      "value_nok": None if "value_nok" in withheld else p.value_nok,
                      "co2_avoided_t": None if "co2_avoided_t" in withheld
                      else p.co2_avoided_t, "withheld": withheld,
                      "exchanges": p.exchanges, "links_built": p.links_built,
                      "facilities_built": p.facilities_built,
                      "fixed_cost_nok": None if hidden_links else p.fixed_cost_nok,
                      "conditional": p.conditional, "missing_figures": p.missing_figures,
                      "adopted_at": p.adopted_at or None})
    return {"plans": plans, "exchanges": rows, "facilities": facilities}


def compare_view(ids: list[str]) -> dict[str, Any]:
    """The plans named side by side, as the user may see them (404: an unknown plan)."""
    try:
        cmp = services.compare_scenarios(get_store(), ids)
    except NotFoundError as exc:
        abort(404, description=error_text(exc))
    return comparison_view(snapshot(), cmp)


def adopt_plan(plan_id: str) -> Plan:
    """Adopt a scenario as the signed-in user (403 without the right to set the
    proposals of its scope)."""
    snap = snapshot()
    found = find_plan(snap, plan_id)
    allow(g.access.sets_proposals(scope_county(snap, found.scope)),
          "adopt a scenario for {scope}", scope=scope_words(found.scope))
    return write(lambda store: services.adopt_scenario(store, plan_id, by=g.user.username))


@bp.get("/")
@login_required
def index() -> Any:
    return render_template("scenarios.html", rows=scenario_rows(snapshot()))


@bp.get("/compare")
@login_required
def compare() -> Any:
    return render_template("compare.html", cmp=compare_view(compare_ids()))


@bp.post("/<plan_id>/adopt")
@login_required
def adopt(plan_id: str) -> Any:
    try:
        adopted = adopt_plan(plan_id)
    except SymbiosisError as exc:
        flash(error_text(exc), "error")
        return redirect(url_for("optimize.plan", plan_id=plan_id))
    flash(gettext("Scenario adopted: its exchanges are the proposals of its scope now."))
    return redirect(url_for("optimize.plan", plan_id=adopted.id))
