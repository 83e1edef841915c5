"""The optimizer page: objective, scope (everything, a county, a municipality or a park),
budget, time limit and an optional scenario name in; the plan, its account of lines, its
conditional proposals, its missing figures ranked and the cost-versus-CO2 frontier out."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup

from symbiosis import services
from symbiosis.errors import OptimizationError
from symbiosis.export import NOK_FORMAT, TONNE_FORMAT, Sheet, workbook_bytes
from symbiosis.messages import error
from symbiosis.model import Plan, PlanScope
from symbiosis.places import default_register
from symbiosis.report_html import frontier_svg

from .auth import allow, login_required
from .data import Snapshot, get_store, snapshot, taxonomy, write
from .i18n import figure_words, gettext, resource_label
from .jobs import Job, phase, start
from .views import plan_summary, plan_view, scope_county, scope_words
from .words import number, place_problem, significant

__all__ = ["bp", "run_optimizer", "OptimizeRequest", "find_plan", "allow_scope"]

bp = Blueprint("optimize", __name__, url_prefix="/optimize")


class OptimizeRequest:
    """Optimizer settings read from a form or a JSON body, with their errors."""

    def __init__(self, source: dict[str, Any]):
        self.errors: dict[str, str] = {}
        self.objective = str(source.get("objective") or "value")
        if self.objective not in ("value", "co2"):
            self.errors["objective"] = gettext("must be 'value' or 'co2'")
        self.budget = self._number(source, "budget", None, low=0)
        limit = self._number(source, "time_limit", 30.0, low=1)
        self.time_limit = min(limit or 30.0, current_app.config["OPTIMIZE_MAX_SECONDS"])
        self.frontier = int(self._number(source, "frontier_points", 0, low=0, high=12) or 0)
        self.county = g.access.county_scope() or self._county(source)
        self.municipality = self._municipality(source)
        self.park = str(source.get("park") or "").strip() or None
        self.scenario = str(source.get("scenario") or "").strip()
        if len(self.scenario) > 80:
            self.errors["scenario"] = gettext("at most {n} characters").format(n=80)
        self.scope = PlanScope.of(county=self.county, municipality=self.municipality,
                                  park=self.park)
        if self.park and not any(p.id == self.park for p in snapshot().data.parks):
            self.errors["park"] = gettext("no such park")

    def _county(self, source: dict[str, Any]) -> str | None:
        """The county asked for, as its register name."""
        text = str(source.get("county") or "").strip()
        got = default_register().read(text, None)
        if not got.ok:
            self.errors["county"] = place_problem(got.problems[0])
        return got.county

    def _municipality(self, source: dict[str, Any]) -> str | None:
        """The municipality asked for, as its register name (in the county asked for)."""
        text = str(source.get("municipality") or "").strip()
        if not text:
            return None
        got = default_register().read(self.county, text)
        if not got.ok:
            self.errors["municipality"] = place_problem(got.problems[0])
        return got.municipality

    def _number(self, source: dict[str, Any], key: str, default: float | None, *,
                low: float | None = None, high: float | None = None) -> float | None:
        raw = source.get(key)
        if raw is None or str(raw).strip() == "":
            return default
        try:
            value = float(str(raw).replace(",", "."))
        except ValueError:
            self.errors[key] = gettext("is not a number")
            return default
        if (low is not None and value < low) or (high is not None and value > high):
            self.errors[key] = (gettext("must be between {low} and {high}").format(
                low=significant(low), high=significant(high)) if high is not None
                else gettext("must be at least {low}").format(low=significant(low)))
        return value


def allow_scope(scope: PlanScope, *, live: bool) -> None:
    """County staff plan inside their county only; a live plan needs the right to set the
    proposals of its scope."""
    county = scope_county(snapshot(), scope)
    mine = g.access.county_scope()
    allow(g.access.runs_optimizer() and (mine is None or county == mine),
          "plan for {scope}", scope=scope_words(scope))
    if live:
        allow(g.access.sets_proposals(county), "set the proposals of {scope}",
              scope=scope_words(scope))


def run_optimizer(req: OptimizeRequest) -> Job:
    """Start optimising the store (or one county, municipality or park of it) in the
    background; the solved plan is stored as the proposals of its scope, or as a named
    scenario (the lock is taken only for that)."""
    allow_scope(req.scope, live=not req.scenario)
    tax = taxonomy()
    store = get_store()

    def work(job: Job) -> str:
        phase(job, "solving")
        _, plan = services.plan(store, county=req.county, municipality=req.municipality,
                                park=req.park, objective=req.objective,
                                budget_nok=req.budget, frontier_points=req.frontier,
                                time_limit_s=req.time_limit, taxonomy=tax,
                                scenario=req.scenario, save=False,
                                interrupter=job.interrupter)
        phase(job, "saving")
        if plan.status not in ("optimal", "feasible"):
            raise error(OptimizationError, "plan.no_plan", plan_status=plan.status)
        write(lambda s: services.save_plan(s, plan))
        return plan.id

    # the frontier solves once per point, and the missing figures are weighed, each within
    # the limit
    return start("plan", gettext("Optimizer"), work,
                 limit_s=req.time_limit * (2 + max(0, req.frontier)))


def find_plan(snap: Snapshot, plan_id: str) -> Plan:
    """A stored plan, or 404."""
    found = next((p for p in snap.plans if p.id == plan_id), None)
    if found is None:
        abort(404, description=gettext("no plan {id}").format(id=plan_id))
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
            job = run_optimizer(req)
            return redirect(url_for("jobs.show", job_id=job.id))
    counties = snap.counties
    municipalities = snap.memo(("municipalities",), lambda: sorted(
        {c.municipality for c in snap.data.companies if c.municipality}))
    mine = g.access.county_scope()
    parks = [p for p in snap.data.parks if mine is None or p.county == mine]
    plans = [plan_summary(snap, p) for p in snap.plans]
    return render_template("optimize.html", plans=plans, errors=errors,
                           form=request.form, counties=counties, parks=parks,
                           municipalities=municipalities), 400 if errors else 200


@bp.get("/plans/<plan_id>")
@login_required
def plan(plan_id: str) -> Any:
    snap = snapshot()
    found = find_plan(snap, plan_id)
    view = plan_view(snap, found)
    chart = Markup(frontier_svg(
        [(p["cost_nok"], p["co2_avoided_t"]) for p in view["frontier"]
         if p["cost_nok"] is not None and p["co2_avoided_t"] is not None],
        x_title=gettext("CO2 avoided (t CO2/yr)"),
        y_title=gettext("Net cost (NOK/yr; below 0 the plan earns)"), year=gettext("yr"),
        number=number)) if view["frontier"] else None
    may_adopt = found.is_scenario and g.access.sets_proposals(scope_county(snap, found.scope))
    return render_template("plan.html", plan=view, chart=chart, may_adopt=may_adopt)


def _figure(value: float | None, withheld: Any, fmt: str = "{:,.0f}") -> object:
    """A figure for a cell: the number when shown, else its band or "confidential"."""
    return value if value is not None and not withheld else figure_words(value, withheld, fmt)


def plan_sheets(view: dict[str, Any]) -> list[Sheet]:
    """A plan as the user sees it (:func:`web.views.plan_view`) as sheets: its totals,
    every line of its account with their sum, and its exchanges."""
    totals = [[gettext("Plan"), view["id"], ""], [gettext("Scope"), view["scope_words"], ""],
              [gettext("Status"), view["status"], ""]]
    totals += [[t["label"], _figure(t["value"], t["withheld"], t["format"]), t["unit"]]
               for t in view["totals_text"]]
    lines: list[list[object]] = [
        [x["what"], x["subject"], x["detail"], _figure(x["value_nok"], x["withheld_value"]),
         _figure(x["co2_avoided_t"], x["withheld_co2"], "{:,.1f}")] for x in view["lines"]]
    confidential = gettext("confidential")
    sums: list[object] = []
    for key in ("value_nok", "co2_avoided_t"):
        shown = [x[key] for x in view["lines"]]
        sums.append(confidential if None in shown else sum(shown))
    lines.append([gettext("Sum of the lines"), "", "", *sums])
    exchanges = [[confidential if e["supply"]["anonymised"] else e["supply"]["company"],
                  e["supply"]["municipality"] or "",
                  confidential if e["demand"]["anonymised"] else e["demand"]["company"],
                  e["demand"]["municipality"] or "", resource_label(e["resource"]),
                  e["amount"] if e["amount"] is not None else e["amount_text"], e["unit"],
                  e["mode"], e["distance_km"] if e["distance_km"] is not None
                  else e["distance_text"],
                  confidential if e["value_nok"] is None else e["value_nok"],
                  confidential if e["co2_avoided_t"] is None else e["co2_avoided_t"]]
                 for e in view["exchanges"]]
    return [
        Sheet(gettext("Totals"), [gettext("Total"), gettext("Value"), gettext("Unit")], totals,
              cell_formats={(n + 3, 1): TONNE_FORMAT if t["key"].endswith("_t") else NOK_FORMAT
                            for n, t in enumerate(view["totals_text"])}),
        Sheet(gettext("Lines"), [gettext("Line"), gettext("What"), gettext("Detail"),
                                 gettext("Value (NOK/yr)"), gettext("CO2 avoided (t/yr)")],
              lines, formats={3: NOK_FORMAT, 4: TONNE_FORMAT}, bold_last=True),
        Sheet(gettext("Exchanges"), [
            gettext("Supplier"), gettext("Municipality"), gettext("Receiver"),
            gettext("Municipality"), gettext("Resource"), gettext("Amount"), gettext("Unit"),
            gettext("Mode"), gettext("Distance (km)"), gettext("Value (NOK/yr)"),
            gettext("CO2 avoided (t/yr)")], exchanges,
            formats={5: NOK_FORMAT, 8: TONNE_FORMAT, 9: NOK_FORMAT, 10: TONNE_FORMAT}),
    ]


@bp.get("/plans/<plan_id>/xlsx")
@login_required
def plan_xlsx(plan_id: str) -> Response:
    """The plan as a workbook: totals, lines and exchanges as the user may see them."""
    snap = snapshot()
    data = workbook_bytes(plan_sheets(plan_view(snap, find_plan(snap, plan_id))))
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument."
                                    "spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=plan-{plan_id}.xlsx"})
