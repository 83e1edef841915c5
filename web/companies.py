"""Companies and their flows: list, detail, create, edit, delete (cluster managers)."""

from __future__ import annotations

import math
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from symbiosis import services
from symbiosis.errors import ImportValidationError
from symbiosis.matching import best_partners
from symbiosis.model import Company, Dataset, Flow
from symbiosis.places import default_register
from symbiosis.taxonomy import QUALITY_FIELDS

from .auth import allow, login_required
from .data import Snapshot, get_store, snapshot, taxonomy, write
from .forms import COMPANY_FIELDS, FLOW_FIELDS, company_cells, flow_cells, parse_form
from .i18n import gettext
from .views import (
    arg_float,
    arg_place,
    arg_str,
    candidate_views,
    flow_view,
    hidden_flows,
)
from .words import row_error_text

__all__ = ["bp", "readable_company", "filtered_companies", "partner_views", "prefill"]

bp = Blueprint("companies", __name__, url_prefix="/companies")


def readable_company(company_id: str) -> Company:
    """A company the user may read, or 404 / 403."""
    company = snapshot().companies.get(company_id)
    if company is None:
        abort(404, description=gettext("no company {id}").format(id=company_id))
    allow(g.access.reads_company(company), "company {id} is outside your county",
          id=company_id)
    return company


def _save(kind: str, fields: tuple[str, ...], cells: dict[str, str], *, new: bool,
          known: set[str]) -> tuple[Dataset | None, dict[str, str]]:
    """Check a form's row without the store lock, then store it under the lock (where
    ownership is checked again)."""
    owner = g.access.import_owner()
    data, errors = parse_form(get_store(), kind, fields, cells, taxonomy=taxonomy(),
                              owner=owner, country=current_app.config["COUNTRY"])
    if new and cells.get("id") in known:
        errors.setdefault("id", gettext("already exists: choose another id"))
    if data is None or errors:
        return None, errors
    try:
        write(lambda store: services.save(store, data, taxonomy=taxonomy(), owner=owner))
    except ImportValidationError as exc:
        return None, {e.field: row_error_text(e) for e in exc.errors}
    return data, {}


def filtered_companies(snap: Snapshot) -> tuple[list[Company], str | None, dict[str, Any]]:
    """Companies matching the query string (county, municipality, cluster, park_id, q),
    within the user's county; with the county and filters applied."""
    county = g.access.county_scope() or arg_place("county")
    filters = {k: arg_str(k) for k in ("cluster", "park_id", "q")}
    filters["municipality"] = arg_place("municipality")
    rows = [c for c in snap.data.companies
            if (county is None or c.county == county)
            and all(v is None or getattr(c, k) == v for k, v in filters.items() if k != "q")
            and (filters["q"] is None or filters["q"].lower() in c.name.lower())]
    return rows, county, filters


@bp.get("/")
@login_required
def index() -> Any:
    snap = snapshot()
    rows, county, filters = filtered_companies(snap)
    counties = snap.counties
    # a page at a time, as the candidates: a national store lists tens of thousands
    size = current_app.config["PAGE_SIZE"]
    page = max(int(arg_float("page") or 1), 1)
    return render_template("companies.html", companies=rows[(page - 1) * size:page * size],
                           total=len(rows), page=page, size=size, county=county,
                           filters=filters, counties=counties, may_create=g.access.imports())


@bp.get("/<company_id>")
@login_required
def detail(company_id: str) -> Any:
    snap = snapshot()
    company = readable_company(company_id)
    # flows hidden from the user are neither listed nor counted: a count would say that
    # this company has confidential flows, and which anonymised rows are its
    shown = [flow_view(snap, f) for f in snap.data.flows
             if f.company_id == company_id and g.access.sees_flow(f, company)]
    clusters = snap.memo(("clusters",), lambda: sorted(
        {c.cluster for c in snap.data.companies if c.cluster}))
    return render_template("company.html", company=company, flows=shown,
                           partners=partner_views(snap, company_id, {f["id"] for f in shown}),
                           may_edit=g.access.edits_company(company),
                           may_move=g.access.moves_companies(), clusters=clusters)


def partner_views(snap: Snapshot, company_id: str, flow_ids: set[str]
                  ) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Each shown flow's best three partners (``direct``) and, apart, its best three
    conversions through a facility to build (``via``): the stored candidates as the
    candidate search gives them to this reader (its county, confidential sides hidden
    and ranked on what the reader sees, after the known scores)."""
    found = snap.index.search(company=company_id, county=g.access.county_scope(),
                              hidden_flows=hidden_flows(snap))
    lists = {flow: p for flow, p in best_partners(
        [snap.candidates[i] for i in found.positions], ranked=True).items()
        if flow in flow_ids}
    chosen = list({c.key: c for p in lists.values() for c in (*p.direct, *p.via_facility)
                   }.values())
    views = {c.key: v for c, v in zip(chosen, candidate_views(snap, chosen), strict=True)}
    return {flow: {"direct": [views[c.key] for c in p.direct],
                   "via": [views[c.key] for c in p.via_facility]}
            for flow, p in lists.items()}


def prefill() -> dict[str, str]:
    """Cells of a new company given in the query string, as the map's "place a new company
    here" link gives them: ``lat`` and ``lon`` (decimal degrees; out of range or unreadable
    left out), ``municipality`` and ``county`` (a name or number, written as the register
    names them; left out when the register does not read them)."""
    cells: dict[str, str] = {}
    for name, limit in (("lat", 90.0), ("lon", 180.0)):
        value = arg_float(name)
        if value is not None and math.isfinite(value) and abs(value) <= limit:
            cells[name] = f"{value:.5f}"
    county, municipality = arg_str("county"), arg_str("municipality")
    if county or municipality:
        register = default_register()
        place = register.read(county, municipality)
        if place.ok:
            if place.municipality_number:
                cells["municipality"] = register.label(place.municipality_number)
            if place.county:
                cells["county"] = place.county
    return cells


@bp.route("/new", methods=("GET", "POST"))
@login_required
def create() -> Any:
    allow(g.access.imports(), "create companies")
    cells = {f: request.form.get(f, "") for f in COMPANY_FIELDS}
    if request.method == "GET":
        cells.update(prefill())
    if g.access.role == "cluster_manager":
        cells["cluster"] = g.user.cluster
    errors: dict[str, str] = {}
    if request.method == "POST":
        data, errors = _save("companies", COMPANY_FIELDS, cells, new=True,
                             known=set(snapshot().companies))
        if data is not None:
            flash(gettext("Saved."))
            return redirect(url_for("companies.detail", company_id=cells["id"]))
    return _company_form(cells, errors, new=True)


@bp.route("/<company_id>/edit", methods=("GET", "POST"))
@login_required
def edit(company_id: str) -> Any:
    company = readable_company(company_id)
    allow(g.access.edits_company(company), "change company {id}", id=company_id)
    cells = company_cells(company)
    errors: dict[str, str] = {}
    if request.method == "POST":
        cells = {f: request.form.get(f, "") for f in COMPANY_FIELDS}
        cells["id"] = company_id
        if g.access.role == "cluster_manager":
            cells["cluster"] = g.user.cluster
        data, errors = _save("companies", COMPANY_FIELDS, cells, new=False, known=set())
        if data is not None:
            flash(gettext("Saved."))
            return redirect(url_for("companies.detail", company_id=company_id))
    return _company_form(cells, errors, new=False)


def _company_form(cells: dict[str, str], errors: dict[str, str], *, new: bool) -> Any:
    """The company form, with the register's counties and municipalities to choose from."""
    register = default_register()
    return render_template("company_form.html", cells=cells, errors=errors, new=new,
                           counties=register.county_names(),
                           municipalities=register.municipality_labels()), \
        400 if errors else 200


@bp.post("/<company_id>/cluster")
@login_required
def move(company_id: str) -> Any:
    """Give a company, with its flows and processes, to another cluster (admins only)."""
    readable_company(company_id)
    allow(g.access.moves_companies(), "move companies between clusters")
    cluster = request.form.get("cluster", "").strip()
    if not cluster:
        flash(gettext("Name the cluster to move the company to."), "error")
    else:
        write(lambda store: services.move_company(store, company_id, cluster))
        flash(gettext("Saved."))
    return redirect(url_for("companies.detail", company_id=company_id))


@bp.post("/<company_id>/delete")
@login_required
def delete(company_id: str) -> Any:
    company = readable_company(company_id)
    allow(g.access.edits_company(company), "delete company {id}", id=company_id)
    write(lambda store: services.delete_company(store, company_id, taxonomy=taxonomy()))
    flash(gettext("Deleted."))
    return redirect(url_for("companies.index"))


def _flow(flow_id: str) -> tuple[Flow, Company]:
    snap = snapshot()
    flow = snap.flows.get(flow_id)
    if flow is None:
        abort(404, description=gettext("no flow {id}").format(id=flow_id))
    company = readable_company(flow.company_id)
    allow(g.access.edits_company(company), "change the flows of {id}", id=company.id)
    return flow, company


def _flow_form(company: Company, cells: dict[str, str], *, new: bool) -> Any:
    errors: dict[str, str] = {}
    if request.method == "POST":
        cells = {f: request.form.get(f, "") for f in FLOW_FIELDS}
        cells["company_id"] = company.id
        if not new:
            cells["id"] = request.view_args["flow_id"]  # type: ignore[index]
        cells["confidential"] = "true" if request.form.get("confidential") else "false"
        cells["confirm_large"] = "true" if request.form.get("confirm_large") else "false"
        data, errors = _save("flows", FLOW_FIELDS, cells, new=new, known=set(snapshot().flows))
        if data is not None:
            flash(gettext("Saved."))
            return redirect(url_for("companies.detail", company_id=company.id))
    return render_template("flow_form.html", company=company, cells=cells, errors=errors,
                           new=new, resources=sorted(taxonomy().resources),
                           quality_fields=QUALITY_FIELDS,
                           co2_factors=sorted(taxonomy().co2.factors.values(),
                                              key=lambda f: f.key)), 400 if errors else 200


@bp.route("/<company_id>/flows/new", methods=("GET", "POST"))
@login_required
def add_flow(company_id: str) -> Any:
    company = readable_company(company_id)
    allow(g.access.edits_company(company), "add flows to {id}", id=company_id)
    return _flow_form(company, {"company_id": company_id, "direction": "supply"}, new=True)


@bp.route("/flows/<flow_id>/edit", methods=("GET", "POST"))
@login_required
def edit_flow(flow_id: str) -> Any:
    flow, company = _flow(flow_id)
    return _flow_form(company, flow_cells(flow), new=False)


@bp.post("/flows/<flow_id>/delete")
@login_required
def delete_flow(flow_id: str) -> Any:
    flow, company = _flow(flow_id)
    write(lambda store: services.delete_flow(store, flow_id, taxonomy=taxonomy()))
    flash(gettext("Deleted."))
    return redirect(url_for("companies.detail", company_id=company.id))
