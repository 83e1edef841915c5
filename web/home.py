"""The start page: what the store holds, and the demo data for an empty store."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, url_for

from symbiosis import services

from .auth import allow, login_required
from .data import get_store, snapshot, taxonomy, write
from .i18n import gettext

__all__ = ["bp"]

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index() -> Any:
    """What the store holds; the store's path for admins only (it tells where the server
    keeps its files); the demo data offered whenever no company of the user's scope is
    stored (parks, plans or settings left behind do not count)."""
    snap = snapshot()
    counts = {"companies": len(snap.data.companies), "flows": len(snap.data.flows),
              "candidates": len(snap.candidates), "plans": len(snap.plans),
              "exchanges": len(snap.exchanges)}
    mine = any(g.access.reads_company(c) for c in snap.data.companies)
    return render_template("index.html", counts=counts,
                           store_url=get_store().url if g.access.role == "admin" else None,
                           empty=not mine, county=g.access.county_scope())


@bp.post("/demo")
@login_required
def demo() -> Any:
    allow(g.access.loads_demo(), "load demo data")
    tax = taxonomy()

    write(lambda store: services.load_demo(store, taxonomy=tax))
    flash(gettext("Demo data loaded."))
    return redirect(url_for("home.index"))
