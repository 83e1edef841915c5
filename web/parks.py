"""The net-zero park planner: a park's baseline, and the least-cost plan to its target
(or the most reduction within a budget); an unreachable target shows the best reachable."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from markupsafe import Markup

from optimizer import ParkPlan
from symbiosis import services
from symbiosis.disclosure import Figure, park_plan_figures
from symbiosis.indicators import ParkProgress, park_progress
from symbiosis.model import Park
from symbiosis.report_html import line_chart_svg

from .auth import allow, login_required
from .data import Snapshot, get_store, snapshot, taxonomy
from .i18n import gettext
from .indicators import parks_status
from .jobs import Job, phase, start
from .optimize import OptimizeRequest
from .views import hidden_flow, hidden_flows, plan_view
from .words import note_text, number

__all__ = ["bp", "run_park_plan"]

bp = Blueprint("parks", __name__, url_prefix="/parks")


def _park(snap: Snapshot, park_id: str) -> Park:
    park = next((p for p in snap.data.parks if p.id == park_id), None)
    if park is None:
        abort(404, description=gettext("no park {id}").format(id=park_id))
    county = g.access.county_scope()
    allow(county is None or park.county == county, "park {id} is outside your county",
          id=park_id)
    return park


def run_park_plan(park: Park, req: OptimizeRequest) -> Job:
    """Start the park planner in the background; it stores nothing."""
    allow(g.access.runs_optimizer(), "run the park planner")
    store, tax = get_store(), taxonomy()

    def work(job: Job) -> ParkPlan:
        phase(job, "solving")
        _, result = services.plan_park(store, park.id, budget_nok=req.budget,
                                       time_limit_s=req.time_limit, taxonomy=tax,
                                       interrupter=job.interrupter)
        return result

    # up to two solves: toward the target, then the most reduction when out of reach
    return start("park", f"{gettext('Park planner')}: {park.name}", work,
                 limit_s=2 * req.time_limit)


def _status(snap: Snapshot, park: Park) -> ParkProgress:
    return park_progress(snap.data, snap.exchanges, park, hidden=hidden_flow(snap))


def park_result_page(result: ParkPlan) -> Any:
    """The park page with a finished plan (shown by the job page), its figures as the
    user may see them: derived from withheld figures, they are withheld too, and so are
    whether the target is reachable and the planner's message (which quotes them)."""
    snap = snapshot()
    park = _park(snap, result.park_id)
    status = _status(snap, park)
    already = status.withheld.get("avoided_t", Figure(result.already_avoided_t))
    figures, path = park_plan_figures(
        result.plan, hidden_flows(snap), baseline_t_co2e=result.baseline_t_co2e,
        target_t_co2e=result.target_t_co2e, already=already,
        years=[y for y, _ in result.trajectory])
    shown = all(f.shown for f in figures.values())
    chart = Markup(line_chart_svg({gettext("Residual (t CO2e/yr)"):
                                   [(y, f.value) for y, f in path]},
                                  unit=f"t CO2e/{gettext('yr')}", label=gettext("Trajectory"),
                                  number=number))
    view = {"reachable": result.reachable if shown else None,
            "message": note_text(result.note, result.message) if shown else "", **figures}
    return render_template("park.html", park=park, status=status, result=view,
                           plan=plan_view(snap, result.plan), chart=chart, errors={})


@bp.get("/")
@login_required
def index() -> Any:
    snap = snapshot()
    county = g.access.county_scope()
    parks = [(p, s) for p, s in zip(snap.data.parks, parks_status(snap), strict=True)
             if county is None or p.county == county]
    return render_template("parks.html", parks=parks)


@bp.route("/<park_id>", methods=("GET", "POST"))
@login_required
def detail(park_id: str) -> Any:
    snap = snapshot()
    park = _park(snap, park_id)
    status = _status(snap, park)
    result = plan = chart = None
    errors: dict[str, str] = {}
    if request.method == "POST":
        req = OptimizeRequest(request.form.to_dict())
        errors = req.errors
        if park.baseline_t_co2e is None:
            errors["baseline"] = gettext("The park has no emission baseline yet.")
        if not errors:
            job = run_park_plan(park, req)
            return redirect(url_for("jobs.show", job_id=job.id))
    return render_template("park.html", park=park, status=status, result=result, plan=plan,
                           chart=chart, errors=errors), 400 if errors else 200
