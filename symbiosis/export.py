"""Exports: GeoJSON (RFC 7946) of companies and exchanges, and flat tables."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .model import Dataset, Exchange, Flow

__all__ = ["geojson", "exchange_rows"]


def geojson(data: Dataset, exchanges: Sequence[Exchange], *,
            hidden: Callable[[Flow], bool] = lambda f: False) -> dict[str, Any]:
    """A FeatureCollection: companies as Points, exchanges as LineStrings.

    Positions are ``[longitude, latitude]`` in WGS 84 as RFC 7946 requires. Companies whose
    flows are all hidden are left out, and so are exchanges of hidden flows: a line ends at
    a company, so it would name it.
    """
    companies = {c.id: c for c in data.companies}
    flows = {f.id: f for f in data.flows}
    secret_companies = {c.id for c in data.companies
                        if any(hidden(f) for f in data.flows if f.company_id == c.id)
                        and all(hidden(f) for f in data.flows if f.company_id == c.id)}
    features: list[dict[str, Any]] = []
    for c in data.companies:
        if c.id in secret_companies:
            continue
        features.append({"type": "Feature", "id": c.id,
                         "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]},
                         "properties": {"kind": "company", "name": c.name, "county": c.county,
                                        "municipality": c.municipality, "park_id": c.park_id,
                                        "nace": c.nace}})
    for e in exchanges:
        s, d = flows.get(e.supply_flow), flows.get(e.demand_flow)
        if s is None or d is None:
            continue
        if hidden(s) or hidden(d):
            continue
        a, b = companies[s.company_id], companies[d.company_id]
        features.append({
            "type": "Feature", "id": e.id,
            "geometry": {"type": "LineString", "coordinates": [[a.lon, a.lat], [b.lon, b.lat]]},
            "properties": {"kind": "exchange", "status": e.status, "resource": s.resource,
                           "amount": e.amount, "unit": e.unit,
                           "co2_avoided_t": e.co2_avoided_t, "start_year": e.start_year,
                           "supply_company": a.name, "demand_company": b.name}})
    return {"type": "FeatureCollection", "features": features}


def exchange_rows(data: Dataset, exchanges: Sequence[Exchange]) -> list[dict[str, Any]]:
    flows = {f.id: f for f in data.flows}
    out = []
    for e in exchanges:
        s, d = flows.get(e.supply_flow), flows.get(e.demand_flow)
        out.append({"id": e.id, "status": e.status, "supply_flow": e.supply_flow,
                    "demand_flow": e.demand_flow,
                    "supply_company": s.company_id if s else None,
                    "demand_company": d.company_id if d else None,
                    "resource": s.resource if s else None, "amount": e.amount,
                    "unit": e.unit, "value_nok": e.value_nok, "co2_avoided_t": e.co2_avoided_t,
                    "start_year": e.start_year, "end_year": e.end_year, "plan_id": e.plan_id})
    return out
