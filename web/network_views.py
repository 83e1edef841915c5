"""Network pictures (pyvis) of a company with its partners, a park, a municipality, a
county or the store.

A picture holds a node per company (its flows folded in), grouped by county, municipality
and park where it is large (:mod:`web.network_groups`); past ``NETWORK_MAX_COMPANIES``
companies it is drawn one node per county or municipality instead
(:mod:`web.network_overview`). Pictures are made once per snapshot, reader, language and
scope.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from flask import Blueprint, current_app, g, render_template, url_for

from symbiosis.model import Dataset

from .auth import allow, login_required
from .data import Snapshot, snapshot, taxonomy
from .i18n import current_language, gettext, resource_label
from .network import (
    BEST_PER_FLOW,
    FAMILY_COLOURS,
    FAMILY_NAMES,
    STATUS_COLOURS,
    STATUS_STYLES,
    Words,
    network_payload,
    network_picture,
)
from .network_groups import LEVELS, group_nodes, seed_positions
from .network_overview import overview_payload
from .views import arg_place, arg_str, hidden_flow, hidden_flows

__all__ = ["bp", "picture", "MAX_COMPANIES"]

bp = Blueprint("network", __name__, url_prefix="/network")
#: more companies than this are drawn one node per county or municipality
MAX_COMPANIES = 1000
#: the choices of candidates drawn per flow (0: all)
BEST_CHOICES = (1, 3, 10, 0)


@dataclass(frozen=True)
class Scope:
    """What a picture shows, from the query string."""

    company: str | None = None
    park: str | None = None
    county: str | None = None
    municipality: str | None = None
    best: int = BEST_PER_FLOW


def _scope_args() -> Scope:
    try:
        best = int(arg_str("best") or BEST_PER_FLOW)
    except ValueError:
        best = BEST_PER_FLOW
    return Scope(company=arg_str("company"), park=arg_str("park"),
                 county=g.access.county_scope() or arg_place("county"),
                 municipality=arg_place("municipality"),
                 best=best if best in BEST_CHOICES else BEST_PER_FLOW)


def _scope(snap: Snapshot, scope: Scope) -> tuple[Dataset, str]:
    """The part of the store to draw, and its title."""
    data = snap.data
    if scope.company:
        company = scope.company
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
            if (scope.park is None or c.park_id == scope.park)
            and (scope.county is None or c.county == scope.county)
            and (scope.municipality is None or c.municipality == scope.municipality)]
    ids = {c.id for c in keep}
    park = next((p.name for p in data.parks if p.id == scope.park), scope.park)
    title = " · ".join(x for x in (scope.county, scope.municipality, park) if x)
    return Dataset(companies=tuple(keep), flows=tuple(f for f in data.flows
                                                       if f.company_id in ids)), \
        title or gettext("whole store")


def _words() -> Words:
    return Words(say=gettext, lang=current_language(), resource=resource_label)


def picture(snap: Snapshot, data: Dataset, *, scope: Scope | None = None) -> dict[str, Any]:
    """The page data of the picture of ``data``: nodes, edges and groups, with hidden
    flows anonymised, and the notes to show beside it."""
    scope = scope or Scope()
    cap = int(current_app.config.get("NETWORK_MAX_COMPANIES", MAX_COMPANIES))
    drawn = {f.company_id for f in data.flows}
    counties = {c.county for c in data.companies if c.id in drawn}
    words = _words()
    if len(drawn) > cap and not scope.company and not scope.park:
        by = "county" if scope.county is None and len(counties) > 1 else "municipality"
        county = scope.county

        def href(value: str) -> str:
            if by == "county":
                return url_for("network.index", county=value, best=scope.best)
            return url_for("network.index", county=county, municipality=value,
                           best=scope.best)

        payload = overview_payload(data, snap.candidates, snap.exchanges, by=by, href=href,
                                   taxonomy=taxonomy(), words=words)
        area = gettext(by)
        note = gettext("{n} companies are too many to draw one by one: they are drawn one "
                       "node per {area}. Double-click a node to draw its companies.").format(
            n=words.number(len(drawn)), area=area)
        return {**payload, "groups": [], "mode": "overview", "notes": [note]}
    parks = {p.id: p.name for p in snap.data.parks}
    pic = network_picture(data, snap.candidates, snap.exchanges, taxonomy=taxonomy(),
                          hidden=hidden_flow(snap), words=words, parks=parks,
                          per_flow=scope.best)
    payload = network_payload(pic.net)
    nodes = payload["nodes"]
    if scope.company or scope.park:
        levels: tuple[str, ...] = ()
    elif scope.municipality:
        levels = LEVELS[2:]
    elif scope.county:
        levels = LEVELS[1:]
    else:
        levels = LEVELS
    groups = group_nodes(nodes, levels=levels, names=parks,
                         always=levels == LEVELS and len(counties) > 1)
    seed_positions(nodes, groups)
    notes = []
    drawn_links, total = words.number(pic.links_drawn), words.number(pic.links_total)
    if pic.links_drawn < pic.links_total and scope.best:
        notes.append(gettext("Drawn: the best {k} candidates of each flow, {drawn} of "
                             "{total} candidate links.").format(
            k=scope.best, drawn=drawn_links, total=total))
    elif pic.links_drawn < pic.links_total:
        notes.append(gettext("Drawn: the best {drawn} of {total} candidate links.").format(
            drawn=drawn_links, total=total))
    return {**payload, "groups": [asdict(x) for x in groups], "mode": "detail",
            "notes": notes}


def _page_text() -> dict[str, str]:
    """The words the page's script puts on the picture."""
    return {"companies": gettext("companies"), "links": gettext("links"),
            "link": gettext("link"),
            "open": gettext("Double-click to open"),
            "flows": gettext("Double-click to show or hide its flows")}


@bp.get("/")
@login_required
def index() -> Any:
    snap = snapshot()
    scope = _scope_args()
    data, title = _scope(snap, scope)
    cap = current_app.config.get("NETWORK_MAX_COMPANIES", MAX_COMPANIES)
    key = ("network", g.access.reader(), current_language(), scope, cap)
    view = snap.memo(key, lambda: picture(snap, data, scope=scope))
    payload = {**{k: view[k] for k in ("nodes", "edges", "groups", "mode")},
               "lang": current_language(), "text": _page_text(), "colours": FAMILY_COLOURS}
    places = sorted({(n.get("county") or "", n.get("municipality") or "")
                     for n in view["nodes"]})
    municipalities = sorted({c.municipality for c in snap.data.companies
                             if scope.county and c.county == scope.county and c.municipality})
    return render_template(
        "network.html", payload=payload, title=title, notes=view["notes"], scope=scope,
        families={k: (c, FAMILY_NAMES[k]) for k, c in FAMILY_COLOURS.items()},
        statuses={k: (c, *STATUS_STYLES[k]) for k, c in STATUS_COLOURS.items()},
        parks=sorted((p.id, p.name) for p in snap.data.parks), counties=snap.counties,
        municipalities=municipalities, best_choices=BEST_CHOICES,
        place_counties=sorted({c for c, _ in places if c}),
        place_municipalities=sorted({m for _, m in places if m}))
