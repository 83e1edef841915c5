"""Who may see and change what, and how confidential flows look to everyone else.

- admin: everything;
- cluster manager: reads everything, changes the companies (and their flows and
  exchanges) of its own cluster, imports data for that cluster;
- county staff: reads the companies of its county and the candidates touching it, runs
  the optimizer and the park planner;
- viewer: reads.

A confidential flow is shown in full only to admins and to the manager of the owning
company's cluster. Everyone else sees it anonymised, in pages, API, exports and network
pictures alike: resource, municipality, an amount band and a distance band, no company, no
flow id, no value, CO2 or score. Figures summed over flows follow the disclosure rule of
:mod:`symbiosis.disclosure`.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Callable
from typing import Any

from symbiosis.disclosure import distance_band
from symbiosis.model import Candidate, Company, Flow

from .db import User
from .i18n import current_language, gettext, reason_words
from .words import amount, km, number, per_year

__all__ = ["Access", "amount_band", "amount_bounds", "band_text", "distance_text",
           "ANON_COMPANY"]

ANON_COMPANY = "confidential"
_BANDS = (100, 1_000, 10_000, 100_000)


def amount_bounds(value: float) -> tuple[float, float]:
    """The order-of-magnitude band (low, high) a confidential amount is shown in: low 0
    is "under high", high infinite is "over low"."""
    low: float = 0
    for high in _BANDS:
        if value < high:
            return low, high
        low = high
    return low, math.inf


def band_text(low: float, high: float, *, say: Callable[[str], str] = gettext,
              number: Callable[[float], str] = number, dash: str | None = None) -> str:
    """A band in words: "under 100", "1,000-10,000", "over 100,000" (an en dash in
    bokmål, unless ``dash`` is given); ``say`` and ``number`` default to the reader's
    language."""
    if not low:
        return f"{say('under')} {number(high)}"
    if high == math.inf:
        return f"{say('over')} {number(low)}"
    if dash is None:
        dash = "\u2013" if current_language() == "nb" else "-"
    return f"{number(low)}{dash}{number(high)}"


def amount_band(value: float | None, unit: str) -> str:
    """An order-of-magnitude band in place of a confidential amount, in the reader's
    language.

    >>> amount_band(4200, "t")
    '1,000-10,000 t/yr'
    >>> amount_band(None, "MWh")
    'unknown'
    """
    if value is None:
        return gettext("unknown")
    return f"{band_text(*amount_bounds(value))} {per_year(unit)}"


def distance_text(distance_km: float) -> str:
    """The band a hidden row's distance is shown in.

    >>> distance_text(12.3), distance_text(3), distance_text(800)
    ('5-20 km', 'under 5 km', 'over 500 km')
    """
    return f"{band_text(*distance_band(distance_km))} km"


class Access:
    """The rights of one signed-in user (or of nobody)."""

    def __init__(self, user: User | None, *, secret: str = ""):
        self.user = user
        self._secret = secret.encode("utf-8")

    @property
    def role(self) -> str | None:
        return self.user.role if self.user else None

    # -- reading ---------------------------------------------------------------
    def reads_company(self, company: Company) -> bool:
        if self.user is None:
            return False
        if self.role == "county_staff":
            return company.county == self.user.county
        return True

    def reader(self) -> tuple[str | None, str | None]:
        """What decides which flows this user sees (its role and cluster): a key for
        figures cached per reader."""
        return self.role, self.user.cluster if self.user else None

    def county_scope(self) -> str | None:
        """The one county this user may read, or ``None`` for all."""
        return self.user.county if self.user and self.role == "county_staff" else None

    def sees_flow(self, flow: Flow, company: Company | None) -> bool:
        """Whether ``flow`` is shown in full (with its company) to this user."""
        if not flow.confidential:
            return True
        if self.role == "admin":
            return True
        return (self.role == "cluster_manager" and company is not None and self.user is not None
                and company.cluster is not None and company.cluster == self.user.cluster)

    def anon_id(self, flow_id: str) -> str:
        """A stable opaque id for a hidden flow (keyed, so it cannot be reversed)."""
        digest = hmac.new(self._secret, flow_id.encode("utf-8"), hashlib.sha256).hexdigest()
        return f"anon-{digest[:10]}"

    # -- changing --------------------------------------------------------------
    def edits_company(self, company: Company | None, *, cluster: str | None = None) -> bool:
        """May change ``company`` (or create one in ``cluster`` when ``company`` is None)."""
        if self.role == "admin":
            return True
        if self.role != "cluster_manager" or self.user is None:
            return False
        owner = company.cluster if company is not None else cluster
        return owner is not None and owner == self.user.cluster

    def imports(self) -> bool:
        return self.role in ("admin", "cluster_manager")

    def import_owner(self) -> str | None:
        """The cluster this user's imports and edits are limited to; ``None`` for an
        admin, who may write anything (a manager without a cluster may write nothing)."""
        if self.role == "admin":
            return None
        return (self.user.cluster if self.user else None) or ""

    def moves_companies(self) -> bool:
        """May give a company to another cluster."""
        return self.role == "admin"

    def runs_matching(self) -> bool:
        return self.role in ("admin", "cluster_manager")

    def runs_optimizer(self) -> bool:
        return self.role in ("admin", "cluster_manager", "county_staff")

    def sets_proposals(self, county: str | None) -> bool:
        """May make a plan's exchanges the live proposals of a scope that lies in
        ``county`` (``None``: a scope spanning counties), by running a plan or adopting a
        scenario: whoever runs the optimizer; county staff only inside their county."""
        if not self.runs_optimizer():
            return False
        return self.role != "county_staff" or (
            county is not None and self.user is not None and county == self.user.county)

    def loads_demo(self) -> bool:
        return self.role == "admin"

    def changes_exchange(self, supply: Company | None, demand: Company | None) -> bool:
        return self.role == "admin" or any(self.edits_company(c) for c in (supply, demand)
                                           if c is not None)

    # -- views -----------------------------------------------------------------
    def flow_view(self, flow: Flow, company: Company | None, label: str) -> dict[str, Any]:
        """A flow as shown to this user: in full, or anonymised."""
        if self.sees_flow(flow, company):
            return {"id": flow.id, "company_id": flow.company_id,
                    "company": company.name if company else flow.company_id,
                    "direction": flow.direction, "resource": flow.resource, "label": label,
                    "amount": flow.amount, "unit": flow.unit,
                    "amount_text": amount(flow.amount, flow.unit),
                    "municipality": company.municipality if company else None,
                    "county": company.county if company else None,
                    "confidential": flow.confidential, "anonymised": False,
                    "ewc": flow.ewc, "price_nok_per_unit": flow.price_nok_per_unit,
                    "months": sorted(flow.months), "description": flow.description,
                    "quality": dict(flow.quality), "resource_text": flow.resource_text,
                    "written_amount": flow.amount_text, "conversion": flow.conversion}
        band = amount_band(flow.amount, flow.unit)
        return {"id": self.anon_id(flow.id), "company_id": None, "company": ANON_COMPANY,
                "direction": flow.direction, "resource": flow.resource, "label": label,
                "amount": None, "unit": flow.unit, "amount_text": band, "amount_band": band,
                "municipality": company.municipality if company else None,
                "county": company.county if company else None,
                "confidential": True, "anonymised": True}

    def candidate_view(self, c: Candidate, supply: dict[str, Any],
                       demand: dict[str, Any]) -> dict[str, Any]:
        """A candidate between two flow views; with a hidden side the amount and distance
        are banded and value, CO2 and score left out (the score is made from the
        distance and the amounts, so it would give them away)."""
        hidden = supply["anonymised"] or demand["anonymised"]
        words = reason_words()
        return {"supply": supply, "demand": demand, "resource": c.resource,
                "demand_resource": c.demand_resource,
                "distance_km": None if hidden else round(c.distance_km, 1),
                "distance_text": (distance_text(c.distance_km) if hidden
                                  else km(c.distance_km)),
                "mode": c.mode,
                "amount": None if hidden else c.amount, "unit": c.unit,
                "amount_text": (amount_band(c.amount, c.unit) if hidden else
                                amount(c.amount, c.unit)),
                "value_nok": None if hidden else c.value_nok,
                "co2_avoided_t": None if hidden else c.co2_avoided_t,
                "score": None if hidden else round(c.score, 3),
                # a hidden side keeps only the resource rule: distances and qualities could
                # point at the company
                "reasons": [words(r) for r in (c.reasons[:1] if hidden else c.reasons)],
                "limits": [] if hidden else [words(r) for r in c.limits],
                "reason_codes": [r.code for r in (c.reasons[:1] if hidden else c.reasons)],
                "via": c.via, "relation": c.relation, "anonymised": hidden}
