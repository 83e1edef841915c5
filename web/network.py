"""Network pictures drawn with pyvis, with vis-network served locally (no CDN).

One node per company, its flows folded into it (listed in its tooltip, and drawn as small
satellites when the page opens it); one edge per pair of companies, resource and status,
labelled with the resource and the amount ("Waste heat · 12,000 MWh/yr") and styled by
status: candidate, proposed, agreed, operating, ended. Where a picture is large the links
drawn are the best few candidates of each flow (every exchange is drawn).

Flows the reader may not see are anonymised: they are folded into one "confidential
company" node per municipality, with an amount band instead of the amount; links to them
carry bands too, and no score.
"""

from __future__ import annotations

import functools
import html
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources as importlib_resources
from typing import Any

from jinja2.utils import htmlsafe_json_dumps
from pyvis.network import Network

from symbiosis.disclosure import distance_band
from symbiosis.indicators import counted
from symbiosis.messages import format_number
from symbiosis.model import Candidate, Company, Dataset, Exchange, Flow
from symbiosis.taxonomy import Taxonomy, default_taxonomy

from .access import amount_bounds, band_text

__all__ = ["FAMILY_COLOURS", "FAMILY_NAMES", "STATUS_COLOURS", "STATUS_STYLES",
           "BEST_PER_FLOW", "MAX_LINKS", "Picture", "PictureNetwork", "Words", "network_picture",
           "network_graph", "network_html", "network_payload", "vis_js"]

FAMILY_COLOURS = {"energy": "#d95f02", "gases": "#7570b3", "organics": "#1b9e77",
                  "minerals": "#666666", "water": "#1f78b4", "chemicals": "#e7298a",
                  "waste": "#a6761d", "fuels": "#e31a1c", "metals": "#e6ab02",
                  "other": "#999999"}
#: the families in words (English keys of :data:`web.i18n.NB`)
FAMILY_NAMES = {"energy": "Energy", "fuels": "Fuels", "gases": "Gases",
                "chemicals": "Chemicals", "metals": "Metals", "minerals": "Minerals",
                "organics": "Organic material", "waste": "Mixed waste", "water": "Water",
                "other": "Other"}
STATUS_COLOURS = {"candidate": "#9a9a9a", "proposed": "#1f78b4", "agreed": "#ff7f00",
                  "operating": "#33a02c", "ended": "#cccccc"}
#: line width and dash pattern (``False``: solid) of each status
STATUS_STYLES: dict[str, tuple[int, list[int] | bool]] = {
    "candidate": (1, [4, 4]), "proposed": (2, [10, 5]), "agreed": (3, False),
    "operating": (4, False), "ended": (1, [2, 6])}
#: candidates drawn per flow: the best of each flow's candidates (exchanges always)
BEST_PER_FLOW = 3
#: at most this many candidate links in one picture
MAX_LINKS = 4000
_FLOWS_LISTED = 12  # in a company's tooltip
_LINKS_LISTED = 6   # in a link's tooltip


def vis_js() -> str:
    return (importlib_resources.files("web") / "static" / "vis-network.min.js").read_text(
        encoding="utf-8")


@dataclass(frozen=True)
class Words:
    """How a picture says things: ``say`` translates an English text (identity for
    English), ``lang`` formats numbers ("1,200" or "1 200"), ``resource`` names a
    resource key."""

    say: Callable[[str], str] = str
    lang: str = "en"
    resource: Callable[[str], str] | None = None

    def __post_init__(self) -> None:
        # each text looked up once per picture: a page's gettext reads the request each time
        object.__setattr__(self, "say", functools.lru_cache(maxsize=None)(self.say))
        if self.resource is not None:
            object.__setattr__(self, "resource",
                               functools.lru_cache(maxsize=None)(self.resource))

    def number(self, value: float) -> str:
        return format_number(value, self.lang)

    def links(self, n: int) -> str:
        """``1 link``, ``12 links``."""
        return self.say("1 link") if n == 1 else self.say("{n} links").format(
            n=self.number(n))

    def per_year(self, amount: float | None, unit: str) -> str:
        """``12,000 MWh/yr``; "quantity unknown" without an amount."""
        if amount is None:
            return self.say("quantity unknown")
        return f"{self.number(amount)} {unit}/{self.say('yr')}"

    def band(self, amount: float | None, unit: str) -> str:
        """The order-of-magnitude band of a confidential amount (the bands of
        :func:`web.access.amount_band`)."""
        if amount is None:
            return self.say("quantity unknown")
        return f"{self._band(*amount_bounds(amount))} {unit}/{self.say('yr')}"

    def km(self, km: float, *, banded: bool = False) -> str:
        if not banded:
            return f"{format_number(km, self.lang, digits=1)} km"
        return f"{self._band(*distance_band(km))} km"

    def _band(self, low: float, high: float) -> str:
        return band_text(low, high, say=self.say, number=self.number, dash="–")


@dataclass(frozen=True)
class Picture:
    """A network picture: the pyvis network, and how many candidate links it draws of
    how many there are between its flows."""

    net: Network
    links_drawn: int
    links_total: int


class PictureNetwork(Network):  # type: ignore[misc]
    """pyvis' network with node ids kept in a set: pyvis looks nodes up in a list, once
    per node and twice per edge, which is quadratic at a few thousand links."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._ids: set[str] = set()

    def add_node(self, n_id: str, label: str | None = None, shape: str = "dot",
                 color: Any = "#97c2fc", **options: Any) -> None:
        if n_id not in self._ids:
            self._ids.add(n_id)
            super().add_node(n_id, label=label, shape=shape, color=color, **options)

    def get_nodes(self) -> set[str]:  # what add_edge checks the ends in
        return self._ids


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _main_family(families: Counter[str]) -> str:
    order = list(FAMILY_COLOURS)
    return min(families, key=lambda f: (-families[f], order.index(f) if f in order else 99))


def _chosen(cands: list[Candidate], fixed: set[tuple[str, str]], secret: set[str],
            per_flow: int, max_links: int) -> list[Candidate]:
    """The candidates to draw: every one an exchange is on, then the best ``per_flow`` of
    each flow (0: all), at most ``max_links``. A candidate with a hidden end ranks after
    every visible one, whatever its score, as in the candidate search: its rank would tell
    its score."""
    rank = sorted(cands, key=lambda c: (c.key not in fixed,
                                        c.supply_flow in secret or c.demand_flow in secret,
                                        -c.score if not (c.supply_flow in secret or
                                                         c.demand_flow in secret) else 0.0,
                                        c.supply_flow, c.demand_flow))
    seen: Counter[str] = Counter()
    out: list[Candidate] = []
    for c in rank:
        if c.key not in fixed:
            if len(out) >= max_links:
                break
            if per_flow and seen[c.supply_flow] >= per_flow and seen[c.demand_flow] >= per_flow:
                continue
        seen[c.supply_flow] += 1
        seen[c.demand_flow] += 1
        out.append(c)
    return out


@dataclass
class _Node:
    """A company node while it is being filled: its flows and their families."""

    name: str
    company: Company | None
    municipality: str | None
    county: str | None
    flows: list[dict[str, Any]] = field(default_factory=list)
    families: Counter[str] = field(default_factory=Counter)

    def options(self, words: Words, park: str | None, *, secret: bool) -> dict[str, Any]:
        where = ", ".join(x for x in (self.municipality, self.county) if x)
        lines = [self.name, where + (f" · {park}" if park else "")]
        lines += [f["text"] for f in self.flows[:_FLOWS_LISTED]]
        if len(self.flows) > _FLOWS_LISTED:
            lines.append(words.say("… and {n} more").format(n=len(self.flows) - _FLOWS_LISTED))
        main = _main_family(self.families)
        name = self.name
        return {"label": name if len(name) <= 60 else name[:59] + "…",
                "title": "\n".join(lines),
                "shape": "diamond" if secret else "dot",
                "color": {"background": "#bbbbbb" if secret else
                          FAMILY_COLOURS.get(main, "#999999"), "border": "#444444"},
                "value": len(self.flows), "kind": "confidential" if secret else "company",
                "county": self.county, "municipality": self.municipality,
                "park": self.company.park_id if self.company else None,
                "families": sorted(self.families), "flows": self.flows}


def network_picture(data: Dataset, candidates: Iterable[Candidate] = (),
                    exchanges: Iterable[Exchange] = (), *, taxonomy: Taxonomy | None = None,
                    hidden: Callable[[Flow], bool] = lambda f: False,
                    words: Words | None = None, parks: dict[str, str] | None = None,
                    per_flow: int = BEST_PER_FLOW, max_links: int = MAX_LINKS) -> Picture:
    """The picture of ``data``: a node per company with its flows, an edge per pair of
    companies, resource and status. Flows for which ``hidden`` is true are anonymised: no
    flow id, no company (one "confidential company" node per municipality), a band
    instead of an amount. ``parks`` names parks by id. Every node says where it is
    (``county``, ``municipality``, ``park``) and which resource families it has; every
    edge its ``status``, ``family`` and ``score`` (``None`` with a hidden end)."""
    tax = taxonomy or default_taxonomy()
    words = words or Words()
    say = words.say
    name_of = words.resource or (lambda key: tax.resource(key).label_en)
    parks = parks or {}
    companies = {c.id: c for c in data.companies}
    node_of: dict[str, str] = {}  # flow id -> node id
    secret: set[str] = set()
    nodes: dict[str, _Node] = {}
    for f in data.flows:
        owner = companies.get(f.company_id)
        hide = hidden(f)
        if hide:
            place = owner.municipality if owner else None
            county = owner.county if owner else None
            nid = f"c:confidential:{county or '?'}:{place or '?'}"
            secret.add(f.id)
            if nid not in nodes:
                nodes[nid] = _Node(say("Confidential company ({place})").format(
                    place=place or "?"), None, place, county)
        else:
            nid = f"c:{f.company_id}"
            if nid not in nodes:
                nodes[nid] = _Node(owner.name if owner else f.company_id, owner,
                                   owner.municipality if owner else None,
                                   owner.county if owner else None)
        family = tax.resource(f.resource).family
        amount = words.band(f.amount, f.unit) if hide else words.per_year(f.amount, f.unit)
        flow: dict[str, Any] = {"dir": f.direction, "family": family,
                                "label": name_of(f.resource),
                                "text": f"{say(f.direction)}: {name_of(f.resource)} · {amount}"}
        if not hide:
            flow["id"] = f.id
        nodes[nid].flows.append(flow)
        nodes[nid].families[family] += 1
        node_of[f.id] = nid
    net = PictureNetwork(height="100%", width="100%", directed=True, cdn_resources="remote")
    for nid, node in nodes.items():
        park_id = node.company.park_id if node.company else None
        park = parks.get(park_id, park_id) if park_id else None
        net.add_node(nid, **node.options(words, park, secret=node.company is None and
                                         nid.startswith("c:confidential:")))

    # each link once: an agreed or operating exchange, else its one live proposal, else
    # an ended one
    rows = list(exchanges)
    status = {(e.supply_flow, e.demand_flow): e for e in rows if e.status == "ended"}
    status.update({(e.supply_flow, e.demand_flow): e for e in counted(rows)})
    inside = [c for c in candidates if c.supply_flow in node_of and c.demand_flow in node_of]
    fixed = {k for k in status if k[0] in node_of and k[1] in node_of}
    drawn = _chosen(inside, fixed, secret, per_flow, max_links)
    links: dict[tuple[str, str, str, str], list[tuple[Candidate | None, Exchange | None]]] = {}
    flows_by_id = {f.id: f for f in data.flows}
    for c in drawn:
        e = status.get(c.key)
        key = (node_of[c.supply_flow], node_of[c.demand_flow], c.resource,
               e.status if e else "candidate")
        links.setdefault(key, []).append((c, e))
    for k in sorted(fixed - {c.key for c in drawn}):
        e = status[k]
        key = (node_of[k[0]], node_of[k[1]], flows_by_id[k[0]].resource, e.status)
        links.setdefault(key, []).append((None, e))
    for (a, b, resource, st), parts in links.items():
        net.add_edge(a, b, **_edge(a, b, resource, st, parts, secret, words, name_of, tax,
                                   flows_by_id))
    return Picture(net=net, links_drawn=sum(c.key not in fixed for c in drawn),
                   links_total=sum(c.key not in fixed for c in inside))


def _edge(a: str, b: str, resource: str, st: str,
          parts: list[tuple[Candidate | None, Exchange | None]], secret: set[str],
          words: Words, name_of: Callable[[str], str], tax: Taxonomy,
          flows: dict[str, Flow]) -> dict[str, Any]:
    """An edge between two nodes for the links of one resource and status."""
    say = words.say
    hidden = a.startswith("c:confidential:") or b.startswith("c:confidential:")
    unit = next((x.unit for p in parts for x in p if x is not None and x.unit), "")
    amounts = [e.amount if e is not None and e.amount is not None else
               c.amount if c is not None else None for c, e in parts]
    known = [x for x in amounts if x is not None]
    total = sum(known) if known else None
    amount = (words.band(total, unit) if hidden else words.per_year(total, unit))
    lines = []
    for c, e in parts[:_LINKS_LISTED]:
        demand = c.demand_resource if c else flows[e.demand_flow].resource if e else ""
        what = f"{name_of(c.resource if c else resource)} → {name_of(demand)}"
        if c is not None:
            what += f" · {words.km(c.distance_km, banded=hidden)}"
        lines.append(what)
    if len(parts) > _LINKS_LISTED:
        lines.append(say("… and {n} more").format(n=len(parts) - _LINKS_LISTED))
    scores = [c.score for c, _ in parts if c is not None]
    score = None if hidden or not scores else round(max(scores), 3)
    head = f"{say(st)}: {_capital(name_of(resource))} · {amount}"
    if len(parts) > 1:
        head += " · " + words.links(len(parts))
    if score is not None:
        head += f" · {say('score')} {format_number(score, words.lang, digits=2)}"
    width, dashes = STATUS_STYLES.get(st, (1, False))
    label = _capital(name_of(resource)) + (f" · {amount}" if total is not None else "")
    return {"label": label,
            "title": "\n".join([head, *lines]), "color": STATUS_COLOURS.get(st, "#000000"),
            "width": width, "dashes": dashes, "status": st, "score": score,
            "family": tax.resource(resource).family, "arrows": "to"}


def network_graph(data: Dataset, candidates: Iterable[Candidate] = (),
                  exchanges: Iterable[Exchange] = (), *, taxonomy: Taxonomy | None = None,
                  hidden: Callable[[Flow], bool] = lambda f: False,
                  label: Callable[[str], str] | None = None) -> Network:
    """The pyvis network of :func:`network_picture`, in English."""
    return network_picture(data, candidates, exchanges, taxonomy=taxonomy, hidden=hidden,
                           words=Words(resource=label)).net


def network_payload(net: Network) -> dict[str, Any]:
    """The nodes and edges, as vis-network takes them. Put them in a page with Jinja's
    ``tojson`` filter, which escapes ``<``, ``>``, ``&`` and ``'`` so that no name can end
    the ``<script>`` element or open a comment in it."""
    nodes, edges, *_ = net.get_network_data()
    return {"nodes": nodes, "edges": edges}


def network_html(net: Network, *, title: str = "symbiosis network",
                 js_url: str | None = None) -> str:
    """A complete page; vis-network is inlined, or loaded from ``js_url`` on this server.
    The layout settles, then stops."""
    script = (f'<script src="{html.escape(js_url)}"></script>' if js_url
              else f"<script>{vis_js()}</script>")
    payload = htmlsafe_json_dumps(network_payload(net))
    legend = " ".join(f'<span style="color:{c}">&#9679; {html.escape(k)}</span>'
                      for k, c in FAMILY_COLOURS.items())
    status = " ".join(f'<span style="color:{c}">&#9473; {html.escape(k)}</span>'
                      for k, c in STATUS_COLOURS.items())
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
{script}
<style>body{{font-family:sans-serif;margin:0}}
#net{{width:100%;height:85vh;border-top:1px solid #ccc}}
.legend{{padding:6px 10px;font-size:13px}}</style></head>
<body><div class="legend"><b>{html.escape(title)}</b> &nbsp; {legend}
&nbsp;|&nbsp; {status}</div>
<div id="net"></div>
<script>
const data = {payload};
const network = new vis.Network(document.getElementById("net"),
  {{nodes: new vis.DataSet(data.nodes), edges: new vis.DataSet(data.edges)}},
  {{physics: {{stabilization: {{iterations: 300}}, barnesHut: {{springLength: 140,
    gravitationalConstant: -6000}}}}, interaction: {{hover: true}},
    nodes: {{scaling: {{min: 8, max: 26}}, font: {{size: 14}}, widthConstraint: {{maximum: 180}}}},
    edges: {{font: {{size: 10, align: "middle"}}, smooth: {{type: "continuous"}}}}}});
network.once("stabilizationIterationsDone", () => network.setOptions({{physics: false}}));
window.symbiosisNetwork = network;
</script></body></html>
"""
