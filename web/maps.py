"""The map: companies and exchanges drawn with Leaflet over the coastline, counties and
municipalities shipped with the package (``static/geo``, Kartverket 2024, CC BY 4.0), so
it needs no network; a basemap of tiles is added only when ``TILE_URL`` is configured.

The page carries what the user may see and nothing more: companies with the flows shown
to them in full (a hidden flow is neither listed nor counted, as on the company page),
exchanges of flows they see, in words of their language. The legend and the filters are
written here; ``static/map.js`` draws and filters in the browser.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import Blueprint, current_app, g, jsonify, render_template, url_for

from symbiosis.export import geojson
from symbiosis.indicators import counted
from symbiosis.model import Dataset, Exchange, Flow
from symbiosis.places import default_register

from .auth import login_required
from .data import Snapshot, snapshot, taxonomy
from .i18n import gettext, number_text, resource_label
from .network import FAMILY_COLOURS, FAMILY_NAMES, STATUS_COLOURS
from .views import arg_place, hidden_flow

__all__ = ["bp", "features", "FAMILY_WORDS", "STATUS_WORDS", "GEO_LAYERS"]

bp = Blueprint("map", __name__, url_prefix="/map")

#: resource families in words (the order of the legend): one list for map and network
FAMILY_WORDS = FAMILY_NAMES
#: the exchange statuses drawn, in words
STATUS_WORDS = {"proposed": "Proposed", "agreed": "Agreed", "operating": "Operating"}
#: the shipped base layers, under ``static/``
GEO_LAYERS = {"norway": "geo/norway.geojson", "counties": "geo/counties.geojson",
              "municipalities": "geo/municipalities.geojson"}
NO_FLOWS = "none"
NO_FLOWS_COLOUR = "#ffffff"


def _amount(amount: float | None, unit: str) -> str:
    if amount is None:
        return gettext("amount unknown")
    return gettext("{amount} {unit}/yr").format(amount=number_text(amount), unit=unit)


def _resource(key: str) -> str:
    """"Waste heat (waste_heat)": the name in the user's language, then the key the
    imports and the API use."""
    label = resource_label(key)
    return f"{label[:1].upper()}{label[1:]} ({key})"


def flow_text(flow: Flow) -> str:
    """"Waste heat (waste_heat) — 12,000 MWh/yr supply", in the user's language."""
    return f"{_resource(flow.resource)} \u2014 {_amount(flow.amount, flow.unit)} " \
           f"{gettext(flow.direction)}"


def _family(resource: str) -> str:
    family = taxonomy().resource(resource).family
    return family if family in FAMILY_WORDS else "other"


def _main_family(families: list[str]) -> str:
    """The family most of a company's shown flows belong to (ties: the legend's order)."""
    if not families:
        return NO_FLOWS
    counts = Counter(families)
    order = list(FAMILY_WORDS)
    return min(counts, key=lambda f: (-counts[f], order.index(f)))


def _worded(snap: Snapshot, doc: dict[str, Any], lines: dict[str, Exchange]) -> None:
    """Words, units and links added to the features of :func:`features`: for a company
    the flows the user sees in full, for an exchange its status, resource and amount."""
    seen: dict[str, list[Flow]] = {}
    for f in snap.data.flows:
        if g.access.sees_flow(f, snap.companies.get(f.company_id)):
            seen.setdefault(f.company_id, []).append(f)
    for feature in doc["features"]:
        p = feature["properties"]
        if p["kind"] == "company":
            flows = sorted(seen.get(feature["id"], ()),
                           key=lambda f: (f.direction != "supply", f.resource, f.id))
            p["url"] = url_for("companies.detail", company_id=feature["id"])
            p["place"] = ", ".join(x for x in (p["municipality"], p["county"]) if x)
            p["flows"] = [{"text": flow_text(f), "family": _family(f.resource),
                           "direction": f.direction} for f in flows]
            p["family"] = _main_family([x["family"] for x in p["flows"]])
        else:
            e = lines[feature["id"]]
            ends = [snap.companies[snap.flows[fid].company_id]
                    for fid in (e.supply_flow, e.demand_flow)]
            p["family"] = _family(p["resource"])
            p["status_text"] = gettext(STATUS_WORDS.get(p["status"], p["status"]))
            p["text"] = f"{_resource(p['resource'])} \u2014 {_amount(p['amount'], p['unit'])}"
            p["since"] = (gettext("from {year}").format(year=p["start_year"])
                          if p["start_year"] else "")
            p["ends"] = [{"name": c.name, "url": url_for("companies.detail", company_id=c.id),
                          "county": c.county, "municipality": c.municipality} for c in ends]

def features() -> dict[str, Any]:
    """GeoJSON for the user: its county only for county staff; exchanges of hidden flows
    left out (counted in ``hidden_exchanges``); words for popups and filters added (see
    :func:`_worded`)."""
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
    _worded(snap, doc, {e.id: e for e in exchanges})
    shown = sum(1 for x in doc["features"] if x["properties"]["kind"] == "exchange")
    doc["hidden_exchanges"] = len(exchanges) - shown
    return doc


def _legend(doc: dict[str, Any]) -> dict[str, list[tuple[str, str, str]]]:
    """(key, words, colour) of the families and statuses on the page."""
    present = {x["properties"]["family"] for x in doc["features"]}
    for x in doc["features"]:
        present.update(f["family"] for f in x["properties"].get("flows", ()))
    families = [(k, gettext(w), FAMILY_COLOURS.get(k, FAMILY_COLOURS["other"]))
                for k, w in FAMILY_WORDS.items() if k in present]
    if NO_FLOWS in present:
        families.append((NO_FLOWS, gettext("no flows shown"), NO_FLOWS_COLOUR))
    statuses = [(k, gettext(w), STATUS_COLOURS[k]) for k, w in STATUS_WORDS.items()]
    return {"families": families, "statuses": statuses}


def _places(county: str | None) -> dict[str, Any]:
    """The register's counties and municipalities for the filters (only ``county``'s when
    the user may read one county): (number, name) and (number, label, name, county)."""
    register = default_register()
    counties = sorted(((c.number, c.name) for c in register.counties.values()
                       if county is None or c.name == county), key=lambda c: c[1])
    names = {c.number: c.name for c in register.counties.values()}
    municipalities = sorted(
        ((m.number, register.label(m.number), m.name, names[m.county])
         for m in register.municipalities.values()
         if county is None or names[m.county] == county), key=lambda m: m[1])
    return {"counties": counties, "municipalities": municipalities}


@bp.get("/")
@login_required
def index() -> Any:
    doc = features()
    scope = g.access.county_scope()
    return render_template("map.html", tile_url=current_app.config["TILE_URL"], doc=doc,
                           hidden=doc["hidden_exchanges"], legend=_legend(doc),
                           places=_places(scope), county=scope or arg_place("county"),
                           layers={k: url_for("static", filename=v)
                                   for k, v in GEO_LAYERS.items()},
                           may_create=g.access.imports())


@bp.get("/geojson")
@login_required
def data() -> Any:
    return jsonify(features())
