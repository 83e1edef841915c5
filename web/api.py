"""JSON API under ``/api/v1`` with token authentication (``Authorization: Bearer ...``).

The same rights and the same anonymisation as the pages; the OpenAPI description is at
``/api/v1/openapi.json``. Tokens are made with ``symbiosis user token NAME``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from symbiosis import services
from symbiosis.errors import ImportValidationError, SymbiosisError
from symbiosis.io import Table
from symbiosis.lifecycle import LifecycleError
from symbiosis.recognition import normalise_text

from .auth import allow, login_required
from .candidates import search
from .companies import filtered_companies, partner_views, readable_company
from .data import get_store, snapshot, taxonomy, write
from .db import get_accounts
from .exchanges import (
    allow_start,
    change_status,
    exchange_list,
    exchange_view,
    readable_exchange,
    start_exchange,
)
from .indicators import area
from .jobs import api_cancel, api_view, own_job, request_wait, wait
from .openapi import openapi_document
from .optimize import OptimizeRequest, find_plan, run_optimizer
from .scenarios import adopt_plan, compare_ids, compare_view, scenario_rows
from .upload import mapping_cluster
from .views import arg_str, flow_view, in_scope, plan_summary, plan_view

__all__ = ["bp"]

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException) -> Any:
    return jsonify(error=exc.description or exc.name), exc.code


@bp.errorhandler(ImportValidationError)
def invalid(exc: ImportValidationError) -> Any:
    """The first errors (:data:`symbiosis.errors.SHOWN_ERRORS`) and how many in all."""
    return jsonify(error="invalid rows; nothing was stored", total=len(exc.errors),
                   errors=[{"table": e.file, "row": e.row, "field": e.field,
                            "message": e.message, "value": e.value,
                            "suggestions": [{"resource": k, "confidence": c}
                                            for k, c in e.suggestions]}
                           for e in exc.shown]), 422


@bp.errorhandler(SymbiosisError)
def domain_error(exc: SymbiosisError) -> Any:
    return jsonify(error=str(exc)), 409 if isinstance(exc, LifecycleError) else 400


@bp.get("/openapi.json")
def openapi() -> Any:
    return jsonify(openapi_document())


def _company_json(c: Any) -> dict[str, Any]:
    return {"id": c.id, "name": c.name, "lat": c.lat, "lon": c.lon,
            "org_number": c.org_number, "nace": c.nace, "municipality": c.municipality,
            "county": c.county, "park_id": c.park_id, "cluster": c.cluster,
            "country": c.country}


@bp.get("/companies")
@login_required
def companies() -> Any:
    rows = [_company_json(c) for c in filtered_companies(snapshot())[0]]
    return jsonify(companies=rows, count=len(rows))


@bp.get("/companies/<company_id>")
@login_required
def company(company_id: str) -> Any:
    snap = snapshot()
    c = readable_company(company_id)
    flows = [flow_view(snap, f) for f in snap.data.flows
             if f.company_id == company_id and g.access.sees_flow(f, c)]
    return jsonify(company=_company_json(c), flows=flows,
                   partners=partner_views(snap, company_id, {f["id"] for f in flows}))


@bp.post("/companies")
@login_required
def create_companies() -> Any:
    """Insert or update companies and flows given as rows with the import's columns.

    Resource cells may be free text; one not read with confidence is refused with its best
    three suggestions. ``mapping`` (``{text: resource}``) confirms readings: they are saved
    for the user's cluster and used on later imports, as on the upload page."""
    allow(g.access.imports(), "import data")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, description="send a JSON object with 'companies' and/or 'flows' lists")
    confirmed = body.get("mapping") or {}
    if not isinstance(confirmed, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in confirmed.items()):
        abort(400, description="'mapping' must be an object of text: resource")
    unknown = sorted(v for v in confirmed.values() if v not in taxonomy().resources)
    if unknown:
        abort(400, description=f"mapping: unknown resource {unknown[0]!r}")
    tables = []
    for kind in ("companies", "flows"):
        rows = body.get(kind) or []
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            abort(400, description=f"'{kind}' must be a list of objects")
        # a key a row leaves out keeps the stored value; null clears it
        columns = tuple(sorted({str(k) for r in rows for k in r}))
        tables.append(Table(kind=kind, label=kind, columns=columns, rows=tuple(
            (n, {str(c): _cell(v) for c, v in r.items()}) for n, r in enumerate(rows, start=1))))
    tables = [t for t in tables if t.rows]
    owner = g.access.import_owner()
    mapping = dict(get_accounts().mapping(mapping_cluster()))
    mapping.update((normalise_text(text), key) for text, key in confirmed.items())
    try:  # checked outside the store lock
        result = services.parse_for_store(get_store(), tables, taxonomy=taxonomy(),
                                          mapping=mapping, owner=owner,
                                          country=current_app.config["COUNTRY"])
    except ImportValidationError as exc:
        if not any(e.code == "other_cluster" for e in exc.errors):
            _confirm(confirmed)
        raise
    _confirm(confirmed)  # confirmed only once the caller may import these rows
    write(lambda store: services.save(store, result.dataset, taxonomy=taxonomy(), owner=owner,
                                      origins=result.origins))
    return jsonify(companies=len(result.dataset.companies), flows=len(result.dataset.flows),
                   warnings=list(result.warnings),
                   readings=[{"table": i.file, "row": i.row, "flow": i.flow_id,
                              "text": i.recognition.text, "resource": i.recognition.resource,
                              "confidence": i.recognition.confidence,
                              "qualifiers": dict(i.recognition.qualifiers),
                              "evidence": list(i.recognition.evidence)}
                             for i in result.interpretations]), 201


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _confirm(confirmed: dict[str, str]) -> None:
    for text, key in confirmed.items():
        get_accounts().confirm(mapping_cluster(), normalise_text(text), key, g.user.username)


@bp.post("/companies/<company_id>/cluster")
@login_required
def move_company(company_id: str) -> Any:
    """Give a company, with its flows and processes, to another cluster (admins only)."""
    allow(g.access.moves_companies(), "move companies between clusters")
    if snapshot().companies.get(company_id) is None:
        abort(404, description=f"no company {company_id}")
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("cluster"), str) \
            or not body["cluster"].strip():
        abort(400, description="send {'cluster': 'the cluster to move the company to'}")
    moved = write(lambda store: services.move_company(store, company_id, body["cluster"]))
    return jsonify(company=_company_json(moved))


@bp.delete("/companies/<company_id>")
@login_required
def delete_company(company_id: str) -> Any:
    c = snapshot().companies.get(company_id)
    if c is None:
        abort(404, description=f"no company {company_id}")
    allow(g.access.edits_company(c), "delete company {id}", id=company_id)
    write(lambda store: services.delete_company(store, company_id, taxonomy=taxonomy()))
    return "", 204


@bp.get("/flows")
@login_required
def flows() -> Any:
    snap = snapshot()
    company_id, resource, direction = arg_str("company"), arg_str("resource"), \
        arg_str("direction")
    key = taxonomy().resolve(resource)[0] if resource else None
    rows = [flow_view(snap, f) for f in snap.data.flows
            if (company_id is None or f.company_id == company_id)
            and (key is None or f.resource == key)
            and (direction is None or f.direction == direction)
            and in_scope(snap, f.company_id)]
    if company_id is not None:  # asking by company must not reveal its hidden flows
        rows = [r for r in rows if not r["anonymised"]]
    return jsonify(flows=rows, count=len(rows))


@bp.get("/candidates")
@login_required
def candidates() -> Any:
    limit = min(int(request.args.get("limit", 100) or 100), 10_000)
    offset = max(int(request.args.get("offset", 0) or 0), 0)
    found = search(snapshot(), limit=limit, offset=offset)
    if found["problem"]:
        abort(400, description=found["problem"])
    return jsonify(candidates=found["rows"], total=found["total"], offset=offset,
                   limit=limit)


@bp.get("/plans")
@login_required
def plans() -> Any:
    snap = snapshot()
    return jsonify(plans=[plan_summary(snap, p) for p in snap.plans])


@bp.get("/plans/<plan_id>")
@login_required
def plan(plan_id: str) -> Any:
    snap = snapshot()
    return jsonify(plan_view(snap, find_plan(snap, plan_id)))


@bp.post("/plans")
@login_required
def run_plan() -> Any:
    body = request.get_json(silent=True) or {}
    if not isinstance(body, dict):
        abort(400, description="send a JSON object")
    req = OptimizeRequest(body)
    if req.errors:
        return jsonify(error="invalid parameters", errors=req.errors), 400
    job = run_optimizer(req)
    waited = request_wait()
    if waited is None:
        return jsonify(job=api_view(job)), 202
    wait(job, waited)
    if job.state != "done":
        return jsonify(job=api_view(job)), 202 if job.running else 422
    return jsonify(plan_view(snapshot(), find_plan(snapshot(), job.result))), 201


@bp.get("/scenarios")
@login_required
def scenarios() -> Any:
    """Plans saved as named scenarios, newest first."""
    rows = scenario_rows(snapshot())
    return jsonify(scenarios=rows, count=len(rows))


@bp.get("/scenarios/compare")
@login_required
def compare_scenarios() -> Any:
    """Plans side by side: ``?ids=a,b`` (or ``?id=a&id=b``)."""
    return jsonify(compare_view(compare_ids()))


@bp.post("/scenarios/<plan_id>/adopt")
@login_required
def adopt_scenario(plan_id: str) -> Any:
    """Make a scenario's exchanges the live proposals of its scope."""
    adopted = adopt_plan(plan_id)
    snap = snapshot()
    return jsonify(plan_view(snap, find_plan(snap, adopted.id)))


@bp.get("/jobs/<job_id>")
@login_required
def job(job_id: str) -> Any:
    found = own_job(job_id)
    body = api_view(found)
    if found.state == "done" and found.kind == "plan":
        body["plan"] = plan_view(snapshot(), find_plan(snapshot(), found.result))
    return jsonify(job=body)


@bp.post("/jobs/<job_id>/cancel")
@login_required
def cancel_job(job_id: str) -> Any:
    return api_cancel(job_id)


@bp.get("/exchanges")
@login_required
def exchanges() -> Any:
    rows = exchange_list(snapshot(), arg_str("status"))
    return jsonify(exchanges=rows, count=len(rows))


@bp.post("/exchanges")
@login_required
def create_exchange() -> Any:
    """Start an exchange on a candidate pair (proposed, with a note): who may change the
    exchanges of the supplier or the receiver; 409 when the pair has one under way."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, description="send {'supply_flow': ..., 'demand_flow': ..., 'note': ...}")
    supply, demand = body.get("supply_flow"), body.get("demand_flow")
    if not isinstance(supply, str) or not isinstance(demand, str) or not supply or not demand:
        abort(400, description="'supply_flow' and 'demand_flow' must be flow ids")
    allow_start(supply, demand)  # the door first: a refusal says nothing about the body
    note, amount = body.get("note", ""), body.get("amount")
    if not isinstance(note, str):
        abort(400, description="'note' must be text")
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int | float)):
        abort(400, description="'amount' must be a number (per year, in the supply's unit)")
    started = start_exchange(supply, demand, note=note,
                             amount=None if amount is None else float(amount))
    return jsonify(exchange_view(snapshot(), started)), 201


@bp.get("/exchanges/<exchange_id>")
@login_required
def exchange(exchange_id: str) -> Any:
    """One exchange with its history."""
    return jsonify(readable_exchange(exchange_id))


@bp.post("/exchanges/<exchange_id>/status")
@login_required
def exchange_status(exchange_id: str) -> Any:
    body = request.get_json(silent=True) or {}
    if not isinstance(body, dict) or not body.get("status"):
        abort(400, description="send {'status': 'agreed' | 'operating' | 'ended'}")
    start, end = body.get("start_year"), body.get("end_year")
    for name, year in (("start_year", start), ("end_year", end)):
        if year is not None and (not isinstance(year, int) or isinstance(year, bool)):
            abort(400, description=f"{name} must be an integer")
    changed = change_status(exchange_id, str(body["status"]), note=str(body.get("note", "")),
                            start_year=start, end_year=end)
    view = exchange_view(snapshot(), changed)
    return jsonify(view)


@bp.get("/indicators")
@login_required
def indicators() -> Any:
    """The area's indicators as the caller may see them (withheld figures are null, with
    their band or reason under ``withheld``)."""
    import dataclasses

    return jsonify(dataclasses.asdict(area(snapshot())))
