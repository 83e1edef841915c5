"""The network picture through Flask's test client: companies with their flows, links
labelled and styled, groups per county (municipality, park) at scale, the legend and
filters, an overview past the cap, bokmål, and the confidential flow kept hidden."""

from __future__ import annotations

import json
import math
import re
from collections import Counter

import pytest

from graph import EmbeddedStore
from symbiosis.model import Candidate, Company, Dataset, Exchange, Flow
from web.network import FAMILY_COLOURS, STATUS_COLOURS, Words, network_payload, network_picture
from web.network_groups import Group, seed_positions

from .conftest import CASE_FILES
from .network_world import build_network_world
from .web_support import SECRET_AMOUNT, SECRET_FLOW, Session

SECRET_COMPANY = "Nortura"


def _data(page: str) -> dict:
    blocks = re.findall(r'<script id="network-data" type="application/json">(.*?)</script>',
                        page, re.S)
    assert len(blocks) == 1 and "<" not in blocks[0]
    return json.loads(blocks[0])


def _picture(session, url: str) -> tuple[str, dict]:
    r = session.get(url)
    assert r.status_code == 200, url
    page = r.get_data(as_text=True)
    return page, _data(page)


# -- one picture, worked by hand ---------------------------------------------------------------

def _heat_pair() -> tuple[Dataset, Candidate, Exchange]:
    """A's waste heat (12,000 MWh) warms B 3 km away; the exchange operates."""
    cos = (Company("A", "Sawmill A", 60.7, 11.87, municipality="Våler", county="Innlandet"),
           Company("B", "Greenhouse B", 60.72, 11.87, municipality="Våler", county="Innlandet"))
    flows = (Flow("S", "A", "supply", "waste_heat", 12000.0, "MWh"),
             Flow("S2", "A", "supply", "bark", None, "t"),
             Flow("D", "B", "demand", "heat", 15000.0, "MWh"))
    cand = Candidate("S", "D", "A", "B", "waste_heat", "heat", 3.2, "pipeline", 12000.0, "MWh",
                     1.0, 100.0, 0.224, 1000.0, 1_000_000.0, 2688.0, 0.8)
    exchange = Exchange("X", "S", "D", 12000.0, "MWh", "operating", 2020)
    return Dataset(companies=cos, flows=flows), cand, exchange


def test_a_company_is_one_node_with_its_flows_and_a_link_says_resource_and_amount():
    data, cand, exchange = _heat_pair()
    nb = Words(say=lambda s: {"yr": "år", "supply": "tilbud", "operating": "i drift",
                              "demand": "behov"}.get(s, s), lang="nb",
               resource=lambda k: {"waste_heat": "spillvarme", "heat": "varme",
                                   "bark": "bark"}[k])
    for words, label in ((Words(), "Waste heat · 12,000 MWh/yr"),
                         (nb, "Spillvarme · 12\u00a0000 MWh/år")):
        payload = network_payload(network_picture(data, [cand], [exchange], words=words).net)
        nodes = {n["id"]: n for n in payload["nodes"]}
        assert set(nodes) == {"c:A", "c:B"}
        assert nodes["c:A"]["label"] == "Sawmill A" and nodes["c:A"]["kind"] == "company"
        assert [f["id"] for f in nodes["c:A"]["flows"]] == ["S", "S2"]
        assert nodes["c:A"]["families"] == ["energy", "organics"]
        assert nodes["c:A"]["value"] == 2
        assert (nodes["c:A"]["county"], nodes["c:A"]["municipality"]) == ("Innlandet", "Våler")
        [edge] = payload["edges"]
        assert (edge["from"], edge["to"], edge["status"]) == ("c:A", "c:B", "operating")
        assert edge["label"] == label
        assert edge["color"] == STATUS_COLOURS["operating"] and edge["width"] == 4
        assert edge["dashes"] is False and edge["score"] == 0.8 and edge["family"] == "energy"
    # without the exchange it is a candidate: thin, dashed, and its label still the same
    [edge] = network_payload(network_picture(data, [cand]).net)["edges"]
    assert edge["status"] == "candidate" and edge["dashes"] and edge["width"] == 1
    assert edge["label"] == "Waste heat · 12,000 MWh/yr"
    assert edge["title"].startswith("candidate: Waste heat · 12,000 MWh/yr · score 0.8\n")
    assert "3.2 km" in edge["title"]


def test_links_of_one_resource_and_status_between_two_companies_are_one_edge():
    data, cand, _ = _heat_pair()
    second = Flow("S3", "A", "supply", "waste_heat", 500.0, "MWh")
    data = Dataset(companies=data.companies, flows=data.flows + (second,))
    other = Candidate("S3", "D", "A", "B", "waste_heat", "heat", 3.2, "pipeline", 500.0, "MWh",
                      1.0, 100.0, 0.224, 1000.0, 10_000.0, 20.0, 0.3)
    [edge] = network_payload(network_picture(data, [cand, other]).net)["edges"]
    assert edge["label"] == "Waste heat · 12,500 MWh/yr" and "2 links" in edge["title"]
    assert edge["score"] == 0.8
    # one candidate per flow: the better one of D's, and S3's only one, so both still
    pic = network_picture(data, [cand, other], per_flow=1)
    assert (pic.links_drawn, pic.links_total) == (2, 2)
    assert network_picture(data, [cand, other], per_flow=1, max_links=1).links_drawn == 1


# -- the page ------------------------------------------------------------------------------------

def test_the_page_groups_flows_under_their_companies(login, app):
    store = EmbeddedStore(app.config["STORE_URL"])
    page, data = _picture(login("admin"), "/network/")
    names = {c.id: c.name for c in store.companies()}
    flows: dict[str, set[str]] = {}
    for f in store.flows():
        flows.setdefault(f.company_id, set()).add(f.id)
    nodes = data["nodes"]
    assert {n["id"] for n in nodes} == {f"c:{c}" for c in flows}
    for n in nodes:
        company = n["id"][2:]
        assert n["label"] == names[company][:60] or n["label"].endswith("…")
        assert {f["id"] for f in n["flows"]} == flows[company]
        assert all(f["text"].startswith(("supply: ", "demand: ")) for f in n["flows"])
    assert not any(n["id"].startswith("f:") for n in nodes)
    # each link between two companies, labelled with a resource word and a unit
    assert data["edges"] and all(e["from"].startswith("c:") and e["to"].startswith("c:")
                                 for e in data["edges"])
    with_amounts = [e["label"] for e in data["edges"] if re.search(r"\d ", e["label"])]
    assert with_amounts and all(re.search(r" · [\d,.]+ (t|MWh|m3)/yr$", x)
                                for x in with_amounts)
    assert any(e["label"].startswith("Animal by-products · 4,200 t/yr")
               for e in data["edges"])  # the admin sees the confidential one in full
    assert {e["status"] for e in data["edges"]} >= {"candidate", "proposed"}


def test_the_page_has_a_legend_and_filters(login):
    page, data = _picture(login("admin"), "/network/")
    legend = page.split('<section id="network-legend">')[1].split("</section>")[0]
    for key in FAMILY_COLOURS:
        assert f'name="family" value="{key}" checked' in legend
    for key in STATUS_COLOURS:
        assert f'name="status" value="{key}" checked' in legend
    for word in ("Energy", "Organic material", "candidate", "operating", "Company", "Group",
                 "Confidential"):
        assert word in legend
    assert legend.count("stroke-dasharray") == 3  # candidate, proposed, ended
    filters = page.split('<section id="network-filters">')[1].split("</section>")[0]
    for control in ('id="filter-county"', 'id="filter-municipality"', 'id="filter-score"',
                    'id="filter-linked"', 'id="open-all"', 'id="regroup"'):
        assert control in filters
    counties = re.findall(r"<option>([^<]+)</option>", filters.split('id="filter-county"')[1]
                          .split("</select>")[0])
    assert counties == sorted({n["county"] for n in data["nodes"]})
    # the picture's data carries what the filters read
    assert all({"families", "county", "municipality"} <= set(n) for n in data["nodes"])
    assert all({"status", "family", "score"} <= set(e) for e in data["edges"])


def test_the_store_starts_as_one_group_per_county(login):
    _, data = _picture(login("admin"), "/network/")
    counties = Counter(n["county"] for n in data["nodes"])
    assert len(counties) == 3  # Innlandet, Troms, Vestland
    top = [g for g in data["groups"] if g["parent"] is None]
    assert sorted((g["label"], g["size"]) for g in top) == sorted(counties.items())
    assert all(g["kind"] == "county" and g["single"] and g["id"] == f"county:{g['label']}"
               for g in top)
    for n in data["nodes"]:
        assert n["grp"].split("/")[0] == f"county:{n['county']}"
    # a small county is drawn company by company
    _, county = _picture(login("admin"), "/network/?county=Innlandet")
    assert county["groups"] == [] and all("grp" not in n for n in county["nodes"])


@pytest.fixture(scope="module")
def network_world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("network-world")
    return build_network_world(folder, CASE_FILES)


@pytest.fixture
def big(network_world, tmp_path):
    """A signed-in admin on a store of about 520 companies, 260 of them in Innlandet."""
    from web import create_app
    from web.data import close

    from .web_support import copy_world

    store, users = copy_world(network_world[0].parent, tmp_path)
    app = create_app({"TESTING": True, "STORE_URL": str(store), "USERS_DB": str(users),
                      "UPLOAD_DIR": str(tmp_path / "uploads"), "SECRET_KEY": "test-secret"})
    yield app
    close(app)


def test_a_county_of_hundreds_groups_by_municipality_and_a_large_one_by_park(big):
    s = Session(big.test_client(), "admin")
    _, data = _picture(s, "/network/?county=Innlandet")
    nodes = data["nodes"]
    assert 250 <= len(nodes) <= 300
    groups = {g["id"]: g for g in data["groups"]}
    top = [g for g in groups.values() if g["parent"] is None]
    assert {g["kind"] for g in top} == {"municipality"}
    assert 5 <= len(top) <= 10  # a handful to start with
    per_municipality = Counter(n["municipality"] for n in nodes)
    for g in top:
        assert g["size"] == per_municipality[g["label"]] >= 2
        inner = [x for x in groups.values() if x["parent"] == g["id"]]
        # past 30 companies a municipality is divided by park, else not
        assert bool(inner) == (g["size"] > 30), g
        assert all(x["kind"] == "park" and x["label"].endswith("industrial park")
                   for x in inner)
    # innermost first, the order the page clusters them in
    depths = [g["depth"] for g in data["groups"]]
    assert depths == sorted(depths, reverse=True)
    # every node has its own place; each group has a disc its nodes lie in, and the
    # discs of one group's subgroups do not overlap (the page's clusters open in place)
    assert len({(n["x"], n["y"]) for n in nodes}) == len(nodes)
    again = [dict(n) for n in nodes]
    discs = seed_positions(again, [Group(**g) for g in data["groups"]])
    assert [(n["x"], n["y"]) for n in again] == [(n["x"], n["y"]) for n in nodes]
    assert set(discs) == set(groups)
    for n in nodes:
        gid = n.get("grp")
        while gid:
            x, y, r = discs[gid]
            assert math.dist((n["x"], n["y"]), (x, y)) <= r, (n["id"], gid)
            gid = groups[gid]["parent"]
    for a in groups:
        for b in groups:
            if a < b and groups[a]["parent"] == groups[b]["parent"]:
                (xa, ya, ra), (xb, yb, rb) = discs[a], discs[b]
                assert math.dist((xa, ya), (xb, yb)) >= ra + rb, (a, b)
    # the store of 14 counties starts as 14 groups
    _, store = _picture(s, "/network/")
    assert len([g for g in store["groups"] if g["parent"] is None]) == \
        len({n["county"] for n in store["nodes"]}) == 14


def test_the_links_drawn_are_the_best_few_of_each_flow(big):
    s = Session(big.test_client(), "admin")
    page3, three = _picture(s, "/network/?county=Innlandet")
    page1, one = _picture(s, "/network/?county=Innlandet&best=1")
    assert 0 < len(one["edges"]) < len(three["edges"])
    note = re.search(r"Drawn: the best 1 candidates of each flow, ([\d,]+) of ([\d,]+)",
                     page1)
    assert note and int(note.group(1).replace(",", "")) < int(note.group(2).replace(",", ""))
    # every exchange is drawn whatever the choice
    def exchanges(data: dict) -> Counter[str]:
        return Counter(e["status"] for e in data["edges"] if e["status"] != "candidate")

    assert exchanges(one) == exchanges(three) and set(exchanges(one)) == {
        "proposed", "agreed", "operating", "ended"}


def test_past_the_cap_a_picture_is_one_node_per_county_and_opens_a_county(big):
    big.config["NETWORK_MAX_COMPANIES"] = 100
    s = Session(big.test_client(), "viewer")
    page, data = _picture(s, "/network/")
    assert data["mode"] == "overview" and data["groups"] == []
    assert all(n["kind"] == "area" for n in data["nodes"])
    counties = {n["county"] for n in data["nodes"]}
    assert len(counties) == len(data["nodes"]) == 14
    inland = next(n for n in data["nodes"] if n["county"] == "Innlandet")
    assert inland["href"] == "/network/?county=Innlandet&best=3"
    assert re.match(r"Innlandet\n2\d\d companies$", inland["label"])
    assert all(re.fullmatch(r"1 link|[\d,]+ links", e["label"]) for e in data["edges"])
    pairs = [frozenset((e["from"], e["to"])) for e in data["edges"]]
    assert len(pairs) == len(set(pairs))  # one edge per pair of counties
    assert all(e["status"] == min(e["statuses"], key=["operating", "agreed", "proposed",
                                                       "candidate", "ended"].index)
               for e in data["edges"])
    assert "too many to draw one by one" in page
    assert SECRET_FLOW not in page
    # a county past the cap: one node per municipality
    _, county = _picture(s, "/network/?county=Innlandet")
    assert county["mode"] == "overview"
    assert {n["municipality"] for n in county["nodes"]} >= {"Hamar", "Gjøvik", "Våler"}
    assert {n["href"] for n in county["nodes"]} >= \
        {"/network/?county=Innlandet&municipality=Hamar&best=3"}
    # one municipality is under it: drawn company by company
    _, hamar = _picture(s, "/network/?county=Innlandet&municipality=Hamar")
    assert hamar["mode"] == "detail" and len(hamar["nodes"]) < 100


def test_the_picture_speaks_bokmal(login):
    s = login("admin")
    s.get("/lang/nb")
    page, data = _picture(s, "/network/")
    legend = page.split('<section id="network-legend">')[1].split("</section>")[0]
    for word in ("Tegnforklaring", "Energi", "Organisk materiale", "kandidat", "i drift",
                 "Gruppe (fylke, kommune eller industriområde)", "Ressursfamilie"):
        assert word in legend
    assert "Energy" not in legend and "Organic material" not in legend
    filters = page.split('<section id="network-filters">')[1]
    for word in ("Min. kandidatpoeng", "Bare bedrifter med koblinger", "Åpne alle grupper"):
        assert word in filters
    assert data["lang"] == "nb" and data["text"]["companies"] == "bedrifter"
    assert data["text"]["open"] == "Dobbeltklikk for å åpne"
    secret = next(e for e in data["edges"] if e["from"] == "c:SOL-C03"
                  and e["status"] == "proposed" and e["family"] == "organics")
    assert secret["label"] == "Animalske biprodukter · 4\u00a0200 t/år"
    assert secret["title"].startswith("foreslått: ")
    texts = [f["text"] for n in data["nodes"] for f in n["flows"]]
    assert any(t.startswith("tilbud: ") for t in texts)
    assert not any(t.startswith("supply: ") for t in texts)


@pytest.mark.parametrize("username", ["viewer", "fjord", "innlandet"])
def test_the_confidential_flow_stays_hidden(login, username):
    s = login(username)
    for url in ("/network/", "/network/?county=Innlandet", "/network/?park=BRASKEREIDFOSS",
                "/network/?company=SOL-C04", "/network/?best=0"):
        page, data = _picture(s, url)
        assert SECRET_FLOW not in page and "4,200" not in page and "4200" not in page, url
        assert "4\u00a0200" not in page
        # Nortura is drawn with the flows everyone sees, never with the hidden one
        nortura = [n for n in data["nodes"] if SECRET_COMPANY in n["label"]]
        assert all(n["id"] == "c:SOL-C03" for n in nortura), url
        assert not any("animal by-products" in f["text"] for n in nortura
                       for f in n["flows"]), url
        assert not any(e["from"] == "c:SOL-C03" and e["family"] == "organics"
                       for e in data["edges"]), url
    _, data = _picture(s, "/network/?county=Innlandet")
    secret = [n for n in data["nodes"] if n["kind"] == "confidential"]
    assert [n["label"] for n in secret] == ["Confidential company (Våler)"]
    [flow] = secret[0]["flows"]
    assert "id" not in flow and flow["text"] == "supply: animal by-products · 1,000–10,000 t/yr"
    edges = [e for e in data["edges"] if secret[0]["id"] in (e["from"], e["to"])]
    assert edges and all(e["score"] is None for e in edges)
    assert all(re.search(r" · ([\d,]+–[\d,]+|under [\d,]+|over [\d,]+) t/yr$", e["label"])
               for e in edges if " · " in e["label"])
    assert any(e["label"] == "Animal by-products · 1,000–10,000 t/yr"
               and e["status"] == "proposed" for e in edges)
    assert all(re.search(r"under \d+ km|\d+–\d+ km|over", e["title"]) for e in edges
               if e["status"] == "candidate")
    assert SECRET_AMOUNT == 4200.0
