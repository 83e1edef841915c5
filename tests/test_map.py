"""The map through Flask's test client: base layers shipped with the package, legend and
filters, popups in words and units in both languages, placing a company from the map, and
only what the user may see in the page."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from graph import EmbeddedStore
from symbiosis.places import default_register
from web.maps import GEO_LAYERS

from .web_support import SECRET_AMOUNT, SECRET_FLOW

ROOT = Path(__file__).resolve().parent.parent
GEO = ROOT / "web" / "static" / "geo"
NBSP = "\u00a0"


def _page_data(page: str) -> dict:
    block = re.search(r'<script id="map-data" type="application/json">(.*?)</script>', page,
                      re.S)
    assert block is not None
    return json.loads(block.group(1))


def _company(doc: dict, name_start: str) -> dict:
    return next(f["properties"] for f in doc["features"]
                if f["properties"]["kind"] == "company"
                and f["properties"]["name"].startswith(name_start))


def _positions(coords):
    if isinstance(coords[0], int | float):
        yield coords
        return
    for c in coords:
        yield from _positions(c)


# -- the base layers -----------------------------------------------------------------------

def test_base_layers_are_served_from_the_package_as_geojson(login):
    s = login("viewer")
    page = s.get("/map/").get_data(as_text=True)
    register = default_register()
    docs = {}
    for name, path in GEO_LAYERS.items():
        assert f'data-{name}="/static/{path}"' in page, name
        with s.get(f"/static/{path}") as r:
            assert r.status_code == 200, path
            docs[name] = json.loads(r.data)
    for name, doc in docs.items():
        assert doc["type"] == "FeatureCollection"
        for f in doc["features"]:
            assert f["type"] == "Feature"
            assert f["geometry"]["type"] in ("Polygon", "MultiPolygon"), name
            for lon, lat in _positions(f["geometry"]["coordinates"]):
                assert 4 < lon < 32 and 57 < lat < 72, (name, lon, lat)
                # reduced to 4 decimals
                assert round(lon, 4) == lon and round(lat, 4) == lat, (name, lon, lat)
    counties = {f["properties"]["fylkesnummer"] for f in docs["counties"]["features"]}
    assert len(docs["counties"]["features"]) == 15 and counties == set(register.counties)
    municipalities = {f["properties"]["kommunenummer"]
                      for f in docs["municipalities"]["features"]}
    assert len(municipalities) == 357 and municipalities == set(register.municipalities)
    assert len(docs["norway"]["features"]) == 1
    # a county's label point lies inside the county's box
    troms = next(f for f in docs["counties"]["features"]
                 if f["properties"]["fylkesnummer"] == "55")
    lon, lat = troms["properties"]["label"]
    assert 15 < lon < 23 and 68 < lat < 70.5


def test_base_layers_carry_their_source_and_are_package_data():
    source = (GEO / "SOURCE.md").read_text(encoding="utf-8")
    for words in ("Kartverket", "2024", "CC BY 4.0", "robhop/fylker-og-kommuner",
                  "4 decimals"):
        assert words in source, words
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["web"]
    shipped = {p for pattern in patterns for p in (ROOT / "web").glob(pattern)}
    for path in (*GEO_LAYERS.values(), "geo/SOURCE.md"):
        assert ROOT / "web" / "static" / path in shipped, path
    # small enough to send with every map page
    assert sum((GEO / Path(p).name).stat().st_size for p in GEO_LAYERS.values()) < 1_500_000


def test_map_names_the_source_of_its_borders(login):
    page = login("viewer").get("/map/").get_data(as_text=True)
    attribution = re.search(r'data-attribution="([^"]*)"', page).group(1)
    assert "Kartverket 2024" in attribution and "CC BY 4.0" in attribution


# -- legend and filters --------------------------------------------------------------------

def test_map_page_has_a_legend_and_filters_from_the_register(login):
    page = login("admin").get("/map/").get_data(as_text=True)
    legend = re.search(r'<div id="map-legend".*?</div>\s*<script', page, re.S).group(0)
    families = dict(re.findall(r'data-family="(\w+)" data-colour="(#[0-9a-f]{6})"', legend))
    # the families of the cases' flows, each with its colour, in words
    assert {"energy", "organics", "gases"} <= set(families)
    assert len(set(families.values())) == len(families)
    assert ">Energy<" in legend and ">Organic material<" in legend
    statuses = dict(re.findall(r'data-status="(\w+)" data-colour="(#[0-9a-f]{6})"', legend))
    assert set(statuses) == {"proposed", "agreed", "operating"}
    assert "County border" in legend and "Municipality border" in legend

    register = default_register()
    county_select = re.search(r'<select id="filter-county">(.*?)</select>', page, re.S).group(1)
    counties = re.findall(r'<option value="([^"]+)" data-number="(\d\d)"', county_select)
    assert sorted(n for _, n in counties) == sorted(register.counties)
    assert {name for name, _ in counties} == set(register.county_names())
    muni_select = re.search(r'<select id="filter-municipality">(.*?)</select>', page,
                            re.S).group(1)
    munis = re.findall(r'<option value="(\d{4})" data-name="([^"]+)" data-county="([^"]+)">'
                       r'([^<]+)</option>', muni_select)
    assert len(munis) == 357
    assert ("3419", "Våler", "Innlandet", "Våler (Innlandet)") in munis
    assert ("5501", "Tromsø", "Troms", "Tromsø") in munis
    family_select = re.search(r'<select id="filter-family">(.*?)</select>', page,
                              re.S).group(1)
    assert set(re.findall(r'<option value="(\w+)"', family_select)) == set(families) - {"none"}
    for status in statuses:
        assert f'name="status" value="{status}" checked' in page
    for direction in ("supply", "demand"):
        assert f'name="direction" value="{direction}" checked' in page


def test_county_staff_filter_their_county_only(login):
    page = login("troms").get("/map/").get_data(as_text=True)
    county_select = re.search(r'<select id="filter-county">(.*?)</select>', page, re.S).group(1)
    assert re.findall(r'<option value="([^"]*)"', county_select) == ["Troms"]
    doc = _page_data(page)
    assert {f["properties"]["county"] for f in doc["features"]
            if f["properties"]["kind"] == "company"} == {"Troms"}
    muni_select = re.search(r'<select id="filter-municipality">(.*?)</select>', page,
                            re.S).group(1)
    assert set(re.findall(r'data-county="([^"]+)"', muni_select)) == {"Troms"}


# -- popups in words -----------------------------------------------------------------------

def test_popups_carry_words_units_and_links(login):
    doc = _page_data(login("admin").get("/map/").get_data(as_text=True))
    finnfjord = _company(doc, "Finnfjord AS")
    assert finnfjord["url"] == "/companies/FIN-C01"
    assert finnfjord["place"] == "Senja, Troms"
    texts = [f["text"] for f in finnfjord["flows"]]
    assert "Waste heat (waste_heat) \u2014 125,000 MWh/yr supply" in texts
    assert "Electricity (electricity) \u2014 950,000 MWh/yr demand" in texts
    assert "Quartz (quartz) \u2014 amount unknown demand" in texts
    assert finnfjord["family"] == "energy"
    lines = [f["properties"] for f in doc["features"]
             if f["properties"]["kind"] == "exchange"]
    assert lines
    for p in lines:
        assert p["status_text"] == {"proposed": "Proposed", "agreed": "Agreed",
                                    "operating": "Operating"}[p["status"]]
        assert re.fullmatch(r"[A-Z].* \(\w+\) \u2014 ([\d,.]+ (t|MWh|m3)/yr|amount unknown)",
                            p["text"]), p["text"]
        assert all(e["url"].startswith("/companies/") and e["name"] for e in p["ends"])
    # no raw "status: key" text as the old popups had
    assert not re.search(r'"(proposed|agreed|operating): \w+"', json.dumps(doc))


def test_an_operating_exchange_says_so_with_its_year(login):
    s = login("admin")
    store = EmbeddedStore(s.client.application.config["STORE_URL"])
    line = next(e for e in store.exchanges() if e.status == "proposed"
                and e.id != "X-SECRET")
    for status in ("agreed", "operating"):
        r = s.post(f"/exchanges/{line.id}/status", {"status": status, "start_year": "2024"})
        assert r.status_code == 302
    for lang, words, year in (("en", "Operating", "from 2024"), ("nb", "I drift", "fra 2024")):
        s.get(f"/lang/{lang}")
        doc = _page_data(s.get("/map/").get_data(as_text=True))
        p = next(f["properties"] for f in doc["features"] if f["id"] == line.id)
        assert (p["status"], p["status_text"], p["since"]) == ("operating", words, year)


def test_map_in_bokmal(login):
    s = login("solor")
    s.get("/lang/nb")
    page = s.get("/map/").get_data(as_text=True)
    for words in ("Tegnforklaring", "Ressursfamilie", "Alle familier", "Alle fylker",
                  "Alle kommuner", "Utvekslingsstatus", "Fylkesgrense", "Kommunegrense",
                  "Grenser og kystlinje", "Plasser en ny bedrift her", ">Energi<",
                  ">Foreslått<", ">I drift<", "Vis alle"):
        assert words in page, words
    doc = _page_data(page)
    texts = [f["text"] for f in _company(doc, "Finnfjord AS")["flows"]]
    assert f"Spillvarme (waste_heat) \u2014 125{NBSP}000 MWh/år tilbud" in texts
    assert "Kvarts (quartz) \u2014 mengde ukjent behov" in texts
    assert {f["properties"]["status_text"] for f in doc["features"]
            if f["properties"]["kind"] == "exchange"} <= {"Foreslått", "Avtalt", "I drift"}


def test_number_text_in_both_languages(app):
    from web.i18n import number_text

    with app.test_request_context("/?lang=en"):
        assert [number_text(v) for v in (1200, 125000.4, 2.5, 0.125, 0, -3000)] == \
            ["1,200", "125,000", "2.5", "0.12", "0", "-3,000"]
    with app.test_request_context("/?lang=nb"):
        assert [number_text(v) for v in (1200, 125000.4, 2.5, 1234.5)] == \
            [f"1{NBSP}200", f"125{NBSP}000", "2,5", f"1{NBSP}234"]
        assert number_text(1234.56, 1) == f"1{NBSP}234,6"


# -- confidentiality -----------------------------------------------------------------------

@pytest.mark.parametrize("username", ["viewer", "fjord", "innlandet"])
def test_the_map_lists_no_hidden_flow(login, username):
    page = login(username).get("/map/").get_data(as_text=True)
    doc = _page_data(page)
    nortura = _company(doc, "Nortura")
    assert not any("animal_byproducts" in f["text"] for f in nortura["flows"])
    assert [f["direction"] for f in nortura["flows"]] == ["supply", "demand"]  # the others
    assert SECRET_FLOW not in page
    for amount in ("4,200", "4200", f"4{NBSP}200", f"{SECRET_AMOUNT:g}"):
        assert amount not in page


def test_the_map_lists_a_confidential_flow_to_its_cluster(login):
    doc = _page_data(login("solor").get("/map/").get_data(as_text=True))
    texts = [f["text"] for f in _company(doc, "Nortura")["flows"]]
    assert "Animal by-products (animal_byproducts) \u2014 4,200 t/yr supply" in texts


# -- placing a company from the map --------------------------------------------------------

@pytest.mark.parametrize("username,offered", [("admin", True), ("solor", True),
                                              ("viewer", False), ("innlandet", False)])
def test_only_who_may_create_companies_is_offered_to_place_one(login, username, offered):
    s = login(username)
    page = s.get("/map/").get_data(as_text=True)
    assert ('id="place-offer"' in page) is offered
    assert ('data-url="/companies/new"' in page) is offered
    assert ('id="place-hint"' in page) is offered
    assert s.get("/companies/new?lat=60.69&lon=11.88").status_code == (200 if offered else 403)


def _field(page: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert found is not None, name
    value = re.search(r'value="([^"]*)"', found.group(0))
    return value.group(1) if value else ""


def test_the_company_form_is_prefilled_from_the_map(login, app):
    s = login("solor")
    r = s.get("/companies/new?lat=60.691234567&lon=11.88&municipality=3419")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert _field(page, "lat") == "60.69123" and _field(page, "lon") == "11.88000"
    assert _field(page, "municipality") == "Våler (Innlandet)"
    assert re.search(r"<option selected>Innlandet</option>", page)
    # what the map fills in is accepted as it stands
    cells = {"id": "MAP-C1", "name": "Placed on the map AS", "lat": _field(page, "lat"),
             "lon": _field(page, "lon"), "municipality": _field(page, "municipality"),
             "county": "Innlandet"}
    assert s.post("/companies/new", cells).status_code == 302
    company = EmbeddedStore(app.config["STORE_URL"]).company("MAP-C1")
    assert (company.lat, company.lon) == (60.69123, 11.88)
    assert (company.municipality, company.county) == ("Våler", "Innlandet")


@pytest.mark.parametrize("query", ["lat=abc&lon=181&municipality=Nowhere",
                                   "lat=95&lon=nan&county=Atlantis", "lat=inf&lon=-200"])
def test_a_bad_prefill_leaves_the_fields_empty(login, query):
    r = login("admin").get(f"/companies/new?{query}")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    for name in ("lat", "lon", "municipality"):
        assert _field(page, name) == "", (query, name)
    assert "<option selected>" not in page


def test_the_map_words_taken_from_tables_have_bokmal():
    from web.i18n import NB
    from web.maps import FAMILY_WORDS, STATUS_WORDS

    assert sorted(w for w in (*FAMILY_WORDS.values(), *STATUS_WORDS.values())
                  if w not in NB) == []


def test_a_configured_basemap_is_still_offered(login, app):
    s = login("viewer")
    assert 'data-tiles=""' in s.get("/map/").get_data(as_text=True)  # none by default
    app.config["TILE_URL"] = "https://tiles.example.org/{z}/{x}/{y}.png"
    page = s.get("/map/").get_data(as_text=True)
    assert 'data-tiles="https://tiles.example.org/{z}/{x}/{y}.png"' in page
    assert 'data-words-basemap="Basemap"' in page
