"""The indicators dashboard: an area's figures toward the 2030 targets, the counties'
symbioses and the parks' net-zero status; the offline HTML report for download."""

from __future__ import annotations

import datetime
from typing import Any

from flask import Blueprint, Response, g, render_template
from markupsafe import Markup

from symbiosis.indicators import (
    NET_ZERO_PARKS_TARGET,
    AreaIndicators,
    CountyProgress,
    ParkStatus,
    area_indicators,
    county_progress,
    park_status,
)
from symbiosis.report_html import line_chart_svg, report_html

from .auth import login_required
from .data import Snapshot, snapshot
from .i18n import gettext
from .views import arg_place, arg_str

__all__ = ["bp", "area", "parks_status", "counties"]

bp = Blueprint("indicators", __name__, url_prefix="/indicators")


def area(snap: Snapshot) -> AreaIndicators:
    """Indicators of the area the query string names (county staff: their county)."""
    county = g.access.county_scope() or arg_place("county")
    municipality, park = arg_place("municipality"), arg_str("park")
    year = datetime.date.today().year
    return snap.memo(("area", county, municipality, park, year), lambda: area_indicators(
        snap.data, snap.exchanges, county=county, municipality=municipality, park_id=park,
        year=year))


def parks_status(snap: Snapshot) -> list[ParkStatus]:
    return snap.memo(("parks",), lambda: [park_status(snap.data, snap.exchanges, p)
                                          for p in snap.data.parks])


def counties(snap: Snapshot) -> list[CountyProgress]:
    return snap.memo(("counties",), lambda: county_progress(snap.data, snap.exchanges))


@bp.get("/")
@login_required
def index() -> Any:
    snap = snapshot()
    ind = area(snap)
    chart = Markup(line_chart_svg({gettext("realised"): ind.trajectory_realised,
                                   gettext("realised + proposed"):
                                       ind.trajectory_with_proposals}))
    progress = counties(snap)
    if g.access.county_scope():
        progress = [c for c in progress if c.county == g.access.county_scope()]
    parks = parks_status(snap)
    return render_template("indicators.html", ind=ind, chart=chart, counties=progress,
                           parks=parks, net_zero=sum(1 for p in parks if p.net_zero),
                           net_zero_target=NET_ZERO_PARKS_TARGET,
                           all_counties=snap.counties)


@bp.get("/report.html")
@login_required
def report() -> Response:
    snap = snapshot()
    ind = area(snap)
    page = report_html(ind, counties(snap), parks_status(snap),
                       title=f"Industrial symbiosis indicators: {ind.area}")
    return Response(page, mimetype="text/html",
                    headers={"Content-Disposition": "attachment; filename=indicators.html"})
