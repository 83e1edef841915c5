"""Exchanges and their lifecycle: proposed -> agreed -> operating -> ended, with history."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from symbiosis import services
from symbiosis.lifecycle import ALLOWED, LifecycleError
from symbiosis.model import Exchange

from .auth import allow, login_required
from .data import Snapshot, snapshot, write
from .i18n import gettext
from .views import arg_str, flow_view, in_scope
from .words import amount, error_text

__all__ = ["bp", "exchange_view", "exchange_list", "change_status"]

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
            "history": [{"status": h.status, "at": h.at, "by": h.by, "note": h.note}
                        for h in e.history],
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


@bp.post("/<exchange_id>/status")
@login_required
def set_status(exchange_id: str) -> Any:
    try:
        change_status(exchange_id, request.form.get("status", ""),
                      note=request.form.get("note", ""), start_year=_year("start_year"),
                      end_year=_year("end_year"))
    except LifecycleError as exc:
        flash(error_text(exc), "error")
        return redirect(url_for("exchanges.index"))
    flash(gettext("Saved."))
    return redirect(url_for("exchanges.index"))
