"""The map: companies and exchanges drawn with Leaflet served from the package. Markers
and lines need no internet; a basemap is added only when ``TILE_URL`` is configured."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, jsonify, render_template

from symbiosis.export import geojson
from symbiosis.indicators import counted
from symbiosis.model import Dataset

from .auth import login_required
from .data import snapshot
from .i18n import resource_label
from .views import arg_place, hidden_flow
from .words import status_label

__all__ = ["bp", "features"]

bp = Blueprint("map", __name__, url_prefix="/map")


def features() -> dict[str, Any]:
    """GeoJSON for the user: its county only for county staff; exchanges of hidden flows
    left out (counted in ``hidden_exchanges``)."""
    snap = snapshot()
    county = g.access.county_scope() or arg_place("county")
    companies = tuple(c for c in snap.data.companies if county is None or c.county == county)
    ids = {c.id for c in companies}
    data = Dataset(companies=companies, flows=tuple(f for f in snap.data.flows
                                                    if f.company_id in ids))
    flows = {f.id for f in data.flows}
    # each link once: a proposal on a pair that already runs is not drawn over it
    exchanges = [e for e in counted(snap.exchanges)
                 if e.supply_flow in flows and e.demand_flow in flows]
    doc = geojson(data, exchanges, hidden=hidden_flow(snap))
    shown = sum(1 for x in doc["features"] if x["properties"]["kind"] == "exchange")
    doc["hidden_exchanges"] = len(exchanges) - shown
    return doc


def _with_words(doc: dict[str, Any]) -> dict[str, Any]:
    """The map page's features with the words their popups show, in the reader's
    language (the GeoJSON download keeps keys only)."""
    for x in doc["features"]:
        p = x["properties"]
        if p["kind"] == "exchange":
            p["status_text"] = status_label(p["status"])
            p["resource_label"] = resource_label(p["resource"])
    return doc


@bp.get("/")
@login_required
def index() -> Any:
    doc = _with_words(features())
    return render_template("map.html", tile_url=current_app.config["TILE_URL"], doc=doc,
                           hidden=doc["hidden_exchanges"])


@bp.get("/geojson")
@login_required
def data() -> Any:
    return jsonify(features())
