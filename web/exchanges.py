"""Exchanges and their lifecycle: proposed -> agreed -> operating -> ended, with history."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from symbiosis import services
from symbiosis.cases import DOCUMENTED_BY
from symbiosis.errors import NotFoundError
from symbiosis.lifecycle import ALLOWED, LifecycleError
from symbiosis.model import Exchange, Flow

from .auth import allow, login_required
from .data import Snapshot, snapshot, write
from .i18n import gettext
from .views import arg_str, flow_view, in_scope
from .words import amount, error_text

__all__ = ["bp", "exchange_view", "exchange_list", "change_status", "start_exchange",
           "allow_start", "visible_flow", "readable_exchange"]

bp = Blueprint("exchanges", __name__, url_prefix="/exchanges")


def _company_of(snap: Snapshot, flow_id: str) -> Any:
    flow = snap.flows.get(flow_id)
    return snap.companies.get(flow.company_id) if flow else None


def exchange_view(snap: Snapshot, e: Exchange) -> dict[str, Any] | None:
    """An exchange as the user may see it, or None when both flows are gone."""
    s, d = snap.flows.get(e.supply_flow), snap.flows.get(e.demand_flow)
    if s is None or d is None:
        return None
    supply, demand = flow_view(snap, s), flow_view(snap, d)
    hidden = supply["anonymised"] or demand["anonymised"]
    return {"id": e.id, "status": e.status, "supply": supply, "demand": demand,
            "amount": None if hidden else e.amount, "unit": e.unit,
            "amount_text": supply["amount_text"] if hidden else amount(e.amount, e.unit),
            "value_nok": None if hidden else e.value_nok,
            "co2_avoided_t": None if hidden else e.co2_avoided_t,
            "start_year": e.start_year, "end_year": e.end_year, "plan_id": e.plan_id,
            # a note may name the hidden side: its words stay with those who see it
            "history": [{"status": h.status, "at": h.at, "by": h.by,
                         "note": "" if hidden else h.note} for h in e.history],
            "origin": ("plan" if e.plan_id else "documented"
                       if e.history and e.history[0].by == DOCUMENTED_BY else "hand"),
            "next": sorted(ALLOWED.get(e.status, ())), "anonymised": hidden,
            "may_change": g.access.changes_exchange(_company_of(snap, e.supply_flow),
                                                    _company_of(snap, e.demand_flow))}


def change_status(exchange_id: str, status: str, *, note: str = "",
                  start_year: int | None = None, end_year: int | None = None) -> Exchange:
    """Move one exchange on, as the signed-in user; raises LifecycleError when not allowed."""
    snap = snapshot()
    current = next((e for e in snap.exchanges if e.id == exchange_id), None)
    if current is None:
        abort(404, description=gettext("no exchange {id}").format(id=exchange_id))
    allow(g.access.changes_exchange(_company_of(snap, current.supply_flow),
                                    _company_of(snap, current.demand_flow)),
          "change exchange {id}", id=exchange_id)
    _, changed = write(lambda store: services.advance_exchange(
        store, exchange_id, status, by=g.user.username, note=note, start_year=start_year,
        end_year=end_year))
    return changed


def visible_flow(snap: Snapshot, flow_id: str) -> Flow:
    """A flow the signed-in user sees in full, or 404 (a hidden flow is answered as an
    unknown one, so its id tells nothing)."""
    flow = snap.flows.get(flow_id)
    if flow is None or not g.access.sees_flow(flow, snap.companies.get(flow.company_id)):
        abort(404, description=f"no flow {flow_id}")
    return flow


def allow_start(supply_flow: str, demand_flow: str) -> None:
    """404 unless the signed-in user sees both flows; 403 unless the user may change the
    exchanges of the supplier or of the receiver (see :class:`web.access.Access`)."""
    snap = snapshot()
    supply, demand = visible_flow(snap, supply_flow), visible_flow(snap, demand_flow)
    allow(g.access.changes_exchange(snap.companies.get(supply.company_id),
                                    snap.companies.get(demand.company_id)),
          f"start an exchange {supply_flow} -> {demand_flow}")


def start_exchange(supply_flow: str, demand_flow: str, *, note: str = "",
                   amount: float | None = None) -> Exchange:
    """Start an exchange on a candidate as the signed-in user: 404 for a flow the user
    does not see, 403 without the right to change the exchanges of either company;
    raises :class:`~symbiosis.lifecycle.LiveExchangeError` and
    :class:`~symbiosis.lifecycle.ExchangeStartError` as the service does."""
    allow_start(supply_flow, demand_flow)
    try:
        return write(lambda store: services.start_exchange(
            store, supply_flow, demand_flow, by=g.user.username, note=note, amount=amount))
    except NotFoundError as exc:  # deleted since the snapshot
        abort(404, description=str(exc))


def readable_exchange(exchange_id: str) -> dict[str, Any]:
    """One exchange as the signed-in user may see it: 404 unknown, 403 outside a county
    user's county."""
    snap = snapshot()
    found = next((e for e in snap.exchanges if e.id == exchange_id), None)
    view = exchange_view(snap, found) if found is not None else None
    if found is None or view is None:
        abort(404, description=f"no exchange {exchange_id}")
    allow(in_scope(snap, snap.flows[found.supply_flow].company_id,
                   snap.flows[found.demand_flow].company_id), f"read exchange {exchange_id}")
    return view


def exchange_list(snap: Snapshot, status: str | None) -> list[dict[str, Any]]:
    """The exchanges (of one status) the user may see, as :func:`exchange_view` rows."""
    rows = []
    for e in snap.exchanges:
        view = exchange_view(snap, e) if status in (None, e.status) else None
        if view is not None and in_scope(snap, snap.flows[e.supply_flow].company_id,
                                         snap.flows[e.demand_flow].company_id):
            rows.append(view)
    return rows


def _year(name: str) -> int | None:
    text = request.form.get(name, "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        said = (gettext("start year must be a whole year, not '{text}'") if name == "start_year"
                else gettext("end year must be a whole year, not '{text}'"))
        raise LifecycleError(said.format(text=text)) from None


@bp.get("/")
@login_required
def index() -> Any:
    status = arg_str("status")
    return render_template("exchanges.html", rows=exchange_list(snapshot(), status),
                           status=status)


@bp.get("/<exchange_id>")
@login_required
def detail(exchange_id: str) -> Any:
    return render_template("exchange.html", e=readable_exchange(exchange_id))


def _back(exchange_id: str) -> Any:
    """Where a status form goes back to: the exchange's page when it was sent from
    there, else the list."""
    if request.form.get("back") == "detail":
        return redirect(url_for("exchanges.detail", exchange_id=exchange_id))
    return redirect(url_for("exchanges.index"))


@bp.post("/<exchange_id>/status")
@login_required
def set_status(exchange_id: str) -> Any:
    try:
        change_status(exchange_id, request.form.get("status", ""),
                      note=request.form.get("note", ""), start_year=_year("start_year"),
                      end_year=_year("end_year"))
    except LifecycleError as exc:
        flash(error_text(exc), "error")
        return _back(exchange_id)
    flash(gettext("Saved."))
    return _back(exchange_id)
