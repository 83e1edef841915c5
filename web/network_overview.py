"""The network picture of a part of the store too large to draw company by company: one
node per county (or municipality), one edge per pair of them labelled with the number of
links, drawn as the most advanced of them (operating before agreed, proposed, candidate).

Counts only: a count is shown exactly even where confidential flows are behind it (the
anonymised rows elsewhere show as many); amounts are not summed here at all.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from symbiosis.indicators import counted
from symbiosis.model import Candidate, Dataset, Exchange
from symbiosis.taxonomy import Taxonomy, default_taxonomy

from .network import STATUS_COLOURS, STATUS_STYLES, PictureNetwork, Words
from .network_groups import seed_positions

__all__ = ["overview_payload"]

_RESOURCES_LISTED = 8
_STRENGTH = ["operating", "agreed", "proposed", "candidate", "ended"]


def overview_payload(data: Dataset, candidates: Iterable[Candidate] = (),
                     exchanges: Iterable[Exchange] = (), *, by: str = "county",
                     href: Callable[[str], str], taxonomy: Taxonomy | None = None,
                     words: Words | None = None) -> dict[str, Any]:
    """Nodes and edges, as :func:`web.network.network_payload` gives them, of ``data``
    aggregated by ``by`` (``county`` or ``municipality``). ``href(value)`` is the address
    of the picture of one of them, which the page opens on double-click."""
    tax = taxonomy or default_taxonomy()
    words = words or Words()
    say = words.say
    name_of = words.resource or (lambda key: tax.resource(key).label_en)
    area_of = {c.id: getattr(c, by) or "?" for c in data.companies}
    county_of = {c.id: c.county for c in data.companies}
    companies: Counter[str] = Counter(area_of.values())
    flows: Counter[str] = Counter()
    families: dict[str, set[str]] = defaultdict(set)
    flow_area: dict[str, str] = {}
    for f in data.flows:
        area = area_of.get(f.company_id, "?")
        flows[area] += 1
        families[area].add(tax.resource(f.resource).family)
        flow_area[f.id] = area
    rows = list(exchanges)
    status = {(e.supply_flow, e.demand_flow): e.status for e in rows if e.status == "ended"}
    status.update({(e.supply_flow, e.demand_flow): e.status for e in counted(rows)})
    resource_of = {f.id: f.resource for f in data.flows}
    links: dict[tuple[str, str], _Links] = defaultdict(_Links)
    inside: Counter[str] = Counter()
    seen = set()
    for c in candidates:
        if c.supply_flow in flow_area and c.demand_flow in flow_area:
            seen.add(c.key)
            _count(links, inside, flow_area[c.supply_flow], flow_area[c.demand_flow],
                   status.get(c.key, "candidate"), tax.resource(c.resource).family,
                   c.resource)
    for (s, d), st in status.items():  # exchanges with no candidate (any more)
        if (s, d) not in seen and s in flow_area and d in flow_area:
            resource = resource_of[s]
            _count(links, inside, flow_area[s], flow_area[d], st,
                   tax.resource(resource).family, resource)
    net = PictureNetwork(height="100%", width="100%", directed=True, cdn_resources="remote")
    nodes = []
    for area in sorted(companies):
        lines = [area, f"{words.number(companies[area])} {say('companies')}, "
                       f"{words.number(flows[area])} {say('flows')}",
                 f"{say('Links inside')}: {words.number(inside[area])}",
                 say("Double-click to draw it company by company")]
        node = {"id": f"a:{area}", "label": f"{area}\n{words.number(companies[area])} "
                                             f"{say('companies')}",
                "title": "\n".join(lines), "shape": "box", "kind": "area",
                "color": {"background": "#fff4d6", "border": "#b8860b"},
                "font": {"size": 22}, "margin": 12, "borderWidth": 2,
                "widthConstraint": {"maximum": 320},
                "mass": 1 + companies[area] ** 0.5 / 4, "families": sorted(families[area]),
                "county": area if by == "county" else None,
                "municipality": area if by == "municipality" else None, "href": href(area)}
        if by == "municipality":
            node["county"] = next((county_of[k] for k, v in area_of.items() if v == area), None)
        nodes.append(node)
    seed_positions(nodes, (), spacing=160.0)
    for node in nodes:
        net.add_node(node.pop("id"), **node)
    for (a, b), link in sorted(links.items()):
        n = sum(link.statuses.values())
        st = min(link.statuses, key=_STRENGTH.index)  # drawn as the most advanced
        width, dashes = STATUS_STYLES.get(st, (1, False))
        lines = [f"{a} – {b}: {words.links(n)}"]
        lines += [f"{say(x)}: {words.number(k)}" for x, k in sorted(
            link.statuses.items(), key=lambda i: _STRENGTH.index(i[0]))]
        lines += [f"{name_of(r)}: {words.number(k)}"
                  for r, k in link.resources.most_common(_RESOURCES_LISTED)]
        net.add_edge(f"a:{a}", f"a:{b}", label=words.links(n), title="\n".join(lines),
                     color=STATUS_COLOURS.get(st, "#000000"),
                     width=width + min(n, 400) ** 0.5 / 4, dashes=dashes, status=st,
                     statuses=sorted(link.statuses), family=None,
                     families=sorted(link.families), score=None, arrows="")
    nodes_out, edges_out, *_ = net.get_network_data()
    return {"nodes": nodes_out, "edges": edges_out}


@dataclass
class _Links:
    """The links between two areas, counted by status, family and resource."""

    statuses: Counter[str] = field(default_factory=Counter)
    families: Counter[str] = field(default_factory=Counter)
    resources: Counter[str] = field(default_factory=Counter)


def _count(links: dict[tuple[str, str], _Links], inside: Counter[str], a: str, b: str,
           status: str, family: str, resource: str) -> None:
    if a == b:
        inside[a] += 1
        return
    link = links[(a, b) if a < b else (b, a)]
    link.statuses[status] += 1
    link.families[family] += 1
    link.resources[resource] += 1
