"""The optimizer page: objective, budget and time limit in; the plan, its totals, the
"needs data" list and the cost-versus-CO2 frontier out."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from markupsafe import Markup

from graph import Store
from symbiosis.model import Plan
from symbiosis.pipeline import match_dataset, optimise, plan_exchanges
from symbiosis.report_html import frontier_svg

from .auth import allow, login_required
from .data import Snapshot, snapshot, taxonomy, write
from .views import plan_view

__all__ = ["bp", "run_optimizer", "OptimizeRequest", "find_plan"]

bp = Blueprint("optimize", __name__, url_prefix="/optimize")


class OptimizeRequest:
    """Optimizer settings read from a form or a JSON body, with their errors."""

    def __init__(self, source: dict[str, Any]):
        self.errors: dict[str, str] = {}
        self.objective = str(source.get("objective") or "value")
        if self.objective not in ("value", "co2"):
            self.errors["objective"] = "must be 'value' or 'co2'"
        self.budget = self._number(source, "budget", None, low=0)
        limit = self._number(source, "time_limit", 30.0, low=1)
        self.time_limit = min(limit or 30.0, current_app.config["OPTIMIZE_MAX_SECONDS"])
        self.frontier = int(self._number(source, "frontier_points", 0, low=0, high=12) or 0)
        self.county = g.access.county_scope() or (str(source.get("county") or "") or None)

    def _number(self, source: dict[str, Any], key: str, default: float | None, *,
                low: float | None = None, high: float | None = None) -> float | None:
        raw = source.get(key)
        if raw is None or str(raw).strip() == "":
            return default
        try:
            value = float(str(raw).replace(",", "."))
        except ValueError:
            self.errors[key] = "is not a number"
            return default
        if (low is not None and value < low) or (high is not None and value > high):
            self.errors[key] = f"must be between {low} and {high}" if high is not None \
                else f"must be at least {low}"
        return value


def run_optimizer(req: OptimizeRequest) -> Plan:
    """Optimise the store (or one county of it) and store the plan with its proposals."""
    allow(g.access.runs_optimizer(), "run the optimizer")
    tax = taxonomy()

    def change(store: Store) -> Plan:
        data = store.dataset(county=req.county)
        ids = {c.id for c in data.companies}
        stored = store.candidates(county=req.county) if req.county else store.candidates()
        cands = ([c for c in stored if c.supply_company in ids and c.demand_company in ids]
                 if stored else list(match_dataset(data, taxonomy=tax)))
        plan = optimise(data, cands, objective=req.objective, budget_nok=req.budget,
                        frontier_points=req.frontier, time_limit_s=req.time_limit,
                        taxonomy=tax)
        if plan.status in ("optimal", "feasible"):
            store.save_plan(plan, plan_exchanges(plan))
        return plan

    return write(change)


def find_plan(snap: Snapshot, plan_id: str) -> Plan:
    """A stored plan, or 404."""
    found = next((p for p in snap.plans if p.id == plan_id), None)
    if found is None:
        abort(404, description=f"no plan {plan_id}")
    return found


@bp.route("/", methods=("GET", "POST"))
@login_required
def index() -> Any:
    snap = snapshot()
    errors: dict[str, str] = {}
    if request.method == "POST":
        req = OptimizeRequest(request.form.to_dict())
        errors = req.errors
        if not errors:
            plan = run_optimizer(req)
            return redirect(url_for("optimize.plan", plan_id=plan.id))
    counties = snap.counties
    return render_template("optimize.html", plans=snap.plans, errors=errors,
                           form=request.form, counties=counties), 400 if errors else 200


@bp.get("/plans/<plan_id>")
@login_required
def plan(plan_id: str) -> Any:
    snap = snapshot()
    found = find_plan(snap, plan_id)
    view = plan_view(snap, found)
    chart = Markup(frontier_svg([(p.cost_nok, p.co2_avoided_t) for p in found.frontier])) \
        if found.frontier else None
    return render_template("plan.html", plan=view, chart=chart)
