"""Candidate search: by county, municipality, resource, distance and value; CSV download."""

from __future__ import annotations

import io
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from symbiosis.errors import SymbiosisError
from symbiosis.export import SpreadsheetWriter
from symbiosis.lifecycle import LIVE
from symbiosis.matching import match_dataset
from symbiosis.model import Candidate
from symbiosis.search import SORT_KEYS

from .auth import allow, login_required
from .data import Snapshot, get_store, snapshot, taxonomy, write
from .exchanges import allow_start, exchange_view, start_exchange, visible_flow
from .i18n import gettext
from .jobs import Job, phase, start
from .views import arg_float, arg_place, arg_str, candidate_views, hidden_flows, in_scope

__all__ = ["bp", "search", "CSV_COLUMNS", "readable_candidate"]

bp = Blueprint("candidates", __name__, url_prefix="/candidates")

CSV_COLUMNS = ("supply_flow", "supply_company", "supply_municipality", "resource",
               "demand_flow", "demand_company", "demand_municipality", "demand_resource",
               "distance_km", "mode", "amount", "unit", "value_nok", "co2_avoided_t", "score",
               "reasons", "limits")


def search(snap: Snapshot, *, limit: int | None, offset: int = 0) -> dict[str, Any]:
    """Run the search the query string asks for, within what the user may read, on the
    values the user sees (a hidden row's value, CO2 and score unknown, its distance
    banded, its hidden side naming no company), so the filters answer nothing the rows
    do not show."""
    resource = arg_str("resource")
    key, _ = (taxonomy().resolve(resource) if resource else ("", None))
    params: dict[str, Any] = {"county": g.access.county_scope() or arg_place("county"),
              "municipality": arg_place("municipality"), "resource": key or None,
              "company": arg_str("company"), "max_distance_km": arg_float("max_distance"),
              "min_value_nok": arg_float("min_value")}
    sort = arg_str("sort") or "score"
    if sort not in SORT_KEYS:
        sort = "score"
    order = arg_str("order")
    descending = None if order is None else order == "desc"
    if resource and not key:
        # only a code that looks like an EWC code and is not one resolves to nothing
        return {"rows": [], "total": 0, "params": params, "sort": sort,
                "problem": gettext("'{name}' looks like an EWC code but is not in the List "
                                   "of Waste").format(name=resource)}
    result = snap.index.search(**params, sort=sort, descending=descending, offset=offset,
                               limit=limit, hidden_flows=hidden_flows(snap))
    rows = candidate_views(snap, [snap.candidates[i] for i in result.positions])
    return {"rows": rows, "total": result.total, "params": params, "sort": sort,
            "problem": None}


@bp.get("/")
@login_required
def index() -> Any:
    snap = snapshot()
    size = current_app.config["PAGE_SIZE"]
    page = max(int(arg_float("page") or 1), 1)
    found = search(snap, limit=size, offset=(page - 1) * size)
    counties = snap.counties
    return render_template("candidates.html", **found, page=page, size=size,
                           counties=counties, resources=sorted(taxonomy().resources),
                           stored=len(snap.candidates), sort_keys=SORT_KEYS)


def _csv_row(r: dict[str, Any]) -> list[object]:
    s, d = r["supply"], r["demand"]
    return [s["id"], s["company"], s["municipality"] or "", r["resource"], d["id"],
            d["company"], d["municipality"] or "", r["demand_resource"],
            r["distance_text"] if r["distance_km"] is None else r["distance_km"],
            r["mode"], r["amount"] if r["amount"] is not None else r["amount_text"], r["unit"],
            "" if r["value_nok"] is None else round(r["value_nok"]),
            "" if r["co2_avoided_t"] is None else round(r["co2_avoided_t"], 3),
            "" if r["score"] is None else r["score"], " | ".join(r["reasons"]),
            " | ".join(r["limits"])]


@bp.get("/csv")
@login_required
def download() -> Response:
    found = search(snapshot(), limit=None)
    buffer = io.StringIO()
    out = SpreadsheetWriter(buffer)
    out.writerow(CSV_COLUMNS)
    out.writerows(map(_csv_row, found["rows"]))
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=candidates.csv"})


def readable_candidate(snap: Snapshot, supply_flow: str, demand_flow: str) -> Candidate:
    """A stored candidate both of whose flows the signed-in user sees, or 404 (403
    outside a county user's county)."""
    supply, demand = visible_flow(snap, supply_flow), visible_flow(snap, demand_flow)
    keyed = snap.memo(("candidates-by-key",), lambda: {c.key: c for c in snap.candidates})
    found = keyed.get((supply_flow, demand_flow))
    if found is None:
        abort(404, description=f"{supply_flow} -> {demand_flow} is not a candidate")
    allow(in_scope(snap, supply.company_id, demand.company_id),
          f"read the candidate {supply_flow} -> {demand_flow}")
    return found


@bp.get("/<supply_flow>/<demand_flow>")
@login_required
def detail(supply_flow: str, demand_flow: str) -> Any:
    """One candidate: both flows, the figures and why they match; the exchanges on the
    pair; and, for those who may, the form that starts an exchange on it."""
    snap = snapshot()
    found = readable_candidate(snap, supply_flow, demand_flow)
    (row,) = candidate_views(snap, [found])
    exchanges = [v for e in snap.exchanges if e.supply_flow == supply_flow
                 and e.demand_flow == demand_flow
                 and (v := exchange_view(snap, e)) is not None]
    under_way = next((x for x in exchanges if x["status"] in LIVE), None)
    may_start = under_way is None and g.access.changes_exchange(
        snap.companies.get(found.supply_company), snap.companies.get(found.demand_company))
    return render_template("candidate.html", c=row, candidate=found, exchanges=exchanges,
                           under_way=under_way, may_start=may_start)


@bp.post("/<supply_flow>/<demand_flow>/exchange")
@login_required
def start_on(supply_flow: str, demand_flow: str) -> Any:
    """Start an exchange on the candidate (proposed, with the note), then show it."""
    allow_start(supply_flow, demand_flow)  # refused at the door, whatever the form holds
    text = request.form.get("amount", "").strip().replace(" ", "").replace(",", ".")
    back = redirect(url_for("candidates.detail", supply_flow=supply_flow,
                            demand_flow=demand_flow))
    try:
        amount = float(text) if text else None
    except ValueError:
        flash(gettext("The amount must be a number.") + f" ({text})", "error")
        return back
    try:
        started = start_exchange(supply_flow, demand_flow,
                                 note=request.form.get("note", ""), amount=amount)
    except SymbiosisError as exc:
        flash(str(exc), "error")
        return back
    flash(gettext("Exchange started: proposed."))
    return redirect(url_for("exchanges.detail", exchange_id=started.id))


@bp.post("/match")
@login_required
def match() -> Any:
    allow(g.access.runs_matching(), "run matching")

    job = start_matching()
    return redirect(url_for("jobs.show", job_id=job.id))


def start_matching() -> Job:
    """Match the whole store in the background; the candidates are stored under the lock
    only once they are found."""
    store, tax = get_store(), taxonomy()

    def work(job: Job) -> int:
        phase(job, "matching")
        cands = match_dataset(store.dataset(), taxonomy=tax)
        phase(job, "saving")
        write(lambda s: s.replace_candidates(cands))
        return len(cands)

    return start("match", gettext("Matching"), work)
