"""Network pictures (pyvis) of a company with its partners, a park, a county or the store."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, render_template

from symbiosis.model import Dataset

from .auth import allow, login_required
from .data import Snapshot, snapshot, taxonomy
from .i18n import gettext, resource_label
from .network import FAMILY_COLOURS, STATUS_COLOURS, network_graph, network_payload
from .views import arg_place, arg_str, hidden_flow, hidden_flows

__all__ = ["bp", "picture"]

bp = Blueprint("network", __name__, url_prefix="/network")
MAX_FLOWS = 3000


def _scope(snap: Snapshot) -> tuple[Dataset, str]:
    """The part of the store to draw, and its title."""
    company, park = arg_str("company"), arg_str("park")
    county = g.access.county_scope() or arg_place("county")
    data = snap.data
    if company:
        c = snap.companies.get(company)
        allow(c is not None and g.access.reads_company(c), "company {id}", id=company)
        # the company's flows the user sees, and their partners: a hidden flow drawn
        # here would be known as this company's
        secret = hidden_flows(snap)
        own = {f.id for f in data.flows if f.company_id == company and f.id not in secret}
        linked = {k for x in snap.candidates if own & set(x.key) for k in x.key}
        flows = tuple(f for f in data.flows if f.id in own or f.id in linked)
        ids = {f.company_id for f in flows} | {company}
        return Dataset(companies=tuple(x for x in data.companies if x.id in ids),
                       flows=flows), c.name if c else company
    keep = [c for c in data.companies
            if (park is None or c.park_id == park) and (county is None or c.county == county)]
    ids = {c.id for c in keep}
    title = park or county or gettext("whole store")
    return Dataset(companies=tuple(keep),
                   flows=tuple(f for f in data.flows if f.company_id in ids)), title


def picture(snap: Snapshot, data: Dataset) -> dict[str, Any]:
    """The network payload for ``data``, with hidden flows anonymised."""
    net = network_graph(data, snap.candidates, snap.exchanges, taxonomy=taxonomy(),
                        hidden=hidden_flow(snap), label=resource_label)
    return network_payload(net)


@bp.get("/")
@login_required
def index() -> Any:
    snap = snapshot()
    data, title = _scope(snap)
    truncated = len(data.flows) > MAX_FLOWS
    if truncated:
        data = Dataset(companies=data.companies, flows=data.flows[:MAX_FLOWS])
    parks = sorted(p.id for p in snap.data.parks)
    counties = snap.counties
    return render_template("network.html", payload=picture(snap, data), title=title,
                           truncated=truncated, families=FAMILY_COLOURS,
                           statuses=STATUS_COLOURS, parks=parks, counties=counties)
