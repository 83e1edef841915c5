"""Network pictures drawn with pyvis, with vis-network served locally (no CDN).

Nodes are companies (boxes) and their flows (dots coloured by resource family); links
between flows are coloured by status: candidate, proposed, agreed, operating.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from importlib import resources as importlib_resources
from typing import Any

from jinja2.utils import htmlsafe_json_dumps
from pyvis.network import Network

from symbiosis.indicators import counted
from symbiosis.model import Candidate, Dataset, Exchange, Flow
from symbiosis.taxonomy import Taxonomy, default_taxonomy

from .i18n import gettext
from .words import amount as amount_words
from .words import km as km_words
from .words import status_label

__all__ = ["FAMILY_COLOURS", "STATUS_COLOURS", "network_graph", "network_html",
           "network_payload", "vis_js"]

FAMILY_COLOURS = {"energy": "#d95f02", "gases": "#7570b3", "organics": "#1b9e77",
                  "minerals": "#666666", "water": "#1f78b4", "chemicals": "#e7298a",
                  "waste": "#a6761d", "other": "#999999"}
STATUS_COLOURS = {"candidate": "#bbbbbb", "proposed": "#1f78b4", "agreed": "#ff7f00",
                  "operating": "#33a02c", "ended": "#dddddd"}


def vis_js() -> str:
    return (importlib_resources.files("web") / "static" / "vis-network.min.js").read_text(
        encoding="utf-8")


def network_graph(data: Dataset, candidates: Iterable[Candidate] = (),
                  exchanges: Iterable[Exchange] = (), *, taxonomy: Taxonomy | None = None,
                  hidden: Callable[[Flow], bool] = lambda f: False,
                  label: Callable[[str], str] | None = None) -> Network:
    """A pyvis network of ``data``. Flows for which ``hidden`` is true are anonymised: no
    flow id, no company (one "confidential company" node per municipality), an amount band
    instead of the amount. ``label`` names resources (default: the taxonomy's English);
    the other words are in the reader's language (English outside a request)."""
    from .access import amount_band, distance_text

    tax = taxonomy or default_taxonomy()
    name_of = label or (lambda key: tax.resource(key).label_en)
    net = Network(height="100%", width="100%", directed=True, cdn_resources="remote")
    companies = {c.id: c for c in data.companies}
    node: dict[str, str] = {}
    shown_companies: set[str] = set()
    for f in data.flows:
        res = tax.resource(f.resource)
        secret = hidden(f)
        owner = companies.get(f.company_id)
        place = (owner.municipality if owner else None) or "?"
        company = f"confidential:{place}" if secret else f.company_id
        if company not in shown_companies:
            name = (gettext("Confidential company ({place})").format(place=place) if secret
                    else owner.name if owner else f.company_id)
            net.add_node(f"c:{company}", label=name[:40], shape="box", color="#eeeeee",
                         title=name)
            shown_companies.add(company)
        node[f.id] = f"f:anon-{len(node)}" if secret else f"f:{f.id}"
        amount = (amount_band(f.amount, f.unit) if secret else
                  gettext("quantity unknown") if f.amount is None
                  else amount_words(f.amount, f.unit))
        net.add_node(node[f.id], label=name_of(f.resource), shape="dot", size=10,
                     color=FAMILY_COLOURS.get(res.family, "#999999"),
                     title=f"{gettext(f.direction)}: {name_of(f.resource)} ({amount})")
        net.add_edge(f"c:{company}", node[f.id], color="#dddddd", arrows="")
    # each link once: an agreed or operating exchange, else its one live proposal, else
    # an ended one
    rows = list(exchanges)
    status = {(e.supply_flow, e.demand_flow): e.status for e in rows if e.status == "ended"}
    status.update({(e.supply_flow, e.demand_flow): e.status for e in counted(rows)})
    seen = set()
    for c in candidates:
        if c.supply_flow in node and c.demand_flow in node:
            seen.add(c.key)
            st = status.get(c.key, "candidate")
            exact = not any(node[k].startswith("f:anon-") for k in c.key)
            km = km_words(c.distance_km) if exact else distance_text(c.distance_km)
            net.add_edge(node[c.supply_flow], node[c.demand_flow],
                         color=STATUS_COLOURS[st], width=3 if st != "candidate" else 1,
                         dashes=st == "candidate", title=f"{status_label(st)}: {km}")
    for key, st in status.items():
        if key not in seen and all(k in node for k in key):
            net.add_edge(node[key[0]], node[key[1]], color=STATUS_COLOURS.get(st, "#000"),
                         width=3, title=status_label(st))
    return net


def network_payload(net: Network) -> dict[str, Any]:
    """The nodes and edges, as vis-network takes them. Put them in a page with Jinja's
    ``tojson`` filter, which escapes ``<``, ``>``, ``&`` and ``'`` so that no name can end
    the ``<script>`` element or open a comment in it."""
    nodes, edges, *_ = net.get_network_data()
    return {"nodes": nodes, "edges": edges}


def network_html(net: Network, *, title: str = "symbiosis network",
                 js_url: str | None = None) -> str:
    """A complete page; vis-network is inlined, or loaded from ``js_url`` on this server."""
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
  {{physics: {{stabilization: {{iterations: 200}}}}, interaction: {{hover: true}}}});
window.symbiosisNetwork = network;
</script></body></html>
"""
