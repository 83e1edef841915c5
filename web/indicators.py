"""The indicators dashboard: an area's figures toward the 2030 targets, the counties'
symbioses and the parks' net-zero status; the report (HTML, CSV, JSON) for download.

Every figure is the one the signed-in user may see: built without the flows hidden from
the user where the disclosure rule (:mod:`symbiosis.disclosure`) says so."""

from __future__ import annotations

import datetime
from typing import Any

from flask import Blueprint, Response, g, render_template
from markupsafe import Markup

from symbiosis.indicators import (
    NET_ZERO_PARKS_TARGET,
    AreaIndicators,
    Basis,
    CountyProgress,
    ParkProgress,
    area_indicators,
    basis,
    county_progress,
    parks_progress,
)
from symbiosis.report import indicators_report
from symbiosis.report_html import line_chart_svg

from .auth import login_required
from .data import Snapshot, snapshot
from .i18n import current_language, gettext
from .views import arg_place, arg_str, hidden_flow
from .words import number

__all__ = ["bp", "area", "parks_status", "counties"]

bp = Blueprint("indicators", __name__, url_prefix="/indicators")


def _basis(snap: Snapshot) -> Basis:
    """What the area, the counties and the parks start from, once per snapshot and reader."""
    return snap.memo(("basis", g.access.reader()), lambda: basis(
        snap.data, snap.exchanges, hidden=hidden_flow(snap)))


def area(snap: Snapshot) -> AreaIndicators:
    """Indicators of the area the query string names (county staff: their county)."""
    county = g.access.county_scope() or arg_place("county")
    municipality, park = arg_place("municipality"), arg_str("park")
    year = datetime.date.today().year
    return snap.memo(("area", g.access.reader(), county, municipality, park, year),
                     lambda: area_indicators(snap.data, snap.exchanges, county=county,
                                             municipality=municipality, park_id=park,
                                             year=year, hidden=hidden_flow(snap),
                                             base=_basis(snap)))


def parks_status(snap: Snapshot) -> list[ParkProgress]:
    return snap.memo(("parks", g.access.reader()), lambda: parks_progress(
        snap.data, snap.exchanges, snap.data.parks, hidden=hidden_flow(snap),
        base=_basis(snap)))


def counties(snap: Snapshot) -> list[CountyProgress]:
    return snap.memo(("counties", g.access.reader()), lambda: county_progress(
        snap.data, snap.exchanges, hidden=hidden_flow(snap), base=_basis(snap)))


@bp.get("/")
@login_required
def index() -> Any:
    snap = snapshot()
    ind = area(snap)
    chart = Markup(line_chart_svg({gettext("realised"): ind.trajectory_realised,
                                   gettext("realised + proposed"):
                                       ind.trajectory_with_proposals},
                                  unit=f"t CO2/{gettext('yr')}", label=gettext("Trajectory"),
                                  number=number))
    progress = counties(snap)
    if g.access.county_scope():
        progress = [c for c in progress if c.county == g.access.county_scope()]
    parks = parks_status(snap)
    return render_template("indicators.html", ind=ind, chart=chart, counties=progress,
                           parks=parks, net_zero=sum(1 for p in parks if p.net_zero),
                           net_zero_target=NET_ZERO_PARKS_TARGET,
                           all_counties=snap.counties)


REPORT_TYPES = {"html": "text/html", "csv": "text/csv", "json": "application/json"}


@bp.get("/report.html", defaults={"fmt": "html"})
@bp.get("/report.csv", defaults={"fmt": "csv"})
@bp.get("/report.json", defaults={"fmt": "json"})
@login_required
def report(fmt: str) -> Response:
    snap = snapshot()
    ind = area(snap)
    progress = counties(snap)
    if g.access.county_scope():
        progress = [c for c in progress if c.county == g.access.county_scope()]
    body = indicators_report(ind, progress, parks_status(snap), fmt=fmt, say=gettext,
                             number=number, lang=current_language())
    return Response(body, mimetype=REPORT_TYPES[fmt],
                    headers={"Content-Disposition": f"attachment; filename=indicators.{fmt}"})
